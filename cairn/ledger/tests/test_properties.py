"""Property test (hypothesis): after any sequence of donations, refunds, disputes, member
contributions, allocations and expenses — posted the way fundraising and budgets post them —
the ledger balances (debits = credits, assets + expenses = liabilities + equity + income), each
account's balance equals the sum of its own entries (and the pure engine's figure), and a
replayed posting changes nothing. Amounts are Decimals drawn as integers of minor units; no
float is ever drawn."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.coalitions.models import Coalition, Membership
from cairn.coalitions.services import add_organization
from cairn.engines import ledger as engine
from cairn.ledger import accounts, selectors, services
from cairn.ledger.models import Account, Entry, Fund, LedgerTransaction

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 1)

cents = st.integers(min_value=1, max_value=5_000_000).map(lambda n: Decimal(n).scaleb(-2))
step = st.one_of(
    st.tuples(st.just("donation"), cents, st.integers(0, 2)),  # page 0..2
    st.tuples(st.just("contribution"), cents, st.integers(0, 1)),  # member 0..1
    st.tuples(st.just("refund"), st.integers(0, 50), st.just(0)),  # the n-th gift, if any
    st.tuples(st.just("dispute"), st.integers(0, 50), st.just(0)),
    st.tuples(st.just("allocation"), cents, st.integers(0, 2)),  # budget line 0..2
    st.tuples(st.just("expense"), cents, st.integers(0, 2)),
    st.tuples(st.just("fee"), cents, st.just(0)),
    st.tuples(st.just("replay"), st.integers(0, 50), st.just(0)),  # a retried posting
)


def run(fund: Fund, members: list[Membership], steps: list[tuple[str, Any, int]]) -> None:
    gifts: list[LedgerTransaction] = []
    posted: list[tuple[str, list[services.Transfer]]] = []
    for n, (kind, value, which) in enumerate(steps):
        source = f"{kind}:{n}"
        transfers: list[services.Transfer] = []
        if kind == "donation":
            transfers = [
                services.Transfer(
                    accounts.cash(fund), accounts.donations(fund, f"page{which}"), value
                )
            ]
        elif kind == "contribution":
            transfers = [
                services.Transfer(
                    accounts.cash(fund),
                    accounts.member_contributions(fund, members[which]),
                    value,
                )
            ]
        elif kind in {"refund", "dispute"}:
            open_gifts = [
                g for g in gifts if not LedgerTransaction.objects.filter(reverses=g).exists()
            ]
            if open_gifts:
                gift = open_gifts[int(value) % len(open_gifts)]
                services.reverse(transaction=gift, source=source, description=kind)
            continue
        elif kind == "allocation":
            line = accounts.budget_line_allocation(fund, which, f"Line {which}")
            transfers = [services.Transfer(accounts.designated(fund), line, value)]
        elif kind == "expense":
            line = accounts.budget_line_expense(fund, which, f"Line {which}")
            allocated = accounts.budget_line_allocation(fund, which, f"Line {which}")
            transfers = [
                services.Transfer(line, accounts.cash(fund), value),
                services.Transfer(accounts.designated(fund), allocated, value),
            ]
        elif kind == "fee":
            transfers = [services.Transfer(accounts.fees(fund), accounts.cash(fund), value)]
        elif kind == "replay":
            if posted:
                again_source, again = posted[int(value) % len(posted)]
                result = services.post(
                    fund=fund,
                    source=again_source,
                    description="retry",
                    occurred_on=DAY,
                    transfers=again,
                )
                assert not result.created
            continue
        result = services.post(
            fund=fund, source=source, description=kind, occurred_on=DAY, transfers=transfers
        )
        assert result.created
        posted.append((source, transfers))
        if kind in {"donation", "contribution"}:
            gifts.append(result.transaction)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=25))
def test_after_any_sequence_the_ledger_balances(
    coalition: Coalition, steps: list[tuple[str, Any, int]]
) -> None:
    # given: a fresh fund for this example (the coalition is shared by the examples)
    fund = services.ensure_fund(
        coalition=coalition, name=f"Fund {Fund.objects.count()}", currency="USD"
    )
    members = [
        add_organization(
            coalition=coalition, name=f"Member {fund.pk}-{i}", sector="labor", added_by=None
        )
        for i in range(2)
    ]
    # when
    run(fund, members, steps)
    # then: totals
    summary = selectors.fund_summary(fund)
    assert summary.check is not None
    assert summary.check.balanced, summary.check
    # each account's balance is the sum of its own entries, and the engine's figure
    rows = list(Entry.objects.filter(fund=fund))
    legs = [engine.Leg(str(e.debit_id), str(e.credit_id), e.amount) for e in rows]
    types = {str(a.pk): a.type for a in Account.objects.filter(fund=fund)}
    expected = engine.balances(legs, types)
    assert engine.check(legs, types).balanced
    for row in selectors.balances(fund):
        own_debits = sum((e.amount for e in rows if e.debit_id == row.account.pk), Decimal(0))
        own_credits = sum((e.amount for e in rows if e.credit_id == row.account.pk), Decimal(0))
        assert row.debits == own_debits
        assert row.credits == own_credits
        assert row.balance == expected[str(row.account.pk)]
        assert selectors.balance(row.account) == row.balance
    # no amount the database hands back is a float
    assert all(isinstance(e.amount, Decimal) for e in rows)
    # unallocated money is what is held minus what decisions earmarked and is not spent
    assert summary.available == summary.balance - summary.allocated
