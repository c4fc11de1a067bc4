"""Use cases of events: the only code that writes their tables.

- create_event_campaign / update_event_campaign: a distributed day of action; its description and
  host toolkit are sanitized HTML. Hosts add events to it only while it is open.
- create_event / update_event: times are aware and stored in UTC; `time_zone` is an IANA name that
  pages, emails and `.ics` show them in (`local_to_utc` turns a wall-clock time typed in that zone
  into UTC and refuses one that the zone skips at a DST change). A change of time (or of the
  reminder lead) bumps `schedule_version`, so a reminder queued for the old time does nothing and
  one for the new time is queued; a larger capacity promotes from the waiting list at once.
- create_weekly_series: copies of an event every week at the same wall-clock time in its zone
  (09:00 stays 09:00 across a DST change; the UTC instant moves by an hour).
- add_shift / set_rsvp_questions: shifts (each with its own cap) and the RSVP form's questions.
- rsvp: finds or creates the supporter through `people.upsert_person`; one attendance per
  (event, person), a database constraint; an RSVP made twice returns the first. Places are
  decided under the event's row lock (SELECT … FOR UPDATE; on SQLite the IMMEDIATE transaction
  serializes writers), so concurrent RSVPs never take more places than `capacity` (nor than a
  shift's); those beyond it join the waiting list in arrival order.
- cancel_rsvp: frees the place and promotes the waiting list in order (`waitlisted_at`, then id),
  each promoted attendee told by email once the change commits.
- check_in: a going attendee (or a waiting/cancelled one when a place is free) becomes attended,
  once; checking in again changes nothing. `attendance_code` is the signed code behind the QR
  code and its manual entry; `attendance_for_code` reads it back within one event only.
- send_due_reminders: the reminder of one schedule version goes to each going attendee at most
  once (a conditional UPDATE claims it before the email is sent).
Emails leave through the task queue, enqueued on commit.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import nh3
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify

from cairn.accounts.models import User
from cairn.campaigns.models import Campaign
from cairn.coalitions.models import Coalition, Membership
from cairn.engines.emails import normalize_email
from cairn.people import services as people
from cairn.people.models import Person

from .models import Attendance, Event, EventCampaign, RsvpQuestion, Shift, valid_time_zone

Status = Attendance.Status
CODE_SALT = "cairn.events.attendance-code"
# Tags allowed in descriptions, toolkits and instructions: nh3's defaults without loading tags
# (an <img> would tell a third party who reads the page).
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS) - {"img", "area", "map"}


class EventError(Exception):
    """A use case refused: the message is safe to show."""


class EventFull(EventError):
    """No place left for a check-in or promotion asked for by hand."""


def sanitize(html: str) -> str:
    return nh3.clean(html.strip(), tags=set(ALLOWED_TAGS)) if html else ""


def local_to_utc(local: dt.datetime, time_zone: str) -> dt.datetime:
    """A wall-clock time in `time_zone` (naive) as an aware UTC time. A time the zone skips
    (02:30 on a spring-forward night) is refused; an ambiguous one (fall-back) is the first."""
    if not valid_time_zone(time_zone):
        raise EventError(f"{time_zone!r} is not a time zone name like America/New_York.")
    if timezone.is_aware(local):
        return local.astimezone(dt.UTC)
    zone = zoneinfo.ZoneInfo(time_zone)
    aware = local.replace(tzinfo=zone)
    back = aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if back != local:
        raise EventError(
            f"{local:%Y-%m-%d %H:%M} does not exist in {time_zone}: the clocks skip it "
            "(daylight saving time starts). Choose another time."
        )
    return aware.astimezone(dt.UTC)


# --- event campaigns ------------------------------------------------------------------------------

CAMPAIGN_FIELDS = frozenset(
    {"campaign", "description", "host_toolkit", "status", "visibility", "origin_system", "title"}
)


def _unique_slug(
    model: type[Event] | type[EventCampaign], title: str, slug: str = "", *, private: bool = False
) -> str:
    """A free slug from the title. A private (link-only) row's slug ends in 40 random bits: its
    link is its key, so it must not be guessed from its title."""
    base = (slugify(slug or title)[:60] or "event").strip("-") or "event"
    candidate = f"{base}-{secrets.token_hex(5)}" if private else base
    while model.objects.filter(slug=candidate).exists():
        candidate = f"{base}-{secrets.token_hex(3)}"
    return candidate


def _clean_campaign_fields(coalition_id: int, fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - CAMPAIGN_FIELDS
    if unknown:
        raise EventError(f"Unknown event campaign fields: {', '.join(sorted(unknown))}.")
    clean = dict(fields)
    if "title" in clean:
        clean["title"] = str(clean["title"]).strip()[:200]
        if not clean["title"]:
            raise EventError("An event campaign needs a title.")
    for name in ("description", "host_toolkit"):
        if name in clean:
            clean[name] = sanitize(str(clean[name] or ""))
    campaign = clean.get("campaign")
    if campaign is not None and (
        not isinstance(campaign, Campaign) or campaign.coalition_id != coalition_id
    ):
        raise EventError("The campaign belongs to another coalition.")
    if "status" in clean and clean["status"] not in EventCampaign.Status.values:
        raise EventError(f"Unknown status {clean['status']!r}.")
    if "visibility" in clean and clean["visibility"] not in EventCampaign.Visibility.values:
        raise EventError(f"Unknown visibility {clean['visibility']!r}.")
    return clean


@transaction.atomic
def create_event_campaign(
    *, coalition: Coalition, title: str, by: User | None, slug: str = "", **fields: Any
) -> EventCampaign:
    """A new event campaign (a distributed day of action) of the coalition."""
    clean = _clean_campaign_fields(coalition.pk, {"title": title, **fields})
    for attempt in range(3):
        try:
            with transaction.atomic():
                return EventCampaign.objects.create(
                    coalition=coalition,
                    slug=_unique_slug(
                        EventCampaign,
                        clean["title"],
                        slug,
                        private=clean.get("visibility") == EventCampaign.Visibility.PRIVATE,
                    ),
                    created_by=by,
                    **clean,
                )
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def update_event_campaign(*, event_campaign: EventCampaign, **fields: Any) -> EventCampaign:
    """Change the given fields of an event campaign (the same rules as creating it)."""
    clean = _clean_campaign_fields(event_campaign.coalition_id, fields)
    locked = EventCampaign.objects.select_for_update().get(pk=event_campaign.pk)
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.modified_at = timezone.now()
    locked.save(update_fields=[*clean, "modified_at"])
    return locked


# --- events ---------------------------------------------------------------------------------------

EVENT_FIELDS = frozenset(
    {
        "title",
        "event_campaign",
        "host",
        "description",
        "instructions",
        "starts_at",
        "ends_at",
        "time_zone",
        "venue",
        "address_lines",
        "locality",
        "region",
        "postal_code",
        "country",
        "latitude",
        "longitude",
        "online_url",
        "capacity",
        "reminder_hours",
        "status",
        "visibility",
        "origin_system",
    }
)
# A change of any of these moves the reminder.
SCHEDULE_FIELDS = frozenset({"starts_at", "time_zone", "reminder_hours"})


def _clean_event_fields(
    coalition_id: int, fields: Mapping[str, Any], current: Event | None = None
) -> dict[str, Any]:
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise EventError(f"Unknown event fields: {', '.join(sorted(unknown))}.")
    clean = dict(fields)
    if "title" in clean:
        clean["title"] = str(clean["title"] or "").strip()[:200]
        if not clean["title"]:
            raise EventError("An event needs a title.")
    if "time_zone" in clean:
        clean["time_zone"] = str(clean["time_zone"] or "").strip()
        if not valid_time_zone(clean["time_zone"]):
            raise EventError(
                f"{clean['time_zone']!r} is not a time zone name like America/New_York."
            )
    for name in ("starts_at", "ends_at"):
        value = clean.get(name)
        if value is not None:
            if not isinstance(value, dt.datetime) or timezone.is_naive(value):
                raise EventError("Event times must be aware datetimes (with their offset).")
            clean[name] = value.astimezone(dt.UTC)
    if "starts_at" in clean and clean["starts_at"] is None:
        raise EventError("An event needs a start time.")
    starts = clean.get("starts_at", current.starts_at if current else None)
    ends = clean.get("ends_at", current.ends_at if current else None)
    if starts is not None and ends is not None and ends < starts:
        raise EventError("An event cannot end before it starts.")
    for name in ("description", "instructions"):
        if name in clean:
            clean[name] = sanitize(str(clean[name] or ""))
    for name in ("venue", "locality", "region", "postal_code", "origin_system"):
        if name in clean:
            clean[name] = str(clean[name] or "").strip()
    if "country" in clean:
        clean["country"] = str(clean["country"] or "").strip().upper()[:2]
    if "address_lines" in clean:
        lines = clean["address_lines"] or []
        if isinstance(lines, str):
            lines = lines.splitlines()
        clean["address_lines"] = [str(line).strip() for line in lines if str(line).strip()]
    if "online_url" in clean:
        url = str(clean["online_url"] or "").strip()
        if url and not url.lower().startswith(("https://", "http://")):
            raise EventError("The online link must start with https:// or http://.")
        clean["online_url"] = url
    for name, bound in (("latitude", 90.0), ("longitude", 180.0)):
        if clean.get(name) is not None:
            value = float(clean[name])
            if not -bound <= value <= bound:
                raise EventError(f"The {name} must be between -{bound:g} and {bound:g}.")
            clean[name] = value
    if clean.get("capacity") is not None:
        capacity = int(clean["capacity"])
        if capacity < 0:
            raise EventError("The capacity cannot be negative.")
        clean["capacity"] = capacity
    if "reminder_hours" in clean:
        hours = int(clean["reminder_hours"] or 0)
        if not 0 <= hours <= 24 * 14:
            raise EventError("A reminder goes 0 to 336 hours (two weeks) before the start.")
        clean["reminder_hours"] = hours
    if "status" in clean and clean["status"] not in Event.Status.values:
        raise EventError(f"Unknown status {clean['status']!r}.")
    if "visibility" in clean and clean["visibility"] not in Event.Visibility.values:
        raise EventError(f"Unknown visibility {clean['visibility']!r}.")
    host = clean.get("host")
    if host is not None and (not isinstance(host, Membership) or host.coalition_id != coalition_id):
        raise EventError("The host must be a member organization of this coalition.")
    event_campaign = clean.get("event_campaign")
    if event_campaign is not None:
        if (
            not isinstance(event_campaign, EventCampaign)
            or event_campaign.coalition_id != coalition_id
        ):
            raise EventError("The event campaign belongs to another coalition.")
        changed = current is None or current.event_campaign_id != event_campaign.pk
        if changed and event_campaign.status != EventCampaign.Status.OPEN:
            raise EventError("That event campaign is not open for new events.")
    return clean


@transaction.atomic
def create_event(
    *,
    coalition: Coalition,
    title: str,
    starts_at: dt.datetime,
    time_zone: str,
    by: User | None,
    slug: str = "",
    **fields: Any,
) -> Event:
    """A new event; its reminder is queued for `reminder_hours` before the start."""
    clean = _clean_event_fields(
        coalition.pk, {"title": title, "starts_at": starts_at, "time_zone": time_zone, **fields}
    )
    event: Event | None = None
    for attempt in range(3):
        try:
            with transaction.atomic():
                event = Event.objects.create(
                    coalition=coalition,
                    slug=_unique_slug(
                        Event,
                        clean["title"],
                        slug,
                        private=clean.get("visibility") == Event.Visibility.PRIVATE,
                    ),
                    created_by=by,
                    **clean,
                )
            break
        except IntegrityError:
            if attempt == 2:
                raise
    assert event is not None  # noqa: S101 - the loop either created it or raised
    _schedule_reminder(event)
    return event


@transaction.atomic
def update_event(*, event: Event, **fields: Any) -> Event:
    """Change the given fields; a new time re-queues the reminder, more room promotes waiters."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    clean = _clean_event_fields(locked.coalition_id, fields, current=locked)
    changed = [name for name, value in clean.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, clean[name])
    if not changed:
        return locked
    update_fields = [*changed, "modified_at"]
    locked.modified_at = timezone.now()
    if SCHEDULE_FIELDS & set(changed):
        locked.schedule_version += 1
        update_fields.append("schedule_version")
    locked.save(update_fields=update_fields)
    if "schedule_version" in update_fields:
        _schedule_reminder(locked)
    if "capacity" in changed or ("status" in changed and locked.status != Event.Status.CANCELLED):
        _promote(locked)
    return locked


