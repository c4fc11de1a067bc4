# ruff: noqa: DTZ001 - naive datetimes here are wall-clock times in a named zone, the subject tested
"""Time zones across a DST change and the `.ics` parsed back with `icalendar`.

America/New_York springs forward on Sunday 14 March 2027 (02:00 EST → 03:00 EDT): an event at
09:00 on Monday the 15th is 13:00 UTC, the same wall-clock time a week earlier 14:00 UTC."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from cairn.events import calendar, services, tasks
from cairn.events.models import Event

from .conftest import person

pytestmark = pytest.mark.django_db

NY = zoneinfo.ZoneInfo("America/New_York")
UTC = dt.UTC


def test_local_times_across_the_spring_forward() -> None:
    assert services.local_to_utc(dt.datetime(2027, 3, 15, 9), "America/New_York") == dt.datetime(
        2027, 3, 15, 13, tzinfo=UTC
    )
    assert services.local_to_utc(dt.datetime(2027, 3, 13, 9), "America/New_York") == dt.datetime(
        2027, 3, 13, 14, tzinfo=UTC
    )
    with pytest.raises(services.EventError, match="does not exist"):
        services.local_to_utc(dt.datetime(2027, 3, 14, 2, 30), "America/New_York")
    # the fall-back hour happens twice: the first (EDT) is taken
    assert services.local_to_utc(
        dt.datetime(2027, 11, 7, 1, 30), "America/New_York"
    ) == dt.datetime(2027, 11, 7, 5, 30, tzinfo=UTC)


def test_weekly_series_keeps_the_wall_clock_time(event_factory: Callable[..., Event]) -> None:
    # given an event at 09:00 New York time on Monday 8 March 2027 (EST)
    first = event_factory(
        starts_at=dt.datetime(2027, 3, 8, 9, tzinfo=NY),
        ends_at=dt.datetime(2027, 3, 8, 11, tzinfo=NY),
    )
    # when it repeats weekly over the spring-forward
    copies = services.create_weekly_series(event=first, weeks=2, by=None)
    # then each starts at 09:00 local, so an hour earlier in UTC after the change
    assert [e.starts_at for e in [first, *copies]] == [
        dt.datetime(2027, 3, 8, 14, tzinfo=UTC),
        dt.datetime(2027, 3, 15, 13, tzinfo=UTC),
        dt.datetime(2027, 3, 22, 13, tzinfo=UTC),
    ]
    assert {e.local_start.time() for e in [first, *copies]} == {dt.time(9)}
    assert {e.local_end.time() for e in copies} == {dt.time(11)}  # type: ignore[union-attr]


def test_reminder_spanning_the_change(
    event_factory: Callable[..., Event], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    # given an event at 09:00 EDT the day after the change, reminded 48 hours before
    event = event_factory(starts_at=dt.datetime(2027, 3, 15, 9, tzinfo=NY), reminder_hours=48)
    services.rsvp(event=event, person=person(1))
    mail.outbox.clear()
    due = services.reminder_due_at(event)
    # then the reminder is 48 real hours before: 13:00 UTC on Saturday, 08:00 EST there
    assert due == dt.datetime(2027, 3, 13, 13, tzinfo=UTC)
    assert due.astimezone(NY).hour == 8
    # and the task sends nothing a minute early, then once, with the local time in its subject
    monkeypatch.setattr(timezone, "now", lambda: due - dt.timedelta(minutes=1))
    assert tasks.send_event_reminders.call(event.pk, event.schedule_version) == 0
    monkeypatch.setattr(timezone, "now", lambda: due)
    assert tasks.send_event_reminders.call(event.pk, event.schedule_version) == 1
    assert tasks.send_event_reminders.call(event.pk, event.schedule_version) == 0
    assert mail.outbox[0].subject == "Reminder: Lobby day, Monday 9:00 AM EDT"
    assert "9:00 AM" in mail.outbox[0].body
    assert "EDT" in mail.outbox[0].body


def _only_event(ics: bytes) -> Any:
    cal = icalendar.Calendar.from_ical(ics)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return cal, events[0]


def test_ics_validates_and_times_are_right_in_utc_and_local(
    event_factory: Callable[..., Event],
) -> None:
    event = event_factory(
        title="Capitol visit",
        starts_at=dt.datetime(2027, 3, 15, 9, tzinfo=NY),
        ends_at=dt.datetime(2027, 3, 15, 12, tzinfo=NY),
        venue="State House",
        locality="Indianapolis",
        latitude=39.7684,
        longitude=-86.1581,
        description="<p>Bring <b>water</b></p>",
    )
    cal, item = _only_event(calendar.event_ics(event))
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"] == calendar.PRODID
    # the start is written in the event's zone, and means 13:00 UTC
    start = item.decoded("DTSTART")
    assert item["DTSTART"].params["TZID"] == "America/New_York"
    assert start.replace(tzinfo=None) == dt.datetime(2027, 3, 15, 9)
    assert start.astimezone(UTC) == dt.datetime(2027, 3, 15, 13, tzinfo=UTC)
    assert item.decoded("DTEND").astimezone(UTC) == dt.datetime(2027, 3, 15, 16, tzinfo=UTC)
    assert str(item["UID"]) == f"{event.uuid}@cairn"
    assert str(item["SUMMARY"]) == "Capitol visit"
    assert "State House, Indianapolis" in str(item["LOCATION"])
    assert "Bring water" in str(item["DESCRIPTION"])
    assert "<" not in str(item["DESCRIPTION"])
    # the VTIMEZONE itself has the right offsets on both sides of the change
    (vtimezone,) = cal.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "America/New_York"
    zone = vtimezone.to_tz()
    assert zone.utcoffset(dt.datetime(2027, 3, 15, 9)) == dt.timedelta(hours=-4)
    assert zone.utcoffset(dt.datetime(2027, 3, 13, 9)) == dt.timedelta(hours=-5)


def test_feed_across_the_change_and_a_moved_event_bumps_sequence(
    event_factory: Callable[..., Event],
) -> None:
    before = event_factory(title="Before", starts_at=dt.datetime(2027, 3, 13, 9, tzinfo=NY))
    after = event_factory(title="After", starts_at=dt.datetime(2027, 3, 15, 9, tzinfo=NY))
    paris = event_factory(
        title="Paris", starts_at=dt.datetime(2027, 3, 15, 9, tzinfo=UTC), time_zone="Europe/Paris"
    )
    cal = icalendar.Calendar.from_ical(calendar.calendar_of([before, after, paris], name="Feed"))
    starts = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in cal.walk("VEVENT")}
    assert starts["Before"].astimezone(UTC).hour == 14
    assert starts["After"].astimezone(UTC).hour == 13
    assert starts["Before"].hour == starts["After"].hour == 9
    assert starts["Paris"].hour == 10  # CET, UTC+1 (Europe changes on 28 March)
    assert {str(z["TZID"]) for z in cal.walk("VTIMEZONE")} == {"America/New_York", "Europe/Paris"}
    moved = services.update_event(event=after, starts_at=dt.datetime(2027, 3, 15, 10, tzinfo=NY))
    _, item = _only_event(calendar.event_ics(moved))
    assert int(item["SEQUENCE"]) == 1
    assert item.decoded("DTSTART").astimezone(UTC) == dt.datetime(2027, 3, 15, 14, tzinfo=UTC)


def test_reminders_are_queued_for_their_time_and_requeued_when_the_event_moves(
    event_factory: Callable[..., Event], django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    path = tasks.send_event_reminders.module_path
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        # given an event at 09:00 EDT the day after the change, reminded 24 hours before
        with django_capture_on_commit_callbacks(execute=True):
            event = event_factory(starts_at=dt.datetime(2027, 3, 15, 9, tzinfo=NY))
        (row,) = DBTaskResult.objects.filter(task_path=path)
        assert row.run_after == dt.datetime(2027, 3, 14, 13, tzinfo=UTC)  # 09:00 EDT on Sunday
        assert row.args_kwargs["args"] == [event.pk, 1]
        # when it moves an hour later, a new reminder is queued for the new time; the old one
        # (version 1) will find the event moved and send nothing
        with django_capture_on_commit_callbacks(execute=True):
            services.update_event(event=event, starts_at=dt.datetime(2027, 3, 15, 10, tzinfo=NY))
        rows = DBTaskResult.objects.filter(task_path=path).order_by("enqueued_at")
        assert [(r.args_kwargs["args"], r.run_after) for r in rows] == [
            ([event.pk, 1], dt.datetime(2027, 3, 14, 13, tzinfo=UTC)),
            ([event.pk, 2], dt.datetime(2027, 3, 14, 14, tzinfo=UTC)),
        ]
