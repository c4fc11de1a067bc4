"""OSDI events and attendances (Action Network's shapes), with the record-attendance helper.

- An event's id is its uuid. `POST /events` creates it through the events service; `title` and
  `start_date` are required (a Cairn event has a time: its pages, reminders and `.ics` need one).
  `start_date`/`end_date` are ISO 8601; one without an offset (Parsons sends `YYYY-MM-DD HH:MM:SS`)
  is read in the event's `time_zone` (an IANA name; default UTC). They are answered in UTC
  (`YYYY-MM-DDTHH:MM:SSZ`) beside `time_zone`. `location` is OSDI's address with
  `location.latitude/longitude`; `online_url` is Cairn's own field for an online or hybrid event;
  `capacity` 0 or absent is unlimited. The event is hosted by the token creator's member
  organization (none for the site operator's token).
- `PUT /events/{id}` changes the given fields (a form or query string works too, as Parsons sends
  it); a change of time bumps the event's schedule so attendees' reminders follow it.
- `POST /events/{id}/attendances` is the record-attendance helper: `person` (OSDI person fields,
  merged into the CRM like `POST /people`) or an `osdi:person` link, optional `add_tags`,
  `referrer_data` and Cairn's `answers` (the RSVP questions). One attendance per person and
  event: a retried POST returns the first (200). An event at capacity puts the person on its
  waiting list, which moves in order when someone cancels; nobody is ever over capacity. An
  event that has ended takes attendances here too (a client importing its history; the public
  RSVP form refuses them): recorded under the same rules, and nobody is emailed.
- An attendance's `status` is OSDI's: `accepted` (going, or checked in: then `attended` is true),
  `tentative` (on the waiting list) or `declined` (cancelled); `cairn:status` is Cairn's own.
  `PUT` takes `status: declined` (cancel, which frees the place for the next on the list),
  `status: accepted` (RSVP again) and `attended: true` (check in).
- Under a person: `/people/{id}/attendances`.

Every read is scoped by the token's coalition; an id of another coalition is a 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypeVar

from django.db import transaction
from django.db.models import Count, Model, Q, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from ninja import Query, Router, Schema
from pydantic import Field, StringConstraints

from cairn.api.auth import coalition_of, token_creator
from cairn.coalitions.models import Coalition, Membership, StaffMember
from cairn.coalitions.policy import Action, allows
from cairn.events import services
from cairn.events.models import Attendance, Event, EventCampaign
from cairn.people import services as people_services
from cairn.people.models import Person

from . import hal
from .body import parse_payload, request_body
from .errors import ApiError, not_found
from .filters import DATES, FilterField, Kind, apply_filter
from .pagination import CollectionQuery, paginate
from .people import find_person, person_data, person_from_href
from .petitions import ReferrerIn, SignerLinkIn
from .schemas import (
    ERRORS,
    ErrorOut,
    Lenient,
    Link,
    PersonIn,
    ResourceOut,
    Short,
    collection_model,
)

router = Router(tags=["events"])
M = TypeVar("M", bound=Model)

EVENT_FILTERS = {
    **DATES,
    "title": FilterField("title", Kind.TEXT),
    "status": FilterField("status", Kind.TEXT),
    "start_date": FilterField("starts_at", Kind.DATETIME),
}
ATTENDANCE_FILTERS = dict(DATES)
# Action Network's events carry no time zone: a client that sends none gets UTC.
DEFAULT_TIME_ZONE = "UTC"

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Moment = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
# A form or query string carries numbers and booleans as text (Parsons' PUT sends a form).
Digits = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{1,9}$")]
Quantity = Annotated[int, Field(ge=0, lt=10**9)] | Digits
Flag = bool | Literal["true", "false", "True", "False", "1", "0"]


def flag(value: Flag | None) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    return value in {"true", "True", "1"}


def count(value: Quantity | None) -> int | None:
    return None if value is None else int(value)


# --- shapes --------------------------------------------------------------------------------------


class PointIn(Lenient):
    latitude: (
        Annotated[float, Field(ge=-90, le=90)]
        | Annotated[str, StringConstraints(pattern=r"^-?[0-9]{1,2}(\.[0-9]{1,12})?$")]
    )
    longitude: (
        Annotated[float, Field(ge=-180, le=180)]
        | Annotated[str, StringConstraints(pattern=r"^-?[0-9]{1,3}(\.[0-9]{1,12})?$")]
    )


class LocationIn(Lenient):
    """OSDI's address of an event (every field optional)."""

    venue: Short | None = None
    address_lines: Annotated[list[Short], Field(max_length=5)] | Short | None = None
    locality: Short | None = None
    region: Short | None = None
    postal_code: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]
        | Annotated[int, Field(ge=0, lt=10**12)]
        | None
    ) = None
    country: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2)] | None = None
    location: PointIn | None = None


