from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cairn.coalitions import services as coalition_services
from cairn.coalitions.models import Role
from cairn.governance import selectors, services
from cairn.governance.models import (
    Electorate,
    Eligibility,
    LogEntry,
    Proposal,
    ResultsVisibility,
    Vote,
)
from cairn.governance.services import GovernanceError

pytestmark = pytest.mark.django_db


def vote(proposal, staff, position="consent", reason=""):
    return services.cast_vote(
        proposal=proposal, staff=staff, ballot={"position": position}, reason=reason
    )


def test_consent_passes_when_no_objection_stands(assembly, open_proposal):
    # given a consent proposal and three of four members consenting
    proposal = open_proposal(assembly, "consent")
    for organizer in assembly.organizers[:3]:
        vote(proposal, organizer, "consent")
    # when a steward closes it early
    closed = services.close_proposal(proposal=proposal, by=assembly.steward.user)
    # then it passed, and the early close is on record
    assert closed.status == Proposal.Status.CLOSED
    assert closed.passed is True
    assert closed.closed_early_by == assembly.steward.user
    assert selectors.results(proposal=closed).voters == 3


def test_consent_with_an_objection_does_not_pass(assembly, open_proposal):
    proposal = open_proposal(assembly, "consent")
    for organizer in assembly.organizers[:3]:
        vote(proposal, organizer, "consent")
    vote(proposal, assembly.organizers[3], "objection", reason="It harms our clients.")
    closed = services.close_proposal(proposal=proposal, by=None)
    assert closed.passed is False
    assert "Objection" in closed.result_summary


def test_a_second_organizer_changes_the_organizations_vote_never_adds_one(
    assembly, open_proposal, staff_factory
):
    # given two organizers of the same organization
    second = staff_factory(assembly.coalition, Role.ORGANIZER, membership=assembly.members[0])
    proposal = open_proposal(assembly, "majority")
    # when both vote, differently
    first = vote(proposal, assembly.organizers[0], "agree")
    again = vote(proposal, second, "disagree")
    # then the organization has one vote, the latest
    assert first.created
    assert not again.created
    assert again.changes == 1
    assert Vote.objects.filter(proposal=proposal).count() == 1
    result = selectors.results(proposal=proposal).engine
    assert result.voters == 1
    assert result.position("disagree").voters == 1
    assert result.position("agree").voters == 0
    assert Vote.objects.get(proposal=proposal).cast_by == second.user


def test_viewers_and_other_coalitions_cannot_vote(
    assembly, assembly_factory, open_proposal, staff_factory
):
    proposal = open_proposal(assembly, "consent")
    viewer = staff_factory(assembly.coalition, Role.VIEWER, membership=assembly.members[0])
    outsider = assembly_factory(members=1).organizers[0]
    for staff in (viewer, outsider, assembly.steward):
        with pytest.raises(GovernanceError, match="not eligible"):
            vote(proposal, staff)
    assert not Vote.objects.filter(proposal=proposal).exists()


def test_no_vote_after_close_or_after_the_deadline(assembly, open_proposal):
    proposal = open_proposal(assembly, "consent")
    with pytest.raises(GovernanceError, match="closed"):
        services.cast_vote(
            proposal=proposal,
            staff=assembly.organizers[0],
            ballot={"position": "consent"},
            now=proposal.closes_at + dt.timedelta(seconds=1),
        )
    services.close_proposal(proposal=proposal, by=None)
    with pytest.raises(GovernanceError, match="closed"):
        vote(proposal, assembly.organizers[0])


def test_a_ballot_the_method_refuses_is_not_recorded(assembly, open_proposal):
    proposal = open_proposal(assembly, "consent", reason_required=True)
    with pytest.raises(GovernanceError, match="unknown position"):
        vote(proposal, assembly.organizers[0], "maybe", reason="x")
    with pytest.raises(GovernanceError, match="reason is required"):
        vote(proposal, assembly.organizers[0], "consent")
    assert not Vote.objects.exists()


def test_only_active_members_are_eligible_and_weights_are_declared(
    assembly, open_proposal, membership_factory
):
    membership_factory(assembly.coalition, status="prospect")
    coalition_services.set_vote_weight(membership=assembly.members[0], weight=Decimal(3))
    proposal = open_proposal(assembly, "majority", electorate=Electorate.WEIGHTED)
    vote(proposal, assembly.organizers[0], "agree")
    vote(proposal, assembly.organizers[1], "disagree")
    result = selectors.results(proposal=proposal)
    assert result.eligible_voters == 4
    assert result.eligible_weight == Decimal(6)
    assert result.engine.position("agree").weight == Decimal(3)
    assert result.engine.passed is True  # 3 of 4 cast, quorum 4 of 6


