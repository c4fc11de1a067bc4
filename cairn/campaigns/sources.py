"""Engagement sources from apps that do not know about campaigns: supporters and signatures.

Each counts in the database (GROUP BY day or member) over the coalition's rows in the range.
`day_bounds`, `per_day`, `per_member` and `per_day_and_member` are shared with the other apps'
sources (narrative's content links), so every source counts days and members the same way.
These are counts, never people: no supporter's data leaves the people app this way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from cairn.coalitions.models import Coalition

from .engagement import EngagementSource, register

Daily = dict[dt.date, float]
ByMember = dict[int | None, float]
DailyByMember = dict[tuple[dt.date, int | None], float]


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def per_day(rows: QuerySet[Any], field: str) -> Daily:
    grouped = (
        rows.annotate(day=TruncDate(field)).values("day").annotate(n=Count("pk")).order_by("day")
    )
    return {row["day"]: float(row["n"]) for row in grouped}


def per_day_and_member(rows: QuerySet[Any], field: str, member: str) -> DailyByMember:
    grouped = rows.annotate(day=TruncDate(field)).values("day", member).annotate(n=Count("pk"))
    return {(row["day"], row[member]): float(row["n"]) for row in grouped.order_by()}


def per_member(rows: QuerySet[Any], field: str) -> ByMember:
    grouped = rows.values(field).annotate(n=Count("pk")).order_by(field)
    return {row[field]: float(row["n"]) for row in grouped}


def _people(coalition: Coalition, first: dt.date, last: dt.date) -> QuerySet[Any]:
    from cairn.people.models import Person

    start, end = day_bounds(first, last)
    return Person.objects.for_coalition(coalition).filter(created_at__gte=start, created_at__lt=end)


def new_supporters_per_day(coalition: Coalition, first: dt.date, last: dt.date) -> Daily:
    return per_day(_people(coalition, first, last), "created_at")


def new_supporters_by_member(coalition: Coalition, first: dt.date, last: dt.date) -> ByMember:
    return per_member(_people(coalition, first, last), "source_membership")


def new_supporters_per_day_and_member(
    coalition: Coalition, first: dt.date, last: dt.date
) -> DailyByMember:
    return per_day_and_member(_people(coalition, first, last), "created_at", "source_membership")


def _signatures(coalition: Coalition, first: dt.date, last: dt.date) -> QuerySet[Any]:
    from cairn.petitions.models import Signature

    start, end = day_bounds(first, last)
    return Signature.objects.for_coalition(coalition).filter(
        confirmed_at__gte=start, confirmed_at__lt=end, invalidated_at__isnull=True, held=False
    )  # what the petition counts: held signatures count for nothing until cleared


def signatures_per_day(coalition: Coalition, first: dt.date, last: dt.date) -> Daily:
    return per_day(_signatures(coalition, first, last), "confirmed_at")


def signatures_by_member(coalition: Coalition, first: dt.date, last: dt.date) -> ByMember:
    return per_member(_signatures(coalition, first, last), "referring_membership")


def signatures_per_day_and_member(
    coalition: Coalition, first: dt.date, last: dt.date
) -> DailyByMember:
    return per_day_and_member(
        _signatures(coalition, first, last), "confirmed_at", "referring_membership"
    )


def register_builtin_sources() -> None:
    from django.apps import apps

    if apps.is_installed("cairn.people"):
        register(
            EngagementSource(
                key="new_supporters",
                label="New supporters",
                unit="people",
                daily=new_supporters_per_day,
                by_member=new_supporters_by_member,
                daily_by_member=new_supporters_per_day_and_member,
                order=10,
            )
        )
    if apps.is_installed("cairn.petitions"):
        register(
            EngagementSource(
                key="signatures",
                label="Confirmed signatures",
                unit="signatures",
                daily=signatures_per_day,
                by_member=signatures_by_member,
                daily_by_member=signatures_per_day_and_member,
                order=20,
            )
        )
