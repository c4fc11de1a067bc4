"""Ranked choice: ballot validation, instant runoff, STV by the Scottish rules, and BLT files.

Ballots are a mapping voter -> ranking (most preferred first), so a voter counts at most once;
``weights`` (``Decimal``, 1 by default) are the voters' declared weights. All counts are exact:
``Decimal`` arithmetic runs in a context that raises on any rounding, and the only rounding is the
truncation that the rules themselves prescribe.

**Instant runoff (single winner).** Each round, every ballot counts, with its voter's weight, for
its highest-ranked continuing candidate; a ballot with none left is exhausted. A candidate with more
than half of the continuing (non-exhausted) weight is elected; otherwise the candidate with the
fewest votes is eliminated, one per round, and the count goes on. A last continuing candidate is
elected. When several candidates tie for the fewest votes, the tie is settled by the first of these
rules that applies, and the result says which one did (``Tie.resolution``):

1. *bulk exclusion*: the tied candidates, together with as few of the next-lowest as needed, are
   excluded in one round when their combined votes are fewer than those of the candidate just above
   them: excluded one at a time in any order, none of them could overtake that candidate, so every
   order ends the same;
2. *earlier rounds*: the one with the fewest votes at the most recent earlier round at which the
   tied candidates had unequal votes is eliminated (as the Scottish rules do, below);
3. *same outcome*: when the count elects the same winner whichever tied candidate goes first (and
   however the later ties that rules 1 and 2 leave open go), the tie cannot change the result, and
   the first tied candidate (in the order the candidates were given) goes;
4. *lot*: only now does the winner depend on the tie: the caller's ``tiebreak`` order decides (the
   least favoured goes), or the count stops with ``UNRESOLVED_TIE``.

**Single transferable vote (multi-winner)** follows the counting rules of the Scottish Local
Government Elections Order 2007 (SSI 2007/42), Schedule 1, rules 45 to 52, exactly:

- rule 46, the quota: ``floor(valid / (seats + 1)) + 1`` (the Droop quota); with declared weights,
  ``valid`` is the total weight of the valid ballots, so the quota still exceeds
  ``valid / (seats + 1)`` and at most ``seats`` candidates can reach it;
- rule 47: a candidate whose votes equal or exceed the quota is deemed elected;
- rules 48 and 49, surpluses: the largest surplus is transferred first, one per stage. *Every*
  ballot paper the elected candidate holds is passed to its next available preference at a
  transfer value of ``surplus * value of the paper when received / votes credited to the
  candidate``, computed to five decimal places with the remainder ignored (truncated). This is the
  weighted inclusive Gregory method (WIGM), not the last-parcel Gregory method: the rules transfer
  all papers, weighting each by its value when received. Papers with no next available preference
  are non-transferable; what truncation leaves behind is reported as the rounding loss. The elected
  candidate is left with the quota.
- rule 50, exclusion: when no surplus is to be transferred, the candidate with the fewest votes is
  excluded and all their papers pass, in one stage, to their next available preferences at the value
  each paper had when received;
- rule 52: when the continuing candidates are as many as the vacancies left, they are all deemed
  elected and no further transfer is made (not even the papers of a candidate just excluded, whose
  votes the last stage therefore still shows);
- declared weights: an integral weight k counts as k ballot papers of value 1 (a member with two
  declared votes casts two papers), any other weight as one paper of that value, so the per-paper
  truncation of rule 48 keeps its meaning, and a BLT line's integral weight is what it is in BLT
  files: a number of identical papers.

**Ties are reported, never broken silently.** When a tie decides an elimination/exclusion or the
order of surplus transfers, the result lists it in ``ties``. It is broken, as in rules 49(2) and
51(2), by the votes at the end of the most recent preceding stage (round) at which the tied
candidates had unequal votes (the fewest votes is excluded; the largest surplus goes first); when
more than two are tied and that stage separates only some of them, the look-back continues among
those still tied. Where the rules then say "by lot", the caller's ``tiebreak`` order is used instead
(candidates listed most favoured first: the least favoured is excluded, the most favoured's surplus
goes first), and only when every tied candidate is in it. Otherwise the count stops with status
``UNRESOLVED_TIE`` and reports that tie.

**BLT** is the ballot file format of ERS/eSTV and OpenSTV: a line ``candidates seats``, an
optional line of withdrawn candidates as negative numbers, one line per ballot
``weight c1 c2 ... 0`` (candidates numbered from 1), a line ``0``, each candidate's name in quotes,
and the title in quotes.

Sources: the rules' text, SSI 2007/42 Schedule 1 rules 45 to 52, on legislation.gov.uk
(https://www.legislation.gov.uk/ssi/2007/42/schedule/1). ``tests/test_ranked.py`` checks the count
stage by stage against (1) a real election: Glasgow City Council, Calton ward, 3 May 2007 (the
council's published ballot data, as shipped in the Droop STV package's test data, with Droop's
Scottish STV reference report: every stage, non-transferable total and rounding loss match to five
decimals); (2) the worked "food election" of Wikipedia's "Single transferable vote" article; and
IRV against the Tennessee capital example of Wikipedia's "Instant-runoff voting" article.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import (
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
    localcontext,
)
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Final, TypeVar

V = TypeVar("V", bound=Hashable)

ZERO: Final = Decimal(0)
ONE: Final = Decimal(1)
TRANSFER_VALUE_PLACES: Final = (
    5  # rule 48(3): "to five decimal places (any remainder being ignored)"
)

# Any operation that would round raises instead: every count below is exact.
_EXACT: Final = Context(
    prec=200, traps=[Inexact, Rounded, InvalidOperation, DivisionByZero, Overflow]
)


class CountStatus(StrEnum):
    COMPLETE = "complete"
    UNRESOLVED_TIE = "unresolved_tie"
    NO_VALID_BALLOTS = "no_valid_ballots"


class TieKind(StrEnum):
    EXCLUSION = "exclusion"  # who is eliminated (IRV) or excluded (STV rule 51)
    SURPLUS_ORDER = "surplus_order"  # whose equal surplus is transferred first (STV rule 49)


class TieResolution(StrEnum):
    BULK_EXCLUSION = "bulk_exclusion"  # IRV: excluded together, every order ends the same
    EARLIER_STAGE = "earlier_stage"
    SAME_OUTCOME = "same_outcome"  # IRV: every order of exclusion elects the same winner
    TIEBREAK_ORDER = "tiebreak_order"
    UNRESOLVED = "unresolved"


@dataclass(frozen=True, slots=True)
class Tie:
    """A tie that decided something, how it was broken, and whom it chose (None: unresolved)."""

    stage: int
    kind: TieKind
    tied: tuple[str, ...]
    votes: Decimal
    resolution: TieResolution
    chosen: str | None
    decided_at_stage: int | None = None  # the earlier stage (round) that broke it, if any
    excluded_together: tuple[str, ...] = ()  # bulk exclusion: everyone excluded in that round


# -- validation ------------------------------------------------------------------------------


def validate_ranking(
    *, candidates: Sequence[str], ranking: Sequence[str], min_ranks: int = 1
) -> tuple[str, ...]:
    """Errors for one ranking: empty exactly when it ranks known, distinct candidates, enough.

    ``min_ranks`` (1 by default, as in Scottish STV where a voter may mark one preference only) is
    capped at the number of candidates.
    """
    errors: list[str] = []
    known = set(candidates)
    unknown = [c for c in ranking if c not in known]
    if unknown:
        errors.append(f"unknown options: {unknown}")
    if len(set(ranking)) != len(ranking):
        errors.append("an option is ranked twice")
    needed = min(min_ranks, len(known))
    if len(set(ranking) & known) < needed:
        errors.append(f"rank at least {needed} option{'' if needed == 1 else 's'}")
    return tuple(errors)


def _candidate_index(candidates: Sequence[str]) -> dict[str, int]:
    if not candidates:
        raise ValueError("there are no candidates")
    if len(set(candidates)) != len(candidates):
        raise ValueError(f"candidate names must be unique: {list(candidates)}")
    return {name: i for i, name in enumerate(candidates)}


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


def _indexed_ballots(
    candidates: Sequence[str],
    ballots: Mapping[V, Sequence[str]],
    weights: Mapping[V, Decimal] | None,
) -> list[tuple[tuple[int, ...], Decimal]]:
    """(ranking as candidate indices, weight) per voter, sorted so the voters' order is moot."""
    index = _candidate_index(candidates)
    rows: list[tuple[tuple[int, ...], Decimal]] = []
    for voter, ranking in ballots.items():
        errors = validate_ranking(candidates=candidates, ranking=ranking, min_ranks=1)
        if errors:
            raise ValueError(f"voter {voter!r}: {'; '.join(errors)}")
        rows.append((tuple(index[c] for c in ranking), _weight(voter, weights)))
    rows.sort()
    return rows


