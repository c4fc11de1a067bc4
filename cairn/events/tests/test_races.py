"""RSVPs at once from separate processes (cairn.core.testing.races.race), on SQLite and
PostgreSQL: nobody gets a place over capacity, a person RSVPing from several processes at once is
one attendance, and cancellations racing new RSVPs promote the waiting list without overfilling."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import get_resolver
from django.utils import timezone

from cairn.coalitions.models import Coalition
from cairn.core.testing.races import race
from cairn.events import services
from cairn.events.models import Attendance, Event

from .conftest import person

pytestmark = pytest.mark.django_db(transaction=True)

Status = Attendance.Status
CAPACITY = 5


def test_concurrent_rsvps_never_exceed_capacity(coalition: Coalition) -> None:
    # the confirmation emails link to the event: load the URLs once here, not in every worker
    get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect
    # given an event for five and a shift for two
    event = services.create_event(
        coalition=coalition,
        title="Lobby day",
        starts_at=timezone.now() + dt.timedelta(days=3),
        time_zone="America/New_York",
        by=None,
        capacity=CAPACITY,
    )
    shift = services.add_shift(event=event, title="Morning", starts_at=event.starts_at, capacity=2)

    # when 8 processes × 2 RSVP at once: 12 people, 4 of them twice (from two processes), half
    # of them for the shift
    def work(i: int) -> None:
        n = i % 12
        services.rsvp(event=event, person=person(n), shift=shift if n % 2 else None)

    outcomes = race(work, workers=8, rounds=2, refusals=(services.EventError,))

    # then every call succeeded, one attendance per person, and no place over capacity
    assert outcomes == ["ok"] * 16
    rows = Attendance.objects.filter(event=event)
    assert rows.count() == 12
    holding = rows.filter(status__in=Attendance.HOLDS_PLACE)
    assert holding.count() == CAPACITY
    assert holding.filter(shift=shift).count() <= 2
    assert rows.filter(status=Status.WAITLISTED).count() == 12 - CAPACITY

    # when the going attendees cancel while 8 newcomers RSVP at once
    going = list(holding.values_list("pk", flat=True))

    def churn(i: int) -> None:
        if i < len(going):
            services.cancel_rsvp(attendance=Attendance.objects.get(pk=going[i]))
        else:
            services.rsvp(event=Event.objects.get(pk=event.pk), person=person(100 + i))

    outcomes = race(churn, workers=8, rounds=1, refusals=(services.EventError,))

    # then the places are all given again, never more than the capacity, waiters first in order
    assert outcomes == ["ok"] * 8
    rows = Attendance.objects.filter(event=event)
    assert rows.filter(status__in=Attendance.HOLDS_PLACE).count() == CAPACITY
    assert rows.filter(shift=shift, status__in=Attendance.HOLDS_PLACE).count() <= 2
    # the waiting list was served in order: nobody still waiting (for the whole event, no
    # shift of their own) joined it before someone promoted from it
    still_waiting = rows.filter(status=Status.WAITLISTED, shift__isnull=True)
    promoted = rows.filter(status=Status.GOING, waitlisted_at__isnull=False, shift__isnull=True)
    if still_waiting.exists() and promoted.exists():
        first_waiting = min(a.waitlisted_at for a in still_waiting if a.waitlisted_at)
        assert all(a.waitlisted_at and a.waitlisted_at <= first_waiting for a in promoted)
