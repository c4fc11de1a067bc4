"""A visitor comes in through the front door: `/` lists the published coalitions, a coalition's
public page names its listed members and open petitions, and a petition is one tap away. On a
phone, with scripts off: the public pages need none."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cairn.coalitions import services
from cairn.coalitions.demo import DEMO_LOGIN, load_demo
from cairn.coalitions.models import Membership
from cairn.petitions.demo import load_demo_petitions
from cairn.petitions.models import Petition

from .test_phone_widths import PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_finds_a_coalition_and_its_open_petition_on_a_phone(
    live_server, browser, artifacts
):
    # given the demo coalition, published, with two of its members listed and the others not
    coalition = load_demo()
    load_demo_petitions(coalition)
    services.publish_public_page(coalition=coalition, publish=True)
    active = list(Membership.objects.for_coalition(coalition).filter(status="active"))
    listed, unlisted = active[:2], active[2:]
    for member in active:
        services.set_public_listing(membership=member, listed=member in listed)
    petition = Petition.objects.for_coalition(coalition).filter(status="open").first()
    assert petition is not None
    hidden = list(Petition.objects.for_coalition(coalition).exclude(status="open"))
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    base = live_server.url

    # when a visitor opens the front door
    page.goto(f"{base}/")
    # then it lists the coalition, with good meta tags, and fits the phone
    expect(page).to_have_title("Coalitions · Cairn")
    assert page.locator('meta[property="og:title"]').get_attribute("content") == (
        "Coalitions on Cairn"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "front-door.png"), full_page=True)

    # when they open the coalition's page
    page.get_by_role("link", name=coalition.name).click()
    # then they read its mission, its listed members only and its open petitions
    expect(page.get_by_role("heading", name=coalition.name, level=1)).to_be_visible()
    assert page.locator('meta[property="og:title"]').get_attribute("content") == coalition.name
    members = page.get_by_test_id("public-members")
    for member in listed:
        expect(members).to_contain_text(member.organization.name)
    body = page.locator("main").inner_text()
    for member in unlisted:
        assert member.organization.name not in body
    for other in hidden:
        assert other.title not in body
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "front-door-coalition.png"), full_page=True)

    # when they tap the open petition
    page.get_by_role("link", name=petition.title).click()
    # then they are on its public page, ready to sign
    page.wait_for_url(f"{base}/p/{petition.slug}/")
    expect(page.get_by_role("heading", name=petition.title, level=1)).to_be_visible()
    context.close()


def test_a_signed_in_steward_keeps_their_coalitions_and_reaches_the_directory(
    live_server, page, coalition_factory
):
    # given the demo coalition (published by the demo loader) and another one, not published
    coalition = load_demo()
    other = coalition_factory(name="Quiet Alliance")
    # when its steward signs in
    sign_in(page, live_server.url, DEMO_LOGIN)
    # then `/` still lists their coalitions, with a link to the public pages
    expect(page.get_by_role("heading", name="Your coalitions")).to_be_visible()
    expect(page.get_by_role("link", name=coalition.name)).to_be_visible()
    page.get_by_role("link", name="Public coalition pages").click()
    # and the directory lists the published coalition only
    page.wait_for_url(f"{live_server.url}/public/")
    coalitions = page.get_by_role("list", name="Coalitions")
    expect(coalitions.get_by_role("listitem")).to_have_count(1)
    expect(coalitions).to_contain_text(coalition.name)
    assert other.name not in page.locator("main").inner_text()
