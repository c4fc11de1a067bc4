"""The API entry point (AEP): what this server offers, as links.

A resource module adds its collections to `COLLECTIONS` (link relation → path under /api/v2).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from . import hal
from .pagination import MAX_PER_PAGE
from .schemas import ERRORS

router = Router(tags=["entry point"])

COLLECTIONS: dict[str, str] = {
    "osdi:people": "people",
    "osdi:person_signup_helper": "people",
    "osdi:tags": "tags",
    "osdi:lists": "lists",
    "osdi:petitions": "petitions",
    "osdi:forms": "forms",
    "osdi:surveys": "surveys",
    "osdi:advocacy_campaigns": "advocacy_campaigns",
    "osdi:events": "events",
    "osdi:event_campaigns": "event_campaigns",
    "osdi:fundraising_pages": "fundraising_pages",
    "osdi:donations": "donations",
    "cairn:proposals": "proposals",
    "cairn:campaigns": "campaigns",
    "cairn:frameworks": "narrative/frameworks",
    "cairn:content": "narrative/content",
    "cairn:stakeholders": "stakeholders",
    "cairn:relationships": "relationships",
}


@router.get(
    "/", response={200: dict[str, Any], **ERRORS}, url_name="api-root", summary="Entry point"
)
def entry_point(request: HttpRequest) -> dict[str, Any]:
    return {
        "motd": (
            "Cairn's OSDI API: people, tags, taggings, lists and items; petitions and signatures; "
            "forms and submissions, surveys; advocacy campaigns and outreaches; events and "
            "attendances; event campaigns and their events; fundraising pages and donations; "
            "decisions (proposals, votes, outcomes); campaigns, narrative and the power map."
        ),
        "vendor_name": "Cairn",
        "product_name": "Cairn",
        "osdi_version": "1.1.1",
        "max_pagesize": MAX_PER_PAGE,
        "_links": {
            "self": hal.link(request),
            **{rel: hal.link(request, path) for rel, path in COLLECTIONS.items()},
            "docs": hal.link(request, "docs"),
            "curies": hal.curies(request),
        },
    }
