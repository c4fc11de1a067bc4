"""The audit's classification rule, checked by hand."""

from __future__ import annotations

import pytest

from cairn.engines import audit
from cairn.engines.audit import Evidence, Thresholds, classify


def evidence(**changes: object) -> Evidence:
    base: dict[str, object] = {
        "similarity": 0.5,
        "commitments_due": 4,
        "delivered_on_time": 4,
        "votes_eligible": 4,
        "votes_cast": 3,
        "supporters_shared": 30,
        "pooled_accessed": 10,
        "actions_in_window": 12,
    }
    base.update(changes)
    return Evidence(**base)  # type: ignore[arg-type]


def test_a_member_meeting_every_threshold_is_mission_aligned() -> None:
    # given evidence above every default threshold
    result = classify(evidence())
    # then it is aligned, decided by the four factors that passed, with exact rates
    assert result.klass == audit.MISSION_ALIGNED
    assert result.decided_by == (
        audit.SIMILARITY,
        audit.DELIVERY,
        audit.PARTICIPATION,
        audit.RECIPROCITY,
    )
    assert result.rates == {
        audit.DELIVERY: 1.0,
        audit.PARTICIPATION: 0.75,
        audit.RECIPROCITY: 0.75,
        audit.SIMILARITY: 0.5,
    }


def test_no_action_in_the_window_is_dormant_whatever_else() -> None:
    result = classify(evidence(actions_in_window=0))
    assert result.klass == audit.DORMANT
    assert result.decided_by == (audit.ACTIVITY,)
    assert result.reason == ("0 recorded actions in the last 180 days (dormant at 0 or fewer).")


def test_the_dormant_limit_is_the_coalitions() -> None:
    strict = Thresholds(dormant_max_actions=12)
    assert classify(evidence(actions_in_window=12), strict).klass == audit.DORMANT
    assert classify(evidence(actions_in_window=13), strict).klass == audit.MISSION_ALIGNED


@pytest.mark.parametrize(
    ("changes", "failed"),
    [
        ({"similarity": 0.1}, (audit.SIMILARITY,)),
        ({"similarity": None}, (audit.SIMILARITY,)),
        ({"delivered_on_time": 2}, (audit.DELIVERY,)),  # 50% < 75%
        ({"votes_cast": 1}, (audit.PARTICIPATION,)),  # 25% < 50%
        ({"supporters_shared": 1, "pooled_accessed": 9}, (audit.RECIPROCITY,)),  # 10% < 25%
        ({"similarity": 0.0, "votes_cast": 0}, (audit.SIMILARITY, audit.PARTICIPATION)),
    ],
)
def test_a_shortfall_makes_it_transactional_and_says_which(
    changes: dict[str, object], failed: tuple[str, ...]
) -> None:
    result = classify(evidence(**changes))
    assert result.klass == audit.TRANSACTIONAL
    assert result.decided_by == failed


def test_unmeasured_factors_neither_pass_nor_fail_but_too_few_is_not_aligned() -> None:
    # given no commitment due and no vote held: only reciprocity is measured
    thin = evidence(commitments_due=0, delivered_on_time=0, votes_eligible=0, votes_cast=0)
    result = classify(thin)
    checks = {c.factor: c for c in result.checks}
    assert checks[audit.DELIVERY].passed is None
    assert checks[audit.PARTICIPATION].passed is None
    # then with two measured factors needed it is transactional for lack of evidence
    assert result.klass == audit.TRANSACTIONAL
    assert result.decided_by == (audit.EVIDENCE,)
    assert "only 1 of 3 relational factors measured (2 needed)" in result.reason
    # and a coalition that asks for one measured factor calls it aligned
    assert classify(thin, Thresholds(aligned_min_evidence=1)).klass == audit.MISSION_ALIGNED


def test_a_threshold_met_exactly_passes() -> None:
    exact = evidence(delivered_on_time=3, votes_cast=2, similarity=0.2)  # 75%, 50%, 0.2
    assert classify(exact).klass == audit.MISSION_ALIGNED


def test_reciprocity_is_none_without_any_flow() -> None:
    assert audit.reciprocity(evidence(supporters_shared=0, pooled_accessed=0)) is None
    assert audit.reciprocity(evidence(supporters_shared=0, pooled_accessed=5)) == 0.0


def test_thresholds_say_what_is_wrong() -> None:
    assert Thresholds().problems() == []
    assert Thresholds(
        window_days=0, aligned_min_delivery=1.5, aligned_min_evidence=4
    ).problems() == [
        "The window must be between 1 and 3,660 days.",
        "Aligned min delivery must be between 0 and 1.",
        "The evidence needed must be between 0 and 3 factors.",
    ]
