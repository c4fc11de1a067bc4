"""Ranked choice: IRV and Scottish STV against published counts, hand-worked cases, BLT files.

Published sources whose round-by-round counts are matched exactly:

- STV, a real election: Glasgow City Council election of 3 May 2007, Calton ward (3 seats,
  5,199 valid ballots). The ballot data were published by Glasgow City Council; they are transcribed
  unchanged in ``data/glasgow-2007-calton.blt`` from the test data of the Droop STV package
  (Jonathan Lundell, https://github.com/jklundell/droop, ``test/blt/scotland/Calton-2007.blt``).
  The stage counts are those of Droop's Scottish STV reference report for that ward
  (``test/ref/report/scotland/Calton-2007-scotland-fixed-p5-d5.txt``, Droop v0.11, rule
  "scotland", fixed-point arithmetic to 5 places), which counts by the rules of the Scottish Local
  Government Elections Order 2007 (SSI 2007/42, Schedule 1, rules 45-52,
  https://www.legislation.gov.uk/ssi/2007/42/schedule/1): every candidate's votes, the
  non-transferable total and the residual (rounding loss) match at every stage to 5 decimals.
- STV, a published worked example: the "food election" of Wikipedia's "Single transferable vote"
  article, section "Example" (https://en.wikipedia.org/wiki/Single_transferable_vote; mirrored at
  https://www.liquisearch.com/single_transferable_vote/example): 20 guests, 3 seats, Droop quota 6.
- IRV, a published worked example: the Tennessee capital election of Wikipedia's "Instant-runoff
  voting" article (https://en.wikipedia.org/wiki/Instant-runoff_voting) and electowiki's
  "Effects of different voting systems under similar circumstances"
  (https://electowiki.org/wiki/Effects_of_different_voting_systems_under_similar_circumstances).
"""

from decimal import Decimal
from pathlib import Path

import pytest

from cairn.engines.tally import (
    CountStatus,
    StageAction,
    StvStage,
    TieKind,
    TieResolution,
    from_blt,
    tally_irv,
    tally_stv,
    to_blt,
    validate_ranking,
)

DATA = Path(__file__).parent / "data"


def voters(*groups: tuple[int, tuple[str, ...]]) -> dict[int, tuple[str, ...]]:
    """Ballots for voters 0, 1, 2, ...: each group is (how many voters, their ranking)."""
    out: dict[int, tuple[str, ...]] = {}
    for how_many, ranking in groups:
        for _ in range(how_many):
            out[len(out)] = ranking
    return out


def table(stage: StvStage) -> dict[str, str]:
    """A stage's votes as text, so that 1300 and 1300.00000 compare equal as published."""
    return {name: f"{votes:.5f}" for name, votes in stage.votes.items()}


# -- IRV: Tennessee ----------------------------------------------------------------------------

TENNESSEE = ("Memphis", "Nashville", "Chattanooga", "Knoxville")


def test_irv_tennessee_capital_matches_the_published_rounds() -> None:
    # given 100 voters: 42 near Memphis, 26 near Nashville, 15 near Chattanooga, 17 near Knoxville
    ballots = voters(
        (42, ("Memphis", "Nashville", "Chattanooga", "Knoxville")),
        (26, ("Nashville", "Chattanooga", "Knoxville", "Memphis")),
        (15, ("Chattanooga", "Knoxville", "Nashville", "Memphis")),
        (17, ("Knoxville", "Chattanooga", "Nashville", "Memphis")),
    )
    # when
    result = tally_irv(candidates=TENNESSEE, ballots=ballots)
    # then: Chattanooga out (15), then Nashville (26), Knoxville wins 58 to 42
    rounds = [(dict(r.votes), r.eliminated, r.elected) for r in result.rounds]
    assert rounds == [
        ({"Memphis": 42, "Nashville": 26, "Chattanooga": 15, "Knoxville": 17}, "Chattanooga", None),
        ({"Memphis": 42, "Nashville": 26, "Knoxville": 32}, "Nashville", None),
        ({"Memphis": 42, "Knoxville": 58}, None, "Knoxville"),
    ]
    assert (result.status, result.winner, result.total, result.ties) == (
        CountStatus.COMPLETE,
        "Knoxville",
        100,
        (),
    )
    assert all(r.exhausted == 0 and r.continuing_total == 100 for r in result.rounds)


# -- IRV: hand-worked --------------------------------------------------------------------------


