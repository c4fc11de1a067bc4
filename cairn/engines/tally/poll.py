"""Poll, score, dot vote and time poll: validation of one ballot and the tally of all of them.

Rules followed (weights are ``Decimal``, defaulting to 1 per voter; shares and means are
``Fraction``; ballots are a mapping voter -> ballot, so a voter counts at most once):

- **Poll**: a ballot chooses between ``min_choices`` and ``max_choices`` distinct known options, or,
  when offered, only "none of the above" (it excludes every other choice). Each ballot adds its
  voter's weight to every option it chooses; an option's share is its weight over the weight of all
  ballots, so shares add up to more than 1 when voters may choose several options.
- **Score**: a ballot gives each option an integer score in ``[min_score, max_score]`` (0 to 5 by
  default), every option when ``require_all``. An option's total is the sum of weight * score; its
  mean is that total over the weight of the voters who scored it. Options are ranked by total.
- **Dot vote**: a ballot places non-negative whole dots on known options, at most ``dots`` (8 by
  default) in all. An option's dots are the sum of weight * dots placed on it.
- **Time poll**: a ballot answers yes, maybe or no for proposed times (aware datetimes: equal
  instants in different time zones are the same time). Times are ranked by yes weight, then maybe
  weight, then earliest first; ``best`` lists every time tied at the top on (yes, maybe), and each
  time reports who said no (cannot come) and who did not answer.

*Leaders* are every option tied at the greatest total, so a tie is visible, never broken here.
The question round (written answers only) has no tally.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Final, Generic, TypeVar

from cairn.engines.words import counted

V = TypeVar("V", bound=Hashable)

ZERO: Final = Decimal(0)
ONE: Final = Decimal(1)
NONE_OF_THE_ABOVE: Final = "none_of_the_above"


def _weight(voter: V, weights: Mapping[V, Decimal] | None) -> Decimal:
    if weights is None:
        return ONE
    try:
        weight = weights[voter]
    except KeyError:
        raise ValueError(f"voter {voter!r} has no weight") from None
    if weight <= ZERO:
        raise ValueError(f"voter {voter!r} has weight {weight}; weights are > 0")
    return weight


def _check_options(options: Sequence[str]) -> None:
    if not options:
        raise ValueError("offer at least one option")
    if len(set(options)) != len(options):
        raise ValueError(f"options must be unique: {list(options)}")


def _leaders(totals: Mapping[str, Decimal]) -> tuple[str, ...]:
    if not totals:
        return ()
    top = max(totals.values())
    return tuple(option for option, total in totals.items() if total == top)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- poll ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollConfig:
    options: tuple[str, ...]
    min_choices: int = 1
    max_choices: int = 1
    none_of_the_above: bool = False

    def __post_init__(self) -> None:
        _check_options(self.options)
        if NONE_OF_THE_ABOVE in self.options:
            raise ValueError(f"{NONE_OF_THE_ABOVE!r} is offered with none_of_the_above=True")
        if not 1 <= self.min_choices <= self.max_choices <= len(self.options):
            raise ValueError(
                f"need 1 <= min_choices ({self.min_choices}) <= max_choices "
                f"({self.max_choices}) <= options ({len(self.options)})"
            )

    @property
    def choosable(self) -> tuple[str, ...]:
        return self.options + ((NONE_OF_THE_ABOVE,) if self.none_of_the_above else ())


@dataclass(frozen=True, slots=True)
class OptionCount:
    option: str
    voters: int
    weight: Decimal
    share: Fraction


@dataclass(frozen=True, slots=True)
class PollResult:
    options: tuple[OptionCount, ...]
    ballots: int
    weight: Decimal
    leaders: tuple[str, ...]

    def option(self, option: str) -> OptionCount:
        return next(count for count in self.options if count.option == option)


def validate_poll_ballot(*, config: PollConfig, choices: Sequence[str]) -> tuple[str, ...]:
    """Errors for one poll ballot: empty exactly when it is a choice the poll allows."""
    errors: list[str] = []
    unknown = [c for c in choices if c not in config.choosable]
    if unknown:
        errors.append(f"unknown options: {unknown}")
    if len(set(choices)) != len(choices):
        errors.append("an option is chosen twice")
    if NONE_OF_THE_ABOVE in choices and config.none_of_the_above:
        if len(choices) != 1:
            errors.append("'none of the above' excludes every other choice")
        return tuple(errors)
    if not config.min_choices <= len(set(choices)) <= config.max_choices:
        if config.min_choices == config.max_choices:
            errors.append(f"choose exactly {config.min_choices}")
        else:
            errors.append(f"choose between {config.min_choices} and {config.max_choices}")
    return tuple(errors)


def tally_poll(
    *,
    config: PollConfig,
    ballots: Mapping[V, Sequence[str]],
    weights: Mapping[V, Decimal] | None = None,
) -> PollResult:
    """Each valid ballot adds its voter's weight once to each option it chooses."""
    weight_of = dict.fromkeys(config.choosable, ZERO)
    voters_of = dict.fromkeys(config.choosable, 0)
    total = ZERO
    for voter, choices in ballots.items():
        errors = validate_poll_ballot(config=config, choices=choices)
        if errors:
            raise ValueError(f"voter {voter!r}: {'; '.join(errors)}")
        weight = _weight(voter, weights)
        total += weight
        for choice in choices:
            weight_of[choice] += weight
            voters_of[choice] += 1
    return PollResult(
        options=tuple(
            OptionCount(
                option=option,
                voters=voters_of[option],
                weight=weight_of[option],
                share=Fraction(weight_of[option]) / Fraction(total) if total else Fraction(0),
            )
            for option in config.choosable
        ),
        ballots=len(ballots),
        weight=total,
        leaders=_leaders(weight_of) if ballots else (),
    )