def _tiebreak_rank(tiebreak: Sequence[str], candidates: Sequence[str]) -> dict[int, int]:
    index = _candidate_index(candidates)
    unknown = [c for c in tiebreak if c not in index]
    if unknown:
        raise ValueError(f"tiebreak names unknown candidates: {unknown}")
    if len(set(tiebreak)) != len(tiebreak):
        raise ValueError("tiebreak names a candidate twice")
    return {index[name]: rank for rank, name in enumerate(tiebreak)}


def _look_back(
    tied: Sequence[int], history: Sequence[Mapping[int, Decimal]], *, fewest: bool
) -> tuple[list[int], int | None]:
    """Rules 49(2)/51(2): those still tied after looking back, stage by stage, at the most recent
    earlier stage where the tied had unequal votes (keeping the fewest, or the most), and the
    stage (1-based) that left one, if any did."""
    still = sorted(tied)
    for earlier in range(len(history) - 2, -1, -1):
        values = {c: history[earlier][c] for c in still}
        if len(set(values.values())) > 1:
            extreme = min(values.values()) if fewest else max(values.values())
            still = [c for c in still if values[c] == extreme]
            if len(still) == 1:
                return still, earlier + 1
    return still, None


def _break_tie(
    *,
    tied: list[int],
    history: Sequence[Mapping[int, Decimal]],
    fewest: bool,
    tiebreak: Mapping[int, int],
    names: Sequence[str],
    stage: int,
    kind: TieKind,
    same_outcome: Callable[[list[int]], bool] | None = None,
) -> tuple[int | None, Tie]:
    """Rules 49(2)/51(2): look back stage by stage; then (IRV) whether the tie changes the outcome
    at all; then the tiebreak order; else unresolved."""
    votes = history[-1][tied[0]]
    still, decided_at = _look_back(tied, history, fewest=fewest)
    if len(still) == 1:
        return still[0], Tie(
            stage=stage,
            kind=kind,
            tied=tuple(names[c] for c in sorted(tied)),
            votes=votes,
            resolution=TieResolution.EARLIER_STAGE,
            chosen=names[still[0]],
            decided_at_stage=decided_at,
        )
    if same_outcome is not None and same_outcome(still):
        return still[0], Tie(
            stage=stage,
            kind=kind,
            tied=tuple(names[c] for c in sorted(tied)),
            votes=votes,
            resolution=TieResolution.SAME_OUTCOME,
            chosen=names[still[0]],
        )
    if all(c in tiebreak for c in still):
        pick = max if fewest else min  # least favoured is excluded; most favoured goes first
        chosen = pick(still, key=lambda c: tiebreak[c])
        return chosen, Tie(
            stage=stage,
            kind=kind,
            tied=tuple(names[c] for c in sorted(tied)),
            votes=votes,
            resolution=TieResolution.TIEBREAK_ORDER,
            chosen=names[chosen],
        )
    return None, Tie(
        stage=stage,
        kind=kind,
        tied=tuple(names[c] for c in sorted(tied)),
        votes=votes,
        resolution=TieResolution.UNRESOLVED,
        chosen=None,
    )