class EventIn(Lenient):
    """An event's fields (Action Network's names); on PUT a field left out changes nothing."""

    title: Short | None = None
    name: Short | None = Field(None, description="Action Network's administrative title.")
    description: Text | None = None
    instructions: Text | None = None
    start_date: Moment | None = Field(
        None, description="ISO 8601; without an offset it is read in `time_zone`."
    )
    end_date: Moment | None = None
    time_zone: Short | None = Field(None, description="IANA name, e.g. America/New_York.")
    location: LocationIn | None = None
    online_url: Url | None = None
    capacity: Quantity | None = Field(None, description="0: unlimited.")
    status: Literal["confirmed", "tentative", "cancelled"] | None = None
    visibility: Literal["public", "private"] | None = None
    origin_system: Short | None = None


class AttendanceIn(Lenient):
    """The record-attendance helper: the person as `person` or as an `osdi:person` link."""

    person: PersonIn | None = None
    links: SignerLinkIn | None = Field(None, alias="_links")
    add_tags: list[Short] | None = Field(None, max_length=100)
    referrer_data: ReferrerIn | None = None
    answers: (
        dict[
            Annotated[str, StringConstraints(max_length=50)],
            Annotated[str, StringConstraints(max_length=2_000)] | bool,
        ]
        | None
    ) = Field(None, description="Answers to the event's RSVP questions, by question key.")


class AttendanceUpdateIn(Lenient):
    status: Literal["accepted", "declined"] | None = Field(
        None, description="`declined` cancels (the waiting list moves); `accepted` RSVPs again."
    )
    attended: Flag | None = Field(None, description="`true` checks the attendee in.")


class LocationPointOut(Schema):
    latitude: float | None
    longitude: float | None


class LocationOut(Schema):
    venue: str
    address_lines: list[str]
    locality: str
    region: str
    postal_code: str
    country: str
    location: LocationPointOut


class EventLinks(Schema):
    self_: Link = Field(alias="self")
    attendances: Link = Field(alias="osdi:attendances")
    record_attendance_helper: Link = Field(alias="osdi:record_attendance_helper")
    event_campaign: Link | None = Field(None, alias="action_network:event_campaign")


class EventOut(ResourceOut):
    origin_system: str
    name: str
    title: str
    description: str
    instructions: str
    browser_url: str | None
    start_date: str = Field(description="UTC, YYYY-MM-DDTHH:MM:SSZ")
    end_date: str | None
    time_zone: str
    location: LocationOut
    online_url: str
    capacity: int = Field(description="0: unlimited")
    total_accepted: int
    status: str
    visibility: str
    event_campaign_id: str | None = Field(alias="action_network:event_campaign_id")
    links: EventLinks = Field(alias="_links")


class AttendanceLinks(Schema):
    self_: Link = Field(alias="self")
    event: Link = Field(alias="osdi:event")
    person: Link | None = Field(None, alias="osdi:person")


class AttendanceOut(ResourceOut):
    status: str = Field(description="`accepted`, `tentative` (waiting list) or `declined`")
    attended: bool
    cairn_status: str = Field(alias="cairn:status")
    answers: dict[str, Any]
    links: AttendanceLinks = Field(alias="_links")


EventsCollection = collection_model("Events", "osdi:events", EventOut)
AttendancesCollection = collection_model("Attendances", "osdi:attendances", AttendanceOut)

OSDI_ATTENDANCE_STATUS: dict[str, str] = {
    Attendance.Status.GOING: "accepted",
    Attendance.Status.ATTENDED: "accepted",
    Attendance.Status.WAITLISTED: "tentative",
    Attendance.Status.CANCELLED: "declined",
}


