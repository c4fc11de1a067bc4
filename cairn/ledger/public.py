"""The ledger's section of a coalition's public page: its public funds, each with its balance."""

from __future__ import annotations

from django.urls import reverse

from cairn.coalitions.models import Coalition
from cairn.coalitions.public import PublicEntry
from cairn.engines.ledger import format_amount

from . import selectors


def public_fund_entries(coalition: Coalition) -> list[PublicEntry]:
    entries = []
    for fund in selectors.public_funds(coalition):
        summary = selectors.fund_summary(fund)
        entries.append(
            PublicEntry(
                title=fund.name,
                url=reverse("ledger_public:fund", args=[coalition.slug, fund.slug]),
                summary=fund.description[:200] or "Where the pooled money comes from and goes.",
                meta=f"Balance {format_amount(summary.balance, fund.currency)}",
            )
        )
    return entries