@transaction.atomic
def create_weekly_series(*, event: Event, weeks: int, by: User | None) -> list[Event]:
    """`weeks` more copies of the event, one a week, at the same wall-clock time in its zone."""
    if not 1 <= weeks <= 52:
        raise EventError("A weekly series has 1 to 52 more events.")
    local_start = timezone.localtime(event.starts_at, event.zone).replace(tzinfo=None)
    duration = event.ends_at - event.starts_at if event.ends_at else None
    copies = []
    for week in range(1, weeks + 1):
        starts = local_to_utc(local_start + dt.timedelta(weeks=week), event.time_zone)
        fields = {name: getattr(event, name) for name in EVENT_FIELDS}
        fields.update(
            starts_at=starts,
            ends_at=starts + duration if duration else None,
            title=event.title,
        )
        fields.pop("event_campaign")
        copy = create_event(
            coalition=event.coalition,
            by=by,
            slug=f"{event.slug}-{week + 1}",
            event_campaign=event.event_campaign,
            **{k: v for k, v in fields.items() if k not in {"title", "starts_at", "time_zone"}},
            title=fields["title"],
            starts_at=starts,
            time_zone=event.time_zone,
        )
        copies.append(copy)
    for question in event.questions.all():
        for copy in copies:
            RsvpQuestion.objects.create(
                coalition_id=copy.coalition_id,
                event=copy,
                key=question.key,
                label=question.label,
                kind=question.kind,
                choices=question.choices,
                required=question.required,
                position=question.position,
            )
    return copies