# --- reads ---------------------------------------------------------------------------------------


def events_of(coalition: Coalition) -> QuerySet[Event]:
    return (
        Event.objects.for_coalition(coalition)
        .select_related("event_campaign")
        .annotate(
            accepted=Count("attendances", filter=Q(attendances__status__in=Attendance.HOLDS_PLACE))
        )
        .order_by("created_at", "pk")
    )


def attendances_of(coalition: Coalition) -> QuerySet[Attendance]:
    return (
        Attendance.objects.for_coalition(coalition)
        .select_related("event", "person")
        .order_by("created_at", "pk")
    )


def find_event(coalition: Coalition, public_id: str) -> Event:
    event = uuid_row(events_of(coalition), public_id)
    if event is None:
        raise not_found("event", public_id)
    return event


def find_attendance(rows: QuerySet[Attendance], public_id: str) -> Attendance:
    attendance = uuid_row(rows, public_id)
    if attendance is None:
        raise not_found("attendance", public_id)
    return attendance


def uuid_row(rows: QuerySet[M], public_id: str) -> M | None:
    """The row of `rows` whose uuid is `public_id` (None for no row, or for no uuid)."""
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        return None
    return rows.filter(uuid=key).first()


# --- rendering -----------------------------------------------------------------------------------


def public_url(request: HttpRequest, name: str, **kwargs: Any) -> str | None:
    try:
        return request.build_absolute_uri(reverse(name, kwargs=kwargs))
    except NoReverseMatch:
        return None


def render_event(request: HttpRequest, event: Event) -> dict[str, Any]:
    campaign = event.event_campaign
    links: dict[str, tuple[object, ...]] = {
        "osdi:attendances": ("events", event.uuid, "attendances"),
        "osdi:record_attendance_helper": ("events", event.uuid, "attendances"),
    }
    if campaign is not None:
        links["action_network:event_campaign"] = ("event_campaigns", campaign.uuid)
    accepted = getattr(event, "accepted", None)
    if accepted is None:
        accepted = event.attendances.filter(status__in=Attendance.HOLDS_PLACE).count()
    return hal.resource(
        request,
        public_id=event.uuid,
        created=event.created_at,
        modified=max(event.created_at, event.modified_at),
        self_path=("events", event.uuid),
        links=links,
        fields={
            "origin_system": event.origin_system,
            "name": event.title,
            "title": event.title,
            "description": event.description,
            "instructions": event.instructions,
            "browser_url": (
                public_url(request, "events_public:event", event_slug=event.slug)
                if event.is_public
                else None
            ),
            "start_date": hal.osdi_date(event.starts_at),
            "end_date": hal.osdi_date(event.ends_at) if event.ends_at else None,
            "time_zone": event.time_zone,
            "location": {
                "venue": event.venue,
                "address_lines": list(event.address_lines or []),
                "locality": event.locality,
                "region": event.region,
                "postal_code": event.postal_code,
                "country": event.country,
                "location": {"latitude": event.latitude, "longitude": event.longitude},
            },
            "online_url": event.online_url,
            "capacity": event.capacity or 0,
            "total_accepted": accepted,
            "status": event.status,
            "visibility": event.visibility,
            "action_network:event_campaign_id": str(campaign.uuid) if campaign else None,
        },
    )


def render_attendance(request: HttpRequest, attendance: Attendance) -> dict[str, Any]:
    links: dict[str, tuple[object, ...]] = {"osdi:event": ("events", attendance.event.uuid)}
    if attendance.person is not None:
        links["osdi:person"] = ("people", attendance.person.uuid)
    return hal.resource(
        request,
        public_id=attendance.uuid,
        created=attendance.created_at,
        modified=max(attendance.created_at, attendance.modified_at),
        self_path=("events", attendance.event.uuid, "attendances", attendance.uuid),
        links=links,
        fields={
            "status": OSDI_ATTENDANCE_STATUS.get(attendance.status, "needs action"),
            "attended": attendance.status == Attendance.Status.ATTENDED,
            "cairn:status": attendance.status,
            "answers": dict(attendance.answers or {}),
        },
    )


