"""Tally engines for governance decisions: pure functions, plain dataclasses, exact arithmetic.

Every method has a *validate* function (one ballot against the question's config: a tuple of
error messages, empty when valid; the tally raises ``ValueError`` on a ballot it would refuse) and
a *tally* function (all ballots -> a frozen result dataclass). Ballots are always a mapping
voter -> ballot, so one voter (one organization) counts once; ``weights``/``eligible`` map voters
to ``Decimal`` weights (1 each by default: one organization, one vote). Fold a stream of vote
changes into that mapping with ``latest_ballots(changes)``: a vote changed N times counts once.

Usage, per method (all arguments keyword-only)::

    # proposal: consent, consensus, majority, super-majority, gradients, count, sense check, advice
    rule = consent_rule(quorum=Fraction(1, 2))        # or CONSENT_RULE, MAJORITY_RULE, ...
    validate_proposal_ballot(rule=rule, position="objection", reason="...", reason_required=True)
    result = tally_proposal(rule=rule, eligible={org: Decimal(1)}, ballots={org: "consent"})
    result.passed, result.quorum_met, result.reasons, result.position("objection").share_of_cast

    # poll (min/max choices, none of the above), score (0-5), dot vote (8 dots), time poll
    validate_poll_ballot(config=PollConfig(options=("a", "b")), choices=["a"])
    tally_poll(config=..., ballots={voter: ["a"]}, weights=None).leaders
    validate_score_ballot(config=ScoreConfig(options=...), scores={"a": 4})   # tally_score
    validate_dot_vote(config=DotVoteConfig(options=...), allocation={"a": 5})  # tally_dot_vote
    validate_time_poll_ballot(config=TimePollConfig(times=...), answers={t: Availability.YES})
    tally_time_poll(config=..., ballots={voter: {t: Availability.NO}}).best

    # ranked choice: one winner by instant runoff, several by Scottish STV; ties are reported
    validate_ranking(candidates=("A", "B", "C"), ranking=("B", "A"), min_ranks=1)
    irv = tally_irv(candidates=..., ballots={voter: ("B", "A")}, weights=None, tiebreak=())
    irv.status, irv.winner, irv.rounds, irv.ties
    stv = tally_stv(candidates=..., seats=3, ballots=..., weights=None, tiebreak=(), withdrawn=())
    stv.status, stv.quota, stv.elected, stv.stages, stv.ties
    to_blt(candidates=..., seats=3, ballots=..., title="..."); from_blt(text).ballot_mapping()

Modules: :mod:`.positions` (the proposal method, its templates' pass rules, quorum and vote-share
requirements), :mod:`.poll` (poll, score, dot vote, time poll; the question round has no tally),
:mod:`.ranked` (ranked-choice validation, instant runoff, Scottish STV, BLT files). The tests
count STV against a real election (Glasgow 2007, Calton ward) stage by stage: tests/test_ranked.py.
"""

from cairn.engines.tally.poll import (
    NONE_OF_THE_ABOVE,
    Availability,
    DotCount,
    DotVoteConfig,
    DotVoteResult,
    OptionCount,
    PollConfig,
    PollResult,
    ScoreConfig,
    ScoreCount,
    ScoreResult,
    TimePollConfig,
    TimePollResult,
    TimeSlotCount,
    tally_dot_vote,
    tally_poll,
    tally_score,
    tally_time_poll,
    validate_dot_vote,
    validate_poll_ballot,
    validate_score_ballot,
    validate_time_poll_ballot,
)
from cairn.engines.tally.positions import (
    ADVICE,
    CONSENSUS_RULE,
    CONSENT_RULE,
    GRADIENTS_OF_AGREEMENT,
    GRADIENTS_RULE,
    MAJORITY_RULE,
    SENSE_CHECK,
    SUPER_MAJORITY_RULE,
    Basis,
    Comparison,
    CountRequirement,
    Meaning,
    Position,
    PositionCount,
    ProposalResult,
    ProposalRule,
    Requirement,
    ShareRequirement,
    consensus_rule,
    consent_rule,
    count_rule,
    gradients_rule,
    latest_ballots,
    majority_rule,
    super_majority_rule,
    tally_proposal,
    validate_proposal_ballot,
)
from cairn.engines.tally.ranked import (
    BltBallot,
    BltElection,
    CountStatus,
    IrvResult,
    IrvRound,
    StageAction,
    StvResult,
    StvStage,
    Tie,
    TieKind,
    TieResolution,
    from_blt,
    tally_irv,
    tally_stv,
    to_blt,
    validate_ranking,
)

__all__ = [
    "ADVICE",
    "CONSENSUS_RULE",
    "CONSENT_RULE",
    "GRADIENTS_OF_AGREEMENT",
    "GRADIENTS_RULE",
    "MAJORITY_RULE",
    "NONE_OF_THE_ABOVE",
    "SENSE_CHECK",
    "SUPER_MAJORITY_RULE",
    "Availability",
    "Basis",
    "BltBallot",
    "BltElection",
    "Comparison",
    "CountRequirement",
    "CountStatus",
    "DotCount",
    "DotVoteConfig",
    "DotVoteResult",
    "IrvResult",
    "IrvRound",
    "Meaning",
    "OptionCount",
    "PollConfig",
    "PollResult",
    "Position",
    "PositionCount",
    "ProposalResult",
    "ProposalRule",
    "Requirement",
    "ScoreConfig",
    "ScoreCount",
    "ScoreResult",
    "ShareRequirement",
    "StageAction",
    "StvResult",
    "StvStage",
    "Tie",
    "TieKind",
    "TieResolution",
    "TimePollConfig",
    "TimePollResult",
    "TimeSlotCount",
    "consensus_rule",
    "consent_rule",
    "count_rule",
    "from_blt",
    "gradients_rule",
    "latest_ballots",
    "majority_rule",
    "super_majority_rule",
    "tally_dot_vote",
    "tally_irv",
    "tally_poll",
    "tally_proposal",
    "tally_score",
    "tally_stv",
    "tally_time_poll",
    "to_blt",
    "validate_dot_vote",
    "validate_poll_ballot",
    "validate_proposal_ballot",
    "validate_ranking",
    "validate_score_ballot",
    "validate_time_poll_ballot",
]
