"""Reads of the partnership audit. Every selector takes the coalition; who may see which profile
is decided here (`may_see_profile`, `visible_profiles`), from the coalition's audit policy:
stewards see every profile; the people who act for a member organization see its own; everyone
sees every profile only when the coalition chose to share them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, QuerySet

from cairn.coalitions.models import Coalition, Membership, StaffMember
from cairn.coalitions.policy import Action, allows
from cairn.engines import audit as engine
from cairn.governance.models import Authorization

from .models import (
    Audit,
    AuditAnnotation,
    AuditOverride,
    AuditPolicy,
    AuditProfile,
    ThresholdVersion,
)


def policy(*, coalition: Coalition) -> AuditPolicy:
    """The coalition's audit policy; the defaults (unsaved) when it never set one."""
    row = AuditPolicy.objects.for_coalition(coalition).first()
    return row if row is not None else AuditPolicy(coalition=coalition)


def may_manage(staff: StaffMember | None) -> bool:
    """Run the audit, set its policy and thresholds, override and annotate: stewards."""
    return allows(staff, Action.MANAGE_MEMBERS)


def may_see_all(staff: StaffMember | None, rules: AuditPolicy) -> bool:
    if staff is None:
        return False
    return may_manage(staff) or rules.share_profiles


def may_see_profile(staff: StaffMember | None, membership_id: int, rules: AuditPolicy) -> bool:
    """Stewards: every profile; a member organization's people: its own; others only if shared."""
    if staff is None or staff.coalition_id != rules.coalition_id:
        return False
    if may_see_all(staff, rules):
        return True
    return staff.membership_id is not None and staff.membership_id == membership_id


def visible_profiles(
    *, coalition: Coalition, audit: Audit, staff: StaffMember | None
) -> QuerySet[AuditProfile]:
    rules = policy(coalition=coalition)
    rows = AuditProfile.objects.for_coalition(coalition).filter(audit=audit)
    if staff is None or staff.coalition_id != coalition.pk:
        return rows.none()
    if may_see_all(staff, rules):
        return rows
    return rows.filter(membership_id=staff.membership_id or -1)


def audits(*, coalition: Coalition) -> QuerySet[Audit]:
    return Audit.objects.for_coalition(coalition).select_related("thresholds_version", "run_by")


def latest_audit(*, coalition: Coalition) -> Audit | None:
    return audits(coalition=coalition).first()


def audit(*, coalition: Coalition, pk: int) -> Audit | None:
    return audits(coalition=coalition).filter(pk=pk).first()


def profile(*, coalition: Coalition, audit: Audit, membership_id: int) -> AuditProfile | None:
    return (
        AuditProfile.objects.for_coalition(coalition)
        .filter(audit=audit, membership_id=membership_id)
        .select_related("audit", "membership__organization")
        .first()
    )


def member(*, coalition: Coalition, pk: int) -> Membership | None:
    return (
        Membership.objects.for_coalition(coalition)
        .filter(pk=pk)
        .select_related("organization")
        .first()
    )


def member_history(*, coalition: Coalition, membership_id: int) -> list[AuditProfile]:
    """The member's profile in every audit, oldest first: its trend."""
    return list(
        AuditProfile.objects.for_coalition(coalition)
        .filter(membership_id=membership_id)
        .select_related("audit")
        .order_by("audit__number")
    )


def previous_classes(*, coalition: Coalition, audit: Audit) -> dict[int, str]:
    """Each member's class in the audit before `audit` (for the dashboard's trend column)."""
    before = (
        Audit.objects.for_coalition(coalition)
        .filter(number__lt=audit.number)
        .order_by("-number")
        .first()
    )
    if before is None:
        return {}
    return {
        row.membership_id: row.klass
        for row in AuditProfile.objects.for_coalition(coalition).filter(audit=before)
    }


@dataclass(frozen=True, slots=True)
class TrendPoint:
    audit: Audit
    counts: dict[str, int]  # by final class (overrides included)


def trend(*, coalition: Coalition, limit: int = 12) -> list[TrendPoint]:
    """Members per class in each of the last `limit` audits, oldest first."""
    runs = list(audits(coalition=coalition)[:limit])
    counts: dict[int, dict[str, int]] = {run.pk: dict.fromkeys(engine.CLASSES, 0) for run in runs}
    rows = (
        AuditProfile.objects.for_coalition(coalition)
        .filter(audit__in=runs)
        .values("audit_id", "computed_class", "override_class")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        klass = row["override_class"] or row["computed_class"]
        counts[row["audit_id"]][klass] += row["n"]
    return [TrendPoint(audit=run, counts=counts[run.pk]) for run in reversed(runs)]


def overrides(*, coalition: Coalition, profile: AuditProfile) -> QuerySet[AuditOverride]:
    return (
        AuditOverride.objects.for_coalition(coalition).filter(profile=profile).select_related("by")
    )


def notes(*, coalition: Coalition, profile: AuditProfile) -> QuerySet[AuditAnnotation]:
    return (
        AuditAnnotation.objects.for_coalition(coalition)
        .filter(profile=profile)
        .select_related("by")
    )


# --- thresholds --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VersionState:
    version: ThresholdVersion
    in_force: bool
    since: dt.datetime | None  # when it took effect (applied or authorized); None: not yet
    decisions: list[Authorization]

    @property
    def how(self) -> str:
        if self.decisions:
            return "adopted by decision"
        if self.version.applied_at is not None:
            return "applied by a steward"
        return "awaiting a decision"


@dataclass(frozen=True, slots=True)
class InForce:
    version: ThresholdVersion | None  # None: Cairn's defaults
    thresholds: engine.Thresholds
    state: VersionState | None


def threshold_versions(*, coalition: Coalition) -> list[VersionState]:
    """Every version, newest first, with when it took effect and the decisions that adopted it.
    When the coalition asks for a decision, a version only a steward applied is not in force."""
    rules = policy(coalition=coalition)
    versions = list(ThresholdVersion.objects.for_coalition(coalition).order_by("-number"))
    content_type = ContentType.objects.get_for_model(ThresholdVersion)
    decided: dict[str, list[Authorization]] = {}
    for row in (
        Authorization.objects.for_coalition(coalition)
        .filter(content_type=content_type)
        .select_related("outcome__proposal")
        .order_by("created_at", "pk")
    ):
        decided.setdefault(row.object_id, []).append(row)
    states = []
    for version in versions:
        decisions = decided.get(str(version.pk), [])
        moments = [a.created_at for a in decisions]
        if version.applied_at is not None and not rules.thresholds_need_decision:
            moments.append(version.applied_at)
        states.append(
            VersionState(
                version=version,
                in_force=False,
                since=min(moments) if moments else None,
                decisions=decisions,
            )
        )
    effective = [s for s in states if s.since is not None]
    if effective:
        current = max(effective, key=lambda s: (s.since, s.version.number))
        states = [
            VersionState(
                version=s.version, in_force=s is current, since=s.since, decisions=s.decisions
            )
            for s in states
        ]
    return states


def thresholds_in_force(*, coalition: Coalition) -> InForce:
    for state in threshold_versions(coalition=coalition):
        if state.in_force:
            return InForce(
                version=state.version, thresholds=state.version.thresholds(), state=state
            )
    return InForce(version=None, thresholds=engine.DEFAULT_THRESHOLDS, state=None)
