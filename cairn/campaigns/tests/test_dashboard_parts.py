"""The dashboard's long series and tables, built in Python: the same figures the template wrote."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template

from cairn.campaigns import tables
from cairn.campaigns.charts import Line
from cairn.campaigns.figures import thin
from cairn.campaigns.selectors import ContributionRow, MeasuredSeries, MeasuredValue
from cairn.engines import progress as engine

DAY = dt.date(2024, 1, 1)


def _series(n: int) -> MeasuredSeries:
    days = [DAY + dt.timedelta(days=i) for i in range(n)]
    return MeasuredSeries(days, [10 + i / 3 for i in range(n)], [f"source {i}" for i in range(n)])


def test_a_measured_series_reads_as_a_sequence_of_measurements() -> None:
    series = _series(5)
    assert len(series) == 5
    assert series[0] == MeasuredValue(DAY, 10.0, "source 0")
    assert series[-1] == MeasuredValue(DAY + dt.timedelta(days=4), 10 + 4 / 3, "source 4")
    assert list(series[3:]) == [series[3], series[4]]
    assert isinstance(series[::2], MeasuredSeries)
    assert [m.on.day for m in series[::2]] == [1, 3, 5]
    assert series.points() == [engine.Point(m.on, m.value) for m in series]


def test_thinning_keeps_the_first_and_last_points_and_at_most_about_the_limit() -> None:
    for n in (10, 160, 161, 1826):
        points = list(range(n))
        kept = list(thin(points))
        assert kept[0] == 0
        assert kept[-1] == n - 1
        assert len(kept) <= 161
        assert kept == sorted(set(kept))
        # a series thins to the same days as a list of its items
        series = _series(n)
        assert [m.on for m in thin(series)] == [m.on for m in thin(list(series))]


def test_the_table_rows_are_escaped() -> None:
    rows = tables.contribution_rows(
        [ContributionRow(name="<b>Ours</b> & co", counts=[1234.0], shares=[0.456])]
    )
    assert "<b>" not in rows
    assert '<th scope="row">&lt;b&gt;Ours&lt;/b&gt; &amp; co</th>' in rows
    assert '<td class="num">1,234</td>' in rows
    assert 'aria-valuenow="46"' in rows
    assert 'aria-label="&lt;b&gt;Ours' in rows
    weekly = tables.engagement_rows([("1 Jan 2024", ["1,234", "<5>"])])
    assert weekly == (
        '<tr><td>1 Jan 2024</td><td class="num">1,234</td><td class="num">&lt;5&gt;</td></tr>'
    )


def test_the_progress_bar_matches_the_component() -> None:
    component = Template(
        '{% include "components/_progress.html" with value=value label=label %}'
    ).render(Context({"value": 46, "label": "Harbor & House"}))
    assert tables.progress_meter(46, "Harbor & House") == "".join(
        line.strip() for line in component.splitlines()
    )


def test_the_latest_measurements_read_as_the_template_filters_wrote_them() -> None:
    series = MeasuredSeries(
        [DAY, DAY + dt.timedelta(days=40)], [12.0, 12.345678], ["Census", "x" * 70]
    )
    rows = tables.latest_measurement_rows(series, count=12)
    template = Template(
        "{% for m in rows %}<tr><td>{{ m.on|date:'j M Y' }}</td>"
        '<td class="num">{{ m.value|floatformat:"-4" }}</td>'
        "<td>{{ m.source|truncatechars:60 }}</td></tr>{% endfor %}"
    )
    assert rows == template.render(Context({"rows": list(series)}))
    # only the latest ones
    latest = tables.latest_measurement_rows(_series(30), count=12)
    assert latest.count("<tr>") == 12
    assert latest.startswith("<tr><td>19 Jan 2024</td>")


def test_dots_are_circles_at_the_points() -> None:
    line = Line("series--a", "Measured", [(88.0, 100.5), (90.3, 99.0)])
    assert line.dots_svg == (
        '<circle class="chart__dot series--a" cx="88.0" cy="100.5" r="3"/>'
        '<circle class="chart__dot series--a" cx="90.3" cy="99.0" r="3"/>'
    )
