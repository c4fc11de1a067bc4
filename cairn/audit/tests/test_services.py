"""The audit's figures against the hand-computed coalition (tests/conftest.py), thresholds adopted
by a decision, overrides and notes logged, the schedule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cairn.audit import selectors, services
from cairn.audit.models import Audit, AuditOverride, AuditPolicy, AuditProfile, ThresholdVersion
from cairn.audit.services import AuditError
from cairn.engines import audit as engine
from cairn.governance import authorizable
from cairn.governance import services as governance_services

from .conftest import Hand, fixed_similarities

pytestmark = pytest.mark.django_db


def run(hand: Hand, **kwargs: object) -> Audit:
    return services.audit_partnerships(
        coalition=hand.coalition,
        by=hand.steward.user,
        similarities=fixed_similarities,
        **kwargs,  # type: ignore[arg-type]
    )


def figures(profile: AuditProfile) -> dict[str, object]:
    return {
        "status": profile.status,
        "status_changes": profile.status_changes,
        "commitments_pledged": profile.commitments_pledged,
        "commitments_due": profile.commitments_due,
        "delivered_on_time": profile.delivered_on_time,
        "delivered_late": profile.delivered_late,
        "commitments_withdrawn": profile.commitments_withdrawn,
        "votes_eligible": profile.votes_eligible,
        "votes_cast": profile.votes_cast,
        "supporters_shared": profile.supporters_shared,
        "pooled_accessed": profile.pooled_accessed,
        "referred_signatures": profile.referred_signatures,
        "measurements": profile.measurements,
        "mission_similarity": profile.mission_similarity,
        "actions_in_window": profile.actions_in_window,
        "computed_class": profile.computed_class,
        "decided_by": profile.decided_by,
    }


def test_every_figure_and_class_of_the_hand_computed_coalition(hand: Hand) -> None:
    # when the steward runs the audit
    audit = run(hand)
    profiles = {p.organization_name: p for p in audit.profiles.all()}
    # then the members (not the prospect, not the one that left) are profiled, exactly
    assert sorted(profiles) == ["Aligned Org", "Dormant Org", "Transactional Org"]
    assert figures(profiles["Aligned Org"]) == {
        "status": "active",
        "status_changes": 1,
        "commitments_pledged": 2,
        "commitments_due": 1,
        "delivered_on_time": 1,
        "delivered_late": 0,
        "commitments_withdrawn": 0,
        "votes_eligible": 2,
        "votes_cast": 2,
        "supporters_shared": 3,
        "pooled_accessed": 1,
        "referred_signatures": 2,
        "measurements": 1,
        "mission_similarity": 0.8,
        "actions_in_window": 12,
        "computed_class": "mission_aligned",
        "decided_by": ["mission_similarity", "delivery_on_time", "participation", "reciprocity"],
    }
    assert figures(profiles["Transactional Org"]) == {
        "status": "active",
        "status_changes": 1,
        "commitments_pledged": 1,
        "commitments_due": 1,
        "delivered_on_time": 0,
        "delivered_late": 1,
        "commitments_withdrawn": 0,
        "votes_eligible": 2,
        "votes_cast": 0,
        "supporters_shared": 1,
        "pooled_accessed": 2,
        "referred_signatures": 0,
        "measurements": 0,
        "mission_similarity": 0.1,
        "actions_in_window": 3,
        "computed_class": "transactional",
        "decided_by": ["mission_similarity", "delivery_on_time", "participation"],
    }
    assert figures(profiles["Dormant Org"]) == {
        "status": "paused",
        "status_changes": 2,
        "commitments_pledged": 0,
        "commitments_due": 0,
        "delivered_on_time": 0,
        "delivered_late": 0,
        "commitments_withdrawn": 0,
        "votes_eligible": 0,
        "votes_cast": 0,
        "supporters_shared": 0,
        "pooled_accessed": 0,
        "referred_signatures": 0,
        "measurements": 0,
        "mission_similarity": 0.9,
        "actions_in_window": 0,
        "computed_class": "dormant",
        "decided_by": ["activity"],
    }
    # tenure and status history: all joined today; the dormant one paused since
    today = timezone.localdate().isoformat()
    dormant = profiles["Dormant Org"]
    assert (dormant.joined_on, dormant.tenure_days) == (timezone.localdate(), 0)
    assert dormant.status_history == [
        {"on": today, "from": "", "to": "active"},
        {"on": today, "from": "active", "to": "paused"},
    ]
    # and the rates are stored with the checks, exactly
    transactional = profiles["Transactional Org"]
    assert transactional.rate(engine.RECIPROCITY) == pytest.approx(1 / 3, abs=1e-4)
    assert transactional.rate(engine.DELIVERY) == 0.0
    assert profiles["Aligned Org"].rate(engine.RECIPROCITY) == 0.75
    assert transactional.engagement["signatures"]["count"] == 0.0
    assert profiles["Aligned Org"].engagement["new_supporters"]["count"] == 3.0
    assert transactional.reason == (
        "Active, but short on: mission similarity 0.10 (threshold 0.20); commitments delivered "
        "on time 0% (threshold 75%); decisions voted in 0% (threshold 50%)."
    )
    # and the run is numbered, with the defaults recorded and the next audit in three months
    assert (audit.number, audit.thresholds_version, audit.thresholds) == (
        1,
        None,
        engine.DEFAULT_THRESHOLDS.as_dict(),
    )
    rules = AuditPolicy.objects.get(coalition=hand.coalition)
    assert rules.next_audit_at is not None
    assert timezone.localdate(rules.next_audit_at) == services.add_months(audit.as_of, 3)


def test_an_audit_of_a_past_day_counts_what_was_recorded_by_then(hand: Hand) -> None:
    past = timezone.localdate() - dt.timedelta(days=15)
    audit = run(hand, as_of=past)
    aligned = audit.profiles.get(membership=hand.aligned)
    # the commitment due 10 days ago was not due yet; only the delivery of day -20 existed
    assert (aligned.commitments_due, aligned.delivered_on_time) == (0, 0)
    assert aligned.supporters_shared == 0  # the supporters were added today


def test_thresholds_apply_at_once_unless_a_decision_must_adopt_them(hand: Hand) -> None:
    coalition, user = hand.coalition, hand.steward.user
    # given a coalition that applies thresholds directly: v1 is in force at once
    v1 = services.save_thresholds(
        coalition=coalition, thresholds=engine.Thresholds(dormant_max_actions=3), by=user
    )
    assert selectors.thresholds_in_force(coalition=coalition).version == v1
    assert run(hand).profiles.get(membership=hand.transactional).computed_class == "dormant"
    # when the coalition asks for a decision, a new version waits, and so does v1's direct use
    services.set_audit_policy(
        coalition=coalition,
        share_profiles=False,
        reaudit_every_months=3,
        thresholds_need_decision=True,
        by=user,
    )
    v2 = services.save_thresholds(
        coalition=coalition,
        thresholds=engine.Thresholds(aligned_min_similarity=0.05, aligned_min_delivery=0.0),
        note="Count the insurers in",
        by=user,
    )
    assert v2.applied_at is None
    assert selectors.thresholds_in_force(coalition=coalition).version is None
    # then a decision's outcome authorizes v2 through the governance Authorization link
    assert authorizable.resolve(coalition, f"audit.thresholdversion:{v2.pk}") == v2
    proposal = governance_services.create_proposal(
        coalition=coalition,
        template="consent",
        title="Adopt audit thresholds v2",
        closes_at=timezone.now() + dt.timedelta(days=3),
        created_by=user,
    )
    proposal = governance_services.open_proposal(proposal=proposal, by=user)
    governance_services.cast_vote(
        proposal=proposal, staff=hand.organizers["aligned"], ballot={"position": "consent"}
    )
    proposal = governance_services.close_proposal(proposal=proposal, by=user)
    outcome = governance_services.record_outcome(
        proposal=proposal, statement="Adopted", recorded_by=user
    )
    governance_services.authorize(outcome=outcome, target=v2)
    in_force = selectors.thresholds_in_force(coalition=coalition)
    assert in_force.version == v2
    assert in_force.state is not None
    assert in_force.state.how == "adopted by decision"
    # and the next audit uses it: the transactional member (0.1 similar, late) is aligned now
    audit = run(hand)
    assert audit.thresholds_version == v2
    assert audit.thresholds["aligned_min_similarity"] == 0.05
    transactional = audit.profiles.get(membership=hand.transactional)
    assert transactional.computed_class == "transactional"
    assert transactional.decided_by == ["participation"]  # 0 of 3 now voted: the third decision


def test_bad_thresholds_are_refused_and_change_nothing(hand: Hand) -> None:
    with pytest.raises(AuditError, match="must be between 0 and 1"):
        services.save_thresholds(
            coalition=hand.coalition,
            thresholds=engine.Thresholds(aligned_min_reciprocity=2.0),
            by=None,
        )
    assert not ThresholdVersion.objects.exists()


def test_an_override_is_logged_with_its_reason_and_can_be_undone(hand: Hand) -> None:
    profile = run(hand).profiles.get(membership=hand.dormant)
    user = hand.steward.user
    # a reason is required: nothing changes without one
    with pytest.raises(AuditError, match="Say why"):
        services.override_class(profile=profile, to_class="transactional", reason=" ", by=user)
    assert AuditOverride.objects.count() == 0
    # when a steward overrides it
    services.override_class(
        profile=profile, to_class="transactional", reason="On leave, still pays dues", by=user
    )
    profile.refresh_from_db()
    assert (profile.klass, profile.computed_class, profile.overridden) == (
        "transactional",
        "dormant",
        True,
    )
    # and restores the computed class
    services.override_class(profile=profile, to_class="dormant", reason="Dues lapsed", by=user)
    profile.refresh_from_db()
    assert (profile.override_class, profile.klass) == ("", "dormant")
    log = list(AuditOverride.objects.order_by("pk").values_list("from_class", "to_class", "reason"))
    assert log == [
        ("dormant", "transactional", "On leave, still pays dues"),
        ("transactional", "dormant", "Dues lapsed"),
    ]
    services.annotate_profile(profile=profile, text="Board recruiting a director", by=user)
    assert [a.text for a in selectors.notes(coalition=hand.coalition, profile=profile)] == [
        "Board recruiting a director"
    ]


def test_the_trend_counts_final_classes_per_audit(hand: Hand) -> None:
    first = run(hand)
    services.override_class(
        profile=first.profiles.get(membership=hand.dormant),
        to_class="transactional",
        reason="Known to be active off the record",
        by=None,
    )
    second = run(hand)
    points = selectors.trend(coalition=hand.coalition)
    assert [(p.audit.number, p.counts) for p in points] == [
        (1, {"mission_aligned": 1, "transactional": 2, "dormant": 0}),
        (2, {"mission_aligned": 1, "transactional": 1, "dormant": 1}),
    ]
    assert (
        selectors.previous_classes(coalition=hand.coalition, audit=second)[hand.dormant.pk]
        == "transactional"
    )


def test_the_scheduled_audit_runs_when_due_and_tells_the_stewards(
    hand: Hand, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from cairn.audit import evidence

    monkeypatch.setattr(evidence, "default_similarities", fixed_similarities)
    # given a coalition never audited: it is due at once, and claimed only once
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.queue_due_audits(now=now)  # the immediate backend runs it
    assert hand.coalition.pk in first
    assert services.queue_due_audits(now=now) == []
    audit = Audit.objects.get(coalition=hand.coalition)
    assert audit.trigger == Audit.Trigger.SCHEDULED
    assert audit.profiles.count() == 3
    # the stewards got the notice
    notice = [m for m in mail.outbox if "Partnership audit 1" in m.subject]
    assert [m.to for m in notice] == [[hand.steward.user.email]]
    assert "Mission-aligned: 1\nTransactional: 1\nDormant: 1" in notice[0].body
    # when three months have passed it is due again; a deferred wake-up before that does nothing
    rules = AuditPolicy.objects.get(coalition=hand.coalition)
    assert rules.next_audit_at is not None
    assert services.run_if_due(coalition=hand.coalition, now=rules.next_audit_at
                               - dt.timedelta(seconds=1)) is None  # fmt: skip
    again = services.run_if_due(coalition=hand.coalition, now=rules.next_audit_at)
    assert again is not None
    assert again.number == 2


def test_the_cron_command_runs_due_audits_once(hand: Hand, monkeypatch: pytest.MonkeyPatch) -> None:
    from io import StringIO

    from django.core.management import call_command

    from cairn.audit import evidence

    monkeypatch.setattr(evidence, "default_similarities", fixed_similarities)
    out = StringIO()
    call_command("queue_due_audits", "--now", stdout=out)
    assert f"{hand.coalition.slug}: audit 1, 3 members" in out.getvalue()
    again = StringIO()
    call_command("queue_due_audits", stdout=again)
    assert again.getvalue() == "0 audits queued.\n"


def test_a_claimed_audit_that_never_ran_is_claimed_again_later(hand: Hand) -> None:
    # given a scheduler that claimed the coalition's audit and then died before it ran
    now = timezone.now()
    assert services.claim_due_audits(now=now) == [hand.coalition.pk]
    # then another scheduler soon after leaves it alone, and takes it once the claim is stale
    assert services.claim_due_audits(now=now + dt.timedelta(hours=1)) == []
    later = now + services.STALE_CLAIM + dt.timedelta(seconds=1)
    assert services.claim_due_audits(now=later) == [hand.coalition.pk]
    assert not Audit.objects.exists()
