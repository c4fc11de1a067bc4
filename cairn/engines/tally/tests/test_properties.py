"""Properties every tally keeps, checked with hypothesis on generated ballots.

- no tally depends on the order in which ballots arrive (every method);
- a vote changed N times counts once (``latest_ballots``), with the voter's own weight;
- consent with a standing objection never passes;
- ranked choice: every round and stage accounts for all the votes (IRV: continuing + exhausted;
  STV: candidates + non-transferable + rounding loss), a majority of first preferences wins IRV in
  round one, and a complete STV count fills every seat with distinct candidates.
"""

import datetime as dt
import random
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.engines.tally import (
    CONSENSUS_RULE,
    CONSENT_RULE,
    GRADIENTS_RULE,
    MAJORITY_RULE,
    SENSE_CHECK,
    SUPER_MAJORITY_RULE,
    Availability,
    CountStatus,
    DotVoteConfig,
    PollConfig,
    ProposalRule,
    ScoreConfig,
    TieKind,
    TimePollConfig,
    consent_rule,
    count_rule,
    latest_ballots,
    tally_dot_vote,
    tally_irv,
    tally_poll,
    tally_proposal,
    tally_score,
    tally_stv,
    tally_time_poll,
)

K = TypeVar("K")
B = TypeVar("B")

WEIGHTS = st.sampled_from([Decimal(1), Decimal(2), Decimal(3), Decimal("0.5"), Decimal("1.25")])
VOTERS = st.integers(0, 15)
OPTIONS = ("a", "b", "c", "d")
CANDIDATES = ("A", "B", "C", "D", "E")


def shuffled(ballots: Mapping[K, B], rnd: random.Random) -> dict[K, B]:
    """The same ballots, arriving in another order."""
    items = list(ballots.items())
    rnd.shuffle(items)
    return dict(items)


# -- proposals -------------------------------------------------------------------------------

RULES = st.sampled_from(
    [
        MAJORITY_RULE,
        SUPER_MAJORITY_RULE,
        CONSENT_RULE,
        CONSENSUS_RULE,
        GRADIENTS_RULE,
        count_rule(target=2),
        SENSE_CHECK,
    ]
)


@st.composite
def proposal_votes(
    draw: st.DrawFn,
) -> tuple[ProposalRule, dict[int, Decimal], list[tuple[int, str]]]:
    """A rule, eligible voters with weights, and a stream of (voter, position) changes."""
    rule = draw(RULES)
    eligible = draw(st.dictionaries(VOTERS, WEIGHTS, min_size=1, max_size=12))
    codes = [p.code for p in rule.positions]
    changes = draw(
        st.lists(st.tuples(st.sampled_from(sorted(eligible)), st.sampled_from(codes)), max_size=40)
    )
    return rule, eligible, changes


@settings(max_examples=150, deadline=None)
@given(proposal_votes(), st.randoms(use_true_random=False))
def test_proposal_tally_does_not_depend_on_ballot_order(
    votes: tuple[ProposalRule, dict[int, Decimal], list[tuple[int, str]]], rnd: random.Random
) -> None:
    # given
    rule, eligible, changes = votes
    ballots = latest_ballots(changes)
    # when / then
    assert tally_proposal(
        rule=rule, eligible=shuffled(eligible, rnd), ballots=shuffled(ballots, rnd)
    ) == tally_proposal(rule=rule, eligible=eligible, ballots=ballots)


