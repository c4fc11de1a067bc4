"""What the events app plugs into other apps' registries (called from `EventsConfig.ready`).

- people hooks: a merge moves attendances to the person kept (when both RSVP'd to one event, the
  stronger attendance stays: checked in, then going, then waiting, since an event counts a person
  once);
  an erasure blanks the name, email and answers kept on attendances and unlinks the person.
- engagement sources: `rsvps` (RSVPs made per day and credited member) and `attendance`
  (check-ins per day and credited member) on the campaign dashboard.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from cairn.coalitions.models import Coalition
from cairn.people.hooks import PersonHooks
from cairn.people.models import Person

from .models import Attendance

ERASED_NAME = "(erased)"


# When both people RSVP'd to one event, the stronger of the two attendances is kept.
STRENGTH = {"attended": 3, "going": 2, "waitlisted": 1, "cancelled": 0}


def move_attendances(kept: Person, merged: Person) -> int:
    theirs = {a.event_id: a for a in Attendance.objects.filter(person=merged)}
    mine = Attendance.objects.filter(person=kept, event_id__in=list(theirs))
    for attendance in mine:
        other = theirs[attendance.event_id]
        if STRENGTH[other.status] > STRENGTH[attendance.status]:
            attendance.delete()  # theirs (checked in, or holding a place) moves over below
        else:
            other.delete()
    return Attendance.objects.filter(person=merged).update(person=kept)


def erase_attendances(person: Person, canonical_emails: frozenset[str]) -> int:
    rows = Attendance.objects.for_coalition(person.coalition_id).filter(
        Q(person=person) | Q(email__in=canonical_emails)
    )
    return rows.update(person=None, name=ERASED_NAME, email="", answers={}, referrer="")


HOOKS = PersonHooks(name="event_attendances", merge=move_attendances, erase=erase_attendances)


def _rsvps(coalition: Coalition, first: dt.date, last: dt.date) -> QuerySet[Any]:
    from cairn.campaigns.sources import day_bounds

    start, end = day_bounds(first, last)
    return Attendance.objects.for_coalition(coalition).filter(
        created_at__gte=start, created_at__lt=end
    )


def _checked_in(coalition: Coalition, first: dt.date, last: dt.date) -> QuerySet[Any]:
    from cairn.campaigns.sources import day_bounds

    start, end = day_bounds(first, last)
    return Attendance.objects.for_coalition(coalition).filter(
        checked_in_at__gte=start, checked_in_at__lt=end
    )


def rsvps_per_day(coalition: Coalition, first: dt.date, last: dt.date) -> dict[dt.date, float]:
    from cairn.campaigns.sources import per_day

    return per_day(_rsvps(coalition, first, last), "created_at")


def rsvps_by_member(coalition: Coalition, first: dt.date, last: dt.date) -> dict[int | None, float]:
    from cairn.campaigns.sources import per_member

    return per_member(_rsvps(coalition, first, last), "membership")


def rsvps_per_day_and_member(
    coalition: Coalition, first: dt.date, last: dt.date
) -> dict[tuple[dt.date, int | None], float]:
    from cairn.campaigns.sources import per_day_and_member

    return per_day_and_member(_rsvps(coalition, first, last), "created_at", "membership")


def attendance_per_day(coalition: Coalition, first: dt.date, last: dt.date) -> dict[dt.date, float]:
    from cairn.campaigns.sources import per_day

    return per_day(_checked_in(coalition, first, last), "checked_in_at")


def attendance_by_member(
    coalition: Coalition, first: dt.date, last: dt.date
) -> dict[int | None, float]:
    from cairn.campaigns.sources import per_member

    return per_member(_checked_in(coalition, first, last), "membership")


def attendance_per_day_and_member(
    coalition: Coalition, first: dt.date, last: dt.date
) -> dict[tuple[dt.date, int | None], float]:
    from cairn.campaigns.sources import per_day_and_member

    return per_day_and_member(_checked_in(coalition, first, last), "checked_in_at", "membership")


def upcoming_public_events(coalition: Coalition) -> list[Any]:
    """The coalition's next public events, as entries of its public page."""
    from django.urls import reverse
    from django.utils import timezone as tz

    from cairn.coalitions.public import PublicEntry

    from .selectors import public_events_of_coalition

    entries = []
    for event in public_events_of_coalition(coalition)[:12]:
        local = tz.localtime(event.starts_at, event.zone)
        where = event.locality or ("Online" if event.online_url else "")
        entries.append(
            PublicEntry(
                title=event.title,
                url=reverse("events_public:event", kwargs={"event_slug": event.slug}),
                summary=where,
                meta=f"{local:%a %-d %b, %-I:%M %p} {local.tzname()}",
            )
        )
    return entries


def all_events_url(coalition: Coalition) -> str:
    from django.urls import reverse

    return reverse("events_public:coalition", kwargs={"coalition_slug": coalition.slug})


def register_all() -> None:
    from cairn.campaigns import engagement
    from cairn.coalitions import public
    from cairn.people import hooks

    hooks.register(HOOKS)
    public.register(
        public.PublicSection(
            key="events",
            title="Upcoming events",
            entries=upcoming_public_events,
            order=20,
            more_url=all_events_url,
        )
    )
    engagement.register(
        engagement.EngagementSource(
            key="rsvps",
            label="Event RSVPs",
            unit="RSVPs",
            daily=rsvps_per_day,
            by_member=rsvps_by_member,
            daily_by_member=rsvps_per_day_and_member,
            order=40,
        )
    )
    engagement.register(
        engagement.EngagementSource(
            key="attendance",
            label="Event check-ins",
            unit="attendees",
            daily=attendance_per_day,
            by_member=attendance_by_member,
            daily_by_member=attendance_per_day_and_member,
            order=45,
        )
    )
