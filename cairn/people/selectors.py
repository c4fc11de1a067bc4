"""Reads of the supporter CRM. Every selector takes the coalition, and the acting staff member
when what they may see depends on who they are (sharing consent)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, OrderBy, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from cairn.coalitions.models import Coalition, Role, StaffMember
from cairn.engines.emails import canonical_email, normalize_phone

from .models import (
    Activity,
    EmailAddress,
    ImportJob,
    ListItem,
    PeopleList,
    Person,
    PhoneNumber,
    PostalAddress,
    Tag,
    Tagging,
)


def visible_people(*, coalition: Coalition, staff: StaffMember | None) -> QuerySet[Person]:
    """The people a staff member may see: all for stewards and coalition-wide viewers; for anyone
    acting for a member organization, only those who consented to share with it."""
    people = Person.objects.for_coalition(coalition)
    if staff is None or staff.coalition_id != coalition.pk:
        return people.none()
    if staff.role == Role.STEWARD or (staff.role == Role.VIEWER and staff.membership_id is None):
        return people
    if staff.membership_id is None:
        return people.none()
    return people.filter(sharing__membership_id=staff.membership_id)


def visibility_scope(*, coalition: Coalition, staff: StaffMember | None) -> str:
    """Who `visible_people` lets `staff` see, as a word: everyone, no one, or one organization's
    sharers (for cache keys: two staff members with the same scope see the same people)."""
    if staff is None or staff.coalition_id != coalition.pk:
        return "none"
    if staff.role == Role.STEWARD or (staff.role == Role.VIEWER and staff.membership_id is None):
        return "all"
    return f"membership:{staff.membership_id}" if staff.membership_id else "none"


def import_jobs(*, coalition: Coalition, staff: StaffMember) -> QuerySet[ImportJob]:
    """The CSV imports a staff member may see: all for stewards, their organization's otherwise."""
    jobs = ImportJob.objects.for_coalition(coalition).select_related(
        "source_membership__organization", "created_by"
    )
    if staff.coalition_id != coalition.pk:
        return jobs.none()
    if staff.role == Role.STEWARD:
        return jobs
    return jobs.filter(source_membership_id=staff.membership_id or -1)


def with_details(people: QuerySet[Person]) -> QuerySet[Person]:
    """Prefetch what a person's page, export or API representation shows."""
    return people.prefetch_related(
        Prefetch("emails", queryset=EmailAddress.objects.order_by("-primary", "pk")),
        Prefetch("phones", queryset=PhoneNumber.objects.order_by("-primary", "pk")),
        Prefetch("addresses", queryset=PostalAddress.objects.order_by("-primary", "pk")),
    )


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def person_by_uuid(*, people: QuerySet[Person], uuid: str) -> Person | None:
    """The person with this public id among `people`; None for unknown or malformed ids."""
    parsed = parse_uuid(uuid)
    return None if parsed is None else with_details(people).filter(uuid=parsed).first()


def search(people: QuerySet[Person], query: str, *, coalition_id: int) -> QuerySet[Person]:
    """Name, email or phone contains `query` (case-insensitive).

    Emails and phones are matched by `pk IN (subquery)` rather than a join, so that a person with
    two matching emails is listed once without a DISTINCT over the whole result.
    """
    query = query.strip()
    if not query:
        return people
    emails = EmailAddress.objects.for_coalition(coalition_id).filter(address__icontains=query)
    if "@" in query:
        emails = EmailAddress.objects.for_coalition(coalition_id).filter(
            Q(address__icontains=query) | Q(canonical=canonical_email(query))
        )
    match = (
        Q(given_name__icontains=query)
        | Q(family_name__icontains=query)
        | Q(pk__in=emails.values("person_id"))
    )
    if digits := normalize_phone(query):
        phones = PhoneNumber.objects.for_coalition(coalition_id).filter(number__contains=digits)
        match |= Q(pk__in=phones.values("person_id"))
    return people.filter(match)


def addresses_with_postal_code(*, coalition_id: int, prefix: str) -> QuerySet[PostalAddress]:
    """Addresses whose postal code starts with `prefix` (case-insensitive): read through the
    prefix index of migration 0003 (`tests/test_list_page.py` states the plan)."""
    return PostalAddress.objects.for_coalition(coalition_id).filter(
        postal_code__istartswith=prefix.strip()
    )


def addresses_in_city(*, coalition_id: int, prefix: str) -> QuerySet[PostalAddress]:
    """Addresses whose city (locality) starts with `prefix` (case-insensitive), by its index."""
    return PostalAddress.objects.for_coalition(coalition_id).filter(
        locality__istartswith=prefix.strip()
    )


def with_postal_code(
    people: QuerySet[Person], prefix: str, *, coalition_id: int
) -> QuerySet[Person]:
    """People with an address whose postal code starts with `prefix` (listed once each)."""
    if not prefix.strip():
        return people
    addresses = addresses_with_postal_code(coalition_id=coalition_id, prefix=prefix)
    return people.filter(pk__in=addresses.values("person_id"))


def with_city(people: QuerySet[Person], prefix: str, *, coalition_id: int) -> QuerySet[Person]:
    """People with an address whose city starts with `prefix` (listed once each)."""
    if not prefix.strip():
        return people
    addresses = addresses_in_city(coalition_id=coalition_id, prefix=prefix)
    return people.filter(pk__in=addresses.values("person_id"))


def with_tag(people: QuerySet[Person], name: str, *, coalition_id: int) -> QuerySet[Person]:
    """People tagged `name` (case-insensitive; tag names are unique per coalition that way)."""
    name = name.strip()
    if not name:
        return people
    tagged = Tagging.objects.for_coalition(coalition_id).filter(tag__name__iexact=name)
    return people.filter(pk__in=tagged.values("person_id"))


