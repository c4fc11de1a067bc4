"""The power map's JSON API (cairn.powermap.api): stakeholders, positions, relationships and
figures; what each token's role may write; nothing of another coalition leaks."""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cairn.api import services as api_services
from cairn.coalitions.models import Coalition, Role, Sector, StaffMember
from cairn.powermap import api as powermap_api
from cairn.powermap.models import PositionChange, Relationship, RelationshipKind, Stakeholder

pytestmark = pytest.mark.django_db
API = "/api/v2"
SECRET = "Zebra Foundation"


class Api:
    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"OSDI-API-Token": token}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{API}{path}", params, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        return getattr(self.client, method)(
            f"{API}{path}",
            data=json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self.send("post", path, body, **headers)


def token_for(coalition: Coalition, staff: StaffMember | None = None) -> Api:
    user = staff.user if staff is not None else None
    return Api(api_services.create_token(coalition=coalition, name="t", created_by=user).raw)


@pytest.fixture
def api(coalition, steward) -> Api:
    return token_for(coalition, steward)


@pytest.fixture
def land(coalition, stakeholder_factory, relationship_factory) -> dict[str, Any]:
    chair = stakeholder_factory(
        coalition, name="Sen. Holloway", kind="person", sector="government", position="opposed"
    )
    insurer = stakeholder_factory(coalition, name="Mutual Health", sector="insurance")
    tie = relationship_factory(insurer, chair, "funds")
    return {"chair": chair, "insurer": insurer, "tie": tie}


def test_the_schemas_offer_exactly_the_models_choices() -> None:
    hints = typing.get_type_hints(powermap_api.StakeholderIn, include_extras=True)
    assert set(typing.get_args(hints["sector"])) == set(Sector.values)
    relationship = typing.get_type_hints(powermap_api.RelationshipIn)
    assert set(typing.get_args(relationship["kind"])) == set(RelationshipKind.values)


def test_list_filter_and_read_stakeholders(api, land) -> None:
    # when the list is asked for, and filtered by sector
    everyone = api.get("/stakeholders").json()
    insurers = api.get("/stakeholders", sector="insurance").json()
    # then the collection has them, with their positions
    names = [s["name"] for s in everyone["_embedded"]["cairn:stakeholders"]]
    assert names == ["Mutual Health", "Sen. Holloway"]
    assert [s["name"] for s in insurers["_embedded"]["cairn:stakeholders"]] == ["Mutual Health"]
    one = api.get(f"/stakeholders/{land['chair'].pk}").json()
    assert (one["position"], one["position_score"], one["sector"]) == ("opposed", -2, "government")
    assert one["figures"] == {}


def test_create_a_stakeholder_then_the_same_name_is_a_conflict(api, coalition) -> None:
    body = {"name": "Faith Council", "kind": "organization", "sector": "faith", "tags": ["clergy"]}
    created = api.post("/stakeholders", body)
    assert created.status_code == 201
    assert created.json()["tags"] == ["clergy"]
    again = api.post("/stakeholders", {**body, "name": "faith council"})
    assert again.status_code == 409
    row = Stakeholder.objects.get()
    assert again.json()["_links"]["cairn:existing"]["href"].endswith(f"/stakeholders/{row.pk}")


