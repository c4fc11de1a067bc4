"""Engagement sources of letter and call campaigns: outreaches per day and member organization.

Counted with the campaigns sources' helpers, from the outreach rows (an erased supporter's
outreach still counts: the row stays, only its personal data go).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from cairn.campaigns.engagement import EngagementSource
from cairn.campaigns.sources import (
    ByMember,
    Daily,
    DailyByMember,
    day_bounds,
    per_day,
    per_day_and_member,
    per_member,
)
from cairn.coalitions.models import Coalition

from .models import Action, Outreach


def _rows(coalition: Coalition, first: dt.date, last: dt.date, action: str) -> QuerySet[Any]:
    start, end = day_bounds(first, last)
    return Outreach.objects.for_coalition(coalition).filter(
        action=action, created_at__gte=start, created_at__lt=end
    )


def letters_per_day(coalition: Coalition, first: dt.date, last: dt.date) -> Daily:
    return per_day(_rows(coalition, first, last, Action.LETTER), "created_at")


def letters_by_member(coalition: Coalition, first: dt.date, last: dt.date) -> ByMember:
    return per_member(_rows(coalition, first, last, Action.LETTER), "referring_membership")


def letters_per_day_and_member(
    coalition: Coalition, first: dt.date, last: dt.date
) -> DailyByMember:
    return per_day_and_member(
        _rows(coalition, first, last, Action.LETTER), "created_at", "referring_membership"
    )


def calls_per_day(coalition: Coalition, first: dt.date, last: dt.date) -> Daily:
    return per_day(_rows(coalition, first, last, Action.CALL), "created_at")


def calls_by_member(coalition: Coalition, first: dt.date, last: dt.date) -> ByMember:
    return per_member(_rows(coalition, first, last, Action.CALL), "referring_membership")


def calls_per_day_and_member(coalition: Coalition, first: dt.date, last: dt.date) -> DailyByMember:
    return per_day_and_member(
        _rows(coalition, first, last, Action.CALL), "created_at", "referring_membership"
    )


SOURCES = [
    EngagementSource(
        key="letters",
        label="Letters to decision-makers",
        unit="letters",
        daily=letters_per_day,
        by_member=letters_by_member,
        daily_by_member=letters_per_day_and_member,
        order=40,
    ),
    EngagementSource(
        key="calls",
        label="Calls to decision-makers",
        unit="calls",
        daily=calls_per_day,
        by_member=calls_by_member,
        daily_by_member=calls_per_day_and_member,
        order=41,
    ),
]