def test_named_individuals_vote_for_themselves(assembly, open_proposal, staff_factory):
    person = staff_factory(assembly.coalition, Role.STEWARD)
    proposal = open_proposal(
        assembly, "majority", electorate=Electorate.INDIVIDUALS, named_voters=[person]
    )
    assert list(Eligibility.objects.filter(proposal=proposal).values_list("voter_key", flat=True))
    assert vote(proposal, person, "agree").created
    with pytest.raises(GovernanceError):
        vote(proposal, assembly.organizers[0], "agree")


def test_anonymous_ballots_are_unlinked_final_and_hidden_until_close(assembly, open_proposal):
    proposal = open_proposal(assembly, "majority", anonymous=True)
    assert proposal.results_visibility == ResultsVisibility.AFTER_CLOSE
    vote(proposal, assembly.organizers[0], "agree")
    # the ballot carries nothing that names its voter
    ballot = Vote.objects.get(proposal=proposal)
    assert ballot.membership is None
    assert ballot.cast_by is None
    assert ballot.cast_at is None
    assert ballot.voter_key.startswith("a")
    entry = LogEntry.objects.filter(body__event="vote_cast").get()
    assert entry.body == {
        "event": "vote_cast",
        "at": entry.body["at"],
        "proposal": proposal.pk,
        "anonymous": True,
    }
    # it cannot be changed, results wait for the close, and it cannot be reopened
    with pytest.raises(GovernanceError, match="cannot be changed"):
        vote(proposal, assembly.organizers[0], "disagree")
    assert not selectors.results_visible(proposal=proposal, has_voted=True)
    closed = services.close_proposal(proposal=proposal, by=None)
    assert selectors.results_visible(proposal=closed, has_voted=False)
    assert selectors.results(proposal=closed).engine.position("agree").voters == 1
    with pytest.raises(GovernanceError, match="anonymous"):
        services.reopen_proposal(
            proposal=closed, closes_at=timezone.now() + dt.timedelta(days=1), by=None
        )


def test_reopen_with_a_new_deadline_keeps_standing_votes(assembly, open_proposal):
    proposal = open_proposal(assembly, "majority")
    vote(proposal, assembly.organizers[0], "agree")
    services.close_proposal(proposal=proposal, by=None)
    deadline = timezone.now() + dt.timedelta(days=3)
    reopened = services.reopen_proposal(proposal=proposal, closes_at=deadline, by=None)
    assert reopened.status == Proposal.Status.OPEN
    assert reopened.closes_at == deadline
    assert reopened.passed is None
    vote(proposal, assembly.organizers[0], "disagree")
    assert selectors.results(proposal=reopened).engine.position("disagree").voters == 1


def test_an_outcome_needs_a_closed_proposal_and_blocks_reopening(assembly, open_proposal):
    proposal = open_proposal(assembly, "consent")
    with pytest.raises(GovernanceError):
        services.record_outcome(proposal=proposal, statement="Done", recorded_by=None)
    services.close_proposal(proposal=proposal, by=None)
    outcome = services.record_outcome(
        proposal=proposal,
        statement="We adopt the charter.",
        next_steps="Publish it.",
        responsible="The stewards",
        review_on=timezone.localdate() + dt.timedelta(days=90),
        recorded_by=assembly.steward.user,
    )
    # an outcome authorizes work elsewhere: any row can show the decision behind it
    services.authorize(outcome=outcome, target=assembly.members[0], note="Lead member")
    assert [a.outcome for a in selectors.decisions_behind(assembly.members[0])] == [outcome]
    with pytest.raises(GovernanceError, match="outcome"):
        services.reopen_proposal(
            proposal=proposal, closes_at=timezone.now() + dt.timedelta(days=1), by=None
        )


