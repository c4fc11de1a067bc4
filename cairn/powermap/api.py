"""The power map in the JSON API: stakeholders, their position history and relationships, the
relationships collection, and the latest graph figures, as HAL resources in the style of
cairn.api.osdi (coalition-scoped tokens, OSDI collections, JSON errors).

Mounted with `api.add_router("", cairn.powermap.api.router)` in cairn/api/osdi/api.py, so every
POST accepts an `Idempotency-Key` (cairn/api/osdi/urls.py `api_view`). Every read goes through a
selector scoped by the token's coalition: another coalition's stakeholder or relationship is a
404, never a 403 that would confirm it exists.

Writes act as the user who created the token, through the services the pages use: adding
stakeholders, relationships and positions needs `add_to_powermap` (organizers and stewards);
changing a stakeholder or a relationship, or removing one, needs `edit_powermap` (stewards). A
token without a creator was issued by the site operator and acts as the coalition's stewards.

- `POST /stakeholders` answers 201; a name (or imported id) the coalition has already is a 409
  that links the existing stakeholder.
- `POST /relationships` answers 201; the same tie again (same ends and kind) is a 409 that links
  it. An undirected kind (allied_with, personal_tie) is stored once, lower id first.
- `POST /stakeholders/{id}/positions` answers 201 and the stakeholder shows the latest by date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field, StringConstraints

from cairn.api.auth import coalition_of, token_creator
from cairn.api.osdi import hal
from cairn.api.osdi.body import parse_payload, request_body
from cairn.api.osdi.errors import ApiError, not_found
from cairn.api.osdi.filters import FilterField, Kind, apply_filter
from cairn.api.osdi.pagination import CollectionQuery, paginate
from cairn.api.osdi.schemas import ERRORS, Lenient
from cairn.coalitions.models import Coalition, Membership, StaffMember
from cairn.coalitions.policy import Action, allows

from . import analysis, selectors, services
from .models import (
    DIRECTED_KINDS,
    POSITION_SCORE,
    FigureRun,
    PositionChange,
    Relationship,
    RelationshipKind,
    Stakeholder,
    StakeholderPosition,
)

router = Router(tags=["power map"])

DateText = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Evidence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Id = Annotated[int, Field(ge=1, le=2**62)]

KindName = Literal["organization", "person", "office"]
# The model's choices, spelled out for the OpenAPI document (a test keeps them equal).
SectorName = Literal[
    "health_care",
    "insurance",
    "government",
    "nonprofit",
    "faith",
    "labor",
    "business",
    "academia",
    "media",
    "philanthropy",
    "community",
    "advocacy",
    "public_safety",
    "other",
]
PositionName = Literal["opposed", "skeptical", "neutral", "supportive", "champion", "unknown"]
RelationshipName = Literal[
    "funds",
    "board_seat",
    "employs",
    "member_of",
    "regulates",
    "votes_on",
    "allied_with",
    "opposes",
    "covers",
    "personal_tie",
]

STAKEHOLDER_FILTERS = {
    "created_date": FilterField("created_at", Kind.DATETIME),
    "name": FilterField("name", Kind.TEXT),
}
RECORDED_FILTERS = {  # position changes and relationships: dated when recorded
    "created_date": FilterField("recorded_at", Kind.DATETIME),
    "modified_date": FilterField("recorded_at", Kind.DATETIME),
}


class StakeholderIn(Lenient):
    name: Name
    kind: KindName
    sector: SectorName
    influence: int = Field(50, ge=0, le=100, description="An estimate from 0 to 100.")
    description: Text = Field("", description="Stated mission or biography.")
    website: Url = ""
    tags: list[TagName] = Field(default_factory=list, max_length=50)
    held_by: Id | None = Field(None, description="The id of the member organization (membership).")
    external_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class StakeholderUpdate(Lenient):
    """Given fields replace; others stay."""

    name: Name | None = None
    kind: KindName | None = None
    sector: SectorName | None = None
    influence: int | None = Field(None, ge=0, le=100)
    description: Text | None = None
    website: Url | None = None
    tags: list[TagName] | None = Field(None, max_length=50)
    held_by: Id | None = None


class PositionIn(Lenient):
    position: PositionName
    date: DateText = Field(description="The day the position was known, YYYY-MM-DD.")
    evidence: Evidence = Field(description="A vote, a statement, a meeting: what it rests on.")
    source_url: Url = ""


class RelationshipIn(Lenient):
    source: Id = Field(description="The stakeholder id the tie starts from.")
    target: Id = Field(description="The stakeholder id it goes to.")
    kind: RelationshipName
    weight: Annotated[Decimal, Field(strict=False, allow_inf_nan=False)] = Field(
        Decimal(1), description="From 0.1 to 10; 1 is ordinary."
    )
    evidence: Evidence = Field(description="How we know: a note, a filing, an article.")
    source_url: Url = ""
    observed_on: DateText | None = None


class RelationshipUpdate(Lenient):
    kind: RelationshipName | None = None
    weight: Annotated[Decimal, Field(strict=False, allow_inf_nan=False)] | None = None
    evidence: Evidence | None = None
    source_url: Url | None = None
    observed_on: DateText | None = None


class StakeholderQuery(CollectionQuery):
    sector: str | None = Field(None, max_length=40, description="A sector, e.g. `faith`.")
    position: str | None = Field(None, max_length=20, description="A position, e.g. `champion`.")
    kind: str | None = Field(None, max_length=20)
    tag: str | None = Field(None, max_length=80, description="A tag name.")
    q: str | None = Field(None, max_length=200, description="Words in the name or mission.")


class RelationshipQuery(CollectionQuery):
    kind: str | None = Field(None, max_length=20)
    stakeholder: str | None = Field(None, max_length=20, description="Ties touching this id.")


_GET: dict[str, Any] = {"response": {200: dict[str, Any], **ERRORS}, "exclude_unset": True}
_POST: dict[str, Any] = {"response": {201: dict[str, Any], **ERRORS, 409: dict[str, Any]}}
_PUT: dict[str, Any] = {"response": {200: dict[str, Any], **ERRORS, 409: dict[str, Any]}}
_DELETE: dict[str, Any] = {"response": {200: dict[str, Any], **ERRORS}}


# --- rendering -----------------------------------------------------------------------------------


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def render_stakeholder(
    request: HttpRequest, row: Stakeholder, figures: dict[str, Any] | None = None
) -> dict[str, Any]:
    path = ("stakeholders", row.pk)
    fields: dict[str, Any] = {
        "name": row.name,
        "kind": row.kind,
        "sector": row.sector,
        "position": row.position,
        "position_score": POSITION_SCORE[row.position],
        "position_date": _date(row.position_on),
        "influence": row.influence,
        "description": row.description,
        "website": row.website,
        "tags": sorted(t.name for t in row.tags.all()),
        "held_by": row.held_by_id,
        "organization": row.organization_id,
        "decision_maker": row.decision_maker_id,
        "external_id": row.external_id,
    }
    if figures is not None:
        fields["figures"] = figures
    return hal.resource(
        request,
        public_id=row.pk,
        created=row.created_at,
        modified=row.created_at,
        self_path=path,
        links={
            "cairn:positions": (*path, "positions"),
            "cairn:relationships": (*path, "relationships"),
        },
        fields=fields,
    )


def render_position(request: HttpRequest, change: PositionChange) -> dict[str, Any]:
    path = ("stakeholders", change.stakeholder_id)
    return hal.resource(
        request,
        public_id=change.pk,
        created=change.recorded_at,
        modified=change.recorded_at,
        self_path=(*path, "positions", change.pk),
        links={"cairn:stakeholder": path},
        fields={
            "position": change.position,
            "position_label": StakeholderPosition(change.position).label,
            "date": change.on.isoformat(),
            "evidence": change.evidence,
            "source_url": change.source_url,
        },
    )


def render_relationship(request: HttpRequest, tie: Relationship) -> dict[str, Any]:
    return hal.resource(
        request,
        public_id=tie.pk,
        created=tie.recorded_at,
        modified=tie.recorded_at,
        self_path=("relationships", tie.pk),
        links={
            "cairn:source": ("stakeholders", tie.source_id),
            "cairn:target": ("stakeholders", tie.target_id),
        },
        fields={
            "source": tie.source_id,
            "target": tie.target_id,
            "source_name": tie.source.name,
            "target_name": tie.target.name,
            "kind": tie.kind,
            "kind_label": RelationshipKind(tie.kind).label,
            "directed": tie.kind in DIRECTED_KINDS,
            "weight": float(tie.weight),
            "evidence": tie.evidence,
            "source_url": tie.source_url,
            "observed_on": _date(tie.observed_on),
        },
    )


def _stakeholder_figures(row: Any) -> dict[str, Any]:
    return {
        "pagerank": row.pagerank,
        "betweenness": row.betweenness,
        "constraint": row.constraint,
        "effective_size": row.effective_size,
        "community": row.community,
        "reach": row.reach,
    }


# --- lookups and permissions ---------------------------------------------------------------------


def _pk(public_id: str) -> int | None:
    text = public_id.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def find_stakeholder(coalition: Coalition, public_id: str) -> Stakeholder:
    pk = _pk(public_id)
    row = None if pk is None else selectors.stakeholder(coalition, pk)
    if row is None:
        raise not_found("stakeholder", public_id)
    return row


def find_relationship(coalition: Coalition, public_id: str) -> Relationship:
    pk = _pk(public_id)
    row = None if pk is None else selectors.relationship(coalition, pk)
    if row is None:
        raise not_found("relationship", public_id)
    return row


def _actor(request: HttpRequest, action: Action) -> StaffMember | None:
    """Whom a write acts as (`token_creator`: None is the operator's token, which acts as the
    coalition's stewards). Refused unless that role may take `action`."""
    staff = token_creator(request)
    if staff is not None and not allows(staff, action):
        raise ApiError(403, "This token's role may not change the power map this way.")
    return staff


def _user(staff: StaffMember | None) -> Any:
    return staff.user if staff is not None else None


def _membership(coalition: Coalition, pk: int | None) -> Membership | None:
    if pk is None:
        return None
    found = Membership.objects.for_coalition(coalition).filter(pk=pk).first()
    if found is None:
        raise ApiError(400, f"Invalid request: held_by: no member organization {pk} here.")
    return found


def _day(text: str | None, field: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, f"Invalid request: {field}: not a date.") from None


def _conflict(request: HttpRequest, message: str, path: tuple[object, ...]) -> Status[Any]:
    return Status(409, {"error": message, "_links": {"cairn:existing": hal.link(request, *path)}})


# --- stakeholders --------------------------------------------------------------------------------


@router.get("/stakeholders", **_GET, summary="List the power map's stakeholders")
def list_stakeholders(request: HttpRequest, query: Query[StakeholderQuery]) -> dict[str, Any]:
    coalition = coalition_of(request)
    services.ensure_stakeholders_for_coalition(coalition=coalition)
    rows = selectors.stakeholders(
        coalition,
        sector=query.sector,
        position=query.position,
        kind=query.kind,
        tag=query.tag,
        search=query.q or "",
    ).prefetch_related("tags")
    return paginate(
        request,
        apply_filter(rows, query.filter, STAKEHOLDER_FILTERS),
        rel="cairn:stakeholders",
        render=lambda s: render_stakeholder(request, s),
        query=query,
    )


@router.post(
    "/stakeholders",
    **_POST,
    summary="Add a stakeholder (201); a name already on the map is 409",
    openapi_extra=request_body(StakeholderIn),
)
def create_stakeholder(request: HttpRequest) -> Status[dict[str, Any]]:
    coalition = coalition_of(request)
    staff = _actor(request, Action.ADD_TO_POWERMAP)
    payload = parse_payload(request, StakeholderIn)
    data = services.StakeholderData(
        name=payload.name,
        kind=payload.kind,
        sector=payload.sector,
        influence=payload.influence,
        description=payload.description,
        website=payload.website,
        held_by=_membership(coalition, payload.held_by),
        external_id=payload.external_id,
    )
    try:
        row = services.create_stakeholder(
            coalition=coalition, data=data, tags=payload.tags, by=_user(staff)
        )
    except services.StakeholderExists as clash:
        existing = clash.existing
        return _conflict(request, str(clash), ("stakeholders", existing.pk if existing else ""))
    except services.PowermapError as error:
        raise ApiError(400, str(error)) from error
    return Status(201, render_stakeholder(request, find_stakeholder(coalition, str(row.pk))))


@router.get(
    "/stakeholders/{stakeholder_id}",
    **_GET,
    summary="A stakeholder, with its figures from the latest computation",
)
def get_stakeholder(request: HttpRequest, stakeholder_id: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    row = find_stakeholder(coalition, stakeholder_id)
    run = _latest_run(coalition)
    figure = run.figures.filter(stakeholder_id=row.pk).first() if run is not None else None
    return render_stakeholder(
        request, row, figures=_stakeholder_figures(figure) if figure is not None else {}
    )


@router.put(
    "/stakeholders/{stakeholder_id}",
    **_PUT,
    summary="Change a stakeholder: given fields replace (its position has its own history)",
    openapi_extra=request_body(StakeholderUpdate),
)
def update_stakeholder(request: HttpRequest, stakeholder_id: str) -> Any:
    coalition = coalition_of(request)
    row = find_stakeholder(coalition, stakeholder_id)
    staff = _actor(request, Action.EDIT_POWERMAP)
    payload = parse_payload(request, StakeholderUpdate)
    given = payload.model_fields_set
    data = services.StakeholderData(
        name=payload.name if payload.name is not None else row.name,
        kind=payload.kind or row.kind,
        sector=payload.sector or row.sector,
        influence=payload.influence if payload.influence is not None else row.influence,
        description=payload.description if payload.description is not None else row.description,
        website=payload.website if payload.website is not None else row.website,
        held_by=_membership(coalition, payload.held_by) if "held_by" in given else row.held_by,
        external_id=row.external_id,
    )
    try:
        services.update_stakeholder(stakeholder=row, data=data, tags=payload.tags, by=_user(staff))
    except services.StakeholderExists as clash:
        existing = clash.existing
        return _conflict(request, str(clash), ("stakeholders", existing.pk if existing else ""))
    except services.PowermapError as error:
        raise ApiError(400, str(error)) from error
    return render_stakeholder(request, find_stakeholder(coalition, stakeholder_id))


@router.get(
    "/stakeholders/{stakeholder_id}/positions",
    **_GET,
    summary="A stakeholder's position history, with evidence, by date",
)
def list_positions(
    request: HttpRequest, stakeholder_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    row = find_stakeholder(coalition_of(request), stakeholder_id)
    rows = PositionChange.objects.for_coalition(row.coalition_id).filter(stakeholder=row)
    return paginate(
        request,
        apply_filter(rows.order_by("on", "pk"), query.filter, RECORDED_FILTERS),
        rel="cairn:positions",
        render=lambda c: render_position(request, c),
        query=query,
    )


@router.post(
    "/stakeholders/{stakeholder_id}/positions",
    **_POST,
    summary="Record a stakeholder's position on a day, with its evidence (201)",
    openapi_extra=request_body(PositionIn),
)
def record_position(request: HttpRequest, stakeholder_id: str) -> Status[dict[str, Any]]:
    row = find_stakeholder(coalition_of(request), stakeholder_id)
    staff = _actor(request, Action.ADD_TO_POWERMAP)
    payload = parse_payload(request, PositionIn)
    on = _day(payload.date, "date")
    assert on is not None  # noqa: S101 - the date is required by the schema
    try:
        change = services.record_position(
            stakeholder=row,
            position=payload.position,
            on=on,
            evidence=payload.evidence,
            source_url=payload.source_url,
            by=_user(staff),
        )
    except services.PowermapError as error:
        raise ApiError(400, str(error)) from error
    return Status(201, render_position(request, change))


@router.get(
    "/stakeholders/{stakeholder_id}/relationships",
    **_GET,
    summary="A stakeholder's relationships, both ways, with evidence",
)
def list_stakeholder_relationships(
    request: HttpRequest, stakeholder_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    row = find_stakeholder(coalition, stakeholder_id)
    rows = selectors.relationships(coalition, stakeholder_id=row.pk)
    return paginate(
        request,
        apply_filter(rows, query.filter, RECORDED_FILTERS),
        rel="cairn:relationships",
        render=lambda r: render_relationship(request, r),
        query=query,
    )


# --- relationships -------------------------------------------------------------------------------


@router.get("/relationships", **_GET, summary="List the power map's relationships")
def list_relationships(request: HttpRequest, query: Query[RelationshipQuery]) -> dict[str, Any]:
    coalition = coalition_of(request)
    around = _pk(query.stakeholder) if query.stakeholder else None
    if query.stakeholder and around is None:
        raise ApiError(400, "Invalid request: stakeholder: not an id.")
    rows: QuerySet[Relationship] = selectors.relationships(
        coalition, kind=query.kind, stakeholder_id=around
    )
    return paginate(
        request,
        apply_filter(rows, query.filter, RECORDED_FILTERS),
        rel="cairn:relationships",
        render=lambda r: render_relationship(request, r),
        query=query,
    )


@router.post(
    "/relationships",
    **_POST,
    summary="Record a relationship with its evidence (201); the same tie again is 409",
    openapi_extra=request_body(RelationshipIn),
)
def create_relationship(request: HttpRequest) -> Status[dict[str, Any]]:
    coalition = coalition_of(request)
    staff = _actor(request, Action.ADD_TO_POWERMAP)
    payload = parse_payload(request, RelationshipIn)
    ends = selectors.stakeholders_by_ids(coalition, [payload.source, payload.target])
    for end in (payload.source, payload.target):
        if end not in ends:
            raise ApiError(400, f"Invalid request: no stakeholder {end} on this map.")
    try:
        tie = services.add_relationship(
            source=ends[payload.source],
            target=ends[payload.target],
            kind=payload.kind,
            weight=payload.weight,
            evidence=payload.evidence,
            source_url=payload.source_url,
            observed_on=_day(payload.observed_on, "observed_on"),
            by=_user(staff),
        )
    except services.RelationshipExists as clash:
        existing = clash.existing
        return _conflict(request, str(clash), ("relationships", existing.pk if existing else ""))
    except services.PowermapError as error:
        raise ApiError(400, str(error)) from error
    return Status(201, render_relationship(request, tie))


@router.get("/relationships/{relationship_id}", **_GET, summary="A relationship")
def get_relationship(request: HttpRequest, relationship_id: str) -> dict[str, Any]:
    return render_relationship(request, find_relationship(coalition_of(request), relationship_id))


@router.put(
    "/relationships/{relationship_id}",
    **_PUT,
    summary="Change a relationship's kind, weight or evidence: given fields replace",
    openapi_extra=request_body(RelationshipUpdate),
)
def update_relationship(request: HttpRequest, relationship_id: str) -> Any:
    coalition = coalition_of(request)
    tie = find_relationship(coalition, relationship_id)
    staff = _actor(request, Action.EDIT_POWERMAP)
    payload = parse_payload(request, RelationshipUpdate)
    given = payload.model_fields_set
    try:
        services.update_relationship(
            relationship=tie,
            kind=payload.kind or tie.kind,
            weight=payload.weight if payload.weight is not None else tie.weight,
            evidence=payload.evidence if payload.evidence is not None else tie.evidence,
            source_url=payload.source_url if payload.source_url is not None else tie.source_url,
            observed_on=(
                _day(payload.observed_on, "observed_on")
                if "observed_on" in given
                else tie.observed_on
            ),
            by=_user(staff),
        )
    except services.RelationshipExists as clash:
        existing = clash.existing
        return _conflict(request, str(clash), ("relationships", existing.pk if existing else ""))
    except services.PowermapError as error:
        raise ApiError(400, str(error)) from error
    return render_relationship(request, find_relationship(coalition, relationship_id))


@router.delete("/relationships/{relationship_id}", **_DELETE, summary="Remove a relationship")
def delete_relationship(request: HttpRequest, relationship_id: str) -> dict[str, Any]:
    tie = find_relationship(coalition_of(request), relationship_id)
    staff = _actor(request, Action.EDIT_POWERMAP)
    services.remove_relationship(relationship=tie, by=_user(staff))
    return {"notice": "The relationship was removed."}


# --- figures -------------------------------------------------------------------------------------


def _latest_run(coalition: Coalition) -> FigureRun | None:
    return analysis.latest_figures(coalition)


@router.get(
    "/powermap/figures",
    **_GET,
    summary="The latest graph figures: when computed, how (betweenness method and error), "
    "diversity and, per campaign, reach and the echo-chamber share",
)
def get_figures(request: HttpRequest) -> dict[str, Any]:
    state = analysis.figures_state(coalition_of(request))
    run = state.run
    links = {
        "self": hal.link(request, "powermap", "figures"),
        "cairn:stakeholder_figures": hal.link(request, "powermap", "figures", "stakeholders"),
    }
    status = {
        "summary": state.summary,
        "changed_since": state.changed_since,
        "queued": state.queued,
    }
    if run is None:
        return {"computed": False, **status, "_links": links}
    return {
        "computed": True,
        **status,
        "computed_at": hal.osdi_date(run.computed_at) if run.computed_at else None,
        "duration_ms": run.duration_ms,
        "stakeholders": run.node_count,
        "relationships": run.edge_count,
        "betweenness": {
            "method": run.betweenness_method,
            "sample_size": run.betweenness_sample_size,
            "error": run.betweenness_error,
        },
        "diversity": run.diversity,
        "campaigns": run.campaigns,
        "_links": links,
    }


@router.get(
    "/powermap/figures/stakeholders",
    **_GET,
    summary="Each stakeholder's figures in the latest computation, highest PageRank first",
)
def list_stakeholder_figures(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    coalition = coalition_of(request)
    run = _latest_run(coalition)
    if run is None:
        rows: QuerySet[Any] = Stakeholder.objects.none()
        return paginate(request, rows, rel="cairn:stakeholder_figures", render=dict, query=query)
    rows = run.figures.select_related("stakeholder").order_by("-pagerank", "pk")

    def render(figure: Any) -> dict[str, Any]:
        return {
            "stakeholder": figure.stakeholder_id,
            "name": figure.stakeholder.name,
            **_stakeholder_figures(figure),
            "_links": {
                "cairn:stakeholder": hal.link(request, "stakeholders", figure.stakeholder_id)
            },
        }

    return paginate(request, rows, rel="cairn:stakeholder_figures", render=render, query=query)