@settings(max_examples=150, deadline=None)
@given(proposal_votes())
def test_a_proposal_vote_changed_n_times_counts_once(
    votes: tuple[ProposalRule, dict[int, Decimal], list[tuple[int, str]]],
) -> None:
    # given a stream in which voters change their position any number of times
    rule, eligible, changes = votes
    final: dict[int, str] = {}
    for voter, code in changes:
        final[voter] = code
    # when
    result = tally_proposal(rule=rule, eligible=eligible, ballots=latest_ballots(changes))
    # then: each organization counts once, with its last position and its own weight
    assert result == tally_proposal(rule=rule, eligible=eligible, ballots=final)
    assert sum(c.voters for c in result.positions) == len(final)
    assert result.voted_weight == sum((eligible[v] for v in final), Decimal(0))
    for count in result.positions:
        assert count.weight == sum(
            (eligible[v] for v, code in final.items() if code == count.code), Decimal(0)
        )


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(VOTERS, WEIGHTS, min_size=1, max_size=12), st.data())
def test_consent_with_a_standing_objection_never_passes(
    eligible: dict[int, Decimal], data: st.DataObject
) -> None:
    # given any ballots in which at least one objection stands, whatever the quorum
    voters = data.draw(st.lists(st.sampled_from(sorted(eligible)), min_size=1, unique=True))
    votes = {v: data.draw(st.sampled_from(["consent", "objection"])) for v in voters}
    votes[voters[0]] = "objection"
    quorum = data.draw(st.sampled_from([Fraction(0), Fraction(1, 3), Fraction(1, 2)]))
    # when
    result = tally_proposal(rule=consent_rule(quorum=quorum), eligible=eligible, ballots=votes)
    # then
    assert result.passed is False
    assert any(reason.startswith("Objection:") for reason in result.reasons)


# -- poll, score, dot vote, time poll --------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        VOTERS,
        st.tuples(st.lists(st.sampled_from(OPTIONS), min_size=1, max_size=2, unique=True), WEIGHTS),
        max_size=15,
    ),
    st.randoms(use_true_random=False),
)
def test_poll_tally_does_not_depend_on_ballot_order(
    data: dict[int, tuple[list[str], Decimal]], rnd: random.Random
) -> None:
    # given
    config = PollConfig(options=OPTIONS, max_choices=2)
    votes = {v: choices for v, (choices, _) in data.items()}
    weights = {v: w for v, (_, w) in data.items()}
    # when / then
    assert tally_poll(config=config, ballots=shuffled(votes, rnd), weights=weights) == tally_poll(
        config=config, ballots=votes, weights=weights
    )


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(VOTERS, st.fixed_dictionaries({o: st.integers(0, 5) for o in OPTIONS})),
    st.randoms(use_true_random=False),
)
def test_score_tally_does_not_depend_on_ballot_order(
    votes: dict[int, dict[str, int]], rnd: random.Random
) -> None:
    config = ScoreConfig(options=OPTIONS)
    assert tally_score(config=config, ballots=shuffled(votes, rnd)) == tally_score(
        config=config, ballots=votes
    )


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(VOTERS, st.fixed_dictionaries({o: st.integers(0, 2) for o in OPTIONS})),
    st.randoms(use_true_random=False),
)
def test_dot_vote_tally_does_not_depend_on_ballot_order(
    votes: dict[int, dict[str, int]], rnd: random.Random
) -> None:
    config = DotVoteConfig(options=OPTIONS)
    assert tally_dot_vote(config=config, ballots=shuffled(votes, rnd)) == tally_dot_vote(
        config=config, ballots=votes
    )


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 8),
            st.fixed_dictionaries({o: st.integers(0, 2) for o in OPTIONS}),
        ),
        max_size=30,
    )
)
def test_a_dot_vote_changed_n_times_counts_once(changes: list[tuple[int, dict[str, int]]]) -> None:
    # given a stream of allocations (each at most 8 dots), voters changing their minds
    config = DotVoteConfig(options=OPTIONS)
    # when
    result = tally_dot_vote(config=config, ballots=latest_ballots(changes))
    # then: the dots placed are those of each voter's last allocation only
    final: dict[int, dict[str, int]] = {}
    for voter, allocation in changes:
        final[voter] = allocation
    assert result.ballots == len(final)
    assert result.dots_placed == sum(sum(a.values()) for a in final.values())


