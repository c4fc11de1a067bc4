"""Campaigns in the JSON API: campaigns, their objectives with measurements and progress, and
their decision targets with position changes, as HAL resources in the style of cairn.api.osdi
(coalition-scoped tokens, OSDI collections, JSON errors).

Mounted with `api.add_router("", cairn.campaigns.api.router)` in cairn/api/osdi/api.py. Every
read goes through a selector scoped by the token's coalition: another coalition's campaign,
objective, measurement or target is a 404, never a 403 that would confirm it exists.

Writes act as the user who created the token, through the services the pages use and the forms'
own validation: recording a measurement or a decision-maker's position needs the
`record_measurement` permission (stewards); organizers and viewers get 403. A token without a
creator was issued for the coalition by the site operator (`create_api_token`) and acts as its
stewards, as in the petitions API.

`POST …/measurements` answers 201 with the new measurement. A day that already has one is not
replaced: the same value and source again is a retry and answers 200 with the stored measurement
(nothing written); a different figure for that day is a 409 (remove the old one on the objective
page first). A bad value or date is a 400 that says which field is wrong.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from pydantic import Field, StringConstraints

from cairn.api.auth import coalition_of, token_creator
from cairn.api.osdi import hal
from cairn.api.osdi.body import parse_payload, request_body
from cairn.api.osdi.errors import ApiError, not_found
from cairn.api.osdi.filters import FilterField, Kind, apply_filter
from cairn.api.osdi.pagination import CollectionQuery, paginate
from cairn.api.osdi.schemas import ERRORS, ErrorOut, Lenient
from cairn.coalitions.models import Coalition, StaffMember
from cairn.coalitions.policy import Action, allows

from . import selectors, services
from .forms import MeasurementForm, PositionForm
from .models import (
    Campaign,
    DecisionTarget,
    Measurement,
    Objective,
    Position,
    PositionChange,
)

router = Router(tags=["campaigns"])

# No stripping: what the OpenAPI pattern calls invalid must be refused, not quietly mended.
DateText = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
Source = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Evidence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]

CAMPAIGN_FILTERS = {"created_date": FilterField("created_at", Kind.DATETIME)}
OBJECTIVE_FILTERS = {"created_date": FilterField("created_at", Kind.DATETIME)}
RECORDED_FILTERS = {  # measurements and position changes: written once, never modified
    "created_date": FilterField("recorded_at", Kind.DATETIME),
    "modified_date": FilterField("recorded_at", Kind.DATETIME),
}


class MeasurementIn(Lenient):
    date: DateText = Field(description="The day the figure describes, YYYY-MM-DD.")
    value: Annotated[Decimal, Field(strict=False, allow_inf_nan=False)] = Field(
        description="At most 14 digits, 4 of them after the decimal point."
    )
    source: Source = Field(description="Where the figure comes from.")
    note: Note = ""


class PositionIn(Lenient):
    position: Literal["opposed", "undecided", "supportive", "committed", "acted"]
    date: DateText = Field(description="The day the position was known, YYYY-MM-DD.")
    evidence: Evidence = Field(description="A vote, a statement, a meeting: what it rests on.")


_GET: dict[str, Any] = {"response": {200: dict[str, Any], **ERRORS}, "exclude_unset": True}
_POST: dict[str, Any] = {
    "response": {200: dict[str, Any], 201: dict[str, Any], **ERRORS, 409: ErrorOut}
}


# --- rendering -----------------------------------------------------------------------------------


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _decimal(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _rounded(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def render_campaign(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    today = timezone.localdate()
    phases = list(campaign.phases.all())  # prefetched with their milestones by the selector
    milestones = [m for p in phases for m in p.milestones.all()]
    upcoming = sorted((m for m in milestones if m.done_on is None), key=lambda m: (m.due_on, m.pk))
    return hal.resource(
        request,
        public_id=campaign.pk,
        created=campaign.created_at,
        modified=campaign.created_at,
        self_path=("campaigns", campaign.pk),
        links={
            "cairn:objectives": ("campaigns", campaign.pk, "objectives"),
            "cairn:targets": ("campaigns", campaign.pk, "targets"),
        },
        fields={
            "name": campaign.name,
            "theory_of_change": campaign.theory_of_change,
            "horizon": {
                "starts_on": campaign.starts_on.isoformat(),
                "ends_on": campaign.ends_on.isoformat(),
            },
            "days_left": campaign.days_left(today),
            "elapsed_percent": round(100 * campaign.elapsed_share(today)),
            "phases": [
                {
                    "name": phase.name,
                    "position": index,
                    "milestones": len(phase.milestones.all()),
                    "milestones_done": sum(m.done_on is not None for m in phase.milestones.all()),
                }
                for index, phase in enumerate(phases)
            ],
            "milestones": {
                "total": len(milestones),
                "done": sum(m.done_on is not None for m in milestones),
                "overdue": sum(m.is_overdue(today) for m in milestones),
                "next": (
                    {"title": upcoming[0].title, "due_on": upcoming[0].due_on.isoformat()}
                    if upcoming
                    else None
                ),
            },
        },
    )


def render_objective(request: HttpRequest, objective: Objective) -> dict[str, Any]:
    rows = list(objective.measurements.all())  # prefetched by the selector, in date order
    status = selectors.objective_status(objective=objective, rows=rows, as_of=timezone.localdate())
    progress = status.progress
    latest = rows[-1] if rows else None
    path = ("campaigns", objective.campaign_id, "objectives", objective.pk)
    return hal.resource(
        request,
        public_id=objective.pk,
        created=objective.created_at,
        modified=max(objective.created_at, objective.status_changed_at or objective.created_at),
        self_path=path,
        links={
            "cairn:campaign": ("campaigns", objective.campaign_id),
            "cairn:measurements": (*path, "measurements"),
            "cairn:record_measurement_helper": (*path, "measurements"),
        },
        fields={
            "statement": objective.statement,
            "metric": objective.metric,
            "unit": objective.unit,
            "direction": objective.direction,
            "baseline": {
                "value": _decimal(objective.baseline_value),
                "date": objective.baseline_on.isoformat(),
                "source": objective.baseline_source,
            },
            "target": {
                "value": _decimal(objective.target_value),
                "deadline": objective.deadline.isoformat(),
            },
            "status": objective.status,
            "latest": (
                {"value": _decimal(latest.value), "date": latest.on.isoformat()} if latest else None
            ),
            "progress": {
                "status": progress.status.value,
                "label": progress.label,
                "share": _rounded(progress.share),
                "percent": progress.bar_percent,
                "chance_percent": status.chance_percent,
                "projected": _rounded(progress.projected),
                "trend_per_month": _rounded(status.slope_per_month),
                "required_per_month": _rounded(status.required_per_month),
                "days_left": status.days_left,
                "expired": status.expired,
            },
        },
    )


def render_measurement(
    request: HttpRequest, measurement: Measurement, objective: Objective
) -> dict[str, Any]:
    path = ("campaigns", objective.campaign_id, "objectives", objective.pk)
    return hal.resource(
        request,
        public_id=measurement.pk,
        created=measurement.recorded_at,
        modified=measurement.recorded_at,
        self_path=(*path, "measurements", measurement.pk),
        links={"cairn:objective": path},
        fields={
            "date": measurement.on.isoformat(),
            "value": _decimal(measurement.value),
            "source": measurement.source,
            "note": measurement.note,
            "origin": measurement.origin,
        },
    )


def render_target(request: HttpRequest, target: DecisionTarget) -> dict[str, Any]:
    path = ("campaigns", target.campaign_id, "targets", target.pk)
    maker = target.decision_maker
    return hal.resource(
        request,
        public_id=target.pk,
        created=_midnight(target.position_on),
        modified=_midnight(target.position_on),
        self_path=path,
        links={
            "cairn:campaign": ("campaigns", target.campaign_id),
            "cairn:positions": (*path, "positions"),
            "cairn:record_position_helper": (*path, "positions"),
        },
        fields={
            "decision_maker": {"name": maker.name, "title": maker.title, "body": maker.body},
            "ask": target.ask,
            "position": target.position,
            "position_label": Position(target.position).label,
            "position_date": target.position_on.isoformat(),
        },
    )


def render_position(
    request: HttpRequest, change: PositionChange, target: DecisionTarget
) -> dict[str, Any]:
    path = ("campaigns", target.campaign_id, "targets", target.pk)
    return hal.resource(
        request,
        public_id=change.pk,
        created=change.recorded_at,
        modified=change.recorded_at,
        self_path=(*path, "positions", change.pk),
        links={"cairn:target": path},
        fields={
            "position": change.position,
            "position_label": Position(change.position).label,
            "date": change.on.isoformat(),
            "evidence": change.evidence,
        },
    )


# --- lookups and permissions ---------------------------------------------------------------------


def _one(rows: QuerySet[Any], kind: str, public_id: str) -> Any:
    pk = selectors.api_row_id(public_id)
    row = None if pk is None else rows.filter(pk=pk).first()
    if row is None:
        raise not_found(kind, public_id)
    return row


def find_campaign(coalition: Coalition, campaign_id: str, *, render: bool = False) -> Campaign:
    rows = selectors.api_campaigns(coalition=coalition)
    if not render:  # under a campaign's rows, its phases are not shown
        rows = rows.prefetch_related(None)
    campaign: Campaign = _one(rows, "campaign", campaign_id)
    return campaign


def find_objective(coalition: Coalition, campaign_id: str, objective_id: str) -> Objective:
    campaign = find_campaign(coalition, campaign_id)
    rows = selectors.api_objectives(campaign=campaign)
    objective: Objective = _one(rows, "objective", objective_id)
    return objective


def find_target(coalition: Coalition, campaign_id: str, target_id: str) -> DecisionTarget:
    campaign = find_campaign(coalition, campaign_id)
    target: DecisionTarget = _one(selectors.api_targets(campaign=campaign), "target", target_id)
    return target


def _recorder(request: HttpRequest) -> StaffMember | None:
    """Whom a write acts as (`token_creator`: None is the operator's token, which acts as the
    coalition's stewards). Refused unless that role may record evidence."""
    staff = token_creator(request)
    if staff is not None and not allows(staff, Action.RECORD_MEASUREMENT):
        raise ApiError(403, "Only a steward's token may record measurements and positions.")
    return staff


def _form_error(form: forms.Form) -> ApiError:
    parts = [
        f"{'body' if name == '__all__' else name}: {' '.join(str(m) for m in messages)}"
        for name, messages in form.errors.items()
    ]
    return ApiError(400, "Invalid request: " + "; ".join(parts))


# --- campaigns -----------------------------------------------------------------------------------


@router.get("/campaigns", **_GET, summary="List campaigns")
def list_campaigns(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = selectors.api_campaigns(coalition=coalition_of(request))
    return paginate(
        request,
        apply_filter(rows, query.filter, CAMPAIGN_FILTERS),
        rel="cairn:campaigns",
        render=lambda c: render_campaign(request, c),
        query=query,
    )


@router.get(
    "/campaigns/{campaign_id}",
    **_GET,
    summary="A campaign: horizon, days left, phases and milestones",
)
def get_campaign(request: HttpRequest, campaign_id: str) -> dict[str, Any]:
    campaign = find_campaign(coalition_of(request), campaign_id, render=True)
    return render_campaign(request, campaign)


# --- objectives and measurements ----------------------------------------------------------------


@router.get(
    "/campaigns/{campaign_id}/objectives",
    **_GET,
    summary="The objectives of a campaign, with their progress",
)
def list_objectives(
    request: HttpRequest, campaign_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    campaign = find_campaign(coalition_of(request), campaign_id)
    return paginate(
        request,
        apply_filter(selectors.api_objectives(campaign=campaign), query.filter, OBJECTIVE_FILTERS),
        rel="cairn:objectives",
        render=lambda o: render_objective(request, o),
        query=query,
    )


@router.get(
    "/campaigns/{campaign_id}/objectives/{objective_id}",
    **_GET,
    summary="An objective: metric, baseline, target, latest value and progress",
)
def get_objective(request: HttpRequest, campaign_id: str, objective_id: str) -> dict[str, Any]:
    objective = find_objective(coalition_of(request), campaign_id, objective_id)
    return render_objective(request, objective)


@router.get(
    "/campaigns/{campaign_id}/objectives/{objective_id}/measurements",
    **_GET,
    summary="The measurements of an objective, by date",
)
def list_measurements(
    request: HttpRequest, campaign_id: str, objective_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    objective = find_objective(coalition_of(request), campaign_id, objective_id)
    rows = selectors.api_measurements(objective=objective)
    return paginate(
        request,
        apply_filter(rows, query.filter, RECORDED_FILTERS),
        rel="cairn:measurements",
        render=lambda m: render_measurement(request, m, objective),
        query=query,
    )


@router.post(
    "/campaigns/{campaign_id}/objectives/{objective_id}/measurements",
    **_POST,
    summary="Record a measurement (201); the same figure again is 200, another one that day 409",
    openapi_extra=request_body(MeasurementIn),
)
def record_measurement(
    request: HttpRequest, campaign_id: str, objective_id: str
) -> Status[dict[str, Any]]:
    objective = find_objective(coalition_of(request), campaign_id, objective_id)
    staff = _recorder(request)
    payload = parse_payload(request, MeasurementIn)
    form = MeasurementForm(
        {
            "on": payload.date,
            "value": str(payload.value),
            "source": payload.source,
            "note": payload.note,
        },
        objective=objective,
    )
    if not form.is_valid():
        raise _form_error(form)
    data = form.cleaned_data
    try:
        measurement = services.record_measurement(
            objective=objective,
            on=data["on"],
            value=data["value"],
            source=data["source"],
            note=data["note"],
            recorded_by=staff.user if staff is not None else None,
        )
    except services.MeasurementExists as clash:
        stored = selectors.api_measurements(objective=objective).filter(on=clash.on).first()
        retry = stored is not None and (stored.value, stored.source, stored.note) == (
            data["value"],
            data["source"].strip(),
            data["note"].strip(),
        )
        if stored is None or not retry:
            raise ApiError(409, str(clash)) from clash
        return Status(200, render_measurement(request, stored, objective))
    except services.CampaignError as error:
        raise ApiError(400, str(error)) from error
    return Status(201, render_measurement(request, measurement, objective))


@router.get(
    "/campaigns/{campaign_id}/objectives/{objective_id}/measurements/{measurement_id}",
    **_GET,
    summary="A measurement",
)
def get_measurement(
    request: HttpRequest, campaign_id: str, objective_id: str, measurement_id: str
) -> dict[str, Any]:
    objective = find_objective(coalition_of(request), campaign_id, objective_id)
    rows = selectors.api_measurements(objective=objective)
    measurement: Measurement = _one(rows, "measurement", measurement_id)
    return render_measurement(request, measurement, objective)


# --- decision targets ---------------------------------------------------------------------------


@router.get(
    "/campaigns/{campaign_id}/targets",
    **_GET,
    summary="The decision-makers a campaign must move, with their current position",
)
def list_targets(
    request: HttpRequest, campaign_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    campaign = find_campaign(coalition_of(request), campaign_id)
    return paginate(
        request,
        apply_filter(selectors.api_targets(campaign=campaign), query.filter, {}),
        rel="cairn:targets",
        render=lambda t: render_target(request, t),
        query=query,
    )


@router.get("/campaigns/{campaign_id}/targets/{target_id}", **_GET, summary="A decision target")
def get_target(request: HttpRequest, campaign_id: str, target_id: str) -> dict[str, Any]:
    return render_target(request, find_target(coalition_of(request), campaign_id, target_id))


@router.get(
    "/campaigns/{campaign_id}/targets/{target_id}/positions",
    **_GET,
    summary="The history of a decision-maker's positions, by date",
)
def list_positions(
    request: HttpRequest, campaign_id: str, target_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    target = find_target(coalition_of(request), campaign_id, target_id)
    return paginate(
        request,
        apply_filter(selectors.api_positions(target=target), query.filter, RECORDED_FILTERS),
        rel="cairn:positions",
        render=lambda c: render_position(request, c, target),
        query=query,
    )


@router.post(
    "/campaigns/{campaign_id}/targets/{target_id}/positions",
    **_POST,
    summary="Record a decision-maker's position on a day, with its evidence (201)",
    openapi_extra=request_body(PositionIn),
)
def record_position(
    request: HttpRequest, campaign_id: str, target_id: str
) -> Status[dict[str, Any]]:
    target = find_target(coalition_of(request), campaign_id, target_id)
    staff = _recorder(request)
    payload = parse_payload(request, PositionIn)
    form = PositionForm(
        {"position": payload.position, "on": payload.date, "evidence": payload.evidence}
    )
    if not form.is_valid():
        raise _form_error(form)
    data = form.cleaned_data
    try:
        change = services.record_position(
            target=target,
            position=data["position"],
            on=data["on"],
            evidence=data["evidence"],
            by=staff.user if staff is not None else None,
        )
    except services.CampaignError as error:
        raise ApiError(400, str(error)) from error
    return Status(201, render_position(request, change, target))
