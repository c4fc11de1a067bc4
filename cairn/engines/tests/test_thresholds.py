from __future__ import annotations

import datetime as dt

import pytest

from cairn.engines.thresholds import (
    Threshold,
    crossed,
    parse_thresholds,
    progress,
    response_clock_days,
)

LADDER = [Threshold(1000, "Delivered"), Threshold(10000, "Response due within 30 days")]


@pytest.mark.parametrize(
    ("count", "next_count", "percent", "reached"),
    [
        (0, 1000, 0, 0),
        (250, 1000, 25, 0),
        (999, 1000, 99, 0),
        (1000, 10000, 10, 1),
        (9999, 10000, 99, 1),
        (10000, None, 100, 2),
        (25000, None, 100, 2),
    ],
)
def test_progress_points_to_the_next_threshold(count, next_count, percent, reached):
    result = progress(count, LADDER)
    assert (result.next.count if result.next else None) == next_count
    assert result.percent == percent
    assert len(result.reached) == reached


def test_no_thresholds_means_no_progress():
    assert progress(50, []).percent == 0
    assert progress(50, []).next is None


def test_crossed_lists_the_thresholds_between_two_counts():
    assert crossed(999, 1000, LADDER) == [LADDER[0]]
    assert crossed(1000, 20000, LADDER) == [LADDER[1]]
    assert crossed(0, 20000, LADDER) == LADDER
    assert crossed(1000, 1001, LADDER) == []


def test_parse_thresholds_sorts_and_drops_bad_entries():
    raw: list[dict[str, object]] = [
        {"count": "10000", "consequence": "b"},
        {"count": 1000, "consequence": "a"},
    ]
    assert parse_thresholds([*raw, {"count": 0}, {"count": 1000, "consequence": "x"}]) == [
        Threshold(1000, "a"),
        Threshold(10000, "b"),
    ]


def test_the_response_clock():
    start = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    now = start + dt.timedelta(days=9, hours=23)
    assert response_clock_days(started_at=start, answered_at=None, now=now) == 9
    assert response_clock_days(started_at=start, answered_at=now, now=now) is None
    assert response_clock_days(started_at=None, answered_at=None, now=now) is None