def test_irv_majority_of_first_preferences_wins_in_round_one() -> None:
    # given
    ballots = voters((3, ("A", "B")), (1, ("B",)), (1, ("C", "B")))
    # when
    result = tally_irv(candidates=("A", "B", "C"), ballots=ballots)
    # then
    assert result.winner == "A"
    assert len(result.rounds) == 1
    assert result.rounds[0].elected == "A"


def test_irv_majority_is_of_continuing_votes_once_ballots_exhaust() -> None:
    # given 9 voters; C's 2 voters rank nobody else, so their ballots exhaust when C is out
    ballots = voters((4, ("A",)), (3, ("B",)), (2, ("C",)))
    # when
    result = tally_irv(candidates=("A", "B", "C"), ballots=ballots)
    # then: round 2 has A 4, B 3 of 7 continuing: 4 > 3.5 wins although 4 < 9/2
    last = result.rounds[-1]
    assert (dict(last.votes), last.exhausted, last.continuing_total) == ({"A": 4, "B": 3}, 2, 7)
    assert result.winner == "A"


def test_irv_counts_declared_weights() -> None:
    # given a member with 3 votes ranks B first, three members with 1 vote rank A first
    ballots = {"big": ("B", "A"), "a1": ("A",), "a2": ("A",), "c": ("C", "B")}
    weights = {"big": Decimal(3), "a1": Decimal(1), "a2": Decimal(1), "c": Decimal(1)}
    # when
    result = tally_irv(candidates=("A", "B", "C"), ballots=ballots, weights=weights)
    # then: round 1 B 3, A 2, C 1; C's vote goes to B: 4 of 6
    assert [dict(r.votes) for r in result.rounds] == [{"A": 2, "B": 3, "C": 1}, {"A": 2, "B": 4}]
    assert result.winner == "B"


def test_irv_elimination_tie_is_broken_by_the_earlier_round_and_reported() -> None:
    # given round 1: A 5, B 2, C 3, D 1, E 4 -> D out, his vote to B;
    # round 2: A 5, B 3, C 3, E 4 -> B and C tie at the bottom
    ballots = voters((5, ("A",)), (2, ("B",)), (3, ("C",)), (1, ("D", "B")), (4, ("E", "A")))
    # when
    result = tally_irv(candidates=("A", "B", "C", "D", "E"), ballots=ballots)
    # then: round 1 separates them (B 2 < C 3), so B is eliminated
    assert [r.eliminated for r in result.rounds[:2]] == ["D", "B"]
    (tie,) = result.ties
    assert (tie.stage, tie.kind, tie.tied, tie.votes) == (2, TieKind.EXCLUSION, ("B", "C"), 3)
    assert (tie.resolution, tie.chosen, tie.decided_at_stage) == (
        TieResolution.EARLIER_STAGE,
        "B",
        1,
    )


def test_irv_tie_whose_later_ties_the_rules_settle_does_not_stop_the_count() -> None:
    # given no majority and a bottom tie that no earlier round separates: A 2, B 1, C 1, D 1 (D's
    # voter ranks B next). Excluding C first leaves B and D tied, and then (if D goes) A and B
    # tied at 2, which round 2 settles (B had fewer): every way the rules allow elects A
    ballots = voters((2, ("A",)), (1, ("B",)), (1, ("C",)), (1, ("D", "B")))
    # when
    result = tally_irv(candidates=("A", "B", "C", "D"), ballots=ballots)
    # then: the count does not stop (it used to, "unresolved tie"), and says why it went on
    assert (result.status, result.winner) == (CountStatus.COMPLETE, "A")
    first = result.ties[0]
    assert (first.tied, first.resolution, first.chosen) == (
        ("B", "C", "D"),
        TieResolution.SAME_OUTCOME,
        "B",
    )


def test_irv_tie_the_winner_depends_on_is_not_broken_silently() -> None:
    # given A 3, B 2 (then C), C 2 (then B): whichever of B and C goes first, the other wins
    ballots = voters((3, ("A",)), (2, ("B", "C")), (2, ("C", "B")))
    # when
    result = tally_irv(candidates=("A", "B", "C"), ballots=ballots)
    # then the count stops and says why
    assert (result.status, result.winner) == (CountStatus.UNRESOLVED_TIE, None)
    (tie,) = result.ties
    assert (tie.tied, tie.resolution, tie.chosen) == (("B", "C"), TieResolution.UNRESOLVED, None)
    assert result.rounds[-1].eliminated is None


