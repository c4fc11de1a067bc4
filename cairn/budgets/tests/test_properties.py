"""Property test (hypothesis) through the services themselves: after any sequence of gifts and
refunds (fundraising), allocations by a passed decision and approved expenses (budgets), the
fund's ledger balances, each account's balance is the sum of its own entries, an allocation is
posted exactly when the fund held that much unallocated, and a line never spends more than its
allocation. (The ledger's own property test covers the postings alone, disputes and replays.)"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.budgets import services
from cairn.budgets.models import Allocation, BudgetLine, Expense
from cairn.fundraising import services as fundraising
from cairn.fundraising.models import Donation, FundraisingPage
from cairn.ledger import selectors as ledger_selectors
from cairn.ledger.models import Entry
from cairn.people.services import EmailInput, PersonData

from .conftest import World, decide, receipt

pytestmark = pytest.mark.django_db

cents = st.integers(min_value=1, max_value=300_000).map(lambda n: Decimal(n).scaleb(-2))
step = st.one_of(
    st.tuples(st.just("gift"), cents),
    st.tuples(st.just("refund"), st.integers(0, 20).map(Decimal)),  # the n-th gift, if any
    st.tuples(st.just("allocate"), cents),
    st.tuples(st.just("spend"), cents),  # on the latest allocated line
)


def _check(world: World) -> None:
    summary = ledger_selectors.fund_summary(world.fund)
    assert summary.check is not None
    assert summary.check.balanced, summary.check
    rows = list(Entry.objects.filter(fund=world.fund))
    for row in ledger_selectors.balances(world.fund):
        assert row.debits == sum((e.amount for e in rows if e.debit_id == row.account.pk), 0)
        assert row.credits == sum((e.amount for e in rows if e.credit_id == row.account.pk), 0)
    assert all(isinstance(e.amount, Decimal) for e in rows)
    for line in BudgetLine.objects.filter(fund=world.fund, status=BudgetLine.Status.ALLOCATED):
        figures = services.line_money(line)
        assert figures.paid <= figures.allocated


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=8))
def test_any_sequence_through_the_services_keeps_the_ledger_balanced(
    world: World, steps: list[tuple[str, Decimal]]
) -> None:
    # the examples share the world's fund (5,000.00 from a member): invariants hold throughout
    page = FundraisingPage.objects.filter(fund=world.fund).first() or fundraising.create_page(
        coalition=world.coalition,
        title="Pooled fund page",
        by=None,
        status=FundraisingPage.Status.OPEN,
    )
    assert page.fund_id == world.fund.pk
    services.set_expense_approvals(coalition=world.coalition, approvals=1, by=world.steward)
    outcome = decide(world.coalition, world.organizers)
    for kind, value in steps:
        n = Donation.objects.count() + BudgetLine.objects.count() + Expense.objects.count()
        if kind == "gift":
            fundraising.record_offline_donation(
                page=page,
                person=PersonData(given_name="Ana", emails=[EmailInput(f"g{n}@example.org")]),
                amount=value,
                method="cheque",
                by=None,
                idempotency_key=f"gift-{n}",
            )
        elif kind == "refund":
            open_gifts = list(Donation.objects.filter(page=page, status="succeeded"))
            if open_gifts:
                gift = open_gifts[int(value) % len(open_gifts)]
                fundraising.refund_donation(donation=gift, by=None)
        elif kind == "allocate":
            line = services.propose_line(
                fund=world.fund, title=f"Line {n}", cost=value, by=world.steward
            )
            available = ledger_selectors.fund_summary(world.fund).available
            try:
                services.allocate_directly(line=line, outcome=outcome, by=world.steward)
            except services.BudgetError:
                assert value > available
                assert not Allocation.objects.filter(line=line).exists()
            else:
                assert value <= available
        elif kind == "spend":
            line_row: Any = (
                BudgetLine.objects.filter(fund=world.fund, status=BudgetLine.Status.ALLOCATED)
                .order_by("-pk")
                .first()
            )
            if line_row is None:
                continue
            left = services.line_money(line_row).available
            try:
                expense = services.submit_expense(
                    line=line_row,
                    amount=value,
                    description="Spent",
                    payee="Payee",
                    incurred_on=timezone.localdate(),
                    receipts=[receipt()],
                    by=world.steward,
                )
            except services.BudgetError:
                assert value > left
                continue
            services.approve_expense(expense=expense, by=world.second_steward)
        _check(world)
