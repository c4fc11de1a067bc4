"""OSDI tags and taggings: taggings live under their tag and are listed under their person."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from cairn.api import selectors
from cairn.api.auth import coalition_of
from cairn.coalitions.models import Coalition
from cairn.people import services
from cairn.people.models import Tag, Tagging

from . import hal
from .body import parse_payload, request_body
from .errors import not_found
from .filters import DATES, FilterField, Kind, apply_filter
from .pagination import CollectionQuery, paginate
from .people import find_person, person_from_href
from .schemas import (
    ERRORS,
    NoticeOut,
    PersonLinkedIn,
    TaggingOut,
    TaggingsCollection,
    TagIn,
    TagOut,
    TagsCollection,
)

router = Router(tags=["tags"])

TAG_FILTERS = {**DATES, "name": FilterField("name", Kind.TEXT)}


def render_tag(request: HttpRequest, tag: Tag) -> dict[str, Any]:
    return hal.resource(
        request,
        public_id=tag.uuid,
        created=tag.created_at,
        modified=tag.modified_at,
        self_path=("tags", tag.uuid),
        links={"osdi:taggings": ("tags", tag.uuid, "taggings")},
        fields={"name": tag.name},
    )


def render_tagging(request: HttpRequest, tagging: Tagging) -> dict[str, Any]:
    return hal.resource(
        request,
        public_id=tagging.uuid,
        created=tagging.created_at,
        modified=tagging.modified_at,
        self_path=("tags", tagging.tag.uuid, "taggings", tagging.uuid),
        links={
            "osdi:tag": ("tags", tagging.tag.uuid),
            "osdi:person": ("people", tagging.person.uuid),
        },
        fields={"item_type": "osdi:person"},
    )


def find_tag(coalition: Coalition, public_id: str) -> Tag:
    tag = selectors.tag(coalition=coalition, public_id=public_id)
    if tag is None:
        raise not_found("tag", public_id)
    return tag


def find_tagging(request: HttpRequest, tag: Tag, public_id: str) -> Tagging:
    rows = selectors.taggings(coalition=coalition_of(request)).filter(tag=tag)
    tagging = selectors.tagging(rows=rows, public_id=public_id)
    if tagging is None:
        raise not_found("tagging", public_id)
    return tagging


@router.get(
    "/tags",
    response={200: TagsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="List tags",
)
def list_tags(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = apply_filter(selectors.tags(coalition=coalition_of(request)), query.filter, TAG_FILTERS)
    return paginate(
        request, rows, rel="osdi:tags", render=lambda t: render_tag(request, t), query=query
    )


@router.post(
    "/tags",
    response={200: TagOut, **ERRORS},
    by_alias=True,
    summary="Create a tag (an existing name returns the existing tag)",
    openapi_extra=request_body(TagIn),
)
def create_tag(request: HttpRequest) -> dict[str, Any]:
    payload = parse_payload(request, TagIn)
    tag, _ = services.create_tag(coalition=coalition_of(request), name=payload.name)
    return render_tag(request, tag)


@router.get("/tags/{tag_id}", response={200: TagOut, **ERRORS}, by_alias=True, summary="A tag")
def get_tag(request: HttpRequest, tag_id: str) -> dict[str, Any]:
    return render_tag(request, find_tag(coalition_of(request), tag_id))


@router.get(
    "/tags/{tag_id}/taggings",
    response={200: TaggingsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The taggings of a tag",
)
def list_tag_taggings(
    request: HttpRequest, tag_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    tag = find_tag(coalition, tag_id)
    rows = apply_filter(
        selectors.taggings(coalition=coalition).filter(tag=tag), query.filter, DATES
    )
    return paginate(
        request,
        rows,
        rel="osdi:taggings",
        render=lambda t: render_tagging(request, t),
        query=query,
    )


@router.post(
    "/tags/{tag_id}/taggings",
    response={200: TaggingOut, **ERRORS},
    by_alias=True,
    summary="Tag a person (tagging twice returns the first tagging)",
    openapi_extra=request_body(PersonLinkedIn),
)
def create_tagging(request: HttpRequest, tag_id: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    tag = find_tag(coalition, tag_id)
    payload = parse_payload(request, PersonLinkedIn)
    person = person_from_href(coalition, payload.links.person.href)
    tagging, _ = services.tag_person(tag=tag, person=person)
    return render_tagging(request, tagging)


@router.get(
    "/tags/{tag_id}/taggings/{tagging_id}",
    response={200: TaggingOut, **ERRORS},
    by_alias=True,
    summary="A tagging",
)
def get_tagging(request: HttpRequest, tag_id: str, tagging_id: str) -> dict[str, Any]:
    tag = find_tag(coalition_of(request), tag_id)
    return render_tagging(request, find_tagging(request, tag, tagging_id))


@router.delete(
    "/tags/{tag_id}/taggings/{tagging_id}",
    response={200: NoticeOut, **ERRORS},
    summary="Remove a tagging",
)
def delete_tagging(request: HttpRequest, tag_id: str, tagging_id: str) -> dict[str, Any]:
    tag = find_tag(coalition_of(request), tag_id)
    services.untag_person(tagging=find_tagging(request, tag, tagging_id))
    return {"notice": "This tagging was successfully deleted."}


@router.get(
    "/people/{person_id}/taggings",
    response={200: TaggingsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The taggings of a person",
)
def list_person_taggings(
    request: HttpRequest, person_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    person = find_person(coalition, person_id)
    rows = selectors.taggings(coalition=coalition).filter(person=person)
    return paginate(
        request,
        apply_filter(rows, query.filter, DATES),
        rel="osdi:taggings",
        render=lambda t: render_tagging(request, t),
        query=query,
    )


@router.get(
    "/people/{person_id}/taggings/{tagging_id}",
    response={200: TaggingOut, **ERRORS},
    by_alias=True,
    summary="A tagging of a person",
)
def get_person_tagging(request: HttpRequest, person_id: str, tagging_id: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    person = find_person(coalition, person_id)
    rows = selectors.taggings(coalition=coalition).filter(person=person)
    tagging = selectors.tagging(rows=rows, public_id=tagging_id)
    if tagging is None:
        raise not_found("tagging", tagging_id)
    return render_tagging(request, tagging)
