"""The budgeting engine on small worked examples, each checked by hand (the arithmetic is in the
comments), through pabutools."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from cairn.engines.budgeting import (
    BudgetingError,
    Election,
    Line,
    Reason,
    Rule,
    compute,
    equal_shares,
    explain,
    greedy_approval,
    line_key,
    minor_units,
    to_amount,
)


def _election(budget: int, costs: dict[str, int], ballots: list[str]) -> Election:
    """`ballots` as strings of line keys: "AC" approves A and C."""
    return Election(
        budget=budget,
        lines=tuple(Line(key, cost) for key, cost in costs.items()),
        ballots=tuple(frozenset(b) for b in ballots),
    )


# Four voters, a budget of 1200: shares of 300.
#   A 600 by v1 v2 v3; B 500 by v4; C 300 by v1 v4; D 900 by everyone.
FOUR = _election(1200, {"A": 600, "B": 500, "C": 300, "D": 900}, ["ACD", "AD", "AD", "BCD"])


def test_equal_shares_worked_example():
    # Heaviest payments at the start: A 600/3 = 200, C 300/2 = 150, D 900/4 = 225; B 500 > 300.
    # C first (150 each): v1 and v4 keep 150. Then A: v1 pays its 150, v2 and v3 225 each
    # (D would need 300 of v2 and v3). Left: v1 0, v2 75, v3 75, v4 150 = 300 < 900 for D.
    result = equal_shares(FOUR)
    assert result.funded == ("C", "A")
    assert result.spent == 900
    assert result.unspent == 300
    assert result.share == 300
    assert result.outcome("C").figure == 150
    assert result.outcome("C").rank == 1
    assert result.outcome("A").figure == 225
    assert result.outcome("A").rank == 2
    d = result.outcome("D")
    assert (d.funded, d.reason, d.available, d.approvals) == (False, Reason.SHARES_SPENT, 300, 4)
    b = result.outcome("B")
    assert (b.reason, b.available) == (Reason.SHARES_TOO_SMALL, 300)


def test_greedy_approval_worked_example():
    # By approvals: D 4, A 3, C 2, B 1. D 900 (300 left), A 600 does not fit, C 300 fits (0 left),
    # B 500 does not fit.
    result = greedy_approval(FOUR)
    assert result.funded == ("D", "C")
    assert result.spent == 1200
    assert result.unspent == 0
    assert result.outcome("D").figure == 1200
    a = result.outcome("A")
    assert (a.funded, a.reason, a.figure) == (False, Reason.NO_ROOM, 300)
    assert result.outcome("C").figure == 300
    assert result.outcome("B").figure == 0


def test_majority_and_minority_51_49():
    # Peters and Skowron's motivating example: 51 voters want ten red lines, 49 ten blue ones,
    # each costing 1 of a budget of 10. Greedy gives the majority everything; equal shares gives
    # the red voters 5.1 (five lines) and the blue voters 4.9 (four), and leaves 1 unspent.
    costs = {f"R{i}": 1 for i in range(10)} | {f"B{i}": 1 for i in range(10)}
    election = Election(
        budget=10,
        lines=tuple(Line(k, c) for k, c in costs.items()),
        ballots=(frozenset(f"R{i}" for i in range(10)),) * 51
        + (frozenset(f"B{i}" for i in range(10)),) * 49,
    )
    shares = equal_shares(election)
    assert sorted(shares.funded) == sorted([*(f"R{i}" for i in range(5)), "B0", "B1", "B2", "B3"])
    assert shares.unspent == 1
    assert shares.outcome("B4").reason == Reason.SHARES_SPENT
    assert shares.outcome("B4").available == Fraction(49, 100) * 10 - 4  # 0.9 left
    greedy = greedy_approval(election)
    assert sorted(greedy.funded) == sorted(f"R{i}" for i in range(10))


def test_ties_go_to_the_line_proposed_first():
    # Two lines of 100, two approvals each, room for one: both rules take the first key.
    first, second = line_key(1), line_key(2)
    election = Election(
        budget=100,
        lines=(Line(second, 100), Line(first, 100)),
        ballots=(frozenset({first, second}),) * 2,
    )
    assert equal_shares(election).funded == (first,)
    assert greedy_approval(election).funded == (first,)
    assert greedy_approval(election).outcome(second).reason == Reason.NO_ROOM


def test_a_line_costing_more_than_the_budget_is_never_bought():
    election = _election(1000, {"A": 1001, "B": 400}, ["AB", "AB", "A"])
    for result in compute(election).values():
        assert result.funded == ("B",)
        assert result.outcome("A").reason == Reason.OVER_BUDGET
        assert "more than the whole budget" in explain(
            result.outcome("A"), result, lambda f: str(f)
        )


def test_shares_are_exact_fractions():
    # 100 among 3 voters: shares of 100/3; a line of 100 approved by all three is bought with
    # each paying exactly 100/3 (in floats 3 * 33.333… falls short).
    election = _election(100, {"A": 100}, ["A", "A", "A"])
    result = equal_shares(election)
    assert result.share == Fraction(100, 3)
    assert result.funded == ("A",)
    assert result.outcome("A").figure == Fraction(100, 3)


def test_nobody_approved_and_no_ballots():
    election = _election(500, {"A": 100, "B": 100}, ["A", ""])
    for result in compute(election).values():
        assert result.funded == ("A",)
        assert result.outcome("B").reason == Reason.NO_APPROVALS
    empty = _election(500, {"A": 100}, [])
    assert all(r.funded == () for r in compute(empty).values())
    assert {r.rule for r in compute(empty).values()} == {Rule.EQUAL_SHARES, Rule.GREEDY}


def test_explanations_name_the_figures():
    def money(value: Fraction) -> str:
        return f"${to_amount(value, 2)}"

    shares = equal_shares(FOUR)
    assert explain(shares.outcome("C"), shares, money) == (
        "Bought 1st: its 2 approvals split the cost, each supporter paying at most $1.50 of a "
        "$3.00 share."
    )
    assert "$3.00 was left, less than its cost of $9.00" in explain(
        shares.outcome("D"), shares, money
    )
    greedy = greedy_approval(FOUR)
    assert explain(greedy.outcome("A"), greedy, money) == (
        "With 3 approvals, its turn came when $3.00 was left, less than its cost of $6.00."
    )


def test_bad_elections_are_refused():
    with pytest.raises(BudgetingError):
        _check_bad(_election(100, {"A": 0}, []))
    with pytest.raises(BudgetingError):
        _check_bad(_election(100, {"A": 10}, ["Z"]))


def _check_bad(election: Election) -> None:
    equal_shares(election)


def test_minor_units_are_exact():
    assert minor_units(Decimal("12.34"), 2) == 1234
    assert minor_units(Decimal("1200"), 0) == 1200
    with pytest.raises(BudgetingError):
        minor_units(Decimal("1.005"), 2)


def test_amounts_for_display_round_half_even():
    assert to_amount(Fraction(100000, 3), 2) == Decimal("333.33")
    assert to_amount(Fraction(5, 2), 0) == Decimal(2)
