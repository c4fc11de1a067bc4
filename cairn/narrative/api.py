"""The narrative in the JSON API: frameworks, their versions (the framework JSON each holds, in
Cairn's export format), and approved content, as HAL resources in the style of cairn.api.osdi.

Mounted with `api.add_router("", cairn.narrative.api.router)` in cairn/api/osdi/api.py. Every read
goes through a query scoped by the token's coalition: another coalition's framework, version or
item is a 404. Read-only: content is written and reviewed on the pages, where the check runs.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from cairn.api.auth import coalition_of
from cairn.api.osdi import hal
from cairn.api.osdi.errors import not_found
from cairn.api.osdi.filters import FilterField, Kind, apply_filter
from cairn.api.osdi.pagination import CollectionQuery, paginate
from cairn.api.osdi.schemas import ERRORS
from cairn.coalitions.models import Coalition

from .models import ContentItem, Framework, FrameworkVersion

router = Router(tags=["narrative"])

_GET: dict[str, Any] = {"response": {200: dict[str, Any], **ERRORS}, "exclude_unset": True}
FRAMEWORK_FILTERS = {"created_date": FilterField("created_at", Kind.DATETIME)}
VERSION_FILTERS = {
    "created_date": FilterField("created_at", Kind.DATETIME),
    "modified_date": FilterField("updated_at", Kind.DATETIME),
}
CONTENT_FILTERS = {
    "created_date": FilterField("created_at", Kind.DATETIME),
    "modified_date": FilterField("updated_at", Kind.DATETIME),
    "kind": FilterField("kind", Kind.TEXT),  # social_post, email, press_release, op_ed, …
    "channel": FilterField("channel", Kind.TEXT),  # x, bluesky, facebook, sms, …
    "state": FilterField("state", Kind.TEXT),  # approved or published
    "pillar": FilterField("pillar", Kind.TEXT),  # a pillar id of the framework
}
# What the API shows of content: what a member may send out.
SHOWN_STATES = (ContentItem.State.APPROVED, ContentItem.State.PUBLISHED)


def _pk(public_id: str) -> int | None:
    return int(public_id) if public_id.isdigit() and len(public_id) < 12 else None


def _frameworks(coalition: Coalition) -> QuerySet[Framework]:
    return Framework.objects.for_coalition(coalition).select_related("campaign").order_by("pk")


def _find_framework(coalition: Coalition, framework_id: str) -> Framework:
    pk = _pk(framework_id)
    row = None if pk is None else _frameworks(coalition).filter(pk=pk).first()
    if row is None:
        raise not_found("framework", framework_id)
    return row


def _versions(framework: Framework) -> QuerySet[FrameworkVersion]:
    return FrameworkVersion.objects.for_coalition(framework.coalition_id).filter(
        framework=framework
    )


def _content(coalition: Coalition) -> QuerySet[ContentItem]:
    return (
        ContentItem.objects.for_coalition(coalition)
        .filter(state__in=SHOWN_STATES)
        .select_related("membership__organization")
        .prefetch_related("approvals__version")
        .order_by("pk")
    )


def render_framework(request: HttpRequest, framework: Framework) -> dict[str, Any]:
    adopted = _versions(framework).filter(status=FrameworkVersion.Status.ADOPTED).first()
    path: tuple[object, ...] = ("narrative", "frameworks", framework.pk)
    links: dict[str, tuple[object, ...]] = {"cairn:versions": (*path, "versions")}
    if adopted is not None:
        links["cairn:adopted_version"] = (*path, "versions", adopted.number)
    return hal.resource(
        request,
        public_id=framework.pk,
        created=framework.created_at,
        modified=framework.created_at,
        self_path=path,
        links=links,
        fields={
            "name": framework.name,
            "campaign": framework.campaign_id,
            "adopted_version": adopted.number if adopted else None,
        },
    )


def render_version(request: HttpRequest, version: FrameworkVersion) -> dict[str, Any]:
    path = ("narrative", "frameworks", version.framework_id, "versions", version.number)
    return hal.resource(
        request,
        public_id=version.pk,
        created=version.created_at,
        modified=version.updated_at,
        self_path=path,
        links={"cairn:framework": ("narrative", "frameworks", version.framework_id)},
        fields={
            "number": version.number,
            "status": version.status,
            "note": version.note,
            "proposed_date": hal.osdi_date(version.proposed_at) if version.proposed_at else None,
            "adopted_date": hal.osdi_date(version.adopted_at) if version.adopted_at else None,
            "framework": version.content,
        },
    )


def render_item(request: HttpRequest, item: ContentItem) -> dict[str, Any]:
    approval = next(iter(item.approvals.all()), None)  # newest first
    return hal.resource(
        request,
        public_id=item.pk,
        created=item.created_at,
        modified=item.updated_at,
        self_path=("narrative", "content", item.pk),
        links={
            "cairn:framework": ("narrative", "frameworks", item.framework_id),
            "cairn:campaign": ("campaigns", item.campaign_id),
        },
        fields={
            "title": item.title,
            "kind": item.kind,
            "channel": item.channel,
            "body": item.body,
            "state": item.state,
            "pillar": item.pillar,
            "campaign": item.campaign_id,
            "speaks_for": item.membership.organization.name if item.membership else None,
            "approved_date": hal.osdi_date(item.approved_at) if item.approved_at else None,
            "published_date": hal.osdi_date(item.published_at) if item.published_at else None,
            "checked_against_version": approval.version.number if approval else None,
        },
    )


@router.get("/narrative/frameworks", **_GET, summary="List narrative frameworks")
def list_frameworks(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = _frameworks(coalition_of(request))
    return paginate(
        request,
        apply_filter(rows, query.filter, FRAMEWORK_FILTERS),
        rel="cairn:frameworks",
        render=lambda f: render_framework(request, f),
        query=query,
    )


@router.get(
    "/narrative/frameworks/{framework_id}",
    **_GET,
    summary="A narrative framework and the version in effect",
)
def get_framework(request: HttpRequest, framework_id: str) -> dict[str, Any]:
    return render_framework(request, _find_framework(coalition_of(request), framework_id))


@router.get(
    "/narrative/frameworks/{framework_id}/versions",
    **_GET,
    summary="The versions of a framework, newest first, each with its framework JSON",
)
def list_versions(
    request: HttpRequest, framework_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    framework = _find_framework(coalition_of(request), framework_id)
    return paginate(
        request,
        apply_filter(_versions(framework).order_by("-number"), query.filter, VERSION_FILTERS),
        rel="cairn:versions",
        render=lambda v: render_version(request, v),
        query=query,
    )


@router.get(
    "/narrative/frameworks/{framework_id}/versions/{version_number}",
    **_GET,
    summary="One version: its status, dates and framework JSON (Cairn's export format)",
)
def get_version(request: HttpRequest, framework_id: str, version_number: str) -> dict[str, Any]:
    framework = _find_framework(coalition_of(request), framework_id)
    number = _pk(version_number)
    row = None if number is None else _versions(framework).filter(number=number).first()
    if row is None:
        raise not_found("version", version_number)
    return render_version(request, row)


@router.get(
    "/narrative/content",
    **_GET,
    summary="Approved and published content, with the version each was checked against",
)
def list_content(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = _content(coalition_of(request))
    return paginate(
        request,
        apply_filter(rows, query.filter, CONTENT_FILTERS),
        rel="cairn:content",
        render=lambda i: render_item(request, i),
        query=query,
    )


@router.get("/narrative/content/{content_id}", **_GET, summary="One approved or published item")
def get_content(request: HttpRequest, content_id: str) -> dict[str, Any]:
    pk = _pk(content_id)
    row = None if pk is None else _content(coalition_of(request)).filter(pk=pk).first()
    if row is None:
        raise not_found("content item", content_id)
    return render_item(request, row)