def _named(votes: Mapping[int, Decimal], names: Sequence[str]) -> Mapping[str, Decimal]:
    return MappingProxyType({names[c]: v for c, v in sorted(votes.items())})


# -- instant runoff --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IrvRound:
    number: int
    votes: Mapping[str, Decimal]  # continuing candidates, in the order candidates were given
    exhausted: Decimal
    continuing_total: Decimal
    eliminated: str | None = None  # the one candidate eliminated this round
    elected: str | None = None
    excluded_together: tuple[str, ...] = ()  # a bulk exclusion: every candidate excluded


@dataclass(frozen=True, slots=True)
class IrvResult:
    status: CountStatus
    winner: str | None
    total: Decimal
    rounds: tuple[IrvRound, ...]
    ties: tuple[Tie, ...] = field(default=())


def tally_irv(
    *,
    candidates: Sequence[str],
    ballots: Mapping[V, Sequence[str]],
    weights: Mapping[V, Decimal] | None = None,
    tiebreak: Sequence[str] = (),
) -> IrvResult:
    """Instant runoff: the winner has more than half of the continuing weight in the last round."""
    rows = _indexed_ballots(candidates, ballots, weights)
    order = _tiebreak_rank(tiebreak, candidates)
    with localcontext(_EXACT):
        total = sum((w for _, w in rows), ZERO)
        if not rows:
            return IrvResult(CountStatus.NO_VALID_BALLOTS, None, ZERO, ())
        continuing = set(range(len(candidates)))
        rounds: list[IrvRound] = []
        history: list[dict[int, Decimal]] = []
        ties: list[Tie] = []
        explorer = _IrvExplorer(rows)
        while True:
            number = len(rounds) + 1
            votes, exhausted = _irv_count(rows, continuing)
            history.append(votes)
            live = total - exhausted
            leader = max(votes, key=lambda c: votes[c])
            if votes[leader] * 2 > live or len(continuing) == 1:
                rounds.append(
                    IrvRound(
                        number,
                        _named(votes, candidates),
                        exhausted,
                        live,
                        elected=candidates[leader],
                    )
                )
                return IrvResult(
                    CountStatus.COMPLETE, candidates[leader], total, tuple(rounds), tuple(ties)
                )
            fewest = min(votes.values())
            tied = [c for c in votes if votes[c] == fewest]
            losers: list[int] = tied[:1]
            if len(tied) > 1:
                losers, tie = _settle_irv_tie(
                    tied=tied,
                    votes=votes,
                    history=history,
                    order=order,
                    names=candidates,
                    stage=number,
                    same_outcome=lambda still: (
                        explorer.single_winner(
                            [(frozenset(continuing - {c}), tuple(history)) for c in still]
                        )
                        is not None
                    ),
                )
                ties.append(tie)
            rounds.append(
                IrvRound(
                    number,
                    _named(votes, candidates),
                    exhausted,
                    live,
                    eliminated=candidates[losers[0]] if len(losers) == 1 else None,
                    excluded_together=tuple(candidates[c] for c in sorted(losers))
                    if len(losers) > 1
                    else (),
                )
            )
            if not losers:
                return IrvResult(
                    CountStatus.UNRESOLVED_TIE, None, total, tuple(rounds), tuple(ties)
                )
            continuing.difference_update(losers)


