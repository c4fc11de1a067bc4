"""Fundraising's engagement sources for the campaign dashboard: `donations` and `donors`.

- `donations`: the amount given per day and per host member organization (the member whose
  referral link or co-hosted page brought the gift), in the currency named by the source's unit.
- `donors`: the people who gave, per day (a person giving twice in a day counts once that day)
  and per host member.

A gift counts on the day its money arrived (`succeeded_at`) while it is raised (succeeded), less
what of it was refunded; a refunded or disputed gift leaves the figures, as it leaves the page's
thermometer. Amounts are
summed in the database as decimals; only the dashboard's counters (floats, like every source's)
receive them as floats, for display. The registry's unit is one currency for every coalition
(`CAIRN_CURRENCY`, default USD, the pages' default): gifts in another currency are left out of
`donations`, never added to it unconverted (their donors still count in `donors`).

Each answer is one GROUP BY query over the coalition's donations in the range, never raw rows.
Registered from `FundraisingConfig.ready()` by `register_sources()`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, DecimalField, F, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate

from cairn.campaigns.engagement import EngagementSource, register
from cairn.campaigns.sources import ByMember, Daily, DailyByMember, day_bounds
from cairn.coalitions.models import Coalition

DAY = "succeeded_at"
MEMBER = "host_membership"
MONEY = DecimalField(max_digits=14, decimal_places=2)
# What of a gift still counts: its amount less what of it was refunded (the donor's fee cover is
# given back first), as the page's thermometer counts it (`selectors.thermometer`).
KEPT = Sum(
    F("amount")
    - Case(
        When(refunded_amount__gt=F("fee_amount"), then=F("refunded_amount") - F("fee_amount")),
        default=Value(0, output_field=MONEY),
        output_field=MONEY,
    ),
    output_field=MONEY,
)


def currency() -> str:
    return str(getattr(settings, "CAIRN_CURRENCY", "USD")).upper()


def raised(coalition: Coalition | int, first: dt.date, last: dt.date) -> QuerySet[Any]:
    """The coalition's gifts whose money arrived between `first` and `last` and still counts."""
    from .models import Donation

    start, end = day_bounds(first, last)
    return Donation.objects.for_coalition(coalition).filter(
        status__in=Donation.RAISED, succeeded_at__gte=start, succeeded_at__lt=end
    )


def _amounts(coalition: Coalition | int, first: dt.date, last: dt.date) -> QuerySet[Any]:
    return raised(coalition, first, last).filter(currency=currency())


def _grouped(rows: QuerySet[Any], keys: list[str], total: Any) -> list[dict[str, Any]]:
    return list(rows.values(*keys).annotate(n=total).order_by())


def _day_rows(rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows.annotate(day=TruncDate(DAY))


# --- donations: an amount ------------------------------------------------------------------------


def donations_per_day(coalition: Coalition, first: dt.date, last: dt.date) -> Daily:
    grouped = _grouped(_day_rows(_amounts(coalition, first, last)), ["day"], KEPT)
    return {row["day"]: float(row["n"]) for row in grouped}


def donations_by_member(coalition: Coalition, first: dt.date, last: dt.date) -> ByMember:
    grouped = _grouped(_amounts(coalition, first, last), [MEMBER], KEPT)
    return {row[MEMBER]: float(row["n"]) for row in grouped}


def donations_per_day_and_member(
    coalition: Coalition, first: dt.date, last: dt.date
) -> DailyByMember:
    rows = _day_rows(_amounts(coalition, first, last))
    grouped = _grouped(rows, ["day", MEMBER], KEPT)
    return {(row["day"], row[MEMBER]): float(row["n"]) for row in grouped}


# --- donors: people ------------------------------------------------------------------------------

PEOPLE = Count("person", distinct=True)


def donors_per_day(coalition: Coalition, first: dt.date, last: dt.date) -> Daily:
    grouped = _grouped(_day_rows(raised(coalition, first, last)), ["day"], PEOPLE)
    return {row["day"]: float(row["n"]) for row in grouped if row["n"]}


def donors_by_member(coalition: Coalition, first: dt.date, last: dt.date) -> ByMember:
    grouped = _grouped(raised(coalition, first, last), [MEMBER], PEOPLE)
    return {row[MEMBER]: float(row["n"]) for row in grouped if row["n"]}


def donors_per_day_and_member(coalition: Coalition, first: dt.date, last: dt.date) -> DailyByMember:
    grouped = _grouped(_day_rows(raised(coalition, first, last)), ["day", MEMBER], PEOPLE)
    return {(row["day"], row[MEMBER]): float(row["n"]) for row in grouped if row["n"]}


def register_sources() -> None:
    register(
        EngagementSource(
            key="donations",
            label="Donations",
            unit=currency(),
            daily=donations_per_day,
            by_member=donations_by_member,
            daily_by_member=donations_per_day_and_member,
            order=40,
        )
    )
    register(
        EngagementSource(
            key="donors",
            label="Donors",
            unit="people",
            daily=donors_per_day,
            by_member=donors_by_member,
            daily_by_member=donors_per_day_and_member,
            order=41,
        )
    )
