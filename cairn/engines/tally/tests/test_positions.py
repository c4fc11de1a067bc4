"""Proposal tallies: hand-worked cases for every shipped template, then properties."""

from decimal import Decimal
from fractions import Fraction

import pytest

from cairn.engines.tally import (
    ADVICE,
    CONSENSUS_RULE,
    CONSENT_RULE,
    GRADIENTS_RULE,
    MAJORITY_RULE,
    SENSE_CHECK,
    SUPER_MAJORITY_RULE,
    Basis,
    Comparison,
    Meaning,
    Position,
    ProposalRule,
    ShareRequirement,
    consensus_rule,
    count_rule,
    latest_ballots,
    tally_proposal,
    validate_proposal_ballot,
)

ONE = Decimal(1)


def orgs(count: int) -> dict[str, Decimal]:
    """``count`` member organizations, one organization one vote."""
    return {f"org-{n:02d}": ONE for n in range(count)}


def ballots(*groups: tuple[int, str]) -> dict[str, str]:
    """Ballots for org-00, org-01, ... : each group is (how many organizations, position)."""
    out: dict[str, str] = {}
    for how_many, position in groups:
        for _ in range(how_many):
            out[f"org-{len(out):02d}"] = position
    return out


# -- majority and super-majority ---------------------------------------------------------------


def test_majority_counts_cast_votes_and_leaves_abstentions_out() -> None:
    # given 10 member organizations, 5 agree, 2 disagree, 2 abstain, 1 does not vote
    # when
    votes = ballots((5, "agree"), (2, "disagree"), (2, "abstain"))
    result = tally_proposal(rule=MAJORITY_RULE, eligible=orgs(10), ballots=votes)
    # then: 9 of 10 voted (quorum 50% met), 7 cast, agree 5/7 > 1/2
    assert (result.eligible_weight, result.voted_weight, result.cast_weight) == (10, 9, 7)
    assert (result.voters, result.eligible_voters) == (9, 10)
    agree = result.position("agree")
    assert (agree.voters, agree.weight) == (5, Decimal(5))
    assert (agree.share_of_cast, agree.share_of_eligible) == (Fraction(5, 7), Fraction(1, 2))
    abstain = result.position("abstain")
    assert (abstain.weight, abstain.share_of_cast, abstain.share_of_eligible) == (
        Decimal(2),
        Fraction(0),
        Fraction(1, 5),
    )
    assert result.quorum_met is True
    assert result.passed is True
    assert result.reasons == ()


def test_majority_fails_on_exactly_half() -> None:
    # given 3 agree, 3 disagree, 1 abstains, out of 10
    # when
    result = tally_proposal(
        rule=MAJORITY_RULE,
        eligible=orgs(10),
        ballots=ballots((3, "agree"), (3, "disagree"), (1, "abstain")),
    )
    # then: agree is 3/6 of cast, not more than half
    assert result.passed is False
    assert result.reasons == ("Agree: 3 is 50% of cast, must be more than 50% of cast",)


def test_abstentions_do_not_count_against_a_majority() -> None:
    # given 2 agree, 1 disagrees, 5 abstain, out of 10
    # when
    result = tally_proposal(
        rule=MAJORITY_RULE,
        eligible=orgs(10),
        ballots=ballots((2, "agree"), (1, "disagree"), (5, "abstain")),
    )
    # then: abstainers make the quorum (8 of 10) but are not cast: agree 2/3
    assert result.cast_weight == 3
    assert result.position("agree").share_of_cast == Fraction(2, 3)
    assert result.passed is True


