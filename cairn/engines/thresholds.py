"""Petition thresholds and the response clock: where a count stands, in plain numbers.

A threshold is a signature count and what happens when it is reached ("1,000 → delivered to the
target"). The progress bar shows the way to the *next* threshold; once all are passed it is full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Threshold:
    count: int
    consequence: str


@dataclass(frozen=True, slots=True)
class Progress:
    count: int
    next: Threshold | None  # None once every threshold is passed (or there are none)
    reached: tuple[Threshold, ...]
    percent: int  # 0..100 toward `next`; 100 when there is no next threshold but some were passed


def parse_thresholds(raw: Iterable[dict[str, object]]) -> list[Threshold]:
    """Thresholds from stored JSON, ascending, one per count, non-positive counts dropped."""
    seen: dict[int, Threshold] = {}
    for item in raw:
        count = int(str(item.get("count", 0)))
        if count > 0 and count not in seen:
            seen[count] = Threshold(count=count, consequence=str(item.get("consequence", "")))
    return sorted(seen.values(), key=lambda t: t.count)


def progress(count: int, thresholds: Sequence[Threshold]) -> Progress:
    """Where `count` stands on the ladder of thresholds."""
    ordered = sorted(thresholds, key=lambda t: t.count)
    reached = tuple(t for t in ordered if t.count <= count)
    upcoming = [t for t in ordered if t.count > count]
    if not upcoming:
        return Progress(count=count, next=None, reached=reached, percent=100 if reached else 0)
    target = upcoming[0]
    percent = max(0, min(99, int(100 * count / target.count))) if count > 0 else 0
    return Progress(count=count, next=target, reached=reached, percent=percent)


def crossed(before: int, after: int, thresholds: Sequence[Threshold]) -> list[Threshold]:
    """The thresholds a count passed on its way from `before` to `after` (both inclusive ends)."""
    return [t for t in thresholds if before < t.count <= after]


def response_clock_days(
    *, started_at: dt.datetime | None, answered_at: dt.datetime | None, now: dt.datetime
) -> int | None:
    """Whole days the target has left a petition unanswered; None when no clock runs.

    The clock starts at delivery (or at the first threshold reached) and stops with the answer.
    """
    if started_at is None or answered_at is not None:
        return None
    return max((now - started_at).days, 0)