def _irv_count(
    rows: Sequence[tuple[tuple[int, ...], Decimal]], continuing: set[int] | frozenset[int]
) -> tuple[dict[int, Decimal], Decimal]:
    """Each continuing candidate's votes (top continuing preference) and the exhausted weight."""
    votes = dict.fromkeys(sorted(continuing), ZERO)
    exhausted = ZERO
    for ranking, weight in rows:
        top = next((c for c in ranking if c in continuing), None)
        if top is None:
            exhausted += weight
        else:
            votes[top] += weight
    return votes, exhausted


def _bulk_exclusion(votes: Mapping[int, Decimal], tied: Sequence[int]) -> list[int]:
    """The fewest lowest candidates, all the tied among them, whose combined votes are fewer than
    the next candidate's (so no order of excluding them one by one could change anything); empty
    when there are none."""
    ranked = sorted(votes, key=lambda c: (votes[c], c))
    combined = ZERO
    for k, candidate in enumerate(ranked[:-1], start=1):
        combined += votes[candidate]
        if k >= len(tied) and combined < votes[ranked[k]]:
            return ranked[:k]
    return []


# To learn whether a tie decides the winner, an IRV count replays the rest of the count for each
# way the tie could go, and again at each later tie that the rules leave open, until two ways elect
# different winners; it replays at most this many rounds per tie. Beyond it, the tie is taken to
# matter (a lot decides, or the count stops). Measured here, the worst cases tried (every option
# tied at one vote, second choices in a ring): 12 options 0.28 s, 16 options 0.50 s, 20 0.46 s.
EXPLORATION_LIMIT: Final = 2_000

_History = tuple[Mapping[int, Decimal], ...]


class _Depends(Exception):
    """Two ways of settling open ties elect different winners."""


class _TooManyStates(Exception):
    pass


