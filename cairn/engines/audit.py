"""The partnership audit's classification rule: mission-aligned, transactional or dormant.

Pure Python, no Django. The coalition sets the thresholds (`Thresholds`); the evidence of one
member organization (`Evidence`) is counted from recorded rows by `cairn.audit.evidence`.

The rule, in order:

1. **Dormant** when the member took at most `dormant_max_actions` recorded actions in the last
   `window_days` (votes cast, pledges made, deliveries, referred signatures, supporters brought,
   measurements recorded, and every other engagement source counted by member). Decided by that
   one factor.
2. **Mission-aligned** when its stated mission is at least `aligned_min_similarity` similar to the
   coalition's, AND every *measured* relational factor meets its threshold — commitments delivered
   on time, decisions voted in, reciprocity of supporters (shared / (shared + accessed)) — AND at
   least `aligned_min_evidence` of those three were measured (a factor with no evidence, e.g. no
   commitment yet due, is "not measured": it neither passes nor fails).
3. **Transactional** otherwise: active, but the mission does not match or a relational factor falls
   short (or too little was measured to call it aligned). Decided by the factors that failed.

Every check is returned with its value, its threshold and whether it passed, so a page can show
exactly which factors decided the class.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MISSION_ALIGNED = "mission_aligned"
TRANSACTIONAL = "transactional"
DORMANT = "dormant"
CLASSES = (MISSION_ALIGNED, TRANSACTIONAL, DORMANT)
CLASS_LABELS = {
    MISSION_ALIGNED: "Mission-aligned",
    TRANSACTIONAL: "Transactional",
    DORMANT: "Dormant",
}

# factor keys (stable: stored in audit profiles' `decided_by` and shown by the API)
ACTIVITY = "activity"
SIMILARITY = "mission_similarity"
DELIVERY = "delivery_on_time"
PARTICIPATION = "participation"
RECIPROCITY = "reciprocity"
EVIDENCE = "evidence"
RELATIONAL = (DELIVERY, PARTICIPATION, RECIPROCITY)
FACTOR_LABELS = {
    ACTIVITY: "Actions in the window",
    SIMILARITY: "Mission similarity",
    DELIVERY: "Commitments delivered on time",
    PARTICIPATION: "Decisions voted in",
    RECIPROCITY: "Supporter reciprocity",
    EVIDENCE: "Relational factors measured",
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    window_days: int = 180
    dormant_max_actions: int = 0
    aligned_min_similarity: float = 0.2
    aligned_min_delivery: float = 0.75
    aligned_min_participation: float = 0.5
    aligned_min_reciprocity: float = 0.25
    aligned_min_evidence: int = 2

    def problems(self) -> list[str]:
        """Why these thresholds cannot be used (empty when they can)."""
        out = []
        if not 1 <= self.window_days <= 3660:
            out.append("The window must be between 1 and 3,660 days.")
        if self.dormant_max_actions < 0:
            out.append("The dormant limit cannot be negative.")
        for name in (
            "aligned_min_similarity",
            "aligned_min_delivery",
            "aligned_min_participation",
            "aligned_min_reciprocity",
        ):
            if not 0.0 <= getattr(self, name) <= 1.0:
                out.append(f"{name.replace('_', ' ').capitalize()} must be between 0 and 1.")
        if not 0 <= self.aligned_min_evidence <= len(RELATIONAL):
            out.append("The evidence needed must be between 0 and 3 factors.")
        return out

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class Evidence:
    """One member's counted evidence; None for a similarity that could not be computed."""

    similarity: float | None
    commitments_due: int
    delivered_on_time: int
    votes_eligible: int
    votes_cast: int
    supporters_shared: int
    pooled_accessed: int
    actions_in_window: int


@dataclass(frozen=True, slots=True)
class Check:
    factor: str
    value: float | None  # None: not measured
    threshold: float
    passed: bool | None  # None: not measured
    note: str = ""

    @property
    def label(self) -> str:
        return FACTOR_LABELS[self.factor]


@dataclass(frozen=True, slots=True)
class Classification:
    klass: str
    checks: tuple[Check, ...]
    decided_by: tuple[str, ...]
    reason: str
    rates: dict[str, float | None] = field(default_factory=dict)


