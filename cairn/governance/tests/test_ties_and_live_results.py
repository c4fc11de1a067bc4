"""Ranked-choice ties on the results page and the tie-break by lot; live results "so far"; the
history after an htmx vote; share rules in the new-proposal form; anonymous ballots' weight."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.coalitions import services as coalition_services
from cairn.governance import methods, selectors, services
from cairn.governance.models import Electorate, LogEntry, Proposal
from cairn.governance.services import GovernanceError

pytestmark = pytest.mark.django_db


def url(name, proposal):
    return reverse(
        f"governance:{name}", kwargs={"slug": proposal.coalition.slug, "proposal_id": proposal.pk}
    )


def rank(proposal, staff, *keys):
    services.cast_vote(proposal=proposal, staff=staff, ballot={"ranking": list(keys)})


# --- ranked-choice ties --------------------------------------------------------------------------


def deciding_tie(group, proposal):
    """A 3, B 2 (then C), C 2 (then B): B and C tie, together 4 >= A's 3, no earlier round, and
    whichever goes first, the other wins 4 to 3: the winner depends on the tie."""
    for organizer in group.organizers[:3]:
        rank(proposal, organizer, "o1")
    for organizer in group.organizers[3:5]:
        rank(proposal, organizer, "o2", "o3")
    for organizer in group.organizers[5:7]:
        rank(proposal, organizer, "o3", "o2")


def test_a_tie_that_decides_the_winner_is_settled_by_the_lot_drawn_at_opening(
    assembly_factory, open_proposal
):
    # given a ranked choice whose tie-break is by lot: the order is drawn when it opens, and logged
    group = assembly_factory(members=7)
    proposal = open_proposal(
        group,
        "ranked_choice",
        options=("A", "B", "C"),
        config={"tie_break": methods.TIE_BREAK_LOT, "min_ranks": 1},
    )
    order = proposal.config["tiebreak_order"]
    assert sorted(order) == ["o1", "o2", "o3"]
    opened = LogEntry.objects.get(body__event="proposal_opened", body__proposal=proposal.pk)
    assert opened.body["tiebreak_order"] == order
    # when the winner depends on the tie
    deciding_tie(group, proposal)
    result = selectors.results(proposal=services.close_proposal(proposal=proposal, by=None))
    # then the least favoured of B and C in the drawn order goes, the other wins, and it says why
    out, stays = sorted(["o2", "o3"], key=order.index, reverse=True)
    labels = {"o2": "B", "o3": "C"}
    assert result.engine.rounds[0].eliminated == out
    assert result.headline == f"Winner: {labels[stays]}"
    assert result.ties == (
        f"Stage 1: B, C tied; {labels[out]} chosen by lot (the order drawn when voting opened)",
    )


def test_without_a_lot_a_deciding_tie_stops_the_count_and_says_so(assembly_factory, open_proposal):
    # given the same ballots, and a proposal whose tie-break is to stop
    group = assembly_factory(members=7)
    proposal = open_proposal(
        group,
        "ranked_choice",
        options=("A", "B", "C"),
        config={"tie_break": methods.TIE_BREAK_STOP, "min_ranks": 1},
    )
    assert "tiebreak_order" not in proposal.config
    deciding_tie(group, proposal)
    # when
    result = selectors.results(proposal=services.close_proposal(proposal=proposal, by=None))
    # then
    assert result.headline == "Unresolved tie"
    assert result.ties == (
        "Stage 1: B, C tied, the winner depends on the tie, and no lot was drawn: unresolved",
    )


def test_the_results_say_which_rule_broke_each_tie(assembly_factory, open_proposal):
    # given 6 members: A 2 (then D), D 2 (then A), B 1 (then A), C 1 (then A)
    group = assembly_factory(members=6)
    proposal = open_proposal(group, "ranked_choice", options=("A", "B", "C", "D"))
    for organizer in group.organizers[:2]:
        rank(proposal, organizer, "o1", "o4")
    rank(proposal, group.organizers[2], "o4", "o1")
    rank(proposal, group.organizers[3], "o4", "o1")
    rank(proposal, group.organizers[4], "o2", "o1")
    rank(proposal, group.organizers[5], "o3", "o1")
    # when: A 2, D 2, B 1, C 1: B and C together 2 = A's 2, no bulk; no earlier round; every
    # order elects A (B's and C's voters rank A next)
    result = selectors.results(proposal=services.close_proposal(proposal=proposal, by=None))
    # then
    assert result.headline == "Winner: A"
    assert result.ties == (
        "Stage 1: B, C tied; B eliminated first: whichever of them goes first, the count elects "
        "the same winner, so the tie does not change the result",
    )


def test_bulk_exclusion_is_named_on_the_results_page(client, assembly_factory, open_proposal):
    # given 8 members: A 3 (then B), B 3 (then A), C 1 (then B), D 1 (then B)
    group = assembly_factory(members=8)
    proposal = open_proposal(group, "ranked_choice", options=("A", "B", "C", "D"))
    for organizer in group.organizers[:3]:
        rank(proposal, organizer, "o1", "o2")
    for organizer in group.organizers[3:6]:
        rank(proposal, organizer, "o2", "o1")
    rank(proposal, group.organizers[6], "o3", "o2")
    rank(proposal, group.organizers[7], "o4", "o2")
    services.close_proposal(proposal=proposal, by=None)
    client.force_login(group.steward.user)
    # when
    page = client.get(url("proposal", proposal)).content.decode()
    # then: C and D (1 each, together 2 < 3) go together, and B wins 5 to 3
    assert "Round 1: C, D eliminated together" in page
    assert "C, D eliminated together (bulk exclusion)" in page
    assert "Winner: B" in page


# --- live results --------------------------------------------------------------------------------


def test_live_results_say_so_far_and_what_the_quorum_lacks(client, assembly, open_proposal):
    # given 4 members, a majority vote with a quorum of all of them, and one vote in
    proposal = open_proposal(assembly, "majority", quorum_percent=Decimal(100))
    services.cast_vote(
        proposal=proposal, staff=assembly.organizers[0], ballot={"position": "agree"}
    )
    client.force_login(assembly.steward.user)
    # when
    panel = client.get(url("results", proposal)).content.decode()
    # then
    assert "Not passing so far" in panel
    assert "Not passed" not in panel
    assert "Quorum not met yet" in panel
    assert "3 more organizations must vote for quorum" in panel
    # and once the last needed vote but one is in, it says 1 organization
    for organizer in assembly.organizers[1:3]:
        services.cast_vote(proposal=proposal, staff=organizer, ballot={"position": "agree"})
    assert (
        selectors.results(proposal=proposal).missing == "1 more organization must vote for quorum"
    )


def test_closed_results_are_final_and_name_no_missing_votes(assembly, open_proposal):
    proposal = open_proposal(assembly, "majority", quorum_percent=Decimal(100))
    services.cast_vote(
        proposal=proposal, staff=assembly.organizers[0], ballot={"position": "agree"}
    )
    result = selectors.results(proposal=services.close_proposal(proposal=proposal, by=None))
    assert (result.headline, result.so_far, result.missing) == ("Not passed", False, "")


def test_by_weight_the_quorum_lacks_a_weight(assembly, open_proposal):
    coalition_services.set_vote_weight(membership=assembly.members[0], weight=Decimal(3))
    proposal = open_proposal(
        assembly, "majority", electorate=Electorate.WEIGHTED, quorum_percent=Decimal(50)
    )
    services.cast_vote(
        proposal=proposal, staff=assembly.organizers[1], ballot={"position": "agree"}
    )
    # eligible weight 6, half is 3, 1 voted
    assert selectors.results(proposal=proposal).missing == (
        "Organizations with a combined weight of 2 more must vote for quorum"
    )


def test_an_htmx_vote_refreshes_the_history_too(client, assembly, open_proposal):
    proposal = open_proposal(assembly, "consent")
    client.force_login(assembly.organizers[0].user)
    # when
    response = client.post(url("vote", proposal), {"position": "consent"}, HTTP_HX_REQUEST="true")
    # then: the panel, and the history swapped out of band with the new entry
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        'id="proposal-history" class="stack" aria-labelledby="history-heading" hx-swap-oob="true"'
        in body
    )
    history = body[body.index('id="proposal-history"') :]
    assert "Vote cast (" in history


# --- the new-proposal form -----------------------------------------------------------------------


def test_the_new_proposal_form_takes_share_rules_and_a_tie_break(client, assembly):
    client.force_login(assembly.steward.user)
    closes = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    base = {"time_zone": "UTC", "closes_at": closes, "electorate": "organizations"}
    base["results_visibility"] = "always"
    # when
    client.post(
        reverse("governance:new_proposal", kwargs={"slug": assembly.coalition.slug}),
        {**base, "title": "Join", "template": "majority", "requirements": "agree >= 60 eligible"},
    )
    client.post(
        reverse("governance:new_proposal", kwargs={"slug": assembly.coalition.slug}),
        {
            **base,
            "title": "Chair",
            "template": "ranked_choice",
            "options": "Ana\nBo\nCy",
            "tie_break": "lot",
        },
    )
    # then
    join = Proposal.objects.get(title="Join")
    assert join.config["requirements"] == [
        {"positions": ["agree"], "comparison": "≥", "share": "3/5", "basis": "eligible"}
    ]
    assert "tie_break" not in join.config
    chair = Proposal.objects.get(title="Chair")
    assert (chair.config["tie_break"], "requirements" in chair.config) == ("lot", False)


def test_the_form_refuses_a_share_rule_it_cannot_read(client, assembly):
    client.force_login(assembly.steward.user)
    closes = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("governance:new_proposal", kwargs={"slug": assembly.coalition.slug}),
        {
            "title": "Join",
            "template": "majority",
            "time_zone": "UTC",
            "closes_at": closes,
            "electorate": "organizations",
            "results_visibility": "always",
            "requirements": "agree most",
        },
    )
    assert response.status_code == 422
    assert "Line 1: write e.g." in response.content.decode()
    assert not Proposal.objects.exists()


# --- anonymous ballots keep their weight -----------------------------------------------------


def test_an_anonymous_ballot_counts_with_its_voters_weight(assembly, open_proposal):
    # given weights 2, 2, 1, 1: every weight is held by two members
    for membership in assembly.members[:2]:
        coalition_services.set_vote_weight(membership=membership, weight=Decimal(2))
    proposal = open_proposal(assembly, "majority", electorate=Electorate.WEIGHTED, anonymous=True)
    # when a weight-2 member agrees and a weight-1 member disagrees
    services.cast_vote(
        proposal=proposal, staff=assembly.organizers[0], ballot={"position": "agree"}
    )
    services.cast_vote(
        proposal=proposal, staff=assembly.organizers[2], ballot={"position": "disagree"}
    )
    result = selectors.results(proposal=services.close_proposal(proposal=proposal, by=None))
    # then the count is the one named ballots would give: 2 agree, 1 disagree, of 6
    assert result.engine.position("agree").weight == Decimal(2)
    assert result.engine.position("disagree").weight == Decimal(1)
    assert result.eligible_weight == Decimal(6)


def test_an_anonymous_vote_by_weight_refuses_a_weight_that_names_its_member(
    assembly, open_proposal
):
    coalition_services.set_vote_weight(membership=assembly.members[0], weight=Decimal(3))
    with pytest.raises(GovernanceError, match=r"would reveal that member's ballot: .* \(3\)"):
        open_proposal(assembly, "majority", electorate=Electorate.WEIGHTED, anonymous=True)
    assert not Proposal.objects.filter(status=Proposal.Status.OPEN).exists()


def test_stv_uses_the_lot_drawn_at_opening_for_a_tie_the_rules_leave_to_lot(
    assembly_factory, open_proposal
):
    # given 2 seats, 6 members: A 3 (the quota), B 1, C 1, D 1, each ranking one option only
    group = assembly_factory(members=6)
    proposal = open_proposal(
        group,
        "ranked_choice",
        options=("A", "B", "C", "D"),
        config={"seats": 2, "min_ranks": 1, "tie_break": methods.TIE_BREAK_LOT},
    )
    for organizer in group.organizers[:3]:
        rank(proposal, organizer, "o1")
    for organizer, key in zip(group.organizers[3:], ("o2", "o3", "o4"), strict=True):
        rank(proposal, organizer, key)
    # when
    closed = services.close_proposal(proposal=proposal, by=None)
    result = selectors.results(proposal=closed)
    # then A is elected, and of B, C and D the one the lot favours most takes the second seat
    favoured = next(k for k in closed.config["tiebreak_order"] if k in {"o2", "o3", "o4"})
    assert result.engine.elected == ("o1", favoured)
    assert len(result.ties) == 2
    assert all("chosen by lot" in tie for tie in result.ties)