class _IrvExplorer:
    """Does the rest of an IRV count elect one winner whichever way its open ties go? Later ties
    are settled as the count settles them (bulk exclusion, earlier rounds); only those they leave
    open branch. What decides the rest of a count is the set of continuing candidates and their
    votes in the earlier rounds (all the look-back reads), so finished branches are memoized on it:
    a memoized branch elected one winner whichever way (else the search stopped at once)."""

    def __init__(self, rows: Sequence[tuple[tuple[int, ...], Decimal]]) -> None:
        self.rows = rows
        self.rounds = 0
        self.winner: int | None = None
        self.seen: dict[tuple[frozenset[int], tuple[tuple[Decimal, ...], ...]], int] = {}

    def single_winner(self, starts: Sequence[tuple[frozenset[int], _History]]) -> int | None:
        """The one winner every way from these states elects; None when two ways differ (or the
        search would exceed EXPLORATION_LIMIT rounds)."""
        self.rounds, self.winner = 0, None
        try:
            for continuing, history in starts:
                self._explore(continuing, history)
        except (_Depends, _TooManyStates):
            return None
        return self.winner

    def _elects(self, winner: int) -> None:
        if self.winner is None:
            self.winner = winner
        elif winner != self.winner:
            raise _Depends

    def _explore(self, continuing: frozenset[int], history: _History) -> None:
        order = sorted(continuing)
        key = (continuing, tuple(tuple(h[c] for c in order) for h in history))
        if key in self.seen:
            self._elects(self.seen[key])
            return
        self.rounds += 1
        if self.rounds > EXPLORATION_LIMIT:
            raise _TooManyStates
        votes, _ = _irv_count(self.rows, continuing)
        history = (*history, votes)
        live = sum(votes.values(), ZERO)
        leader = max(votes, key=lambda c: votes[c])
        if votes[leader] * 2 > live or len(continuing) == 1:
            self._elects(leader)
        else:
            fewest = min(votes.values())
            tied = [c for c in votes if votes[c] == fewest]
            settled = tied if len(tied) == 1 else _bulk_exclusion(votes, tied)
            still = tied
            if not settled:
                still, _ = _look_back(tied, history, fewest=True)
                settled = still if len(still) == 1 else []
            if settled:
                self._explore(continuing - frozenset(settled), history)
            else:
                for candidate in still:
                    self._explore(continuing - {candidate}, history)
        assert self.winner is not None  # noqa: S101 - every branch above elects someone
        self.seen[key] = self.winner


def _settle_irv_tie(
    *,
    tied: list[int],
    votes: Mapping[int, Decimal],
    history: Sequence[Mapping[int, Decimal]],
    order: Mapping[int, int],
    names: Sequence[str],
    stage: int,
    same_outcome: Callable[[list[int]], bool],
) -> tuple[list[int], Tie]:
    """Who leaves the count at an IRV bottom tie (empty: nobody, the tie is unresolved), and how
    the tie was settled: bulk exclusion, earlier rounds, same outcome, lot (module docstring)."""
    tied_names = tuple(names[c] for c in sorted(tied))
    together = _bulk_exclusion(votes, tied)
    if together:
        return together, Tie(
            stage=stage,
            kind=TieKind.EXCLUSION,
            tied=tied_names,
            votes=votes[tied[0]],
            resolution=TieResolution.BULK_EXCLUSION,
            chosen=None,
            excluded_together=tuple(names[c] for c in sorted(together)),
        )

    chosen, tie = _break_tie(
        tied=tied,
        history=history,
        fewest=True,
        tiebreak=order,
        names=names,
        stage=stage,
        kind=TieKind.EXCLUSION,
        same_outcome=same_outcome,
    )
    return ([] if chosen is None else [chosen]), tie


# -- single transferable vote ----------------------------------------------------------------


class StageAction(StrEnum):
    FIRST_PREFERENCES = "first_preferences"
    SURPLUS = "surplus"
    EXCLUSION = "exclusion"


@dataclass(frozen=True, slots=True)
class StvStage:
    number: int
    action: StageAction
    subject: str | None  # whose surplus is transferred, or who is excluded
    votes: Mapping[str, Decimal]  # every candidate not withdrawn, at the end of the stage
    transfers: Mapping[str, Decimal]  # what each candidate received in this stage
    non_transferable: Decimal  # cumulative
    rounding_loss: Decimal  # cumulative: what rule 48's truncation left behind
    elected: tuple[str, ...]  # deemed elected at the end of this stage, highest votes first
    transfer_values: tuple[
        Decimal, ...
    ] = ()  # distinct transfer values of a surplus, highest first
    last_vacancies: bool = False  # rule 52 filled the remaining seats at this stage


@dataclass(frozen=True, slots=True)
class StvResult:
    status: CountStatus
    seats: int
    quota: Decimal
    valid: Decimal
    elected: tuple[str, ...]  # in order of election
    stages: tuple[StvStage, ...]
    ties: tuple[Tie, ...] = field(default=())
    withdrawn: tuple[str, ...] = ()