def test_irv_tiebreak_order_decides_a_tie_by_lot() -> None:
    # given the same tie, and an order drawn by lot beforehand (most favoured first)
    ballots = voters((3, ("A",)), (2, ("B", "C")), (2, ("C", "B")))
    # when
    result = tally_irv(candidates=("A", "B", "C"), ballots=ballots, tiebreak=("C", "A", "B"))
    # then: the least favoured of the tied, B, goes first, and C wins 4 to 3
    assert result.rounds[0].eliminated == "B"
    assert result.ties[0].resolution is TieResolution.TIEBREAK_ORDER
    assert (result.status, result.winner) == (CountStatus.COMPLETE, "C")


def test_irv_bulk_excludes_a_bottom_tie_that_cannot_reach_the_next_candidate() -> None:
    # given A 5, B 4, C 1, D 1 (C and D tie; together 2 < B's 4), 11 voters, no majority
    ballots = voters((5, ("A",)), (4, ("B",)), (1, ("C", "B")), (1, ("D", "B")))
    # when
    result = tally_irv(candidates=("A", "B", "C", "D"), ballots=ballots)
    # then: C and D go together in round 1, and B wins round 2 with 6 of 11
    assert result.rounds[0].excluded_together == ("C", "D")
    assert result.rounds[0].eliminated is None
    assert dict(result.rounds[1].votes) == {"A": 5, "B": 6}
    assert (result.status, result.winner) == (CountStatus.COMPLETE, "B")
    (tie,) = result.ties
    assert (tie.tied, tie.resolution, tie.excluded_together) == (
        ("C", "D"),
        TieResolution.BULK_EXCLUSION,
        ("C", "D"),
    )


def test_irv_bulk_exclusion_takes_in_the_next_lowest_when_needed() -> None:
    # given A 10, B 9, C 3, D 2, E 2: D and E tie, together 4 >= C's 3; with C, 7 < B's 9
    ballots = voters(
        (10, ("A",)), (9, ("B",)), (3, ("C", "B")), (2, ("D", "C", "B")), (2, ("E", "C", "B"))
    )
    # when
    result = tally_irv(candidates=("A", "B", "C", "D", "E"), ballots=ballots)
    # then: C, D and E go in one round; all their ballots reach B: 16 of 26
    assert result.rounds[0].excluded_together == ("C", "D", "E")
    assert dict(result.rounds[1].votes) == {"A": 10, "B": 16}
    assert result.winner == "B"
    assert result.ties[0].resolution is TieResolution.BULK_EXCLUSION


def test_irv_tie_that_cannot_change_the_winner_does_not_stop_the_count() -> None:
    # given A 4, B 2, C 2 (B and C tie, together 4 = A's 4: no bulk exclusion, no earlier round),
    # and both B's and C's voters rank A next: whoever goes first, A wins
    ballots = voters((4, ("A",)), (2, ("B", "A")), (2, ("C", "A")))
    # when
    result = tally_irv(candidates=("A", "B", "C"), ballots=ballots)
    # then: the first tied candidate goes, and the result says why that was safe
    assert (result.status, result.winner) == (CountStatus.COMPLETE, "A")
    (tie,) = result.ties
    assert (tie.tied, tie.resolution, tie.chosen) == (
        ("B", "C"),
        TieResolution.SAME_OUTCOME,
        "B",
    )
    assert result.rounds[0].eliminated == "B"


def test_irv_tie_that_decides_the_winner_uses_the_lot_only_then() -> None:
    # given A 3, B 2, C 2: B's voters rank C next and C's rank B next, so whoever of B and C
    # goes first, the other beats A (4 to 3): the winner depends on the tie
    ballots = voters((3, ("A",)), (2, ("B", "C")), (2, ("C", "B")))
    # when there is no lot, and when the lot favours B
    stopped = tally_irv(candidates=("A", "B", "C"), ballots=ballots)
    by_lot = tally_irv(candidates=("A", "B", "C"), ballots=ballots, tiebreak=("B", "C", "A"))
    # then
    assert (stopped.status, stopped.winner) == (CountStatus.UNRESOLVED_TIE, None)
    assert stopped.ties[0].resolution is TieResolution.UNRESOLVED
    assert (by_lot.status, by_lot.winner) == (CountStatus.COMPLETE, "B")
    assert (by_lot.ties[0].resolution, by_lot.ties[0].chosen) == (
        TieResolution.TIEBREAK_ORDER,
        "C",
    )


def test_irv_with_no_ballots() -> None:
    result = tally_irv(candidates=("A", "B"), ballots={})
    assert (result.status, result.winner, result.rounds) == (CountStatus.NO_VALID_BALLOTS, None, ())


