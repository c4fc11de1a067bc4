"""Use cases of the partnership audit: the only code that writes its tables.

- audit_partnerships: one audit run: every audited member's evidence counted as of a day, its class
  from the thresholds in force, all profiles written in one transaction (a numbered run; two runs
  at once are serialized on the coalition's policy row); the next scheduled audit is set.
- set_audit_policy: who sees profiles, how often the audit re-runs, whether thresholds need a
  decision; the schedule moves with the interval.
- save_thresholds: a new numbered version of the thresholds (refused with the reasons when out of
  range); applied at once unless the coalition asks for a decision (then a decision's outcome
  authorizes it through governance's Authorization link).
- override_class: a steward sets a profile's class (or restores the computed one), with a reason
  that is required; every change is logged in AuditOverride.
- annotate_profile: a steward's note on a profile.
- claim_due_audits / queue_due_audits: the scheduled re-audit; a coalition is queued once per
  due date (a conditional UPDATE elects one scheduler of a race), on commit.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import partial

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions.models import Coalition
from cairn.engines import audit as engine

from . import evidence, selectors
from .models import (
    Audit,
    AuditAnnotation,
    AuditClass,
    AuditOverride,
    AuditPolicy,
    AuditProfile,
    ThresholdVersion,
)

STALE_CLAIM = dt.timedelta(hours=6)  # a queued audit that has not run by then is queued again


class AuditError(Exception):
    """A refused audit operation; the message says why, for the person who tried."""


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def ensure_policy(*, coalition: Coalition, lock: bool = False) -> AuditPolicy:
    """The coalition's policy row, made with the defaults when missing (locked when asked)."""
    AuditPolicy.objects.get_or_create(coalition=coalition)
    rows = AuditPolicy.objects.for_coalition(coalition)
    if lock:
        rows = rows.select_for_update()
    return rows.get()


@transaction.atomic
def audit_partnerships(
    *,
    coalition: Coalition,
    as_of: dt.date | None = None,
    by: User | None = None,
    trigger: str = Audit.Trigger.MANUAL,
    similarities: evidence.SimilarityFn | None = None,
    schedule: bool = True,
) -> Audit:
    """Audit every member organization as of `as_of` (today by default) and store the run.

    `schedule=False` leaves the next audit to `cairn queue_due_audits` (cron) rather than a
    deferred task (the demo does, so that a fresh demo's task queue holds no deferred work)."""
    as_of = as_of or timezone.localdate()
    rules = ensure_policy(coalition=coalition, lock=True)  # serializes runs of one coalition
    in_force = selectors.thresholds_in_force(coalition=coalition)
    thresholds = in_force.thresholds
    facts = evidence.collect(
        coalition=coalition,
        as_of=as_of,
        window_days=thresholds.window_days,
        similarities=similarities,
    )
    number = (Audit.objects.for_coalition(coalition).aggregate(n=Max("number"))["n"] or 0) + 1
    run = Audit.objects.create(
        coalition=coalition,
        number=number,
        as_of=as_of,
        trigger=trigger,
        thresholds_version=in_force.version,
        thresholds=thresholds.as_dict(),
        similarity_backend=_backend_name() if similarities is None else "supplied",
        run_by=by,
    )
    profiles = []
    for row in facts:
        verdict = engine.classify(row.evidence(), thresholds)
        membership = row.membership
        profiles.append(
            AuditProfile(
                coalition=coalition,
                audit=run,
                membership=membership,
                organization_name=membership.organization.name,
                status=membership.status,
                joined_on=row.joined_on,
                tenure_days=row.tenure_days,
                status_changes=len(row.status_history),
                status_history=row.status_history,
                commitments_pledged=row.commitments_pledged,
                commitments_withdrawn=row.commitments_withdrawn,
                commitments_due=row.commitments_due,
                delivered_on_time=row.delivered_on_time,
                delivered_late=row.delivered_late,
                votes_eligible=row.votes_eligible,
                votes_cast=row.votes_cast,
                supporters_shared=row.supporters_shared,
                pooled_accessed=row.pooled_accessed,
                referred_signatures=row.referred_signatures,
                engagement=row.engagement,
                measurements=row.measurements,
                mission_similarity=row.similarity,
                actions_in_window=row.actions_in_window,
                computed_class=verdict.klass,
                decided_by=list(verdict.decided_by),
                checks=[
                    {
                        "factor": c.factor,
                        "label": c.label,
                        "value": None if c.value is None else round(c.value, 4),
                        "threshold": c.threshold,
                        "passed": c.passed,
                        "note": c.note,
                    }
                    for c in verdict.checks
                ],
                reason=verdict.reason[:500],
            )
        )
    AuditProfile.objects.bulk_create(profiles)
    rules.next_audit_at = _midnight(add_months(as_of, rules.reaudit_every_months))
    rules.queued_at = None
    rules.save(update_fields=["next_audit_at", "queued_at"])
    if schedule:
        _schedule(coalition.pk, rules.next_audit_at)
    if trigger == Audit.Trigger.SCHEDULED:
        from .tasks import send_audit_notice

        transaction.on_commit(partial(send_audit_notice.enqueue, run.pk))
    return run


