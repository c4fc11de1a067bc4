"""Charts redrawn for a phone: the same figures on a narrower plot, labels that fit."""

from __future__ import annotations

import datetime as dt

from cairn.campaigns.charts import (
    LEFT,
    NARROW_LEFT,
    NARROW_WIDTH,
    RIGHT,
    WIDTH,
    Bar,
    Chart,
    Line,
    Panel,
    Rule,
    TimeScale,
    for_width,
)


def a_chart() -> Chart:
    x = TimeScale(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    panel = Panel(
        title="Outcomes: share of the way from baseline to target",
        top=22,
        height=150,
        y_ticks=[(172.0, "0%"), (22.0, "100%")],
        lines=[Line("series--a", "Beds", [(x(dt.date(2026, 1, 1)), 170.0), (x.right, 30.0)])],
        bars=[Bar(x=400, y=40, width=10, height=20, css="bar--interval", title="interval")],
        rules=[Rule("rule--target", "Target", y=22.0)],
        row_labels=[(40.0, "Castellanos-Whitfield"), (58.0, "Holloway")],
    )
    return Chart(
        title="Chain",
        description="Every figure is in the table.",
        panels=[panel],
        x_ticks=x.ticks(8),
        markers=[Rule("marker--today", "Today", x=x(dt.date(2026, 7, 1)))],
    )


def test_the_narrow_chart_maps_the_plot_edges_onto_its_own_and_keeps_heights():
    # given a chart drawn for a page
    chart = a_chart()
    # when it is redrawn for a phone
    narrow = chart.narrow
    # then the plot's left and right edges land on the narrow plot's, y is untouched
    line = narrow.panels[0].lines[0]
    assert (narrow.width, narrow.left, narrow.right) == (NARROW_WIDTH, NARROW_LEFT, 324)
    assert line.points == [(float(NARROW_LEFT), 170.0), (324.0, 30.0)]
    assert narrow.height == chart.height
    assert narrow.panels[0].y_ticks == chart.panels[0].y_ticks
    # and a point in the middle stays in proportion (400 of 88..744 → 84 + 312 × 240/656)
    assert narrow.panels[0].bars[0].x == round(NARROW_LEFT + (400 - LEFT) * 240 / 656, 1)
    assert narrow.panels[0].bars[0].width == 3.7  # 10 × 240/656, never under 2


def test_the_narrow_chart_has_fewer_time_labels_and_short_titles():
    chart = a_chart()
    narrow = chart.narrow
    # 8 month labels at most on the page; room for 240 // 64 = 3 on the phone
    assert len(chart.x_ticks) == 6
    assert [label for _, label in narrow.x_ticks] == [
        "Jan 2026",
        "Mar 2026",
        "May 2026",
        "Jul 2026",
        "Sep 2026",
        "Nov 2026",
    ][::2]
    assert narrow.panels[0].title == "Outcomes"
    assert narrow.panels[0].row_labels == [(40.0, "Castellan…"), (58.0, "Holloway")]
    assert narrow.title_x == 4
    assert chart.title_x == LEFT


def test_a_chart_redrawn_at_its_own_width_is_unchanged():
    chart = a_chart()
    same = for_width(chart, WIDTH, left=LEFT)
    assert same.panels[0].lines[0].points == chart.panels[0].lines[0].points
    assert same.markers[0].x == chart.markers[0].x
    assert same.right == WIDTH - RIGHT