def test_irv_refuses_an_invalid_ballot() -> None:
    with pytest.raises(ValueError, match="voter 'x': unknown options: \\['Z'\\]"):
        tally_irv(candidates=("A", "B"), ballots={"x": ("A", "Z")})
    with pytest.raises(ValueError, match="an option is ranked twice"):
        tally_irv(candidates=("A", "B"), ballots={"x": ("A", "A")})


# -- STV: the Wikipedia food election ----------------------------------------------------------

FOOD = ("Oranges", "Pears", "Chocolate", "Strawberries", "Sweets")


def test_stv_food_election_matches_the_published_rounds() -> None:
    # given 20 guests and 3 dishes to choose
    ballots = voters(
        (4, ("Oranges",)),
        (2, ("Pears", "Oranges")),
        (8, ("Chocolate", "Strawberries")),
        (4, ("Chocolate", "Sweets")),
        (1, ("Strawberries",)),
        (1, ("Sweets",)),
    )
    # when
    result = tally_stv(candidates=FOOD, seats=3, ballots=ballots)
    # then: quota floor(20 / 4) + 1 = 6
    assert (result.quota, result.valid) == (6, 20)
    steps = [(s.action, s.subject, dict(s.votes), s.elected) for s in result.stages]
    assert steps == [
        # round 1: Chocolate (12) is elected
        (
            StageAction.FIRST_PREFERENCES,
            None,
            {"Oranges": 4, "Pears": 2, "Chocolate": 12, "Strawberries": 1, "Sweets": 1},
            ("Chocolate",),
        ),
        # round 2: Chocolate's surplus of 6 goes at 6/12 per paper: Strawberries +4, Sweets +2
        (
            StageAction.SURPLUS,
            "Chocolate",
            {"Oranges": 4, "Pears": 2, "Chocolate": 6, "Strawberries": 5, "Sweets": 3},
            (),
        ),
        # round 3: Pears out, their 2 votes reach Oranges, elected on exactly the quota
        (
            StageAction.EXCLUSION,
            "Pears",
            {"Oranges": 6, "Pears": 0, "Chocolate": 6, "Strawberries": 5, "Sweets": 3},
            ("Oranges",),
        ),
        # round 4: Sweets out, Strawberries take the last seat
        (
            StageAction.EXCLUSION,
            "Sweets",
            {"Oranges": 6, "Pears": 0, "Chocolate": 6, "Strawberries": 5, "Sweets": 3},
            ("Strawberries",),
        ),
    ]
    assert result.stages[1].transfer_values == (Decimal("0.5"),)
    assert result.stages[1].transfers == {"Strawberries": 4, "Sweets": 2}
    assert result.stages[-1].last_vacancies is True
    assert result.elected == ("Chocolate", "Oranges", "Strawberries")
    assert result.status is CountStatus.COMPLETE


# -- STV: Glasgow 2007, Calton ward --------------------------------------------------------------

CALTON = (
    "Gary Barton",
    "Alasdair Duke - Wardrop",
    "Fiacra Fullerton",
    "Scott Gillespie",
    "Paul Graham",
    "Danny Houston",
    "Kenny Murray",
    "George Redmond",
    "Ruth Simpson",
    "Alison E Thewliss",
)

