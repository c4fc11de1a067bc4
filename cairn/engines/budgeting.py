"""Participatory budgeting over approval ballots: the Method of Equal Shares and greedy approval,
computed by pabutools, with the reason each line won or lost.

Plain dataclasses in and out, no ORM. Money is exact: costs and the budget come in as integers of
the currency's minor unit (cents), pabutools computes with exact fractions (gmpy2), and every
figure handed back is a `fractions.Fraction` of minor units (a voter's share of 1000.00 among 3
voters is 100000/3 cents, never 33333.33…). Nothing here is a float.

The rules, as pabutools implements them:

- **Equal shares** (`method_of_equal_shares` with approval utilities, as equalshares.net explains
  approval voting): the budget is split equally among the ballots; a line is bought when its
  supporters can pay its cost from their shares, each paying an equal part (or all they have
  left, if less); at each step the line whose heaviest payment is the smallest is bought. A line
  is out when its supporters' shares left cannot cover it. What the rule leaves unspent is not
  allocated (it stays in the fund).
- **Greedy approval** (`greedy_utilitarian_welfare` with cost satisfaction, which orders lines by
  their number of approvals): lines in order of approvals, each bought if it fits in what is left.

Both rules only consider lines with at least one approval. Ties go to the line whose key sorts
first (pabutools' lexicographic tie-breaking): callers give keys in the order lines were proposed
(`line_key`), so the line proposed first wins a tie.

The reasons are computed from pabutools' outcome by replaying the payments it implies (equal
shares) or the order it walks (greedy), so every figure on the results page is checkable by hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from pabutools.election import (  # type: ignore[import-untyped]  # pabutools ships no types
    ApprovalMultiProfile,
    Cardinality_Sat,
    Cost_Sat,
    FrozenApprovalBallot,
    Instance,
    Project,
)
from pabutools.rules import (  # type: ignore[import-untyped]
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)
from pabutools.tiebreaking import lexico_tie_breaking  # type: ignore[import-untyped]


class Rule(StrEnum):
    EQUAL_SHARES = "equal_shares"
    GREEDY = "greedy"


RULE_LABELS = {Rule.EQUAL_SHARES: "Method of Equal Shares", Rule.GREEDY: "Greedy approval"}


class Reason(StrEnum):
    FUNDED = "funded"
    NO_APPROVALS = "no_approvals"  # nobody approved it
    OVER_BUDGET = "over_budget"  # it costs more than the whole budget
    SHARES_TOO_SMALL = "shares_too_small"  # equal shares: its supporters' full shares are short
    SHARES_SPENT = "shares_spent"  # equal shares: its supporters spent their shares on others
    NO_ROOM = "no_room"  # greedy: less money was left than it costs when its turn came


@dataclass(frozen=True, slots=True)
class Line:
    key: str  # unique; ties go to the key that sorts first
    cost: int  # minor units, > 0


@dataclass(frozen=True, slots=True)
class Election:
    budget: int  # minor units, >= 0
    lines: tuple[Line, ...]
    ballots: tuple[frozenset[str], ...]  # each ballot: the keys it approves (may be empty)


@dataclass(frozen=True, slots=True)
class LineOutcome:
    key: str
    cost: int
    approvals: int
    funded: bool
    reason: Reason
    rank: int | None = None  # 1 for the first line bought
    # equal shares, funded: the largest payment one supporter made (others paid the same or,
    # having less left, all they had); greedy, funded or not: the money left when its turn came
    figure: Fraction | None = None
    # equal shares, not funded: what its supporters could pay (full shares, or what was left)
    available: Fraction | None = None


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: Rule
    budget: int
    voters: int
    share: Fraction  # each ballot's share of the budget (equal shares; greedy: the same figure)
    funded: tuple[str, ...]  # keys, in the order they were bought
    spent: int
    lines: tuple[LineOutcome, ...]  # in the election's order

    @property
    def unspent(self) -> int:
        return self.budget - self.spent

    def outcome(self, key: str) -> LineOutcome:
        return next(line for line in self.lines if line.key == key)


class BudgetingError(ValueError):
    pass


def line_key(position: int) -> str:
    """A key that sorts in proposal order (position 1 → "L000001")."""
    return f"L{position:06d}"


def _check(election: Election) -> None:
    keys = [line.key for line in election.lines]
    if len(set(keys)) != len(keys):
        raise BudgetingError("Two lines share a key.")
    if election.budget < 0:
        raise BudgetingError("The budget cannot be negative.")
    if any(line.cost <= 0 for line in election.lines):
        raise BudgetingError("Every line costs more than zero.")
    known = set(keys)
    for ballot in election.ballots:
        if not ballot <= known:
            raise BudgetingError("A ballot approves a line that is not in the round.")


def _approvals(election: Election) -> Counter[str]:
    return Counter(key for ballot in election.ballots for key in ballot)


def _pabutools(election: Election, approvals: Counter[str]) -> tuple[Any, Any, dict[str, Any]]:
    """pabutools' instance and profile of the lines somebody approved; identical ballots are one
    entry with a multiplicity."""
    projects = {
        line.key: Project(line.key, line.cost) for line in election.lines if approvals[line.key]
    }
    instance = Instance(projects.values(), budget_limit=election.budget)
    profile = ApprovalMultiProfile(instance=instance)
    for ballot in election.ballots:
        profile.append(FrozenApprovalBallot([projects[k] for k in sorted(ballot) if k in projects]))
    return instance, profile, projects


def _share(election: Election) -> Fraction:
    if not election.ballots:
        return Fraction(0)
    return Fraction(election.budget, len(election.ballots))


def equal_shares(election: Election) -> RuleResult:
    """The Method of Equal Shares (no completion: what it leaves stays unallocated)."""
    _check(election)
    approvals = _approvals(election)
    share = _share(election)
    order: list[str] = []
    if election.ballots and approvals:
        instance, profile, _ = _pabutools(election, approvals)
        outcome = method_of_equal_shares(
            instance, profile, sat_class=Cardinality_Sat, tie_breaking=lexico_tie_breaking
        )
        order = [project.name for project in outcome]

    # Replay the payments the outcome implies: identical ballots move together.
    groups = Counter(election.ballots)
    left: dict[frozenset[str], Fraction] = dict.fromkeys(groups, share)
    cost = {line.key: line.cost for line in election.lines}
    heaviest: dict[str, Fraction] = {}
    for key in order:
        payers = sorted((b for b in groups if key in b), key=lambda b: left[b])
        due, remaining_people = Fraction(cost[key]), sum(groups[b] for b in payers)
        payment = Fraction(0)
        for ballot in payers:
            # everyone still paying pays `payment`; those with less pay all they have
            payment = due / remaining_people
            if left[ballot] >= payment:
                break
            due -= left[ballot] * groups[ballot]
            remaining_people -= groups[ballot]
        for ballot in payers:
            paid = min(left[ballot], payment)
            left[ballot] -= paid
        if due != payment * remaining_people or any(v < 0 for v in left.values()):
            raise BudgetingError("Equal shares' outcome does not replay.")  # pragma: no cover
        heaviest[key] = payment

    rank = {key: i for i, key in enumerate(order, start=1)}
    lines = []
    for line in election.lines:
        count = approvals[line.key]
        if line.key in rank:
            lines.append(
                LineOutcome(
                    line.key,
                    line.cost,
                    count,
                    True,
                    Reason.FUNDED,
                    rank=rank[line.key],
                    figure=heaviest[line.key],
                )
            )
            continue
        full = share * count
        remaining = sum(
            (left[b] * n for b, n in groups.items() if line.key in b), start=Fraction(0)
        )
        if count == 0:
            reason, available = Reason.NO_APPROVALS, None
        elif line.cost > election.budget:
            reason, available = Reason.OVER_BUDGET, None
        elif full < line.cost:
            reason, available = Reason.SHARES_TOO_SMALL, full
        else:
            reason, available = Reason.SHARES_SPENT, remaining
        lines.append(LineOutcome(line.key, line.cost, count, False, reason, available=available))
    return RuleResult(
        rule=Rule.EQUAL_SHARES,
        budget=election.budget,
        voters=len(election.ballots),
        share=share,
        funded=tuple(order),
        spent=sum(cost[k] for k in order),
        lines=tuple(lines),
    )


def greedy_approval(election: Election) -> RuleResult:
    """Lines by number of approvals (ties: the key first), each bought if it still fits."""
    _check(election)
    approvals = _approvals(election)
    order: list[str] = []
    if election.ballots and approvals:
        instance, profile, _ = _pabutools(election, approvals)
        outcome = greedy_utilitarian_welfare(
            instance, profile, sat_class=Cost_Sat, tie_breaking=lexico_tie_breaking
        )
        order = [project.name for project in outcome]

    # The walk pabutools made: by approvals, then key; the money left at each line's turn.
    walk = sorted(
        (line for line in election.lines if approvals[line.key]),
        key=lambda line: (-approvals[line.key], line.key),
    )
    chosen = set(order)
    left = Fraction(election.budget)
    at_turn: dict[str, Fraction] = {}
    for line in walk:
        at_turn[line.key] = left
        if line.key in chosen:
            left -= line.cost
    walked = [line.key for line in walk if line.key in chosen]
    if walked != order or left < 0:
        raise BudgetingError("Greedy approval's outcome does not replay.")  # pragma: no cover

    rank = {key: i for i, key in enumerate(order, start=1)}
    lines = []
    for line in election.lines:
        count = approvals[line.key]
        if line.key in rank:
            outcome_ = LineOutcome(
                line.key,
                line.cost,
                count,
                True,
                Reason.FUNDED,
                rank=rank[line.key],
                figure=at_turn[line.key],
            )
        elif count == 0:
            outcome_ = LineOutcome(line.key, line.cost, 0, False, Reason.NO_APPROVALS)
        elif line.cost > election.budget:
            outcome_ = LineOutcome(line.key, line.cost, count, False, Reason.OVER_BUDGET)
        else:
            outcome_ = LineOutcome(
                line.key, line.cost, count, False, Reason.NO_ROOM, figure=at_turn[line.key]
            )
        lines.append(outcome_)
    cost = {line.key: line.cost for line in election.lines}
    return RuleResult(
        rule=Rule.GREEDY,
        budget=election.budget,
        voters=len(election.ballots),
        share=_share(election),
        funded=tuple(order),
        spent=sum(cost[k] for k in order),
        lines=tuple(lines),
    )


RULES: dict[Rule, Callable[[Election], RuleResult]] = {
    Rule.EQUAL_SHARES: equal_shares,
    Rule.GREEDY: greedy_approval,
}


def compute(election: Election, rules: Iterable[Rule] = tuple(Rule)) -> dict[Rule, RuleResult]:
    return {rule: RULES[rule](election) for rule in rules}


def explain(line: LineOutcome, result: RuleResult, money: Callable[[Fraction], str]) -> str:
    """One sentence saying why the line won or lost under the rule, with its figures."""
    votes = f"{line.approvals} approval{'' if line.approvals == 1 else 's'}"
    figure, available = line.figure or Fraction(0), line.available or Fraction(0)
    if line.reason == Reason.NO_APPROVALS:
        return "Nobody approved it."
    if line.reason == Reason.OVER_BUDGET:
        return f"It costs {money(Fraction(line.cost))}, more than the whole budget."
    if result.rule == Rule.EQUAL_SHARES:
        if line.reason == Reason.FUNDED:
            return (
                f"Bought {_ordinal(line.rank)}: its {votes} split the cost, each supporter "
                f"paying at most {money(figure)} of a {money(result.share)} share."
            )
        if line.reason == Reason.SHARES_TOO_SMALL:
            return (
                f"Its {votes} had {money(available)} in shares of "
                f"{money(result.share)} each, less than its cost of {money(Fraction(line.cost))}."
            )
        return (
            f"Its {votes} had spent their shares on lines they approved that were bought first; "
            f"{money(available)} was left, less than its cost of "
            f"{money(Fraction(line.cost))}."
        )
    if line.reason == Reason.FUNDED:
        return (
            f"Bought {_ordinal(line.rank)} with {votes}: it fit in the {money(figure)} "
            "still unspent."
        )
    return (
        f"With {votes}, its turn came when {money(figure)} was left, less than its cost of "
        f"{money(Fraction(line.cost))}."
    )


def _ordinal(rank: int | None) -> str:
    n = rank or 0
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def to_amount(value: Fraction, exponent: int) -> Decimal:
    """Minor units back to an amount for display, rounded half-even to the minor unit (a share of
    100000/3 cents shows as 333.33); computations never use the rounded figure."""
    quantum = Decimal(1).scaleb(-exponent)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.scaleb(-exponent).quantize(quantum, rounding=ROUND_HALF_EVEN)


def minor_units(amount: Decimal, exponent: int) -> int:
    """A Decimal amount in the currency's minor unit (exponent 2: 12.34 → 1234); refuses an
    amount with more decimals than the currency has."""
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise BudgetingError(f"{amount} has more decimals than the currency allows.")
    return int(scaled)