def test_declared_weights_decide_instead_of_heads() -> None:
    # given a member with 3 declared votes agrees, two members with 1 disagree, one abstains
    eligible = {"big": Decimal(3), "small-1": ONE, "small-2": ONE, "small-3": ONE}
    votes = {"big": "agree", "small-1": "disagree", "small-2": "disagree", "small-3": "abstain"}
    # when
    result = tally_proposal(rule=MAJORITY_RULE, eligible=eligible, ballots=votes)
    # then: agree 3 of 5 cast passes, though only one organization agreed
    assert result.position("agree").voters == 1
    assert result.position("agree").share_of_cast == Fraction(3, 5)
    assert result.position("disagree").share_of_cast == Fraction(2, 5)
    assert result.passed is True


def test_fractional_weights_stay_exact() -> None:
    # given three members weighted a third each, two of whom agree
    third = Decimal("0.333")
    eligible = {"a": third, "b": third, "c": third}
    # when
    result = tally_proposal(
        rule=MAJORITY_RULE, eligible=eligible, ballots={"a": "agree", "b": "agree", "c": "disagree"}
    )
    # then
    assert result.eligible_weight == Decimal("0.999")
    assert result.position("agree").share_of_cast == Fraction(2, 3)


def test_quorum_not_met_fails_and_says_why() -> None:
    # given 4 of 10 members vote, all agree, quorum is half of the eligible weight
    # when
    result = tally_proposal(rule=MAJORITY_RULE, eligible=orgs(10), ballots=ballots((4, "agree")))
    # then
    assert result.quorum_met is False
    assert result.passed is False
    assert result.reasons == ("quorum not met: 4 of 10 eligible voted (40%), 50% needed",)


def test_quorum_is_a_share_of_the_eligible_weight_not_of_heads() -> None:
    # given the big member alone votes: 3 of 6 eligible weight, 1 of 4 organizations
    eligible = {"big": Decimal(3), "a": ONE, "b": ONE, "c": ONE}
    # when
    result = tally_proposal(rule=MAJORITY_RULE, eligible=eligible, ballots={"big": "agree"})
    # then
    assert result.quorum_met is True
    assert result.passed is True


def test_super_majority_passes_on_exactly_two_thirds_of_cast() -> None:
    # given 4 agree, 2 disagree, 1 abstains out of 7
    # when
    result = tally_proposal(
        rule=SUPER_MAJORITY_RULE,
        eligible=orgs(7),
        ballots=ballots((4, "agree"), (2, "disagree"), (1, "abstain")),
    )
    # then
    assert result.position("agree").share_of_cast == Fraction(2, 3)
    assert result.passed is True


def test_super_majority_fails_below_two_thirds() -> None:
    # given 3 agree, 2 disagree
    # when
    result = tally_proposal(
        rule=SUPER_MAJORITY_RULE, eligible=orgs(5), ballots=ballots((3, "agree"), (2, "disagree"))
    )
    # then
    assert result.passed is False
    assert result.reasons == ("Agree: 3 is 60% of cast, must be at least 66.67% of cast",)


# -- consent and consensus ---------------------------------------------------------------------


def test_consent_passes_when_no_objection_stands() -> None:
    # given
    votes = ballots((4, "consent"))
    # when
    result = tally_proposal(rule=CONSENT_RULE, eligible=orgs(5), ballots=votes)
    # then
    assert result.passed is True


def test_consent_fails_on_one_objection() -> None:
    # given 4 consent, 1 objects
    # when
    result = tally_proposal(
        rule=CONSENT_RULE, eligible=orgs(5), ballots=ballots((4, "consent"), (1, "objection"))
    )
    # then
    assert result.passed is False
    assert result.reasons == ("Objection: 1 is 20% of cast, must be at most 0% of cast",)


def test_withdrawn_objection_the_latest_vote_is_what_counts() -> None:
    # given org-00 objects, then, after the proposal is amended, consents
    changes = [
        ("org-00", "objection"),
        ("org-01", "consent"),
        ("org-02", "consent"),
        ("org-00", "consent"),
    ]
    # when
    result = tally_proposal(rule=CONSENT_RULE, eligible=orgs(4), ballots=latest_ballots(changes))
    # then: org-00 counts once, as consenting
    assert result.voters == 3
    assert result.position("objection").voters == 0
    assert result.position("consent").voters == 3
    assert result.passed is True


