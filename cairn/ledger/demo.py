"""The demo's pooled fund: the coalition's members' delivered funding commitments, posted into
it as contributions (the delivery hook does this as the coalitions demo records them; this also
fills a demo database loaded before the ledger existed), published with a description so the
public page shows where the money comes from. Fundraising and budgets add their own postings.
Idempotent: every posting is keyed by its delivery."""

from __future__ import annotations

from cairn.coalitions.models import Coalition, Commitment, Delivery

from . import hooks, services
from .models import Fund

DESCRIPTION = (
    "The coalition's pooled money: member organizations' contributions and supporters' gifts, "
    "spent only on budget lines the members decided together. Every transfer is listed below."
)


def load_demo_ledger(coalition: Coalition) -> Fund:
    deliveries = (
        Delivery.objects.for_coalition(coalition)
        .filter(commitment__kind=Commitment.Kind.FUNDING)
        .select_related("commitment__membership__organization", "commitment__coalition")
        .order_by("delivered_on", "pk")
    )
    for delivery in deliveries:
        hooks.post_funding_delivery(delivery)  # posted once: the source is the delivery
    fund = services.ensure_fund(coalition=coalition, currency="USD")
    if not fund.description:
        services.describe_fund(fund=fund, description=DESCRIPTION)
    if not fund.public:
        services.set_fund_public(fund=fund, public=True)
    return fund
