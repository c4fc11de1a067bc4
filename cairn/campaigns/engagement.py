"""The engagement sources a campaign dashboard shows: one small interface that action modules
register into, so a new module (fundraising, events, stories) appears on the dashboard without
editing it.

A source answers two questions about a coalition and a date range, both from aggregates (one
GROUP BY query each, never raw rows): how many actions per day, and how many per member
organization that brought them. A source that can also answer both at once (`daily_by_member`:
one GROUP BY day and member) is counted into the daily counters (`EngagementDay`) by the
`refresh_engagement` task, and the dashboard reads those counters instead of its rows; the others
are asked live on every page. Register from an app's `ready()`:

    engagement.register(EngagementSource(key="donations", label="Donations", unit="USD",
                                         daily=donations_per_day, by_member=donations_by_member))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from cairn.coalitions.models import Coalition

# (coalition, first day, last day) → {day: count}, days without actions left out
DailyCounts = Callable[[Coalition, dt.date, dt.date], dict[dt.date, float]]
# (coalition, first day, last day) → {membership id: count}; None is "no member brought it"
MemberCounts = Callable[[Coalition, dt.date, dt.date], dict[int | None, float]]
# (coalition, first day, last day) → {(day, membership id): count}
DailyMemberCounts = Callable[[Coalition, dt.date, dt.date], dict[tuple[dt.date, int | None], float]]


@dataclass(frozen=True, slots=True)
class EngagementSource:
    key: str
    label: str  # plural noun: "New supporters", "Signatures"
    unit: str  # "people", "signatures", "USD"
    daily: DailyCounts
    by_member: MemberCounts | None = None
    order: int = 100  # position on the dashboard; the funnel reads them in this order
    daily_by_member: DailyMemberCounts | None = None  # makes the source countable in advance


_SOURCES: dict[str, EngagementSource] = {}


def register(source: EngagementSource) -> None:
    """Add (or replace, on a repeated ready()) the source named `source.key`."""
    _SOURCES[source.key] = source


def unregister(key: str) -> None:
    _SOURCES.pop(key, None)


def sources() -> list[EngagementSource]:
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.key))
