"""The demo lobby day: an event campaign under the demo campaign, with events hosted by several
member organizations (two time zones: Harbor Point keeps Central time), shifts and an RSVP
question at the State House, RSVPs from the demo supporters (one event full, with a waiting list),
and a host training held last week whose attendees were checked in.

Everything goes through the services (create, RSVP, check in), so the demo obeys every rule; the
RSVPs' dates are then spread over the past three weeks, as sign-ups would have come in. A second
run finds the event campaign by its slug and creates nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cairn.campaigns.demo import load_demo_campaign
from cairn.coalitions.demo import CRISIS_LINE, EMS_UNION, FAMILIES, HEALTH_SYSTEM, INTERFAITH
from cairn.coalitions.models import Coalition, Membership
from cairn.people.models import EmailAddress
from cairn.people.services import EmailInput, PersonData

from . import services
from .models import Attendance, Event, EventCampaign
from .services import QuestionData

SEED = 1516
SLUG = "crisis-care-lobby-day"
INDIANA = "America/Indiana/Indianapolis"
CENTRAL = "America/Chicago"
TOOLKIT = """<h3>Before the day</h3>
<ul><li>Confirm your attendees two days before (the reminder email goes automatically).</li>
<li>Print the one-page leave-behind: 214 psychiatric beds short, 31-hour median ER
boarding.</li></ul>
<h3>The ask</h3>
<p>“Fund 200 crisis stabilization beds in this session's budget.” Ask each office for a yes or no,
and log what you heard in Cairn afterwards.</p>
<h3>At the door</h3>
<p>Open <em>Check-in</em> on your phone: search a name, type the code under a ticket's QR code, or
scan the QR code with the phone's camera.</p>"""


@dataclass(frozen=True, slots=True)
class EventsLoad:
    created: bool
    events: int
    rsvps: int
    checked_in: int


@dataclass(frozen=True, slots=True)
class Spec:
    host: str
    title: str
    days_ahead: int
    hour: int
    zone: str
    venue: str
    locality: str
    lat: float | None
    lon: float | None
    capacity: int | None
    rsvps: int
    online_url: str = ""


SPECS = (
    Spec(
        HEALTH_SYSTEM,
        "Capitol visits: fund crisis beds",
        21,
        9,
        INDIANA,
        "State House",
        "Riverbend",
        39.7684,
        -86.1625,
        60,
        48,
    ),
    Spec(
        FAMILIES,
        "Families' breakfast before the capitol visits",
        21,
        7,
        INDIANA,
        "Eastside Community Center",
        "Eastside",
        39.7810,
        -86.0700,
        30,
        22,
    ),
    Spec(
        EMS_UNION,
        "Paramedics' briefing: what a boarding night costs",
        21,
        8,
        CENTRAL,
        "Union Hall 417",
        "Harbor Point",
        38.0200,
        -87.5700,
        12,
        17,
    ),
    Spec(
        INTERFAITH,
        "Vigil for crisis care",
        21,
        18,
        INDIANA,
        "First Church steps",
        "Cedar Valley",
        39.8700,
        -86.0400,
        None,
        26,
    ),
    Spec(
        CRISIS_LINE,
        "Call-in for those who can't travel",
        21,
        12,
        INDIANA,
        "",
        "",
        None,
        None,
        None,
        19,
        "https://meet.example.org/crisis-care-call-in",
    ),
)


def _member(coalition: Coalition, name: str) -> Membership | None:
    return (
        Membership.objects.for_coalition(coalition)
        .filter(organization__name=name, status=Membership.Status.ACTIVE)
        .first()
    )


def _supporters(coalition: Coalition, rng: random.Random, count: int) -> list[PersonData]:
    rows = list(
        EmailAddress.objects.for_coalition(coalition)
        .select_related("person")
        .order_by("pk")
        .values_list("address", "person__given_name", "person__family_name")[:2000]
    )
    picked = rng.sample(rows, min(count, len(rows)))
    return [
        PersonData(given_name=given or None, family_name=family or None, emails=[EmailInput(email)])
        for email, given, family in picked
    ]


def _at(days_ahead: int, hour: int, zone: str, today: dt.date) -> dt.datetime:
    day = today + dt.timedelta(days=days_ahead)
    # the lobby day is a Tuesday (legislators are in their offices)
    day += dt.timedelta(days=(1 - day.weekday()) % 7)
    return services.local_to_utc(dt.datetime.combine(day, dt.time(hour)), zone)