# Droop's reference report, candidate votes in the order of CALTON, then non-transferable and
# residual. Droop's "Begin Count" is stage 1 and its "Round n" is stage n + 1. At the last stage
# Fullerton is excluded and Simpson fills the last seat by rule 52(1); rule 52(2) says "no further
# transfer shall be made", so the last row is Droop's "Defeat low candidate: Fiacra Fullerton"
# snapshot (before the transfer that Droop's report then also prints, which changes no outcome).
CALTON_STAGES: list[tuple[StageAction, str | None, tuple[str, ...], str, str, tuple[str, ...]]] = [
    (
        StageAction.FIRST_PREFERENCES,
        None,
        ("128", "219", "302", "245", "231", "195", "126", "1982", "628", "1143"),
        "0",
        "0",
        ("George Redmond",),
    ),
    (
        StageAction.SURPLUS,
        "George Redmond",
        (
            "130.40863", "224.84953", "325.39812", "250.84953", "245.79587",
            "217.36585", "134.94634", "1300", "1035.05847", "1175.68855",
        ),
        "158.62549",
        "0.01362",
        (),
    ),
    (
        StageAction.EXCLUSION,
        "Gary Barton",
        (
            "0", "235.19362", "349.74221", "257.84953", "252.79587",
            "220.36585", "140.29043", "1300", "1050.74665", "1196.68855",
        ),
        "195.31367",
        "0.01362",
        (),
    ),
    (
        StageAction.EXCLUSION,
        "Kenny Murray",
        (
            "0", "251.22589", "373.77448", "260.53771", "257.82814",
            "225.70994", "0", "1300", "1072.12301", "1221.72082",
        ),
        "236.06639",
        "0.01362",
        (),
    ),
    (
        StageAction.EXCLUSION,
        "Danny Houston",
        (
            "0", "264.91407", "382.49493", "348.69906", "265.20450",
            "0", "0", "1300", "1086.94027", "1231.40900",
        ),
        "319.32455",
        "0.01362",
        (),
    ),
    (
        StageAction.EXCLUSION,
        "Alasdair Duke - Wardrop",
        (
            "0", "0", "420.83902", "371.04315", "329.26904",
            "0", "0", "1300", "1115.34890", "1282.75309",
        ),
        "379.73318",
        "0.01362",
        (),
    ),
    (
        StageAction.EXCLUSION,
        "Paul Graham",
        (
            "0", "0", "446.24765", "409.10769", "0",
            "0", "0", "1300", "1189.88661", "1360.12945",
        ),
        "493.61498",
        "0.01362",
        ("Alison E Thewliss",),
    ),
    (
        StageAction.SURPLUS,
        "Alison E Thewliss",
        (
            "0", "0", "461.35742", "412.58571", "0",
            "0", "0", "1300", "1199.81406", "1300",
        ),
        "525.21759",
        "0.02522",
        (),
    ),
    (
        StageAction.EXCLUSION,
        "Scott Gillespie",
        (
            "0", "0", "485.84120", "0", "0",
            "0", "0", "1300", "1271.90931", "1300",
        ),
        "841.22427",
        "0.02522",
        (),
    ),
    (
        StageAction.EXCLUSION,
        "Fiacra Fullerton",
        (
            "0", "0", "485.84120", "0", "0",
            "0", "0", "1300", "1271.90931", "1300",
        ),
        "841.22427",
        "0.02522",
        ("Ruth Simpson",),
    ),
]  # fmt: skip


def test_stv_glasgow_2007_calton_matches_the_reference_count_stage_by_stage() -> None:
    # given the ward's 5,199 ballots as published
    election = from_blt((DATA / "glasgow-2007-calton.blt").read_text())
    ballots, weights = election.ballot_mapping()
    assert (election.candidates, election.seats, election.title) == (CALTON, 3, "CALTON")
    # when
    result = tally_stv(
        candidates=election.candidates, seats=election.seats, ballots=ballots, weights=weights
    )
    # then: quota floor(5199 / 4) + 1 = 1300, and every stage as published
    assert (result.valid, result.quota) == (5199, 1300)
    assert len(result.stages) == len(CALTON_STAGES)
    for stage, (action, subject, votes, non_transferable, loss, elected) in zip(
        result.stages, CALTON_STAGES, strict=True
    ):
        assert (stage.action, stage.subject) == (action, subject), stage.number
        assert table(stage) == {
            name: f"{Decimal(v):.5f}" for name, v in zip(CALTON, votes, strict=True)
        }, stage.number
        assert stage.non_transferable == Decimal(non_transferable), stage.number
        assert stage.rounding_loss == Decimal(loss), stage.number
        assert stage.elected == elected, stage.number
    # the transfer values of the two surpluses: 682/1982 and 60.12945/1360.12945, truncated
    assert result.stages[1].transfer_values == (Decimal("0.34409"),)
    assert result.stages[7].transfer_values[0] == Decimal("0.04420")
    assert result.elected == ("George Redmond", "Alison E Thewliss", "Ruth Simpson")
    assert (result.status, result.ties) == (CountStatus.COMPLETE, ())
    # conservation: every stage accounts for all 5,199 votes
    for stage in result.stages:
        assert sum(stage.votes.values()) + stage.non_transferable + stage.rounding_loss == 5199


# -- STV: hand-worked --------------------------------------------------------------------------


def test_stv_transfer_value_is_exact_when_it_can_be() -> None:
    # given 2 seats, quota floor(7 / 3) + 1 = 3: A 4, B 1, C 2
    ballots = voters((4, ("A", "B")), (1, ("B",)), (2, ("C",)))
    # when
    result = tally_stv(candidates=("A", "B", "C"), seats=2, ballots=ballots)
    # then: A's surplus 1 over 4 papers: 1 * 1 / 4 = 0.25 each, nothing lost
    surplus = result.stages[1]
    assert surplus.transfer_values == (Decimal("0.25"),)
    assert dict(surplus.votes) == {"A": 3, "B": 2, "C": 2}
    assert surplus.rounding_loss == 0