def _backend_name() -> str:
    from cairn.engines.similarity import backend_name

    return backend_name()[:80]


def _schedule(coalition_id: int, moment: dt.datetime) -> None:
    """With a backend that can defer (the database one), wake the audit when it is due;
    otherwise `cairn queue_due_audits` (cron) does it. Either way the task re-checks the date."""
    from .tasks import run_due_audit

    if not run_due_audit.get_backend().supports_defer:
        return
    transaction.on_commit(
        partial(_enqueue_due, coalition_id, moment)
    )  # the task runs only if still due


def _enqueue_due(coalition_id: int, moment: dt.datetime) -> None:
    from .tasks import run_due_audit

    run_due_audit.using(run_after=moment).enqueue(coalition_id)


@transaction.atomic
def set_audit_policy(
    *,
    coalition: Coalition,
    share_profiles: bool,
    reaudit_every_months: int,
    thresholds_need_decision: bool,
    by: User | None,
) -> AuditPolicy:
    """Set who sees profiles, the re-audit interval and whether thresholds need a decision."""
    if not 1 <= reaudit_every_months <= 24:
        raise AuditError("Re-audit every 1 to 24 months.")
    rules = ensure_policy(coalition=coalition, lock=True)
    moved = rules.reaudit_every_months != reaudit_every_months
    rules.share_profiles = share_profiles
    rules.reaudit_every_months = reaudit_every_months
    rules.thresholds_need_decision = thresholds_need_decision
    rules.updated_at = timezone.now()
    rules.updated_by = by
    if moved:
        last = selectors.latest_audit(coalition=coalition)
        if last is not None:
            rules.next_audit_at = _midnight(add_months(last.as_of, reaudit_every_months))
            rules.queued_at = None
            _schedule(coalition.pk, rules.next_audit_at)
    rules.save()
    return rules


