"""Fundraising's engagement sources: `donations` (amount per day and host member, in the
registry's currency) and `donors` (people per day and host member), from raised gifts only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cairn.campaigns import engagement as registry
from cairn.campaigns.services import refresh_engagement
from cairn.fundraising import engagement, services
from cairn.fundraising.models import Donation
from cairn.people.services import EmailInput, PersonData


def person(email: str) -> PersonData:
    return PersonData(emails=[EmailInput(email)])


@pytest.fixture
def gifts(coalition, coalition_factory, membership_factory, steward):
    """Gifts of today: host A brings 10 + 15 (one donor twice) and 7 from another donor, no host
    20; a refunded 100 and a 50 EUR gift; another coalition's 99."""
    host_a = membership_factory(coalition, name="Host A")
    usd = services.create_page(coalition=coalition, title="Beds", by=None, status="open")
    eur = services.create_page(
        coalition=coalition, title="Betten", by=None, currency="EUR", status="open"
    )
    n = iter(range(100))

    def give(page, email, amount, host=None):
        return services.record_offline_donation(
            page=page,
            person=person(email),
            amount=Decimal(amount),
            method="cheque",
            by=steward.user,
            idempotency_key=f"k{next(n)}",
            host_membership=host,
        ).donation

    give(usd, "ana@example.org", "10", host_a)
    give(usd, "ana@example.org", "15", host_a)
    give(usd, "bea@example.org", "7", host_a)
    give(usd, "cy@example.org", "20")
    refunded = give(usd, "dee@example.org", "100", host_a)
    services.refund_donation(donation=refunded, by=steward.user)
    give(eur, "eve@example.org", "50")
    other = coalition_factory()
    elsewhere = services.create_page(coalition=other, title="Other", by=None, status="open")
    give(elsewhere, "zed@example.org", "99")
    return host_a


def test_sources_are_registered_from_the_apps_ready():
    keys = {s.key: s for s in registry.sources()}
    assert keys["donations"].unit == "USD"
    assert keys["donors"].unit == "people"
    assert keys["donations"].daily_by_member is not None  # counted in advance, like the others


def test_donations_sum_raised_amounts_per_day_and_host(coalition, gifts):
    today = timezone.localdate()
    first, last = today - dt.timedelta(days=3), today
    assert engagement.donations_per_day(coalition, first, last) == {today: 52.0}
    assert engagement.donations_by_member(coalition, first, last) == {gifts.pk: 32.0, None: 20.0}
    assert engagement.donations_per_day_and_member(coalition, first, last) == {
        (today, gifts.pk): 32.0,
        (today, None): 20.0,
    }
    # outside the range: nothing
    assert engagement.donations_per_day(coalition, first, today - dt.timedelta(days=1)) == {}


def test_donors_count_people_once_a_day(coalition, gifts):
    today = timezone.localdate()
    assert engagement.donors_per_day(coalition, today, today) == {today: 4.0}  # ana, bea, cy, eve
    assert engagement.donors_by_member(coalition, today, today) == {gifts.pk: 2.0, None: 2.0}
    assert engagement.donors_per_day_and_member(coalition, today, today) == {
        (today, gifts.pk): 2.0,
        (today, None): 2.0,
    }


def test_a_partial_refund_lowers_the_amount(coalition, gifts, steward):
    today = timezone.localdate()
    gift = Donation.objects.for_coalition(coalition).get(amount=Decimal("15"))
    services.refund_donation(donation=gift, by=steward.user, amount="5")
    assert engagement.donations_per_day(coalition, today, today) == {today: 47.0}


def test_the_dashboards_counters_take_them(coalition, gifts, steward):
    from cairn.campaigns import services as campaigns
    from cairn.campaigns.models import EngagementDay

    campaigns.create_campaign(
        coalition=coalition,
        name="Beds",
        theory_of_change="If we raise it, they fund it.",
        starts_on=timezone.localdate() - dt.timedelta(days=7),
        ends_on=timezone.localdate() + dt.timedelta(days=7),
        created_by=steward.user,
    )
    refresh_engagement(coalition=coalition, full=True)
    rows = EngagementDay.objects.for_coalition(coalition).filter(source="donations")
    assert {r.membership_id: r.count for r in rows} == {gifts.pk: 32.0, None: 20.0}
