"""The *proposal* method: each voter takes one position, the positions are counted by weight.

Rules followed (all arithmetic exact: weights are ``Decimal``, shares are ``Fraction``):

- **One ballot per voter.** Ballots are a mapping voter → position code, so a voter (an
  organization, for one-organization-one-vote) can appear at most once. A vote changed N times is
  represented by its latest position only: build the mapping with :func:`latest_ballots`.
- **Weights.** ``eligible`` maps every eligible voter to a weight > 0 (1 for one organization one
  vote, or the membership's declared weight).
- **Bases.** *eligible weight* is the weight of every eligible voter; *voted weight* is the weight
  of the voters who took any position, abstentions included (an abstainer is present for the
  quorum); *cast weight* is the voted weight less the abstentions, as in Robert's Rules of Order
  Newly Revised, where a majority is "more than half of the votes cast" and abstentions are not
  votes cast.
- **Quorum** is a share of the eligible weight: met when ``voted weight >= quorum * eligible
  weight``.
- **Requirements.** A :class:`ShareRequirement` compares the weight of some positions with a share
  of the eligible or of the cast weight ("agree ≥ 75 % of eligible", "block ≤ 0 % of cast"); the
  share of an empty base is 0. A :class:`CountRequirement` compares the number of voters on some
  positions with a target ("in ≥ 12 voters").
- **Outcome.** A rule that decides passes when the quorum is met and every requirement is met;
  templates that only gather opinion (sense check, advice) report ``passed=None``. Every unmet
  requirement is listed, in words, in ``reasons``.

The eight-point *Gradients of Agreement* scale is Sam Kaner's, as published by Community at Work in
*Facilitator's Guide to Participatory Decision-Making* (Kaner, Lind, Toldi, Fisk and Berger; 1996,
3rd ed. 2014): 1 wholehearted endorsement, 2 agreement with a minor point of contention, 3 support
with reservations, 4 abstain, 5 more discussion needed, 6 don't like but will support, 7 serious
disagreement, 8 veto.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Final, TypeVar

from cairn.engines.words import counted

V = TypeVar("V", bound=Hashable)
B = TypeVar("B")

ZERO: Final = Decimal(0)


class Meaning(StrEnum):
    """What a position means for counting: abstentions are left out of the cast weight."""

    AGREE = "agree"
    ABSTAIN = "abstain"
    DISAGREE = "disagree"
    BLOCK = "block"


class Basis(StrEnum):
    ELIGIBLE = "eligible"
    CAST = "cast"


class Comparison(StrEnum):
    AT_LEAST = "≥"
    MORE_THAN = ">"
    AT_MOST = "≤"
    LESS_THAN = "<"

    def holds(self, left: Fraction, right: Fraction) -> bool:
        """True when ``left <comparison> right``."""
        if self is Comparison.AT_LEAST:
            return left >= right
        if self is Comparison.MORE_THAN:
            return left > right
        if self is Comparison.AT_MOST:
            return left <= right
        return left < right

    @property
    def words(self) -> str:
        return {
            Comparison.AT_LEAST: "at least",
            Comparison.MORE_THAN: "more than",
            Comparison.AT_MOST: "at most",
            Comparison.LESS_THAN: "less than",
        }[self]


@dataclass(frozen=True, slots=True)
class Position:
    code: str
    label: str
    meaning: Meaning
    description: str = ""
    level: int | None = None  # the point on an ordered scale (gradients of agreement), if any


@dataclass(frozen=True, slots=True)
class ShareRequirement:
    """The weight on ``positions`` must be ``comparison`` ``share`` of the ``basis`` weight."""

    positions: frozenset[str]
    comparison: Comparison
    share: Fraction
    basis: Basis

    def __post_init__(self) -> None:
        if not self.positions:
            raise ValueError("a requirement names at least one position")
        if not 0 <= self.share <= 1:
            raise ValueError(f"a share is between 0 and 1, not {self.share}")


@dataclass(frozen=True, slots=True)
class CountRequirement:
    """At least ``at_least`` voters must have taken one of ``positions``."""

    positions: frozenset[str]
    at_least: int

    def __post_init__(self) -> None:
        if not self.positions:
            raise ValueError("a requirement names at least one position")
        if self.at_least < 1:
            raise ValueError(f"a count target is at least 1, not {self.at_least}")


Requirement = ShareRequirement | CountRequirement


@dataclass(frozen=True, slots=True)
class ProposalRule:
    """A template's pass rule as data: its positions, quorum and requirements."""

    key: str
    name: str
    positions: tuple[Position, ...]
    quorum: Fraction = Fraction(0)
    requirements: tuple[Requirement, ...] = ()
    decides: bool = True

    def __post_init__(self) -> None:
        codes = [p.code for p in self.positions]
        if not codes:
            raise ValueError("a rule offers at least one position")
        if len(set(codes)) != len(codes):
            raise ValueError(f"position codes must be unique: {codes}")
        if not 0 <= self.quorum <= 1:
            raise ValueError(f"a quorum is a share between 0 and 1, not {self.quorum}")
        for requirement in self.requirements:
            unknown = requirement.positions - set(codes)
            if unknown:
                raise ValueError(f"requirement names unknown positions: {sorted(unknown)}")
        if not self.decides and self.requirements:
            raise ValueError("a rule that does not decide has no requirements")

    def in_order(self, codes: frozenset[str]) -> tuple[Position, ...]:
        """The positions named by ``codes``, in the rule's order."""
        return tuple(p for p in self.positions if p.code in codes)

    def position(self, code: str) -> Position:
        for candidate in self.positions:
            if candidate.code == code:
                return candidate
        raise KeyError(code)


