"""A supporter writes to their state senator from a district lookup, in a real browser: they
give their postal code (and, on a phone, their location instead), see who represents them, edit
the letter drafted from the campaign, send it, and see it counted; the office gets one email.
Then a steward sees the letter in the senator's tally."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from cairn.advocacy.models import AdvocacyCampaign, Delivery, Outreach
from cairn.advocacy.tests.conftest import make_campaign
from cairn.coalitions.models import Role
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supporter_writes_to_their_senator_and_sees_it_counted(
    live_server, page: Page, browser, coalition, staff_factory, artifacts
) -> None:
    # given an open letter campaign with a district table (postal codes and shapes)
    advocacy: AdvocacyCampaign = make_campaign(
        coalition, letter_body="Dear {target},\n\nPlease fund crisis beds.\n\n{name}"
    )
    base = live_server.url
    page.set_default_timeout(60_000)  # a loaded CI machine: the first page compiles templates
    # when a supporter looks up their district by postal code
    page.goto(f"{base}/a/{advocacy.slug}/")
    expect(page.get_by_role("heading", name="Tell your state senator")).to_be_visible()
    page.get_by_label("Your postal code").fill("46201")
    page.screenshot(path=str(artifacts / "advocacy-lookup.png"), full_page=True)
    page.get_by_role("button", name="Find who represents me").click()
    # then they see their senator and the at-large leader, and the editable letter
    expect(page.get_by_text("Sam One", exact=False).first).to_be_visible()
    expect(page.get_by_text("Kim Two")).to_have_count(0)
    letter = page.get_by_label("Your letter")
    expect(letter).to_have_value(re.compile("Please fund crisis beds"))
    letter.fill(
        "Dear {target},\n\nMy brother waited three days for a bed. Fund crisis beds.\n\n{name}"
    )
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Ortiz")
    page.get_by_label("Email").fill("rosa.ortiz@example.org")
    page.screenshot(path=str(artifacts / "advocacy-letter.png"), full_page=True)
    page.get_by_role("button", name="Send my letter").click()
    # then the letter is sent and counted
    expect(page.get_by_role("heading", name="Thank you: your letter is on its way")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("1 letter sent")
    page.screenshot(path=str(artifacts / "advocacy-sent.png"), full_page=True)
    outreach = Outreach.objects.get()
    assert outreach.person is not None
    assert "three days" in outreach.body
    sent = [m for m in mail.outbox if m.to == ["one@senate.example"]]
    assert len(sent) == 1
    assert sent[0].body.startswith("Dear Sam One,")
    assert sent[0].body.rstrip().endswith("Rosa Ortiz")

    # and a second supporter, on a phone, finds the other district from their location
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": 39.5, "longitude": -85.5},
        permissions=["geolocation"],
    )
    phone.set_default_timeout(60_000)
    tab = phone.new_page()
    tab.goto(f"{base}/a/{advocacy.slug}/")
    tab.get_by_role("button", name="Use my location").click()
    expect(tab.get_by_text("Kim Two").first).to_be_visible()
    tab.get_by_label("First name").fill("Bo")
    tab.get_by_label("Email").fill("bo@example.org")
    tab.get_by_role("button", name="Send my letter").click()
    expect(tab.get_by_role("status").first).to_contain_text("2 letters sent")
    tab.screenshot(path=str(artifacts / "advocacy-sent-phone.png"), full_page=True)
    phone.close()
    kim = Delivery.objects.get(target__decision_maker__name="Kim Two")
    assert kim.channel == "print"  # Kim Two's office takes no email: the letter is printed

    # when a steward opens the campaign, the tallies count both letters
    steward = staff_factory(coalition, Role.STEWARD)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(steward.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/c/{coalition.slug}/advocacy/")
    page.get_by_role("link", name="Tell your state senator").click()
    row = page.get_by_role("row").filter(has_text="Sam One")
    expect(row.get_by_role("cell").nth(2)).to_have_text("1")
    expect(page.get_by_text("2", exact=True).first).to_be_visible()
    page.screenshot(path=str(artifacts / "advocacy-tallies.png"), full_page=True)
