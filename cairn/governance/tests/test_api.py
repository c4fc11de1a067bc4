"""The decisions API, mounted on a test API with the real token auth and error handling (the
lead mounts the same router on the OSDI API)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI

from cairn.api import services as api_services
from cairn.api.auth import OsdiToken
from cairn.api.osdi.errors import ApiError
from cairn.governance import api as governance_api
from cairn.governance import services
from cairn.governance.models import Proposal, ResultsVisibility, Vote

test_api = NinjaAPI(auth=OsdiToken(), urls_namespace="governance-api-test")
test_api.add_router("", governance_api.build_router())


@test_api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return test_api.create_response(request, {"error": exc.message}, status=exc.status)


urlpatterns = [path("api/v2/", test_api.urls)]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def token_for(group, user):
    return api_services.create_token(coalition=group.coalition, name="t", created_by=user).raw


def headers(raw):
    return {"HTTP_OSDI_API_TOKEN": raw}


def test_a_steward_token_drafts_and_opens_a_proposal(client, assembly):
    raw = token_for(assembly, assembly.steward.user)
    response = client.post(
        "/api/v2/proposals",
        {
            "title": "Pick a day of action",
            "template": "poll",
            "closes_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
            "options": [{"label": "Monday"}, {"label": "Friday"}],
            "open": True,
        },
        content_type="application/json",
        **headers(raw),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "open"
    assert [o["label"] for o in body["options"]] == ["Monday", "Friday"]
    assert body["_links"]["cairn:votes"]["href"].endswith("/votes")
    listing = client.get("/api/v2/proposals", **headers(raw)).json()
    assert listing["total_records"] == 1


def test_an_organizer_token_votes_for_its_organization(client, assembly, open_proposal):
    proposal = open_proposal(assembly, "majority")
    raw = token_for(assembly, assembly.organizers[0].user)
    url = f"/api/v2/proposals/{proposal.uuid}/votes"
    for position in ("agree", "disagree"):
        response = client.post(
            url,
            {"ballot": {"position": position}, "reason": "via API"},
            content_type="application/json",
            **headers(raw),
        )
        assert response.status_code == 200, response.content
    assert Vote.objects.get(proposal=proposal).ballot == {"position": "disagree"}
    votes = client.get(url, **headers(raw)).json()["_embedded"]["cairn:votes"]
    assert [v["changes"] for v in votes] == [1]
    results = client.get(f"/api/v2/proposals/{proposal.uuid}/results", **headers(raw)).json()
    assert results["voters"] == 1
    # a steward's token cannot draft for an organizer, and an organizer cannot draft
    refused = client.post(
        "/api/v2/proposals",
        {"title": "x", "template": "poll", "closes_at": timezone.now().isoformat()},
        content_type="application/json",
        **headers(raw),
    )
    assert refused.status_code == 403


def test_hidden_results_stay_hidden_and_other_coalitions_are_not_found(
    client, assembly, assembly_factory, open_proposal
):
    proposal = open_proposal(assembly, "majority", results_visibility=ResultsVisibility.AFTER_CLOSE)
    services.cast_vote(
        proposal=proposal, staff=assembly.organizers[0], ballot={"position": "agree"}
    )
    raw = token_for(assembly, assembly.steward.user)
    assert (
        client.get(f"/api/v2/proposals/{proposal.uuid}/results", **headers(raw)).status_code == 403
    )
    votes = client.get(f"/api/v2/proposals/{proposal.uuid}/votes", **headers(raw)).json()
    assert votes["total_records"] == 0
    other = assembly_factory(members=1)
    theirs = token_for(other, other.steward.user)
    assert client.get(f"/api/v2/proposals/{proposal.uuid}", **headers(theirs)).status_code == 404
    assert client.get("/api/v2/proposals/not-a-uuid", **headers(theirs)).status_code == 404


def test_an_outcome_is_recorded_through_the_api(client, assembly, open_proposal):
    proposal = open_proposal(assembly, "consent")
    services.close_proposal(proposal=proposal, by=None)
    raw = token_for(assembly, assembly.steward.user)
    response = client.post(
        f"/api/v2/proposals/{proposal.uuid}/outcome",
        {"statement": "Adopted.", "review_on": "2027-01-31"},
        content_type="application/json",
        **headers(raw),
    )
    assert response.status_code == 200, response.content
    assert response.json()["review_on"] == "2027-01-31"
    got = client.get(f"/api/v2/proposals/{proposal.uuid}/outcome", **headers(raw)).json()
    assert got["statement"] == "Adopted."
    assert Proposal.objects.get(pk=proposal.pk).outcome.statement == "Adopted."