# --- writes: who acts, and with what ------------------------------------------------------------


def actor(request: HttpRequest) -> StaffMember | None:
    """Whom a write acts as (None: the site operator's token, acting as the stewards)."""
    return token_creator(request)


def may(staff: StaffMember | None, action: Action, membership: Membership | None = None) -> bool:
    return staff is None or allows(staff, action, membership=membership)


def may_host(staff: StaffMember | None, host: Membership | None) -> bool:
    """Stewards manage every event; an organizer the events its own organization hosts."""
    return may(staff, Action.MANAGE_EVENTS) or (
        host is not None and allows(staff, Action.HOST_EVENTS, membership=host)
    )


def intake_person(
    coalition: Coalition,
    person: PersonIn | None,
    links: SignerLinkIn | None,
    add_tags: Sequence[str] | None,
    *,
    what: str,
) -> people_services.PersonData:
    """Who takes the action, as the intake services take them: the inline person (merged into
    the CRM, with their tags), or the linked person's own email (or phone), so that the
    service's `upsert_person` finds them again and changes nothing of them."""
    if person is not None:
        data = person_data(person)
        if not data.emails and not data.phones:
            raise ApiError(400, f"{what} needs the person's email address or phone number.")
        if add_tags:
            people_services.upsert_person(
                coalition=coalition, data=data, add_tags=add_tags, subscription_source="api"
            )
        return data
    link = links.person if links is not None else None
    if link is None:
        raise ApiError(400, f"{what} needs `person` or an `osdi:person` link in `_links`.")
    found = person_from_href(coalition, link.href)
    data = linked_person_data(found)
    if add_tags:
        people_services.upsert_person(coalition=coalition, data=data, add_tags=add_tags)
    return data


def linked_person_data(person: Person) -> people_services.PersonData:
    email = next(iter(sorted(person.emails.all(), key=lambda e: not e.primary)), None)
    if email is not None:
        return people_services.PersonData(emails=[people_services.EmailInput(email.address)])
    phone = next(iter(sorted(person.phones.all(), key=lambda p: not p.primary)), None)
    if phone is not None:
        return people_services.PersonData(phones=[people_services.PhoneInput(phone.number)])
    raise ApiError(400, "This person has no email address or phone number to match them by.")


def parse_moment(value: str, time_zone: str, field: str) -> dt.datetime:
    """An aware UTC instant; a value without an offset is a wall time in `time_zone` (one that
    the zone skips at a DST change is refused by the events service)."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise ApiError(
            400,
            f"{field} must be a date and time such as 2027-03-14T18:00:00-04:00, or "
            "2027-03-14 18:00:00 read in the event's time_zone.",
        ) from error
    try:
        return services.local_to_utc(moment, time_zone)
    except OverflowError as error:
        raise ApiError(400, f"{field} is out of range.") from error


def event_fields(payload: EventIn, current: Event | None) -> dict[str, Any]:
    """The events service's keyword arguments for the fields given (None: left out)."""
    fields: dict[str, Any] = {}
    title = payload.title if payload.title is not None else payload.name
    if title is not None:
        if not title:
            raise ApiError(400, "An event needs a title.")
        fields["title"] = title
    for name in ("description", "instructions", "online_url", "origin_system"):
        value = getattr(payload, name)
        if value is not None:
            fields[name] = value
    if payload.status is not None:
        fields["status"] = payload.status
    if payload.visibility is not None:
        fields["visibility"] = payload.visibility
    if payload.capacity is not None:
        fields["capacity"] = count(payload.capacity) or None
    zone = payload.time_zone or (current.time_zone if current else DEFAULT_TIME_ZONE)
    if payload.time_zone is not None:
        fields["time_zone"] = zone
    if payload.start_date is not None:
        fields["starts_at"] = parse_moment(payload.start_date, zone, "start_date")
    if payload.end_date is not None:
        fields["ends_at"] = parse_moment(payload.end_date, zone, "end_date")
    starts = fields.get("starts_at", current.starts_at if current else None)
    ends = fields.get("ends_at", current.ends_at if current else None)
    if starts is not None and ends is not None and ends < starts:
        raise ApiError(400, "end_date is before start_date.")
    if payload.location is not None:
        fields.update(_location_fields(payload.location))
    return fields