@transaction.atomic
def save_thresholds(
    *, coalition: Coalition, thresholds: engine.Thresholds, note: str = "", by: User | None
) -> ThresholdVersion:
    """Store a new version of the thresholds; applied now unless a decision must adopt it."""
    problems = thresholds.problems()
    if problems:
        raise AuditError(" ".join(problems))
    rules = ensure_policy(coalition=coalition, lock=True)
    number = (
        ThresholdVersion.objects.for_coalition(coalition).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    from decimal import Decimal

    def share(value: float) -> Decimal:
        return Decimal(str(round(value, 3)))

    return ThresholdVersion.objects.create(
        coalition=coalition,
        number=number,
        window_days=thresholds.window_days,
        dormant_max_actions=thresholds.dormant_max_actions,
        aligned_min_similarity=share(thresholds.aligned_min_similarity),
        aligned_min_delivery=share(thresholds.aligned_min_delivery),
        aligned_min_participation=share(thresholds.aligned_min_participation),
        aligned_min_reciprocity=share(thresholds.aligned_min_reciprocity),
        aligned_min_evidence=thresholds.aligned_min_evidence,
        note=note.strip()[:300],
        created_by=by,
        applied_at=None if rules.thresholds_need_decision else timezone.now(),
    )


@transaction.atomic
def override_class(
    *, profile: AuditProfile, to_class: str, reason: str, by: User | None
) -> AuditOverride:
    """Set a profile's class by hand (the computed class restores it), logged with the reason."""
    reason = reason.strip()
    if not reason:
        raise AuditError("Say why: an override is logged with its reason.")
    if to_class not in AuditClass.values:
        raise AuditError("Choose mission-aligned, transactional or dormant.")
    locked = AuditProfile.objects.select_for_update().get(pk=profile.pk)
    before = locked.klass
    if to_class == before:
        raise AuditError(f"The class is already {AuditClass(to_class).label.lower()}.")
    locked.override_class = "" if to_class == locked.computed_class else to_class
    locked.save(update_fields=["override_class"])
    profile.override_class = locked.override_class
    return AuditOverride.objects.create(
        coalition_id=locked.coalition_id,
        profile=locked,
        from_class=before,
        to_class=to_class,
        reason=reason[:5000],
        by=by,
    )


@transaction.atomic
def annotate_profile(*, profile: AuditProfile, text: str, by: User | None) -> AuditAnnotation:
    """Add a steward's note to a profile."""
    text = text.strip()
    if not text:
        raise AuditError("Write the note first.")
    return AuditAnnotation.objects.create(
        coalition_id=profile.coalition_id, profile=profile, text=text[:5000], by=by
    )


def claim_due_audits(*, now: dt.datetime | None = None) -> list[int]:
    """Mark every coalition whose next audit is due as queued now; returns the ids this call
    claimed (a concurrent scheduler claims none of them again; a claim whose audit never ran is
    taken again after STALE_CLAIM). A coalition never audited is due at once: the first audit
    starts the schedule."""
    now = now or timezone.now()
    never = Coalition.objects.exclude(
        pk__in=AuditPolicy.objects.values("coalition_id")
    ).values_list("pk", flat=True)
    for pk in list(never):
        AuditPolicy.objects.get_or_create(coalition_id=pk, defaults={"next_audit_at": now})
    claimed = []
    due = AuditPolicy.objects.filter(next_audit_at__lte=now).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=now - STALE_CLAIM)
    )
    for rules in due:
        if AuditPolicy.objects.filter(pk=rules.pk, queued_at=rules.queued_at).update(queued_at=now):
            claimed.append(rules.coalition_id)
    return claimed


def queue_due_audits(*, now: dt.datetime | None = None) -> list[int]:
    """Enqueue the audit of every coalition that is due (see `claim_due_audits`), on commit."""
    from .tasks import run_claimed_audit

    with transaction.atomic():
        claimed = claim_due_audits(now=now)
        for pk in claimed:
            transaction.on_commit(partial(run_claimed_audit.enqueue, pk))
    return claimed


def run_if_due(*, coalition: Coalition, now: dt.datetime | None = None) -> Audit | None:
    """A scheduled audit's work: audit the coalition if its next audit is (still) due. The policy
    row is locked first, so a deferred task and a cron-queued one never both audit; an audit that
    fails leaves the date due, to be tried again."""
    now = now or timezone.now()
    with transaction.atomic():
        rules = (
            AuditPolicy.objects.select_for_update()
            .filter(coalition=coalition, next_audit_at__lte=now)
            .first()
        )
        if rules is None:
            return None
        return audit_partnerships(coalition=coalition, trigger=Audit.Trigger.SCHEDULED)