def test_ranked_choice_by_instant_runoff_with_rounds_and_blt(assembly_factory, open_proposal):
    # given five members ranking three options
    group = assembly_factory(members=5)
    proposal = open_proposal(group, "ranked_choice", options=("Beds", "Teams", "Line"))
    keys = {o.label: o.key for o in selectors.options(proposal=proposal)}
    rankings = [
        ["Beds", "Teams"],
        ["Beds", "Line"],
        ["Teams", "Beds"],
        ["Teams", "Line"],
        ["Line", "Teams"],
    ]
    for organizer, ranking in zip(group.organizers, rankings, strict=True):
        services.cast_vote(
            proposal=proposal, staff=organizer, ballot={"ranking": [keys[r] for r in ranking]}
        )
    # then Line is eliminated in round 1 and its vote elects Teams in round 2
    result = selectors.results(proposal=proposal)
    assert result.headline == "Winner: Teams"
    assert result.rounds is not None
    assert result.rounds.headers == ("Round 1", "Round 2")
    assert result.rounds.rows == (
        ("Beds", ("2", "2")),
        ("Teams", ("2", "3")),
        ("Line", ("1", "—")),
    )
    assert result.rounds.events == ("Round 1: Line eliminated", "Round 2: Teams wins")
    blt = selectors.blt(proposal=proposal)
    assert blt.startswith("3 1\n")
    assert '"Beds"' in blt
    assert blt.rstrip().endswith('"Adopt ranked_choice"')


def test_a_ranked_choice_tie_that_cannot_change_the_winner_is_reported_and_passed(
    assembly, open_proposal
):
    # given A 2, B 1 (then A), C 1 (then B): B and C tie; if C goes first, A and B tie at 2 and
    # round 1 settles that (B had fewer): every way the rules allow elects A
    proposal = open_proposal(assembly, "ranked_choice", options=("A", "B", "C"))
    for organizer, ranking in zip(
        assembly.organizers, [["o1", "o2"], ["o1", "o3"], ["o2", "o1"], ["o3", "o2"]], strict=True
    ):
        services.cast_vote(proposal=proposal, staff=organizer, ballot={"ranking": ranking})
    # when
    result = selectors.results(proposal=proposal)
    # then the count goes on (it used to stop at "Unresolved tie"), and the tie is reported
    assert result.headline == "Winner: A"
    assert result.ties == (
        "Stage 1: B, C tied; B eliminated first: whichever of them goes first, the count elects "
        "the same winner, so the tie does not change the result",
    )


def test_multi_winner_stv_reports_the_quota_and_stages(assembly_factory, open_proposal):
    group = assembly_factory(members=6)
    proposal = open_proposal(group, "ranked_choice", options=("A", "B", "C"), config={"seats": 2})
    for organizer, ranking in zip(
        group.organizers,
        [["o1", "o2"], ["o1", "o2"], ["o1", "o3"], ["o2", "o3"], ["o3", "o2"], ["o2", "o1"]],
        strict=True,
    ):
        services.cast_vote(proposal=proposal, staff=organizer, ballot={"ranking": ranking})
    result = selectors.results(proposal=proposal)
    assert result.rounds is not None
    assert result.rounds.quota == "3"
    assert result.headline.startswith("Elected: A, B")


def test_ranked_choice_needs_two_ranks(assembly, open_proposal):
    proposal = open_proposal(assembly, "ranked_choice", options=("A", "B", "C"))
    with pytest.raises(GovernanceError, match="at least 2"):
        services.cast_vote(
            proposal=proposal, staff=assembly.organizers[0], ballot={"ranking": ["o1"]}
        )


@pytest.mark.parametrize(
    ("template", "options", "ballot", "headline"),
    [
        ("poll", ("A", "B"), {"choices": ["o2"]}, "Leading: B"),
        ("score", ("A", "B"), {"scores": {"o1": 1, "o2": 4}}, "Leading: B"),
        ("dot_vote", ("A", "B"), {"dots": {"o1": 2, "o2": 6}}, "Leading: B"),
        ("question_round", (), {"answer": "More data, please."}, "1 answer"),
    ],
)
def test_each_method_counts_through_the_engine(
    assembly, open_proposal, template, options, ballot, headline
):
    proposal = open_proposal(assembly, template, options=options)
    services.cast_vote(proposal=proposal, staff=assembly.organizers[0], ballot=ballot)
    assert selectors.results(proposal=proposal).headline == headline


