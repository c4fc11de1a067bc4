"""How donations reach the pooled fund's ledger: only through `cairn.ledger.services.post`.

A page's donations go into its fund (one per coalition and currency, `ledger.ensure_fund`):
- succeeded: debit the processor's balance (asset "stripe" or "offline") by what the donor paid,
  credit the page's donations income by the gift and the fee-cover income by the fee they covered;
- refunded (partly or fully), disputed: the same accounts the other way, for what went back;
- a dispute won: credited again.
Every posting's source is `donation:<id>:<state>` (partial refunds add the cumulative amount), so
a webhook applied twice, or a worker killed mid-way and retried, posts once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cairn.ledger import services as ledger
from cairn.ledger.models import Account, Fund

from .models import Donation, FundraisingPage


def fund_for(page: FundraisingPage) -> Fund:
    """The page's fund: the coalition's fund in the page's currency (created if none)."""
    if page.fund_id is not None:
        return page.fund
    return ledger.fund_for_currency(coalition=page.coalition, currency=page.currency)


def _accounts(donation: Donation) -> tuple[Fund, Account, Account, Account]:
    page = donation.page
    fund = fund_for(page)
    processor = ledger.account(
        fund=fund,
        key=f"processor:{donation.provider}",
        name="Card processor balance" if donation.provider == "stripe" else "Offline gifts",
        type="asset",
    )
    income = ledger.account(
        fund=fund,
        key=f"donations:{page.uuid}",
        name=f"Donations: {page.title}"[:200],
        type="income",
        campaign=page.campaign,
    )
    fee_cover = ledger.account(
        fund=fund, key="donations:fee-cover", name="Fees covered by donors", type="income"
    )
    return fund, processor, income, fee_cover


def _split(donation: Donation, amount: Decimal) -> tuple[Decimal, Decimal]:
    """`amount` of the charge, split into (gift part, fee part): the fee part goes first back."""
    fee = min(donation.fee_amount, amount)
    return amount - fee, fee


def _post(
    donation: Donation, source: str, description: str, amount: Decimal, *, out: bool, on: dt.date
) -> ledger.PostResult | None:
    fund, processor, income, fee_cover = _accounts(donation)
    gift, fee = _split(donation, amount)
    transfers: list[ledger.Transfer] = []
    for part, account in ((gift, income), (fee, fee_cover)):
        if part > 0:
            debit, credit = (account, processor) if out else (processor, account)
            transfers.append(ledger.Transfer(debit=debit, credit=credit, amount=part))
    if not transfers:
        return None
    return ledger.post(
        fund=fund,
        source=source,
        description=description[:200],
        occurred_on=on,
        transfers=transfers,
        by=donation.recorded_by,
    )


def post_succeeded(donation: Donation) -> ledger.PostResult | None:
    """On the day the money arrived (the provider's event time, or the steward's date)."""
    at = donation.succeeded_at
    return _post(
        donation,
        f"donation:{donation.pk}:succeeded",
        f"Donation to {donation.page.title}",
        donation.total,
        out=False,
        on=timezone.localdate(at) if at else timezone.localdate(),
    )


def post_refund(
    donation: Donation, amount: Decimal, cumulative: Decimal, on: dt.date
) -> ledger.PostResult | None:
    full = cumulative >= donation.total
    source = f"donation:{donation.pk}:refunded" + ("" if full else f":{cumulative}")
    description = f"Refund of a donation to {donation.page.title}"
    return _post(donation, source, description, amount, out=True, on=on)


def post_dispute(donation: Donation, amount: Decimal, on: dt.date) -> ledger.PostResult | None:
    source = f"donation:{donation.pk}:disputed"
    description = f"Disputed donation to {donation.page.title}"
    return _post(donation, source, description, amount, out=True, on=on)


def post_dispute_won(donation: Donation, amount: Decimal, on: dt.date) -> ledger.PostResult | None:
    source = f"donation:{donation.pk}:dispute_won"
    description = f"Dispute won: donation to {donation.page.title}"
    return _post(donation, source, description, amount, out=False, on=on)