# --- shifts and questions -------------------------------------------------------------------------


@transaction.atomic
def add_shift(
    *,
    event: Event,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    capacity: int | None = None,
) -> Shift:
    """A shift of the event: aware times, its own cap (None: only the event's)."""
    title = title.strip()
    if not title:
        raise EventError("A shift needs a name.")
    if timezone.is_naive(starts_at) or (ends_at is not None and timezone.is_naive(ends_at)):
        raise EventError("Shift times must be aware datetimes.")
    if ends_at is not None and ends_at < starts_at:
        raise EventError("A shift cannot end before it starts.")
    if capacity is not None and capacity < 0:
        raise EventError("The capacity cannot be negative.")
    return Shift.objects.create(
        coalition_id=event.coalition_id,
        event=event,
        title=title[:200],
        starts_at=starts_at.astimezone(dt.UTC),
        ends_at=ends_at.astimezone(dt.UTC) if ends_at else None,
        capacity=capacity,
    )


@transaction.atomic
def remove_shift(*, shift: Shift) -> None:
    """Remove a shift; its attendees stay on the event without a shift."""
    shift.delete()


@dataclass(frozen=True, slots=True)
class QuestionData:
    label: str
    kind: str = RsvpQuestion.Kind.TEXT
    choices: Sequence[str] = ()
    required: bool = False
    key: str = ""


