"""Server-drawn SVG charts: geometry is computed here, templates/campaigns/_chart.html draws it.

No JavaScript and no CDN: the chart is part of the page, prints, and reads in a screenshot. Every
chart is a set of aligned panels sharing one time axis, so the engagement → positions → outcomes
chain reads top to bottom with the milestones and decisions marked across all panels.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH = 760
LEFT, RIGHT = 88, 16  # room for y labels; right margin
PANEL_GAP = 40
# The phone variant of every chart (`Chart.narrow`): drawn this wide, it is shown at about its own
# size in a phone's column, so its 12-unit labels read at 11 px or more; wider charts show
# in a box at least as wide as they are (campaigns.css switches them with a container query).
NARROW_WIDTH, NARROW_LEFT = 340, 84
NARROW_LABEL_CHARS = 10  # a longer row label (a surname) is cut to fit left of the plot
NARROW_LABEL_WIDTH = 64  # room for one month label ("Sep 2026") on the narrow time axis
TITLE_CHAR_WIDTH = 7.5  # an upper bound of a 13-unit panel title's average character width


@dataclass(frozen=True, slots=True)
class TimeScale:
    first: dt.date
    last: dt.date
    left: float = LEFT
    right: float = WIDTH - RIGHT
    span: int = field(init=False, repr=False)  # days; computed once, the scale maps every point

    def __post_init__(self) -> None:
        object.__setattr__(self, "span", max((self.last - self.first).days, 1))

    def __call__(self, on: dt.date) -> float:
        days = (on - self.first).days
        return round(self.left + (self.right - self.left) * days / self.span, 1)

    def ticks(self, count: int = 6) -> list[tuple[float, str]]:
        """Month starts, thinned to about `count` labels."""
        months: list[dt.date] = []
        cursor = dt.date(self.first.year, self.first.month, 1)
        while cursor <= self.last:
            if cursor >= self.first:
                months.append(cursor)
            cursor = dt.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        step = max(1, math.ceil(len(months) / count))
        return [(self(m), m.strftime("%b %Y")) for m in months[::step]]


@dataclass(frozen=True, slots=True)
class ValueScale:
    low: float
    high: float
    top: float
    bottom: float

    def __call__(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return round(self.bottom - (self.bottom - self.top) * (value - self.low) / span, 1)

    def ticks(self, count: int = 4) -> list[tuple[float, str]]:
        return [(self(v), format_number(v)) for v in nice_ticks(self.low, self.high, count)]


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.ceil(low / step) * step
    ticks, value = [], start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def nice_range(values: Sequence[float], *, include_zero: bool = False) -> tuple[float, float]:
    low, high = min(values), max(values)
    if include_zero:
        low = min(low, 0.0)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    low = low if include_zero and low == 0 else low - pad
    ticks = nice_ticks(low, high + pad)
    return min(ticks[0], low), max(ticks[-1], high + pad)


def format_number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(slots=True)
class Line:
    css: str  # series--a, series--trend, ...
    label: str
    points: list[tuple[float, float]]
    dots: bool = True
    dashed: bool = False

    @property
    def d(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{x},{y}" for i, (x, y) in enumerate(self.points))

    @property
    def dots_svg(self) -> SafeString:
        """A circle at each point, written here like `d`: a template loop over the points cost
        more than the rest of the chart (the template prints numbers the same way, `str`)."""
        css = escape(self.css)
        circles = (
            f'<circle class="chart__dot {css}" cx="{x}" cy="{y}" r="3"/>' for x, y in self.points
        )
        return mark_safe("".join(circles))  # noqa: S308 - numbers and an escaped class name


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal (y set) or vertical (x set) reference line with a label."""

    css: str
    label: str
    x: float | None = None
    y: float | None = None


@dataclass(slots=True)
class Panel:
    title: str
    top: float
    height: float
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    row_labels: list[tuple[float, str]] = field(default_factory=list)  # for strip panels

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def title_y(self) -> float:
        return self.top - 9