@dataclass(slots=True)
class _Parcel:
    ranking: tuple[int, ...]
    papers: int
    value: Decimal  # of each paper, when received by the candidate holding it
    at: int  # index in ranking of the candidate holding it


def _papers(weight: Decimal) -> tuple[int, Decimal]:
    """An integral weight k is k papers of value 1; any other weight one paper of that value."""
    if weight == weight.to_integral_value():
        return int(weight), ONE
    return 1, weight


def _truncate(value: Fraction) -> Decimal:
    scale = 10**TRANSFER_VALUE_PLACES
    return Decimal(math.floor(value * scale)).scaleb(-TRANSFER_VALUE_PLACES)


def tally_stv(
    *,
    candidates: Sequence[str],
    seats: int,
    ballots: Mapping[V, Sequence[str]],
    weights: Mapping[V, Decimal] | None = None,
    tiebreak: Sequence[str] = (),
    withdrawn: Sequence[str] = (),
) -> StvResult:
    """Scottish STV: elects exactly ``seats`` (or all who stand) unless a tie stays unresolved."""
    if seats < 1:
        raise ValueError(f"at least one seat, not {seats}")
    index = _candidate_index(candidates)
    unknown = [c for c in withdrawn if c not in index]
    if unknown:
        raise ValueError(f"withdrawn names unknown candidates: {unknown}")
    rows = _indexed_ballots(candidates, ballots, weights)
    order = _tiebreak_rank(tiebreak, candidates)
    out = {index[c] for c in withdrawn}
    names = candidates
    withdrawn_names = tuple(c for c in candidates if index[c] in out)

    with localcontext(_EXACT):
        parcels: list[_Parcel] = []
        for ranking, weight in rows:
            kept = tuple(c for c in ranking if c not in out)
            if kept:
                papers, value = _papers(weight)
                parcels.append(_Parcel(kept, papers, value, 0))
        valid = sum((p.papers * p.value for p in parcels), ZERO)
        if not parcels:
            return StvResult(
                CountStatus.NO_VALID_BALLOTS, seats, ZERO, ZERO, (), (), (), withdrawn_names
            )
        quota = Decimal(math.floor(Fraction(valid) / (seats + 1)) + 1)  # rule 46

        continuing = [c for c in range(len(candidates)) if c not in out]
        piles: dict[int, list[_Parcel]] = {c: [] for c in continuing}
        votes = dict.fromkeys(continuing, ZERO)
        for parcel in parcels:  # rule 45: first preferences
            piles[parcel.ranking[0]].append(parcel)
            votes[parcel.ranking[0]] += parcel.papers * parcel.value

        elected: list[int] = []
        stages: list[StvStage] = []
        history: list[dict[int, Decimal]] = []
        ties: list[Tie] = []
        totals = {"non_transferable": ZERO, "rounding_loss": ZERO}

        def next_preference(parcel: _Parcel) -> int | None:
            for at in range(parcel.at + 1, len(parcel.ranking)):
                if parcel.ranking[at] in continuing:
                    parcel.at = at
                    return parcel.ranking[at]
            return None

        def close_stage(
            action: StageAction,
            subject: int | None,
            received: Mapping[int, Decimal],
            transfer_values: tuple[Decimal, ...] = (),
            last_vacancies_now: list[int] | None = None,
        ) -> bool:
            """Rules 47 and 52 at the end of a stage; record it; True when the count is over."""
            newly: list[int] = []
            if last_vacancies_now is None:
                reached = [c for c in continuing if votes[c] >= quota]  # rule 47
                reached.sort(key=lambda c: (-votes[c], c))
                for c in reached:
                    continuing.remove(c)
                    elected.append(c)
                newly.extend(reached)
                vacancies = seats - len(elected)
                rule_52 = vacancies > 0 and 0 < len(continuing) <= vacancies
                last = sorted(continuing, key=lambda c: (-votes[c], c)) if rule_52 else []
            else:
                rule_52, last = True, last_vacancies_now
            for c in last:
                continuing.remove(c)
                elected.append(c)
            newly.extend(last)
            history.append(dict(votes))
            stages.append(
                StvStage(
                    number=len(stages) + 1,
                    action=action,
                    subject=None if subject is None else names[subject],
                    votes=_named(votes, names),
                    transfers=_named(received, names),
                    non_transferable=totals["non_transferable"],
                    rounding_loss=totals["rounding_loss"],
                    elected=tuple(names[c] for c in newly),
                    transfer_values=transfer_values,
                    last_vacancies=rule_52,
                )
            )
            return len(elected) >= seats or not continuing

        done = close_stage(StageAction.FIRST_PREFERENCES, None, {})
        status = CountStatus.COMPLETE
        while not done:
            stage = len(stages) + 1
            surpluses = [c for c in elected if votes[c] > quota]
            received: dict[int, Decimal] = {}
            if surpluses:  # rules 48 and 49
                largest = max(votes[c] for c in surpluses)
                tied = [c for c in surpluses if votes[c] == largest]
                chosen: int | None = tied[0]
                if len(tied) > 1:
                    chosen, tie = _break_tie(
                        tied=tied,
                        history=history,
                        fewest=False,
                        tiebreak=order,
                        names=names,
                        stage=stage,
                        kind=TieKind.SURPLUS_ORDER,
                    )
                    ties.append(tie)
                if chosen is None:
                    status = CountStatus.UNRESOLVED_TIE
                    break
                credited = votes[chosen]
                surplus = credited - quota
                moved = ZERO
                values: set[Decimal] = set()
                for parcel in piles.pop(chosen):
                    value = _truncate(
                        Fraction(surplus) * Fraction(parcel.value) / Fraction(credited)
                    )
                    values.add(value)
                    amount = parcel.papers * value
                    moved += amount
                    to = next_preference(parcel)
                    if to is None:
                        totals["non_transferable"] += amount
                        continue
                    parcel.value = value
                    piles[to].append(parcel)
                    votes[to] += amount
                    received[to] = received.get(to, ZERO) + amount
                totals["rounding_loss"] += surplus - moved
                votes[chosen] = quota
                done = close_stage(
                    StageAction.SURPLUS,
                    chosen,
                    received,
                    tuple(sorted(values, reverse=True)),
                )
                continue

            fewest = min(votes[c] for c in continuing)  # rule 50
            tied = [c for c in continuing if votes[c] == fewest]
            excluded: int | None = tied[0]
            if len(tied) > 1:  # rule 51
                excluded, tie = _break_tie(
                    tied=tied,
                    history=history,
                    fewest=True,
                    tiebreak=order,
                    names=names,
                    stage=stage,
                    kind=TieKind.EXCLUSION,
                )
                ties.append(tie)
            if excluded is None:
                status = CountStatus.UNRESOLVED_TIE
                break
            continuing.remove(excluded)
            vacancies = seats - len(elected)
            if len(continuing) <= vacancies:  # rule 52: no further transfer
                last = sorted(continuing, key=lambda c: (-votes[c], c))
                done = close_stage(StageAction.EXCLUSION, excluded, {}, (), last)
                continue
            for parcel in piles.pop(excluded):
                amount = parcel.papers * parcel.value
                to = next_preference(parcel)
                if to is None:
                    totals["non_transferable"] += amount
                    continue
                piles[to].append(parcel)
                votes[to] += amount
                received[to] = received.get(to, ZERO) + amount
            votes[excluded] = ZERO
            done = close_stage(StageAction.EXCLUSION, excluded, received)

        return StvResult(
            status=status,
            seats=seats,
            quota=quota,
            valid=valid,
            elected=tuple(names[c] for c in elected),
            stages=tuple(stages),
            ties=tuple(ties),
            withdrawn=withdrawn_names,
        )