UTC = dt.UTC
TIMES = tuple(dt.datetime(2026, 3, day, 15, tzinfo=UTC) for day in (2, 3, 4))


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        VOTERS,
        st.dictionaries(st.sampled_from(TIMES), st.sampled_from(list(Availability))),
        max_size=12,
    ),
    st.randoms(use_true_random=False),
)
def test_time_poll_tally_does_not_depend_on_ballot_order(
    votes: dict[int, dict[dt.datetime, Availability]], rnd: random.Random
) -> None:
    config = TimePollConfig(times=TIMES)
    assert tally_time_poll(config=config, ballots=shuffled(votes, rnd)) == tally_time_poll(
        config=config, ballots=votes
    )


# -- ranked choice ---------------------------------------------------------------------------

RANKINGS = st.permutations(CANDIDATES).flatmap(
    lambda order: st.integers(1, len(order)).map(lambda n: tuple(order[:n]))
)
RANKED = st.dictionaries(VOTERS, st.tuples(RANKINGS, WEIGHTS), max_size=16)


def split(
    data: Mapping[int, tuple[tuple[str, ...], Decimal]],
) -> tuple[dict[int, tuple[str, ...]], dict[int, Decimal]]:
    return {v: r for v, (r, _) in data.items()}, {v: w for v, (_, w) in data.items()}


@settings(max_examples=150, deadline=None)
@given(RANKED, st.integers(1, 3), st.randoms(use_true_random=False))
def test_ranked_tallies_do_not_depend_on_ballot_order(
    data: dict[int, tuple[tuple[str, ...], Decimal]], seats: int, rnd: random.Random
) -> None:
    # given
    ballots, weights = split(data)
    again = shuffled(ballots, rnd)
    # when / then
    assert tally_irv(candidates=CANDIDATES, ballots=again, weights=weights) == tally_irv(
        candidates=CANDIDATES, ballots=ballots, weights=weights
    )
    assert tally_stv(
        candidates=CANDIDATES, seats=seats, ballots=again, weights=weights
    ) == tally_stv(candidates=CANDIDATES, seats=seats, ballots=ballots, weights=weights)


@settings(max_examples=150, deadline=None)
@given(RANKED)
def test_irv_every_round_accounts_for_every_vote(
    data: dict[int, tuple[tuple[str, ...], Decimal]],
) -> None:
    # given
    ballots, weights = split(data)
    # when
    result = tally_irv(candidates=CANDIDATES, ballots=ballots, weights=weights)
    # then: continuing votes + exhausted = all votes, and exhausted never shrinks
    total = sum(weights.values(), Decimal(0))
    assert result.total == total
    exhausted = Decimal(0)
    for count in result.rounds:
        assert sum(count.votes.values(), Decimal(0)) + count.exhausted == total
        assert count.continuing_total == total - count.exhausted
        assert count.exhausted >= exhausted
        exhausted = count.exhausted
    if result.status is CountStatus.COMPLETE:
        last = result.rounds[-1]
        assert last.elected == result.winner
        assert result.winner is not None
        assert last.votes[result.winner] * 2 > last.continuing_total or len(last.votes) == 1


@settings(max_examples=150, deadline=None)
@given(RANKED, st.data())
def test_a_majority_of_first_preferences_wins_irv_in_round_one(
    data: dict[int, tuple[tuple[str, ...], Decimal]], more: st.DataObject
) -> None:
    # given other ballots, then enough ballots ranking a favourite first for a strict majority
    ballots, weights = split(data)
    favourite = more.draw(st.sampled_from(CANDIDATES))
    others = sum(weights.values(), Decimal(0))
    for n in range(int(others) + 1):
        rest = [c for c in more.draw(st.permutations(CANDIDATES)) if c != favourite]
        ballots[100 + n] = (favourite, *rest[: more.draw(st.integers(0, 4))])
        weights[100 + n] = Decimal(1)
    # when
    result = tally_irv(candidates=CANDIDATES, ballots=ballots, weights=weights)
    # then
    assert result.winner == favourite
    assert len(result.rounds) == 1
    assert result.ties == ()


