import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions import selectors
from cairn.coalitions.demo import (
    DEMO_LOGIN,
    DEMO_PASSWORD,
    DEMO_SLUG,
    load_demo,
    load_demo_coalition,
)
from cairn.coalitions.models import Delivery, Invitation, Membership, Role, StaffMember
from cairn.people.models import Person

pytestmark = pytest.mark.django_db

MEMBER_STATUSES = [Membership.Status.ACTIVE, Membership.Status.PAUSED]


def row_counts() -> dict[str, int]:
    models = [
        *apps.get_app_config("coalitions").get_models(),
        *apps.get_app_config("accounts").get_models(),
    ]
    return {model._meta.label: model._default_manager.count() for model in models}


def test_loading_twice_leaves_the_same_rows():
    # given
    first = load_demo_coalition()
    counts = row_counts()
    # when
    again = load_demo_coalition()
    # then
    assert first.created > 0
    assert again.created == 0
    assert again.coalition.pk == first.coalition.pk
    assert row_counts() == counts
    assert counts["coalitions.Coalition"] == 1


def test_the_demo_steward_signs_in_with_the_published_password():
    # given
    coalition = load_demo()
    # when
    user = authenticate(username=DEMO_LOGIN, password=DEMO_PASSWORD)
    # then
    assert isinstance(user, User)
    assert user.email == DEMO_LOGIN
    staff = StaffMember.objects.for_coalition(coalition).get(user=user)
    assert (staff.role, coalition.slug) == (Role.STEWARD, DEMO_SLUG)


def test_every_demo_user_shares_the_password_and_has_one_role():
    # given
    coalition = load_demo()
    staff = StaffMember.objects.for_coalition(coalition).select_related("user", "membership")
    # when
    signed_in = [authenticate(username=s.user.email, password=DEMO_PASSWORD) for s in staff]
    # then
    assert signed_in == [s.user for s in staff]
    roles = sorted(s.role for s in staff)
    assert roles == [Role.ORGANIZER] * 5 + [Role.STEWARD] * 2 + [Role.VIEWER]
    assert all(s.membership is not None for s in staff if s.role == Role.ORGANIZER)
    # every role came through an invitation, and none is left open
    assert Invitation.objects.for_coalition(coalition).filter(accepted_at__isnull=True).count() == 0


def test_the_horizon_is_relative_to_today():
    # given
    today = dt.date(2026, 8, 15)
    # when
    coalition = load_demo(today=today)
    # then
    assert coalition.horizon_start == dt.date(2025, 10, 19)
    assert coalition.horizon_end == dt.date(2027, 3, 16)


def test_members_come_from_at_least_seven_sectors():
    # given
    coalition = load_demo()
    # when
    members = Membership.objects.for_coalition(coalition).filter(status__in=MEMBER_STATUSES)
    sectors = set(members.values_list("organization__sector", flat=True))
    # then
    assert len(sectors) >= 7
    statuses = set(Membership.objects.for_coalition(coalition).values_list("status", flat=True))
    assert statuses == {
        Membership.Status.ACTIVE,
        Membership.Status.PAUSED,
        Membership.Status.LEFT,
        Membership.Status.PROSPECT,
    }


def test_commitments_include_an_overdue_and_a_fully_delivered_one():
    # given
    coalition = load_demo()
    # when
    rows = selectors.commitment_rows(coalition=coalition, today=timezone.localdate())
    # then
    assert 6 <= len(rows) <= 12
    assert sum(row.overdue for row in rows) == 1
    assert sum(row.done for row in rows) >= 1
    assert any(not row.done and not row.overdue for row in rows)


@pytest.mark.parametrize("days_ahead", [0, 60])
def test_no_delivery_is_dated_in_the_future(days_ahead):
    # given: a `today` ahead of the clock too, which must not produce future deliveries
    today = timezone.localdate() + dt.timedelta(days=days_ahead)
    # when
    coalition = load_demo(today=today)
    # then
    deliveries = Delivery.objects.for_coalition(coalition)
    assert deliveries.exists()
    assert not deliveries.filter(delivered_on__gt=timezone.localdate()).exists()


def test_the_command_says_when_the_demo_was_already_loaded():
    # given
    out = StringIO()
    # when
    call_command("load_demo", "--supporters", "30", stdout=out)
    call_command("load_demo", "--supporters", "30", stdout=out)
    # then the second run adds no one: the 30 asked for, both times (the other demos' intakes,
    # donations, letters, sign-ups and RSVPs, are the demo's own supporters; only a base too
    # small for them would bring in new people)
    total = Person.objects.count()
    assert total >= 30
    assert out.getvalue().splitlines() == [
        f"Riverbend Regional Mental Health Coalition: 10 members, {total} supporters (loaded)",
        f"Riverbend Regional Mental Health Coalition: 10 members, {total} supporters"
        " (already loaded)",
    ]