def test_stv_transfer_value_is_truncated_to_five_decimals() -> None:
    # given 2 seats, quota floor(5 / 3) + 1 = 2: A 3 (surplus 1 over 3 papers), B 1, C 1
    ballots = voters((3, ("A", "B")), (1, ("C",)), (1, ("B",)))
    # when
    result = tally_stv(candidates=("A", "B", "C"), seats=2, ballots=ballots)
    # then: 1/3 -> 0.33333 per paper, 0.00001 left behind by the truncation
    surplus = result.stages[1]
    assert surplus.transfer_values == (Decimal("0.33333"),)
    assert surplus.votes["B"] == Decimal("1.99999")
    assert surplus.rounding_loss == Decimal("0.00001")


def test_stv_later_surplus_uses_the_value_each_paper_was_received_at() -> None:
    # given quota floor(24 / 4) + 1 = 7: A 12 (surplus 5), B 4, C 2, D 6
    ballots = voters((12, ("A", "B", "C")), (4, ("B",)), (2, ("C",)), (6, ("D",)))
    # when
    result = tally_stv(candidates=("A", "B", "C", "D"), seats=3, ballots=ballots)
    # then: A's 12 papers go to B at 5/12 -> 0.41666 each: B 4 + 4.99992 = 8.99992 >= 7
    first = result.stages[1]
    assert first.transfer_values == (Decimal("0.41666"),)
    assert first.votes["B"] == Decimal("8.99992")
    assert first.elected == ("B",)
    # B's surplus 1.99992: its own 4 papers at 1.99992 * 1 / 8.99992 = 0.22221(3...) and A's
    # 12 papers at 1.99992 * 0.41666 / 8.99992 = 0.09258(...), both truncated
    second = result.stages[2]
    assert second.subject == "B"
    assert second.transfer_values == (Decimal("0.22221"), Decimal("0.09258"))
    assert second.transfers == {"C": 12 * Decimal("0.09258")}
    assert second.votes["C"] == 2 + 12 * Decimal("0.09258")
    assert second.non_transferable == 4 * Decimal("0.22221")


def test_stv_equal_surpluses_equal_at_every_stage_need_the_tiebreak_order() -> None:
    # given quota floor(20 / 3) + 1 = 7 for 2 seats; A 8 and B 8 both elected at stage 1
    ballots = voters((8, ("A", "C")), (8, ("B", "D")), (4, ("C",)))
    # when
    result = tally_stv(candidates=("A", "B", "C", "D"), seats=2, ballots=ballots)
    # then: both seats filled at stage 1, no surplus needs transferring
    assert result.elected == ("A", "B")
    assert len(result.stages) == 1
    # given 3 seats, quota floor(20 / 4) + 1 = 6: A 8, B 8 surplus 2 each, tied at every stage
    result = tally_stv(candidates=("A", "B", "C", "D"), seats=3, ballots=ballots)
    # then: the equal surpluses are a tie that nothing separates: reported, count stopped
    assert result.status is CountStatus.UNRESOLVED_TIE
    (tie,) = result.ties
    assert (tie.kind, tie.tied, tie.resolution) == (
        TieKind.SURPLUS_ORDER,
        ("A", "B"),
        TieResolution.UNRESOLVED,
    )
    # when a tiebreak order was drawn by lot beforehand, the most favoured goes first
    result = tally_stv(
        candidates=("A", "B", "C", "D"), seats=3, ballots=ballots, tiebreak=("B", "A", "C", "D")
    )
    assert result.stages[1].subject == "B"
    assert result.ties[0].resolution is TieResolution.TIEBREAK_ORDER
    assert result.status is CountStatus.COMPLETE


def test_stv_exclusion_tie_is_broken_by_the_most_recent_unequal_stage() -> None:
    # given 1 seat, quota floor(10 / 2) + 1 = 6. Stage 1: A 4, B 3, C 2, D 1 (D's voter ranks C)
    ballots = voters((4, ("A",)), (3, ("B",)), (2, ("C",)), (1, ("D", "C")))
    # when
    result = tally_stv(candidates=("A", "B", "C", "D"), seats=1, ballots=ballots)
    # then: stage 2 excludes D, C 3; stage 3: B 3 and C 3 tie, but at stage 1 C had fewer
    steps = [(s.action, s.subject, dict(s.votes)) for s in result.stages]
    assert steps == [
        (StageAction.FIRST_PREFERENCES, None, {"A": 4, "B": 3, "C": 2, "D": 1}),
        (StageAction.EXCLUSION, "D", {"A": 4, "B": 3, "C": 3, "D": 0}),
        (StageAction.EXCLUSION, "C", {"A": 4, "B": 3, "C": 0, "D": 0}),
        (StageAction.EXCLUSION, "B", {"A": 4, "B": 3, "C": 0, "D": 0}),  # rule 52: A elected
    ]
    (tie,) = result.ties
    assert (tie.stage, tie.kind, tie.tied, tie.votes) == (3, TieKind.EXCLUSION, ("B", "C"), 3)
    assert (tie.resolution, tie.chosen, tie.decided_at_stage) == (
        TieResolution.EARLIER_STAGE,
        "C",
        1,
    )
    assert result.stages[2].non_transferable == 3  # C's papers rank nobody else
    assert result.elected == ("A",)