def test_consensus_is_blocked_by_one_block() -> None:
    # given 9 agree and 1 blocks
    # when
    result = tally_proposal(
        rule=CONSENSUS_RULE, eligible=orgs(10), ballots=ballots((9, "agree"), (1, "block"))
    )
    # then
    assert result.position("agree").share_of_cast == Fraction(9, 10)
    assert result.passed is False
    assert result.reasons == ("Block: 1 is 10% of cast, must be at most 0% of cast",)


def test_consensus_passes_with_stand_asides_when_agree_share_of_cast_is_met() -> None:
    # given 7 agree, 2 abstain (stand aside), 1 disagrees, of 10
    # when
    result = tally_proposal(
        rule=CONSENSUS_RULE,
        eligible=orgs(10),
        ballots=ballots((7, "agree"), (2, "abstain"), (1, "disagree")),
    )
    # then: 7/8 of cast agree, at least 3/4
    assert result.passed is True


def test_consensus_with_agree_share_of_eligible() -> None:
    # given "agree ≥ 75 % of eligible": 7 of 10 agree, the rest abstain or stay away
    rule = consensus_rule(agree_basis=Basis.ELIGIBLE)
    votes = ballots((7, "agree"), (1, "abstain"))
    # when
    result = tally_proposal(rule=rule, eligible=orgs(10), ballots=votes)
    # then: 100% of cast but 70% of eligible
    assert result.position("agree").share_of_cast == 1
    assert result.passed is False
    assert result.reasons == ("Agree: 7 is 70% of eligible, must be at least 75% of eligible",)


def test_every_unmet_requirement_is_listed() -> None:
    # given 2 agree, 1 blocks, out of 10: quorum, block and agree share all fail
    # when
    result = tally_proposal(
        rule=CONSENSUS_RULE, eligible=orgs(10), ballots=ballots((2, "agree"), (1, "block"))
    )
    # then
    assert result.reasons == (
        "quorum not met: 3 of 10 eligible voted (30%), 50% needed",
        "Block: 1 is 33.33% of cast, must be at most 0% of cast",
        "Agree: 2 is 66.67% of cast, must be at least 75% of cast",
    )


# -- gradients of agreement, count, sense check and advice -----------------------------------


def test_gradients_pass_when_levels_one_to_three_reach_the_threshold_without_veto() -> None:
    # given 2 wholehearted, 1 minor point, 1 reservations, 1 abstains, 1 "don't like but support"
    votes = ballots(
        (2, "wholehearted_endorsement"),
        (1, "minor_point_of_contention"),
        (1, "support_with_reservations"),
        (1, "abstain"),
        (1, "dont_like_but_will_support"),
    )
    # when
    result = tally_proposal(rule=GRADIENTS_RULE, eligible=orgs(6), ballots=votes)
    # then: 4 of 5 cast endorse (level 4 abstains), 80% ≥ 75%
    assert result.cast_weight == 5
    assert result.passed is True


def test_gradients_fail_on_a_veto() -> None:
    # given the same votes as above, plus a veto
    votes = ballots(
        (2, "wholehearted_endorsement"),
        (1, "minor_point_of_contention"),
        (1, "support_with_reservations"),
        (1, "abstain"),
        (1, "dont_like_but_will_support"),
        (1, "veto"),
    )
    # when
    result = tally_proposal(rule=GRADIENTS_RULE, eligible=orgs(7), ballots=votes)
    # then
    assert result.passed is False
    assert result.reasons == (
        "Veto: 1 is 16.67% of cast, must be at most 0% of cast",
        "Wholehearted endorsement + Agreement with a minor point of contention + Support with "
        "reservations: 4 is 66.67% of cast, must be at least 75% of cast",
    )