# -- BLT files -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BltBallot:
    weight: Decimal
    ranking: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BltElection:
    candidates: tuple[str, ...]
    seats: int
    ballots: tuple[BltBallot, ...]
    title: str
    withdrawn: tuple[str, ...] = ()

    def ballot_mapping(self) -> tuple[dict[int, tuple[str, ...]], dict[int, Decimal]]:
        """Ballots and weights keyed by line number, ready for ``tally_stv``/``tally_irv``."""
        ballots = {n: b.ranking for n, b in enumerate(self.ballots, start=1)}
        weights = {n: b.weight for n, b in enumerate(self.ballots, start=1)}
        return ballots, weights


def _quoted(text: str, what: str) -> str:
    if '"' in text or "\n" in text or "\r" in text:
        raise ValueError(f"a BLT {what} cannot contain quotes or line breaks: {text!r}")
    return f'"{text}"'


def _format_weight(weight: Decimal) -> str:
    if weight == weight.to_integral_value():
        return str(int(weight))
    return f"{weight.normalize():f}"


def to_blt(
    *,
    candidates: Sequence[str],
    seats: int,
    ballots: Mapping[V, Sequence[str]],
    weights: Mapping[V, Decimal] | None = None,
    title: str,
    withdrawn: Sequence[str] = (),
) -> str:
    """The ballots as a BLT file; the same ballots give the same text whatever the voters' order."""
    if seats < 1:
        raise ValueError(f"at least one seat, not {seats}")
    index = _candidate_index(candidates)
    unknown = [c for c in withdrawn if c not in index]
    if unknown:
        raise ValueError(f"withdrawn names unknown candidates: {unknown}")
    rows = _indexed_ballots(candidates, ballots, weights)
    whole: dict[tuple[int, ...], Decimal] = {}  # voters with integral weights: merge identical
    lines: list[tuple[tuple[int, ...], Decimal]] = []
    with localcontext(_EXACT):
        for ranking, weight in rows:
            if weight == weight.to_integral_value():
                whole[ranking] = whole.get(ranking, ZERO) + weight
            else:
                lines.append((ranking, weight))
    lines.extend(whole.items())
    lines.sort()
    out = [f"{len(candidates)} {seats}"]
    if withdrawn:
        out.append(" ".join(f"-{index[c] + 1}" for c in sorted(withdrawn, key=index.__getitem__)))
    out.extend(
        " ".join([_format_weight(weight), *(str(c + 1) for c in ranking), "0"])
        for ranking, weight in lines
    )
    out.append("0")
    out.extend(_quoted(name, "candidate name") for name in candidates)
    out.append(_quoted(title, "title"))
    return "\n".join(out) + "\n"


