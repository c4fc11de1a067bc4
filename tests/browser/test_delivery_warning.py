"""A delivery far past its pledge is caught in the browser: the htmx panel answers 422, the
warning and the reason field appear in place (at phone width), and the reason is kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cairn.coalitions import services
from cairn.coalitions.demo import DEMO_LOGIN, DEMO_PASSWORD, DEMO_SLUG, load_demo
from cairn.coalitions.models import Delivery, Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_delivery_past_the_pledge_asks_why(live_server, browser, artifacts):
    # given the demo coalition and a pledge of 5 hours
    coalition = load_demo()
    member = Membership.objects.for_coalition(coalition).filter(status="active").first()
    assert member is not None
    pledge = services.pledge_commitment(
        membership=member,
        kind="expertise",
        description="Legal review of the bill",
        quantity=Decimal(5),
        unit="hours",
        due_date=timezone.localdate() + dt.timedelta(days=30),
        pledged_by=None,
    )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(DEMO_LOGIN)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/c/{DEMO_SLUG}/commitments/{pledge.pk}/")

    # when the steward records 999,999 hours (a slip of the keyboard)
    page.get_by_label("Quantity").fill("999999")
    page.get_by_role("button", name="Record delivery").click()

    # then the panel warns in place, asks why, and records nothing
    expect(page.get_by_text("against a pledge of 5.00 hours")).to_be_visible()
    reason = page.get_by_label("Why it exceeds the pledge")
    expect(reason).to_be_visible()
    expect(reason).to_be_focused()
    expect(page.get_by_label("Quantity")).to_have_value("999999")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "delivery-past-pledge-phone.png"), full_page=True)
    assert not Delivery.objects.filter(commitment=pledge).exists()

    # when they correct the quantity to a real surplus and say why
    page.get_by_label("Quantity").fill("7")
    reason.fill("Two more hours for the committee hearing")
    page.get_by_role("button", name="Record delivery").click()

    # then it is recorded with its reason, shown beside it
    expect(page.get_by_text("Two more hours for the committee hearing")).to_be_visible()
    assert list(
        Delivery.objects.filter(commitment=pledge).values_list("quantity", "excess_reason")
    ) == [(Decimal("7.00"), "Two more hours for the committee hearing")]
    context.close()