@dataclass(frozen=True, slots=True)
class PositionCount:
    code: str
    label: str
    meaning: Meaning
    voters: int
    weight: Decimal
    share_of_cast: Fraction
    share_of_eligible: Fraction


@dataclass(frozen=True, slots=True)
class ProposalResult:
    rule_key: str
    positions: tuple[PositionCount, ...]
    eligible_voters: int
    eligible_weight: Decimal
    voters: int
    voted_weight: Decimal
    cast_weight: Decimal
    quorum_met: bool
    passed: bool | None
    reasons: tuple[str, ...] = field(default=())

    def position(self, code: str) -> PositionCount:
        for count in self.positions:
            if count.code == code:
                return count
        raise KeyError(code)


# -- the shipped templates' positions --------------------------------------------------------

AGREE = Position("agree", "Agree", Meaning.AGREE)
ABSTAIN = Position("abstain", "Abstain", Meaning.ABSTAIN)
DISAGREE = Position("disagree", "Disagree", Meaning.DISAGREE)
BLOCK = Position("block", "Block", Meaning.BLOCK)
CONSENT = Position("consent", "Consent", Meaning.AGREE, "I can live with it and see no harm.")
OBJECTION = Position(
    "objection", "Objection", Meaning.BLOCK, "It would cause harm or move us backwards."
)
OPT_IN = Position("in", "I'm in", Meaning.AGREE)
OPT_OUT = Position("out", "I'm out", Meaning.DISAGREE)

SENSE_CHECK_POSITIONS: Final = (
    Position("looks_good", "Looks good", Meaning.AGREE),
    Position("not_sure", "Not sure", Meaning.ABSTAIN),
    Position("concerned", "Concerned", Meaning.DISAGREE),
)
ADVICE_POSITIONS: Final = (AGREE, ABSTAIN, DISAGREE)
CONSENT_POSITIONS: Final = (CONSENT, OBJECTION)
CONSENSUS_POSITIONS: Final = (AGREE, ABSTAIN, DISAGREE, BLOCK)
MAJORITY_POSITIONS: Final = (AGREE, ABSTAIN, DISAGREE)
COUNT_POSITIONS: Final = (OPT_IN, OPT_OUT)

GRADIENTS_OF_AGREEMENT: Final = tuple(
    Position(code, label, meaning, description, level)
    for level, (code, label, meaning, description) in enumerate(
        (
            ("wholehearted_endorsement", "Wholehearted endorsement", Meaning.AGREE,
             "I really like it."),
            ("minor_point_of_contention", "Agreement with a minor point of contention",
             Meaning.AGREE, "Basically, I like it."),
            ("support_with_reservations", "Support with reservations", Meaning.AGREE,
             "I can live with it."),
            ("abstain", "Abstain", Meaning.ABSTAIN, "I have no opinion."),
            ("more_discussion_needed", "More discussion needed", Meaning.DISAGREE,
             "I don't understand the issue well enough yet."),
            ("dont_like_but_will_support", "Don't like but will support", Meaning.DISAGREE,
             "I want my disagreement noted, but I'll support the decision."),
            ("serious_disagreement", "Serious disagreement", Meaning.DISAGREE,
             "I'm not on board with this. Don't count on my support."),
            ("veto", "Veto", Meaning.BLOCK, "I won't support this proposal: I block it."),
        ),
        start=1,
    )
)  # fmt: skip
GRADIENT_ENDORSING_LEVELS: Final = frozenset(
    p.code for p in GRADIENTS_OF_AGREEMENT if p.level is not None and p.level <= 3
)