def test_gradients_scale_is_kaners_eight_points() -> None:
    # given / when
    levels = [(p.level, p.label, p.meaning) for p in GRADIENTS_RULE.positions]
    # then
    assert levels == [
        (1, "Wholehearted endorsement", Meaning.AGREE),
        (2, "Agreement with a minor point of contention", Meaning.AGREE),
        (3, "Support with reservations", Meaning.AGREE),
        (4, "Abstain", Meaning.ABSTAIN),
        (5, "More discussion needed", Meaning.DISAGREE),
        (6, "Don't like but will support", Meaning.DISAGREE),
        (7, "Serious disagreement", Meaning.DISAGREE),
        (8, "Veto", Meaning.BLOCK),
    ]


def test_count_passes_when_the_number_in_reaches_the_target() -> None:
    # given a target of 3 and 3 organizations in, 1 out
    # when
    result = tally_proposal(
        rule=count_rule(target=3), eligible=orgs(10), ballots=ballots((3, "in"), (1, "out"))
    )
    # then: no quorum for an opt-in
    assert result.passed is True


def test_count_counts_voters_not_weight() -> None:
    # given a member with 5 declared votes is in, one with 1 vote is in: 2 voters of a target of 3
    eligible = {"big": Decimal(5), "small": ONE, "other": ONE}
    # when
    result = tally_proposal(
        rule=count_rule(target=3), eligible=eligible, ballots={"big": "in", "small": "in"}
    )
    # then
    assert result.position("in").weight == 6
    assert result.passed is False
    assert result.reasons == ("I'm in: 2 voters, at least 3 needed",)


@pytest.mark.parametrize("rule", [SENSE_CHECK, ADVICE])
def test_sense_check_and_advice_decide_nothing(rule: ProposalRule) -> None:
    # given one opinion of each kind
    votes = {f"org-{n:02d}": p.code for n, p in enumerate(rule.positions)}
    # when
    result = tally_proposal(rule=rule, eligible=orgs(5), ballots=votes)
    # then
    assert result.passed is None
    assert result.reasons == ()
    assert [c.voters for c in result.positions] == [1, 1, 1]


def test_no_votes_at_all() -> None:
    # given
    # when
    result = tally_proposal(rule=MAJORITY_RULE, eligible=orgs(3), ballots={})
    # then
    assert (result.voted_weight, result.cast_weight, result.quorum_met) == (0, 0, False)
    assert result.position("agree").share_of_cast == 0
    assert result.passed is False


# -- refused input -----------------------------------------------------------------------------


def test_a_voter_who_is_not_eligible_is_refused() -> None:
    with pytest.raises(ValueError, match="not eligible"):
        tally_proposal(rule=MAJORITY_RULE, eligible=orgs(2), ballots={"stranger": "agree"})


def test_an_unknown_position_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown position"):
        tally_proposal(rule=MAJORITY_RULE, eligible=orgs(2), ballots={"org-00": "block"})


def test_a_weight_of_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="weights are > 0"):
        tally_proposal(rule=MAJORITY_RULE, eligible={"a": Decimal(0)}, ballots={})


def test_validate_proposal_ballot() -> None:
    assert validate_proposal_ballot(rule=CONSENT_RULE, position="consent") == ()
    assert validate_proposal_ballot(rule=CONSENT_RULE, position="agree") == (
        "unknown position 'agree'",
    )
    assert validate_proposal_ballot(
        rule=CONSENT_RULE, position="objection", reason="  ", reason_required=True
    ) == ("a reason is required",)


def test_a_rule_cannot_require_an_unknown_position() -> None:
    with pytest.raises(ValueError, match="unknown positions"):
        ProposalRule(
            key="k",
            name="K",
            positions=(Position("yes", "Yes", Meaning.AGREE),),
            requirements=(
                ShareRequirement(frozenset({"no"}), Comparison.AT_MOST, Fraction(0), Basis.CAST),
            ),
        )
