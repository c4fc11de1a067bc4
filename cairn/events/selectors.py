"""Reads of events beyond a `.filter()`: every one takes the coalition (or a public slug that
finds only public rows)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership

from .models import Attendance, Event, EventCampaign, Shift

Status = Attendance.Status


def events_for_staff(
    *, coalition: Coalition, upcoming: bool = True, host: Membership | None = None
) -> QuerySet[Event]:
    rows = (
        Event.objects.for_coalition(coalition)
        .select_related("host__organization", "event_campaign")
        .annotate(
            going=Count("attendances", filter=Q(attendances__status__in=Attendance.HOLDS_PLACE)),
            waiting=Count("attendances", filter=Q(attendances__status=Status.WAITLISTED)),
            attended=Count("attendances", filter=Q(attendances__status=Status.ATTENDED)),
        )
    )
    if host is not None:
        rows = rows.filter(host=host)
    now = timezone.now()
    if upcoming:
        return rows.filter(Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=now))
    return rows.filter(Q(ends_at__lt=now) | Q(ends_at__isnull=True, starts_at__lt=now)).order_by(
        "-starts_at", "-pk"
    )


def event_for_staff(*, coalition: Coalition, event_id: int) -> Event | None:
    return (
        Event.objects.for_coalition(coalition)
        .select_related("host__organization", "event_campaign", "coalition")
        .filter(pk=event_id)
        .first()
    )


def event_campaigns(*, coalition: Coalition) -> QuerySet[EventCampaign]:
    return (
        EventCampaign.objects.for_coalition(coalition)
        .select_related("campaign")
        .annotate(n_events=Count("events"))
    )


def event_campaign_for_staff(*, coalition: Coalition, campaign_id: int) -> EventCampaign | None:
    return EventCampaign.objects.for_coalition(coalition).filter(pk=campaign_id).first()


def open_event_campaigns(*, coalition: Coalition) -> QuerySet[EventCampaign]:
    return EventCampaign.objects.for_coalition(coalition).filter(status=EventCampaign.Status.OPEN)


@dataclass(frozen=True, slots=True)
class Tally:
    going: int
    waitlisted: int
    cancelled: int
    attended: int

    @property
    def rsvps(self) -> int:
        return self.going + self.waitlisted + self.attended

    @property
    def holding(self) -> int:
        return self.going + self.attended

    @property
    def turnout(self) -> float | None:
        """Checked in of those who held a place, or None before anyone held one."""
        return self.attended / self.holding if self.holding else None


def tally(event: Event) -> Tally:
    counts = Counter(
        dict(
            Attendance.objects.filter(event=event)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    return Tally(
        going=counts[Status.GOING],
        waitlisted=counts[Status.WAITLISTED],
        cancelled=counts[Status.CANCELLED],
        attended=counts[Status.ATTENDED],
    )


def places_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    taken = Attendance.objects.filter(event=event, status__in=Attendance.HOLDS_PLACE).count()
    return max(event.capacity - taken, 0)


@dataclass(frozen=True, slots=True)
class ShiftRow:
    shift: Shift
    taken: int

    @property
    def left(self) -> int | None:
        if self.shift.capacity is None:
            return None
        return max(self.shift.capacity - self.taken, 0)


def shifts_with_places(event: Event) -> list[ShiftRow]:
    rows = Shift.objects.filter(event=event).annotate(
        taken=Count("attendances", filter=Q(attendances__status__in=Attendance.HOLDS_PLACE))
    )
    return [ShiftRow(shift=row, taken=row.taken) for row in rows]


def attendances(event: Event, *, status: str = "") -> QuerySet[Attendance]:
    rows = Attendance.objects.for_coalition(event.coalition_id).filter(event=event)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("shift", "membership__organization").order_by(
        "status", "waitlisted_at", "name", "pk"
    )


def waiting_list(event: Event) -> QuerySet[Attendance]:
    return (
        Attendance.objects.for_coalition(event.coalition_id)
        .filter(event=event, status=Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")
    )


def waiting_position(attendance: Attendance) -> int | None:
    """Where a waiting attendance stands on its event's waiting list (1 is next), else None."""
    if attendance.status != Status.WAITLISTED or attendance.waitlisted_at is None:
        return None
    ahead = Attendance.objects.filter(
        event_id=attendance.event_id, status=Status.WAITLISTED
    ).filter(
        Q(waitlisted_at__lt=attendance.waitlisted_at)
        | Q(waitlisted_at=attendance.waitlisted_at, pk__lt=attendance.pk)
    )
    return ahead.count() + 1


def search_attendees(event: Event, query: str, *, limit: int = 20) -> list[Attendance]:
    """Attendances of the event whose name or email contains every word of `query` (case
    aside), not cancelled ones first."""
    words = query.split()[:5]
    if not words:
        return []
    rows = Attendance.objects.for_coalition(event.coalition_id).filter(event=event)
    for word in words:
        rows = rows.filter(Q(name__icontains=word) | Q(email__icontains=word))
    return list(rows.select_related("shift").order_by("name", "pk")[:limit])


