"""OSDI event campaigns (Action Network's shapes): a distributed day of action whose events
member organizations host, with the events under it and their attendances.

- An event campaign's id is its uuid. `POST /event_campaigns` creates one through the events
  service (`title` required; `description`, `host_instructions` — the host toolkit, sanitized
  HTML — `status` `draft`/`open`/`closed`, `visibility`, `origin_system`); `PUT` changes the
  given fields. `total_events` and `total_rsvps` (attendances that hold a place) are counted from
  the rows.
- `GET/POST /event_campaigns/{id}/events`: its events, and a new event in it (the same fields
  and rules as `POST /events`).
- `GET/POST /event_campaigns/{id}/events/{event_id}/attendances`: an event of the campaign's
  attendances, and the record-attendance helper there (as under `/events/{id}`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field, StringConstraints

from cairn.api.auth import coalition_of
from cairn.coalitions.models import Coalition
from cairn.coalitions.policy import Action
from cairn.events import services
from cairn.events.models import Attendance, EventCampaign

from . import hal
from .body import parse_payload, request_body
from .errors import ApiError, not_found
from .events import (
    EVENT_FILTERS,
    AttendanceIn,
    AttendanceOut,
    AttendancesCollection,
    EventIn,
    EventOut,
    EventsCollection,
    actor,
    attendances_of,
    create_event_for,
    events_of,
    find_event,
    list_attendances_of,
    may,
    public_url,
    record_attendance_at,
    render_attendance,
    render_event,
    uuid_row,
)
from .filters import DATES, FilterField, Kind, apply_filter
from .pagination import CollectionQuery, paginate
from .schemas import ERRORS, Lenient, Link, ResourceOut, Short, collection_model

router = Router(tags=["event campaigns"])

EVENT_CAMPAIGN_FILTERS = {
    **DATES,
    "title": FilterField("title", Kind.TEXT),
    "status": FilterField("status", Kind.TEXT),
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]


class EventCampaignIn(Lenient):
    """An event campaign's fields (Action Network's names); on PUT a field left out changes
    nothing."""

    title: Short | None = None
    name: Short | None = Field(None, description="Action Network's administrative title.")
    description: Text | None = None
    host_instructions: Text | None = Field(None, description="The host toolkit (HTML).")
    status: Literal["draft", "open", "closed"] | None = None
    visibility: Literal["public", "private"] | None = None
    origin_system: Short | None = None


class EventCampaignLinks(Schema):
    self_: Link = Field(alias="self")
    events: Link = Field(alias="osdi:events")


class EventCampaignOut(ResourceOut):
    origin_system: str
    name: str
    title: str
    description: str
    host_instructions: str
    browser_url: str | None
    status: str
    visibility: str
    total_events: int
    total_rsvps: int
    links: EventCampaignLinks = Field(alias="_links")


EventCampaignsCollection = collection_model(
    "EventCampaigns", "osdi:event_campaigns", EventCampaignOut
)


def event_campaigns_of(coalition: Coalition) -> QuerySet[EventCampaign]:
    return (
        EventCampaign.objects.for_coalition(coalition)
        .annotate(
            n_events=Count("events", distinct=True),
            n_rsvps=Count(
                "events__attendances",
                filter=Q(events__attendances__status__in=Attendance.HOLDS_PLACE),
                distinct=True,
            ),
        )
        .order_by("created_at", "pk")
    )


def find_event_campaign(coalition: Coalition, public_id: str) -> EventCampaign:
    campaign = uuid_row(event_campaigns_of(coalition), public_id)
    if campaign is None:
        raise not_found("event campaign", public_id)
    return campaign


def render_event_campaign(request: HttpRequest, campaign: EventCampaign) -> dict[str, Any]:
    return hal.resource(
        request,
        public_id=campaign.uuid,
        created=campaign.created_at,
        modified=max(campaign.created_at, campaign.modified_at),
        self_path=("event_campaigns", campaign.uuid),
        links={"osdi:events": ("event_campaigns", campaign.uuid, "events")},
        fields={
            "origin_system": campaign.origin_system,
            "name": campaign.title,
            "title": campaign.title,
            "description": campaign.description,
            "host_instructions": campaign.host_toolkit,
            "browser_url": (
                public_url(request, "events_public:event_campaign", campaign_slug=campaign.slug)
                if campaign.is_public
                else None
            ),
            "status": campaign.status,
            "visibility": campaign.visibility,
            "total_events": getattr(campaign, "n_events", 0),
            "total_rsvps": getattr(campaign, "n_rsvps", 0),
        },
    )


def _fields(payload: EventCampaignIn) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    title = payload.title if payload.title is not None else payload.name
    if title is not None:
        if not title:
            raise ApiError(400, "An event campaign needs a title.")
        fields["title"] = title
    if payload.description is not None:
        fields["description"] = payload.description
    if payload.host_instructions is not None:
        fields["host_toolkit"] = payload.host_instructions
    for name in ("status", "visibility", "origin_system"):
        value = getattr(payload, name)
        if value is not None:
            fields[name] = value
    return fields


@router.get(
    "/event_campaigns",
    response={200: EventCampaignsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="List event campaigns",
)
def list_event_campaigns(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = event_campaigns_of(coalition_of(request))
    return paginate(
        request,
        apply_filter(rows, query.filter, EVENT_CAMPAIGN_FILTERS),
        rel="osdi:event_campaigns",
        render=lambda c: render_event_campaign(request, c),
        query=query,
    )


@router.post(
    "/event_campaigns",
    response={200: EventCampaignOut, **ERRORS},
    by_alias=True,
    summary="Create an event campaign (a distributed day of action)",
    openapi_extra=request_body(EventCampaignIn),
)
def create_event_campaign(request: HttpRequest) -> dict[str, Any]:
    coalition = coalition_of(request)
    payload = parse_payload(request, EventCampaignIn)
    fields = _fields(payload)
    title = fields.pop("title", None)
    if not title:
        raise ApiError(400, "An event campaign needs a title.")
    staff = actor(request)
    if not may(staff, Action.MANAGE_EVENTS):
        raise ApiError(403, "This token may not create event campaigns.")
    campaign = services.create_event_campaign(
        coalition=coalition, title=title, by=staff.user if staff else None, **fields
    )
    return render_event_campaign(request, find_event_campaign(coalition, str(campaign.uuid)))


@router.get(
    "/event_campaigns/{event_campaign_uuid}",
    response={200: EventCampaignOut, **ERRORS},
    by_alias=True,
    summary="An event campaign",
)
def get_event_campaign(request: HttpRequest, event_campaign_uuid: str) -> dict[str, Any]:
    campaign = find_event_campaign(coalition_of(request), event_campaign_uuid)
    return render_event_campaign(request, campaign)


@router.put(
    "/event_campaigns/{event_campaign_uuid}",
    response={200: EventCampaignOut, **ERRORS},
    by_alias=True,
    summary="Update an event campaign: the given fields change",
    openapi_extra=request_body(EventCampaignIn),
)
def update_event_campaign(request: HttpRequest, event_campaign_uuid: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    campaign = find_event_campaign(coalition, event_campaign_uuid)
    payload = parse_payload(request, EventCampaignIn)
    if not may(actor(request), Action.MANAGE_EVENTS):
        raise ApiError(403, "This token may not change event campaigns.")
    fields = _fields(payload)
    if fields:
        services.update_event_campaign(event_campaign=campaign, **fields)
    return render_event_campaign(request, find_event_campaign(coalition, event_campaign_uuid))


@router.get(
    "/event_campaigns/{event_campaign_uuid}/events",
    response={200: EventsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The events of an event campaign",
)
def list_event_campaign_events(
    request: HttpRequest, event_campaign_uuid: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    campaign = find_event_campaign(coalition, event_campaign_uuid)
    rows = events_of(coalition).filter(event_campaign=campaign)
    return paginate(
        request,
        apply_filter(rows, query.filter, EVENT_FILTERS),
        rel="osdi:events",
        render=lambda e: render_event(request, e),
        query=query,
    )


@router.post(
    "/event_campaigns/{event_campaign_uuid}/events",
    response={200: EventOut, **ERRORS},
    by_alias=True,
    summary="Create an event in an event campaign (title and start_date required)",
    openapi_extra=request_body(EventIn),
)
def create_event_campaign_event(request: HttpRequest, event_campaign_uuid: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    campaign = find_event_campaign(coalition, event_campaign_uuid)
    return render_event(request, create_event_for(request, coalition, campaign))


def _campaign_event(coalition: Coalition, event_campaign_uuid: str, event_uuid: str) -> Any:
    campaign = find_event_campaign(coalition, event_campaign_uuid)
    event = find_event(coalition, event_uuid)
    if event.event_campaign_id != campaign.pk:
        raise not_found("event", event_uuid)
    return event


@router.get(
    "/event_campaigns/{event_campaign_uuid}/events/{event_uuid}/attendances",
    response={200: AttendancesCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The attendances of an event of an event campaign",
)
def list_event_campaign_attendances(
    request: HttpRequest, event_campaign_uuid: str, event_uuid: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    event = _campaign_event(coalition, event_campaign_uuid, event_uuid)
    return list_attendances_of(request, attendances_of(coalition).filter(event=event), query)


@router.post(
    "/event_campaigns/{event_campaign_uuid}/events/{event_uuid}/attendances",
    response={200: AttendanceOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="Record-attendance helper for an event of an event campaign",
    openapi_extra=request_body(AttendanceIn),
)
def record_event_campaign_attendance(
    request: HttpRequest, event_campaign_uuid: str, event_uuid: str
) -> dict[str, Any]:
    coalition = coalition_of(request)
    event = _campaign_event(coalition, event_campaign_uuid, event_uuid)
    return render_attendance(request, record_attendance_at(request, coalition, event))