def test_a_retried_post_with_its_idempotency_key_makes_one_stakeholder(api) -> None:
    body = {"name": "Faith Council", "kind": "organization", "sector": "faith"}
    first = api.post("/stakeholders", body, **{"Idempotency-Key": "k-1"})
    retry = api.post("/stakeholders", body, **{"Idempotency-Key": "k-1"})
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert Stakeholder.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "X", "kind": "planet", "sector": "faith"}, "kind"),
        ({"name": "X", "kind": "person", "sector": "faith", "influence": 101}, "influence"),
        ({"name": "X", "kind": "person", "sector": "faith", "website": "ftp://x"}, "http"),
        ({"name": "X", "kind": "person", "sector": "faith", "held_by": 999999}, "held_by"),
    ],
)
def test_bad_stakeholders_are_refused_with_the_reason(api, body, message) -> None:
    response = api.post("/stakeholders", body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Stakeholder.objects.exists()


def test_update_replaces_given_fields_only(api, land) -> None:
    chair = land["chair"]
    response = api.send("put", f"/stakeholders/{chair.pk}", {"influence": 90, "tags": ["chair"]})
    assert response.status_code == 200
    chair.refresh_from_db()
    assert (chair.name, chair.influence, chair.position) == ("Sen. Holloway", 90, "opposed")
    assert [t.name for t in chair.tags.all()] == ["chair"]


def test_positions_are_recorded_with_evidence_and_listed(api, land) -> None:
    chair = land["chair"]
    today = timezone.localdate().isoformat()
    created = api.post(
        f"/stakeholders/{chair.pk}/positions",
        {"position": "supportive", "date": today, "evidence": "Op-ed in the Courier"},
    )
    assert created.status_code == 201
    history = api.get(f"/stakeholders/{chair.pk}/positions").json()
    assert [p["position"] for p in history["_embedded"]["cairn:positions"]] == [
        "opposed",
        "supportive",
    ]
    chair.refresh_from_db()
    assert chair.position == "supportive"
    refused = api.post(
        f"/stakeholders/{chair.pk}/positions",
        {"position": "champion", "date": "2999-01-01", "evidence": "Soon"},
    )
    assert refused.status_code == 400
    assert PositionChange.objects.filter(stakeholder=chair).count() == 2


def test_relationships_are_stored_once_and_a_duplicate_is_a_conflict(api, land) -> None:
    chair, insurer = land["chair"], land["insurer"]
    body = {"source": chair.pk, "target": insurer.pk, "kind": "allied_with", "evidence": "Letter"}
    created = api.post("/relationships", body)
    assert created.status_code == 201
    assert (created.json()["source"], created.json()["directed"]) == (
        min(chair.pk, insurer.pk),
        False,
    )
    reversed_ = api.post("/relationships", {**body, "source": insurer.pk, "target": chair.pk})
    assert reversed_.status_code == 409
    ties = api.get("/relationships", stakeholder=str(chair.pk)).json()
    assert len(ties["_embedded"]["cairn:relationships"]) == 2
    both_ways = api.get(f"/stakeholders/{chair.pk}/relationships").json()
    assert {r["kind"] for r in both_ways["_embedded"]["cairn:relationships"]} == {
        "funds",
        "allied_with",
    }


def test_a_relationship_is_changed_and_removed(api, land) -> None:
    tie = land["tie"]
    changed = api.send("put", f"/relationships/{tie.pk}", {"weight": "2.5"})
    assert changed.status_code == 200
    assert changed.json()["weight"] == 2.5
    assert changed.json()["evidence"] == tie.evidence
    removed = api.send("delete", f"/relationships/{tie.pk}")
    assert removed.status_code == 200
    assert not Relationship.objects.exists()


@pytest.mark.parametrize(
    ("role", "may_add", "may_edit"),
    [(Role.ORGANIZER, True, False), (Role.VIEWER, False, False)],
)
def test_a_tokens_role_decides_what_it_may_write(
    coalition, land, staff_factory, membership_factory, role, may_add, may_edit
) -> None:
    api = token_for(
        coalition, staff_factory(coalition, role, membership=membership_factory(coalition))
    )
    chair, tie = land["chair"], land["tie"]
    added = api.post("/stakeholders", {"name": "New", "kind": "person", "sector": "faith"})
    assert added.status_code == (201 if may_add else 403)
    before = list(Relationship.objects.values())
    edited = api.send("put", f"/relationships/{tie.pk}", {"weight": "5"})
    removed = api.send("delete", f"/relationships/{tie.pk}")
    renamed = api.send("put", f"/stakeholders/{chair.pk}", {"name": "Hijacked"})
    assert {edited.status_code, removed.status_code, renamed.status_code} == {
        200 if may_edit else 403
    }
    assert list(Relationship.objects.values()) == before
    chair.refresh_from_db()
    assert chair.name == "Sen. Holloway"


def test_another_coalitions_map_is_never_seen_nor_touched(
    api, land, coalition_factory, stakeholder_factory, relationship_factory
) -> None:
    # given coalition B's stakeholders and tie
    theirs = coalition_factory()
    zebra = stakeholder_factory(theirs, name=SECRET, sector="philanthropy")
    other = stakeholder_factory(theirs, name=f"{SECRET} chair")
    tie = relationship_factory(zebra, other, "funds")
    paths = [
        "/stakeholders",
        f"/stakeholders/{zebra.pk}",
        f"/stakeholders/{zebra.pk}/positions",
        f"/stakeholders/{zebra.pk}/relationships",
        "/relationships",
        f"/relationships/{tie.pk}",
        f"/relationships?stakeholder={zebra.pk}",
        "/powermap/figures",
        "/powermap/figures/stakeholders",
    ]
    # when coalition A's token reads everything
    for path in paths:
        response = api.client.get(f"{API}{path}", headers=api.headers)
        # then B's data never shows up, and B's rows are not found
        assert SECRET not in response.content.decode(), path
        if str(zebra.pk) in path.split("?")[0] or str(tie.pk) in path.split("?")[0]:
            assert response.status_code == 404, path
    # and writes aimed at B's rows change nothing
    before = (list(Stakeholder.objects.values()), list(Relationship.objects.values()))
    attempts = [
        api.send("put", f"/stakeholders/{zebra.pk}", {"name": "Hijacked"}),
        api.post(
            f"/stakeholders/{zebra.pk}/positions",
            {"position": "champion", "date": timezone.localdate().isoformat(), "evidence": "x"},
        ),
        api.send("put", f"/relationships/{tie.pk}", {"weight": "9"}),
        api.send("delete", f"/relationships/{tie.pk}"),
        api.post(
            "/relationships",
            {"source": land["chair"].pk, "target": zebra.pk, "kind": "funds", "evidence": "x"},
        ),
    ]
    assert [r.status_code for r in attempts] == [404, 404, 404, 404, 400]
    assert (list(Stakeholder.objects.values()), list(Relationship.objects.values())) == before


def test_figures_say_when_none_were_computed(api) -> None:
    body = api.get("/powermap/figures").json()
    assert body["computed"] is False


def test_the_power_map_is_in_the_openapi_document(client: Client) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert {
        "/api/v2/stakeholders",
        "/api/v2/stakeholders/{stakeholder_id}",
        "/api/v2/stakeholders/{stakeholder_id}/positions",
        "/api/v2/relationships",
        "/api/v2/relationships/{relationship_id}",
        "/api/v2/powermap/figures",
    } <= set(paths)
    assert any(
        p["name"] == "Idempotency-Key" for p in paths["/api/v2/relationships"]["post"]["parameters"]
    )


def test_figures_once_computed(api, coalition, land) -> None:
    from cairn.powermap.analysis import recompute_figures

    # given figures computed for a map of two stakeholders and one tie
    recompute_figures(coalition)
    # then the API says when and how, and each stakeholder's figures
    body = api.get("/powermap/figures").json()
    assert (body["computed"], body["stakeholders"], body["relationships"]) == (True, 2, 1)
    assert body["betweenness"]["method"] == "exact"
    assert body["summary"].startswith("Figures computed")
    one = api.get(f"/stakeholders/{land['chair'].pk}").json()
    assert one["figures"]["pagerank"] > 0
    page = api.get("/powermap/figures/stakeholders").json()
    rows = page["_embedded"]["cairn:stakeholder_figures"]
    # the funded chair ranks above its funder
    assert [r["name"] for r in rows] == ["Sen. Holloway", "Mutual Health"]