def _location_fields(location: LocationIn) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in ("venue", "locality", "region", "country"):
        value = getattr(location, name)
        if value is not None:
            fields[name] = value.upper() if name == "country" else value
    if location.postal_code is not None:
        fields["postal_code"] = str(location.postal_code)
    if location.address_lines is not None:
        lines = location.address_lines
        fields["address_lines"] = [lines] if isinstance(lines, str) else list(lines)
    if location.location is not None:
        fields["latitude"] = float(location.location.latitude)
        fields["longitude"] = float(location.location.longitude)
    return fields


def host_of(coalition: Coalition, staff: StaffMember | None) -> Membership | None:
    return staff.membership if staff is not None else None


def create_event_for(
    request: HttpRequest, coalition: Coalition, event_campaign: EventCampaign | None
) -> Event:
    """POST /events and POST /event_campaigns/{id}/events."""
    payload = parse_payload(request, EventIn)
    fields = event_fields(payload, None)
    title = fields.pop("title", None)
    if not title:
        raise ApiError(400, "An event needs a title.")
    starts_at = fields.pop("starts_at", None)
    if starts_at is None:
        raise ApiError(
            400,
            "An event needs a start_date (e.g. 2027-03-14 18:00:00 with a time_zone such as "
            "America/New_York): its pages, reminders and calendar entries need a time.",
        )
    staff = actor(request)
    host = host_of(coalition, staff)
    if not may_host(staff, host):
        raise ApiError(403, "This token may not create events.")
    event = services.create_event(
        coalition=coalition,
        title=title,
        starts_at=starts_at,
        time_zone=fields.pop("time_zone", DEFAULT_TIME_ZONE),
        by=staff.user if staff is not None else None,
        host=host,
        event_campaign=event_campaign,
        **fields,
    )
    return find_event(coalition, str(event.uuid))


# --- events --------------------------------------------------------------------------------------


