"""The ledger's reaction to other apps' events (registered in `apps.LedgerConfig.ready`).

A delivered *funding* commitment is money a member organization paid into the pool: it is posted
into the coalition's fund in the commitment's currency (its unit, e.g. "USD") as
member contribution (income) → cash (asset), source `delivery:<id>`, so recording the same
delivery's posting twice is impossible. Other kinds (hours, data, in-kind…) are not money and
post nothing, and so does a funding commitment whose unit is not an ISO 4217 code ("dollars"):
the ledger cannot book an amount without knowing its currency, and refusing the delivery would
break the coalition's pledge flow, which accepts any unit (the pledge page still shows it).
A posting the ledger refuses for another reason undoes the delivery (CoalitionError).
"""

from __future__ import annotations

from cairn.coalitions.models import Commitment, Delivery
from cairn.coalitions.services import CoalitionError
from cairn.engines.ledger import is_currency

from . import services
from .accounts import cash, member_contributions


def post_funding_delivery(delivery: Delivery) -> None:
    commitment = delivery.commitment
    if commitment.kind != Commitment.Kind.FUNDING:
        return
    currency = commitment.unit.strip().upper()
    if not is_currency(currency):
        return
    try:
        fund = services.fund_for_currency(coalition=commitment.coalition, currency=currency)
        membership = commitment.membership
        services.post(
            fund=fund,
            source=f"delivery:{delivery.pk}",
            description=f"Contribution from {membership.organization.name}: "
            f"{commitment.description}",
            occurred_on=delivery.delivered_on,
            transfers=[
                services.Transfer(
                    debit=cash(fund),
                    credit=member_contributions(fund, membership),
                    amount=delivery.quantity,
                )
            ],
            by=delivery.recorded_by,
        )
    except services.LedgerError as error:
        raise CoalitionError(f"The pooled fund cannot take this delivery: {error}") from None
