"""The dashboard's tables, their rows written here as HTML rather than in the template.

Five years of weekly engagement and every member organization's share of each kind of it are
hundreds of cells: through the template engine (a node, a lookup, a filter and an escape for
each cell, an include for each progress bar) they took about 20 ms of each request; joined here,
about 2 ms. Text is escaped as the template escapes it (`html.escape`, which is what
`django.utils.html.escape` calls, without its lazy-string wrapper: it runs once a cell); numbers
formatted here contain only digits, commas, a point and a minus sign.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from .models import Measurement
from .selectors import ContributionRow, MeasuredValue


def engagement_rows(table: Iterable[tuple[str, list[str]]]) -> SafeString:
    """`<tr>` rows of the weekly engagement table, from `Dashboard.engagement_table`."""
    html = "\n".join(
        f"<tr><td>{escape(week)}</td>"
        + "".join(f'<td class="num">{escape(n)}</td>' for n in counts)
        + "</tr>"
        for week, counts in table
    )
    return mark_safe(html)  # noqa: S308 - every value is escaped above


def progress_meter(percent: int, label: str) -> str:
    """The markup of templates/components/_progress.html for a whole percentage (0 to 100)."""
    label = escape(label or "Progress")
    return (
        f'<div class="progress-meter"><div class="progress" role="progressbar" '
        f'aria-valuenow="{percent}" aria-valuemin="0" aria-valuemax="100" aria-label="{label}">'
        f'<div class="progress__bar pct-{percent}"></div></div>'
        f'<span class="progress-meter__value" aria-hidden="true">{percent}%</span></div>'
    )


def _percent(share: float) -> int:
    return max(0, min(100, round(share * 100)))


def contribution_rows(rows: Iterable[ContributionRow]) -> SafeString:
    """`<tr>` rows of the member contribution table: for each kind of engagement, the member's
    count and its share of the total as a progress bar."""
    html = "\n".join(
        f'<tr><th scope="row">{escape(row.name)}</th>'
        + "".join(
            f'<td class="num">{round(count):,}</td><td class="cell--meter">'
            f"{progress_meter(_percent(share), row.name)}</td>"
            for count, share in row.cells
        )
        + "</tr>"
        for row in rows
    )
    return mark_safe(html)  # noqa: S308 - every value is escaped above


def latest_measurement_rows(
    measurements: Sequence[Measurement | MeasuredValue], count: int = 12
) -> SafeString:
    """`<tr>` rows of the latest `count` measurements (date, value, source): the date as the
    weekly table writes it, the value and source by the functions behind the template filters
    `floatformat:"-4"` and `truncatechars:60`, so they read exactly as the rest of the page."""
    html = "".join(
        f"<tr><td>{m.on.day} {m.on:%b %Y}</td>"
        f'<td class="num">{escape(floatformat(m.value, "-4"))}</td>'
        f"<td>{escape(Truncator(m.source).chars(60))}</td></tr>"
        for m in measurements[-count:]
    )
    return mark_safe(html)  # noqa: S308 - every value is escaped above
