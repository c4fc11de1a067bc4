"""Emails of events, enqueued on commit and safe to retry: an RSVP's confirmation (with the
event's `.ics` attached), a promotion from the waiting list, and reminders (each attendee's
reminder of a schedule version claimed by a conditional UPDATE before it is sent: never twice)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from .models import Attendance, Event


def _site_url() -> str:
    return str(settings.CAIRN_SITE_URL).rstrip("/")


def _send(template: str, attendance: Attendance, *, attach_ics: bool = False) -> None:
    from . import calendar
    from .services import attendance_code

    event = attendance.event
    context = {
        "attendance": attendance,
        "event": event,
        "code": attendance_code(attendance),
        "event_url": _site_url()
        + reverse("events_public:event", kwargs={"event_slug": event.slug}),
        "ticket_url": _site_url()
        + reverse(
            "events_public:ticket",
            kwargs={"event_slug": event.slug, "code": attendance_code(attendance)},
        ),
    }
    message = EmailMessage(
        subject=render_to_string(f"events/email/{template}_subject.txt", context).strip(),
        body=render_to_string(f"events/email/{template}.txt", context),
        to=[attendance.email],
    )
    if attach_ics:
        message.attach(f"{event.slug}.ics", calendar.event_ics(event), "text/calendar")
    message.send()


def _attendance(attendance_id: int) -> Attendance | None:
    return (
        Attendance.objects.select_related("event", "event__coalition", "shift")
        .filter(pk=attendance_id)
        .first()
    )


@task()
def send_rsvp_confirmation(attendance_id: int) -> bool:
    attendance = _attendance(attendance_id)
    if attendance is None or not attendance.email or attendance.status == "cancelled":
        return False
    _send(
        "waitlisted" if attendance.status == "waitlisted" else "confirmed",
        attendance,
        attach_ics=attendance.status != "waitlisted",
    )
    return True


@task()
def send_promotion_notice(attendance_id: int) -> bool:
    attendance = _attendance(attendance_id)
    if attendance is None or not attendance.email or attendance.status != "going":
        return False
    _send("promoted", attendance, attach_ics=True)
    return True


@task()
def send_event_reminders(event_id: int, version: int) -> int:
    """Remind the going attendees of `version` of the event's schedule; a stale version (the
    event moved since this was queued) sends nothing. Returns how many were sent."""
    from .services import claim_reminder, pending_reminders, reminder_due_at

    event = Event.objects.select_related("coalition").filter(pk=event_id).first()
    if event is None or event.schedule_version != version or event.status != "confirmed":
        return 0
    due = reminder_due_at(event)
    from django.utils import timezone

    if due is None or timezone.now() < due or timezone.now() >= event.starts_at:
        return 0
    sent = 0
    for attendance in pending_reminders(event, version):
        with transaction.atomic():
            if not claim_reminder(attendance, version):
                continue  # another worker (or an earlier run) has it
            attendance.event = event
            _send("reminder", attendance)  # a failure rolls the claim back: retried, not lost
        sent += 1
    return sent