@router.get(
    "/events",
    response={200: EventsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="List events",
)
def list_events(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = events_of(coalition_of(request))
    return paginate(
        request,
        apply_filter(rows, query.filter, EVENT_FILTERS),
        rel="osdi:events",
        render=lambda e: render_event(request, e),
        query=query,
    )


@router.post(
    "/events",
    response={200: EventOut, **ERRORS},
    by_alias=True,
    summary="Create an event (title and start_date required)",
    openapi_extra=request_body(EventIn),
)
def create_event(request: HttpRequest) -> dict[str, Any]:
    coalition = coalition_of(request)
    return render_event(request, create_event_for(request, coalition, None))


@router.get(
    "/events/{event_uuid}", response={200: EventOut, **ERRORS}, by_alias=True, summary="An event"
)
def get_event(request: HttpRequest, event_uuid: str) -> dict[str, Any]:
    return render_event(request, find_event(coalition_of(request), event_uuid))


@router.put(
    "/events/{event_uuid}",
    response={200: EventOut, **ERRORS},
    by_alias=True,
    summary="Update an event: the given fields change",
    openapi_extra=request_body(EventIn),
)
def update_event(request: HttpRequest, event_uuid: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    event = find_event(coalition, event_uuid)
    payload = parse_payload(request, EventIn)
    staff = actor(request)
    if not may_host(staff, event.host):
        raise ApiError(403, "This token may not change this event.")
    fields = event_fields(payload, event)
    if fields:
        services.update_event(event=event, **fields)
    return render_event(request, find_event(coalition, event_uuid))


# --- attendances ---------------------------------------------------------------------------------


def list_attendances_of(
    request: HttpRequest, rows: QuerySet[Attendance], query: CollectionQuery
) -> dict[str, Any]:
    return paginate(
        request,
        apply_filter(rows, query.filter, ATTENDANCE_FILTERS),
        rel="osdi:attendances",
        render=lambda a: render_attendance(request, a),
        query=query,
    )


def record_attendance_at(request: HttpRequest, coalition: Coalition, event: Event) -> Attendance:
    payload = parse_payload(request, AttendanceIn)
    staff = actor(request)
    if not may_host(staff, event.host):
        raise ApiError(403, "This token may not record attendances of this event.")
    referrer = payload.referrer_data or ReferrerIn()
    # One transaction: a refused RSVP leaves no new person behind either.
    with transaction.atomic():
        data = intake_person(
            coalition, payload.person, payload.links, payload.add_tags, what="An attendance"
        )
        result = services.rsvp(
            event=event,
            person=data,
            answers=dict(payload.answers or {}),
            referrer=referrer.referrer,
            source=referrer.source or "api",
            past_ok=True,  # a client importing history records attendances at past events
        )
    return find_attendance(attendances_of(coalition), str(result.attendance.uuid))


@router.get(
    "/events/{event_uuid}/attendances",
    response={200: AttendancesCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The attendances (RSVPs) of an event",
)
def list_attendances(
    request: HttpRequest, event_uuid: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    event = find_event(coalition, event_uuid)
    return list_attendances_of(request, attendances_of(coalition).filter(event=event), query)


@router.post(
    "/events/{event_uuid}/attendances",
    response={200: AttendanceOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="Record-attendance helper: an RSVP, once per person (a retry returns the first)",
    openapi_extra=request_body(AttendanceIn),
)
def record_attendance(request: HttpRequest, event_uuid: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    event = find_event(coalition, event_uuid)
    return render_attendance(request, record_attendance_at(request, coalition, event))


@router.get(
    "/events/{event_uuid}/attendances/{attendance_uuid}",
    response={200: AttendanceOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="An attendance",
)
def get_attendance(request: HttpRequest, event_uuid: str, attendance_uuid: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    event = find_event(coalition, event_uuid)
    rows = attendances_of(coalition).filter(event=event)
    return render_attendance(request, find_attendance(rows, attendance_uuid))


def update_attendance_at(
    request: HttpRequest, coalition: Coalition, event: Event, attendance_uuid: str
) -> Attendance:
    rows = attendances_of(coalition).filter(event=event)
    attendance = find_attendance(rows, attendance_uuid)
    payload = parse_payload(request, AttendanceUpdateIn)
    staff = actor(request)
    if not may_host(staff, event.host):
        raise ApiError(403, "This token may not change attendances of this event.")
    by = staff.user if staff is not None else None
    if payload.status == "declined":
        services.cancel_rsvp(attendance=attendance, by=by)
    elif payload.status == "accepted" and attendance.status == Attendance.Status.CANCELLED:
        if attendance.person is None:
            raise ApiError(409, "This attendee was erased: their RSVP cannot be renewed.")
        services.rsvp(
            event=event,
            person=linked_person_data(attendance.person),
            source="api",
            past_ok=True,
        )
    if flag(payload.attended):
        services.check_in(attendance=find_attendance(rows, attendance_uuid), by=by)
    return find_attendance(rows, attendance_uuid)


@router.put(
    "/events/{event_uuid}/attendances/{attendance_uuid}",
    response={200: AttendanceOut, 409: ErrorOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary=(
        "Update an attendance: cancel it, renew it, or check the attendee in (409 when a "
        "check-in finds the event full)"
    ),
    openapi_extra=request_body(AttendanceUpdateIn),
)
def update_attendance(
    request: HttpRequest, event_uuid: str, attendance_uuid: str
) -> dict[str, Any]:
    coalition = coalition_of(request)
    event = find_event(coalition, event_uuid)
    return render_attendance(
        request, update_attendance_at(request, coalition, event, attendance_uuid)
    )


@router.get(
    "/people/{person_id}/attendances",
    response={200: AttendancesCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The attendances of a person",
)
def list_person_attendances(
    request: HttpRequest, person_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    person = find_person(coalition, person_id)
    return list_attendances_of(request, attendances_of(coalition).filter(person=person), query)


@router.get(
    "/people/{person_id}/attendances/{attendance_uuid}",
    response={200: AttendanceOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="An attendance of a person",
)
def get_person_attendance(
    request: HttpRequest, person_id: str, attendance_uuid: str
) -> dict[str, Any]:
    coalition = coalition_of(request)
    person = find_person(coalition, person_id)
    rows = attendances_of(coalition).filter(person=person)
    return render_attendance(request, find_attendance(rows, attendance_uuid))
