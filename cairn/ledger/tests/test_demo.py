"""The demo's pooled fund: the members' delivered funding commitments as contributions, public,
balanced; loading it again changes nothing, and an older demo database is filled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from cairn.coalitions.demo import load_demo
from cairn.coalitions.models import Commitment, Delivery
from cairn.ledger import selectors
from cairn.ledger.demo import load_demo_ledger
from cairn.ledger.models import Entry, LedgerTransaction


@pytest.mark.django_db
def test_the_demo_fund_holds_every_funding_delivery_once() -> None:
    # given the demo coalition (its deliveries already posted by the delivery hook)
    coalition = load_demo()
    # when
    fund = load_demo_ledger(coalition)
    again = load_demo_ledger(coalition)
    # then
    delivered = Delivery.objects.for_coalition(coalition).filter(
        commitment__kind=Commitment.Kind.FUNDING
    )
    total = delivered.aggregate(t=Sum("quantity"))["t"]
    assert total is not None
    assert total > Decimal(0)
    assert again.pk == fund.pk
    assert fund.public
    assert fund.description
    assert LedgerTransaction.objects.filter(fund=fund).count() == delivered.count()
    summary = selectors.fund_summary(fund)
    assert summary.check is not None
    assert summary.check.balanced
    assert summary.income == total
    assert (
        len(summary.income_lines) == delivered.values("commitment__membership").distinct().count()
    )
    assert Entry.objects.filter(fund=fund).count() == delivered.count()
    # and a database loaded before the ledger existed (contributions never posted) is filled
    Entry.objects.for_coalition(coalition).delete()
    LedgerTransaction.objects.for_coalition(coalition).delete()
    assert load_demo_ledger(coalition).pk == fund.pk
    assert LedgerTransaction.objects.filter(fund=fund).count() == delivered.count()
