"""Progress of an outcome metric toward its target, and whether its trend reaches it in time.

Pure Python with scipy's Student t (no Django): the inputs are dates and floats, the output a
`Progress`.

What is computed, and how:

- **Share of the distance**: `(latest - baseline) / (target - baseline)`. It is negative when the
  metric moved the wrong way and above 1 when it overshot; `bar_percent` clamps it to 0..100.
  The formula is the same for "up is good" and "down is good" metrics, because the target lies
  on the good side of the baseline (`check_goal` refuses a goal where it does not).
- **Trend**: an ordinary least-squares line through every point (the baseline is a point: it is
  a real measurement), with days as the x axis. With n points the residual standard deviation
  is `s = sqrt(SSE / (n - 2))`; the slope's standard error is `s / sqrt(Sxx)`.
- **At the deadline**: the line's value there, and an 80% *prediction* interval for a single new
  measurement on that day, `ŷ ± t(0.90, n-2) · s · sqrt(1 + 1/n + (x0 - x̄)² / Sxx)`. A prediction
  interval (not the narrower confidence interval of the line) because the target is judged on
  the measurement that will be taken, noise included.
- **Chance of reaching the target**: `P(Y ≥ target)` ("≤" when down is good) under the same
  Student-t distribution. On track when it is at least 70%, off track below 30%, at risk between.
  With a perfect fit (s = 0) the chance is 0 or 1.
- **Too few points**: fewer than 3 points, or all on one day, give no trend (a line through two
  points has no uncertainty to speak of); the status says so instead of guessing.
- **Reached**: the latest measurement is at or beyond the target; no trend is needed.
- **Deadline passed**: when `as_of` is after the deadline and the target was not reached, the
  status is `missed` (a steward then marks the objective met, missed or renewed).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from scipy.stats import t as student_t  # type: ignore[import-untyped]

MIN_POINTS = 3
INTERVAL = 0.80  # two-sided coverage of the prediction interval shown at the deadline
ON_TRACK_CHANCE = 0.70
OFF_TRACK_CHANCE = 0.30


class Direction(StrEnum):
    UP = "up"  # higher is better
    DOWN = "down"  # lower is better


class Status(StrEnum):
    REACHED = "reached"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    MISSED = "missed"
    TOO_FEW_POINTS = "too_few_points"


STATUS_LABELS: dict[Status, str] = {
    Status.REACHED: "Target reached",
    Status.ON_TRACK: "On track",
    Status.AT_RISK: "At risk",
    Status.OFF_TRACK: "Off track",
    Status.MISSED: "Deadline passed, target missed",
    Status.TOO_FEW_POINTS: "Too few measurements for a trend",
}


class GoalError(ValueError):
    """A goal whose target is not on the good side of its baseline."""


@dataclass(frozen=True, slots=True)
class Point:
    on: dt.date
    value: float


@dataclass(frozen=True, slots=True)
class Goal:
    baseline: float
    baseline_on: dt.date
    target: float
    deadline: dt.date
    direction: Direction


@dataclass(frozen=True, slots=True)
class Trend:
    """y = level + slope · (day - mean_day), days counted from `origin`."""

    origin: dt.date
    mean_day: float
    level: float
    slope_per_day: float
    slope_se: float
    residual_sd: float
    n: int
    sxx: float

    def x(self, on: dt.date) -> float:
        return float((on - self.origin).days)

    def predict(self, on: dt.date) -> float:
        return self.level + self.slope_per_day * (self.x(on) - self.mean_day)

    def prediction_se(self, on: dt.date) -> float:
        """Standard error of one new measurement taken on `on`."""
        spread = (self.x(on) - self.mean_day) ** 2 / self.sxx
        return self.residual_sd * math.sqrt(1 + 1 / self.n + spread)

    def interval(self, on: dt.date, coverage: float = INTERVAL) -> tuple[float, float]:
        centre = self.predict(on)
        half = t_quantile(0.5 + coverage / 2, self.n - 2) * self.prediction_se(on)
        return centre - half, centre + half


@dataclass(frozen=True, slots=True)
class Progress:
    status: Status
    latest: Point
    share: float  # of the distance baseline → target; <0 worse than baseline, >1 overshot
    trend: Trend | None
    projected: float | None  # the trend's value at the deadline
    interval: tuple[float, float] | None  # 80% prediction interval at the deadline
    chance: float | None  # P(the measurement at the deadline reaches the target)
    required_per_day: float | None  # the pace needed from the latest value; None once reached

    @property
    def bar_percent(self) -> int:
        return round(100 * min(max(self.share, 0.0), 1.0))

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def check_goal(goal: Goal) -> None:
    """Refuse a target that is not strictly on the good side of the baseline."""
    gap = goal.target - goal.baseline
    if gap == 0:
        raise GoalError("The target must differ from the baseline.")
    if (gap > 0) != (goal.direction == Direction.UP):
        side = "above" if goal.direction == Direction.UP else "below"
        raise GoalError(f"When {goal.direction} is good, the target must be {side} the baseline.")


def reaches(value: float, goal: Goal) -> bool:
    return value >= goal.target if goal.direction == Direction.UP else value <= goal.target


def share_of_distance(value: float, goal: Goal) -> float:
    check_goal(goal)
    return (value - goal.baseline) / (goal.target - goal.baseline)


def fit_trend(points: Iterable[Point]) -> Trend | None:
    """Least-squares line through the points; None with fewer than 3 or all on one day."""
    pts = sorted(points, key=lambda p: p.on)
    n = len(pts)
    if n < MIN_POINTS:
        return None
    origin = pts[0].on
    xs = [float((p.on - origin).days) for p in pts]
    ys = [p.value for p in pts]
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    sse = sum((y - (mean_y + slope * (x - mean_x))) ** 2 for x, y in zip(xs, ys, strict=True))
    residual_sd = math.sqrt(max(sse, 0.0) / (n - 2))
    return Trend(
        origin=origin,
        mean_day=mean_x,
        level=mean_y,
        slope_per_day=slope,
        slope_se=residual_sd / math.sqrt(sxx),
        residual_sd=residual_sd,
        n=n,
        sxx=sxx,
    )


def chance_of_reaching(trend: Trend, goal: Goal) -> float:
    """P(a measurement on the deadline reaches the target) if the linear trend holds."""
    centre = trend.predict(goal.deadline)
    se = trend.prediction_se(goal.deadline)
    if se == 0:
        return 1.0 if reaches(centre, goal) else 0.0
    score = (centre - goal.target) / se
    if goal.direction == Direction.DOWN:
        score = -score
    return t_cdf(score, trend.n - 2)


def progress(goal: Goal, measurements: Iterable[Point], *, as_of: dt.date) -> Progress:
    """Where the metric stands on `as_of`, counting the baseline as the first point."""
    check_goal(goal)
    points = sorted(
        [Point(goal.baseline_on, goal.baseline), *(m for m in measurements if m.on <= as_of)],
        key=lambda p: p.on,
    )
    latest = points[-1]
    share = share_of_distance(latest.value, goal)
    trend = fit_trend(points)
    projected = trend.predict(goal.deadline) if trend else None
    interval = trend.interval(goal.deadline) if trend else None
    chance = chance_of_reaching(trend, goal) if trend else None
    days_left = (goal.deadline - latest.on).days
    required = (goal.target - latest.value) / days_left if days_left > 0 else None

    if reaches(latest.value, goal):
        status, required = Status.REACHED, None
    elif as_of > goal.deadline:
        status = Status.MISSED
    elif chance is None:
        status = Status.TOO_FEW_POINTS
    elif chance >= ON_TRACK_CHANCE:
        status = Status.ON_TRACK
    elif chance < OFF_TRACK_CHANCE:
        status = Status.OFF_TRACK
    else:
        status = Status.AT_RISK
    return Progress(
        status=status,
        latest=latest,
        share=share,
        trend=trend,
        projected=projected,
        interval=interval,
        chance=chance,
        required_per_day=required,
    )


# --- Student's t distribution (scipy.stats) -----------------------------------------------------


def t_cdf(t: float, df: int) -> float:
    """P(T ≤ t) for Student's t with `df` degrees of freedom."""
    if df < 1:
        raise ValueError("Student's t needs at least one degree of freedom.")
    return float(student_t.cdf(t, df))


@functools.lru_cache(maxsize=256)
def t_quantile(p: float, df: int) -> float:
    """The t with P(T ≤ t) = p.

    Cached: a dashboard asks for the same few (p, df) on every request."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be strictly between 0 and 1.")
    if df < 1:
        raise ValueError("Student's t needs at least one degree of freedom.")
    return float(student_t.ppf(p, df))
