"""A host creates an event in the demo lobby day, a supporter RSVPs on a phone-sized screen and
gets a ticket with its QR code, and the host checks them in at the door from a phone (search by
name); screenshots at each step in test-artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cairn.coalitions.demo import DEMO_PASSWORD, DEMO_SLUG, FAMILIES, load_demo
from cairn.events.demo import SLUG, load_demo_events
from cairn.events.models import Attendance, Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOST = "elena@demo.cairn.test"  # an organizer of the families' organization
PHONE = {"width": 390, "height": 844}


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_host_creates_event_supporter_rsvps_on_a_phone_host_checks_in(
    live_server, browser, artifacts
) -> None:
    # given the demo coalition and its lobby day (an open event campaign)
    coalition = load_demo()
    load_demo_events(coalition)
    base = live_server.url
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()

    # when the host, signed in, hosts an event from the lobby day's page
    host = browser.new_context(viewport=PHONE).new_page()
    host.set_default_timeout(15_000)
    sign_in(host, base, HOST)
    host.goto(f"{base}/c/{DEMO_SLUG}/events/")
    host.get_by_role("link", name="Crisis Care Lobby Day").click()
    expect(host.get_by_role("heading", name="Host toolkit")).to_be_visible()
    host.get_by_role("link", name="Host an event").first.click()
    host.get_by_label("Title", exact=True).fill("Riverbend families at the State House")
    expect(host.get_by_label("Event campaign")).to_have_value(
        str(Event.objects.filter(event_campaign__slug=SLUG).first().event_campaign_id)  # type: ignore[union-attr]
    )
    host.get_by_label("Host organization").select_option(label=FAMILIES)
    host.get_by_label("Date", exact=True).fill(day)
    host.get_by_label("Start time").fill("09:00")
    host.get_by_label("End time").fill("11:30")
    host.get_by_label("Time zone").select_option("America/Indiana/Indianapolis")
    host.get_by_label("Venue").fill("State House, east steps")
    host.get_by_label("City", exact=True).fill("Riverbend")
    host.get_by_label("Capacity").fill("25")
    host.screenshot(path=str(artifacts / "events-host-form.png"), full_page=True)
    host.get_by_role("button", name="Create event").click()
    expect(
        host.get_by_role("heading", name="Riverbend families at the State House")
    ).to_be_visible()
    event = Event.objects.get(title="Riverbend families at the State House")
    assert event.event_campaign is not None
    assert event.event_campaign.slug == SLUG
    assert event.local_start.strftime("%Y-%m-%d %H:%M") == f"{day} 09:00"

    # and a supporter RSVPs on a phone-sized screen
    phone = browser.new_context(viewport=PHONE).new_page()
    phone.set_default_timeout(15_000)
    phone.goto(f"{base}/e/day/{SLUG}/")
    phone.get_by_role("link", name="Riverbend families at the State House").click()
    expect(phone.get_by_text("25 left")).to_be_visible()
    phone.get_by_label("First name").fill("Rosa")
    phone.get_by_label("Last name").fill("Ortiz")
    phone.get_by_label("Email").fill("rosa.ortiz@example.org")
    phone.screenshot(path=str(artifacts / "events-rsvp-phone.png"), full_page=True)
    phone.get_by_role("button", name="RSVP").click()
    expect(phone.get_by_text("You're going")).to_be_visible()
    expect(phone.locator(".ticket__qr svg")).to_be_visible()
    phone.screenshot(path=str(artifacts / "events-ticket-phone.png"), full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the ticket scrolls sideways on a phone ({width}px)"

    # then the host, at the door on their phone, finds her by name and checks her in
    host.get_by_role("link", name="Check-in").click()
    host.get_by_label("Find by name or email").fill("rosa")
    host.get_by_label("Find by name or email").press("Enter")
    host.get_by_role("button", name="Check in Rosa Ortiz").click()
    expect(host.get_by_text("Rosa Ortiz checked in.")).to_be_visible()
    expect(host.get_by_text("1 checked in of 1 going", exact=False)).to_be_visible()
    host.screenshot(path=str(artifacts / "events-check-in-phone.png"), full_page=True)
    attendance = Attendance.objects.get(event=event)
    assert attendance.status == Attendance.Status.ATTENDED
    assert attendance.checked_in_by is not None
    assert attendance.checked_in_by.email == HOST
    # and her ticket says so
    phone.reload()
    expect(phone.get_by_text("You're checked in")).to_be_visible()
