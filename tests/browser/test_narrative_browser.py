"""An organizer types a draft in a real browser: the check, run as they type, marks an avoided
term and a sentence that contradicts a key message; they fix both, the check clears, they send
it to review; a steward approves it, against the adopted version."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cairn.narrative.models import Approval, ContentItem
from cairn.narrative.tests.conftest import GOOD_TEXT, make_world
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAFT = (
    "Too many of the mentally ill wait days in emergency rooms. "
    "Mobile crisis teams do not respond faster than police. "
    "Tell your senator to pass SB 412, the Crisis Care Act, today."
)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_draft_is_checked_while_typing_fixed_and_approved(
    live_server, browser, page, artifacts, coalition, membership_factory, staff_factory
):
    # given a coalition whose narrative a decision adopted, and an organizer of a member
    world = make_world(coalition, membership_factory, staff_factory)
    base = live_server.url
    sign_in(page, base, world.organizer.user.email)
    page.goto(f"{base}/c/{coalition.slug}/narrative/campaigns/{world.campaign.pk}/content/new/")

    # when they type a draft with an avoided term and a sentence contradicting a key message
    page.get_by_label("Title").fill("Crisis care now")
    page.get_by_label("Kind").select_option("email")
    page.get_by_label("Text").press_sequentially(DRAFT, delay=2)

    # then, as they type, the check marks both spans and says why
    check = page.locator("#check")
    avoided = check.locator("mark.narrative-mark--avoided_term", has_text="the mentally ill")
    expect(avoided).to_be_visible()
    contradiction = check.locator(
        "mark.narrative-mark--contradiction", has_text="do not respond faster than police"
    )
    expect(contradiction).to_be_visible()
    expect(check.locator(".narrative-flag--avoided_term")).to_contain_text(
        "people with mental illness"
    )
    expect(check.locator(".narrative-flag--contradiction")).to_contain_text("opposite")
    page.screenshot(path=str(artifacts / "narrative-check-flags.png"), full_page=True)

    # when they fix both, the check clears
    page.get_by_label("Text").fill("")
    page.get_by_label("Text").press_sequentially(GOOD_TEXT, delay=1)
    expect(check.locator("mark.narrative-mark")).to_have_count(0)
    expect(check.get_by_text("No flag: on message.")).to_be_visible()
    page.screenshot(path=str(artifacts / "narrative-check-clear.png"), full_page=True)

    # and save it and send it to review
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Send to review").click()
    expect(page.locator(".narrative-state")).to_have_text("In review")
    item = ContentItem.objects.get()

    # then a steward approves it, against the adopted version
    steward_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(steward_page, base, world.steward.user.email)
    steward_page.goto(f"{base}/c/{coalition.slug}/narrative/content/{item.pk}/")
    steward_page.get_by_role("button", name="Approve").click()
    expect(steward_page.locator(".narrative-state")).to_have_text("Approved")
    expect(steward_page.locator("li", has_text="checked against version 1")).to_be_visible()
    steward_page.screenshot(path=str(artifacts / "narrative-approved.png"), full_page=True)
    assert Approval.objects.get(item=item).version == world.version