_NAME = re.compile(r'"([^"\r\n]*)"')


def from_blt(text: str) -> BltElection:
    """Parse a BLT file; raises ValueError on anything this reader does not support."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError("empty BLT file")
    head = lines[0].split()
    if len(head) != 2 or not all(t.isdigit() for t in head):
        raise ValueError(f"first line must be 'candidates seats', not {lines[0]!r}")
    count, seats = int(head[0]), int(head[1])
    if count < 1 or seats < 1:
        raise ValueError("a BLT file has at least one candidate and one seat")
    at = 1
    withdrawn_numbers: list[int] = []
    if at < len(lines) and lines[at].startswith("-"):
        try:
            withdrawn_numbers = [-int(t) for t in lines[at].split()]
        except ValueError:
            raise ValueError(f"bad withdrawn line {lines[at]!r}") from None
        at += 1
    raw: list[tuple[Decimal, tuple[int, ...]]] = []
    while True:
        if at >= len(lines):
            raise ValueError("the ballots do not end with a line '0'")
        line = lines[at]
        at += 1
        if line == "0":
            break
        tokens = line.split()
        if len(tokens) < 2 or tokens[-1] != "0":
            raise ValueError(f"a ballot line is 'weight c1 c2 ... 0', not {line!r}")
        try:
            weight = Decimal(tokens[0])
            ranks = tuple(int(t) for t in tokens[1:-1])
        except (ArithmeticError, ValueError):
            raise ValueError(f"unsupported ballot line {line!r}") from None
        if not weight.is_finite() or weight <= ZERO:
            raise ValueError(f"ballot weights are > 0: {line!r}")
        if any(not 1 <= r <= count for r in ranks) or len(set(ranks)) != len(ranks):
            raise ValueError(f"ballot ranks unknown or repeated candidates: {line!r}")
        raw.append((weight, ranks))
    names = _NAME.findall("\n".join(lines[at:]))
    if len(names) != count + 1:
        raise ValueError(f"expected {count} quoted names and a quoted title, found {len(names)}")
    candidates = tuple(names[:count])
    _candidate_index(candidates)
    if any(not 1 <= n <= count for n in withdrawn_numbers):
        raise ValueError(f"withdrawn candidates out of range: {withdrawn_numbers}")
    return BltElection(
        candidates=candidates,
        seats=seats,
        ballots=tuple(
            BltBallot(weight, tuple(candidates[r - 1] for r in ranks)) for weight, ranks in raw
        ),
        title=names[count],
        withdrawn=tuple(candidates[n - 1] for n in sorted(set(withdrawn_numbers))),
    )
