"""A steward opens the demo coalition's partnership audit, reads a dormant member's profile and the
factors that decided it, overrides its class with a reason, and prints the report; an organizer
sees only its own organization's profile. Screenshots in test-artifacts/audit-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from cairn.audit.demo import load_demo_audit
from cairn.audit.models import AuditOverride
from cairn.campaigns.demo import load_demo_campaign
from cairn.coalitions.demo import (
    DEMO_LOGIN,
    DEMO_PASSWORD,
    DEMO_SLUG,
    EASTSIDE,
    KEYSTONE,
    load_demo,
)
from cairn.governance.demo import load_demo_decisions
from cairn.people.demo import load_demo_supporters
from cairn.petitions.demo import load_demo_petitions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_steward_reads_and_overrides_an_audit_profile(live_server, browser, artifacts):
    # given the demo coalition with its evidence and its audit
    coalition = load_demo()
    load_demo_supporters(coalition=coalition, count=200)
    load_demo_campaign(coalition)
    load_demo_decisions(coalition)
    load_demo_petitions(coalition)
    load_demo_audit(coalition)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    blocked: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    page.on("console", on_console)

    # when the steward opens the audit from the coalition's menu
    sign_in(page, base, DEMO_LOGIN)
    page.goto(f"{base}/c/{DEMO_SLUG}/")
    page.get_by_role("navigation", name=coalition.name).get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Partnership audit", level=1)).to_be_visible()
    table = page.get_by_role("table").first
    # then every class shows, and the trend has both audits
    for label in ("Mission-aligned", "Transactional", "Dormant"):
        expect(table.get_by_text(label, exact=True).first).to_be_visible()
    expect(page.get_by_role("table", name="Members per class in each audit")).to_be_visible()
    page.screenshot(path=str(artifacts / "audit-dashboard.png"), full_page=True)

    # when they open the dormant member's profile: the factor that decided it is marked
    page.get_by_role("link", name=EASTSIDE).click()
    expect(page.get_by_role("heading", name=EASTSIDE, level=1)).to_be_visible()
    expect(page.locator(".factor--decided")).to_contain_text("Actions in the window")
    page.screenshot(path=str(artifacts / "audit-profile.png"), full_page=True)

    # and override its class with a reason
    page.get_by_role("link", name="Override the class").click()
    page.get_by_label("Class").select_option("transactional")
    page.get_by_label("Reason").fill("Still pays its dues while paused")
    page.get_by_role("button", name="Save the class").click()
    expect(page.get_by_text("Still pays its dues while paused")).to_be_visible()
    assert AuditOverride.objects.filter(reason="Still pays its dues while paused").count() == 1

    # and the printable report leaves the navigation out on paper
    page.goto(f"{base}/c/{DEMO_SLUG}/audit/report/")
    page.emulate_media(media="print")
    expect(page.locator("nav.nav")).to_be_hidden()
    page.pdf(path=str(artifacts / "audit-report.pdf"))
    page.emulate_media(media="screen")
    page.screenshot(path=str(artifacts / "audit-report.png"), full_page=True)
    context.close()

    # an organizer (Keystone) sees its own profile only
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    sign_in(phone, base, "priya@demo.cairn.test")
    phone.goto(f"{base}/c/{DEMO_SLUG}/audit/")
    expect(phone.get_by_role("link", name=KEYSTONE)).to_be_visible()
    expect(phone.get_by_role("link", name=EASTSIDE)).to_have_count(0)
    phone.screenshot(path=str(artifacts / "audit-organizer-phone.png"), full_page=True)
    context.close()
    assert blocked == []