# -- score -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreConfig:
    options: tuple[str, ...]
    min_score: int = 0
    max_score: int = 5
    require_all: bool = True

    def __post_init__(self) -> None:
        _check_options(self.options)
        if self.min_score >= self.max_score:
            raise ValueError(f"min_score {self.min_score} must be below {self.max_score}")


@dataclass(frozen=True, slots=True)
class ScoreCount:
    option: str
    voters: int
    weight: Decimal
    total: Decimal
    mean: Fraction | None


@dataclass(frozen=True, slots=True)
class ScoreResult:
    options: tuple[ScoreCount, ...]
    ballots: int
    leaders: tuple[str, ...]

    def option(self, option: str) -> ScoreCount:
        return next(count for count in self.options if count.option == option)


def validate_score_ballot(*, config: ScoreConfig, scores: Mapping[str, int]) -> tuple[str, ...]:
    """Errors for one score ballot: empty exactly when every score is a whole number in range."""
    errors: list[str] = []
    unknown = [o for o in scores if o not in config.options]
    if unknown:
        errors.append(f"unknown options: {unknown}")
    if config.require_all:
        missing = [o for o in config.options if o not in scores]
        if missing:
            errors.append(f"score every option; missing: {missing}")
    for option, score in scores.items():
        if not _is_int(score):
            errors.append(f"{option}: a score is a whole number, not {score!r}")
        elif not config.min_score <= score <= config.max_score:
            errors.append(f"{option}: {score} is outside {config.min_score} to {config.max_score}")
    return tuple(errors)


def tally_score(
    *,
    config: ScoreConfig,
    ballots: Mapping[V, Mapping[str, int]],
    weights: Mapping[V, Decimal] | None = None,
) -> ScoreResult:
    """Per option: total of weight * score and mean over the weight of those who scored it."""
    totals = dict.fromkeys(config.options, ZERO)
    scored_weight = dict.fromkeys(config.options, ZERO)
    voters = dict.fromkeys(config.options, 0)
    for voter, scores in ballots.items():
        errors = validate_score_ballot(config=config, scores=scores)
        if errors:
            raise ValueError(f"voter {voter!r}: {'; '.join(errors)}")
        weight = _weight(voter, weights)
        for option, score in scores.items():
            totals[option] += weight * score
            scored_weight[option] += weight
            voters[option] += 1
    return ScoreResult(
        options=tuple(
            ScoreCount(
                option=option,
                voters=voters[option],
                weight=scored_weight[option],
                total=totals[option],
                mean=(
                    Fraction(totals[option]) / Fraction(scored_weight[option])
                    if scored_weight[option]
                    else None
                ),
            )
            for option in config.options
        ),
        ballots=len(ballots),
        leaders=_leaders(totals) if ballots else (),
    )


# -- dot vote --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DotVoteConfig:
    options: tuple[str, ...]
    dots: int = 8

    def __post_init__(self) -> None:
        _check_options(self.options)
        if self.dots < 1:
            raise ValueError(f"give each voter at least one dot, not {self.dots}")


@dataclass(frozen=True, slots=True)
class DotCount:
    option: str
    voters: int
    dots: Decimal


@dataclass(frozen=True, slots=True)
class DotVoteResult:
    options: tuple[DotCount, ...]
    ballots: int
    dots_placed: Decimal
    leaders: tuple[str, ...]

    def option(self, option: str) -> DotCount:
        return next(count for count in self.options if count.option == option)


def validate_dot_vote(*, config: DotVoteConfig, allocation: Mapping[str, int]) -> tuple[str, ...]:
    """Errors for one dot ballot: empty exactly when whole, non-negative dots sum to <= N."""
    errors: list[str] = []
    unknown = [o for o in allocation if o not in config.options]
    if unknown:
        errors.append(f"unknown options: {unknown}")
    whole = True
    for option, dots in allocation.items():
        if not _is_int(dots):
            errors.append(f"{option}: dots are whole numbers, not {dots!r}")
            whole = False
        elif dots < 0:
            errors.append(f"{option}: dots cannot be negative ({dots})")
    if whole and sum(allocation.values()) > config.dots:
        placed = sum(allocation.values())
        errors.append(f"{counted(placed, 'dot', 'dots')} placed, at most {config.dots}")
    return tuple(errors)


