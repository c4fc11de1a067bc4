"""Reads of the API app. Every selector takes the coalition (the token's tenant) explicitly."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from cairn.coalitions.models import Coalition
from cairn.people import selectors as people_selectors
from cairn.people.models import ListItem, PeopleList, Person, Tag, Tagging

from .models import ApiToken, IdempotencyKey
from .services import hash_token


def active_token(*, raw: str) -> ApiToken | None:
    """The unrevoked token with this value, with its coalition; None for anything else."""
    if not raw or len(raw) > 200:
        return None
    return (
        ApiToken.objects.filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .select_related("coalition")
        .first()
    )


def idempotency_key(*, token: ApiToken, pk: int) -> IdempotencyKey | None:
    """A key's row as it is now (None once it was given up or expired)."""
    rows = IdempotencyKey.objects.for_coalition(token.coalition_id)
    return rows.filter(pk=pk, token=token).first()


def tokens(*, coalition: Coalition) -> QuerySet[ApiToken]:
    return ApiToken.objects.for_coalition(coalition).select_related("created_by")


def token(*, coalition: Coalition, pk: int) -> ApiToken | None:
    return ApiToken.objects.for_coalition(coalition).filter(pk=pk).first()


# --- OSDI resources: public ids are UUIDs; a malformed id finds nothing -------------------------


parse_uuid = people_selectors.parse_uuid


def people(*, coalition: Coalition) -> QuerySet[Person]:
    """Everyone in the coalition (a token acts for the whole coalition), with their details."""
    return people_selectors.with_details(Person.objects.for_coalition(coalition)).order_by("pk")


def person(*, coalition: Coalition, public_id: str) -> Person | None:
    parsed = people_selectors.parse_uuid(public_id)
    return None if parsed is None else people(coalition=coalition).filter(uuid=parsed).first()


def tags(*, coalition: Coalition) -> QuerySet[Tag]:
    return Tag.objects.for_coalition(coalition).order_by("pk")


def tag(*, coalition: Coalition, public_id: str) -> Tag | None:
    parsed = people_selectors.parse_uuid(public_id)
    return None if parsed is None else tags(coalition=coalition).filter(uuid=parsed).first()


def taggings(*, coalition: Coalition) -> QuerySet[Tagging]:
    return Tagging.objects.for_coalition(coalition).select_related("tag", "person").order_by("pk")


def tagging(*, rows: QuerySet[Tagging], public_id: str) -> Tagging | None:
    parsed = people_selectors.parse_uuid(public_id)
    return None if parsed is None else rows.filter(uuid=parsed).first()


def lists(*, coalition: Coalition) -> QuerySet[PeopleList]:
    return (
        PeopleList.objects.for_coalition(coalition)
        .annotate(static_items=Count("items"))
        .order_by("pk")
    )


def people_list(*, coalition: Coalition, public_id: str) -> PeopleList | None:
    parsed = people_selectors.parse_uuid(public_id)
    return None if parsed is None else lists(coalition=coalition).filter(uuid=parsed).first()


def list_members(*, people_list: PeopleList) -> QuerySet[Person]:
    """Who is on the list: its items' people, or whoever matches a saved filter's criteria."""
    return people_selectors.list_members(
        people_list=people_list, people=Person.objects.for_coalition(people_list.coalition_id)
    ).order_by("pk")


def list_size(*, people_list: PeopleList) -> int:
    if people_list.kind == PeopleList.Kind.STATIC:
        annotated = getattr(people_list, "static_items", None)
        return annotated if isinstance(annotated, int) else people_list.items.count()
    return list_members(people_list=people_list).count()


def static_items(*, people_list: PeopleList) -> QuerySet[ListItem]:
    return (
        ListItem.objects.filter(people_list=people_list, coalition_id=people_list.coalition_id)
        .select_related("person", "people_list")
        .order_by("pk")
    )


def static_item(*, people_list: PeopleList, public_id: str) -> ListItem | None:
    parsed = people_selectors.parse_uuid(public_id)
    if parsed is None:
        return None
    return static_items(people_list=people_list).filter(uuid=parsed).first()
