"""A steward opens the demo campaign's dashboard, then adds a measurement to an objective and sees
its chart and progress update without a page load (htmx), in a real browser."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cairn.campaigns.demo import load_demo_campaign
from cairn.campaigns.models import Measurement, Objective
from cairn.coalitions.demo import DEMO_LOGIN, DEMO_PASSWORD, DEMO_SLUG, load_demo
from cairn.governance.demo import load_demo_decisions
from cairn.people.demo import load_demo_supporters
from cairn.petitions.demo import load_demo_petitions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(DEMO_LOGIN)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_steward_adds_a_measurement_and_sees_progress_update(live_server, page, artifacts):
    # given the demo coalition with its supporters, petitions, decisions and campaign
    coalition = load_demo()
    load_demo_supporters(coalition=coalition, count=200)
    load_demo_petitions(coalition)
    load_demo_decisions(coalition)
    campaign = load_demo_campaign(coalition).campaign
    beds = Objective.objects.get(campaign=campaign, direction="up")
    base = live_server.url

    # when the steward opens the campaign's dashboard from the navigation
    sign_in(page, base)
    page.goto(f"{base}/c/{DEMO_SLUG}/")
    page.get_by_role("navigation", name=coalition.name).get_by_role(
        "link", name="Campaigns"
    ).click()
    page.get_by_role("link", name=campaign.name).click()
    expect(page.get_by_role("heading", name=campaign.name, level=1)).to_be_visible()
    expect(page.locator(".countdown")).to_contain_text("days left")
    page.get_by_role("link", name="Dashboard", exact=True).first.click()

    # then the chain chart, both outcome metrics and the member contribution are there
    expect(page.get_by_role("heading", name="From engagement to outcomes")).to_be_visible()
    expect(page.get_by_test_id("dashboard-objective")).to_have_count(2)
    expect(page.locator("#chain-chart-title")).to_have_count(1)
    expect(page.get_by_test_id("contribution")).to_contain_text("Riverbend")
    page.screenshot(path=str(artifacts / "campaign-dashboard.png"), full_page=True)

    # when they open the beds objective and add this week's census figure
    page.get_by_role("link", name=beds.statement).click()
    expect(page.get_by_role("heading", name=beds.statement, level=1)).to_be_visible()
    bar = page.get_by_role("progressbar", name="Share of the way from baseline to target")
    before = int(bar.get_attribute("aria-valuenow") or "0")
    rows_before = page.get_by_test_id("measurements").locator("tbody tr").count()
    today = timezone.localdate()
    assert Measurement.objects.filter(objective=beds).latest("on").on < today
    page.get_by_label("Date", exact=True).fill(today.isoformat())
    page.get_by_label("Value (beds per 100,000 residents)", exact=True).fill("24.1")
    page.get_by_label("Note", exact=True).fill("Two new crisis units opened")
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Add measurement").click()

    # then the panel is swapped in place: the table, the chart and the progress show it
    expect(page.get_by_role("cell", name="Two new crisis units opened")).to_be_visible()
    expect(page.get_by_test_id("measurements").locator("tbody tr")).to_have_count(rows_before + 1)
    expect(page.get_by_test_id("latest")).to_contain_text("24.1")
    after_share = round(100 * (24.1 - 17.8) / (25.0 - 17.8))  # 88%
    expect(bar).to_have_attribute("aria-valuenow", str(after_share))
    assert after_share > before
    expect(page.locator("#objective-chart-desc")).to_contain_text("latest 24.1")
    assert page.evaluate("window.stillTheSamePage") is True  # swapped by htmx, no page load
    page.screenshot(path=str(artifacts / "campaign-measurement-added.png"), full_page=True)
    assert Measurement.objects.filter(objective=beds, value=Decimal("24.1"), on=today).exists()
