"""Content: the state machine, who may do what (nothing changes on a refusal), the approval's
check and dismissals, tracked links, reach."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cairn.narrative import services
from cairn.narrative.models import (
    Approval,
    ContentEvent,
    ContentItem,
    FlagDismissal,
    FrameworkVersion,
    ReviewComment,
    TrackedLink,
)
from cairn.narrative.services import BlockingFlags, NarrativeError, NotAllowed
from cairn.petitions import services as petitions

from .conftest import GOOD_TEXT, decide

pytestmark = pytest.mark.django_db
State = ContentItem.State

BAD_TEXT = (
    "Our state needs more psychiatric beds so people in crisis get treatment close to home. "
    "Too many of the mentally ill end up in jail. "
    "Tell your senator to pass SB 412, the Crisis Care Act, today."
)


def draft(world, body=GOOD_TEXT, by=None, **extra):
    return services.create_item(
        campaign=world.campaign,
        membership=world.member,
        by=by or world.organizer,
        kind=extra.pop("kind", ContentItem.Kind.SOCIAL_POST),
        channel=extra.pop("channel", ContentItem.Channel.BLUESKY),
        title=extra.pop("title", "Beds now"),
        body=body,
        **extra,
    )


def in_review(world, body=GOOD_TEXT):
    return services.submit_item(item=draft(world, body), by=world.organizer)


def state_of(item):
    return ContentItem.objects.get(pk=item.pk).state


def test_the_whole_way_draft_to_retired(world):
    item = draft(world)
    assert item.state == State.DRAFT
    item = services.submit_item(item=item, by=world.organizer)
    item = services.request_changes(item=item, by=world.steward, comment="Add the ask.")
    assert item.state == State.CHANGES_REQUESTED
    item = services.update_item(item=item, by=world.organizer, title="Beds", body=GOOD_TEXT)
    item = services.submit_item(item=item, by=world.organizer)
    approval = services.approve_item(item=item, by=world.steward)
    assert state_of(item) == State.APPROVED
    item = services.publish_item(item=ContentItem.objects.get(pk=item.pk), by=world.organizer)
    assert item.published_at is not None
    item = services.retire_item(item=item, by=world.steward)
    assert state_of(item) == State.RETIRED
    # then the history has every move, and the approval its version
    moves = list(ContentEvent.objects.filter(item=item).values_list("from_state", "to_state"))
    assert moves == [
        ("", "draft"),
        ("draft", "in_review"),
        ("in_review", "changes_requested"),
        ("changes_requested", "in_review"),
        ("in_review", "approved"),
        ("approved", "published"),
        ("published", "retired"),
    ]
    assert approval.version == world.version
    assert approval.check_summary["has_ask"] is True


ILLEGAL = [
    (State.DRAFT, "approve"),
    (State.DRAFT, "publish"),
    (State.DRAFT, "retire"),
    (State.DRAFT, "withdraw"),
    (State.IN_REVIEW, "submit"),
    (State.IN_REVIEW, "publish"),
    (State.APPROVED, "submit"),
    (State.APPROVED, "approve"),
    (State.PUBLISHED, "publish"),
    (State.PUBLISHED, "submit"),
    (State.RETIRED, "publish"),
    (State.RETIRED, "retire"),
]


def _to(world, state):
    item = draft(world)
    path = {
        State.DRAFT: [],
        State.IN_REVIEW: ["submit"],
        State.APPROVED: ["submit", "approve"],
        State.PUBLISHED: ["submit", "approve", "publish"],
        State.RETIRED: ["submit", "approve", "publish", "retire"],
    }[state]
    for step in path:
        act(world, item, step)
    return ContentItem.objects.get(pk=item.pk)


def act(world, item, step):
    item = ContentItem.objects.get(pk=item.pk)
    if step == "submit":
        return services.submit_item(item=item, by=world.organizer)
    if step == "withdraw":
        return services.withdraw_item(item=item, by=world.organizer)
    if step == "approve":
        return services.approve_item(item=item, by=world.steward)
    if step == "publish":
        return services.publish_item(item=item, by=world.steward)
    if step == "retire":
        return services.retire_item(item=item, by=world.steward)
    raise AssertionError(step)


@pytest.mark.parametrize(("state", "step"), ILLEGAL)
def test_an_illegal_move_is_refused_and_changes_nothing(world, state, step):
    item = _to(world, state)
    events = ContentEvent.objects.count()
    with pytest.raises(NarrativeError, match="cannot"):
        act(world, item, step)
    assert state_of(item) == state
    assert ContentEvent.objects.count() == events


def test_the_text_changes_only_in_draft_or_after_changes_requested(world):
    item = in_review(world)
    with pytest.raises(NarrativeError, match="not edited"):
        services.update_item(item=item, by=world.organizer, title="x", body="changed")
    assert ContentItem.objects.get(pk=item.pk).body == GOOD_TEXT


def test_approval_is_refused_while_a_blocking_flag_is_open_then_a_dismissal_lets_it_through(
    world,
):
    # given an item in review with an avoided term
    item = in_review(world, BAD_TEXT)
    # when a reviewer approves, then it is refused, naming the flag, and nothing changes
    with pytest.raises(BlockingFlags, match="avoided term") as error:
        services.approve_item(item=item, by=world.steward)
    flag = next(f for f in error.value.result.open_blocking if f.kind == "avoided_term")
    assert flag.text.lower() == "the mentally ill"
    assert state_of(item) == State.IN_REVIEW
    assert not Approval.objects.exists()
    # when the reviewer dismisses it with a reason, the approval goes through and keeps it
    services.dismiss_flag(
        item=item, by=world.steward, kind="avoided_term", span_text=flag.text, reason="A quote"
    )
    approval = services.approve_item(item=item, by=world.steward)
    assert approval.check_summary["dismissed"] == [
        {"kind": "avoided_term", "text": flag.text, "reason": "A quote"}
    ]


def test_a_dismissal_needs_a_reason_and_a_reviewer(world):
    item = in_review(world, BAD_TEXT)
    with pytest.raises(NarrativeError, match="Say why"):
        services.dismiss_flag(
            item=item, by=world.steward, kind="avoided_term", span_text="x", reason="  "
        )
    with pytest.raises(NotAllowed):
        services.dismiss_flag(
            item=item, by=world.organizer, kind="avoided_term", span_text="x", reason="mine"
        )
    assert not FlagDismissal.objects.exists()


def test_approval_needs_an_adopted_version(world):
    item = in_review(world)
    FrameworkVersion.objects.filter(pk=world.version.pk).update(status="superseded")
    with pytest.raises(NarrativeError, match="no adopted version"):
        services.approve_item(item=item, by=world.steward)
    assert state_of(item) == State.IN_REVIEW


def test_the_approval_records_the_version_in_effect_at_that_time(world):
    # given an item approved under v1, then v2 adopted
    first = in_review(world)
    services.approve_item(item=first, by=world.steward)
    v2 = services.create_version(framework=world.framework, by=world.steward)
    services.propose_version(version=v2, by=world.steward)
    services.adopt_version(version=v2, outcome=decide(world.coalition, "v2"), by=world.steward)
    second = in_review(world)
    services.approve_item(item=second, by=world.steward)
    # then each approval names its own version
    assert Approval.objects.get(item=first).version == world.version
    assert Approval.objects.get(item=second).version == v2


def test_nobody_approves_their_own_item_an_organizer_reviewer_approves_others(world):
    services.grant_reviewer(staff=world.other_organizer, by=world.steward)
    own = services.submit_item(
        item=services.create_item(
            campaign=world.campaign,
            membership=world.other_member,
            by=world.other_organizer,
            kind="email",
            title="Mine",
            body=GOOD_TEXT,
        ),
        by=world.other_organizer,
    )
    with pytest.raises(NotAllowed):
        services.approve_item(item=own, by=world.other_organizer)
    assert state_of(own) == State.IN_REVIEW
    theirs = in_review(world)
    services.approve_item(item=theirs, by=world.other_organizer)
    assert state_of(theirs) == State.APPROVED


@pytest.mark.parametrize("who", ["organizer", "viewer", "other_organizer"])
def test_who_may_not_review_changes_nothing(world, who):
    staff = getattr(world, who)
    item = in_review(world)
    for attempt in (
        lambda: services.approve_item(item=item, by=staff),
        lambda: services.request_changes(item=item, by=staff, comment="no"),
    ):
        with pytest.raises(NotAllowed):
            attempt()
    assert state_of(item) == State.IN_REVIEW
    assert not Approval.objects.exists()
    assert not ReviewComment.objects.exists()


@pytest.mark.parametrize("who", ["other_organizer", "viewer"])
def test_an_organizer_writes_only_for_its_own_member(world, who):
    with pytest.raises(NotAllowed):
        draft(world, by=getattr(world, who))
    item = draft(world)
    with pytest.raises(NotAllowed):
        services.update_item(item=item, by=getattr(world, who), title="x", body="hijacked")
    assert ContentItem.objects.get().body == GOOD_TEXT


def test_a_social_post_needs_its_channel_and_a_request_for_changes_a_comment(world):
    with pytest.raises(NarrativeError, match="channel"):
        draft(world, channel="")
    item = in_review(world)
    with pytest.raises(NarrativeError, match="Say what should change"):
        services.request_changes(item=item, by=world.steward, comment=" ")
    assert state_of(item) == State.IN_REVIEW


def _open_petition(world):
    petition = petitions.create_petition(
        owner=world.member,
        data=petitions.PetitionData(
            title="Fund crisis beds", details="Beds now", campaign=world.campaign
        ),
        created_by=None,
    )
    return petitions.open_petition(petition=petitions.submit_petition(petition=petition))


def test_publishing_makes_one_tracked_link_per_member_and_the_coalition(world):
    petition = _open_petition(world)
    item = in_review(world)
    services.approve_item(item=item, by=world.steward)
    item = services.publish_item(item=ContentItem.objects.get(pk=item.pk), by=world.steward)
    links = TrackedLink.objects.filter(item=item)
    assert sorted((link.membership_id or 0) for link in links) == sorted(
        [0, world.member.pk, world.other_member.pk]
    )
    assert {link.petition_id for link in links} == {petition.pk}
    assert services.ensure_tracked_links(item=item) == 0  # twice makes nothing new


def test_reach_is_reported_for_published_items_only(world):
    item = in_review(world)
    with pytest.raises(NarrativeError, match="published"):
        services.record_reach(
            item=item, by=world.organizer, on=timezone.localdate(), impressions=10
        )
    services.approve_item(item=item, by=world.steward)
    item = services.publish_item(item=ContentItem.objects.get(pk=item.pk), by=world.steward)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.record_reach(item=item, by=world.organizer, on=yesterday, impressions=10)
    report = services.record_reach(item=item, by=world.organizer, on=yesterday, impressions=25)
    assert report.impressions == 25
    assert item.reach.count() == 1
    with pytest.raises(NotAllowed):
        services.record_reach(item=item, by=world.other_organizer, on=yesterday, impressions=1)


def test_stewards_grant_the_reviewer_capability_only_to_organizers(world):
    with pytest.raises(NarrativeError, match="Stewards review already"):
        services.grant_reviewer(staff=world.steward, by=world.steward)
    with pytest.raises(NotAllowed):
        services.grant_reviewer(staff=world.other_organizer, by=world.organizer)


def test_the_writer_withdraws_an_item_from_review(world):
    item = services.withdraw_item(item=in_review(world), by=world.organizer)
    assert state_of(item) == State.DRAFT
    services.update_item(item=item, by=world.organizer, title="Beds", body=GOOD_TEXT + " Now.")
    assert ContentItem.objects.get(pk=item.pk).body.endswith("Now.")


def test_approval_records_the_pillar_the_item_serves_most(world):
    item = in_review(world)
    services.approve_item(item=item, by=world.steward)
    assert ContentItem.objects.get(pk=item.pk).pillar == "beds"


def test_approval_uses_a_version_a_decision_adopted_on_the_governance_page(world):
    from cairn.governance import services as governance

    v2 = services.create_version(framework=world.framework, by=world.steward)
    services.propose_version(version=v2, by=world.steward)
    governance.authorize(outcome=decide(world.coalition, "v2"), target=v2)
    item = in_review(world)
    approval = services.approve_item(item=item, by=world.steward)
    assert approval.version == v2
    assert FrameworkVersion.objects.get(pk=world.version.pk).status == "superseded"


def test_the_refusal_counts_the_open_flags_in_words(world):
    item = in_review(world, BAD_TEXT)
    with pytest.raises(BlockingFlags) as error:
        services.approve_item(item=item, by=world.steward)
    assert str(error.value) == "1 flag to fix or dismiss first: avoided term."


ASK_ONLY = "Tell your senator to pass SB 412, the Crisis Care Act, today."
CONTRADICTING = (
    "Our state needs more psychiatric beds so people in crisis get treatment close to home. "
    "Mobile crisis teams do not respond faster than police. "
    "Tell your senator to pass SB 412, the Crisis Care Act, today."
)


def test_a_post_that_only_makes_the_ask_is_noted_not_blocked(world):
    # given a post that makes the ask and argues no pillar
    item = in_review(world, ASK_ONLY)
    result = services.run_check(
        framework=item.framework, text=item.body, kind=item.kind, channel=item.channel, item=item
    )
    # then the check says it supports no pillar, as a note that does not block
    (flag,) = [f for f in result.flags if f.kind == "off_message"]
    assert flag.detail["makes_the_ask"] is True
    assert not flag.blocking
    assert flag.label == "No pillar (makes the ask)"
    assert "makes the ask" in flag.note
    assert result.open_blocking == []
    # and the reviewer approves it; the approval keeps the flag in its summary
    approval = services.approve_item(item=item, by=world.steward)
    assert approval.check_summary["flags"]["off_message"] == 1
    assert approval.check_summary["accepted"] == [{"kind": "off_message", "text": ASK_ONLY}]
    assert state_of(item) == State.APPROVED


def test_an_off_message_post_without_the_ask_still_blocks(world):
    item = in_review(world, "Join us for the spring gala at the Riverside Hotel on Friday night.")
    with pytest.raises(BlockingFlags, match="off message"):
        services.approve_item(item=item, by=world.steward)
    assert state_of(item) == State.IN_REVIEW


def test_a_possible_contradiction_is_a_suggestion_the_reviewer_weighs(world):
    # given a draft with a sentence that negates a key message
    item = in_review(world, CONTRADICTING)
    result = services.run_check(
        framework=item.framework, text=item.body, kind=item.kind, channel=item.channel, item=item
    )
    (flag,) = [f for f in result.flags if f.kind == "contradiction"]
    # then it is marked and explained as a suggestion, and it does not block approval
    assert flag.text == "Mobile crisis teams do not respond faster than police."
    assert flag.suggestion
    assert not flag.blocking
    assert flag.label == "Possible contradiction (a suggestion)"
    assert result.contradiction_checked
    assert result.open_blocking == []
    # a reviewer may still dismiss it with a reason, and the approval keeps that
    services.dismiss_flag(
        item=item,
        by=world.steward,
        kind="contradiction",
        span_text=flag.text,
        reason="Quotes the opposing testimony.",
    )
    approval = services.approve_item(item=item, by=world.steward)
    assert approval.check_summary["dismissed"] == [
        {"kind": "contradiction", "text": flag.text, "reason": "Quotes the opposing testimony."}
    ]
