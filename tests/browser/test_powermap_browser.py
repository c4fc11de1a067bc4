"""A steward imports a power map, opens the graph, sees the path to a campaign's target highlighted
and adds a recommended prospect to the membership pipeline, in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from cairn.campaigns.demo import load_demo_campaign
from cairn.coalitions.demo import DEMO_LOGIN, DEMO_PASSWORD, DEMO_SLUG, load_demo
from cairn.coalitions.models import Invitation, Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A Kumu-style pair: three organizations from sectors the coalition lacks (philanthropy, public
# safety), tied to the demo campaign's legislators and, through Harbor House, to the coalition.
ELEMENTS = "\n".join(
    [
        "Label,Type,Sector,Position,Influence,Description",
        "Riverbend Community Foundation,Organization,Philanthropy,Supportive,75,"
        "Funds mental health and crisis care for every family in the region",
        "Riverbend County Sheriff's Office,Organization,Public safety,Neutral,70,"
        "Answers mental health crisis calls with trained deputies",
        "Tri-County Fire Chiefs Association,Organization,Public safety,Supportive,55,"
        "Fire and emergency services chiefs for crisis response",
    ]
)
CONNECTIONS = "\n".join(
    [
        "From,To,Type,Weight,Evidence",
        "Harbor House Community Services,Riverbend Community Foundation,Allied with,2,"
        "Joint grant for the crisis respite program (2025 annual report)",
        "Riverbend Community Foundation,Sen. Patricia Holloway,Funds,3,"
        "Campaign finance filing 2026",
        "Riverbend County Sheriff's Office,Rep. Gerald Manning,Personal tie,1,"
        "Served together on the county public safety board",
        "Tri-County Fire Chiefs Association,Sen. Linda Castellanos,Board seat,1,"
        "The senator sits on the association's advisory board",
    ]
)


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(DEMO_LOGIN)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def watch_errors(page: Page) -> list[str]:
    seen: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            seen.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def test_steward_imports_a_map_sees_a_path_and_adds_a_prospect(
    live_server, page, artifacts, tmp_path: Path
):
    # given the demo coalition and its campaign (five legislators as targets)
    coalition = load_demo()
    load_demo_campaign(coalition)
    base = live_server.url
    errors = watch_errors(page)
    elements = tmp_path / "elements.csv"
    connections = tmp_path / "connections.csv"
    elements.write_text(ELEMENTS)
    connections.write_text(CONNECTIONS)

    # when the steward imports the map from the power map's import page (the figures are
    # recomputed in the task queue when the import commits)
    sign_in(page, base)
    page.goto(f"{base}/c/{DEMO_SLUG}/")
    nav = page.get_by_role("navigation", name=coalition.name)
    nav.get_by_role("link", name="Power map").click()
    page.get_by_role("navigation", name="Power map").get_by_role("link", name="Import").click()
    page.get_by_label("File", exact=True).set_input_files(str(elements))
    page.get_by_label("Connections file").set_input_files(str(connections))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Imported", level=1)).to_be_visible()
    expect(page.get_by_text("every row is in")).to_be_visible()
    page.screenshot(path=str(artifacts / "powermap-imported.png"), full_page=True)
    nav.get_by_role("link", name="Power map").click()

    # and opens the graph
    expect(page.get_by_role("heading", name="Power map", level=1)).to_be_visible()
    expect(page.locator("[data-powermap][data-ready]")).to_have_count(1)
    expect(page.get_by_test_id("figures-computed")).to_contain_text("Figures computed")
    shown = int(page.locator("[data-powermap]").get_attribute("data-nodes") or "0")
    assert shown > 10
    page.screenshot(path=str(artifacts / "powermap-graph.png"), full_page=True)

    # and asks for the path from the coalition's members to Senator Holloway
    page.get_by_label("To the target").select_option(label="Sen. Patricia Holloway")
    page.get_by_role("button", name="Highlight the path").click()

    # then the path is highlighted on the graph and listed beside it
    steps = page.get_by_test_id("path-steps").locator("li")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text("Harbor House Community Services")
    expect(steps.nth(1)).to_contain_text("Riverbend Community Foundation")
    expect(steps.nth(2)).to_contain_text("Sen. Patricia Holloway")
    expect(page.locator("[data-powermap][data-path-shown]")).to_have_count(1)
    on_path = page.evaluate("window.powermap.nodes('.on-path').map(n => n.data('label'))")
    assert sorted(on_path) == [
        "Harbor House Community Services",
        "Riverbend Community Foundation",
        "Sen. Patricia Holloway",
    ]
    assert page.evaluate("window.powermap.edges('.on-path').length") == 2
    page.screenshot(path=str(artifacts / "powermap-path.png"), full_page=True)

    # when they open the prospects and add the first to the membership pipeline
    page.get_by_role("navigation", name="Power map").get_by_role("link", name="Prospects").click()
    expect(page.get_by_role("heading", name="Three to approach this quarter")).to_be_visible()
    first = page.get_by_test_id("prospect").first
    name = first.get_by_role("heading", level=2).inner_text()
    assert name in {
        "Riverbend Community Foundation",
        "Riverbend County Sheriff's Office",
        "Tri-County Fire Chiefs Association",
    }
    expect(first).to_contain_text("Reach")
    page.screenshot(path=str(artifacts / "powermap-prospects.png"), full_page=True)
    first.get_by_label(f"Contact's email at {name}").fill("director@prospect.example")
    first.get_by_role("button", name="Add to the membership pipeline").click()

    # then it is in the pipeline: invited, with an invitation to the contact
    expect(first.get_by_test_id("pipeline-result")).to_contain_text(
        "an invitation went to director@prospect.example"
    )
    membership = Membership.objects.get(coalition=coalition, organization__name=name)
    assert membership.status == Membership.Status.INVITED
    assert Invitation.objects.filter(membership=membership).count() == 1
    page.screenshot(path=str(artifacts / "powermap-pipeline.png"), full_page=True)
    assert errors == []
