from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from cairn.coalitions.demo import load_demo_coalition
from cairn.fundraising import selectors
from cairn.fundraising.demo import load_demo_fundraising
from cairn.fundraising.models import Donation, RecurringGift
from cairn.ledger.models import Entry, LedgerTransaction

pytestmark = pytest.mark.django_db
GIFTS = 25  # the demo makes 200; fewer keep the test fast


def test_the_demo_page_loads_once_through_the_fake_provider_into_the_ledger() -> None:
    coalition = load_demo_coalition().coalition
    first = load_demo_fundraising(coalition, count=GIFTS)
    again = load_demo_fundraising(coalition, count=GIFTS)
    assert first.created
    assert not again.created
    assert first.donations == again.donations
    page = first.page
    rows = Donation.objects.filter(page=page)
    assert rows.filter(status=Donation.Status.REFUNDED).count() == 1
    assert rows.filter(provider="offline").count() == 3
    assert RecurringGift.objects.filter(page=page, status="active").exists()
    assert rows.filter(recurrence="monthly").count() > RecurringGift.objects.count()  # renewals
    assert rows.exclude(host_membership=None).exists()
    # every succeeded gift is in the ledger once, and the income equals the thermometer
    succeeded = rows.filter(status=Donation.Status.SUCCEEDED)
    sources = set(LedgerTransaction.objects.filter(fund=page.fund).values_list("source", flat=True))
    assert {f"donation:{d.pk}:succeeded" for d in succeeded} <= sources
    income = Entry.objects.filter(fund=page.fund, credit__key=f"donations:{page.uuid}").aggregate(
        s=Sum("amount")
    )["s"] - (
        Entry.objects.filter(fund=page.fund, debit__key=f"donations:{page.uuid}").aggregate(
            s=Sum("amount")
        )["s"]
        or Decimal(0)
    )
    assert income == selectors.thermometer(page).raised > 0
    days = {d.succeeded_at.date() for d in succeeded if d.succeeded_at}
    assert len(days) > 10  # spread over the last two months, not all today
