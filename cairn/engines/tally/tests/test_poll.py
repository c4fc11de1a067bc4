"""Poll, score, dot vote and time poll: hand-worked cases, refusals, properties."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from cairn.engines.tally import (
    NONE_OF_THE_ABOVE,
    Availability,
    DotVoteConfig,
    PollConfig,
    ScoreConfig,
    TimePollConfig,
    tally_dot_vote,
    tally_poll,
    tally_score,
    tally_time_poll,
    validate_dot_vote,
    validate_poll_ballot,
    validate_score_ballot,
    validate_time_poll_ballot,
)

YES, MAYBE, NO = Availability.YES, Availability.MAYBE, Availability.NO

# -- poll ------------------------------------------------------------------------------------


def test_single_choice_poll_counts_one_choice_per_voter() -> None:
    # given
    config = PollConfig(options=("rally", "letter", "hearing"))
    votes = {"a": ["rally"], "b": ["letter"], "c": ["rally"], "d": ["hearing"]}
    # when
    result = tally_poll(config=config, ballots=votes)
    # then
    assert [(o.option, o.voters, o.weight, o.share) for o in result.options] == [
        ("rally", 2, Decimal(2), Fraction(1, 2)),
        ("letter", 1, Decimal(1), Fraction(1, 4)),
        ("hearing", 1, Decimal(1), Fraction(1, 4)),
    ]
    assert (result.ballots, result.weight, result.leaders) == (4, Decimal(4), ("rally",))


def test_a_tie_at_the_top_shows_every_leader() -> None:
    # given
    config = PollConfig(options=("rally", "letter"))
    # when
    result = tally_poll(config=config, ballots={"a": ["rally"], "b": ["letter"]})
    # then
    assert result.leaders == ("rally", "letter")


def test_multiple_choice_poll_with_weights_and_none_of_the_above() -> None:
    # given voters may choose 1 or 2 of 3 options, or none of the above
    config = PollConfig(
        options=("rally", "letter", "hearing"), max_choices=2, none_of_the_above=True
    )
    votes = {"big": ["rally", "letter"], "a": ["letter"], "b": [NONE_OF_THE_ABOVE]}
    weights = {"big": Decimal(3), "a": Decimal(1), "b": Decimal(1)}
    # when
    result = tally_poll(config=config, ballots=votes, weights=weights)
    # then: shares are of the 5 ballot weight; a voter choosing two options counts in both
    assert [(o.option, o.voters, o.weight, o.share) for o in result.options] == [
        ("rally", 1, Decimal(3), Fraction(3, 5)),
        ("letter", 2, Decimal(4), Fraction(4, 5)),
        ("hearing", 0, Decimal(0), Fraction(0)),
        (NONE_OF_THE_ABOVE, 1, Decimal(1), Fraction(1, 5)),
    ]
    assert result.leaders == ("letter",)


@pytest.mark.parametrize(
    ("choices", "errors"),
    [
        (["rally"], ()),
        (["rally", "letter"], ()),
        ([NONE_OF_THE_ABOVE], ()),
        ([], ("choose between 1 and 2",)),
        (["rally", "letter", "hearing"], ("choose between 1 and 2",)),
        (["rally", "rally"], ("an option is chosen twice",)),
        (["march"], ("unknown options: ['march']",)),
        (["rally", NONE_OF_THE_ABOVE], ("'none of the above' excludes every other choice",)),
    ],
)
def test_validate_poll_ballot(choices: list[str], errors: tuple[str, ...]) -> None:
    config = PollConfig(
        options=("rally", "letter", "hearing"), max_choices=2, none_of_the_above=True
    )
    assert validate_poll_ballot(config=config, choices=choices) == errors


def test_none_of_the_above_is_unknown_when_not_offered() -> None:
    config = PollConfig(options=("rally", "letter"))
    assert validate_poll_ballot(config=config, choices=[NONE_OF_THE_ABOVE]) == (
        "unknown options: ['none_of_the_above']",
    )


def test_an_invalid_poll_ballot_is_refused_by_the_tally() -> None:
    config = PollConfig(options=("rally", "letter"))
    with pytest.raises(ValueError, match="voter 'a': choose exactly 1"):
        tally_poll(config=config, ballots={"a": ["rally", "letter"]})


def test_a_weighted_tally_needs_every_voters_weight() -> None:
    config = PollConfig(options=("rally", "letter"))
    with pytest.raises(ValueError, match="has no weight"):
        tally_poll(config=config, ballots={"a": ["rally"]}, weights={})


def test_a_poll_config_checks_its_bounds() -> None:
    with pytest.raises(ValueError, match="min_choices"):
        PollConfig(options=("a", "b"), min_choices=2, max_choices=1)
    with pytest.raises(ValueError, match="unique"):
        PollConfig(options=("a", "a"))


# -- score -----------------------------------------------------------------------------------


def test_score_totals_and_means_by_weight() -> None:
    # given scores 0 to 5; one member carries 2 votes
    config = ScoreConfig(options=("budget", "timeline"))
    votes = {
        "big": {"budget": 5, "timeline": 1},
        "a": {"budget": 2, "timeline": 4},
        "b": {"budget": 0, "timeline": 4},
    }
    weights = {"big": Decimal(2), "a": Decimal(1), "b": Decimal(1)}
    # when
    result = tally_score(config=config, ballots=votes, weights=weights)
    # then: budget 2*5 + 2 + 0 = 12 over weight 4; timeline 2*1 + 4 + 4 = 10 over 4
    assert [(s.option, s.voters, s.weight, s.total, s.mean) for s in result.options] == [
        ("budget", 3, Decimal(4), Decimal(12), Fraction(3)),
        ("timeline", 3, Decimal(4), Decimal(10), Fraction(5, 2)),
    ]
    assert result.leaders == ("budget",)


def test_score_mean_is_over_those_who_scored_when_scoring_all_is_not_required() -> None:
    # given
    config = ScoreConfig(options=("x", "y"), require_all=False)
    # when
    result = tally_score(config=config, ballots={"a": {"x": 4}, "b": {"x": 1, "y": 3}})
    # then
    assert result.option("x").mean == Fraction(5, 2)
    assert result.option("y").mean == Fraction(3)
    assert (result.option("y").voters, result.option("y").total) == (1, Decimal(3))


def test_an_option_nobody_scored_has_no_mean() -> None:
    config = ScoreConfig(options=("x", "y"), require_all=False)
    result = tally_score(config=config, ballots={"a": {"x": 4}})
    assert result.option("y").mean is None


@pytest.mark.parametrize(
    ("scores", "errors"),
    [
        ({"x": 0, "y": 5}, ()),
        ({"x": 6, "y": 0}, ("x: 6 is outside 0 to 5",)),
        ({"x": -1, "y": 0}, ("x: -1 is outside 0 to 5",)),
        ({"x": 2.5, "y": 0}, ("x: a score is a whole number, not 2.5",)),
        ({"x": True, "y": 0}, ("x: a score is a whole number, not True",)),
        ({"x": 1}, ("score every option; missing: ['y']",)),
        ({"x": 1, "y": 1, "z": 1}, ("unknown options: ['z']",)),
    ],
)
def test_validate_score_ballot(scores: dict[str, int], errors: tuple[str, ...]) -> None:
    assert validate_score_ballot(config=ScoreConfig(options=("x", "y")), scores=scores) == errors


def test_a_custom_scale() -> None:
    config = ScoreConfig(options=("x",), min_score=-2, max_score=2)
    assert validate_score_ballot(config=config, scores={"x": -2}) == ()
    assert validate_score_ballot(config=config, scores={"x": 3}) == ("x: 3 is outside -2 to 2",)


# -- dot vote --------------------------------------------------------------------------------


def test_dot_vote_totals_by_weight() -> None:
    # given 8 dots each; one member carries 2 votes
    config = DotVoteConfig(options=("housing", "transit", "parks"))
    votes = {
        "big": {"housing": 5, "transit": 3},
        "a": {"transit": 8},
        "b": {"housing": 2, "parks": 1, "transit": 0},
    }
    weights = {"big": Decimal(2), "a": Decimal(1), "b": Decimal(1)}
    # when
    result = tally_dot_vote(config=config, ballots=votes, weights=weights)
    # then: housing 2*5 + 2 = 12, transit 2*3 + 8 = 14, parks 1; a zero is not a vote
    assert [(d.option, d.voters, d.dots) for d in result.options] == [
        ("housing", 2, Decimal(12)),
        ("transit", 2, Decimal(14)),
        ("parks", 1, Decimal(1)),
    ]
    assert (result.dots_placed, result.leaders) == (Decimal(27), ("transit",))


@pytest.mark.parametrize(
    ("allocation", "errors"),
    [
        ({"housing": 8}, ()),
        ({"housing": 4, "transit": 3}, ()),
        ({}, ()),
        ({"housing": 5, "transit": 4}, ("9 dots placed, at most 8",)),
        ({"housing": -1, "transit": 2}, ("housing: dots cannot be negative (-1)",)),
        ({"housing": 1.5}, ("housing: dots are whole numbers, not 1.5",)),
        ({"rent": 1}, ("unknown options: ['rent']",)),
    ],
)
def test_validate_dot_vote(allocation: dict[str, int], errors: tuple[str, ...]) -> None:
    config = DotVoteConfig(options=("housing", "transit"))
    assert validate_dot_vote(config=config, allocation=allocation) == errors


def test_a_dot_vote_with_fewer_dots() -> None:
    config = DotVoteConfig(options=("housing", "transit"), dots=3)
    assert validate_dot_vote(config=config, allocation={"housing": 4}) == (
        "4 dots placed, at most 3",
    )


# -- time poll -------------------------------------------------------------------------------

UTC = dt.UTC
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
MON = dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TUE = dt.datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
WED = dt.datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


def test_time_poll_ranks_by_yes_then_maybe_and_reports_who_cannot_come() -> None:
    # given three proposed times, answered in the voters' own time zones
    config = TimePollConfig(times=(MON, TUE, WED))
    tue_in_new_york = TUE.astimezone(NEW_YORK)  # 10:00 there, the same instant
    votes = {
        "a": {MON: YES, tue_in_new_york: YES, WED: NO},
        "b": {MON: MAYBE, TUE: YES, WED: YES},
        "c": {MON: YES, TUE: NO},
        "d": {MON: NO, TUE: MAYBE, WED: YES},
    }
    # when
    result = tally_time_poll(config=config, ballots=votes)
    # then: every time has 2 yes; MON and TUE have a maybe too; MON, being earlier, comes first
    assert [(s.time, s.yes, s.maybe, s.no) for s in result.ranked] == [
        (MON, Decimal(2), Decimal(1), Decimal(1)),
        (TUE, Decimal(2), Decimal(1), Decimal(1)),
        (WED, Decimal(2), Decimal(0), Decimal(1)),
    ]
    assert result.best == (MON, TUE)
    assert result.slot(MON).cannot_come == frozenset({"d"})
    assert result.slot(TUE).cannot_come == frozenset({"c"})
    assert result.slot(TUE).yes_voters == frozenset({"a", "b"})
    assert result.slot(WED).no_answer == frozenset({"c"})


def test_time_poll_prefers_more_maybes_on_equal_yes() -> None:
    # given
    config = TimePollConfig(times=(MON, TUE))
    votes = {"a": {MON: YES, TUE: YES}, "b": {MON: NO, TUE: MAYBE}}
    # when
    result = tally_time_poll(config=config, ballots=votes)
    # then
    assert [s.time for s in result.ranked] == [TUE, MON]
    assert result.best == (TUE,)


def test_time_poll_weights_count() -> None:
    # given a member with 3 votes can only come on Wednesday
    config = TimePollConfig(times=(MON, WED))
    votes = {"big": {MON: NO, WED: YES}, "a": {MON: YES, WED: NO}, "b": {MON: YES, WED: NO}}
    # when
    result = tally_time_poll(
        config=config, ballots=votes, weights={"big": Decimal(3), "a": Decimal(1), "b": Decimal(1)}
    )
    # then
    assert result.best == (WED,)
    assert result.slot(WED).yes == 3


def test_time_poll_refuses_naive_and_duplicate_times() -> None:
    with pytest.raises(ValueError, match="aware"):
        TimePollConfig(times=(dt.datetime(2026, 3, 2, 15, 0),))  # noqa: DTZ001  # the naive case under test
    with pytest.raises(ValueError, match="same instant"):
        TimePollConfig(times=(MON, MON.astimezone(BERLIN)))


def test_validate_time_poll_ballot() -> None:
    config = TimePollConfig(times=(MON, TUE))
    assert validate_time_poll_ballot(config=config, answers={MON: YES}) == ()
    assert validate_time_poll_ballot(config=config, answers={WED: YES}) == (
        "2026-03-04T15:00:00+00:00 is not a proposed time",
    )
    assert validate_time_poll_ballot(config=config, answers={MON: YES}, require_all=True) == (
        "answer every time; missing: ['2026-03-03T15:00:00+00:00']",
    )
