"""Import a district table: a CSV of postal code → district, GeoJSON polygons, or both.

The house rules of every import (see cairn/people/importing.py and cairn/powermap/importing.py):
every problem is listed with where it is (file, line for CSV, feature index for GeoJSON), the
column or property, and the reason — all of them, not the first — and **nothing is written while
there is one**. When the files are clean the table is written in one transaction: a new table, or
an existing one whose districts and postal codes are replaced as a whole (readers see the old
table or the new one, never a mix).

CSV: a header row naming the postal code column ("postal_code", "postcode", "zip", "zip code")
and the district column ("district", "district_key", "district id"), optionally a name column
("district_name", "name"). Delimiter `,` `;` or tab (from the header), UTF-8 with or without BOM,
else Windows-1252. A postal code is kept upper case without spaces; it has 3 to 10 letters,
digits or hyphens. A code listed twice for one district is a problem (the second line names the
first); a code listed for two districts is a split code, which is allowed (the supporter picks).

GeoJSON: a FeatureCollection whose features are Polygon or MultiPolygon, each with a district key
in its properties ("district", "key", "id", "district_id", "DISTRICT", "GEOID" — or the one the
importer names) and optionally a name ("name", "NAME", "district_name"). Coordinates are
[lon, lat] numbers within range; a ring has four positions or more and ends where it starts; a
key appears in one feature only.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions.models import Coalition
from cairn.people.importing import looks_like_formula, unneutralize

from . import geometry
from .models import District, DistrictTable, PostalCode

MAX_BYTES = 50 * 1024 * 1024  # a national table of postal codes or polygons fits well below
MAX_STORED_PROBLEMS = 1000
KEY_MAX = 64
NAME_MAX = 200
POSTAL_RE = re.compile(r"^[A-Z0-9-]{3,10}$")

POSTAL_COLUMNS = ("postal_code", "postal code", "postcode", "zip", "zip code", "zipcode", "zip5")
DISTRICT_COLUMNS = ("district", "district_key", "district key", "district id", "district_id")
NAME_COLUMNS = ("district_name", "district name", "name")
KEY_PROPERTIES = ("district", "key", "district_id", "id", "DISTRICT", "GEOID", "District")
NAME_PROPERTIES = ("name", "NAME", "district_name", "Name", "NAMELSAD")


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason the import cannot go ahead: where (file), line or feature, column, why."""

    where: str
    line: int | None
    column: str
    reason: str
    feature: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "line": self.line,
            "feature": self.feature,
            "column": self.column,
            "reason": self.reason,
        }

    def __str__(self) -> str:
        at = self.where
        if self.line is not None:
            at += f", line {self.line}"
        if self.feature is not None:
            at += f", feature {self.feature}"
        return f"{at}, {self.column}: {self.reason}" if self.column else f"{at}: {self.reason}"


@dataclass(slots=True)
class ParsedDistricts:
    """What the files say: districts by key (name, polygons) and postal codes → keys."""

    names: dict[str, str] = field(default_factory=dict)
    shapes: dict[str, list[Any]] = field(default_factory=dict)
    codes: list[tuple[str, str]] = field(default_factory=list)  # (code, key)
    problems: list[Problem] = field(default_factory=list)