def test_a_time_poll_finds_the_best_time(assembly):
    start = timezone.now() + dt.timedelta(days=10)
    proposal = services.create_proposal(
        coalition=assembly.coalition,
        template="time_poll",
        title="Next meeting",
        closes_at=timezone.now() + dt.timedelta(days=5),
        created_by=None,
        options=[
            services.OptionInput(label="Monday", starts_at=start, time_zone="America/Chicago"),
            services.OptionInput(label="Tuesday", starts_at=start + dt.timedelta(days=1)),
        ],
    )
    proposal = services.open_proposal(proposal=proposal, by=None)
    services.cast_vote(
        proposal=proposal,
        staff=assembly.organizers[0],
        ballot={"answers": {"o1": "no", "o2": "yes"}},
    )
    result = selectors.results(proposal=proposal)
    assert result.headline == "Best time: Tuesday"
    assert "cannot come" in result.rows[1].note


def test_reminders_go_the_day_before_closing_once(
    assembly, open_proposal, django_capture_on_commit_callbacks
):
    proposal = open_proposal(assembly, "consent", days=3)
    vote(proposal, assembly.organizers[0])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.advance_proposal(proposal=proposal, now=proposal.closes_at - dt.timedelta(days=2))
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.advance_proposal(
            proposal=proposal, now=proposal.closes_at - dt.timedelta(hours=20)
        )
        services.advance_proposal(
            proposal=proposal, now=proposal.closes_at - dt.timedelta(hours=10)
        )
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(o.user.email for o in assembly.organizers[1:])
    assert proposal.title in mail.outbox[0].subject


def test_a_proposal_closes_on_time_and_a_scheduled_one_opens(assembly):
    proposal = services.create_proposal(
        coalition=assembly.coalition,
        template="majority",
        title="Later",
        closes_at=timezone.now() + dt.timedelta(days=2),
        created_by=None,
    )
    services.schedule_proposal(
        proposal=proposal, opens_at=timezone.now() + dt.timedelta(days=1), by=None
    )
    assert services.advance_due_proposals() == 0
    services.advance_due_proposals(now=timezone.now() + dt.timedelta(days=1, minutes=1))
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN
    services.advance_due_proposals(now=proposal.closes_at)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CLOSED
    assert proposal.closed_early_by is None


def test_custom_templates_carry_their_own_requirements(assembly, open_proposal):
    template = services.create_template(
        coalition=assembly.coalition,
        name="Strong agreement",
        method="proposal",
        base_rule="consensus",
        quorum_percent=Decimal(50),
        config={
            "requirements": [
                {"positions": ["agree"], "comparison": "≥", "share": "3/4", "basis": "eligible"},
                {"positions": ["block"], "comparison": "≤", "share": "0", "basis": "cast"},
            ]
        },
    )
    proposal = open_proposal(assembly, f"c{template.pk}")
    for organizer in assembly.organizers[:2]:
        vote(proposal, organizer, "agree")
    assert services.close_proposal(proposal=proposal, by=None).passed is False  # 2/4 < 75 %
    with pytest.raises(GovernanceError):
        services.create_template(
            coalition=assembly.coalition,
            name="Broken",
            method="proposal",
            base_rule="consensus",
            config={"requirements": [{"positions": ["nope"], "at_least": 1}]},
        )


# --- the log -----------------------------------------------------------------------------------


def test_every_vote_and_state_change_is_chained(assembly, open_proposal):
    proposal = open_proposal(assembly, "consent")
    vote(proposal, assembly.organizers[0])
    vote(proposal, assembly.organizers[0], "objection")
    services.close_proposal(proposal=proposal, by=None)
    events = list(
        LogEntry.objects.for_coalition(assembly.coalition).values_list("body__event", flat=True)
    )
    assert events == [
        "proposal_created",
        "proposal_opened",
        "vote_cast",
        "vote_changed",
        "proposal_closed",
    ]
    assert selectors.verify_log(coalition=assembly.coalition).ok


def test_editing_a_row_behind_the_applications_back_breaks_verification(
    assembly, assembly_factory, open_proposal
):
    # given a log of a few entries, and another coalition's log
    proposal = open_proposal(assembly, "consent")
    vote(proposal, assembly.organizers[0], "objection")
    vote(proposal, assembly.organizers[1])
    other = assembly_factory(members=1)
    open_proposal(other, "consent")
    call_command("verify_log")  # all good
    # when someone edits the objection into a consent directly in the database
    tampered = LogEntry.objects.for_coalition(assembly.coalition).get(seq=3)
    body = dict(tampered.body)
    body["ballot"] = {"position": "consent"}
    LogEntry.objects.filter(pk=tampered.pk).update(body=body)
    # then verification fails at that entry, and only for that coalition
    result = selectors.verify_log(coalition=assembly.coalition)
    assert (result.ok, result.broken_at, result.checked) == (False, 3, 2)
    assert selectors.verify_log(coalition=other.coalition).ok
    with pytest.raises(CommandError, match=assembly.coalition.slug):
        call_command("verify_log")