def test_stv_exclusion_tie_reported_with_the_stage_that_decided_it() -> None:
    # given 2 seats, quota floor(13 / 3) + 1 = 5: A 6, B 2, C 3, D 2; A's voters rank nobody else
    ballots = voters((6, ("A",)), (2, ("B",)), (3, ("C",)), (2, ("D", "C")))
    # when: A's surplus is non-transferable; B 2 and D 2 then tie, equal at every stage
    result = tally_stv(candidates=("A", "B", "C", "D"), seats=2, ballots=ballots)
    # then
    assert result.status is CountStatus.UNRESOLVED_TIE
    assert result.elected == ("A",)
    (tie,) = result.ties
    assert (tie.stage, tie.kind, tie.tied, tie.votes, tie.chosen) == (
        3,
        TieKind.EXCLUSION,
        ("B", "D"),
        2,
        None,
    )
    # the surplus 1 over 6 papers at 0.16666: 0.99996 lost to nobody, 0.00004 to truncation
    assert result.stages[1].non_transferable == Decimal("0.99996")
    assert result.stages[1].rounding_loss == Decimal("0.00004")


def test_stv_elects_all_who_stand_when_seats_are_not_contested() -> None:
    # given 3 seats and 3 candidates, C without a vote; quota floor(3 / 4) + 1 = 1
    result = tally_stv(
        candidates=("A", "B", "C"), seats=3, ballots=voters((2, ("A",)), (1, ("B",)))
    )
    # then: A and B reach the quota, C fills the last seat by rule 52
    assert result.elected == ("A", "B", "C")
    assert result.stages[0].elected == ("A", "B", "C")
    assert result.stages[0].last_vacancies is True
    assert len(result.stages) == 1


def test_stv_withdrawn_candidates_are_skipped() -> None:
    # given B withdrew after the ballots were printed
    ballots = voters((3, ("B", "A")), (2, ("C",)), (1, ("B",)))
    # when
    result = tally_stv(candidates=("A", "B", "C"), seats=1, ballots=ballots, withdrawn=("B",))
    # then: the ballot ranking only B is not valid; quota floor(5 / 2) + 1 = 3
    assert (result.valid, result.quota, result.withdrawn) == (5, 3, ("B",))
    assert dict(result.stages[0].votes) == {"A": 3, "C": 2}
    assert result.elected == ("A",)


def test_stv_declared_integral_weight_counts_as_that_many_papers() -> None:
    # given a member with 2 votes and two members with 1: 4 papers
    ballots = {"big": ("A", "B"), "x": ("B",), "y": ("C",)}
    weights = {"big": Decimal(2), "x": Decimal(1), "y": Decimal(1)}
    # when
    result = tally_stv(candidates=("A", "B", "C"), seats=1, ballots=ballots, weights=weights)
    # then: quota floor(4 / 2) + 1 = 3; A 2, B 1, C 1: B and C tie; nothing separates them
    assert (result.valid, result.quota) == (4, 3)
    assert dict(result.stages[0].votes) == {"A": 2, "B": 1, "C": 1}
    assert result.status is CountStatus.UNRESOLVED_TIE


def test_stv_with_no_valid_ballots() -> None:
    result = tally_stv(candidates=("A", "B"), seats=1, ballots={})
    assert (result.status, result.elected, result.quota) == (CountStatus.NO_VALID_BALLOTS, (), 0)


