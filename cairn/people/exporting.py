"""CSV export of supporters and a person's data-access report.

- `stream_people_csv`: the people a staff member may see (`selectors.visible_people`: a member
  organization only gets those who consented to share with it), streamed row by row.
- Every cell goes through `neutralize`: a cell that a spreadsheet would read as a formula (it
  starts with `=`, `+`, `-`, `@`, a tab or a carriage return — OWASP's list) gets a leading
  apostrophe, which spreadsheets show as text and do not evaluate. This also applies to phone
  numbers such as "+1555…"; the importer strips the apostrophe again, so files round-trip.
- `access_report`: everything Cairn holds about one person (details, emails with their
  subscription history, phones, addresses, tags, lists, sharing consents, source, activities),
  as one JSON document: what a person who asks "what do you hold about me" receives.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cairn.coalitions.models import Coalition, Role, StaffMember

from . import selectors
from .models import (
    Activity,
    EmailAddress,
    ListItem,
    PeopleList,
    Person,
    SharingConsent,
    SubscriptionChange,
    Tagging,
)

# What starts a formula in Excel, LibreOffice and Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = (
    "id",
    "given_name",
    "family_name",
    "email",
    "email_status",
    "phone",
    "address_line",
    "locality",
    "region",
    "postal_code",
    "country",
    "languages",
    "tags",
    "source_organization",
    "source_action",
    "custom_fields",
    "created_at",
    "modified_at",
)


def may_export(staff: StaffMember | None) -> bool:
    """Stewards export everyone, organizers those who share with their organization; viewers
    read on screen only. (`selectors.visible_people` decides *whom* each may export.)"""
    return staff is not None and staff.role in {Role.STEWARD, Role.ORGANIZER}


def neutralize(value: object) -> str:
    """The cell as text that no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


class _Line:
    """A file-like target for csv.writer that hands back what was written."""

    def write(self, value: str) -> str:
        return value


class SafeCsvWriter:
    """csv.writer whose every cell is neutralized; `row()` returns the encoded line."""

    def __init__(self) -> None:
        self._writer = csv.writer(_Line())

    def row(self, cells: Iterable[object]) -> str:
        line: str = self._writer.writerow([neutralize(cell) for cell in cells])
        return line


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


def person_row(person: Person) -> list[object]:
    """One person's export line (their primary email, phone and address)."""
    emails = list(person.emails.all())
    phones = list(person.phones.all())
    addresses = list(person.addresses.all())
    email = emails[0] if emails else None
    phone = phones[0] if phones else None
    address = addresses[0] if addresses else None
    tags = sorted(t.tag.name for t in person.taggings.all())
    source = person.source_membership.organization.name if person.source_membership else ""
    return [
        person.uuid,
        person.given_name,
        person.family_name,
        email.address if email else "",
        email.status if email else "",
        phone.number if phone else "",
        "; ".join(address.address_lines) if address else "",
        address.locality if address else "",
        address.region if address else "",
        address.postal_code if address else "",
        address.country if address else "",
        ";".join(person.languages),
        ";".join(tags),
        source,
        person.source_action,
        json.dumps(person.custom_fields, ensure_ascii=False) if person.custom_fields else "",
        _iso(person.created_at),
        _iso(person.modified_at),
    ]


def people_for_export(people: QuerySet[Person]) -> QuerySet[Person]:
    return selectors.with_details(people).prefetch_related(
        Prefetch("taggings", queryset=Tagging.objects.select_related("tag")),
        "source_membership__organization",
    )


def stream_people_csv(
    people: QuerySet[Person], chunk_size: int = 1000, sort: str = "added"
) -> Iterator[str]:
    """The header, then one line per person in the order of `sort` (a `selectors.SORTS` key),
    read from the database in chunks."""
    writer = SafeCsvWriter()
    yield "\ufeff"  # a BOM, so that Excel reads the UTF-8 that follows as UTF-8
    yield writer.row(COLUMNS)
    rows = selectors.sorted_people(people_for_export(people), sort)
    for person in rows.iterator(chunk_size=chunk_size):
        yield writer.row(person_row(person))


