from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from cairn.coalitions.models import Coalition
from cairn.ledger import accounts, selectors, services
from cairn.ledger.models import Entry, Fund, LedgerTransaction

from .conftest import DAY


def test_ensure_fund_is_created_once_and_keeps_its_currency(coalition: Coalition) -> None:
    first = services.ensure_fund(coalition=coalition, currency="eur", name="Pooled  fund")
    again = services.ensure_fund(coalition=coalition, currency="EUR", name="Pooled fund")
    assert again.pk == first.pk
    assert first.currency == "EUR"
    assert first.slug == "pooled-fund"
    with pytest.raises(services.LedgerError, match="EUR, not USD"):
        services.ensure_fund(coalition=coalition, currency="USD", name="Pooled fund")
    with pytest.raises(services.LedgerError, match="ISO 4217"):
        services.ensure_fund(coalition=coalition, currency="XXX", name="Other")


def test_post_is_idempotent_by_source(fund: Fund, give: Callable[..., LedgerTransaction]) -> None:
    first = give("25.00", "donation:1:succeeded")
    again = give("99.00", "donation:1:succeeded")
    assert again.pk == first.pk
    assert Entry.objects.filter(fund=fund).count() == 1
    assert selectors.balance(accounts.cash(fund)) == Decimal("25.00")


def test_post_refuses_floats_fractions_of_a_cent_and_foreign_accounts(
    coalition: Coalition, fund: Fund
) -> None:
    other = services.ensure_fund(coalition=coalition, currency="USD", name="Other fund")
    cash, gifts = accounts.cash(fund), accounts.donations(fund)
    for amount, message in [
        (float("1.5"), "never a float"),  # float on purpose
        (Decimal("0.001"), "2 decimal places"),
        (Decimal(0), "positive"),
        (Decimal(-3), "positive"),
    ]:
        with pytest.raises(services.LedgerError, match=message):
            services.post(
                fund=fund,
                source=f"bad:{amount}",
                description="bad",
                occurred_on=DAY,
                transfers=[services.Transfer(debit=cash, credit=gifts, amount=amount)],  # type: ignore[arg-type]
            )
    with pytest.raises(services.LedgerError, match="another fund"):
        services.post(
            fund=fund,
            source="cross",
            description="cross",
            occurred_on=DAY,
            transfers=[
                services.Transfer(debit=accounts.cash(other), credit=gifts, amount=Decimal(1))
            ],
        )
    assert not LedgerTransaction.objects.filter(fund=fund).exists()


def test_reverse_swaps_every_transfer_once(
    fund: Fund, give: Callable[..., LedgerTransaction]
) -> None:
    gift = give("40.00", "donation:2:succeeded")
    refund = services.reverse(transaction=gift, source="donation:2:refunded", description="Refund")
    again = services.reverse(transaction=gift, source="donation:2:refunded", description="Refund")
    assert refund.created
    assert not again.created
    assert again.transaction.pk == refund.transaction.pk
    assert selectors.balance(accounts.cash(fund)) == Decimal(0)
    with pytest.raises(services.LedgerError, match="already reversed"):
        services.reverse(transaction=gift, source="donation:2:disputed", description="Dispute")
    with pytest.raises(services.LedgerError, match="cannot itself be reversed"):
        services.reverse(transaction=refund.transaction, source="x", description="x")


def test_a_funding_delivery_posts_a_member_contribution(
    coalition: Coalition, membership_factory, commitment_factory
) -> None:
    member = membership_factory(coalition, name="Keystone Foundation")
    commitment_factory(member, quantity=1000, delivered=400)
    commitment_factory(member, kind="expertise", quantity=10, unit="hours", delivered=5)
    fund = Fund.objects.for_coalition(coalition).get()
    assert fund.currency == "USD"
    assert fund.name == "Pooled fund"
    contributions = accounts.member_contributions(fund, member)
    assert selectors.balance(contributions) == Decimal(400)
    assert selectors.balance(accounts.cash(fund)) == Decimal(400)
    assert LedgerTransaction.objects.for_coalition(coalition).count() == 1


def test_a_fund_named_like_a_page_gets_another_address(coalition: Coalition) -> None:
    fund = services.ensure_fund(coalition=coalition, name="Members")
    assert fund.slug == "members-fund"
    assert services.ensure_fund(coalition=coalition, name="members").pk == fund.pk


def test_the_largest_amount_and_its_sums_come_back_exact(
    fund: Fund, give: Callable[..., LedgerTransaction]
) -> None:
    # SQLite keeps decimals as floats: the largest amount (11 digits, cents) and a sum of many
    # small ones must still come back to the cent, on both databases
    big = give("99999999999.99", "big")
    assert big.entries.get().amount == Decimal("99999999999.99")
    for n in range(10):
        give("0.10", f"dime:{n}")
    assert selectors.balance(accounts.donations(fund)) == Decimal("100000000000.99")
    [row] = [r for r in selectors.balances(fund) if r.account.key == "cash"]
    assert row.balance == Decimal("100000000000.99")