@transaction.atomic
def load_demo_events(coalition: Coalition, *, today: dt.date | None = None) -> EventsLoad:
    """Create the demo lobby day when it is missing; return what there is."""
    existing = EventCampaign.objects.for_coalition(coalition).filter(slug=SLUG).first()
    if existing is not None:
        return _load_of(existing, created=False)
    today = today or timezone.localdate()
    rng = random.Random(SEED)  # noqa: S311 - the same demo every run, not a secret
    campaign = load_demo_campaign(coalition).campaign
    day = services.create_event_campaign(
        coalition=coalition,
        title="Crisis Care Lobby Day",
        by=None,
        slug=SLUG,
        campaign=campaign,
        description=(
            "<p>One day, every district: members host visits, breakfasts, briefings and a vigil "
            "so that every legislator hears the same ask from the people they answer to.</p>"
        ),
        host_toolkit=TOOLKIT,
    )
    people = _supporters(coalition, rng, sum(s.rsvps for s in SPECS) + 20)
    cursor = 0
    for spec in SPECS:
        host = _member(coalition, spec.host)
        if host is None:
            continue
        starts = _at(spec.days_ahead, spec.hour, spec.zone, today)
        event = services.create_event(
            coalition=coalition,
            title=spec.title,
            starts_at=starts,
            time_zone=spec.zone,
            by=None,
            ends_at=starts + dt.timedelta(hours=2),
            event_campaign=day,
            host=host,
            venue=spec.venue,
            locality=spec.locality,
            region="IN" if spec.locality else "",
            country="US" if spec.locality else "",
            latitude=spec.lat,
            longitude=spec.lon,
            capacity=spec.capacity,
            online_url=spec.online_url,
            description=f"<p>Part of the Crisis Care Lobby Day, hosted by {spec.host}.</p>",
        )
        shifts = []
        if spec.host == HEALTH_SYSTEM:
            shifts = [
                services.add_shift(
                    event=event, title="Senate offices", starts_at=starts, capacity=30
                ),
                services.add_shift(
                    event=event,
                    title="House offices",
                    starts_at=starts + dt.timedelta(hours=1),
                    capacity=30,
                ),
            ]
            services.set_rsvp_questions(
                event=event,
                questions=[
                    QuestionData(
                        label="Are you a constituent of a committee member?", kind="checkbox"
                    ),
                    QuestionData(label="Your story in one line", kind="text"),
                ],
            )
        for person in people[cursor : cursor + spec.rsvps]:
            services.rsvp(
                event=event,
                person=person,
                shift=rng.choice(shifts) if shifts else None,
                answers={"are-you-a-constituent-of-a-committee-member": rng.random() < 0.4},
                source="demo",
                notify=False,
            )
        cursor += spec.rsvps
    _host_training(coalition, day, people[cursor:], rng)
    _spread_dates(coalition, day, rng)
    return _load_of(day, created=True)


def _host_training(
    coalition: Coalition, day: EventCampaign, people: list[PersonData], rng: random.Random
) -> None:
    """Last week's online host training, its attendees checked in (turnout 15 of 18)."""
    host = _member(coalition, HEALTH_SYSTEM)
    starts = timezone.now() + dt.timedelta(days=1)
    training = services.create_event(
        coalition=coalition,
        title="Host training for the lobby day",
        starts_at=starts,
        time_zone=INDIANA,
        by=None,
        ends_at=starts + dt.timedelta(hours=1),
        event_campaign=day,
        host=host,
        online_url="https://meet.example.org/lobby-day-host-training",
        reminder_hours=0,
    )
    attendances = [
        services.rsvp(event=training, person=person, source="demo", notify=False).attendance
        for person in people[:18]
    ]
    for attendance in attendances[:15]:
        services.check_in(attendance=attendance, by=None)
    # it happened a week ago: move it (and its check-ins) back, as if held then
    held = timezone.now() - dt.timedelta(days=7)
    Event.objects.filter(pk=training.pk).update(
        starts_at=held, ends_at=held + dt.timedelta(hours=1)
    )
    for attendance in attendances[:15]:
        Attendance.objects.filter(pk=attendance.pk).update(
            checked_in_at=held + dt.timedelta(minutes=rng.randint(0, 20))
        )


def _spread_dates(coalition: Coalition, day: EventCampaign, rng: random.Random) -> None:
    """RSVPs came in over the past three weeks, not all at the load."""
    now = timezone.now()
    rows = Attendance.objects.for_coalition(coalition).filter(event__event_campaign=day)
    for attendance in rows.select_related("person"):
        moment = now - dt.timedelta(days=rng.uniform(8 if attendance.checked_in_at else 0, 21))
        if attendance.checked_in_at and moment > attendance.checked_in_at:
            moment = attendance.checked_in_at - dt.timedelta(days=1)
        joined = attendance.person.created_at if attendance.person else None
        if joined is not None and moment <= joined:  # one who joined since replied after
            latest = attendance.checked_in_at or now
            moment = joined + (max(latest, joined) - joined) * rng.uniform(0.1, 0.9)
        Attendance.objects.filter(pk=attendance.pk).update(
            created_at=moment,
            modified_at=moment,
            waitlisted_at=moment if attendance.waitlisted_at else None,
        )


def _load_of(day: EventCampaign, *, created: bool) -> EventsLoad:
    rows = Attendance.objects.filter(event__event_campaign=day)
    return EventsLoad(
        created=created,
        events=day.events.count(),
        rsvps=rows.count(),
        checked_in=rows.filter(status=Attendance.Status.ATTENDED).count(),
    )
