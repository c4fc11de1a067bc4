"""Decisions in the JSON API: proposals, their options, votes, results and outcomes, as HAL
resources in the style of cairn.api.osdi (coalition-scoped tokens, OSDI collections).

Mount with `api.add_router("", cairn.governance.api.router)` in cairn/api/osdi/api.py. Reads
follow the same visibility rules as the pages (results and votes only when anyone may see them;
anonymous ballots never name a voter). Writes act as the user who created the token: a vote is
cast for the organization that user acts for, and drafting, closing or recording an outcome needs
a steward's token.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field, StringConstraints

from cairn.api.auth import coalition_of, token_of
from cairn.api.osdi import hal
from cairn.api.osdi.body import parse_payload, request_body
from cairn.api.osdi.errors import ApiError, not_found
from cairn.api.osdi.pagination import CollectionQuery, paginate
from cairn.api.osdi.schemas import ERRORS
from cairn.coalitions.models import Coalition, StaffMember
from cairn.coalitions.policy import Action, allows

from . import selectors, services
from .models import Electorate, Option, Outcome, Proposal, ResultsVisibility, Vote

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class _In(Schema):
    model_config = ConfigDict(extra="ignore")


class OptionIn(_In):
    label: Short
    description: Text = ""
    starts_at: dt.datetime | None = None
    time_zone: Short = ""


class ProposalIn(_In):
    title: Short
    template: Short = Field(description="A shipped template key (consent, majority, …) or c<id>.")
    closes_at: dt.datetime
    body: Text = ""
    options: list[OptionIn] = Field(default_factory=list, max_length=50)
    electorate: Short = Electorate.ORGANIZATIONS
    anonymous: bool = False
    results_visibility: Short | None = None
    reason_required: bool | None = None
    quorum_percent: Decimal | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    open: bool = False


class VoteIn(_In):
    ballot: dict[str, Any]
    reason: Text = ""


class OutcomeIn(_In):
    statement: Text
    next_steps: Text = ""
    responsible: Short = ""
    review_on: dt.date | None = None


# --- rendering -----------------------------------------------------------------------------------


def _visible_to_all(proposal: Proposal) -> bool:
    """What a token may read: results anyone can see, whatever they voted."""
    return proposal.is_closed or (
        proposal.is_open
        and not proposal.anonymous
        and proposal.results_visibility == ResultsVisibility.ALWAYS
    )


def render_option(request: HttpRequest, option: Option, proposal: Proposal) -> dict[str, Any]:
    return hal.resource(
        request,
        public_id=option.uuid,
        created=proposal.created_at,
        modified=proposal.created_at,
        self_path=("proposals", proposal.uuid, "options", option.uuid),
        links={"cairn:proposal": ("proposals", proposal.uuid)},
        fields={
            "key": option.key,
            "label": option.label,
            "description": option.description,
            "starts_at": hal.osdi_date(option.starts_at) if option.starts_at else None,
            "time_zone": option.time_zone,
        },
    )


def render_proposal(request: HttpRequest, proposal: Proposal) -> dict[str, Any]:
    options = selectors.options(proposal=proposal)
    return hal.resource(
        request,
        public_id=proposal.uuid,
        created=proposal.created_at,
        modified=proposal.modified_at,
        self_path=("proposals", proposal.uuid),
        links={
            "cairn:options": ("proposals", proposal.uuid, "options"),
            "cairn:votes": ("proposals", proposal.uuid, "votes"),
            "cairn:results": ("proposals", proposal.uuid, "results"),
            "cairn:outcome": ("proposals", proposal.uuid, "outcome"),
        },
        fields={
            "title": proposal.title,
            "description": proposal.body,
            "template": proposal.template_key,
            "template_name": proposal.template_name,
            "method": proposal.method,
            "config": proposal.config,
            "electorate": proposal.electorate,
            "quorum_percent": f"{proposal.quorum_percent.normalize():f}",
            "anonymous": proposal.anonymous,
            "results_visibility": proposal.results_visibility,
            "reason_required": proposal.reason_required,
            "status": proposal.status,
            "closes_at": hal.osdi_date(proposal.closes_at),
            "closed_at": hal.osdi_date(proposal.closed_at) if proposal.closed_at else None,
            "passed": proposal.passed,
            "result_summary": proposal.result_summary,
            "options": [
                {"key": o.key, "label": o.label, "identifier": f"cairn:{o.uuid}"} for o in options
            ],
        },
    )


def render_vote(request: HttpRequest, vote: Vote, proposal: Proposal) -> dict[str, Any]:
    moment = vote.cast_at or proposal.closed_at or proposal.created_at
    fields: dict[str, Any] = {
        "ballot": vote.ballot,
        "reason": vote.reason,
        "weight": str(vote.weight),
    }
    if not proposal.anonymous:
        fields.update(
            voter=vote.voter_key,
            organization=vote.membership.organization.name if vote.membership else None,
            changes=vote.changes,
        )
    return hal.resource(
        request,
        public_id=vote.id,
        created=moment,
        modified=moment,
        self_path=("proposals", proposal.uuid, "votes", vote.id),
        links={"cairn:proposal": ("proposals", proposal.uuid)},
        fields=fields,
    )


def render_outcome(request: HttpRequest, outcome: Outcome, proposal: Proposal) -> dict[str, Any]:
    return hal.resource(
        request,
        public_id=outcome.uuid,
        created=outcome.recorded_at,
        modified=outcome.recorded_at,
        self_path=("proposals", proposal.uuid, "outcome"),
        links={"cairn:proposal": ("proposals", proposal.uuid)},
        fields={
            "statement": outcome.statement,
            "next_steps": outcome.next_steps,
            "responsible": outcome.responsible,
            "review_on": outcome.review_on.isoformat() if outcome.review_on else None,
            "authorizes": [
                {"type": f"{a.content_type.app_label}.{a.content_type.model}", "id": a.object_id}
                for a in selectors.authorizations(outcome=outcome).select_related("content_type")
            ],
        },
    )


# --- lookups -------------------------------------------------------------------------------------


def _proposals(coalition: Coalition) -> QuerySet[Proposal]:
    return Proposal.objects.for_coalition(coalition).order_by("created_at", "pk")


def find_proposal(coalition: Coalition, public_id: str) -> Proposal:
    try:
        key = uuid.UUID(public_id)
    except ValueError as error:
        raise not_found("proposal", public_id) from error
    proposal = _proposals(coalition).filter(uuid=key).first()
    if proposal is None:
        raise not_found("proposal", public_id)
    if services.is_due(proposal):
        proposal = services.advance_proposal(proposal=proposal)
    return proposal


def _actor(request: HttpRequest) -> StaffMember:
    """The role of the token's creator in the token's coalition: writes act as them."""
    token = token_of(request)
    if token.created_by_id is None:
        raise ApiError(403, "This token has no creator to act as.")
    staff = (
        StaffMember.objects.for_coalition(token.coalition)
        .filter(user_id=token.created_by_id)
        .select_related("user", "membership")
        .first()
    )
    if staff is None:
        raise ApiError(403, "The person who created this token no longer has a role here.")
    return staff


def _steward(request: HttpRequest) -> StaffMember:
    staff = _actor(request)
    if not allows(staff, Action.MANAGE_DECISIONS):
        raise ApiError(403, "Only a steward's token may do this.")
    return staff


# --- operations ----------------------------------------------------------------------------------


def build_router() -> Router:
    """A fresh router of the decision endpoints (a ninja router joins one API only)."""
    router = Router(tags=["decisions"])
    router.add_api_operation(
        "/proposals", ["GET"], list_proposals, **_GET, summary="List proposals"
    )
    router.add_api_operation(
        "/proposals",
        ["POST"],
        create_proposal,
        **_POST,
        summary="Draft a proposal from a template (and open it with `open: true`)",
        openapi_extra=request_body(ProposalIn),
    )
    router.add_api_operation(
        "/proposals/{proposal_id}", ["GET"], get_proposal, **_GET, summary="A proposal"
    )
    router.add_api_operation(
        "/proposals/{proposal_id}/options", ["GET"], list_options, **_GET, summary="Its options"
    )
    router.add_api_operation(
        "/proposals/{proposal_id}/votes",
        ["GET"],
        list_votes,
        **_GET,
        summary="The standing votes (once results may be seen; anonymous ballots name nobody)",
    )
    router.add_api_operation(
        "/proposals/{proposal_id}/votes",
        ["POST"],
        cast_vote,
        **_POST,
        summary="Cast or change the vote of the organization the token's creator acts for",
        openapi_extra=request_body(VoteIn),
    )
    router.add_api_operation(
        "/proposals/{proposal_id}/results",
        ["GET"],
        get_results,
        **_GET,
        summary="The tally (once results may be seen)",
    )
    router.add_api_operation(
        "/proposals/{proposal_id}/outcome", ["GET"], get_outcome, **_GET, summary="Its outcome"
    )
    router.add_api_operation(
        "/proposals/{proposal_id}/outcome",
        ["POST"],
        record_outcome,
        **_POST,
        summary="Record (or amend) the outcome of a closed proposal",
        openapi_extra=request_body(OutcomeIn),
    )
    return router


_GET: dict[str, Any] = {"response": {200: dict[str, Any], **ERRORS}, "exclude_unset": True}
_POST: dict[str, Any] = {"response": {200: dict[str, Any], **ERRORS}}


def list_proposals(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = _proposals(coalition_of(request))
    return paginate(
        request,
        rows,
        rel="cairn:proposals",
        render=lambda p: render_proposal(request, p),
        query=query,
    )


def create_proposal(request: HttpRequest) -> dict[str, Any]:
    staff = _steward(request)
    payload = parse_payload(request, ProposalIn)
    try:
        proposal = services.create_proposal(
            coalition=coalition_of(request),
            template=payload.template,
            title=payload.title,
            body=payload.body,
            closes_at=payload.closes_at,
            created_by=staff.user,
            options=[
                services.OptionInput(
                    label=o.label,
                    description=o.description,
                    starts_at=o.starts_at,
                    time_zone=o.time_zone,
                )
                for o in payload.options
            ],
            electorate=payload.electorate,
            anonymous=payload.anonymous,
            results_visibility=payload.results_visibility,
            reason_required=payload.reason_required,
            quorum_percent=payload.quorum_percent,
            config=payload.config,
        )
        if payload.open:
            proposal = services.open_proposal(proposal=proposal, by=staff.user)
    except services.GovernanceError as error:
        raise ApiError(400, str(error)) from error
    return render_proposal(request, proposal)


def get_proposal(request: HttpRequest, proposal_id: str) -> dict[str, Any]:
    return render_proposal(request, find_proposal(coalition_of(request), proposal_id))


def list_options(
    request: HttpRequest, proposal_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    proposal = find_proposal(coalition_of(request), proposal_id)
    rows = Option.objects.for_coalition(proposal.coalition_id).filter(proposal=proposal)
    return paginate(
        request,
        rows,
        rel="cairn:options",
        render=lambda o: render_option(request, o, proposal),
        query=query,
    )


def list_votes(
    request: HttpRequest, proposal_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    proposal = find_proposal(coalition_of(request), proposal_id)
    rows = (
        Vote.objects.for_coalition(proposal.coalition_id)
        .filter(proposal=proposal)
        .select_related("membership__organization")
        .order_by("voter_key")
    )
    if not _visible_to_all(proposal):
        rows = rows.none()
    return paginate(
        request,
        rows,
        rel="cairn:votes",
        render=lambda v: render_vote(request, v, proposal),
        query=query,
    )


def cast_vote(request: HttpRequest, proposal_id: str) -> dict[str, Any]:
    proposal = find_proposal(coalition_of(request), proposal_id)
    staff = _actor(request)
    payload = parse_payload(request, VoteIn)
    try:
        result = services.cast_vote(
            proposal=proposal, staff=staff, ballot=payload.ballot, reason=payload.reason
        )
    except services.GovernanceError as error:
        raise ApiError(400, str(error)) from error
    return render_vote(request, result.vote, proposal)


def get_results(request: HttpRequest, proposal_id: str) -> dict[str, Any]:
    proposal = find_proposal(coalition_of(request), proposal_id)
    if not _visible_to_all(proposal):
        raise ApiError(403, "The results of this proposal are hidden until it closes.")
    result = selectors.results(proposal=proposal)
    return {
        "status": proposal.status,
        "headline": result.headline,
        "passed": result.passed,
        "eligible_voters": result.eligible_voters,
        "eligible_weight": f"{result.eligible_weight.normalize():f}",
        "voters": result.voters,
        "voted_weight": f"{result.voted_weight.normalize():f}",
        "quorum_met": result.quorum_met,
        "reasons": list(result.reasons),
        "rows": [
            {"label": r.label, "figure": r.figure, "percent": r.percent, "note": r.note}
            for r in result.rows
        ],
        "rounds": (
            {
                "headers": list(result.rounds.headers),
                "rows": [
                    {"label": label, "cells": list(cells)} for label, cells in result.rounds.rows
                ],
                "events": list(result.rounds.events),
                "exhausted": list(result.rounds.exhausted),
                "quota": result.rounds.quota,
            }
            if result.rounds
            else None
        ),
        "ties": list(result.ties),
        "_links": {"self": hal.link(request, "proposals", proposal.uuid, "results")},
    }


def get_outcome(request: HttpRequest, proposal_id: str) -> dict[str, Any]:
    proposal = find_proposal(coalition_of(request), proposal_id)
    outcome = selectors.outcome(proposal=proposal)
    if outcome is None:
        raise not_found("outcome", proposal_id)
    return render_outcome(request, outcome, proposal)


def record_outcome(request: HttpRequest, proposal_id: str) -> dict[str, Any]:
    proposal = find_proposal(coalition_of(request), proposal_id)
    staff = _steward(request)
    payload = parse_payload(request, OutcomeIn)
    try:
        outcome = services.record_outcome(
            proposal=proposal,
            statement=payload.statement,
            next_steps=payload.next_steps,
            responsible=payload.responsible,
            review_on=payload.review_on,
            recorded_by=staff.user,
        )
    except services.GovernanceError as error:
        raise ApiError(400, str(error)) from error
    return render_outcome(request, outcome, proposal)


router = build_router()
