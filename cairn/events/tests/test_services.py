"""Events' use cases: capacity and the waiting list, idempotent RSVPs, check-in and its codes,
questions, reminders never sent twice, tenancy of the arguments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cairn.events import services, tasks
from cairn.events.models import Attendance, Event
from cairn.events.services import EventError, QuestionData

from .conftest import person

pytestmark = pytest.mark.django_db

Status = Attendance.Status


def test_rsvp_twice_is_one_attendance(
    event_factory: Callable[..., Event], django_capture_on_commit_callbacks: Any
) -> None:
    # given
    event = event_factory()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.rsvp(event=event, person=person(1))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        again = services.rsvp(event=event, person=person(1))
    # then
    assert first.created
    assert not again.created
    assert again.attendance.pk == first.attendance.pk
    assert Attendance.objects.filter(event=event).count() == 1
    assert first.attendance.status == Status.GOING
    assert first.attendance.email == "ana1@example.org"
    assert len(mail.outbox) == 1
    assert "You're going" in mail.outbox[0].subject
    assert mail.outbox[0].attachments[0][0].endswith(".ics")


def test_capacity_then_waiting_list_promoted_in_order(
    event_factory: Callable[..., Event], django_capture_on_commit_callbacks: Any
) -> None:
    # given an event for two
    event = event_factory(capacity=2)
    going = [services.rsvp(event=event, person=person(n)) for n in (1, 2)]
    waiting = [services.rsvp(event=event, person=person(n)) for n in (3, 4, 5)]
    assert [r.waitlisted for r in going + waiting] == [False, False, True, True, True]
    mail.outbox.clear()
    # when one going attendee cancels
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_rsvp(attendance=going[0].attendance)
    # then the first on the waiting list (and only them) gets the place, and is told
    statuses = {a.email: a.status for a in Attendance.objects.filter(event=event).order_by("pk")}
    assert statuses == {
        "ana1@example.org": Status.CANCELLED,
        "ana2@example.org": Status.GOING,
        "ana3@example.org": Status.GOING,
        "ana4@example.org": Status.WAITLISTED,
        "ana5@example.org": Status.WAITLISTED,
    }
    assert [m.to for m in mail.outbox] == [["ana3@example.org"]]
    # and a larger capacity promotes the rest in order
    services.update_event(event=event, capacity=3)
    assert Attendance.objects.get(event=event, email="ana4@example.org").status == Status.GOING
    assert Attendance.objects.get(event=event, email="ana5@example.org").status == Status.WAITLISTED


def test_cancelled_rsvp_made_again_goes_to_the_end(event_factory: Callable[..., Event]) -> None:
    event = event_factory(capacity=1)
    first = services.rsvp(event=event, person=person(1))
    services.rsvp(event=event, person=person(2))
    services.cancel_rsvp(attendance=first.attendance)  # 2 promoted
    again = services.rsvp(event=event, person=person(1))
    assert not again.created
    assert again.waitlisted
    assert Attendance.objects.filter(event=event).count() == 2


def test_shift_capacity(event_factory: Callable[..., Event]) -> None:
    event = event_factory()
    morning = services.add_shift(
        event=event, title="Morning", starts_at=event.starts_at, capacity=1
    )
    afternoon = services.add_shift(
        event=event, title="Afternoon", starts_at=event.starts_at + dt.timedelta(hours=4)
    )
    a = services.rsvp(event=event, person=person(1), shift=morning)
    b = services.rsvp(event=event, person=person(2), shift=morning)
    c = services.rsvp(event=event, person=person(3), shift=afternoon)
    assert (a.waitlisted, b.waitlisted, c.waitlisted) == (False, True, False)
    services.cancel_rsvp(attendance=a.attendance)
    assert Attendance.objects.get(pk=b.attendance.pk).status == Status.GOING


def test_check_in_once_and_codes(event_factory: Callable[..., Event]) -> None:
    event, other = event_factory(capacity=1), event_factory(title="Other")
    going = services.rsvp(event=event, person=person(1)).attendance
    waiting = services.rsvp(event=event, person=person(2)).attendance
    code = services.attendance_code(going)
    # a typed code forgives case and spaces; a forged one or another event's is refused
    assert services.attendance_for_code(event=event, code=f" {code.upper()} ") == going
    assert services.attendance_for_code(event=event, code=code[:-1] + "0") in (None, going)
    assert services.attendance_for_code(event=event, code=code[:-2] + "zz") is None
    assert services.attendance_for_code(event=other, code=code) is None
    assert services.attendance_for_code(event=event, code="nonsense") is None
    first = services.check_in(attendance=going, by=None)
    again = services.check_in(attendance=going, by=None)
    assert first.status == again.status == Status.ATTENDED
    assert again.checked_in_at == first.checked_in_at
    # the event is full: a waiting attendee is not checked in over capacity
    with pytest.raises(services.EventFull):
        services.check_in(attendance=waiting, by=None)
    assert Attendance.objects.get(pk=waiting.pk).status == Status.WAITLISTED
    # cancelling a check-in changes nothing
    assert services.cancel_rsvp(attendance=going).status == Status.ATTENDED


def test_questions_required_and_choices(event_factory: Callable[..., Event]) -> None:
    event = event_factory()
    services.set_rsvp_questions(
        event=event,
        questions=[
            QuestionData(
                label="Which office?", kind="choice", choices=["Senate", "House"], required=True
            ),
            QuestionData(label="Need a ride?", kind="checkbox"),
        ],
    )
    with pytest.raises(EventError, match="Please answer: Which office"):
        services.rsvp(event=event, person=person(1), answers={})
    with pytest.raises(EventError, match="not one of the choices"):
        services.rsvp(event=event, person=person(1), answers={"which-office": "Mars"})
    result = services.rsvp(
        event=event,
        person=person(1),
        answers={"which-office": "Senate", "need-a-ride": "on", "extra": "dropped"},
    )
    assert result.attendance.answers == {"which-office": "Senate", "need-a-ride": True}
    assert Attendance.objects.count() == 1


def test_refusals_change_nothing(
    coalition_factory: Any, event_factory: Callable[..., Event], membership_factory: Any
) -> None:
    other = coalition_factory()
    foreign = membership_factory(other)
    with pytest.raises(EventError, match="member organization of this coalition"):
        event_factory(host=foreign)
    with pytest.raises(EventError, match="time zone"):
        event_factory(time_zone="Mars/Olympus")
    with pytest.raises(EventError, match="aware"):
        event_factory(starts_at=dt.datetime(2027, 3, 15, 9))  # noqa: DTZ001 - the refusal tested
    past = event_factory(starts_at=timezone.now() - dt.timedelta(hours=2))
    with pytest.raises(EventError, match="no longer takes RSVPs"):
        services.rsvp(event=past, person=person(1))
    assert Event.objects.count() == 1
    assert Attendance.objects.count() == 0


def test_reminder_sent_once_per_schedule(event_factory: Callable[..., Event]) -> None:
    # given an event starting in 10 hours with a 24-hour reminder (due now)
    event = event_factory(starts_at=timezone.now() + dt.timedelta(hours=10))
    services.rsvp(event=event, person=person(1))
    services.rsvp(event=event, person=person(2))
    mail.outbox.clear()
    # when the task runs twice (a retry), then each attendee got one reminder
    assert tasks.send_event_reminders.call(event.pk, event.schedule_version) == 2
    assert tasks.send_event_reminders.call(event.pk, event.schedule_version) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["ana1@example.org", "ana2@example.org"]
    assert all(m.subject.startswith("Reminder:") for m in mail.outbox)
    # a stale version (the event moved since it was queued) sends nothing; the new one does
    moved = services.update_event(event=event, starts_at=event.starts_at + dt.timedelta(hours=2))
    assert tasks.send_event_reminders.call(event.pk, event.schedule_version) == 0
    assert tasks.send_event_reminders.call(moved.pk, moved.schedule_version) == 2
    assert len(mail.outbox) == 4


def test_merge_moves_attendances_and_erasure_blanks_them(
    event_factory: Callable[..., Event],
) -> None:
    from cairn.people import services as people

    one, both = event_factory(title="One"), event_factory(title="Both")
    kept = services.rsvp(event=both, person=person(1)).attendance
    merged_both = services.check_in(
        attendance=services.rsvp(event=both, person=person(2)).attendance, by=None
    )
    merged_one = services.rsvp(event=one, person=person(2)).attendance
    assert kept.person is not None
    assert merged_one.person is not None
    # when person 2 is merged into person 1: their RSVP to "One" moves; on "Both" (an event
    # counts a person once) the stronger attendance stays, here person 2's check-in
    people.merge_people(keep=kept.person, merge=merged_one.person)
    assert Attendance.objects.get(pk=merged_one.pk).person_id == kept.person_id
    assert Attendance.objects.get(pk=merged_both.pk).person_id == kept.person_id
    assert not Attendance.objects.filter(pk=kept.pk).exists()
    kept = Attendance.objects.select_related("person").get(pk=merged_both.pk)
    assert kept.person is not None
    # when the person is erased: the attendances stay (counts), without personal data
    people.erase_person(person=kept.person, erased_by=None)
    rows = Attendance.objects.filter(pk__in=[kept.pk, merged_one.pk])
    assert [(a.person_id, a.name, a.email, a.answers) for a in rows] == [
        (None, "(erased)", "", {}),
        (None, "(erased)", "", {}),
    ]


def test_cron_sends_due_reminders_once(event_factory: Callable[..., Event]) -> None:
    import io

    from django.core.management import call_command

    soon = event_factory(starts_at=timezone.now() + dt.timedelta(hours=3))
    event_factory(title="Later", starts_at=timezone.now() + dt.timedelta(days=5))
    services.rsvp(event=soon, person=person(1))
    out = io.StringIO()
    call_command("send_event_reminders", stdout=out)
    call_command("send_event_reminders", stdout=out)
    assert out.getvalue() == "1 reminder sent\n0 reminders sent\n"


def test_emails_read_as_typed_with_the_local_time(
    event_factory: Callable[..., Event], django_capture_on_commit_callbacks: Any
) -> None:
    title = """Fund "this year's" beds & <care> now"""
    event = event_factory(title=title, starts_at=dt.datetime(2027, 3, 15, 13, tzinfo=dt.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp(event=event, person=person(1))
    (message,) = mail.outbox
    assert message.subject == f"You're going: {title}"
    assert "When: Monday 15 March 2027, 9:00 AM (EDT, America/New_York)" in message.body


def test_a_private_events_link_is_not_guessed_from_its_title(
    coalition: Any, event_factory: Callable[..., Event]
) -> None:
    # given a public and a private event of one title, and a private event campaign
    public = event_factory(title="Board meeting")
    private = event_factory(title="Board meeting", visibility=Event.Visibility.PRIVATE)
    day = services.create_event_campaign(
        coalition=coalition, title="Quiet day", by=None, visibility="private"
    )
    # then the public one reads as its title, the private ones end in 40 random bits
    assert public.slug == "board-meeting"
    for slug, base in ((private.slug, "board-meeting-"), (day.slug, "quiet-day-")):
        assert slug.startswith(base)
        assert len(slug) == len(base) + 10
