"""Reads of the supporter CRM. Every selector takes the coalition, and the acting staff member
when what they may see depends on who they are (sharing consent)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

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


def search(people: QuerySet[Person], query: str) -> QuerySet[Person]:
    """Name, email or phone contains `query` (case-insensitive)."""
    query = query.strip()
    if not query:
        return people
    match = (
        Q(given_name__icontains=query)
        | Q(family_name__icontains=query)
        | Q(emails__address__icontains=query)
    )
    if "@" in query:
        match |= Q(emails__canonical=canonical_email(query))
    if normalize_phone(query):
        match |= Q(phones__number__contains=normalize_phone(query))
    return people.filter(match).distinct()


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
    return apply_criteria(people, people_list.query)


def list_items(*, people_list: PeopleList) -> QuerySet[ListItem]:
    return ListItem.objects.filter(people_list=people_list).select_related("person")


def apply_criteria(people: QuerySet[Person], criteria: dict[str, Any]) -> QuerySet[Person]:
    """A saved filter: `tags` (all of), `postal_code_prefix`, `country`, `subscribed`, `source`."""
    for name in criteria.get("tags", []):
        people = people.filter(taggings__tag__name__iexact=name)
    if prefix := criteria.get("postal_code_prefix"):
        people = people.filter(addresses__postal_code__startswith=prefix)
    if country := criteria.get("country"):
        people = people.filter(addresses__country=str(country).upper())
    if criteria.get("subscribed"):
        people = people.filter(emails__status=EmailAddress.Status.SUBSCRIBED, emails__primary=True)
    if source := criteria.get("source_membership"):
        people = people.filter(source_membership_id=source)
    return people.distinct()


def timeline(*, person: Person) -> QuerySet[Activity]:
    return Activity.objects.filter(person=person)
