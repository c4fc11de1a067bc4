"""OSDI collections: `page`/`per_page` (25 at most), totals, absolute `next`/`prev` links and an
`_embedded` object with exactly one key, present even when the page is empty."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Schema
from pydantic import Field

from . import hal

M = TypeVar("M", bound=Model)

MAX_PER_PAGE = 25
# Query parameters that never travel into a link (a token in an href ends up in logs).
PRIVATE_PARAMS = {"osdi-api-token"}


class CollectionQuery(Schema):
    # A page outside 1…total_pages is an empty page (200 with []), as OSDI clients expect.
    page: int = Field(1, ge=-(10**9), le=10**9, description="Page number, from 1.")
    per_page: int = Field(
        MAX_PER_PAGE, ge=1, le=10**9, description=f"Records per page; at most {MAX_PER_PAGE}."
    )
    filter: str | None = Field(
        None,
        max_length=2000,
        description="OData subset: `field eq|gt|lt|ge|le 'value'` joined by ` and `.",
    )


def page_href(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    for name in PRIVATE_PARAMS:
        params.pop(name, None)
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def paginate(
    request: HttpRequest,
    rows: QuerySet[M],
    *,
    rel: str,
    render: Callable[[M], dict[str, Any]],
    query: CollectionQuery,
) -> dict[str, Any]:
    """One page of `rows` as an OSDI collection embedded under `rel` (e.g. `osdi:people`)."""
    per_page = min(query.per_page, MAX_PER_PAGE)
    total = rows.count()
    total_pages = math.ceil(total / per_page)
    start = (query.page - 1) * per_page
    in_range = 1 <= query.page <= total_pages
    records = [render(row) for row in rows[start : start + per_page]] if in_range else []
    links: dict[str, Any] = {"self": {"href": page_href(request, query.page)}}
    if 1 <= query.page < total_pages:
        links["next"] = {"href": page_href(request, query.page + 1)}
    if 1 < query.page <= total_pages:
        links["prev"] = {"href": page_href(request, query.page - 1)}
    links["curies"] = hal.curies(request)
    return {
        "total_pages": total_pages,
        "per_page": per_page,
        "page": query.page,
        "total_records": total,
        "_links": links,
        "_embedded": {rel: records},
    }
