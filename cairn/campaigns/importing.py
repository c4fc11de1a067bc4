"""CSV import of an objective's measurements: validate every line, then write all or nothing.

The same bad-input rules as the supporters import (cairn.people.importing), on a smaller file:

- the encoding is UTF-8 (with or without BOM), else Windows-1252, else Latin-1; the delimiter
  (comma, semicolon or tab) is taken from the header; an empty or header-only file is refused;
- the header must name a `date` and a `value` column (`source` and `note` are optional; unknown
  columns are ignored); a missing column is an error of line 1;
- every line is checked and every problem reported as (line, column, reason), the header being
  line 1: a date that is not YYYY-MM-DD, in the future or before the baseline; a value that is
  not a plain number; a missing source (when no default is given); a cell too long, holding a
  NUL character or looking like a spreadsheet formula; a line with more cells than the header;
  a date already on an earlier line ("same date as line 3") or already recorded;
- with any error nothing is written; otherwise every line is written in one transaction.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.accounts.models import User

from .models import Measurement, Objective
from .services import check_measurement_date

MAX_BYTES = 5 * 1024 * 1024  # five million bytes is decades of daily figures
MAX_LINES = 20_000
SOURCE_MAX, NOTE_MAX = 500, 500
COLUMN_ALIASES = {
    "date": "date",
    "day": "date",
    "on": "date",
    "measuredon": "date",
    "value": "value",
    "measurement": "value",
    "source": "source",
    "note": "note",
    "notes": "note",
    "comment": "note",
}
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
FORMULA_TRIGGERS = ("=", "+", "-", "@")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    on: dt.date
    value: Decimal
    source: str
    note: str


def decode(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def looks_like_formula(value: str) -> bool:
    """A text cell a spreadsheet would evaluate ("=…", or "+", "-", "@" before a call or link)."""
    if value.startswith("="):
        return True
    return value.startswith(FORMULA_TRIGGERS[1:]) and any(mark in value for mark in "(!|")


def _key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


@dataclass(slots=True)
class Table:
    """Rows to check, whatever they came from: `header` names the columns (for messages and the
    cell count), `columns` maps date/value/source/note to a column index, `records` yields
    (line number, cells)."""

    header: list[str]
    columns: dict[str, int]
    records: Iterable[tuple[int, list[str]]]


def csv_table(
    text: str, *, mapping: dict[str, str] | None = None
) -> tuple[Table | None, list[RowError]]:
    """The CSV text as a Table: the delimiter is taken from the header; the columns are found by
    their usual names, or by the names in `mapping` (field → header, case-insensitive)."""
    if not text.strip():
        return None, [RowError(1, "", "the file is empty")]
    header_line = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [cell.strip() for cell in next(reader)]
    columns: dict[str, int] = {}
    if mapping:
        wanted = {name.strip().lower(): field for field, name in mapping.items() if name.strip()}
        for index, name in enumerate(header):
            field = wanted.get(name.lower())
            if field and field not in columns:
                columns[field] = index
    else:
        for index, name in enumerate(header):
            field = COLUMN_ALIASES.get(_key(name))
            if field and field not in columns:
                columns[field] = index
    missing = [
        (mapping or {}).get(name) or name for name in ("date", "value") if name not in columns
    ]
    missing += [
        name for field, name in (mapping or {}).items()
        if field not in {"date", "value"} and name.strip() and field not in columns
    ]  # fmt: skip
    if missing:
        return None, [
            RowError(
                1,
                "",
                f"the header has no {' or '.join(missing)} column (found: "
                f"{', '.join(header) or 'nothing'})",
            )
        ]
    return Table(header, columns, ((reader.line_num, cells) for cells in reader)), []


def recorded_days(objective: Objective) -> set[dt.date]:
    return set(
        Measurement.objects.for_coalition(objective.coalition_id)
        .filter(objective=objective)
        .values_list("on", flat=True)
    )


def read(
    stream: IO[bytes], *, objective: Objective, default_source: str = "", today: dt.date
) -> tuple[list[_Row], list[RowError]]:
    """Every line checked; (good rows, errors). Reads nothing from the database but the dates
    already recorded for the objective (one query)."""
    raw = stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return [], [RowError(0, "", f"the file is larger than {MAX_BYTES // 1024 // 1024} MB")]
    table, errors = csv_table(decode(raw))
    if table is None:
        return [], errors
    rows, errors, _ = check_table(
        table,
        objective=objective,
        default_source=default_source,
        today=today,
        recorded=recorded_days(objective),
    )
    return rows, errors


def check_table(
    table: Table,
    *,
    objective: Objective,
    default_source: str,
    today: dt.date,
    recorded: set[dt.date],
    skip_recorded: bool = False,
) -> tuple[list[_Row], list[RowError], int]:
    """Every row checked: (good rows, errors, rows skipped). A date already `recorded` is an error,
    or with `skip_recorded` (a feed that repeats its history) a row left out and counted."""
    header, columns = table.header, table.columns
    label = {field: header[index] for field, index in columns.items()}
    rows: list[_Row] = []
    errors: list[RowError] = []
    seen: dict[dt.date, int] = {}
    count = skipped = 0
    for line, cells in table.records:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not rows
        count += 1
        if count > MAX_LINES:
            errors.append(RowError(line, "", f"more than {MAX_LINES:,} rows; split the file"))
            break
        found = _check(cells, line, columns, label, header, objective, default_source, today)
        if isinstance(found, list):
            errors.extend(found)
            continue
        if found.on in seen:
            errors.append(RowError(line, label["date"], f"same date as line {seen[found.on]}"))
            continue
        seen[found.on] = line
        if found.on in recorded:
            if skip_recorded:
                skipped += 1
            else:
                errors.append(
                    RowError(line, label["date"], f"{found.on} already has a measurement")
                )
            continue
        rows.append(found)
    if count == 0 and not errors:
        errors.append(RowError(1, "", "the file has a header (line 1) but no rows"))
    return rows, errors, skipped


def _check(
    cells: list[str],
    line: int,
    columns: dict[str, int],
    label: dict[str, str],
    header: list[str],
    objective: Objective,
    default_source: str,
    today: dt.date,
) -> _Row | list[RowError]:
    errors: list[RowError] = []
    if len(cells) > len(header):
        errors.append(RowError(line, "", f"{len(cells)} cells; the header has {len(header)}"))

    def cell(field: str) -> str:
        index = columns.get(field)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    for field in columns:
        text = cell(field)
        if "\x00" in text:
            errors.append(RowError(line, label[field], "contains a NUL character"))
        elif field in {"source", "note"} and looks_like_formula(text):
            errors.append(RowError(line, label[field], f"{text[:40]!r} looks like a formula"))
    on: dt.date | None = None
    raw_date = cell("date")
    try:
        on = dt.date.fromisoformat(raw_date) if len(raw_date) == 10 else None
    except ValueError:
        on = None
    if on is None:
        errors.append(RowError(line, label["date"], f"{raw_date[:40]!r} is not a YYYY-MM-DD date"))
    else:
        problem = check_measurement_date(objective, on, today)
        if problem:
            errors.append(RowError(line, label["date"], f"{on} {problem}"))
    raw_value = cell("value")
    value: Decimal | None = None
    if NUMBER.match(raw_value):
        value = Decimal(raw_value)  # the pattern admits only what Decimal reads
        exponent = value.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) else 0
        if abs(value) >= 10**10 or decimals > 4:
            errors.append(
                RowError(line, label["value"], f"{raw_value!r}: at most 10 digits and 4 decimals")
            )
    else:
        errors.append(RowError(line, label["value"], f"{raw_value[:40]!r} is not a number"))
    source = cell("source") or default_source.strip()
    if not source:
        errors.append(
            RowError(line, label.get("source", "source"), "no source (and no default source)")
        )
    for field, limit in (("source", SOURCE_MAX), ("note", NOTE_MAX)):
        if len(cell(field)) > limit:
            errors.append(
                RowError(line, label[field], f"{len(cell(field)):,} characters; at most {limit}")
            )
    if errors or on is None or value is None:
        return errors
    return _Row(line=line, on=on, value=value, source=source, note=cell("note"))


def import_measurements(
    *,
    objective: Objective,
    stream: IO[bytes],
    recorded_by: User | None,
    default_source: str = "",
) -> ImportResult:
    """Import every line of the file, or none of them (with every error found)."""
    rows, errors = read(
        stream, objective=objective, default_source=default_source, today=timezone.localdate()
    )
    if errors:
        return ImportResult(created=0, errors=errors)
    try:
        created = _write(objective=objective, rows=rows, recorded_by=recorded_by)
    except IntegrityError:  # a measurement for one of the dates was recorded meanwhile
        return ImportResult(
            created=0, errors=[RowError(0, "", "a date was recorded meanwhile; try again")]
        )
    return ImportResult(created=created, errors=[])


@transaction.atomic
def _write(
    *,
    objective: Objective,
    rows: list[_Row],
    recorded_by: User | None,
    origin: str = Measurement.Origin.IMPORT,
) -> int:
    now = timezone.now()
    Measurement.objects.bulk_create(
        Measurement(
            coalition_id=objective.coalition_id,
            objective=objective,
            on=row.on,
            value=row.value,
            source=row.source,
            note=row.note,
            origin=origin,
            recorded_by=recorded_by,
            recorded_at=now,
        )
        for row in rows
    )
    return len(rows)


def as_context(errors: list[RowError]) -> list[dict[str, Any]]:
    return [{"line": e.line, "column": e.column, "reason": e.reason} for e in errors]
