"""The partnership audit in the JSON API: audit runs, member profiles with their factors, the
trend, and the thresholds in force, as HAL resources in the style of cairn.api.osdi.

Mounted with `api.add_router("", cairn.audit.api.router)` in cairn/api/osdi/api.py. Reads are
scoped by the token's coalition (another coalition's audit or member is a 404). What a token sees
follows the pages' rule: it acts as the user who created it — stewards see every profile, a
member organization's people its own, everyone all when the coalition shares them; a token
without a creator (the site operator's) acts as the stewards. A profile the token may not see is
a 404, like a missing one.

`POST /audit/runs` runs the audit now (201 with the run): a steward's token only, 403 otherwise.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from cairn.api.auth import coalition_of, token_creator, token_of
from cairn.api.osdi import hal
from cairn.api.osdi.errors import ApiError, not_found
from cairn.api.osdi.pagination import CollectionQuery, paginate
from cairn.api.osdi.schemas import ERRORS
from cairn.coalitions.models import Coalition, Role, StaffMember
from cairn.engines import audit as engine

from . import selectors, services
from .evidence import ACCESS_PROXY_NOTE
from .models import Audit, AuditPolicy, AuditProfile

router = Router(tags=["audit"])

_GET: dict[str, Any] = {"response": {200: dict[str, Any], **ERRORS}, "exclude_unset": True}
_POST: dict[str, Any] = {"response": {201: dict[str, Any], **ERRORS}}


def _staff(request: HttpRequest) -> StaffMember:
    token = token_of(request)
    staff = token_creator(request)
    if staff is None:  # the site operator's token acts as the stewards
        return StaffMember(coalition=token.coalition, role=Role.STEWARD)
    return staff


def _row_id(public_id: str) -> int | None:
    text = public_id.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    return int(text)


# --- rendering -----------------------------------------------------------------------------------


def render_audit(request: HttpRequest, run: Audit, counts: dict[str, int] | None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "number": run.number,
        "as_of": run.as_of.isoformat(),
        "trigger": run.trigger,
        "thresholds_version": run.thresholds_version.number if run.thresholds_version else None,
        "thresholds": run.thresholds,
        "similarity_backend": run.similarity_backend,
    }
    if counts is not None:
        fields["classes"] = counts
    return hal.resource(
        request,
        public_id=run.pk,
        created=run.created_at,
        modified=run.created_at,
        self_path=("audit", "runs", run.pk),
        links={"cairn:profiles": ("audit", "runs", run.pk, "profiles")},
        fields=fields,
    )


def render_profile(request: HttpRequest, profile: AuditProfile, run: Audit) -> dict[str, Any]:
    return hal.resource(
        request,
        public_id=profile.membership_id,
        created=run.created_at,
        modified=run.created_at,
        self_path=("audit", "runs", run.pk, "profiles", profile.membership_id),
        links={
            "cairn:audit": ("audit", "runs", run.pk),
            "cairn:member": ("audit", "members", profile.membership_id),
        },
        fields={
            "audit": run.pk,
            "number": run.number,
            "as_of": run.as_of.isoformat(),
            "organization": profile.organization_name,
            "status": profile.status,
            "class": profile.klass,
            "computed_class": profile.computed_class,
            "overridden": profile.overridden,
            "reason": profile.reason,
            "decided_by": profile.decided_by,
            "factors": profile.checks,
            "evidence": {
                "commitments": {
                    "pledged": profile.commitments_pledged,
                    "due": profile.commitments_due,
                    "delivered_on_time": profile.delivered_on_time,
                    "delivered_late": profile.delivered_late,
                    "withdrawn": profile.commitments_withdrawn,
                },
                "decisions": {"eligible": profile.votes_eligible, "cast": profile.votes_cast},
                "supporters": {
                    "shared": profile.supporters_shared,
                    "pooled_accessible": profile.pooled_accessed,
                    "note": ACCESS_PROXY_NOTE,
                },
                "referred_signatures": profile.referred_signatures,
                "engagement": profile.engagement,
                "measurements": profile.measurements,
                "mission_similarity": profile.mission_similarity,
                "actions_in_window": profile.actions_in_window,
                "joined_on": profile.joined_on.isoformat() if profile.joined_on else None,
                "tenure_days": profile.tenure_days,
                "status_history": profile.status_history,
            },
        },
    )


# --- lookups -------------------------------------------------------------------------------------


def _run(coalition: Coalition, audit_id: str) -> Audit:
    pk = _row_id(audit_id)
    run = None if pk is None else selectors.audits(coalition=coalition).filter(pk=pk).first()
    if run is None:
        raise not_found("audit", audit_id)
    return run


def _counts(coalition: Coalition, staff: StaffMember, rules: AuditPolicy) -> dict[int, Any]:
    if not selectors.may_see_all(staff, rules):
        return {}
    return {p.audit.pk: p.counts for p in selectors.trend(coalition=coalition, limit=1000)}


# --- endpoints -----------------------------------------------------------------------------------


@router.get("/audit/runs", **_GET, summary="The partnership audits, newest first")
def list_runs(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    coalition = coalition_of(request)
    staff = _staff(request)
    counts = _counts(coalition, staff, selectors.policy(coalition=coalition))
    return paginate(
        request,
        selectors.audits(coalition=coalition),
        rel="cairn:audits",
        render=lambda r: render_audit(request, r, counts.get(r.pk)),
        query=query,
    )


@router.post(
    "/audit/runs",
    **_POST,
    summary="Run the partnership audit now (a steward's token; 201 with the run)",
)
def run_audit(request: HttpRequest) -> Status[dict[str, Any]]:
    coalition = coalition_of(request)
    staff = _staff(request)
    if not selectors.may_manage(staff):
        raise ApiError(403, "Only a steward's token may run the audit.")
    run = services.audit_partnerships(
        coalition=coalition,
        by=staff.user if staff.pk else None,
        trigger=Audit.Trigger.API,
    )
    counts = _counts(coalition, staff, selectors.policy(coalition=coalition))
    return Status(201, render_audit(request, run, counts.get(run.pk)))


@router.get(
    "/audit/runs/{audit_id}",
    **_GET,
    summary="One audit: its date, thresholds and (when all profiles are visible) class counts",
)
def get_run(request: HttpRequest, audit_id: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    run = _run(coalition, audit_id)
    counts = _counts(coalition, _staff(request), selectors.policy(coalition=coalition))
    return render_audit(request, run, counts.get(run.pk))


def _profiles(request: HttpRequest, run: Audit) -> QuerySet[AuditProfile]:
    return selectors.visible_profiles(
        coalition=coalition_of(request), audit=run, staff=_staff(request)
    ).order_by("organization_name", "pk")


@router.get(
    "/audit/runs/{audit_id}/profiles",
    **_GET,
    summary="The member profiles of an audit that this token may see, with their factors",
)
def list_profiles(
    request: HttpRequest, audit_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    run = _run(coalition_of(request), audit_id)
    return paginate(
        request,
        _profiles(request, run),
        rel="cairn:profiles",
        render=lambda p: render_profile(request, p, run),
        query=query,
    )


@router.get(
    "/audit/runs/{audit_id}/profiles/{member_id}",
    **_GET,
    summary="A member organization's profile in an audit",
)
def get_profile(request: HttpRequest, audit_id: str, member_id: str) -> dict[str, Any]:
    run = _run(coalition_of(request), audit_id)
    pk = _row_id(member_id)
    profile = None if pk is None else _profiles(request, run).filter(membership_id=pk).first()
    if profile is None:
        raise not_found("profile", member_id)
    return render_profile(request, profile, run)


@router.get(
    "/audit/members/{member_id}",
    **_GET,
    summary="A member organization's profiles across audits (its trend), oldest first",
)
def member_trend(request: HttpRequest, member_id: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    staff = _staff(request)
    pk = _row_id(member_id)
    rules = selectors.policy(coalition=coalition)
    member = None if pk is None else selectors.member(coalition=coalition, pk=pk)
    if member is None or not selectors.may_see_profile(staff, member.pk, rules):
        raise not_found("member", member_id)
    history = selectors.member_history(coalition=coalition, membership_id=member.pk)
    return {
        "organization": member.organization.name,
        "profiles": [
            {
                "audit": h.audit.pk,
                "number": h.audit.number,
                "as_of": h.audit.as_of.isoformat(),
                "class": h.klass,
                "computed_class": h.computed_class,
                "mission_similarity": h.mission_similarity,
                "delivery_on_time": h.rate(engine.DELIVERY),
                "participation": h.rate(engine.PARTICIPATION),
                "reciprocity": h.rate(engine.RECIPROCITY),
                "actions_in_window": h.actions_in_window,
            }
            for h in history
        ],
        "_links": {"self": hal.link(request, "audit", "members", member.pk)},
    }


@router.get(
    "/audit/thresholds",
    **_GET,
    summary="The audit's thresholds in force and every version, with the decisions behind them",
)
def thresholds(request: HttpRequest) -> dict[str, Any]:
    coalition = coalition_of(request)
    in_force = selectors.thresholds_in_force(coalition=coalition)
    rules = selectors.policy(coalition=coalition)
    return {
        "in_force": {
            "version": in_force.version.number if in_force.version else None,
            **in_force.thresholds.as_dict(),
        },
        "thresholds_need_decision": rules.thresholds_need_decision,
        "share_profiles": rules.share_profiles,
        "reaudit_every_months": rules.reaudit_every_months,
        "next_audit_at": hal.osdi_date(rules.next_audit_at) if rules.next_audit_at else None,
        "versions": [
            {
                "version": s.version.number,
                "in_force": s.in_force,
                "how": s.how,
                "since": hal.osdi_date(s.since) if s.since else None,
                "decisions": [a.outcome.proposal.title for a in s.decisions],
                **s.version.thresholds().as_dict(),
                "note": s.version.note,
            }
            for s in selectors.threshold_versions(coalition=coalition)
        ],
        "_links": {"self": hal.link(request, "audit", "thresholds")},
    }
