"""OSDI lists and items. A static list's items are its rows; a saved filter's items are virtual,
one per matching person, with the person's id (its members follow from the criteria)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from cairn.api import selectors
from cairn.api.auth import coalition_of
from cairn.coalitions.models import Coalition
from cairn.people import services
from cairn.people.models import ListItem, PeopleList, Person

from . import hal
from .body import parse_payload, request_body
from .errors import ApiError, not_found
from .filters import DATES, FilterField, Kind, apply_filter
from .pagination import CollectionQuery, paginate
from .people import person_from_href
from .schemas import (
    ERRORS,
    ItemOut,
    ItemsCollection,
    ListOut,
    ListsCollection,
    NoticeOut,
    PersonLinkedIn,
)

router = Router(tags=["lists"])

LIST_FILTERS = {**DATES, "name": FilterField("name", Kind.TEXT)}


def render_list(request: HttpRequest, people_list: PeopleList) -> dict[str, Any]:
    return hal.resource(
        request,
        public_id=people_list.uuid,
        created=people_list.created_at,
        modified=people_list.modified_at,
        self_path=("lists", people_list.uuid),
        links={"osdi:items": ("lists", people_list.uuid, "items")},
        fields={
            "name": people_list.name,
            "title": people_list.name,
            "description": people_list.description,
            "type": people_list.kind,
            "total_items": selectors.list_size(people_list=people_list),
        },
    )


def render_item(request: HttpRequest, item: ListItem) -> dict[str, Any]:
    return _item(request, item.people_list, item, item.person)


def render_member(request: HttpRequest, people_list: PeopleList, person: Person) -> dict[str, Any]:
    return _item(request, people_list, person, person)


def _item(
    request: HttpRequest, people_list: PeopleList, row: ListItem | Person, person: Person
) -> dict[str, Any]:
    return hal.resource(
        request,
        public_id=row.uuid,
        created=row.created_at,
        modified=row.modified_at,
        self_path=("lists", people_list.uuid, "items", row.uuid),
        links={"osdi:list": ("lists", people_list.uuid), "osdi:person": ("people", person.uuid)},
        fields={"item_type": "osdi:person"},
    )


def find_list(coalition: Coalition, public_id: str) -> PeopleList:
    people_list = selectors.people_list(coalition=coalition, public_id=public_id)
    if people_list is None:
        raise not_found("list", public_id)
    return people_list


@router.get(
    "/lists",
    response={200: ListsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="List lists (static lists and saved filters)",
)
def list_lists(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = apply_filter(
        selectors.lists(coalition=coalition_of(request)), query.filter, LIST_FILTERS
    )
    return paginate(
        request, rows, rel="osdi:lists", render=lambda row: render_list(request, row), query=query
    )


@router.get("/lists/{list_id}", response={200: ListOut, **ERRORS}, by_alias=True, summary="A list")
def get_list(request: HttpRequest, list_id: str) -> dict[str, Any]:
    return render_list(request, find_list(coalition_of(request), list_id))


@router.get(
    "/lists/{list_id}/items",
    response={200: ItemsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The items of a list",
)
def list_items(request: HttpRequest, list_id: str, query: Query[CollectionQuery]) -> dict[str, Any]:
    people_list = find_list(coalition_of(request), list_id)
    if people_list.kind == PeopleList.Kind.STATIC:
        items = apply_filter(selectors.static_items(people_list=people_list), query.filter, DATES)
        return paginate(
            request,
            items,
            rel="osdi:items",
            render=lambda item: render_item(request, item),
            query=query,
        )
    members = apply_filter(selectors.list_members(people_list=people_list), query.filter, DATES)
    return paginate(
        request,
        members,
        rel="osdi:items",
        render=lambda person: render_member(request, people_list, person),
        query=query,
    )


@router.post(
    "/lists/{list_id}/items",
    response={200: ItemOut, **ERRORS},
    by_alias=True,
    summary="Add a person to a static list (adding twice returns the first item)",
    openapi_extra=request_body(PersonLinkedIn),
)
def create_item(request: HttpRequest, list_id: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    people_list = find_list(coalition, list_id)
    payload = parse_payload(request, PersonLinkedIn)
    person = person_from_href(coalition, payload.links.person.href)
    item, _ = services.add_to_list(people_list=people_list, person=person)
    return render_item(request, item)


@router.get(
    "/lists/{list_id}/items/{item_id}",
    response={200: ItemOut, **ERRORS},
    by_alias=True,
    summary="An item of a list",
)
def get_item(request: HttpRequest, list_id: str, item_id: str) -> dict[str, Any]:
    people_list = find_list(coalition_of(request), list_id)
    if people_list.kind == PeopleList.Kind.STATIC:
        item = selectors.static_item(people_list=people_list, public_id=item_id)
        if item is None:
            raise not_found("item", item_id)
        return render_item(request, item)
    parsed = selectors.parse_uuid(item_id)
    member = None
    if parsed is not None:
        member = selectors.list_members(people_list=people_list).filter(uuid=parsed).first()
    if member is None:
        raise not_found("item", item_id)
    return render_member(request, people_list, member)


@router.delete(
    "/lists/{list_id}/items/{item_id}",
    response={200: NoticeOut, **ERRORS},
    summary="Remove a person from a static list",
)
def delete_item(request: HttpRequest, list_id: str, item_id: str) -> dict[str, Any]:
    people_list = find_list(coalition_of(request), list_id)
    item = selectors.static_item(people_list=people_list, public_id=item_id)
    if item is None:
        if people_list.kind != PeopleList.Kind.STATIC:
            raise ApiError(400, "A saved filter's members follow from its criteria.")
        raise not_found("item", item_id)
    services.remove_from_list(item=item)
    return {"notice": "This item was successfully deleted."}
