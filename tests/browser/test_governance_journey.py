"""An organizer casts a ranked-choice vote in a real browser (a refused ballot shows its error in
place, a vote typed by numbers, then changed by dragging); the history follows each htmx vote; a
steward closes the vote; the organizer sees the result and the round-by-round table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cairn.accounts.models import User
from cairn.coalitions.demo import DEMO_LOGIN, DEMO_PASSWORD, load_demo
from cairn.coalitions.models import StaffMember
from cairn.governance import services
from cairn.governance.models import Proposal, ResultsVisibility, Vote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORGANIZER = "priya@demo.cairn.test"
OPTIONS = ("Crisis beds dashboard", "Mobile crisis teams", "988 line staffing")


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_organizer_ranks_steward_closes_organizer_sees_the_rounds(
    live_server, page, browser, artifacts
):
    # given the demo coalition and an open ranked-choice proposal, results hidden until close
    coalition = load_demo()
    steward = User.objects.get(email=DEMO_LOGIN)
    proposal = services.create_proposal(
        coalition=coalition,
        template="ranked_choice",
        title="Our first joint action",
        closes_at=timezone.now() + dt.timedelta(days=3),
        created_by=steward,
        options=[services.OptionInput(label=label) for label in OPTIONS],
        results_visibility=ResultsVisibility.AFTER_CLOSE,
    )
    proposal = services.open_proposal(proposal=proposal, by=steward)
    keys = {o.label: o.key for o in proposal.options.all()}
    others = {
        "elena@demo.cairn.test": ["Crisis beds dashboard", "Mobile crisis teams"],
        "grace@demo.cairn.test": ["Crisis beds dashboard", "Mobile crisis teams"],
        "marcus@demo.cairn.test": ["Mobile crisis teams", "988 line staffing"],
        "ruth@demo.cairn.test": ["988 line staffing", "Mobile crisis teams"],
    }
    for email, ranking in others.items():
        services.cast_vote(
            proposal=proposal,
            staff=StaffMember.objects.get(coalition=coalition, user__email=email),
            ballot={"ranking": [keys[label] for label in ranking]},
        )
    base = live_server.url

    # when the organizer finds it among the decisions that need their vote
    sign_in(page, base, ORGANIZER)
    page.goto(f"{base}/c/{coalition.slug}/")
    page.get_by_role("navigation", name=coalition.name).get_by_role(
        "link", name="Decisions"
    ).click()
    page.screenshot(path=str(artifacts / "governance-decisions.png"), full_page=True)
    needs = page.get_by_role("region", name="Needs your vote")
    needs.get_by_role("link", name="Our first joint action").click()
    expect(page.get_by_role("heading", name="Our first joint action", level=1)).to_be_visible()
    expect(page.get_by_test_id("results-hidden")).to_be_visible()

    # and ranks one option only: the server refuses it (422) and the panel shows why, in place
    history = page.get_by_test_id("history")
    expect(history.locator("li", has_text="Vote cast")).to_have_count(len(others))
    page.get_by_label("Rank for Mobile crisis teams").fill("1")
    page.get_by_role("button", name="Cast vote").click()
    expect(page.locator("#vote-panel").get_by_role("alert")).to_contain_text("rank at least 2")
    assert not Vote.objects.filter(proposal=proposal, membership__staff__user__email=ORGANIZER)

    # then ranks two options by number, and casts the vote
    page.get_by_label("Rank for Mobile crisis teams").fill("1")
    page.get_by_label("Rank for Crisis beds dashboard").fill("2")
    page.get_by_role("button", name="Cast vote").click()
    expect(page.get_by_test_id("standing-vote")).to_contain_text("vote is recorded")
    expect(page.get_by_role("button", name="Change vote")).to_be_visible()
    # the history, outside the swapped panel, shows the new vote without a reload
    expect(history.locator("li", has_text="Vote cast")).to_have_count(len(others) + 1)
    page.screenshot(path=str(artifacts / "governance-vote.png"), full_page=True)
    vote = Vote.objects.get(proposal=proposal, membership__staff__user__email=ORGANIZER)
    assert vote.ballot == {"ranking": [keys["Mobile crisis teams"], keys["Crisis beds dashboard"]]}

    # when the organizer changes the vote by dragging "988 line staffing" above the second choice
    items = page.locator("[data-ranking-item]")
    expect(items.nth(2)).to_contain_text("988 line staffing")
    items.nth(2).drag_to(items.nth(1), target_position={"x": 20, "y": 4})
    # then the list is in the new order and renumbered 1, 2, 3
    expect(items.nth(1)).to_contain_text("988 line staffing")
    expect(page.get_by_label("Rank for Mobile crisis teams")).to_have_value("1")
    expect(page.get_by_label("Rank for 988 line staffing")).to_have_value("2")
    expect(page.get_by_label("Rank for Crisis beds dashboard")).to_have_value("3")
    page.get_by_role("button", name="Change vote").click()
    expect(history.locator("li", has_text="Vote changed")).to_have_count(1)
    page.screenshot(path=str(artifacts / "governance-vote-dragged.png"), full_page=True)
    vote.refresh_from_db()
    assert vote.ballot == {
        "ranking": [
            keys["Mobile crisis teams"],
            keys["988 line staffing"],
            keys["Crisis beds dashboard"],
        ]
    }

    # when the steward closes the vote early
    steward_page = browser.new_context().new_page()
    sign_in(steward_page, base, DEMO_LOGIN)
    steward_page.goto(f"{base}/c/{coalition.slug}/decisions/{proposal.pk}/")
    steward_page.get_by_role("button", name="Close voting now").click()
    expect(steward_page.get_by_text("Voting closed.")).to_be_visible()
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.CLOSED

    # then the organizer sees the winner and the round-by-round table
    page.reload()
    expect(page.get_by_test_id("result-headline")).to_have_text("Winner: Mobile crisis teams")
    table = page.get_by_test_id("round-table")
    expect(table.get_by_role("columnheader", name="Round 2")).to_be_visible()
    expect(table.get_by_role("row", name="988 line staffing")).to_contain_text("1")
    expect(page.get_by_text("Round 1: 988 line staffing eliminated")).to_be_visible()
    page.screenshot(path=str(artifacts / "governance-result.png"), full_page=True)

    # and the steward checks the tamper-evident log
    steward_page.get_by_role("link", name="Verify the coalition's decision log").click()
    expect(steward_page.get_by_test_id("log-verdict")).to_contain_text("The log verifies")
    steward_page.screenshot(path=str(artifacts / "governance-log.png"), full_page=True)
