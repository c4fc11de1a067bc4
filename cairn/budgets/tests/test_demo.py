"""The demo's participatory budget: decided, adopted, its allocations in the ledger with the
decision, expenses with receipts; loading it again changes nothing."""

from __future__ import annotations

import pytest

from cairn.budgets.demo import ROUND_TITLE, load_demo_budgets
from cairn.budgets.models import Allocation, Expense, Receipt, Round
from cairn.coalitions.demo import load_demo_coalition
from cairn.ledger.demo import load_demo_ledger
from cairn.ledger.models import LedgerTransaction

pytestmark = pytest.mark.django_db


def test_the_demo_budget():
    coalition = load_demo_coalition().coalition
    load_demo_ledger(coalition)
    round_ = load_demo_budgets(coalition)
    assert round_.title == ROUND_TITLE
    assert round_.status == Round.Status.ADOPTED
    assert round_.outcome is not None
    assert round_.outcome.proposal.passed is True
    # equal shares funds the printed materials, the vigil and the buses (hand-checked: shares of
    # 2,000 among six organizations; the transit ads' three supporters run short)
    funded = set(Allocation.objects.filter(round=round_).values_list("line__title", flat=True))
    assert funded == {
        "Printed materials in five languages",
        "Vigil and community forum, east district",
        "Buses to the budget hearing",
    }
    for allocation in Allocation.objects.filter(round=round_):
        assert allocation.transaction is not None
        assert allocation.transaction.decision_id == round_.outcome_id
    assert Expense.objects.filter(status=Expense.Status.APPROVED).count() == 3
    assert Expense.objects.filter(status=Expense.Status.SUBMITTED).count() == 1
    assert Receipt.objects.count() == 4
    count = LedgerTransaction.objects.count()
    load_demo_budgets(coalition)
    assert LedgerTransaction.objects.count() == count
