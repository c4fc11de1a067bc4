"""The audit's JSON API: runs, profiles by visibility, a member's trend, thresholds, OpenAPI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cairn.api import services as api_services
from cairn.audit import services
from cairn.audit.models import Audit, AuditPolicy
from cairn.coalitions.models import StaffMember

from .conftest import Hand, fixed_similarities

pytestmark = pytest.mark.django_db
API = "/api/v2"


class Api:
    def __init__(self, hand: Hand, staff: StaffMember | None) -> None:
        user = staff.user if staff is not None else None
        self.token = api_services.create_token(
            coalition=hand.coalition, name="t", created_by=user
        ).raw
        self.client = Client()

    def get(self, path: str) -> Any:
        return self.client.get(f"{API}{path}", headers={"OSDI-API-Token": self.token})

    def post(self, path: str) -> Any:
        return self.client.post(
            f"{API}{path}", data="{}", content_type="application/json",
            headers={"OSDI-API-Token": self.token},
        )  # fmt: skip


@pytest.fixture
def audited(hand: Hand) -> Hand:
    services.audit_partnerships(coalition=hand.coalition, similarities=fixed_similarities)
    return hand


def names(body: dict[str, Any]) -> list[str]:
    return [p["organization"] for p in body["_embedded"]["cairn:profiles"]]


def test_a_steward_token_reads_every_profile_with_its_factors(audited: Hand) -> None:
    api = Api(audited, audited.steward)
    runs = api.get("/audit/runs").json()
    assert runs["total_records"] == 1
    run = runs["_embedded"]["cairn:audits"][0]
    assert run["classes"] == {"mission_aligned": 1, "transactional": 1, "dormant": 1}
    run_id = run["identifiers"][1].split(":")[1]
    profiles = api.get(f"/audit/runs/{run_id}/profiles").json()
    assert names(profiles) == ["Aligned Org", "Dormant Org", "Transactional Org"]
    transactional = profiles["_embedded"]["cairn:profiles"][2]
    assert transactional["class"] == "transactional"
    assert transactional["decided_by"] == [
        "mission_similarity",
        "delivery_on_time",
        "participation",
    ]
    assert transactional["evidence"]["supporters"]["pooled_accessible"] == 2
    one = api.get(f"/audit/runs/{run_id}/profiles/{audited.aligned.pk}").json()
    assert one["evidence"]["decisions"] == {"eligible": 2, "cast": 2}
    trend = api.get(f"/audit/members/{audited.aligned.pk}").json()
    assert [(p["number"], p["class"]) for p in trend["profiles"]] == [(1, "mission_aligned")]


def test_an_organizer_token_sees_its_own_profile_unless_profiles_are_shared(
    audited: Hand,
) -> None:
    api = Api(audited, audited.organizers["aligned"])
    run = f"/audit/runs/{Audit.objects.get().pk}"
    assert names(api.get(f"{run}/profiles").json()) == ["Aligned Org"]
    assert "classes" not in api.get(run).json()
    other = audited.dormant.pk
    assert api.get(f"{run}/profiles/{other}").status_code == 404
    assert api.get(f"/audit/members/{other}").status_code == 404
    # and it may not run the audit: nothing written
    assert api.post("/audit/runs").status_code == 403
    assert Audit.objects.count() == 1
    AuditPolicy.objects.filter(coalition=audited.coalition).update(share_profiles=True)
    assert len(names(api.get(f"{run}/profiles").json())) == 3


def test_a_steward_token_runs_the_audit(audited: Hand, monkeypatch: pytest.MonkeyPatch) -> None:
    from cairn.audit import evidence

    monkeypatch.setattr(evidence, "default_similarities", fixed_similarities)
    response = Api(audited, None).post("/audit/runs")  # the operator's token acts as stewards
    assert response.status_code == 201
    assert (response.json()["number"], response.json()["trigger"]) == (2, "api")


def test_another_coalitions_token_finds_nothing(audited: Hand, coalition_factory: Any) -> None:
    stranger = Hand.__new__(Hand)
    stranger.coalition = coalition_factory()
    api = Api(stranger, None)
    assert api.get("/audit/runs").json()["total_records"] == 0
    assert api.get(f"/audit/runs/{Audit.objects.get().pk}").status_code == 404
    assert api.get(f"/audit/members/{audited.aligned.pk}").status_code == 404
    assert "Aligned" not in json.dumps(api.get("/audit/thresholds").json())


def test_the_audit_is_in_the_openapi_document(client: Client) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert {
        "/api/v2/audit/runs",
        "/api/v2/audit/runs/{audit_id}",
        "/api/v2/audit/runs/{audit_id}/profiles",
        "/api/v2/audit/runs/{audit_id}/profiles/{member_id}",
        "/api/v2/audit/members/{member_id}",
        "/api/v2/audit/thresholds",
    } <= set(paths)
