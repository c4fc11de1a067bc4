"""The power map page, its JSON and table, the prospects page and the add-to-pipeline service."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

import pytest
from django.db import connection, connections
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.campaigns import services as campaign_services
from cairn.campaigns.models import Campaign
from cairn.coalitions.models import Coalition, Invitation, Membership, Organization, Role
from cairn.powermap import analysis, views_map
from cairn.powermap import services as powermap_services
from cairn.powermap.models import Stakeholder
from cairn.powermap.pipeline import PipelineError, add_prospect_to_pipeline


@dataclass
class Landscape:
    coalition: Coalition
    campaign: Campaign
    harbor: Stakeholder  # a member organization
    faith: Stakeholder
    mercy: Stakeholder
    ledger: Stakeholder
    insurers: Stakeholder
    jo: Stakeholder  # a person
    senator: Stakeholder  # the campaign's target


@pytest.fixture
def landscape(
    coalition, membership_factory, stakeholder_factory, relationship_factory
) -> Landscape:
    """Harbor House (member) — allied with — Faith Alliance — board seat → Mercy Hospital — funds →
    Senator Reyes (target), who is also funded by the insurers and covered by the Daily Ledger."""
    today = timezone.localdate()
    member = membership_factory(coalition, name="Harbor House")
    harbor = powermap_services.ensure_stakeholder_for_organization(organization=member.organization)
    campaign = campaign_services.create_campaign(
        coalition=coalition,
        name="Crisis beds",
        theory_of_change="Beds, now.",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=80),
        created_by=None,
    )
    maker = campaign_services.add_decision_maker(coalition=coalition, name="Senator Reyes")
    campaign_services.add_target(
        campaign=campaign,
        decision_maker=maker,
        position="opposed",
        on=today,
        evidence="Voted no in committee",
        recorded_by=None,
    )
    senator = powermap_services.ensure_stakeholder_for_decision_maker(decision_maker=maker)
    faith = stakeholder_factory(
        coalition,
        name="Faith Alliance",
        sector="faith",
        position="supportive",
        influence=80,
        tags=("clergy",),
    )
    mercy = stakeholder_factory(
        coalition, name="Mercy Hospital", sector="health_care", position="neutral", influence=70
    )
    ledger = stakeholder_factory(
        coalition, name="Daily Ledger", sector="media", position="skeptical", influence=40
    )
    insurers = stakeholder_factory(
        coalition, name="Insurers Association", sector="insurance", position="opposed", influence=90
    )
    jo = stakeholder_factory(coalition, name="Jo Smith", kind="person", sector="community")
    relationship_factory(harbor, faith, "allied_with")
    relationship_factory(faith, mercy, "board_seat")
    relationship_factory(mercy, senator, "funds")
    relationship_factory(insurers, senator, "funds", weight="5")
    relationship_factory(ledger, senator, "covers")
    analysis.recompute_figures(coalition)  # the task queue would, on commit
    return Landscape(coalition, campaign, harbor, faith, mercy, ledger, insurers, jo, senator)


def _data(client: Any, landscape: Landscape, **params: Any) -> dict[str, Any]:
    url = reverse("powermap:map_data", args=[landscape.coalition.slug])
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def _names(data: dict[str, Any]) -> set[str]:
    return {node["name"] for node in data["nodes"]}


@pytest.fixture
def signed_in(client, steward):
    client.force_login(steward.user)
    return client


# --- the JSON ---------------------------------------------------------------------------------


def test_the_json_has_every_stakeholder_and_tie_with_what_the_map_draws(signed_in, landscape):
    # when
    data = _data(signed_in, landscape)
    # then
    assert _names(data) == {
        "Harbor House",
        "Faith Alliance",
        "Mercy Hospital",
        "Daily Ledger",
        "Insurers Association",
        "Jo Smith",
        "Senator Reyes",
    }
    assert (data["shown"], data["total"], data["truncated"], data["limit"]) == (7, 7, False, 2000)
    assert len(data["edges"]) == 5
    faith = next(n for n in data["nodes"] if n["name"] == "Faith Alliance")
    assert faith == {
        "id": landscape.faith.pk,
        "name": "Faith Alliance",
        "kind": "organization",
        "sector": "faith",
        "sector_label": "Faith",
        "position": "supportive",
        "position_label": "Supportive",
        "influence": 80,
        "pagerank": faith["pagerank"],
        "member": False,
        "target": False,
        "url": reverse("powermap:stakeholder", args=[landscape.coalition.slug, landscape.faith.pk]),
    }
    flags = {n["name"]: (n["member"], n["target"]) for n in data["nodes"]}
    assert flags["Harbor House"] == (True, False)
    assert flags["Senator Reyes"] == (False, True)
    ally = next(e for e in data["edges"] if e["kind"] == "allied_with")
    funds = next(e for e in data["edges"] if e["source"] == landscape.insurers.pk)
    assert (ally["directed"], funds["directed"], funds["weight"]) == (False, True, 5.0)
    assert funds["target"] == landscape.senator.pk
    assert data["path"] == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sector": "faith"}, {"Faith Alliance"}),
        ({"position": "opposed"}, {"Insurers Association", "Senator Reyes"}),
        ({"tag": "clergy"}, {"Faith Alliance"}),
        ({"sector": "media", "position": "skeptical"}, {"Daily Ledger"}),
        ({"sector": "media", "position": "champion"}, set()),
    ],
)
def test_filters_narrow_the_map(signed_in, landscape, params, expected):
    data = _data(signed_in, landscape, **params)
    assert _names(data) == expected
    shown = {n["id"] for n in data["nodes"]}
    assert all(e["source"] in shown and e["target"] in shown for e in data["edges"])


def test_around_a_stakeholder_shows_its_ties_one_or_two_steps_away(signed_in, landscape):
    # when
    one = _data(signed_in, landscape, around=landscape.mercy.pk)
    two = _data(signed_in, landscape, around=landscape.mercy.pk, depth=2)
    # then
    assert _names(one) == {"Mercy Hospital", "Faith Alliance", "Senator Reyes"}
    assert _names(two) == _names(one) | {"Harbor House", "Insurers Association", "Daily Ledger"}


def test_the_browser_never_gets_more_than_the_limit(signed_in, landscape, monkeypatch):
    # given a limit of 3 stakeholders a view
    monkeypatch.setattr(views_map, "NODE_LIMIT", 3)
    # when
    data = _data(signed_in, landscape)
    # then the 3 most influential are sent, and only the ties between them
    assert (data["shown"], data["total"], data["truncated"], data["limit"]) == (3, 7, True, 3)
    assert _names(data) == {"Insurers Association", "Faith Alliance", "Mercy Hospital"}
    assert [(e["source"], e["target"]) for e in data["edges"]] == [
        (landscape.faith.pk, landscape.mercy.pk)
    ]


def test_a_wrong_filter_is_refused_with_the_reason(signed_in, landscape):
    url = reverse("powermap:map_data", args=[landscape.coalition.slug])
    response = signed_in.get(url, {"position": "furious", "depth": "9"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"position", "depth"}


def test_the_path_to_a_target_is_in_the_json_and_listed_on_the_page(signed_in, landscape):
    # when the steward asks for the path from Harbor House to the senator
    params = {"path_from": landscape.harbor.pk, "path_to": landscape.senator.pk, "sector": "media"}
    data = _data(signed_in, landscape, **params)
    page = signed_in.get(reverse("powermap:map", args=[landscape.coalition.slug]), params)
    # then the path is there, even through stakeholders the filters leave out
    path = [landscape.harbor.pk, landscape.faith.pk, landscape.mercy.pk, landscape.senator.pk]
    assert data["path"] == path
    assert {n["id"] for n in data["nodes"]} == {*path, landscape.ledger.pk}
    steps = page.context["path_steps"]
    assert [s.node["name"] for s in steps] == [
        "Harbor House",
        "Faith Alliance",
        "Mercy Hospital",
        "Senator Reyes",
    ]
    assert [s.tie for s in steps] == [
        "allied with Faith Alliance",
        "sits on the board of Mercy Hospital →",
        "funds Senator Reyes →",
        "",
    ]
    assert 'data-testid="path-steps"' in page.content.decode()


def test_without_a_source_the_path_starts_at_the_nearest_member(signed_in, landscape):
    data = _data(signed_in, landscape, path_to=landscape.senator.pk)
    assert data["path"] == [
        landscape.harbor.pk,
        landscape.faith.pk,
        landscape.mercy.pk,
        landscape.senator.pk,
    ]


def test_the_stakeholder_the_map_is_around_can_be_the_source(signed_in, landscape):
    # given the map around Mercy Hospital, and no target chosen yet
    url = reverse("powermap:map", args=[landscape.coalition.slug])
    params = {"around": landscape.mercy.pk, "path_from": landscape.mercy.pk}
    # when
    response = signed_in.get(url, params)
    # then it is offered as the path's start, already chosen, and nothing is highlighted yet
    assert response.status_code == 200
    field = response.context["form"]["path_from"]
    assert (landscape.mercy.pk, "Mercy Hospital") in field.field.choices
    assert field.value() == str(landscape.mercy.pk)
    assert response.context["view"].path == []


def test_no_path_says_so(signed_in, landscape):
    data = _data(signed_in, landscape, path_from=landscape.jo.pk, path_to=landscape.senator.pk)
    assert data["path"] == []
    assert data["path_message"] == (
        "No chain of recorded relationships leads from there to the target."
    )


def test_the_json_takes_the_same_few_queries_whatever_the_size(
    signed_in, landscape, stakeholder_factory
):
    url = reverse("powermap:map_data", args=[landscape.coalition.slug])
    with CaptureQueriesContext(connection) as small:
        signed_in.get(url)
    for i in range(30):
        stakeholder_factory(landscape.coalition, name=f"Extra {i}", tags=("extra",))
    with CaptureQueriesContext(connection) as large:
        response = signed_in.get(url)
    assert response.json()["shown"] == 37
    assert len(large) == len(small) <= 16


# --- the pages --------------------------------------------------------------------------------


def test_the_map_page_has_the_graph_and_the_accessible_table(signed_in, landscape):
    response = signed_in.get(reverse("powermap:map", args=[landscape.coalition.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "data-powermap " in body
    assert "data-powermap-canvas" in body
    assert "powermap/vendor/cytoscape/cytoscape.min.js" in body
    assert 'id="__________cytoscape_stylesheet"' in body
    assert '<caption id="map-table-caption">' in body
    assert body.count('<th scope="row">') == 7 + 5  # stakeholders and relationships
    assert "Insurers Association" in body
    assert 'data-testid="figures-computed">Figures computed ' in body
    assert _data(signed_in, landscape)["figures"]["summary"].startswith("Figures computed ")
    pageranks = [n["pagerank"] for n in _data(signed_in, landscape)["nodes"]]
    assert all(p > 0 for p in pageranks)
    assert sum(pageranks) == pytest.approx(1.0)


def test_the_table_page_uses_the_same_filters(signed_in, landscape):
    url = reverse("powermap:map_table", args=[landscape.coalition.slug])
    response = signed_in.get(url, {"sector": "insurance"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["name"] for row in rows] == ["Insurers Association"]
    assert "Mercy Hospital" not in response.content.decode()


def test_the_table_pages_and_prints_every_row_on_request(signed_in, landscape, monkeypatch):
    # given 3 rows a page
    monkeypatch.setattr(views_map, "TABLE_ROWS", 3)
    url = reverse("powermap:map_table", args=[landscape.coalition.slug])
    # when
    paged = signed_in.get(url, {"page": 3})
    everything = signed_in.get(url, {"rows": "all"})
    # then
    assert [row["name"] for row in paged.context["rows"]] == ["Senator Reyes"]
    assert 'rel="prev"' in paged.content.decode()
    assert len(everything.context["rows"]) == 7
    assert len(everything.context["edge_rows"]) == 5
    assert 'rel="next"' not in everything.content.decode()


def test_a_wrong_filter_on_the_page_is_shown_not_crashed(signed_in, landscape):
    url = reverse("powermap:map_table", args=[landscape.coalition.slug])
    response = signed_in.get(url, {"position": "furious"})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()


def test_the_map_is_in_the_coalition_navigation(signed_in, landscape):
    response = signed_in.get(reverse("coalitions:home", args=[landscape.coalition.slug]))
    assert reverse("powermap:map", args=[landscape.coalition.slug]) in response.content.decode()


# --- the pipeline service ---------------------------------------------------------------------


def test_adding_a_prospect_twice_makes_one_organization_membership_and_invitation(
    landscape, steward
):
    # when the same prospect is added twice (a double submit)
    first = add_prospect_to_pipeline(
        stakeholder=landscape.faith, by=steward.user, email="Pastor@Faith.example"
    )
    again = add_prospect_to_pipeline(
        stakeholder=landscape.faith, by=steward.user, email="pastor@faith.example "
    )
    # then one organization, one membership (invited), one invitation, the stakeholder linked
    assert first.created
    assert not again.created
    assert again.invitation.pk == first.invitation.pk
    organizations = Organization.objects.for_coalition(landscape.coalition)
    assert organizations.filter(name="Faith Alliance").count() == 1
    membership = Membership.objects.get(organization__name="Faith Alliance")
    assert membership.status == Membership.Status.INVITED
    assert list(membership.status_changes.values_list("from_status", "to_status")) == [
        ("prospect", "invited"),
        ("", "prospect"),
    ]
    invitation = Invitation.objects.get(membership=membership)
    assert (invitation.email, invitation.role) == ("pastor@faith.example", Role.ORGANIZER)
    landscape.faith.refresh_from_db()
    assert landscape.faith.organization_id == membership.organization_id


def test_the_pipeline_refuses_a_person_and_a_member_and_changes_nothing(landscape, steward):
    before = (Organization.objects.count(), Invitation.objects.count())
    with pytest.raises(PipelineError, match="not an organization"):
        add_prospect_to_pipeline(stakeholder=landscape.jo, by=steward.user, email="jo@x.example")
    with pytest.raises(PipelineError, match="already a member"):
        add_prospect_to_pipeline(
            stakeholder=landscape.harbor, by=steward.user, email="a@harbor.example"
        )
    with pytest.raises(PipelineError, match="email"):
        add_prospect_to_pipeline(stakeholder=landscape.faith, by=steward.user, email="  ")
    assert (Organization.objects.count(), Invitation.objects.count()) == before


def test_an_organization_already_known_by_name_is_linked_not_duplicated(
    landscape, steward, membership_factory
):
    # given the coalition already has Mercy Hospital as a prospect, entered by hand
    known = membership_factory(landscape.coalition, name="mercy hospital", status="prospect")
    Stakeholder.objects.filter(organization=known.organization).delete()  # not on the map yet
    # when
    result = add_prospect_to_pipeline(
        stakeholder=landscape.mercy, by=steward.user, email="ceo@mercy.example"
    )
    # then
    assert result.membership.pk == known.pk
    assert result.membership.status == Membership.Status.INVITED
    landscape.mercy.refresh_from_db()
    assert landscape.mercy.organization_id == known.organization_id


def _add_and_report(work: Callable[[], object], barrier: Any, results: Any) -> None:
    connections.close_all()  # never share the parent's connection across a fork
    barrier.wait(timeout=30)
    try:
        work()
        results.put("ok")
    except Exception as error:
        results.put(f"error: {error!r}")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_six_submissions_at_once_make_one_organization_and_one_invitation(landscape, steward):
    # given six processes submitting the same prospect at the same moment (separate processes:
    # threads in one would hide the race; SQLite's IMMEDIATE transactions or PostgreSQL's lock)
    context = mp.get_context("fork")
    workers = 6
    barrier, results = context.Barrier(workers), context.Queue()

    def work() -> object:
        return add_prospect_to_pipeline(
            stakeholder=landscape.faith, by=steward.user, email="pastor@faith.example"
        )

    connections.close_all()
    processes = [
        context.Process(target=_add_and_report, args=(work, barrier, results))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    outcomes = sorted(results.get(timeout=5) for _ in processes)
    # then every submission ended well, and there is one of everything
    assert outcomes == ["ok"] * workers
    assert Organization.objects.filter(name="Faith Alliance").count() == 1
    membership = Membership.objects.get(organization__name="Faith Alliance")
    assert membership.status == Membership.Status.INVITED
    assert Invitation.objects.filter(membership=membership).count() == 1


# --- roles and the pipeline view --------------------------------------------------------------


def _pipeline_url(landscape: Landscape, stakeholder: Stakeholder) -> str:
    slug = landscape.coalition.slug
    return reverse("powermap:add_to_pipeline", args=[slug, landscape.campaign.pk, stakeholder.pk])


def test_a_steward_adds_a_prospect_from_the_page(signed_in, landscape):
    # when (htmx)
    response = signed_in.post(
        _pipeline_url(landscape, landscape.ledger),
        {"email": "editor@ledger.example"},
        headers={"HX-Request": "true"},
    )
    # then the fragment says what happened
    assert response.status_code == 200
    assert "invitation went to editor@ledger.example" in response.content.decode()
    assert Membership.objects.get(organization__name="Daily Ledger").status == "invited"


def test_without_javascript_the_form_posts_and_comes_back(signed_in, landscape):
    # when the form is posted as a plain form, twice (a double click)
    url = _pipeline_url(landscape, landscape.ledger)
    first = signed_in.post(url, {"email": "editor@ledger.example"}, follow=True)
    again = signed_in.post(url, {"email": "editor@ledger.example"}, follow=True)
    refused = signed_in.post(url, {"email": "not an email"})
    # then the prospects page says what happened, once invited, then already invited
    prospects = reverse(
        "powermap:campaign_prospects", args=[landscape.coalition.slug, landscape.campaign.pk]
    )
    assert first.redirect_chain == [(prospects, 302)]
    assert "Daily Ledger is in the pipeline: invitation sent to editor@ledger.example." in (
        first.content.decode()
    )
    assert "Daily Ledger was already invited at editor@ledger.example." in again.content.decode()
    assert Invitation.objects.filter(email="editor@ledger.example").count() == 1
    # and a bad address comes back on its own page, with the reason, changing nothing
    assert refused.status_code == 422
    assert "Enter a valid email address" in refused.content.decode()
    assert Invitation.objects.count() == 1


def test_a_bad_email_is_refused_in_place(signed_in, landscape):
    response = signed_in.post(
        _pipeline_url(landscape, landscape.ledger), {"email": "nope"}, headers={"HX-Request": "1"}
    )
    assert response.status_code == 422
    assert "Enter a valid email address" in response.content.decode()
    assert not Organization.objects.filter(name="Daily Ledger").exists()


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.VIEWER])
def test_only_stewards_add_to_the_pipeline(client, landscape, staff_factory, role):
    member = Membership.objects.get(organization__name="Harbor House")
    staff = staff_factory(landscape.coalition, role, membership=member)
    client.force_login(staff.user)
    # they see the map and the prospects ...
    slug = landscape.coalition.slug
    assert client.get(reverse("powermap:map", args=[slug])).status_code == 200
    assert client.get(reverse("powermap:map_data", args=[slug])).status_code == 200
    prospects = client.get(
        reverse("powermap:campaign_prospects", args=[slug, landscape.campaign.pk])
    )
    assert prospects.status_code == 200
    assert "Add to the membership pipeline" not in prospects.content.decode()
    # ... but may not add one: refused, nothing changed
    response = client.post(_pipeline_url(landscape, landscape.ledger), {"email": "e@x.example"})
    assert response.status_code == 403
    assert not Organization.objects.filter(name="Daily Ledger").exists()


def test_the_prospects_page_shows_three_with_every_factor_and_the_reason(signed_in, landscape):
    url = reverse(
        "powermap:campaign_prospects", args=[landscape.coalition.slug, landscape.campaign.pk]
    )
    # when
    response = signed_in.get(url)
    # then the three organizations outside the coalition's sector that reach the senator
    assert response.status_code == 200
    ranking = response.context["ranking"]
    body = response.content.decode()
    assert ranking.too_thin is None
    names = {p.name for p in ranking.prospects}
    assert names == {"Faith Alliance", "Mercy Hospital", "Daily Ledger"}
    for prospect in ranking.prospects:
        assert escape(prospect.reason) in body
        assert floatformat(prospect.score, 3) in body
        assert floatformat(prospect.novelty, 2) in body
    assert body.count("<dt>Reach</dt>") == body.count("<dt>Novelty</dt>") == 3
    assert body.count("Add to the membership pipeline</button>") == 3
    assert "Three to approach this quarter" in body


def test_the_prospects_page_says_when_the_data_is_too_thin(signed_in, landscape):
    # given a campaign that targets nobody on the map
    campaign = campaign_services.create_campaign(
        coalition=landscape.coalition,
        name="Outreach",
        theory_of_change="x",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=30),
        created_by=None,
    )
    url = reverse("powermap:campaign_prospects", args=[landscape.coalition.slug, campaign.pk])
    # when
    body = signed_in.get(url).content.decode()
    # then
    assert "Too thin to rank: the campaign has no decision-maker on the map to reach yet." in body
    assert 'data-testid="prospect"' not in body


def test_the_prospects_page_shows_the_sectors_diversity_and_the_echo_chamber(
    signed_in, landscape, membership_factory
):
    # given a second member, of the faith sector, with no recorded action (activity 1 each)
    membership_factory(landscape.coalition, name="Grace Chapel", sector="faith")
    analysis.recompute_figures(landscape.coalition)
    url = reverse(
        "powermap:campaign_prospects", args=[landscape.coalition.slug, landscape.campaign.pk]
    )
    # when
    body = signed_in.get(url).content.decode()
    # then two sectors of equal activity: Shannon ln 2, two effective sectors, Gini–Simpson 1/2
    assert "<dt>Sectors</dt><dd>2</dd>" in body
    assert "<dt>Effective sectors</dt><dd>2.00</dd>" in body
    assert "<dt>Shannon</dt><dd>0.69</dd>" in body
    assert "<dt>Gini–Simpson</dt><dd>0.50</dd>" in body
    # and Harbor House's one route to the senator passes Faith Alliance (faith, now a member's
    # sector) and Mercy Hospital (health care, no member's): not inside the echo chamber
    assert "0 of the 1 shortest routes from a member to a target of Crisis beds" in body
    assert "<dt>Echo chamber</dt><dd>0 %</dd>" in body


def test_one_campaign_goes_straight_to_its_prospects(signed_in, landscape):
    response = signed_in.get(reverse("powermap:prospects", args=[landscape.coalition.slug]))
    assert response.status_code == 302
    assert response.url == reverse(
        "powermap:campaign_prospects", args=[landscape.coalition.slug, landscape.campaign.pk]
    )


# --- tenancy ----------------------------------------------------------------------------------


def test_nothing_of_another_coalition_leaks(
    signed_in, landscape, coalition_factory, stakeholder_factory, relationship_factory
):
    # given coalition B with a secret stakeholder tied to A's... nothing: B's own graph
    b = coalition_factory(name="Zebra coalition")
    zebra = stakeholder_factory(b, name="Zebra Foundation", sector="philanthropy", influence=99)
    other = stakeholder_factory(b, name="Zebra Bank", sector="business")
    relationship_factory(zebra, other, "funds")
    b_campaign = campaign_services.create_campaign(
        coalition=b,
        name="Zebra campaign",
        theory_of_change="x",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=5),
        created_by=None,
    )
    slug = landscape.coalition.slug
    # when A's steward asks for B's rows through A's pages
    data = _data(signed_in, landscape)
    around = signed_in.get(reverse("powermap:map_data", args=[slug]), {"around": zebra.pk})
    path = signed_in.get(reverse("powermap:map_data", args=[slug]), {"path_from": zebra.pk})
    table = signed_in.get(reverse("powermap:map_table", args=[slug]), {"around": zebra.pk})
    prospects = signed_in.get(reverse("powermap:campaign_prospects", args=[slug, b_campaign.pk]))
    pipeline = signed_in.post(
        reverse("powermap:add_to_pipeline", args=[slug, landscape.campaign.pk, zebra.pk]),
        {"email": "z@zebra.example"},
    )
    theirs = signed_in.get(reverse("powermap:map_data", args=[b.slug]))
    # then B's stakeholders never show, B's ids are refused, nothing of B changed
    assert "Zebra" not in str(data)
    assert around.status_code == path.status_code == 400
    assert "Zebra" not in around.content.decode() + path.content.decode()
    assert table.status_code == 422
    assert "Zebra" not in table.content.decode()
    assert prospects.status_code == pipeline.status_code == theirs.status_code == 404
    assert not Organization.objects.for_coalition(b).exists()
    zebra.refresh_from_db()
    assert zebra.organization_id is None