def ratio(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return None if whole <= 0 else part / whole


def delivery_rate(evidence: Evidence) -> float | None:
    return ratio(evidence.delivered_on_time, evidence.commitments_due)


def participation_rate(evidence: Evidence) -> float | None:
    return ratio(evidence.votes_cast, evidence.votes_eligible)


def reciprocity(evidence: Evidence) -> float | None:
    """Share of the member's two-way supporter flow that it gave: 1 gives only, 0 only takes."""
    return ratio(evidence.supporters_shared, evidence.supporters_shared + evidence.pooled_accessed)


def _at_least(factor: str, value: float | None, threshold: float, note: str = "") -> Check:
    passed = None if value is None else value >= threshold - 1e-12
    return Check(factor=factor, value=value, threshold=threshold, passed=passed, note=note)


def _percent(value: float) -> str:
    return f"{round(100 * value)}%"


def classify(evidence: Evidence, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Classification:
    """The class of one member under `thresholds`, with the checks that decided it."""
    rates = {
        DELIVERY: delivery_rate(evidence),
        PARTICIPATION: participation_rate(evidence),
        RECIPROCITY: reciprocity(evidence),
        SIMILARITY: evidence.similarity,
    }
    activity = Check(
        factor=ACTIVITY,
        value=float(evidence.actions_in_window),
        threshold=float(thresholds.dormant_max_actions),
        passed=evidence.actions_in_window > thresholds.dormant_max_actions,
    )
    similarity = _at_least(
        SIMILARITY,
        evidence.similarity,
        thresholds.aligned_min_similarity,
        note="" if evidence.similarity is not None else "no stated mission",
    )
    relational = [
        _at_least(DELIVERY, rates[DELIVERY], thresholds.aligned_min_delivery),
        _at_least(PARTICIPATION, rates[PARTICIPATION], thresholds.aligned_min_participation),
        _at_least(RECIPROCITY, rates[RECIPROCITY], thresholds.aligned_min_reciprocity),
    ]
    measured = sum(c.passed is not None for c in relational)
    enough = Check(
        factor=EVIDENCE,
        value=float(measured),
        threshold=float(thresholds.aligned_min_evidence),
        passed=measured >= thresholds.aligned_min_evidence,
    )
    checks = (activity, similarity, *relational, enough)
    if not activity.passed:
        return Classification(
            klass=DORMANT,
            checks=checks,
            decided_by=(ACTIVITY,),
            reason=(
                f"{evidence.actions_in_window} recorded action"
                f"{'' if evidence.actions_in_window == 1 else 's'} in the last "
                f"{thresholds.window_days} days (dormant at {thresholds.dormant_max_actions} or "
                "fewer)."
            ),
            rates=rates,
        )
    failed = [c for c in (similarity, *relational) if c.passed is False]
    if similarity.passed is None:
        failed.insert(0, similarity)
    if not enough.passed:
        failed.append(enough)
    if not failed:
        passed = [c.factor for c in (similarity, *relational) if c.passed]
        return Classification(
            klass=MISSION_ALIGNED,
            checks=checks,
            decided_by=tuple(passed),
            reason="Mission similar to the coalition's and every measured factor met: "
            + ", ".join(_describe(c) for c in (similarity, *relational) if c.passed)
            + ".",
            rates=rates,
        )
    return Classification(
        klass=TRANSACTIONAL,
        checks=checks,
        decided_by=tuple(c.factor for c in failed),
        reason="Active, but short on: " + "; ".join(_describe(c) for c in failed) + ".",
        rates=rates,
    )


def _describe(check: Check) -> str:
    label = FACTOR_LABELS[check.factor].lower()
    if check.factor == EVIDENCE:
        return (
            f"only {int(check.value or 0)} of 3 relational factors measured "
            f"({int(check.threshold)} needed)"
        )
    if check.value is None:
        return f"{label} unknown ({check.note or 'not measured'})"
    if check.factor == SIMILARITY:
        return f"{label} {check.value:.2f} (threshold {check.threshold:.2f})"
    return f"{label} {_percent(check.value)} (threshold {_percent(check.threshold)})"