def test_stv_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="at least one seat"):
        tally_stv(candidates=("A",), seats=0, ballots={})
    with pytest.raises(ValueError, match="withdrawn names unknown candidates"):
        tally_stv(candidates=("A",), seats=1, ballots={}, withdrawn=("Z",))
    with pytest.raises(ValueError, match="tiebreak names unknown candidates"):
        tally_stv(candidates=("A",), seats=1, ballots={}, tiebreak=("Z",))
    with pytest.raises(ValueError, match="weights are > 0"):
        tally_stv(candidates=("A",), seats=1, ballots={"x": ("A",)}, weights={"x": Decimal(0)})


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ranking", "min_ranks", "errors"),
    [
        (("A",), 1, ()),
        (("B", "A", "C"), 1, ()),
        ((), 1, ("rank at least 1 option",)),
        (("A",), 2, ("rank at least 2 options",)),
        (("A", "B", "C"), 5, ()),  # capped at the number of candidates
        (("A", "Z"), 1, ("unknown options: ['Z']",)),
        (("A", "A"), 1, ("an option is ranked twice",)),
    ],
)
def test_validate_ranking(
    ranking: tuple[str, ...], min_ranks: int, errors: tuple[str, ...]
) -> None:
    assert (
        validate_ranking(candidates=("A", "B", "C"), ranking=ranking, min_ranks=min_ranks) == errors
    )


# -- BLT ---------------------------------------------------------------------------------------


def test_blt_round_trip_merges_identical_ballots() -> None:
    # given
    ballots = {"x": ("A", "B"), "y": ("C",), "z": ("A", "B")}
    # when
    text = to_blt(candidates=("A", "B", "C"), seats=2, ballots=ballots, title="Board")
    # then
    assert text == '3 2\n2 1 2 0\n1 3 0\n0\n"A"\n"B"\n"C"\n"Board"\n'
    election = from_blt(text)
    assert (election.candidates, election.seats, election.title) == (("A", "B", "C"), 2, "Board")
    assert [(b.weight, b.ranking) for b in election.ballots] == [
        (2, ("A", "B")),
        (1, ("C",)),
    ]


def test_blt_keeps_fractional_weights_and_withdrawn_candidates() -> None:
    # given
    ballots = {"x": ("B",), "y": ("A", "B")}
    weights = {"x": Decimal("0.5"), "y": Decimal(3)}
    # when
    text = to_blt(
        candidates=("A", "B"),
        seats=1,
        ballots=ballots,
        weights=weights,
        title="T",
        withdrawn=("A",),
    )
    # then
    assert text == '2 1\n-1\n3 1 2 0\n0.5 2 0\n0\n"A"\n"B"\n"T"\n'
    election = from_blt(text)
    assert election.withdrawn == ("A",)
    assert [(b.weight, b.ranking) for b in election.ballots] == [
        (3, ("A", "B")),
        (Decimal("0.5"), ("B",)),
    ]


def test_blt_of_calton_reproduces_its_ballots() -> None:
    # given the published file
    election = from_blt((DATA / "glasgow-2007-calton.blt").read_text())
    ballots, weights = election.ballot_mapping()
    # when written back and read again
    again = from_blt(
        to_blt(
            candidates=election.candidates,
            seats=election.seats,
            ballots=ballots,
            weights=weights,
            title=election.title,
        )
    )

    # then: the same multiset of (ranking, papers)
    def papers(e: object) -> dict[tuple[str, ...], Decimal]:
        assert hasattr(e, "ballots")
        out: dict[tuple[str, ...], Decimal] = {}
        for b in e.ballots:
            out[b.ranking] = out.get(b.ranking, Decimal(0)) + b.weight
        return out

    assert papers(again) == papers(election)
    assert sum(b.weight for b in election.ballots) == 5199


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty BLT file"),
        ("3\n", "first line must be"),
        ('2 1\n1 1 2\n0\n"A"\n"B"\n"T"\n', "a ballot line is"),
        ('2 1\n1 1 3 0\n0\n"A"\n"B"\n"T"\n', "unknown or repeated"),
        ('2 1\n1 1 1 0\n0\n"A"\n"B"\n"T"\n', "unknown or repeated"),
        ('2 1\n0 1 0\n0\n"A"\n"B"\n"T"\n', "ballot weights are > 0"),
        ('2 1\n1 1 0\n"A"\n"B"\n"T"\n', "unsupported ballot line|a ballot line is"),
        ('2 1\n1 1 0\n0\n"A"\n"T"\n', "expected 2 quoted names"),
        ('2 1\n1 (1 2) 0\n0\n"A"\n"B"\n"T"\n', "unsupported ballot line"),
    ],
)
def test_from_blt_refuses_what_it_does_not_support(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        from_blt(text)


def test_to_blt_refuses_quotes_in_names() -> None:
    with pytest.raises(ValueError, match="cannot contain quotes"):
        to_blt(candidates=('A "the best"',), seats=1, ballots={}, title="T")