def test_deleting_an_entry_breaks_verification_at_the_gap(assembly, open_proposal):
    proposal = open_proposal(assembly, "consent")
    vote(proposal, assembly.organizers[0])
    LogEntry.objects.filter(coalition=assembly.coalition, seq=2).delete()
    result = selectors.verify_log(coalition=assembly.coalition)
    assert (result.ok, result.broken_at) == (False, 3)


def test_opening_defers_the_reminder_and_the_close_on_the_database_backend(
    settings, assembly, open_proposal, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    with django_capture_on_commit_callbacks(execute=True):
        proposal = open_proposal(assembly, "consent", days=3)
    rows = DBTaskResult.objects.filter(task_path__endswith="advance_proposal_task")
    assert sorted(r.run_after for r in rows) == [
        proposal.closes_at - dt.timedelta(days=1),
        proposal.closes_at,
    ]


@pytest.mark.parametrize(
    ("template", "config", "options"),
    [
        ("ranked_choice", {"seats": 3}, ("A", "B", "C")),
        ("ranked_choice", {"seats": "many"}, ("A", "B")),
        ("poll", {"max_choices": 0}, ("A", "B")),
        ("score", {"min_score": 5, "max_score": 1}, ("A", "B")),
        ("dot_vote", {"dots": 0}, ("A", "B")),
    ],
)
def test_a_configuration_the_engine_would_refuse_is_refused_up_front(
    assembly, template, config, options
):
    with pytest.raises(GovernanceError, match="does not work"):
        services.create_proposal(
            coalition=assembly.coalition,
            template=template,
            title="Broken",
            closes_at=timezone.now() + dt.timedelta(days=1),
            created_by=None,
            options=[services.OptionInput(label=o) for o in options],
            config=config,
        )
    assert not Proposal.objects.exists()


def test_editing_a_vote_row_behind_the_applications_back_is_caught_by_replaying_the_log(
    assembly, open_proposal
):
    # given votes that match the log, in an open and an anonymous proposal
    proposal = open_proposal(assembly, "consent")
    vote(proposal, assembly.organizers[0], "objection")
    vote(proposal, assembly.organizers[1], "consent")
    secret = open_proposal(assembly, "majority", anonymous=True)
    vote(secret, assembly.organizers[0], "agree")
    assert selectors.votes_match_log(coalition=assembly.coalition) == []
    call_command("verify_log")
    # when someone turns the objection into a consent in the votes table, and stuffs a ballot
    Vote.objects.filter(proposal=proposal, voter_key=f"m{assembly.members[0].pk}").update(
        ballot={"position": "consent"}
    )
    Vote.objects.create(
        coalition=assembly.coalition, proposal=secret, voter_key="astuffed", ballot={}
    )
    # then the chain still verifies, but the replay does not
    assert selectors.verify_log(coalition=assembly.coalition).ok
    assert selectors.votes_match_log(coalition=assembly.coalition) == [
        f"proposal {proposal.pk}: the vote of m{assembly.members[0].pk} differs from the log",
        f"proposal {secret.pk}: 2 anonymous ballots stored, 1 logged",
    ]
    with pytest.raises(CommandError):
        call_command("verify_log")


def test_a_removed_anonymous_ballot_is_counted_in_the_singular(assembly, open_proposal):
    # given an anonymous proposal with two ballots, both logged
    secret = open_proposal(assembly, "majority", anonymous=True)
    vote(secret, assembly.organizers[0], "agree")
    vote(secret, assembly.organizers[1], "agree")
    # when one ballot row is deleted behind the application's back
    Vote.objects.filter(proposal=secret).order_by("pk")[:1].get().delete()
    # then the replay names one stored ballot against two logged
    assert selectors.votes_match_log(coalition=assembly.coalition) == [
        f"proposal {secret.pk}: 1 anonymous ballot stored, 2 logged"
    ]
