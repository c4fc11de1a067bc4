"""The `submissions` engagement source: form submissions per day and per member organization
that brought them (a tracked link, a member's code or a referring submitter), counted in the
database with the campaigns sources' helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from cairn.campaigns.engagement import EngagementSource
from cairn.campaigns.sources import day_bounds, per_day, per_day_and_member, per_member
from cairn.coalitions.models import Coalition

from .models import Submission


def _rows(coalition: Coalition, first: dt.date, last: dt.date) -> QuerySet[Any]:
    start, end = day_bounds(first, last)
    return Submission.objects.for_coalition(coalition).filter(
        created_at__gte=start, created_at__lt=end
    )


def submissions_per_day(
    coalition: Coalition, first: dt.date, last: dt.date
) -> dict[dt.date, float]:
    return per_day(_rows(coalition, first, last), "created_at")


def submissions_by_member(
    coalition: Coalition, first: dt.date, last: dt.date
) -> dict[int | None, float]:
    return per_member(_rows(coalition, first, last), "referring_membership")


def submissions_per_day_and_member(
    coalition: Coalition, first: dt.date, last: dt.date
) -> dict[tuple[dt.date, int | None], float]:
    return per_day_and_member(_rows(coalition, first, last), "created_at", "referring_membership")


SUBMISSIONS = EngagementSource(
    key="submissions",
    label="Form submissions",
    unit="submissions",
    daily=submissions_per_day,
    by_member=submissions_by_member,
    daily_by_member=submissions_per_day_and_member,
    order=40,
)
