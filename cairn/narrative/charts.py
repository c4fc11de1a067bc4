"""The narrative pulse's chart: weekly signatures and reach per pillar, drawn as SVG on the
server (no JavaScript, no CDN; it prints). Geometry here, `narrative/_pulse_chart.html` draws."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .selectors import PulseRow

WIDTH, PANEL_HEIGHT = 720, 150
LEFT, RIGHT, TOP, GAP = 64, 36, 28, 44  # room for the last week's label
SERIES_CSS = ("s1", "s2", "s3", "s4", "s5", "s6", "s7")


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    css: str
    points: str  # "x,y x,y" for a polyline
    total: int


@dataclass(frozen=True, slots=True)
class PanelGeometry:
    title: str
    top: int
    bottom: int
    series: list[Series]
    y_ticks: list[tuple[float, str]]


@dataclass(frozen=True, slots=True)
class PulseChart:
    width: int
    height: int
    left: int
    right: int
    panels: list[PanelGeometry]
    x_ticks: list[tuple[float, str]]
    legend: list[tuple[str, str]]
    description: str


def _panel(
    title: str, rows: list[PulseRow], weeks: list[dt.date], pick: int, top: int
) -> PanelGeometry:
    bottom = top + PANEL_HEIGHT

    def value(week: tuple[dt.date, int, int]) -> int:
        return week[2] if pick == 2 else week[1]

    high = max([1, *(value(w) for r in rows for w in r.weeks)])
    span = max(len(weeks) - 1, 1)

    def x(i: int) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * i / span, 1)

    def y(v: int) -> float:
        return round(bottom - (bottom - top) * v / high, 1)

    series = []
    for n, r in enumerate(rows):
        values = {w[0]: value(w) for w in r.weeks}
        points = " ".join(f"{x(i)},{y(values.get(week, 0))}" for i, week in enumerate(weeks))
        series.append(Series(r.name, SERIES_CSS[n % len(SERIES_CSS)], points, sum(values.values())))
    ticks = [(y(v), f"{v:,}") for v in sorted({0, high // 2, high})]
    return PanelGeometry(title, top, bottom, series, ticks)


def pulse_chart(rows: list[PulseRow]) -> PulseChart | None:
    """Two panels sharing the weeks: signatures brought, then people reached."""
    weeks = sorted({w[0] for r in rows for w in r.weeks})
    if not rows or len(weeks) < 2:
        return None
    first = _panel("Signatures per week", rows, weeks, 2, TOP)
    second = _panel("People reached per week", rows, weeks, 1, first.bottom + GAP)
    span = max(len(weeks) - 1, 1)
    step = max(1, len(weeks) // 6)
    ticks = [
        (round(LEFT + (WIDTH - LEFT - RIGHT) * i / span, 1), week.strftime("%d %b"))
        for i, week in enumerate(weeks)
        if i % step == 0
    ]
    return PulseChart(
        width=WIDTH,
        height=second.bottom + 30,
        left=LEFT,
        right=WIDTH - RIGHT,
        panels=[first, second],
        x_ticks=ticks,
        legend=[(s.name, s.css) for s in first.series],
        description=(
            f"Weekly signatures and reach by pillar from {weeks[0]:%d %b %Y} to "
            f"{weeks[-1]:%d %b %Y}; the table below has the figures."
        ),
    )
