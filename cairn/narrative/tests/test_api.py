"""The narrative API: frameworks, versions with their JSON, approved content; scoped by token."""

from __future__ import annotations

import pytest
from django.test import Client

from cairn.api import services as api_services
from cairn.narrative import services
from cairn.narrative.models import ContentItem

from .test_content import in_review

pytestmark = pytest.mark.django_db
API = "/api/v2"


def get(coalition, path):
    raw = api_services.create_token(coalition=coalition, name="t", created_by=None).raw
    return Client().get(f"{API}{path}", headers={"OSDI-API-Token": raw})


def test_frameworks_and_the_adopted_versions_json(world):
    listing = get(world.coalition, "/narrative/frameworks").json()
    framework = listing["_embedded"]["cairn:frameworks"][0]
    assert framework["name"] == "Crisis care narrative"
    assert framework["adopted_version"] == 1
    version = get(world.coalition, f"/narrative/frameworks/{world.framework.pk}/versions/1").json()
    assert version["status"] == "adopted"
    assert version["framework"] == world.version.content
    assert [p["id"] for p in version["framework"]["pillars"]] == ["beds", "response", "funding"]


def test_only_approved_and_published_content_is_listed(world):
    approved = in_review(world)
    services.approve_item(item=approved, by=world.steward)
    in_review(world)  # in review: not listed
    body = get(world.coalition, "/narrative/content").json()
    items = body["_embedded"]["cairn:content"]
    assert [i["identifiers"][0].endswith(f":{approved.pk}") for i in items] == [True]
    assert items[0]["checked_against_version"] == 1
    assert items[0]["state"] == ContentItem.State.APPROVED


def test_another_coalitions_token_finds_nothing(world, coalition_factory):
    other = coalition_factory()
    item = in_review(world)
    services.approve_item(item=item, by=world.steward)
    assert get(other, f"/narrative/frameworks/{world.framework.pk}").status_code == 404
    assert get(other, f"/narrative/frameworks/{world.framework.pk}/versions/1").status_code == 404
    assert get(other, f"/narrative/content/{item.pk}").status_code == 404
    assert get(other, "/narrative/content").json()["_embedded"]["cairn:content"] == []


def test_the_openapi_document_has_the_narrative(db):
    paths = Client().get(f"{API}/openapi.json").json()["paths"]
    assert "/api/v2/narrative/frameworks/{framework_id}/versions/{version_number}" in paths
    assert "/api/v2/narrative/content" in paths


def test_content_is_filtered_by_kind_and_state(world):
    item = in_review(world)
    services.approve_item(item=item, by=world.steward)
    published = "/narrative/content?filter=state eq 'published'"
    assert get(world.coalition, published).json()["_embedded"]["cairn:content"] == []
    posts = get(world.coalition, "/narrative/content?filter=kind eq 'social_post'").json()
    assert [i["title"] for i in posts["_embedded"]["cairn:content"]] == ["Beds now"]
    refused = get(world.coalition, "/narrative/content?filter=body eq 'x'")
    assert refused.status_code == 400
