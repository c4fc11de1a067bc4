"""The entry point and the OpenAPI description name every resource the API serves (issue 15's
forms, advocacy campaigns, events and event campaigns among them)."""

from __future__ import annotations

from cairn.api.osdi.api import api
from cairn.api.osdi.entry import COLLECTIONS

SERVED = ("forms", "advocacy campaigns", "outreaches", "events", "attendances", "event campaigns")


def test_the_entry_point_and_the_description_name_every_resource(osdi):
    body = osdi.get("/api/v2/").json()
    for rel in ("osdi:forms", "osdi:advocacy_campaigns", "osdi:events", "osdi:event_campaigns"):
        assert rel in COLLECTIONS
        assert body["_links"][rel]["href"].endswith("/api/v2/" + COLLECTIONS[rel])
    motd = body["motd"].lower()
    description = api.get_openapi_schema()["info"]["description"].lower()
    for resource in SERVED:
        assert resource in motd, resource
        assert resource in description, resource
    assert "deliver: true" in description