# The sort keys a list page accepts, and their orders: always ending with the primary key, so
# that rows with equal names or dates keep one order from page to page. Each has an index.
SORTS: dict[str, tuple[OrderBy, ...]] = {
    "name": (
        Lower("family_name").asc(),
        Lower("given_name").asc(),
        F("pk").asc(),
    ),
    "-name": (
        Lower("family_name").desc(),
        Lower("given_name").desc(),
        F("pk").desc(),
    ),
    "added": (F("created_at").asc(), F("pk").asc()),
    "-added": (F("created_at").desc(), F("pk").desc()),
    "updated": (F("modified_at").asc(), F("pk").asc()),
    "-updated": (F("modified_at").desc(), F("pk").desc()),
}
DEFAULT_SORT = "-added"


def sort_key(value: str | None) -> str:
    """`value` if it is a known sort key, else the default: nothing else reaches ORDER BY."""
    return value if value in SORTS else DEFAULT_SORT


@dataclass(frozen=True, slots=True)
class PeopleFilter:
    """What a people list page filters on; as criteria it is a saved filter (segment)."""

    search: str = ""
    tag: str = ""
    postal_code: str = ""
    city: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.search or self.tag or self.postal_code or self.city)

    def criteria(self) -> dict[str, Any]:
        """The saved-filter criteria of this filter (the keys `apply_criteria` reads)."""
        criteria: dict[str, Any] = {}
        if self.search:
            criteria["search"] = self.search
        if self.tag:
            criteria["tags"] = [self.tag]
        if self.postal_code:
            criteria["postal_code_prefix"] = self.postal_code
        if self.city:
            criteria["city_prefix"] = self.city
        return criteria


def filter_people(
    people: QuerySet[Person], people_filter: PeopleFilter, *, coalition_id: int
) -> QuerySet[Person]:
    return apply_criteria(people, people_filter.criteria(), coalition_id=coalition_id)


def sorted_people(people: QuerySet[Person], sort: str) -> QuerySet[Person]:
    return people.order_by(*SORTS[sort_key(sort)])


def people_by_uuids(*, people: QuerySet[Person], uuids: Iterable[str]) -> list[Person] | None:
    """The people among `people` with these public ids, in pk order; None when any id is
    malformed or not among `people` (so that a caller acts on all of them or on none)."""
    maybe = {parse_uuid(value) for value in uuids}
    parsed = {value for value in maybe if value is not None}
    if len(parsed) != len(maybe):
        return None
    found = list(people.filter(uuid__in=parsed).order_by("pk"))
    return found if len(found) == len(parsed) else None


def tag_names(*, coalition: Coalition) -> list[str]:
    """The coalition's tag names, without counting their people (a list page shows them all)."""
    return list(
        Tag.objects.for_coalition(coalition).order_by("name").values_list("name", flat=True)
    )


def tags(*, coalition: Coalition) -> QuerySet[Tag]:
    return Tag.objects.for_coalition(coalition).annotate(people_count=Count("taggings"))


def taggings(*, coalition: Coalition, tag: Tag | None = None) -> QuerySet[Tagging]:
    rows = Tagging.objects.for_coalition(coalition).select_related("tag", "person")
    return rows.filter(tag=tag) if tag is not None else rows


def lists(*, coalition: Coalition) -> QuerySet[PeopleList]:
    return PeopleList.objects.for_coalition(coalition)


def list_members(*, people_list: PeopleList, people: QuerySet[Person]) -> QuerySet[Person]:
    """Who is on a list: its items, or whoever matches a saved filter's criteria."""
    if people_list.kind == PeopleList.Kind.STATIC:
        return people.filter(list_items__people_list=people_list)
    return apply_criteria(people, people_list.query, coalition_id=people_list.coalition_id)


def list_items(*, people_list: PeopleList) -> QuerySet[ListItem]:
    return ListItem.objects.filter(people_list=people_list).select_related("person")


def apply_criteria(
    people: QuerySet[Person], criteria: dict[str, Any], *, coalition_id: int
) -> QuerySet[Person]:
    """A saved filter: `search` (name, email or phone), `tags` (all of), `postal_code_prefix`,
    `city_prefix`, `country`, `subscribed`, `source_membership`. Unknown keys are ignored.

    `people` must belong to coalition `coalition_id`, which scopes the related rows looked up."""
    scope = {"coalition_id": coalition_id}
    if search_text := criteria.get("search"):
        people = search(people, str(search_text), **scope)
    for name in criteria.get("tags", []):
        people = with_tag(people, str(name), **scope)
    if prefix := criteria.get("postal_code_prefix"):
        people = with_postal_code(people, str(prefix), **scope)
    if city := criteria.get("city_prefix"):
        people = with_city(people, str(city), **scope)
    if country := criteria.get("country"):
        addresses = PostalAddress.objects.for_coalition(coalition_id).filter(
            country=str(country).upper()
        )
        people = people.filter(pk__in=addresses.values("person_id"))
    if criteria.get("subscribed"):
        subscribed = EmailAddress.objects.for_coalition(coalition_id).filter(
            status=EmailAddress.Status.SUBSCRIBED, primary=True
        )
        people = people.filter(pk__in=subscribed.values("person_id"))
    if source := criteria.get("source_membership"):
        people = people.filter(source_membership_id=source)
    return people


def timeline(*, person: Person) -> QuerySet[Activity]:
    return Activity.objects.filter(person=person)