def export_filename(coalition: Coalition) -> str:
    return f"{coalition.slug}-people-{timezone.localdate():%Y-%m-%d}.csv"


# --- data-access report --------------------------------------------------------------------------


def access_report(*, person: Person) -> dict[str, Any]:
    """Everything Cairn holds about one person, as plain JSON-ready data."""
    emails = EmailAddress.objects.filter(person=person).order_by("-primary", "pk")
    history = SubscriptionChange.objects.filter(email__person=person).order_by("changed_at", "pk")
    changes_by_email: dict[int, list[dict[str, Any]]] = {}
    for change in history:
        changes_by_email.setdefault(change.email_id, []).append(
            {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "source": change.source,
                "changed_at": _iso(change.changed_at),
            }
        )
    static_lists = ListItem.objects.filter(person=person).select_related("people_list")
    lists = [
        {"name": item.people_list.name, "kind": "static", "added_at": _iso(item.created_at)}
        for item in static_lists.order_by("people_list__name")
    ]
    just_them = Person.objects.filter(pk=person.pk)
    for saved in PeopleList.objects.filter(
        coalition_id=person.coalition_id, kind=PeopleList.Kind.SAVED_FILTER
    ).order_by("name"):
        if selectors.apply_criteria(
            just_them, saved.query, coalition_id=person.coalition_id
        ).exists():
            lists.append({"name": saved.name, "kind": "saved filter", "added_at": ""})
    consents = SharingConsent.objects.filter(person=person).select_related(
        "membership__organization"
    )
    source = person.source_membership
    return {
        "report": "Everything this coalition holds about you",
        "generated_at": _iso(timezone.now()),
        "coalition": person.coalition.name,
        "person": {
            "id": str(person.uuid),
            "given_name": person.given_name,
            "family_name": person.family_name,
            "languages": list(person.languages),
            "custom_fields": dict(person.custom_fields),
            "created_at": _iso(person.created_at),
            "modified_at": _iso(person.modified_at),
        },
        "source": {
            "organization": source.organization.name if source else "",
            "action": person.source_action,
            "referral": person.source_referral,
        },
        "emails": [
            {
                "address": email.address,
                "primary": email.primary,
                "status": email.status,
                "history": changes_by_email.get(email.pk, []),
            }
            for email in emails
        ],
        "phones": [
            {
                "number": p.number,
                "as_typed": p.as_typed,
                "type": p.number_type,
                "primary": p.primary,
            }
            for p in person.phones.order_by("-primary", "pk")
        ],
        "addresses": [
            {
                "address_lines": list(a.address_lines),
                "locality": a.locality,
                "region": a.region,
                "postal_code": a.postal_code,
                "country": a.country,
                "primary": a.primary,
            }
            for a in person.addresses.order_by("-primary", "pk")
        ],
        "tags": [
            {"name": t.tag.name, "tagged_at": _iso(t.created_at)}
            for t in Tagging.objects.filter(person=person).select_related("tag").order_by("pk")
        ],
        "lists": lists,
        "sharing_consents": [
            {
                "organization": c.membership.organization.name,
                "granted_at": _iso(c.granted_at),
                "source": c.source,
            }
            for c in consents.order_by("granted_at", "pk")
        ],
        "activities": [
            {
                "kind": a.kind,
                "summary": a.summary,
                "occurred_at": _iso(a.occurred_at),
                "ref": a.ref,
            }
            for a in Activity.objects.filter(person=person).order_by("occurred_at", "pk")
        ],
        # Other names given with their email, kept for a steward's review (never applied).
        "other_names_given": [
            {"name": r.name, "source": r.source, "given_at": _iso(r.created_at)}
            for r in person.name_reviews.order_by("created_at", "pk")
        ],
    }


def access_report_json(*, person: Person) -> str:
    return json.dumps(access_report(person=person), ensure_ascii=False, indent=2)
