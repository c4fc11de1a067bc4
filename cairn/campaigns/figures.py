"""The dashboard's charts, built from selector results with the geometry of `charts`."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import TypeVar

from .charts import (
    RIGHT,
    Bar,
    Chart,
    Line,
    Panel,
    Rule,
    TimeScale,
    ValueScale,
    format_number,
    nice_range,
    stack,
)
from .models import POSITION_RANK, Measurement, Position
from .selectors import Dashboard, MeasuredSeries, MeasuredValue, ObjectiveStatus

OBJECTIVE_WIDTH = 560
MAX_POINTS = 160  # a line never needs more points than about a third of its width in pixels
MAX_DOTS = 60  # beyond this, dots hide the line
T = TypeVar("T")


def thin(points: Sequence[T], limit: int = MAX_POINTS) -> Sequence[T]:
    """At most about `limit` evenly spaced points, the first and last always kept: years of
    daily figures draw the same line at a fraction of the page size (and of the time)."""
    if len(points) <= limit:
        return points
    step = -(-len(points) // limit)
    kept = points[::step]
    return kept if (len(points) - 1) % step == 0 else [*kept, points[-1]]


def _on(m: Measurement | MeasuredValue) -> dt.date:
    return m.on


def _between(
    rows: Sequence[Measurement | MeasuredValue], first: dt.date | None, last: dt.date
) -> Sequence[Measurement | MeasuredValue]:
    """The rows (in date order) dated from `first` (None: the start) to `last`, by bisection:
    years of daily rows are not scanned once per chart."""
    if isinstance(rows, MeasuredSeries):  # its dates are a column already
        start = 0 if first is None else bisect_left(rows.days, first)
        return rows[start : bisect_right(rows.days, last)]
    start = 0 if first is None else bisect_left(rows, first, key=_on)
    return rows[start : bisect_right(rows, last, key=_on)]


def _extremes(rows: Sequence[Measurement | MeasuredValue]) -> tuple[float, float] | None:
    values = rows.values if isinstance(rows, MeasuredSeries) else [m.value for m in rows]
    return (float(min(values)), float(max(values))) if values else None


def _line(
    css: str,
    label: str,
    data: list[tuple[dt.date, float]],
    x: TimeScale,
    y: ValueScale,
    *,
    count: int,
) -> Line:
    """A line through dated values (already thinned from `count` points): dots when they are few."""
    return Line(css, label, [(x(on), y(value)) for on, value in data], dots=count <= MAX_DOTS)


SERIES = ("series--a", "series--b", "series--c", "series--d", "series--e")


def objective_chart(status: ObjectiveStatus) -> Chart:
    """Measurements over time, the baseline and target, and the trend to the deadline with its
    80% prediction interval."""
    objective, result = status.objective, status.progress
    baseline, target = float(objective.baseline_value), float(objective.target_value)
    rows = status.measurements  # in date order
    values = [baseline, target]
    extremes = _extremes(rows)
    if extremes:
        values += extremes
    if result.interval:
        values.extend(result.interval)
    last = max(objective.deadline, status.as_of, rows[-1].on if rows else objective.baseline_on)
    x = TimeScale(objective.baseline_on, last, right=OBJECTIVE_WIDTH - RIGHT)
    (top,) = stack([220])
    low, high = nice_range(values)
    y = ValueScale(low, high, top, top + 220)
    panel = Panel(title=objective.unit.capitalize(), top=top, height=220)
    panel.y_ticks = y.ticks()
    shown = _between(rows, None, status.as_of)
    measured = [(objective.baseline_on, baseline)]
    measured += [(m.on, float(m.value)) for m in thin(shown)]
    panel.lines.append(_line("series--a", "Measured", measured, x, y, count=len(shown) + 1))
    trend = result.trend
    if trend is not None:
        ends = (trend.origin, objective.deadline)
        panel.lines.append(
            Line(
                "series--trend",
                "Linear trend",
                [(x(on), y(trend.predict(on))) for on in ends],
                dots=False,
                dashed=True,
            )
        )
    if result.interval:
        low_at, high_at = result.interval
        panel.bars.append(
            Bar(
                x=x(objective.deadline) - 5,
                y=y(high_at),
                width=10,
                height=max(y(low_at) - y(high_at), 1),
                css="bar--interval",
                title=(
                    f"80% prediction interval at the deadline: {format_number(low_at)}"
                    f"–{format_number(high_at)}"
                ),
            )
        )
    panel.rules.append(Rule("rule--target", f"Target {format_number(target)}", y=y(target)))
    panel.rules.append(Rule("rule--baseline", f"Baseline {format_number(baseline)}", y=y(baseline)))
    chart = Chart(
        title=objective.metric,
        description=(
            f"{objective.metric}: baseline {format_number(baseline)} on {objective.baseline_on}, "
            f"latest {format_number(result.latest.value)} on {result.latest.on}, target "
            f"{format_number(target)} by {objective.deadline}. {result.label}."
        ),
        panels=[panel],
        x_ticks=x.ticks(4),
        markers=[
            Rule("marker--deadline", "Deadline", x=x(objective.deadline)),
            Rule("marker--today", "Today", x=x(status.as_of)),
        ],
        legend=[("series--a", "Measured"), ("series--trend", "Trend"), ("rule--target", "Target")],
        width=OBJECTIVE_WIDTH,
        right=OBJECTIVE_WIDTH - RIGHT,
    )
    return chart


def chain_chart(board: Dashboard) -> Chart:
    """Engagement → decision-maker positions → outcomes on one time axis, with milestones and
    decisions marked across all three panels."""
    campaign = board.campaign
    x = TimeScale(campaign.starts_on, campaign.ends_on)
    strip = max(len(board.targets), 1) * 18
    tops = stack([130, strip, 150])
    panels: list[Panel] = []

    # engagement: weekly counts, one line per source
    engagement = Panel(title="Engagement per week", top=tops[0], height=130)
    weekly = [n for s in board.engagement for _, n in s.weeks] or [0.0]
    y = ValueScale(*nice_range(weekly, include_zero=True), tops[0], tops[0] + 130)
    engagement.y_ticks = y.ticks(3)
    for css, series in zip(SERIES, board.engagement, strict=False):
        points = [(x(day + dt.timedelta(days=3)), y(n)) for day, n in thin(series.weeks)]
        engagement.lines.append(Line(css, series.label, points, dots=False))
    panels.append(engagement)

    # positions: one strip per decision-maker, coloured by position over time
    positions = Panel(title="Decision-maker positions", top=tops[1], height=strip)
    for row, target in enumerate(board.targets):
        top = tops[1] + row * 18
        positions.row_labels.append((top + 12, _surname(target.decision_maker.name)))
        changes = list(target.history.all())
        for i, change in enumerate(changes):
            start = max(change.on, campaign.starts_on)
            end = changes[i + 1].on if i + 1 < len(changes) else min(board.as_of, campaign.ends_on)
            if end < start:
                continue
            positions.bars.append(
                Bar(
                    x=x(start),
                    y=top + 2,
                    width=max(x(end) - x(start), 2),
                    height=14,
                    css=f"pos--{change.position}",
                    title=f"{target.decision_maker}: {change.get_position_display()} from "
                    f"{change.on:%d %b %Y}",
                )
            )
    panels.append(positions)

    # outcomes: the share of the distance from baseline to target, per objective
    outcomes = Panel(title="Outcomes: share of the way from baseline to target", top=tops[2],
                     height=150)  # fmt: skip
    shares = [0.0, 100.0]
    for status in board.objectives:
        extremes = _extremes(status.measurements)
        if extremes:  # the share is linear in the value: its extremes are the values' extremes
            shares += [100 * _share_of(status, value) for value in extremes]
    y = ValueScale(*nice_range(shares, include_zero=True), tops[2], tops[2] + 150)
    outcomes.y_ticks = [(pos, f"{label}%") for pos, label in y.ticks(4)]
    outcomes.rules.append(Rule("rule--target", "Target", y=y(100)))
    for css, status in zip(SERIES[2:] + SERIES[:2], board.objectives, strict=False):
        objective = status.objective
        shown = _between(status.measurements, campaign.starts_on, campaign.ends_on)
        data = [(max(objective.baseline_on, campaign.starts_on), 0.0)]
        data += [(m.on, 100 * _share(status, m)) for m in thin(shown)]
        outcomes.lines.append(_line(css, objective.metric, data, x, y, count=len(shown) + 1))
    panels.append(outcomes)

    markers = [
        Rule("marker--milestone" + (" is-done" if m.done_on else ""), m.title, x=x(m.due_on))
        for m in board.milestones
        if campaign.starts_on <= m.due_on <= campaign.ends_on
    ]
    markers += [
        Rule("marker--decision", f"Decision: {d.title}", x=x(d.on))
        for d in board.decisions
        if campaign.starts_on <= d.on <= campaign.ends_on
    ]
    markers.append(Rule("marker--today", "Today", x=x(min(board.as_of, campaign.ends_on))))
    legend = [(css, s.label) for css, s in zip(SERIES, board.engagement, strict=False)]
    legend += [(f"pos--{p.value}", p.label) for p in Position]
    legend += [
        (css, s.objective.metric)
        for css, s in zip(SERIES[2:] + SERIES[:2], board.objectives, strict=False)
    ]
    return Chart(
        title="From engagement to outcomes",
        description=(
            "Three panels on one time axis: weekly engagement, each decision-maker's position, "
            "and each objective's share of the way from baseline to target. Milestones and "
            "decisions are marked as vertical lines. The tables below hold every figure."
        ),
        panels=panels,
        x_ticks=x.ticks(8),
        markers=markers,
        legend=legend,
    )


def _share(status: ObjectiveStatus, measurement: object) -> float:
    return _share_of(status, float(getattr(measurement, "value", 0)))


def _share_of(status: ObjectiveStatus, value: float) -> float:
    objective = status.objective
    base, target = float(objective.baseline_value), float(objective.target_value)
    return (value - base) / (target - base)


def _surname(name: str) -> str:
    return name.split()[-1] if name else ""


def position_rank(position: str) -> int:
    return POSITION_RANK.get(position, 0)


def funnel(board: Dashboard) -> list[tuple[str, str, int]]:
    """The chain as a funnel: (stage, figure, bar width in percent of the widest stage)."""
    stages: list[tuple[str, float, str]] = [(s.label, s.total, s.unit) for s in board.engagement]
    moved = sum(position_rank(t.position) >= POSITION_RANK[Position.SUPPORTIVE]
                for t in board.targets)  # fmt: skip
    reached = sum(s.progress.status in {"reached", "on_track"} for s in board.objectives)
    widest = max([n for _, n, _ in stages] or [1.0]) or 1.0
    rows = [
        (label, f"{format_number(n)} {unit}", round(100 * n / widest)) for label, n, unit in stages
    ]
    if board.targets:
        share = moved / len(board.targets)
        rows.append(
            (
                "Decision-makers supportive or better",
                f"{moved} of {len(board.targets)}",
                round(100 * share),
            )
        )
    if board.objectives:
        share = reached / len(board.objectives)
        rows.append(
            (
                "Objectives reached or on track",
                f"{reached} of {len(board.objectives)}",
                round(100 * share),
            )
        )
    return rows