@transaction.atomic
def set_rsvp_questions(*, event: Event, questions: Sequence[QuestionData]) -> list[RsvpQuestion]:
    """Replace the RSVP form's questions (answers already given keep their keys)."""
    rows = []
    keys: set[str] = set()
    for position, data in enumerate(questions):
        label = data.label.strip()
        if not label:
            continue
        if data.kind not in RsvpQuestion.Kind.values:
            raise EventError(f"Unknown question kind {data.kind!r}.")
        choices = [c.strip() for c in data.choices if c.strip()]
        if data.kind == RsvpQuestion.Kind.CHOICE and len(choices) < 2:
            raise EventError(f"The question {label!r} needs at least two choices.")
        key = slugify(data.key or label)[:50] or f"q{position + 1}"
        while key in keys:
            key = f"{key[:45]}-{position + 1}"
        keys.add(key)
        rows.append(
            RsvpQuestion(
                coalition_id=event.coalition_id,
                event=event,
                key=key,
                label=label[:300],
                kind=data.kind,
                choices=choices if data.kind == RsvpQuestion.Kind.CHOICE else [],
                required=data.required,
                position=position,
            )
        )
    RsvpQuestion.objects.filter(event=event).delete()
    return RsvpQuestion.objects.bulk_create(rows)


def clean_answers(event: Event, answers: Mapping[str, Any] | None) -> dict[str, Any]:
    """The answers to the event's questions, checked: required ones given, choices among the
    offered ones; answers to questions the event does not ask are dropped."""
    given = dict(answers or {})
    clean: dict[str, Any] = {}
    for question in event.questions.all():
        value = given.get(question.key)
        if question.kind == RsvpQuestion.Kind.CHECKBOX:
            checked = value in {True, "on", "true", "1", "yes"}
            if question.required and not checked:
                raise EventError(f"Please answer: {question.label}")
            clean[question.key] = checked
            continue
        text = str(value or "").strip()[:2000]
        if question.required and not text:
            raise EventError(f"Please answer: {question.label}")
        if text and question.kind == RsvpQuestion.Kind.CHOICE and text not in question.choices:
            raise EventError(f"{text!r} is not one of the choices for: {question.label}")
        if text:
            clean[question.key] = text
    return clean


