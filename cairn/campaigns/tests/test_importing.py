"""CSV measurement import: every bad line reported (line, column, reason); nothing half-imported."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from cairn.campaigns.importing import import_measurements
from cairn.campaigns.models import Measurement
from cairn.campaigns.services import record_measurement

from .conftest import days


def run(objective, text: str | bytes, default_source: str = ""):
    raw = text.encode() if isinstance(text, str) else text
    return import_measurements(
        objective=objective, stream=io.BytesIO(raw), recorded_by=None, default_source=default_source
    )


def test_a_clean_file_is_imported_whole(campaign, objective_factory):
    objective = objective_factory(campaign)
    csv = f"Date,Value,Source,Note\n{days(-60)},11.5,census,\n{days(-30)},12.25,census,late\n"
    result = run(objective, csv)
    assert result.ok
    assert result.created == 2
    rows = Measurement.objects.filter(objective=objective).order_by("on")
    assert [(r.value, r.note, r.origin) for r in rows] == [
        (Decimal("11.5"), "", "import"),
        (Decimal("12.25"), "late", "import"),
    ]


def test_bad_lines_are_all_reported_and_nothing_is_imported(campaign, objective_factory):
    objective = objective_factory(campaign)
    record_measurement(
        objective=objective, on=days(-10), value=Decimal(12), source="census", recorded_by=None
    )
    csv = "\n".join(
        [
            "date;value;source;note",
            f"{days(-60)};11.5;census;fine",  # line 2: good
            "03/04/2026;11;census;",  # 3: not ISO
            f"{days(-50)};eleven;census;",  # 4: not a number
            f"{days(5)};12;census;",  # 5: future
            f"{days(-95)};12;census;",  # 6: before the baseline
            f"{days(-60)};12;census;",  # 7: same date as line 2
            f"{days(-10)};12;census;",  # 8: already recorded
            f'{days(-40)};12;=HYPERLINK("x");',  # 9: formula
            f"{days(-39)};12;;",  # 10: no source, no default
            f"{days(-38)};1.23456;census;",  # 11: too many decimals
            f"{days(-37)};12;census;note;extra",  # 12: more cells than the header
        ]
    )
    result = run(objective, csv)
    assert result.created == 0
    assert [(e.line, e.column, e.reason) for e in result.errors] == [
        (3, "date", "'03/04/2026' is not a YYYY-MM-DD date"),
        (4, "value", "'eleven' is not a number"),
        (5, "date", f"{days(5)} is in the future"),
        (6, "date", f"{days(-95)} is before the baseline ({days(-90)})"),
        (7, "date", "same date as line 2"),
        (8, "date", f"{days(-10)} already has a measurement"),
        (9, "source", "'=HYPERLINK(\"x\")' looks like a formula"),
        (10, "source", "no source (and no default source)"),
        (11, "value", "'1.23456': at most 10 digits and 4 decimals"),
        (12, "", "5 cells; the header has 4"),
    ]
    assert Measurement.objects.filter(objective=objective).count() == 1  # only the earlier one


def test_the_default_source_fills_empty_cells(campaign, objective_factory):
    objective = objective_factory(campaign)
    result = run(objective, f"day,measurement\n{days(-3)},13\n", default_source="EMS records")
    assert result.ok
    assert Measurement.objects.get(objective=objective).source == "EMS records"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "the file is empty"),
        (b"date,value\n", "the file has a header (line 1) but no rows"),
        (b"when,how much\n2026-01-01,3\n", "the header has no date or value column"),
    ],
)
def test_files_without_rows_or_columns_are_refused(campaign, objective_factory, raw, reason):
    objective = objective_factory(campaign)
    result = run(objective, raw)
    assert result.created == 0
    assert result.errors[0].line == 1
    assert result.errors[0].reason.startswith(reason)


def test_windows_1252_and_a_bom_are_read(campaign, objective_factory):
    objective = objective_factory(campaign)
    text = f"date,value,source\n{days(-3)},13,Crisis Line – café report\n"
    assert run(objective, text.encode("cp1252")).ok
    objective2 = objective_factory(campaign, statement="Other")
    assert run(objective2, b"\xef\xbb\xbf" + text.encode()).ok
    assert Measurement.objects.get(objective=objective).source == "Crisis Line – café report"