# -- the shipped templates' pass rules -------------------------------------------------------

SENSE_CHECK: Final = ProposalRule(
    key="sense_check", name="Sense check", positions=SENSE_CHECK_POSITIONS, decides=False
)
ADVICE: Final = ProposalRule(key="advice", name="Advice", positions=ADVICE_POSITIONS, decides=False)


def consent_rule(*, quorum: Fraction = Fraction(1, 2)) -> ProposalRule:
    """Consent passes when the quorum is met and no objection stands (objection weight is 0)."""
    return ProposalRule(
        key="consent",
        name="Consent",
        positions=CONSENT_POSITIONS,
        quorum=quorum,
        requirements=(
            ShareRequirement(frozenset({"objection"}), Comparison.AT_MOST, Fraction(0), Basis.CAST),
        ),
    )


def consensus_rule(
    *,
    quorum: Fraction = Fraction(1, 2),
    agree_share: Fraction = Fraction(3, 4),
    agree_basis: Basis = Basis.CAST,
) -> ProposalRule:
    """Consensus passes with the quorum met, no block, and agree at least ``agree_share``."""
    return ProposalRule(
        key="consensus",
        name="Consensus",
        positions=CONSENSUS_POSITIONS,
        quorum=quorum,
        requirements=(
            ShareRequirement(frozenset({"block"}), Comparison.AT_MOST, Fraction(0), Basis.CAST),
            ShareRequirement(frozenset({"agree"}), Comparison.AT_LEAST, agree_share, agree_basis),
        ),
    )


def majority_rule(*, quorum: Fraction = Fraction(1, 2)) -> ProposalRule:
    """Majority passes when agree is more than half of the cast weight (abstentions excluded)."""
    return ProposalRule(
        key="majority",
        name="Majority",
        positions=MAJORITY_POSITIONS,
        quorum=quorum,
        requirements=(
            ShareRequirement(
                frozenset({"agree"}), Comparison.MORE_THAN, Fraction(1, 2), Basis.CAST
            ),
        ),
    )


def super_majority_rule(
    *, quorum: Fraction = Fraction(1, 2), share: Fraction = Fraction(2, 3)
) -> ProposalRule:
    """Super-majority passes when agree is at least ``share`` (2/3) of the cast weight."""
    return ProposalRule(
        key="super_majority",
        name="Super-majority",
        positions=MAJORITY_POSITIONS,
        quorum=quorum,
        requirements=(
            ShareRequirement(frozenset({"agree"}), Comparison.AT_LEAST, share, Basis.CAST),
        ),
    )


def gradients_rule(
    *, quorum: Fraction = Fraction(1, 2), endorse_share: Fraction = Fraction(3, 4)
) -> ProposalRule:
    """Gradients pass with no veto and levels 1-3 at least ``endorse_share`` of the cast weight."""
    return ProposalRule(
        key="gradients_of_agreement",
        name="Gradients of agreement",
        positions=GRADIENTS_OF_AGREEMENT,
        quorum=quorum,
        requirements=(
            ShareRequirement(frozenset({"veto"}), Comparison.AT_MOST, Fraction(0), Basis.CAST),
            ShareRequirement(
                GRADIENT_ENDORSING_LEVELS, Comparison.AT_LEAST, endorse_share, Basis.CAST
            ),
        ),
    )


def count_rule(*, target: int) -> ProposalRule:
    """Count / opt-in passes when the number of voters who are in reaches ``target``."""
    return ProposalRule(
        key="count",
        name="Count",
        positions=COUNT_POSITIONS,
        requirements=(CountRequirement(frozenset({"in"}), target),),
    )


CONSENT_RULE: Final = consent_rule()
CONSENSUS_RULE: Final = consensus_rule()
MAJORITY_RULE: Final = majority_rule()
SUPER_MAJORITY_RULE: Final = super_majority_rule()
GRADIENTS_RULE: Final = gradients_rule()

# -- counting --------------------------------------------------------------------------------