# --- RSVPs ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RsvpResult:
    attendance: Attendance
    created: bool
    waitlisted: bool


def accepts_rsvps(event: Event, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    end = event.ends_at or event.starts_at
    return event.status != Event.Status.CANCELLED and now < end


def _not_cancelled(event: Event) -> bool:
    return event.status != Event.Status.CANCELLED


def _places_taken(event: Event, shift: Shift | None = None) -> int:
    rows = Attendance.objects.filter(event=event, status__in=Attendance.HOLDS_PLACE)
    if shift is not None:
        rows = rows.filter(shift=shift)
    return rows.count()


def _has_room(event: Event, shift: Shift | None) -> bool:
    if event.capacity is not None and _places_taken(event) >= event.capacity:
        return False
    return not (
        shift is not None
        and shift.capacity is not None
        and _places_taken(event, shift) >= shift.capacity
    )


def _person_name(data: people.PersonData, person: Person) -> str:
    given = " ".join(p for p in (data.given_name or "", data.family_name or "") if p).strip()
    return (person.name or given)[:200]


def _first_email(data: people.PersonData) -> str:
    for email in data.emails:
        if email.address.strip():
            return normalize_email(email.address)[:254]
    return ""


@transaction.atomic
def rsvp(
    *,
    event: Event,
    person: people.PersonData,
    shift: Shift | None = None,
    answers: Mapping[str, Any] | None = None,
    referrer: str = "",
    source: str = "",
    membership: Membership | None = None,
    notify: bool = True,
    past_ok: bool = False,
) -> RsvpResult:
    """RSVP a supporter: one attendance per (event, person); a place if one is free (event and
    shift), the waiting list otherwise. An RSVP made again returns the first, unchanged, unless it
    was cancelled: then it is made again (a place, or the end of the waiting list).

    `past_ok=True` records an attendance at an event that has ended (an API client importing
    history; the public form never passes it): the same rules of capacity and one attendance per
    person, and no confirmation is sent whatever `notify` says. A cancelled event takes none."""
    open_to: Callable[[Event], bool] = _not_cancelled if past_ok else accepts_rsvps
    if past_ok and not accepts_rsvps(event):
        notify = False  # a record of the past: nobody to confirm anything to
    if not open_to(event):
        raise EventError("This event no longer takes RSVPs.")
    if shift is not None and shift.event_id != event.pk:
        raise EventError("That shift belongs to another event.")
    if membership is not None and membership.coalition_id != event.coalition_id:
        raise EventError("That member organization belongs to another coalition.")
    clean = clean_answers(event, answers)
    credited = membership or event.host
    try:
        found = people.upsert_person(
            coalition=event.coalition,
            data=person,
            source_membership=credited,
            source_action=f"event:{event.slug}"[:200],
            source_referral=referrer[:200],
            subscription_source=source or "event RSVP",
        )
    except people.PeopleError as error:
        raise EventError(str(error)) from error
    supporter = found.person
    locked = Event.objects.select_for_update().get(pk=event.pk)  # the capacity guard
    if not open_to(locked):
        raise EventError("This event no longer takes RSVPs.")
    existing = Attendance.objects.filter(event=locked, person=supporter).first()
    now = timezone.now()
    if existing is not None and existing.status != Status.CANCELLED:
        return RsvpResult(
            attendance=existing, created=False, waitlisted=existing.status == Status.WAITLISTED
        )
    room = _has_room(locked, shift)
    status = Status.GOING if room else Status.WAITLISTED
    if existing is not None:  # a cancelled RSVP made again
        existing.status = status
        existing.shift = shift
        existing.answers = clean
        existing.cancelled_at = None
        existing.waitlisted_at = None if room else now
        existing.modified_at = now
        existing.save(
            update_fields=[
                "status",
                "shift",
                "answers",
                "cancelled_at",
                "waitlisted_at",
                "modified_at",
            ]
        )
        attendance, created = existing, False
    else:
        attendance, created = Attendance.objects.get_or_create(
            event=locked,
            person=supporter,
            defaults={
                "coalition_id": locked.coalition_id,
                "shift": shift,
                "status": status,
                "answers": clean,
                "referrer": referrer[:200],
                "source": source[:100],
                "membership": credited,
                "name": _person_name(person, supporter),
                "email": _first_email(person),
                "waitlisted_at": None if room else now,
                "created_at": now,
                "modified_at": now,
            },
        )  # the unique (event, person) constraint backs the lock
        if not created:
            return RsvpResult(
                attendance=attendance,
                created=False,
                waitlisted=attendance.status == Status.WAITLISTED,
            )
    if notify:  # False for RSVPs collected elsewhere (the demo, an import)
        transaction.on_commit(partial(_enqueue, "send_rsvp_confirmation", attendance.pk))
    return RsvpResult(
        attendance=attendance, created=created, waitlisted=attendance.status == Status.WAITLISTED
    )


def _promote(event: Event) -> list[Attendance]:
    """Give freed places to the waiting list in order (the event is locked by the caller)."""
    promoted: list[Attendance] = []
    if event.status == Event.Status.CANCELLED:
        return promoted
    waiting = (
        Attendance.objects.filter(event=event, status=Status.WAITLISTED)
        .select_related("shift")
        .order_by("waitlisted_at", "pk")
    )
    for attendance in waiting:
        if event.capacity is not None and _places_taken(event) >= event.capacity:
            break
        if not _has_room(event, attendance.shift):
            continue  # its shift is full: a later waiter for another shift may fit
        attendance.status = Status.GOING
        attendance.modified_at = timezone.now()
        attendance.save(update_fields=["status", "modified_at"])
        promoted.append(attendance)
        transaction.on_commit(partial(_enqueue, "send_promotion_notice", attendance.pk))
    return promoted


@transaction.atomic
def cancel_rsvp(*, attendance: Attendance, by: User | None = None) -> Attendance:
    """Cancel an RSVP; a place it held goes to the waiting list in order. Cancelling again, or
    cancelling a check-in, changes nothing."""
    event = Event.objects.select_for_update().get(pk=attendance.event_id)
    locked = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if locked.status in {Status.CANCELLED, Status.ATTENDED}:
        return locked
    held = locked.holds_place
    locked.status = Status.CANCELLED
    locked.cancelled_at = locked.modified_at = timezone.now()
    locked.save(update_fields=["status", "cancelled_at", "modified_at"])
    if held:
        _promote(event)
    return locked


@transaction.atomic
def check_in(*, attendance: Attendance, by: User | None) -> Attendance:
    """Check an attendee in, once. A waiting or cancelled one is checked in only if a place is
    free (EventFull otherwise: the host cancels a no-show or raises the capacity first)."""
    event = Event.objects.select_for_update().get(pk=attendance.event_id)
    locked = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if locked.status == Status.ATTENDED:
        return locked
    if locked.status != Status.GOING and not _has_room(event, locked.shift):
        raise EventFull(
            f"{locked.name or 'This person'} is not on the list and the event is full: "
            "cancel a no-show or raise the capacity first."
        )
    locked.status = Status.ATTENDED
    locked.checked_in_at = locked.modified_at = timezone.now()
    locked.checked_in_by = by
    locked.cancelled_at = None
    locked.save(
        update_fields=["status", "checked_in_at", "checked_in_by", "modified_at", "cancelled_at"]
    )
    return locked


@transaction.atomic
def undo_check_in(*, attendance: Attendance, by: User | None) -> Attendance:
    """A check-in made by mistake: back to going (the place stays taken)."""
    locked = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if locked.status != Status.ATTENDED:
        return locked
    locked.status = Status.GOING
    locked.checked_in_at = None
    locked.checked_in_by = None
    locked.modified_at = timezone.now()
    locked.save(update_fields=["status", "checked_in_at", "checked_in_by", "modified_at"])
    return locked


# --- check-in codes -------------------------------------------------------------------------------


def _to36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def attendance_code(attendance: Attendance) -> str:
    """The signed check-in code of an attendance: its id and 40 bits of an HMAC over its uuid,
    short enough to type when there is no camera ("7k-3f9a2c81d0")."""
    mac = salted_hmac(CODE_SALT, f"{attendance.pk}:{attendance.uuid}").hexdigest()[:10]
    return f"{_to36(attendance.pk)}-{mac}"


def attendance_for_code(*, event: Event, code: str) -> Attendance | None:
    """The attendance of `event` that `code` names, or None for a wrong, forged or other
    event's code (spaces, dashes and case typed by hand are forgiven)."""
    text = "".join(code.split()).lower()
    head, _, mac = text.rpartition("-")
    if not head or not mac:
        return None
    try:
        pk = int(head.replace("-", ""), 36)
    except ValueError:
        return None
    attendance = (
        Attendance.objects.for_coalition(event.coalition_id)
        .filter(event=event, pk=pk)
        .select_related("person", "shift")
        .first()
    )
    if attendance is None:
        return None
    if not hmac.compare_digest(attendance_code(attendance), f"{_to36(pk)}-{mac}"):
        return None
    return attendance


# --- reminders ------------------------------------------------------------------------------------


def reminder_due_at(event: Event) -> dt.datetime | None:
    """When the event's reminder goes (UTC), or None when it has none."""
    if not event.reminder_hours:
        return None
    return event.starts_at - dt.timedelta(hours=event.reminder_hours)


def _schedule_reminder(event: Event) -> None:
    """With a backend that can defer (the database one), queue the reminder for its time;
    otherwise `cairn send-event-reminders` (cron) sends the due ones. Either way a reminder goes to
    each attendee at most once per schedule version."""
    from .tasks import send_event_reminders

    due = reminder_due_at(event)
    if (
        due is None
        or due <= timezone.now()
        or not send_event_reminders.get_backend().supports_defer
    ):
        return
    transaction.on_commit(partial(_enqueue_reminders, event.pk, event.schedule_version, due))


def _enqueue_reminders(event_id: int, version: int, due: dt.datetime) -> None:
    from .tasks import send_event_reminders

    send_event_reminders.using(run_after=due).enqueue(event_id, version)


def _enqueue(name: str, attendance_id: int) -> None:
    from . import tasks

    getattr(tasks, name).enqueue(attendance_id)


def claim_reminder(attendance: Attendance, version: int) -> bool:
    """Claim the right to send this attendance's reminder of `version`: True once, ever."""
    claimed = Attendance.objects.filter(
        pk=attendance.pk, reminded_version__lt=version, status=Status.GOING
    ).update(reminded_version=version, reminded_at=timezone.now())
    return claimed == 1


def due_reminder_events(now: dt.datetime | None = None) -> list[Event]:
    """Events whose reminder is due and not past their start (for the cron fallback)."""
    now = now or timezone.now()
    candidates = Event.objects.filter(
        starts_at__gt=now, reminder_hours__gt=0, status=Event.Status.CONFIRMED
    ).filter(starts_at__lte=now + dt.timedelta(hours=24 * 14))
    due = []
    for event in candidates:
        moment = reminder_due_at(event)
        if moment is not None and moment <= now:
            due.append(event)
    return due


def pending_reminders(event: Event, version: int) -> list[Attendance]:
    """Going attendees not yet reminded of this schedule version."""
    return list(
        Attendance.objects.filter(event=event, status=Status.GOING)
        .filter(Q(reminded_version__lt=version))
        .exclude(email="")
        .order_by("pk")
    )


# --- public form limits ---------------------------------------------------------------------------

# RSVPs one address may make through the public form per window (counted in the cache the
# deployment has, so it works on the SQLite default too); the API is limited by its tokens.
PUBLIC_RSVPS_PER_WINDOW = 20
PUBLIC_RSVP_WINDOW_SECONDS = 600


def public_rsvp_allowed(ip: str) -> bool:
    """Count one public RSVP from `ip`; False once it made PUBLIC_RSVPS_PER_WINDOW this window."""
    from django.core.cache import cache

    if not ip:
        return True
    window = int(timezone.now().timestamp()) // PUBLIC_RSVP_WINDOW_SECONDS
    key = f"events:rsvp-ip:{ip}:{window}"
    cache.add(key, 0, PUBLIC_RSVP_WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, PUBLIC_RSVP_WINDOW_SECONDS * 2)
        count = 1
    return count <= PUBLIC_RSVPS_PER_WINDOW
