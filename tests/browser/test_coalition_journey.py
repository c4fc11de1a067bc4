"""A steward's first hour, in a real browser against a live server: sign in, see the demo
coalition, invite an organizer who then joins, pledge a resource and record its delivery."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from cairn.coalitions.demo import DEMO_LOGIN, DEMO_PASSWORD, DEMO_SLUG, load_demo
from cairn.coalitions.models import Commitment, Delivery, Role, StaffMember
from cairn.people.demo import load_demo_supporters

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_steward_invites_pledges_and_delivers(live_server, page, browser, artifacts):
    # given the demo coalition
    coalition = load_demo()
    load_demo_supporters(coalition=coalition, count=60)
    base = live_server.url

    # when the steward signs in, they see the demo coalition and its home page
    sign_in(page, base, DEMO_LOGIN, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Your coalitions")).to_be_visible()
    page.get_by_role("link", name=coalition.name).first.click()
    expect(page.get_by_role("heading", name=coalition.name, level=1)).to_be_visible()
    expect(page.locator(".countdown")).to_contain_text("days left")
    expect(page.get_by_role("heading", name="Members by sector")).to_be_visible()
    page.screenshot(path=str(artifacts / "coalition-home.png"), full_page=True)

    # and invites an organizer for one of the member organizations
    page.get_by_role("navigation", name=coalition.name).get_by_role(
        "link", name="Invitations"
    ).click()
    page.get_by_label("Email").fill("new.organizer@example.org")
    page.get_by_role("combobox", name="Role").select_option(Role.ORGANIZER)
    organization = page.get_by_label("Organization")
    organization.select_option(index=1)
    organization_name = organization.locator("option:checked").inner_text().strip()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to new.organizer@example.org")).to_be_visible()
    expect(page.get_by_role("cell", name="new.organizer@example.org")).to_be_visible()

    # then the invitee gets a link, creates an account and lands in the coalition
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/invitations/\S+/", str(mail.outbox[0].body))
    assert link is not None
    invitee = browser.new_context().new_page()
    invitee.goto(link.group(0))
    invitee.get_by_label("Your name").fill("Nia Organizer")
    invitee.get_by_label("Password", exact=True).fill("a sturdy passphrase 42")
    invitee.get_by_label("Password again").fill("a sturdy passphrase 42")
    invitee.get_by_role("button", name="Create account and join").click()
    expect(invitee.get_by_role("heading", name=coalition.name, level=1)).to_be_visible()
    staff = StaffMember.objects.get(coalition=coalition, user__email="new.organizer@example.org")
    assert staff.role == Role.ORGANIZER
    assert staff.membership is not None
    assert staff.membership.organization.name == organization_name

    # when the steward pledges a resource for a member
    page.goto(f"{base}/c/{DEMO_SLUG}/commitments/")
    page.get_by_role("link", name="Pledge a resource").click()
    page.get_by_label("Organization").select_option(label=organization_name)
    page.get_by_label("Resource").select_option(Commitment.Kind.FUNDING)
    page.get_by_label("Description").fill("Bridge funding for the crisis-bed dashboard")
    page.get_by_label("Quantity").fill("5000")
    page.get_by_label("Unit").fill("USD")
    due = timezone.localdate() + dt.timedelta(days=60)
    page.get_by_label("Due by").fill(due.isoformat())
    page.get_by_role("button", name="Record the pledge").click()
    expect(
        page.get_by_role("heading", name="Bridge funding for the crisis-bed dashboard")
    ).to_be_visible()
    expect(page.get_by_test_id("delivered-total")).to_have_text("0 USD")

    # and records a delivery of 2,000 USD (an htmx swap, no page load)
    page.get_by_label("Quantity").fill("2000")
    page.get_by_label("Note").fill("First tranche wired")
    page.get_by_role("button", name="Record delivery").click()

    # then the panel shows it and the database has it
    expect(page.get_by_test_id("delivered-total")).to_have_text("2,000 USD")
    expect(page.get_by_role("cell", name="First tranche wired")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Delivered")).to_have_attribute(
        "aria-valuenow", "40"
    )
    page.screenshot(path=str(artifacts / "commitment-delivered.png"), full_page=True)
    commitment = Commitment.objects.get(description="Bridge funding for the crisis-bed dashboard")
    assert [d.quantity for d in Delivery.objects.filter(commitment=commitment)] == [2000]
