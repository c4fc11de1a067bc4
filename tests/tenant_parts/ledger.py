"""Coalition B's ledger for the tenant walker: a private fund with a member's contribution, a
gift, a decided allocation and an expense, and the ids of the ledger's routes (staff pages, the
public page — a 404, the fund is not public — and the JSON API)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cairn.governance import services as governance
from cairn.ledger import accounts, services
from cairn.ledger.models import Account, Entry, Fund, LedgerTransaction

from . import Context

MODELS = [Fund, Account, LedgerTransaction, Entry]


def _decision(ctx: Context) -> Any:
    proposal = governance.create_proposal(
        coalition=ctx.coalition,
        template="majority",
        title=f"{ctx.secret} ledger spending",
        closes_at=timezone.now() + dt.timedelta(days=3),
        created_by=None,
    )
    proposal = governance.open_proposal(proposal=proposal, by=None, schedule_ticks=False)
    governance.close_proposal(proposal=proposal, by=None)
    return governance.record_outcome(proposal=proposal, statement=ctx.secret, recorded_by=None)


def rows(ctx: Context) -> dict[str, Any]:
    fund = services.ensure_fund(
        coalition=ctx.coalition, currency="EUR", name=f"{ctx.secret} ledger", description=ctx.secret
    )
    day = timezone.localdate()
    cash = accounts.cash(fund)
    contribution = services.post(
        fund=fund,
        source="walker:contribution",
        description=f"{ctx.secret} contribution",
        occurred_on=day,
        transfers=[
            services.Transfer(cash, accounts.member_contributions(fund, ctx.member), Decimal(90))
        ],
    ).transaction
    services.post(
        fund=fund,
        source="walker:gift",
        description=f"{ctx.secret} gift",
        occurred_on=day,
        transfers=[services.Transfer(cash, accounts.donations(fund), Decimal("10.50"))],
    )
    line = accounts.budget_line_expense(fund, 999, f"{ctx.secret} line")
    services.post(
        fund=fund,
        source="walker:expense",
        description=f"{ctx.secret} expense",
        occurred_on=day,
        decision=_decision(ctx),
        transfers=[services.Transfer(line, cash, Decimal(20))],
    )
    return {
        "fund_slug": fund.slug,
        "fund_id": fund.uuid,  # JSON API
        "account_id": cash.pk,
        "membership_id": ctx.member.pk,
        "ledger_entry_id": contribution.entries.get().pk,  # JSON API
    }
