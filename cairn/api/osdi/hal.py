"""HAL+JSON building blocks shared by every OSDI resource: links, dates, identifiers.

Every href is absolute, built from the request's scheme, host and port, because clients follow
`_links` verbatim (osdi appends `/taggings` to a tag's self link). Hrefs never end with a slash.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest

API_ROOT = "/api/v2"
SYSTEM = "cairn"


def href(request: HttpRequest, *segments: object) -> str:
    path = "/".join([API_ROOT, *(str(s).strip("/") for s in segments)])
    return request.build_absolute_uri(path)


def link(request: HttpRequest, *segments: object) -> dict[str, str]:
    return {"href": href(request, *segments)}


def curies(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"name": "osdi", "href": href(request, "docs") + "#{rel}", "templated": True}]


def osdi_date(value: dt.datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` in UTC: the format OSDI clients parse and compare."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identifiers(public_id: uuid.UUID | int) -> list[str]:
    """`action_network:<id>` first: both clients take the id from the first entry containing
    "action" (osdi) or the one prefixed `action_network:` (Parsons); ours follows."""
    return [f"action_network:{public_id}", f"{SYSTEM}:{public_id}"]


def resource(
    request: HttpRequest,
    *,
    public_id: uuid.UUID | int,  # petitions and signatures use their row id
    created: dt.datetime,
    modified: dt.datetime,
    self_path: tuple[object, ...],
    links: dict[str, tuple[object, ...]],
    fields: dict[str, Any],
) -> dict[str, Any]:
    """One OSDI resource: identifiers, dates, its own fields, then `_links` (self first)."""
    return {
        "identifiers": identifiers(public_id),
        "created_date": osdi_date(created),
        "modified_date": osdi_date(modified),
        **fields,
        "_links": {
            "self": link(request, *self_path),
            **{rel: link(request, *path) for rel, path in links.items()},
        },
    }
