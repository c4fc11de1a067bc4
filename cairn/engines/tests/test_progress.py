"""Progress and on-track math, on cases worked by hand (the arithmetic is in the comments).

For 2 degrees of freedom Student's t has a closed form, F(t) = 1/2 + t / (2·sqrt(2 + t²)), which
is how the chances below were worked out without tables.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from cairn.engines.progress import (
    Direction,
    Goal,
    GoalError,
    Point,
    Status,
    fit_trend,
    progress,
    share_of_distance,
    t_cdf,
    t_quantile,
)

DAY0 = dt.date(2026, 1, 1)


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def points(*values: float) -> list[Point]:
    """Measurements on days 1, 2, 3, ... (day 0 is the baseline)."""
    return [Point(day(i + 1), v) for i, v in enumerate(values)]


def up_goal(target: float = 20.0, deadline: int = 10) -> Goal:
    return Goal(baseline=10.0, baseline_on=DAY0, target=target, deadline=day(deadline),
                direction=Direction.UP)  # fmt: skip


def down_goal(target: float = 10.0, deadline: int = 10) -> Goal:
    return Goal(baseline=20.0, baseline_on=DAY0, target=target, deadline=day(deadline),
                direction=Direction.DOWN)  # fmt: skip


# --- share of the distance ---------------------------------------------------------------------


def test_share_is_the_part_of_the_distance_covered_when_up_is_good():
    # (15 - 10) / (20 - 10) = 0.5
    assert share_of_distance(15.0, up_goal()) == 0.5


def test_share_is_the_same_formula_when_down_is_good():
    # baseline 19.5 min, target 12 min, now 15.75: (15.75 - 19.5) / (12 - 19.5) = 0.5
    goal = Goal(baseline=19.5, baseline_on=DAY0, target=12.0, deadline=day(300),
                direction=Direction.DOWN)  # fmt: skip
    assert share_of_distance(15.75, goal) == 0.5
    # worse than the baseline is negative: (21 - 19.5) / (12 - 19.5) = -0.2
    assert share_of_distance(21.0, goal) == pytest.approx(-0.2)


@pytest.mark.parametrize(
    ("direction", "target"),
    [(Direction.DOWN, 25.0), (Direction.UP, 5.0), (Direction.UP, 10.0)],
)
def test_a_target_on_the_wrong_side_of_the_baseline_is_refused(direction, target):
    goal = Goal(baseline=10.0, baseline_on=DAY0, target=target, deadline=day(10),
                direction=direction)  # fmt: skip
    with pytest.raises(GoalError):
        progress(goal, [], as_of=day(1))


# --- the trend ----------------------------------------------------------------------------------


def test_least_squares_trend_and_its_standard_error():
    # x = 0,1,2,3; y = 10,12,13,15. x̄ = 1.5, ȳ = 12.5, Sxx = 5, Sxy = 8 → slope 1.6.
    # fitted 10.1, 11.7, 13.3, 14.9 → residuals -.1 .3 -.3 .1, SSE = 0.2, s² = 0.2 / 2 = 0.1.
    trend = fit_trend([Point(DAY0, 10.0), *points(12.0, 13.0, 15.0)])
    assert trend is not None
    assert trend.slope_per_day == pytest.approx(1.6)
    assert trend.level == pytest.approx(12.5)
    assert trend.residual_sd == pytest.approx(math.sqrt(0.1))
    assert trend.slope_se == pytest.approx(math.sqrt(0.1 / 5))  # 0.1414
    # on day 10: 12.5 + 1.6 × 8.5 = 26.1; se = sqrt(0.1 × (1 + 1/4 + 8.5² / 5)) = sqrt(1.57)
    assert trend.predict(day(10)) == pytest.approx(26.1)
    assert trend.prediction_se(day(10)) == pytest.approx(math.sqrt(1.57))
    # 80% prediction interval: ± t(0.90, 2) × 1.25300 = ± 1.885618 × 1.25300 = ± 2.36267
    low, high = trend.interval(day(10))
    assert (low, high) == (pytest.approx(23.73733, abs=1e-4), pytest.approx(28.46267, abs=1e-4))


@pytest.mark.parametrize(
    ("target", "chance", "status"),
    [
        # (26.1 - 20) / 1.253 = 4.8683 → 1/2 + 4.8683 / (2·sqrt(25.700)) = 0.98014
        (20.0, 0.98014, Status.ON_TRACK),
        # (26.1 - 26.5) / 1.253 = -0.31923 → 1/2 - 0.31923 / (2·sqrt(2.10191)) = 0.38991
        (26.5, 0.38991, Status.AT_RISK),
        # (26.1 - 30) / 1.253 = -3.11254 → 1/2 - 3.11254 / (2·sqrt(11.68791)) = 0.04479
        (30.0, 0.04479, Status.OFF_TRACK),
    ],
)
def test_on_track_at_risk_and_off_track_from_the_chance_at_the_deadline(target, chance, status):
    result = progress(up_goal(target=target), points(12.0, 13.0, 15.0), as_of=day(3))
    assert result.chance == pytest.approx(chance, abs=1e-4)
    assert result.status == status
    assert result.projected == pytest.approx(26.1)


def test_down_is_good_mirrors_up_is_good():
    # y = 20, 18, 17, 15: the mirror image of the case above; on day 10 the line is at 3.9
    result = progress(down_goal(target=10.0), points(18.0, 17.0, 15.0), as_of=day(3))
    assert result.share == pytest.approx(0.5)  # (15 - 20) / (10 - 20)
    assert result.trend is not None
    assert result.trend.slope_per_day == pytest.approx(-1.6)
    assert result.projected == pytest.approx(3.9)
    assert result.chance == pytest.approx(0.98014, abs=1e-4)  # -(3.9 - 10) / 1.253 = 4.8683
    assert result.status == Status.ON_TRACK
    # the pace needed from 15 on day 3 to 10 on day 10: -5 / 7 per day
    assert result.required_per_day == pytest.approx(-5 / 7)


def test_down_is_good_metric_that_rises_is_off_track():
    result = progress(down_goal(target=10.0), points(20.5, 21.0, 21.5), as_of=day(3))
    assert result.share == pytest.approx(-0.15)  # (21.5 - 20) / (10 - 20)
    assert result.bar_percent == 0
    assert result.status == Status.OFF_TRACK


def test_a_perfect_line_is_certain_either_way():
    on_line = points(11.0, 12.0, 13.0)  # one a day: reaches 20 on day 10 exactly
    assert progress(up_goal(target=20.0), on_line, as_of=day(3)).chance == 1.0
    assert progress(up_goal(target=20.5), on_line, as_of=day(3)).chance == 0.0


# --- reached, missed, too few points --------------------------------------------------------


def test_a_target_already_passed_is_reached_whatever_the_trend():
    # beds: baseline 17.8, target 25; the latest census already shows 25.4
    goal = Goal(baseline=17.8, baseline_on=DAY0, target=25.0, deadline=day(300),
                direction=Direction.UP)  # fmt: skip
    result = progress(goal, [Point(day(30), 26.0), Point(day(60), 25.4)], as_of=day(60))
    assert result.status == Status.REACHED
    assert result.share == pytest.approx((25.4 - 17.8) / (25.0 - 17.8))  # 1.0556
    assert result.bar_percent == 100
    assert result.required_per_day is None


def test_a_down_is_good_target_already_passed_is_reached():
    result = progress(down_goal(target=12.0), points(11.5), as_of=day(1))
    assert result.status == Status.REACHED
    assert result.share == pytest.approx(1.0625)  # (11.5 - 20) / (12 - 20)


def test_after_the_deadline_an_unreached_target_is_missed():
    result = progress(up_goal(target=20.0, deadline=3), points(12.0, 13.0, 15.0), as_of=day(5))
    assert result.status == Status.MISSED


def test_measurements_after_as_of_are_not_counted():
    result = progress(up_goal(), points(12.0, 13.0, 25.0), as_of=day(2))
    assert result.latest == Point(day(2), 13.0)
    assert result.status == Status.TOO_FEW_POINTS or result.trend is not None


@pytest.mark.parametrize(
    "measurements",
    [
        [],  # the baseline alone
        [Point(day(5), 12.0)],  # a line through two points has no uncertainty
        [Point(DAY0, 11.0), Point(DAY0, 12.0)],  # three points on one day: no slope
    ],
)
def test_too_few_points_give_no_trend(measurements):
    result = progress(up_goal(), measurements, as_of=day(5))
    assert result.status == Status.TOO_FEW_POINTS
    assert result.trend is None
    assert result.chance is None
    assert result.interval is None
    assert result.share == pytest.approx((result.latest.value - 10.0) / 10.0)


# --- Student's t, checked against published tables ------------------------------------------


@pytest.mark.parametrize(
    ("p", "df", "expected"),
    [(0.90, 2, 1.885618), (0.975, 10, 2.228139), (0.95, 30, 1.697261), (0.75, 1, 1.0)],
)
def test_t_quantiles_match_the_tables(p, df, expected):
    assert t_quantile(p, df) == pytest.approx(expected, abs=1e-5)


def test_t_cdf_closed_forms():
    assert t_cdf(0.0, 5) == pytest.approx(0.5)
    assert t_cdf(1.0, 1) == pytest.approx(0.75)  # Cauchy: 1/2 + atan(1)/π
    assert t_cdf(-2.0, 2) == pytest.approx(0.5 - 2 / (2 * math.sqrt(6)))