def attendance_rows(event: Event) -> list[list[Any]]:
    """The attendance report: one row per attendance, answers in the questions' order."""
    questions = list(event.questions.all())
    header = [
        "Name",
        "Email",
        "Status",
        "Shift",
        "RSVP (UTC)",
        "Checked in (local)",
        "Credited member",
        "Referrer",
        *[q.label for q in questions],
    ]
    rows: list[list[Any]] = [header]
    for a in attendances(event):
        checked = (
            timezone.localtime(a.checked_in_at, event.zone).strftime("%Y-%m-%d %H:%M")
            if a.checked_in_at
            else ""
        )
        rows.append(
            [
                a.name,
                a.email,
                a.get_status_display(),
                a.shift.title if a.shift else "",
                a.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M"),
                checked,
                a.membership.organization.name if a.membership else "",
                a.referrer,
                *[_answer(a.answers.get(q.key)) for q in questions],
            ]
        )
    return rows


def _answer(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False or value is None:
        return ""
    return str(value)


# --- public reads ---------------------------------------------------------------------------------


def public_event(*, slug: str) -> Event | None:
    """An event the public may see by its address (private ones too: the link is the key)."""
    return (
        Event.objects.select_related("coalition", "host__organization", "event_campaign")
        .filter(slug=slug)
        .first()
    )


def public_event_campaign(*, slug: str) -> EventCampaign | None:
    campaign = EventCampaign.objects.select_related("coalition").filter(slug=slug).first()
    if campaign is None or campaign.status == EventCampaign.Status.DRAFT:
        return None
    return campaign


def public_events_of_campaign(event_campaign: EventCampaign) -> QuerySet[Event]:
    return (
        Event.objects.for_coalition(event_campaign.coalition_id)
        .filter(event_campaign=event_campaign, visibility=Event.Visibility.PUBLIC)
        .exclude(status=Event.Status.CANCELLED)
        .select_related("host__organization")
        .order_by("starts_at", "pk")
    )


def public_events_of_coalition(coalition: Coalition) -> QuerySet[Event]:
    now = timezone.now()
    return (
        Event.objects.for_coalition(coalition)
        .filter(visibility=Event.Visibility.PUBLIC)
        .exclude(status=Event.Status.CANCELLED)
        .filter(Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=now))
        .filter(
            Q(event_campaign__isnull=True)
            | (~Q(event_campaign__status="draft") & Q(event_campaign__visibility="public"))
        )
        .select_related("host__organization", "event_campaign")
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True, slots=True)
class MapPoint:
    event: Event
    x: float  # 0..100, west to east
    y: float  # 0..100, north to south


def map_points(events: list[Event]) -> list[MapPoint]:
    """Events with coordinates placed on a plain equirectangular plot of their bounding box (a
    drawn map needs no tile service), with a margin so no dot sits on the edge."""
    located = [e for e in events if e.latitude is not None and e.longitude is not None]
    if not located:
        return []
    lats = [float(e.latitude) for e in located]  # type: ignore[arg-type]
    lons = [float(e.longitude) for e in located]  # type: ignore[arg-type]
    span_lat = max(max(lats) - min(lats), 0.01)
    span_lon = max(max(lons) - min(lons), 0.01)
    points = []
    for event, lat, lon in zip(located, lats, lons, strict=True):
        x = 8 + 84 * (lon - min(lons)) / span_lon
        y = 8 + 84 * (max(lats) - lat) / span_lat
        points.append(MapPoint(event=event, x=round(x, 2), y=round(y, 2)))
    return points


def events_by_place(events: list[Event]) -> list[tuple[str, list[Event]]]:
    """Events grouped by region and locality (online ones last), for the location list."""
    groups: dict[str, list[Event]] = {}
    for event in events:
        if event.has_place:
            key = ", ".join(p for p in (event.locality, event.region) if p) or "Elsewhere"
        else:
            key = "Online"
        groups.setdefault(key, []).append(event)
    return sorted(groups.items(), key=lambda item: (item[0] == "Online", item[0]))


def turnout_by_event(event_campaign: EventCampaign) -> list[dict[str, Any]]:
    """Per event of the campaign: RSVPs, places held, checked in and turnout."""
    rows = (
        Event.objects.for_coalition(event_campaign.coalition_id)
        .filter(event_campaign=event_campaign)
        .select_related("host__organization")
        .annotate(
            going=Count("attendances", filter=Q(attendances__status=Status.GOING)),
            waiting=Count("attendances", filter=Q(attendances__status=Status.WAITLISTED)),
            attended=Count("attendances", filter=Q(attendances__status=Status.ATTENDED)),
        )
        .order_by("starts_at", "pk")
    )
    out = []
    for event in rows:
        held = event.going + event.attended
        out.append(
            {
                "event": event,
                "rsvps": held + event.waiting,
                "waiting": event.waiting,
                "attended": event.attended,
                "turnout": (event.attended / held) if held else None,
                "turnout_pct": round(100 * event.attended / held) if held else None,
            }
        )
    return out