@dataclass(slots=True)
class Chart:
    title: str
    description: str  # read by screen readers; the table under the chart has every figure
    panels: list[Panel]
    x_ticks: list[tuple[float, str]]
    markers: list[Rule] = field(default_factory=list)  # vertical, across every panel
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css, label)
    width: int = WIDTH
    left: int = LEFT
    right: int = WIDTH - RIGHT
    title_left: int | None = None  # where panel titles start; None: over the plot area

    @property
    def title_x(self) -> int:
        return self.left if self.title_left is None else self.title_left

    @property
    def height(self) -> float:
        return (self.panels[-1].bottom if self.panels else 0) + 28

    @property
    def top(self) -> float:
        return self.panels[0].top if self.panels else 0

    @property
    def bottom(self) -> float:
        return self.panels[-1].bottom if self.panels else 0

    @property
    def axis_y(self) -> float:
        return self.bottom + 16

    @property
    def max_width(self) -> int:
        """Drawn at most a third larger than designed, so the labels stay in proportion."""
        return round(self.width * 1.35)

    @property
    def flag_y(self) -> float:
        return self.top - 2

    @property
    def narrow(self) -> Chart:
        """This chart redrawn for a phone (see `for_width`)."""
        return for_width(self, NARROW_WIDTH, left=NARROW_LEFT)

    @property
    def compact(self) -> bool:
        """True for a chart designed for half a page (the objective chart) rather than a page."""
        return self.width < WIDTH


def for_width(chart: Chart, width: int, *, left: int = LEFT) -> Chart:
    """The same chart drawn `width` units wide: every x position is re-projected onto the new
    plot area, y positions and font sizes stay, time labels are thinned to fit and panel titles
    too long for the width are cut at their colon ("Outcomes: share of…" → "Outcomes")."""
    right = width - RIGHT
    k = (right - left) / ((chart.right - chart.left) or 1)

    def x(value: float) -> float:
        return round(left + (value - chart.left) * k, 1)

    def title(text: str) -> str:
        fits = (width - 4) / TITLE_CHAR_WIDTH
        return text if len(text) <= fits else text.split(":")[0]

    panels = [
        Panel(
            title=title(p.title),
            top=p.top,
            height=p.height,
            y_ticks=list(p.y_ticks),
            lines=[
                Line(
                    line.css,
                    line.label,
                    [(x(px), py) for px, py in line.points],
                    dots=line.dots,
                    dashed=line.dashed,
                )
                for line in p.lines
            ],
            bars=[
                Bar(
                    x=x(b.x),
                    y=b.y,
                    width=max(round(b.width * k, 1), 2),
                    height=b.height,
                    css=b.css,
                    title=b.title,
                )
                for b in p.bars
            ],
            rules=list(p.rules),
            row_labels=[(y, _cut(label, NARROW_LABEL_CHARS)) for y, label in p.row_labels],
        )
        for p in chart.panels
    ]
    room = max(int((right - left) // NARROW_LABEL_WIDTH), 2)
    step = max(1, math.ceil(len(chart.x_ticks) / room))
    return Chart(
        title=chart.title,
        description=chart.description,
        panels=panels,
        x_ticks=[(x(tx), label) for tx, label in chart.x_ticks[::step]],
        markers=[Rule(m.css, m.label, x=None if m.x is None else x(m.x)) for m in chart.markers],
        legend=chart.legend,
        width=width,
        left=left,
        right=right,
        title_left=4,  # a narrow chart's titles use its whole width
    )


def stack(heights: Sequence[float], *, top: float = 22) -> list[float]:
    """Top offsets of panels of these heights, stacked with a gap for each title."""
    tops, cursor = [], top
    for height in heights:
        tops.append(cursor)
        cursor += height + PANEL_GAP
    return tops


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
