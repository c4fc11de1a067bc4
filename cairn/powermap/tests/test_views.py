"""Stakeholder and relationship pages: what each role may do (and that a refusal changes
nothing), the detail page's evidence, bad input, filters, and the merge confirmation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cairn.coalitions.models import Coalition, Role
from cairn.powermap import services
from cairn.powermap.models import (
    PositionChange,
    Relationship,
    Stakeholder,
    StakeholderMerge,
    StakeholderTag,
)

pytestmark = pytest.mark.django_db


def url(name: str, coalition: Coalition, *args: Any) -> str:
    return reverse(f"powermap:{name}", args=[coalition.slug, *args])


def state() -> dict[str, list[dict[str, Any]]]:
    models: list[Any] = [
        Stakeholder,
        StakeholderTag,
        PositionChange,
        Relationship,
        StakeholderMerge,
    ]
    return {m.__name__: [model_to_dict(r) for r in m.objects.order_by("pk")] for m in models}


@pytest.fixture
def landscape(coalition, stakeholder_factory, relationship_factory) -> dict[str, Any]:
    chair = stakeholder_factory(
        coalition, name="Sen. Holloway", kind="person", sector="government", position="opposed"
    )
    insurer = stakeholder_factory(coalition, name="Mutual Health", sector="insurance")
    copy = stakeholder_factory(coalition, name="Mutual Health Co", sector="insurance")
    tie = relationship_factory(insurer, chair, "funds")
    relationship_factory(copy, chair, "funds")
    return {"chair": chair, "insurer": insurer, "copy": copy, "tie": tie}


@pytest.fixture
def as_role(
    client: Client, coalition, staff_factory, membership_factory
) -> Callable[[str], Client]:
    def sign_in(role: str) -> Client:
        member = membership_factory(coalition) if role != Role.STEWARD else None
        client.force_login(staff_factory(coalition, role, membership=member).user)
        return client

    return sign_in


def requests(coalition: Coalition, land: dict[str, Any]) -> dict[str, tuple[str, dict[str, str]]]:
    chair, insurer, copy, tie = land["chair"], land["insurer"], land["copy"], land["tie"]
    today = str(timezone.localdate())
    return {
        "new": (
            url("new_stakeholder", coalition),
            {"name": "Faith Council", "kind": "organization", "sector": "faith", "influence": "40"},
        ),
        "position": (
            url("record_position", coalition, chair.pk),
            {"position": "supportive", "on": today, "evidence": "Op-ed"},
        ),
        "relate": (
            url("add_relationship", coalition, insurer.pk),
            {
                "other": "sen. holloway",
                "kind": "board_seat",
                "direction": "out",
                "weight": "2",
                "evidence": "Filing",
            },
        ),
        "edit": (
            url("edit_stakeholder", coalition, chair.pk),
            {
                "name": "Sen. J. Holloway",
                "kind": "person",
                "sector": "government",
                "influence": "90",
            },
        ),
        "edit_tie": (
            url("edit_relationship", coalition, tie.pk),
            {"kind": "funds", "weight": "3", "evidence": "Annual report, p. 4"},
        ),
        "remove_tie": (url("remove_relationship", coalition, tie.pk), {}),
        "merge": (
            url("merge", coalition, insurer.pk),
            {"duplicate": str(copy.pk), "confirm": "1"},
        ),
    }


ALLOWED = {
    Role.STEWARD: {"new", "position", "relate", "edit", "edit_tie", "remove_tie", "merge"},
    Role.ORGANIZER: {"new", "position", "relate"},
    Role.VIEWER: set(),
}


@pytest.mark.parametrize("role", [Role.STEWARD, Role.ORGANIZER, Role.VIEWER])
@pytest.mark.parametrize(
    "action", ["new", "position", "relate", "edit", "edit_tie", "remove_tie", "merge"]
)
def test_role_matrix(coalition, landscape, as_role, role, action):
    # given a signed-in member of the coalition in a role
    client = as_role(role)
    target, data = requests(coalition, landscape)[action]
    before = state()
    # when they post the action
    response = client.post(target, data)
    # then it is done, or refused with nothing changed
    if action in ALLOWED[role]:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert state() != before
    else:
        assert response.status_code == 403
        assert state() == before


@pytest.mark.parametrize("role", [Role.STEWARD, Role.ORGANIZER, Role.VIEWER])
def test_every_role_reads_the_map_and_sees_only_what_it_may_do(coalition, landscape, as_role, role):
    client = as_role(role)
    listing = client.get(url("stakeholders", coalition)).content.decode()
    page = client.get(url("stakeholder", coalition, landscape["chair"].pk))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Sen. Holloway" in listing
    assert (url("new_stakeholder", coalition) in listing) is (role != Role.VIEWER)
    assert (url("record_position", coalition, landscape["chair"].pk) in body) is (
        role != Role.VIEWER
    )
    assert (url("edit_stakeholder", coalition, landscape["chair"].pk) in body) is (
        role == Role.STEWARD
    )
    assert (url("merge", coalition, landscape["chair"].pk) in body) is (role == Role.STEWARD)


def test_the_page_shows_history_and_relationships_both_ways_with_evidence(
    coalition, landscape, as_role, stakeholder_factory, relationship_factory
):
    # given the chair with a position, funded by an insurer, and allied with a clinic
    chair = landscape["chair"]
    clinic = stakeholder_factory(coalition, name="Riverside Clinic")
    relationship_factory(chair, clinic, "allied_with")
    services.record_position(
        stakeholder=chair,
        position="skeptical",
        on=timezone.localdate() - dt.timedelta(days=1),
        evidence="Asked hard questions at the hearing",
        source_url="https://legislature.example.org/hearing",
        by=None,
    )
    # when a viewer opens the page
    body = as_role(Role.VIEWER).get(url("stakeholder", coalition, chair.pk)).content.decode()
    # then both positions with their evidence, and each tie with its evidence, are there
    assert "Asked hard questions at the hearing" in body
    assert "https://legislature.example.org/hearing" in body
    assert "Said so at a hearing" in body
    assert "Mutual Health funds Sen. Holloway" in body  # the incoming, directed tie
    assert "Mutual Health funds Sen. Holloway: annual report" in body
    assert "Riverside Clinic" in body  # the undirected one
    assert "Figures not computed yet" in body


def test_a_relationship_to_an_unknown_name_is_refused_and_nothing_changes(
    coalition, landscape, as_role
):
    client = as_role(Role.ORGANIZER)
    before = state()
    response = client.post(
        url("add_relationship", coalition, landscape["insurer"].pk),
        {
            "other": "Sen. Hollow",
            "kind": "funds",
            "direction": "out",
            "weight": "1",
            "evidence": "x",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "No stakeholder is named “Sen. Hollow”" in body
    assert "Sen. Holloway" in body
    assert state() == before


def test_a_duplicate_relationship_is_refused_with_the_reason(coalition, landscape, as_role):
    client = as_role(Role.ORGANIZER)
    before = state()
    response = client.post(
        url("add_relationship", coalition, landscape["chair"].pk),
        {
            "other": "Mutual Health",
            "kind": "funds",
            "direction": "in",
            "weight": "1",
            "evidence": "Again",
        },
    )
    assert response.status_code == 422
    assert "already has" in response.content.decode()
    assert state() == before


def test_a_position_without_evidence_is_refused(coalition, landscape, as_role):
    client = as_role(Role.STEWARD)
    before = state()
    response = client.post(
        url("record_position", coalition, landscape["chair"].pk),
        {"position": "champion", "on": str(timezone.localdate()), "evidence": ""},
    )
    assert response.status_code == 422
    assert state() == before


def test_an_organizer_adds_a_stakeholder_held_by_its_organization(coalition, as_role):
    client = as_role(Role.ORGANIZER)
    form = client.get(url("new_stakeholder", coalition)).content.decode()
    assert 'name="held_by"' in form
    response = client.post(
        url("new_stakeholder", coalition),
        {
            "name": "Faith Council",
            "kind": "organization",
            "sector": "faith",
            "influence": "40",
            "tags": "clergy, Clergy, west side",
        },
    )
    row = Stakeholder.objects.get(name="Faith Council")
    assert response.url == url("stakeholder", coalition, row.pk)
    assert sorted(t.name for t in row.tags.all()) == ["clergy", "west side"]


def test_filters_and_search(coalition, landscape, as_role):
    client = as_role(Role.VIEWER)
    by_sector = client.get(url("stakeholders", coalition), {"sector": "insurance"})
    assert "Mutual Health" in by_sector.content.decode()
    assert "Sen. Holloway" not in by_sector.content.decode()
    by_position = client.get(url("stakeholders", coalition), {"position": "opposed"})
    assert "Sen. Holloway" in by_position.content.decode()
    assert "Mutual Health" not in by_position.content.decode()
    found = client.get(url("stakeholders", coalition), {"q": "holloway"}).content.decode()
    assert "Sen. Holloway" in found
    assert "Mutual Health" not in found


def test_the_list_is_paged(coalition, as_role, stakeholder_factory):
    for n in range(53):
        stakeholder_factory(coalition, name=f"Org {n:02}")
    client = as_role(Role.VIEWER)
    first = client.get(url("stakeholders", coalition)).content.decode()
    second = client.get(url("stakeholders", coalition), {"page": 2}).content.decode()
    assert "Org 00" in first
    assert "Org 52" not in first
    assert "Org 52" in second
    assert "Org 00" not in second


def test_the_list_gives_member_organizations_their_stakeholder(
    coalition, as_role, membership_factory
):
    membership_factory(coalition, name="Harbor House")
    body = as_role(Role.VIEWER).get(url("stakeholders", coalition)).content.decode()
    assert "Harbor House" in body


def test_merging_asks_for_confirmation_then_merges(coalition, landscape, as_role):
    client = as_role(Role.STEWARD)
    insurer, copy = landscape["insurer"], landscape["copy"]
    # when the steward names the duplicate
    preview = client.get(url("merge", coalition, insurer.pk), {"duplicate": "mutual health co"})
    # then they see what moves, and nothing is merged yet
    assert preview.status_code == 200
    assert "1 relationship" in preview.content.decode()
    assert Stakeholder.objects.filter(pk=copy.pk).exists()
    # when they confirm
    done = client.post(
        url("merge", coalition, insurer.pk), {"duplicate": str(copy.pk), "confirm": "1"}
    )
    # then the duplicate is folded in, its tie (the same as the insurer's) kept once
    assert done.status_code == 302
    assert not Stakeholder.objects.filter(pk=copy.pk).exists()
    assert Relationship.objects.filter(source=insurer, kind="funds").count() == 1
    assert StakeholderMerge.objects.get().merged_name == "Mutual Health Co"


def test_removing_a_relationship_asks_first(coalition, landscape, as_role):
    client = as_role(Role.STEWARD)
    tie = landscape["tie"]
    page = client.get(url("remove_relationship", coalition, tie.pk))
    assert page.status_code == 200
    assert Relationship.objects.filter(pk=tie.pk).exists()
    done = client.post(
        url("remove_relationship", coalition, tie.pk), {"from": str(landscape["chair"].pk)}
    )
    assert done.url == url("stakeholder", coalition, landscape["chair"].pk)
    assert not Relationship.objects.filter(pk=tie.pk).exists()


def test_the_page_shows_the_figures_and_when_they_were_computed(coalition, landscape, as_role):
    from cairn.powermap.analysis import recompute_figures

    # given figures computed for the map
    recompute_figures(coalition)
    # when a viewer opens a stakeholder's page
    body = as_role(Role.VIEWER).get(url("stakeholder", coalition, landscape["chair"].pk))
    text = body.content.decode()
    # then its PageRank and the time of the computation are shown
    assert 'data-testid="figures"' in text
    assert "PageRank" in text
    assert "Figures computed" in text


def test_a_hubs_page_lists_its_strongest_ties_and_says_how_many_there_are(
    coalition, landscape, as_role, stakeholder_factory, relationship_factory, monkeypatch
):
    from cairn.powermap import views

    monkeypatch.setattr(views, "TIES_SHOWN", 2)
    chair = landscape["chair"]  # funded by the insurer and its copy
    relationship_factory(stakeholder_factory(coalition, name="Big Donor"), chair, weight="9")
    body = as_role(Role.VIEWER).get(url("stakeholder", coalition, chair.pk)).content.decode()
    assert "The 2 strongest of 3 relationships are listed here" in body
    assert "Big Donor" in body


def test_the_merge_page_offers_names_that_look_alike(coalition, landscape, as_role):
    page = as_role(Role.STEWARD).get(url("merge", coalition, landscape["insurer"].pk))
    body = page.content.decode()
    assert f"?duplicate={landscape['copy'].pk}" in body
    assert f"?duplicate={landscape['chair'].pk}" not in body