def normalize_postal_code(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


# --- CSV -----------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnicodeError("UTF-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous_end = 0
    for cells in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield start, cells


def _column(header: Sequence[str], names: Sequence[str]) -> int | None:
    keys = [h.strip().lower().replace("-", "_") for h in header]
    for name in names:
        wanted = name.lower().replace("-", "_")
        if wanted in keys:
            return keys.index(wanted)
        if wanted.replace(" ", "_") in keys:
            return keys.index(wanted.replace(" ", "_"))
    return None


def read_postal_csv(data: bytes, where: str, parsed: ParsedDistricts) -> None:
    def problem(line: int | None, column: str, reason: str) -> None:
        parsed.problems.append(Problem(where, line, column, reason))

    if len(data) > MAX_BYTES:
        problem(None, "", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
        return
    try:
        text = _decode(data)
    except UnicodeError:
        problem(None, "", "this file is UTF-16 (Excel's “Unicode text”): save it as “CSV UTF-8”")
        return
    records = _records(text)
    try:
        first = next(records, None)
        if first is None:
            problem(None, "", "the file is empty")
            return
        header = [cell.strip() for cell in first[1]]
        code_at = _column(header, POSTAL_COLUMNS)
        key_at = _column(header, DISTRICT_COLUMNS)
        name_at = _column(header, NAME_COLUMNS)
        if code_at is None:
            problem(first[0], "", "no postal code column (name one “postal_code” or “zip”)")
        if key_at is None:
            problem(first[0], "", "no district column (name one “district”)")
        if code_at is None or key_at is None:
            return
        seen: dict[tuple[str, str], int] = {}
        rows = 0
        for line, cells in records:
            rows += 1
            cells = [unneutralize(c.strip()) for c in cells]
            row_ok = True
            for at, column in ((code_at, header[code_at]), (key_at, header[key_at])):
                value = cells[at] if at < len(cells) else ""
                if not value:
                    problem(line, column, "is empty")
                    row_ok = False
            for checked in (code_at, key_at, name_at):
                if (
                    checked is not None
                    and checked < len(cells)
                    and looks_like_formula(cells[checked])
                ):
                    problem(line, header[checked], "looks like a spreadsheet formula")
                    row_ok = False
            if not row_ok:
                continue
            code = normalize_postal_code(cells[code_at])
            key = cells[key_at]
            name = cells[name_at] if name_at is not None and name_at < len(cells) else ""
            if not POSTAL_RE.match(code):
                problem(
                    line,
                    header[code_at],
                    f"“{cells[code_at][:20]}” is not a postal code (3 to 10 letters or digits)",
                )
                continue
            if len(key) > KEY_MAX:
                problem(line, header[key_at], f"is longer than {KEY_MAX} characters")
                continue
            if len(name) > NAME_MAX:
                problem(line, header[name_at or 0], f"is longer than {NAME_MAX} characters")
                continue
            earlier = seen.get((code, key))
            if earlier is not None:
                problem(line, header[code_at], f"{code} → {key} repeats line {earlier}")
                continue
            seen[(code, key)] = line
            parsed.codes.append((code, key))
            if name and not parsed.names.get(key):
                parsed.names[key] = name
            parsed.names.setdefault(key, "")
        if not rows:
            problem(None, "", "the file has a header but no rows")
    except csv.Error as error:
        problem(None, "", f"cannot be read as CSV ({error})")


# --- GeoJSON -------------------------------------------------------------------------------------


def _position_problem(position: Any) -> str:
    if not isinstance(position, list) or len(position) < 2:
        return "a position is not [longitude, latitude]"
    lon, lat = position[0], position[1]
    for value in (lon, lat):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            return "a coordinate is not a number"
    if not -180 <= lon <= 180:
        return f"longitude {lon} is outside −180…180"
    if not -90 <= lat <= 90:
        return f"latitude {lat} is outside −90…90 (are longitude and latitude swapped?)"
    return ""


def _polygon_problem(polygon: Any) -> str:
    if not isinstance(polygon, list) or not polygon:
        return "a polygon has no rings"
    for ring in polygon:
        if not isinstance(ring, list) or len(ring) < 4:
            return "a ring has fewer than four positions"
        for position in ring:
            reason = _position_problem(position)
            if reason:
                return reason
        if list(ring[0][:2]) != list(ring[-1][:2]):
            return "a ring does not end where it starts"
    return ""


def read_geojson(data: bytes, where: str, parsed: ParsedDistricts, key_property: str = "") -> None:
    def problem(feature: int | None, column: str, reason: str, line: int | None = None) -> None:
        parsed.problems.append(Problem(where, line, column, reason, feature))

    if len(data) > MAX_BYTES:
        problem(None, "", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
        return
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        problem(None, "", "the file is not UTF-8 text")
        return
    except json.JSONDecodeError as error:
        problem(None, "", f"is not JSON ({error.msg}, column {error.colno})", error.lineno)
        return
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        problem(None, "type", "the file is not a GeoJSON FeatureCollection")
        return
    features = document.get("features")
    if not isinstance(features, list) or not features:
        problem(None, "features", "the collection has no features")
        return
    keys = (key_property,) if key_property else KEY_PROPERTIES
    seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problem(index, "type", "is not a Feature")
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            problem(index, "properties", "is not an object")
            continue
        key_name = next((k for k in keys if str(properties.get(k, "")).strip()), "")
        key = str(properties.get(key_name, "")).strip() if key_name else ""
        if not key:
            problem(index, "properties", f"no district key (one of: {', '.join(keys)})")
        elif len(key) > KEY_MAX:
            problem(index, key_name, f"is longer than {KEY_MAX} characters")
            key = ""
        elif looks_like_formula(key):
            problem(index, key_name, "looks like a spreadsheet formula")
            key = ""
        name = next((str(properties[n]).strip() for n in NAME_PROPERTIES if properties.get(n)), "")
        if len(name) > NAME_MAX:
            problem(index, "name", f"is longer than {NAME_MAX} characters")
        geometry_ = feature.get("geometry")
        polygons: list[Any] = []
        if not isinstance(geometry_, dict):
            problem(index, "geometry", "is missing")
        elif geometry_.get("type") == "Polygon":
            polygons = [geometry_.get("coordinates")]
        elif geometry_.get("type") == "MultiPolygon":
            coordinates = geometry_.get("coordinates")
            polygons = coordinates if isinstance(coordinates, list) else [None]
            if not polygons:
                problem(index, "geometry", "the MultiPolygon has no polygons")
        else:
            problem(
                index, "geometry", f"is a {geometry_.get('type')!s}, not a Polygon or MultiPolygon"
            )
        reason = next((r for r in map(_polygon_problem, polygons) if r), "")
        if reason:
            problem(index, "geometry", reason)
            polygons = []
        if not key:
            continue
        if key in seen:
            problem(index, key_name, f"district “{key}” is also feature {seen[key]}")
            continue
        seen[key] = index
        if polygons:
            parsed.shapes[key] = [
                [[[float(p[0]), float(p[1])] for p in ring] for ring in polygon]
                for polygon in polygons
            ]
            if name[:NAME_MAX]:
                parsed.names[key] = name[:NAME_MAX]
            else:
                parsed.names.setdefault(key, "")


# --- write ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ImportResult:
    table: DistrictTable | None
    problems: list[Problem]
    districts: int = 0
    postal_codes: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def parse(
    *, postal_csv: Upload | None = None, geojson: Upload | None = None, key_property: str = ""
) -> ParsedDistricts:
    """Read the files (no database); every problem is collected."""
    parsed = ParsedDistricts()
    if postal_csv is None and geojson is None:
        parsed.problems.append(Problem("", None, "", "choose a CSV of postal codes or a GeoJSON"))
    if postal_csv is not None:
        read_postal_csv(postal_csv.data, postal_csv.name, parsed)
    if geojson is not None:
        read_geojson(geojson.data, geojson.name, parsed, key_property)
    return parsed


def import_districts(
    *,
    coalition: Coalition,
    name: str,
    by: User | None,
    postal_csv: Upload | None = None,
    geojson: Upload | None = None,
    key_property: str = "",
    table: DistrictTable | None = None,
) -> ImportResult:
    """Write the files into a new table (or replace `table`'s contents) only when they have no
    problem at all; otherwise nothing is written and every problem is returned."""
    parsed = parse(postal_csv=postal_csv, geojson=geojson, key_property=key_property)
    if not name.strip() and table is None:
        parsed.problems.insert(0, Problem("", None, "name", "the table needs a name"))
    if parsed.problems:
        return ImportResult(table=None, problems=parsed.problems[:MAX_STORED_PROBLEMS])
    if table is not None and table.coalition_id != coalition.pk:
        raise ValueError("The table belongs to another coalition.")
    sources = [u.name for u in (postal_csv, geojson) if u is not None]
    with transaction.atomic():
        if table is None:
            table = DistrictTable.objects.create(
                coalition=coalition, name=name.strip()[:200], sources=sources, imported_by=by
            )
        else:
            table = DistrictTable.objects.select_for_update().get(pk=table.pk)
            PostalCode.objects.filter(table=table).delete()
            District.objects.filter(table=table).delete()
            table.name = name.strip()[:200] or table.name
            table.sources, table.imported_by, table.imported_at = sources, by, timezone.now()
            table.save(update_fields=["name", "sources", "imported_by", "imported_at"])
        districts = []
        for key, district_name in parsed.names.items():
            shape = parsed.shapes.get(key, [])
            box = geometry.bounds(shape) if shape else (None, None, None, None)
            districts.append(
                District(
                    coalition=coalition,
                    table=table,
                    key=key,
                    name=district_name,
                    polygons=shape,
                    min_lon=box[0],
                    min_lat=box[1],
                    max_lon=box[2],
                    max_lat=box[3],
                )
            )
        District.objects.bulk_create(districts, batch_size=500)
        ids = dict(District.objects.filter(table=table).values_list("key", "pk"))
        PostalCode.objects.bulk_create(
            [
                PostalCode(coalition=coalition, table=table, code=code, district_id=ids[key])
                for code, key in parsed.codes
            ],
            batch_size=2000,
        )
    return ImportResult(
        table=table, problems=[], districts=len(districts), postal_codes=len(parsed.codes)
    )
