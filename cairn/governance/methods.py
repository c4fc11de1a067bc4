"""Templates and methods: the shipped templates, and how a proposal's stored configuration becomes
the tally engine's configuration (cairn.engines.tally does the counting; nothing here counts).

A *method* is how people respond and how results are computed; a *template* is a named, reusable
configuration of a method (a rule, a quorum, defaults). Ballots are stored as JSON:

- proposal: {"position": code}          - poll: {"choices": [key, ...]}
- score: {"scores": {key: int}}         - dot vote: {"dots": {key: int}}
- ranked choice: {"ranking": [key, ...]} - time poll: {"answers": {key: "yes"|"maybe"|"no"}}
- question round: {"answer": text}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from cairn.engines import tally
from cairn.engines.tally import (
    Availability,
    Basis,
    Comparison,
    CountRequirement,
    ProposalRule,
    Requirement,
    ShareRequirement,
)
from cairn.engines.words import counted

from .models import Method, ResultsVisibility


@dataclass(frozen=True, slots=True)
class Template:
    key: str
    name: str
    description: str
    method: str
    rule: str = ""  # the proposal method's pass rule
    quorum_percent: Decimal = Decimal(0)
    config: Mapping[str, Any] = field(default_factory=dict)
    results_visibility: str = ResultsVisibility.ALWAYS
    reason_required: bool = False


HALF = Decimal(50)

SHIPPED: Final[tuple[Template, ...]] = (
    Template(
        "sense_check",
        "Sense check",
        "Gauge the mood before a proposal is written: looks good, not sure, concerned.",
        Method.PROPOSAL,
        rule="sense_check",
    ),
    Template(
        "advice",
        "Advice",
        "Ask for advice: agree, abstain or disagree, with reasons. Decides nothing.",
        Method.PROPOSAL,
        rule="advice",
        reason_required=True,
    ),
    Template(
        "consent",
        "Consent",
        "Passes when the quorum is met and no objection stands.",
        Method.PROPOSAL,
        rule="consent",
        quorum_percent=HALF,
    ),
    Template(
        "consensus",
        "Consensus",
        "Passes with the quorum met, no block, and agree at least 75 % of the votes cast.",
        Method.PROPOSAL,
        rule="consensus",
        quorum_percent=HALF,
        config={"agree_share": "3/4"},
    ),
    Template(
        "majority",
        "Majority",
        "Passes when agree is more than half of the votes cast (abstentions excluded).",
        Method.PROPOSAL,
        rule="majority",
        quorum_percent=HALF,
    ),
    Template(
        "super_majority",
        "Super-majority (2/3)",
        "Passes when agree is at least two thirds of the votes cast.",
        Method.PROPOSAL,
        rule="super_majority",
        quorum_percent=HALF,
        config={"share": "2/3"},
    ),
    Template(
        "gradients_of_agreement",
        "Gradients of agreement",
        "Kaner's 8-point scale, from wholehearted endorsement to veto. Passes with no veto and "
        "three quarters endorsing.",
        Method.PROPOSAL,
        rule="gradients_of_agreement",
        quorum_percent=HALF,
        config={"endorse_share": "3/4"},
    ),
    Template(
        "count",
        "Count / opt-in",
        "Passes when enough voters are in.",
        Method.PROPOSAL,
        rule="count",
        config={"target": 3},
    ),
    Template(
        "poll",
        "Poll",
        "Choose one option (or several).",
        Method.POLL,
        config={"min_choices": 1, "max_choices": 1, "none_of_the_above": False},
    ),
    Template("score", "Score", "Score each option from 0 to 5.", Method.SCORE, config={}),
    Template("dot_vote", "Dot vote", "Spread 8 dots over the options.", Method.DOT_VOTE, config={}),
    Template(
        "ranked_choice",
        "Ranked choice",
        "Rank at least two options; one winner by instant runoff, or several by STV.",
        Method.RANKED_CHOICE,
        config={"seats": 1, "min_ranks": 2},
    ),
    Template(
        "time_poll",
        "Time poll",
        "Yes, maybe or no for each proposed meeting time.",
        Method.TIME_POLL,
    ),
    Template(
        "question_round",
        "Question round",
        "Written answers only; nothing is counted.",
        Method.QUESTION_ROUND,
        reason_required=False,
    ),
)
SHIPPED_BY_KEY: Final = {t.key: t for t in SHIPPED}
RULE_KEYS: Final = frozenset(t.rule for t in SHIPPED if t.rule)
METHODS_WITH_OPTIONS: Final = frozenset(
    {Method.POLL, Method.SCORE, Method.DOT_VOTE, Method.RANKED_CHOICE, Method.TIME_POLL}
)

DEFAULT_DOTS: Final = 8

# Ranked choice: what happens when the winner (or who is elected) depends on a tie that neither
# bulk exclusion nor the earlier rounds settle (cairn.engines.tally.ranked explains the order).
TIE_BREAK_LOT: Final = "lot"  # an order of the options drawn at random when voting opens, logged
TIE_BREAK_STOP: Final = "stop"  # the count stops and says so; the members decide what next
TIE_BREAKS: Final = {
    TIE_BREAK_LOT: "By lot: an order of the options drawn when voting opens, kept in the log",
    TIE_BREAK_STOP: "Stop the count and report the tie; the members decide",
}


class BallotError(ValueError):
    """A ballot the method refuses; the message lists what is wrong, safe to show."""


# -- proposal method ------------------------------------------------------------------------


def _fraction(value: object, default: str) -> Fraction:
    return Fraction(str(value if value is not None else default))


def quorum_fraction(quorum_percent: Decimal) -> Fraction:
    return Fraction(quorum_percent) / 100


def parse_requirement(data: Mapping[str, Any]) -> Requirement:
    """A requirement from JSON: {"positions": [...], "comparison": "≥", "share": "3/4",
    "basis": "eligible"} or {"positions": [...], "at_least": 12}."""
    positions = frozenset(str(p) for p in data["positions"])
    if "at_least" in data:
        return CountRequirement(positions, int(data["at_least"]))
    return ShareRequirement(
        positions,
        Comparison(str(data["comparison"])),
        Fraction(str(data["share"])),
        Basis(str(data.get("basis", Basis.CAST))),
    )


def proposal_rule(*, rule: str, quorum_percent: Decimal, config: Mapping[str, Any]) -> ProposalRule:
    """The engine's pass rule for a proposal's stored rule key, quorum and parameters."""
    quorum = quorum_fraction(quorum_percent)
    base: ProposalRule
    if rule == "sense_check":
        base = dataclasses.replace(tally.SENSE_CHECK, quorum=quorum)
    elif rule == "advice":
        base = dataclasses.replace(tally.ADVICE, quorum=quorum)
    elif rule == "consent":
        base = tally.consent_rule(quorum=quorum)
    elif rule == "consensus":
        base = tally.consensus_rule(
            quorum=quorum, agree_share=_fraction(config.get("agree_share"), "3/4")
        )
    elif rule == "majority":
        base = tally.majority_rule(quorum=quorum)
    elif rule == "super_majority":
        base = tally.super_majority_rule(quorum=quorum, share=_fraction(config.get("share"), "2/3"))
    elif rule == "gradients_of_agreement":
        base = tally.gradients_rule(
            quorum=quorum, endorse_share=_fraction(config.get("endorse_share"), "3/4")
        )
    elif rule == "count":
        base = tally.count_rule(target=int(config.get("target", 1)))
        base = dataclasses.replace(base, quorum=quorum)
    else:
        raise ValueError(f"unknown rule {rule!r}")
    extra = config.get("requirements")
    if extra:
        base = dataclasses.replace(
            base,
            requirements=tuple(parse_requirement(r) for r in extra),
            decides=True,
        )
    return base


# -- option methods -------------------------------------------------------------------------


def poll_config(config: Mapping[str, Any], keys: Sequence[str]) -> tally.PollConfig:
    return tally.PollConfig(
        options=tuple(keys),
        min_choices=int(config.get("min_choices", 1)),
        max_choices=min(int(config.get("max_choices", 1)), len(keys)),
        none_of_the_above=bool(config.get("none_of_the_above", False)),
    )


def score_config(config: Mapping[str, Any], keys: Sequence[str]) -> tally.ScoreConfig:
    return tally.ScoreConfig(
        options=tuple(keys),
        min_score=int(config.get("min_score", 0)),
        max_score=int(config.get("max_score", 5)),
        require_all=bool(config.get("require_all", True)),
    )


def dot_config(config: Mapping[str, Any], keys: Sequence[str]) -> tally.DotVoteConfig:
    return tally.DotVoteConfig(options=tuple(keys), dots=int(config.get("dots", DEFAULT_DOTS)))


def time_config(times: Sequence[dt.datetime]) -> tally.TimePollConfig:
    return tally.TimePollConfig(times=tuple(times))


def check_config(method: str, config: Mapping[str, Any], keys: Sequence[str]) -> None:
    """Raise ValueError (or TypeError) when the engine would refuse this configuration."""
    if method == Method.POLL and keys:
        poll_config(config, keys)
    elif method == Method.SCORE and keys:
        score_config(config, keys)
    elif method == Method.DOT_VOTE and keys:
        dot_config(config, keys)
    elif method == Method.RANKED_CHOICE:
        seats, min_ranks = int(config.get("seats", 1)), int(config.get("min_ranks", 2))
        if seats < 1 or (keys and seats >= len(keys)):
            raise ValueError(
                f"{counted(seats, 'seat', 'seats')} for "
                f"{counted(len(keys), 'option', 'options')}: elect fewer than offered"
            )
        if min_ranks < 1:
            raise ValueError("a ballot ranks at least one option")
        if str(config.get("tie_break", TIE_BREAK_STOP)) not in TIE_BREAKS:
            raise ValueError(f"the tie-break is one of {sorted(TIE_BREAKS)}")


# -- ballots --------------------------------------------------------------------------------


def _ints(value: object) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise BallotError("expected a mapping of option to number")
    out: dict[str, int] = {}
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int):
            raise BallotError(f"{key}: expected a whole number")
        out[str(key)] = number
    return out


def _strings(value: object) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise BallotError("expected a list of options")
    return [str(v) for v in value]


def clean_ballot(
    *,
    method: str,
    config: Mapping[str, Any],
    rule: ProposalRule | None,
    option_keys: Sequence[str],
    option_times: Mapping[str, dt.datetime],
    ballot: Mapping[str, Any],
    reason: str,
    reason_required: bool,
) -> dict[str, Any]:
    """The ballot in its stored form, or BallotError listing why the method refuses it."""
    errors: tuple[str, ...]
    if reason_required and not reason.strip() and method != Method.PROPOSAL:
        raise BallotError("a reason is required")
    if method == Method.PROPOSAL:
        assert rule is not None  # noqa: S101 - the proposal method always has a rule
        position = str(ballot.get("position", ""))
        errors = tally.validate_proposal_ballot(
            rule=rule, position=position, reason=reason, reason_required=reason_required
        )
        cleaned: dict[str, Any] = {"position": position}
    elif method == Method.POLL:
        choices = _strings(ballot.get("choices", []))
        errors = tally.validate_poll_ballot(
            config=poll_config(config, option_keys), choices=choices
        )
        cleaned = {"choices": choices}
    elif method == Method.SCORE:
        scores = _ints(ballot.get("scores", {}))
        errors = tally.validate_score_ballot(
            config=score_config(config, option_keys), scores=scores
        )
        cleaned = {"scores": scores}
    elif method == Method.DOT_VOTE:
        dots = {k: v for k, v in _ints(ballot.get("dots", {})).items() if v}
        errors = tally.validate_dot_vote(config=dot_config(config, option_keys), allocation=dots)
        if not errors and not dots:
            errors = ("place at least one dot",)
        cleaned = {"dots": dots}
    elif method == Method.RANKED_CHOICE:
        ranking = _strings(ballot.get("ranking", []))
        errors = tally.validate_ranking(
            candidates=option_keys, ranking=ranking, min_ranks=int(config.get("min_ranks", 2))
        )
        cleaned = {"ranking": ranking}
    elif method == Method.TIME_POLL:
        raw = ballot.get("answers", {})
        if not isinstance(raw, Mapping):
            raise BallotError("expected an answer per time")
        answers: dict[str, str] = {}
        problems: list[str] = []
        for key, answer in raw.items():
            if key not in option_times:
                problems.append(f"{key} is not a proposed time")
            elif answer not in {a.value for a in Availability}:
                problems.append(f"{answer!r} is not yes, maybe or no")
            else:
                answers[str(key)] = str(answer)
        if not answers and not problems:
            problems.append("answer at least one time")
        errors = tuple(problems)
        cleaned = {"answers": answers}
    elif method == Method.QUESTION_ROUND:
        answer = str(ballot.get("answer", "")).strip()
        errors = () if answer else ("write an answer",)
        cleaned = {"answer": answer}
    else:
        raise BallotError(f"unknown method {method!r}")
    if errors:
        raise BallotError("; ".join(errors))
    return cleaned