def latest_ballots(changes: Iterable[tuple[V, B]]) -> dict[V, B]:
    """Fold a stream of (voter, ballot) changes into one ballot per voter: the last one wins."""
    ballots: dict[V, B] = {}
    for voter, ballot in changes:
        ballots.pop(voter, None)  # re-insert so the mapping's order is that of the latest votes
        ballots[voter] = ballot
    return ballots


def validate_proposal_ballot(
    *, rule: ProposalRule, position: str, reason: str = "", reason_required: bool = False
) -> tuple[str, ...]:
    """Errors for one proposal ballot: empty exactly when the position is offered (and reasoned)."""
    errors: list[str] = []
    if position not in {p.code for p in rule.positions}:
        errors.append(f"unknown position {position!r}")
    if reason_required and not reason.strip():
        errors.append("a reason is required")
    return tuple(errors)


def tally_proposal(
    *, rule: ProposalRule, eligible: Mapping[V, Decimal], ballots: Mapping[V, str]
) -> ProposalResult:
    """Count each voter's one position by weight; passed is None when the rule decides nothing."""
    for voter, weight in eligible.items():
        if weight <= ZERO:
            raise ValueError(f"voter {voter!r} has weight {weight}; weights are > 0")
    codes = {p.code: p for p in rule.positions}
    weights = dict.fromkeys(codes, ZERO)
    voters = dict.fromkeys(codes, 0)
    for voter, code in ballots.items():
        if voter not in eligible:
            raise ValueError(f"voter {voter!r} is not eligible")
        if code not in codes:
            raise ValueError(f"voter {voter!r} took unknown position {code!r}")
        weights[code] += eligible[voter]
        voters[code] += 1

    eligible_weight = sum(eligible.values(), ZERO)
    voted_weight = sum(weights.values(), ZERO)
    cast_weight = sum(
        (weights[p.code] for p in rule.positions if p.meaning is not Meaning.ABSTAIN), ZERO
    )
    counts = tuple(
        PositionCount(
            code=p.code,
            label=p.label,
            meaning=p.meaning,
            voters=voters[p.code],
            weight=weights[p.code],
            share_of_cast=(
                Fraction(0)
                if p.meaning is Meaning.ABSTAIN
                else _share(weights[p.code], cast_weight)
            ),
            share_of_eligible=_share(weights[p.code], eligible_weight),
        )
        for p in rule.positions
    )

    reasons: list[str] = []
    quorum_met = Fraction(voted_weight) >= rule.quorum * Fraction(eligible_weight)
    if not quorum_met:
        reasons.append(
            f"quorum not met: {_num(voted_weight)} of {_num(eligible_weight)} eligible voted "
            f"({_percent(_share(voted_weight, eligible_weight))}), "
            f"{_percent(rule.quorum)} needed"
        )
    for requirement in rule.requirements:
        label = " + ".join(p.label for p in rule.in_order(requirement.positions))
        if isinstance(requirement, CountRequirement):
            number = sum(voters[c] for c in requirement.positions)
            if number < requirement.at_least:
                reasons.append(
                    f"{label}: {counted(number, 'voter', 'voters')}, "
                    f"at least {requirement.at_least} needed"
                )
            continue
        weight = sum((weights[c] for c in requirement.positions), ZERO)
        base = eligible_weight if requirement.basis is Basis.ELIGIBLE else cast_weight
        share = _share(weight, base)
        if not requirement.comparison.holds(share, requirement.share):
            reasons.append(
                f"{label}: {_num(weight)} is {_percent(share)} of {requirement.basis.value}, "
                f"must be {requirement.comparison.words} {_percent(requirement.share)} "
                f"of {requirement.basis.value}"
            )

    passed = (quorum_met and not reasons) if rule.decides else None
    return ProposalResult(
        rule_key=rule.key,
        positions=counts,
        eligible_voters=len(eligible),
        eligible_weight=eligible_weight,
        voters=len(ballots),
        voted_weight=voted_weight,
        cast_weight=cast_weight,
        quorum_met=quorum_met,
        passed=passed,
        reasons=tuple(reasons),
    )


def _share(part: Decimal, whole: Decimal) -> Fraction:
    return Fraction(part) / Fraction(whole) if whole else Fraction(0)


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _percent(share: Fraction) -> str:
    percent = Decimal(share.numerator * 100) / Decimal(share.denominator)
    if percent == percent.to_integral_value():
        return f"{percent.to_integral_value():f}%"
    return f"{percent.quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN):f}%"