@settings(max_examples=150, deadline=None)
@given(RANKED, st.integers(1, 4))
def test_stv_every_stage_accounts_for_every_vote(
    data: dict[int, tuple[tuple[str, ...], Decimal]], seats: int
) -> None:
    # given
    ballots, weights = split(data)
    # when
    result = tally_stv(candidates=CANDIDATES, seats=seats, ballots=ballots, weights=weights)
    # then: at every stage, the candidates' votes, what could not be transferred and what the
    # five-decimal truncation left behind add up to the valid votes; transfers are what moved
    assert result.valid == sum(weights.values(), Decimal(0))
    previous: Mapping[str, Decimal] | None = None
    for stage in result.stages:
        assert (
            sum(stage.votes.values(), Decimal(0)) + stage.non_transferable + stage.rounding_loss
            == result.valid
        )
        assert all(v >= 0 for v in stage.transfers.values())
        if previous is not None and not stage.last_vacancies:
            for name, received in stage.transfers.items():
                assert stage.votes[name] == previous[name] + received
        previous = stage.votes
    # and a complete count fills every seat (or elects all who stand) with distinct candidates
    if result.status is CountStatus.COMPLETE and ballots:
        assert len(result.elected) == min(seats, len(CANDIDATES))
        assert len(set(result.elected)) == len(result.elected)
        for name in result.elected:
            assert all(name != t.chosen for t in result.ties if t.kind is TieKind.EXCLUSION)


# -- IRV ties: a count stops only when the winner depends on the tie -------------------------


def every_order_winners(
    ballots: Mapping[int, tuple[str, ...]],
    weights: Mapping[int, Decimal],
    continuing: frozenset[str],
) -> set[str]:
    """Brute force, written independently of the engine: every winner that some order of
    one-at-a-time eliminations (any of the tied lowest, at every tie) elects from here."""
    votes = dict.fromkeys(continuing, Fraction(0))
    for voter, ranking in ballots.items():
        top = next((c for c in ranking if c in continuing), None)
        if top is not None:
            votes[top] += Fraction(weights[voter])
    live = sum(votes.values(), Fraction(0))
    for candidate, count in votes.items():
        if count * 2 > live or len(continuing) == 1:
            return {candidate}
    fewest = min(votes.values())
    found: set[str] = set()
    for candidate in sorted(c for c in votes if votes[c] == fewest):
        found |= every_order_winners(ballots, weights, continuing - {candidate})
    return found


@settings(max_examples=300, deadline=None)
@given(RANKED)
def test_irv_stops_at_a_tie_only_when_the_winner_depends_on_it(
    data: dict[int, tuple[tuple[str, ...], Decimal]],
) -> None:
    # given
    ballots, weights = split(data)
    # when
    result = tally_irv(candidates=CANDIDATES, ballots=ballots, weights=weights)
    # then: a reported unresolved tie means that excluding each tied candidate in turn (and every
    # order after that) elects different winners; a complete count elects one that some order does
    if result.status is CountStatus.UNRESOLVED_TIE:
        last = result.rounds[-1]
        tie = result.ties[-1]
        assert tie.chosen is None
        winners: set[str] = set()
        for candidate in tie.tied:
            winners |= every_order_winners(ballots, weights, frozenset(last.votes) - {candidate})
        assert len(winners) >= 2
    elif result.status is CountStatus.COMPLETE:
        assert result.winner in every_order_winners(ballots, weights, frozenset(CANDIDATES))


@settings(max_examples=300, deadline=None)
@given(RANKED)
def test_irv_elects_the_winner_of_every_order_when_all_orders_agree(
    data: dict[int, tuple[tuple[str, ...], Decimal]],
) -> None:
    # given ballots on which every order of tied eliminations elects one and the same winner
    ballots, weights = split(data)
    winners = every_order_winners(ballots, weights, frozenset(CANDIDATES)) if ballots else set()
    # when
    result = tally_irv(candidates=CANDIDATES, ballots=ballots, weights=weights)
    # then: the count never stops at a tie, and elects that winner
    if len(winners) == 1:
        assert (result.status, result.winner) == (CountStatus.COMPLETE, next(iter(winners)))