def tally_dot_vote(
    *,
    config: DotVoteConfig,
    ballots: Mapping[V, Mapping[str, int]],
    weights: Mapping[V, Decimal] | None = None,
) -> DotVoteResult:
    """Per option: the sum of weight * dots that valid ballots placed on it."""
    dots_of = dict.fromkeys(config.options, ZERO)
    voters = dict.fromkeys(config.options, 0)
    for voter, allocation in ballots.items():
        errors = validate_dot_vote(config=config, allocation=allocation)
        if errors:
            raise ValueError(f"voter {voter!r}: {'; '.join(errors)}")
        weight = _weight(voter, weights)
        for option, dots in allocation.items():
            if dots:
                dots_of[option] += weight * dots
                voters[option] += 1
    return DotVoteResult(
        options=tuple(
            DotCount(option=option, voters=voters[option], dots=dots_of[option])
            for option in config.options
        ),
        ballots=len(ballots),
        dots_placed=sum(dots_of.values(), ZERO),
        leaders=_leaders(dots_of) if any(dots_of.values()) else (),
    )


# -- time poll -------------------------------------------------------------------------------


class Availability(StrEnum):
    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


def _is_aware(moment: dt.datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() is not None


@dataclass(frozen=True, slots=True)
class TimePollConfig:
    times: tuple[dt.datetime, ...]

    def __post_init__(self) -> None:
        if not self.times:
            raise ValueError("propose at least one time")
        naive = [t for t in self.times if not _is_aware(t)]
        if naive:
            raise ValueError(f"times must be aware datetimes: {naive}")
        if len(set(self.times)) != len(self.times):
            raise ValueError("two proposed times are the same instant")


@dataclass(frozen=True, slots=True)
class TimeSlotCount(Generic[V]):
    time: dt.datetime
    yes: Decimal
    maybe: Decimal
    no: Decimal
    yes_voters: frozenset[V]
    maybe_voters: frozenset[V]
    cannot_come: frozenset[V]
    no_answer: frozenset[V]


@dataclass(frozen=True, slots=True)
class TimePollResult(Generic[V]):
    ranked: tuple[TimeSlotCount[V], ...]
    best: tuple[dt.datetime, ...]
    ballots: int

    def slot(self, time: dt.datetime) -> TimeSlotCount[V]:
        return next(slot for slot in self.ranked if slot.time == time)


def validate_time_poll_ballot(
    *,
    config: TimePollConfig,
    answers: Mapping[dt.datetime, Availability],
    require_all: bool = False,
) -> tuple[str, ...]:
    """Errors for one time-poll ballot: empty exactly when it answers proposed times only."""
    errors: list[str] = []
    for time, answer in answers.items():
        if not isinstance(time, dt.datetime) or not _is_aware(time):
            errors.append(f"{time!r} is not an aware datetime")
        elif time not in config.times:
            errors.append(f"{time.isoformat()} is not a proposed time")
        if answer not in set(Availability):
            errors.append(f"{answer!r} is not yes, maybe or no")
    if require_all:
        missing = [t.isoformat() for t in config.times if t not in answers]
        if missing:
            errors.append(f"answer every time; missing: {missing}")
    return tuple(errors)


def tally_time_poll(
    *,
    config: TimePollConfig,
    ballots: Mapping[V, Mapping[dt.datetime, Availability]],
    weights: Mapping[V, Decimal] | None = None,
) -> TimePollResult[V]:
    """Rank times by yes then maybe weight (earliest first on a tie); report who cannot come."""
    answered: dict[dt.datetime, dict[Availability, dict[V, Decimal]]] = {
        time: {a: {} for a in Availability} for time in config.times
    }
    for voter, answers in ballots.items():
        errors = validate_time_poll_ballot(config=config, answers=answers)
        if errors:
            raise ValueError(f"voter {voter!r}: {'; '.join(errors)}")
        weight = _weight(voter, weights)
        for time, answer in answers.items():
            answered[time][Availability(answer)][voter] = weight
    everyone = frozenset(ballots)
    slots = [
        TimeSlotCount(
            time=time,
            yes=sum(by[Availability.YES].values(), ZERO),
            maybe=sum(by[Availability.MAYBE].values(), ZERO),
            no=sum(by[Availability.NO].values(), ZERO),
            yes_voters=frozenset(by[Availability.YES]),
            maybe_voters=frozenset(by[Availability.MAYBE]),
            cannot_come=frozenset(by[Availability.NO]),
            no_answer=everyone.difference(*(by[a] for a in Availability)),
        )
        for time, by in answered.items()
    ]
    slots.sort(key=lambda s: (-s.yes, -s.maybe, s.time))
    top = (slots[0].yes, slots[0].maybe)
    return TimePollResult(
        ranked=tuple(slots),
        best=tuple(s.time for s in slots if (s.yes, s.maybe) == top) if ballots else (),
        ballots=len(ballots),
    )
