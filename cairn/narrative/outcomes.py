"""Content → outcomes: what the tracked links of published items brought.

A tracked link carries `ch=c-<code>` (and `ref=m-<member>` for a member's own link) to a petition,
so the petition stores the code as the signature's channel and the member as its referring
membership. Counts are GROUP BY queries over the coalition's counted signatures (confirmed, not
invalidated, not held — what the petition counts). A *new supporter brought by content* is a
content signature whose person did not exist before that signature (the person row was created
when it was confirmed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, QuerySet

from cairn.campaigns.engagement import EngagementSource, register
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

CHANNEL_PREFIX = "c-"
MEMBER = "referring_membership"  # the member whose own link brought the signature


def content_signatures(coalition: Coalition | int) -> QuerySet[Any]:
    """The coalition's counted signatures that came through a content link."""
    from cairn.petitions.models import Signature

    return Signature.objects.for_coalition(coalition).filter(
        channel__startswith=CHANNEL_PREFIX,
        confirmed_at__isnull=False,
        invalidated_at__isnull=True,
        held=False,
    )


def content_supporters(coalition: Coalition | int) -> QuerySet[Any]:
    """Content signatures that brought a supporter new to the coalition."""
    return content_signatures(coalition).filter(
        person__isnull=False, person__created_at__gte=F("created_at")
    )


def _signatures_in(coalition: Coalition, first: dt.date, last: dt.date) -> QuerySet[Any]:
    start, end = day_bounds(first, last)
    return content_signatures(coalition).filter(confirmed_at__gte=start, confirmed_at__lt=end)


def _supporters_in(coalition: Coalition, first: dt.date, last: dt.date) -> QuerySet[Any]:
    start, end = day_bounds(first, last)
    return content_supporters(coalition).filter(
        person__created_at__gte=start, person__created_at__lt=end
    )


def signatures_per_day(coalition: Coalition, first: dt.date, last: dt.date) -> Daily:
    return per_day(_signatures_in(coalition, first, last), "confirmed_at")


def signatures_by_member(coalition: Coalition, first: dt.date, last: dt.date) -> ByMember:
    return per_member(_signatures_in(coalition, first, last), MEMBER)


def signatures_per_day_and_member(
    coalition: Coalition, first: dt.date, last: dt.date
) -> DailyByMember:
    return per_day_and_member(_signatures_in(coalition, first, last), "confirmed_at", MEMBER)


def supporters_per_day(coalition: Coalition, first: dt.date, last: dt.date) -> Daily:
    return per_day(_supporters_in(coalition, first, last), "person__created_at")


def supporters_by_member(coalition: Coalition, first: dt.date, last: dt.date) -> ByMember:
    return per_member(_supporters_in(coalition, first, last), MEMBER)


def supporters_per_day_and_member(
    coalition: Coalition, first: dt.date, last: dt.date
) -> DailyByMember:
    return per_day_and_member(_supporters_in(coalition, first, last), "person__created_at", MEMBER)


def register_sources() -> None:
    register(
        EngagementSource(
            key="content",
            label="Signatures from content",
            unit="signatures",
            daily=signatures_per_day,
            by_member=signatures_by_member,
            daily_by_member=signatures_per_day_and_member,
            order=30,
        )
    )
    register(
        EngagementSource(
            key="content_supporters",
            label="New supporters from content",
            unit="people",
            daily=supporters_per_day,
            by_member=supporters_by_member,
            daily_by_member=supporters_per_day_and_member,
            order=31,
        )
    )
