"""The demo lobby day: events hosted by several members, RSVPs (one event full, with a waiting
list), a training whose attendees were checked in; loading it again creates nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cairn.campaigns import engagement
from cairn.coalitions.demo import load_demo
from cairn.events.demo import SLUG, load_demo_events
from cairn.events.models import Attendance, Event, EventCampaign
from cairn.people.demo import load_demo_supporters
from cairn.people.models import Person


def test_the_demo_lobby_day_loads_once(db: None, django_capture_on_commit_callbacks: Any) -> None:
    coalition = load_demo()
    load_demo_supporters(coalition=coalition, count=200)
    people = Person.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        first = load_demo_events(coalition)
    assert Person.objects.count() == people  # the RSVPs are the demo's own supporters
    assert callbacks == []  # no confirmation emails to the demo's supporters
    again = load_demo_events(coalition)
    assert first.created
    assert not again.created
    assert (first.events, first.rsvps, first.checked_in) == (again.events, again.rsvps, 15)
    assert first.events == 6
    day = EventCampaign.objects.get(slug=SLUG)
    events = Event.objects.filter(event_campaign=day)
    assert len({e.host_id for e in events}) == 5
    assert {e.time_zone for e in events} == {"America/Indiana/Indianapolis", "America/Chicago"}
    briefing = events.get(capacity=12)
    assert briefing.attendances.filter(status=Attendance.Status.GOING).count() == 12
    assert briefing.attendances.filter(status=Attendance.Status.WAITLISTED).count() == 5
    # the dashboard's sources count the RSVPs and the check-ins
    sources = {s.key: s for s in engagement.sources()}
    today = timezone.localdate()
    rsvps = sources["rsvps"].daily(coalition, today - dt.timedelta(days=30), today)
    checked = sources["attendance"].by_member(coalition, today - dt.timedelta(days=30), today)  # type: ignore[misc]
    assert sum(rsvps.values()) == first.rsvps
    assert sum(checked.values()) == 15
