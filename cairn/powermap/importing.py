"""Import a power map: Kumu-style spreadsheets (CSV pair or XLSX), GraphML, GEXF, plain CSV.

The pipeline, and the rule each step keeps (the supporter import's rules: every problem is listed
by file or sheet, line, column and reason; nothing is half-applied):

- **Read** (`read_files`, pure: no database): each file is recognized (its name, then its first
  bytes) and read into plain rows: `ElementRow` (a stakeholder) and `ConnectionRow` (a
  relationship), each with the file or sheet, line and column it came from. Every cell is checked
  here — a kind, sector, position or relationship type we do not know, a missing name, a weight
  outside 0.1–10, a date that is not a date, a URL that is not http(s), a formula cell, a
  duplicate ID or name in the file, a connection repeated in the file — and every problem is
  collected, not just the first. XML is read with defusedxml (no DTD entities, no external
  entities, so no "billion laughs" and no file disclosure) through SAX, so each problem names
  its line too. XLSX is read by openpyxl in read-only mode, after a check of the archive's
  uncompressed size (a zip bomb is refused before it is opened).
- **Resolve** (`resolve`, pure): rows meet the coalition's map (`MapIndex`, plain dicts read in
  a handful of queries). A row is the stakeholder whose external ID it carries, else the one with
  its name (case-insensitive), else a new one. A connection's From/To name an element of the file
  (by ID, then by name) or a stakeholder already on the map; one naming neither is a dangling
  connection. Name clashes (a row whose ID is one stakeholder's and whose name is another's),
  two rows for one stakeholder, an unknown member organization in "Held by" are problems too.
- **Write** (`import_map`): only when there is no problem at all, in one transaction: new
  stakeholders by `bulk_create`, changed ones by `bulk_update`, tags and position history
  likewise in batches; new relationships (the most numerous rows) with ids from the table's
  sequence by executemany (SQLite) or COPY (PostgreSQL), as the supporter import inserts people.
  No row costs a query of its own. The rows keep
  the services' invariants: names unique per coalition (case-insensitive), one relationship per
  (source, target, type), undirected types stored once with source < target, a weight in range,
  evidence on every relationship and position change. A relationship without evidence in the
  file gets a note of provenance — "Imported from <file> on <date> by <user>." — which is what
  we know about it: that someone put it in that file. Then `request_recompute` once.

A re-import updates instead of duplicating: matched stakeholders take the file's non-blank
values (a blank cell never erases what is stored; tags are added, never removed); a known
relationship takes the file's weight, evidence, source URL and date. A position that changes is
recorded as a dated `PositionChange` with the row's position evidence (or the provenance note).

Small files run inline from the upload page; larger ones run in the task queue
(`import_map_task`, whose result the page polls).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import re
import uuid
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from pathlib import PurePath
from typing import Any
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import Locator

from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from cairn.accounts.models import User
from cairn.coalitions.models import Coalition, Membership, Sector
from cairn.engines.words import counted
from cairn.people.importing import _SqlWriter, looks_like_formula, unneutralize

from . import analysis, services
from .models import (
    UNDIRECTED_KINDS,
    WEIGHT_MAX,
    WEIGHT_MIN,
    PositionChange,
    Relationship,
    RelationshipKind,
    Stakeholder,
    StakeholderKind,
    StakeholderOrigin,
    StakeholderPosition,
    StakeholderTag,
)

# --- limits --------------------------------------------------------------------------------------

NAME_MAX = 200
EXTERNAL_ID_MAX = 200
URL_MAX = 500
TAG_MAX = 80
TEXT_MAX = 10_000  # description, evidence
MAX_STORED_PROBLEMS = 1000
# An XLSX archive whose parts uncompress to more than this is refused before openpyxl opens it.
XLSX_MAX_UNCOMPRESSED = 400 * 1024 * 1024
XLSX_MAX_RATIO = 200  # uncompressed / compressed: far above any real workbook, below a zip bomb

_validate_url = URLValidator(schemes=["http", "https"])


class MapImportError(Exception):
    """The upload cannot be read at all (no file, unknown format): the message is safe to show."""


class Format(StrEnum):
    KUMU_CSV = "csv"
    XLSX = "xlsx"
    GRAPHML = "graphml"
    GEXF = "gexf"


FORMAT_LABELS: dict[str, str] = {
    Format.KUMU_CSV: "CSV (Kumu-style elements and connections, or Cairn's own columns)",
    Format.XLSX: "Excel workbook (Kumu-style: an Elements and a Connections sheet)",
    Format.GRAPHML: "GraphML (yEd, Gephi, networkx, Cairn)",
    Format.GEXF: "GEXF (Gephi)",
}


# --- problems and rows ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason the import cannot go ahead: where (file or sheet), line, column, why."""

    where: str
    line: int | None
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "line": self.line,
            "column": self.column,
            "reason": self.reason,
        }

    def __str__(self) -> str:
        at = f"{self.where}, line {self.line}" if self.line else self.where
        return f"{at}, {self.column}: {self.reason}" if self.column else f"{at}: {self.reason}"


@dataclass(slots=True)
class ElementRow:
    """A stakeholder as a file describes it. None: the file does not say (a blank cell)."""

    where: str
    line: int
    name: str
    ref: str = ""  # what connections call it: its ID (the node id in GraphML/GEXF)
    external_id: str = ""
    kind: str | None = None
    sector: str | None = None
    position: str | None = None
    position_on: dt.date | None = None
    position_evidence: str = ""
    influence: int | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    website: str | None = None
    held_by: str = ""  # a member organization's name
    columns: dict[str, str] = field(default_factory=dict)  # field → the file's column name


@dataclass(slots=True)
class ConnectionRow:
    where: str
    line: int
    source: str  # an element's ID or name
    target: str
    kind: str
    weight: Decimal | None = None
    evidence: str = ""
    source_url: str = ""
    observed_on: dt.date | None = None
    columns: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ParsedMap:
    """What the files hold, read and checked; `problems` empty means every row is good."""

    sources: list[str] = field(default_factory=list)  # file names
    elements: list[ElementRow] = field(default_factory=list)
    connections: list[ConnectionRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    # IDs and names (lower-case) of element rows that had a problem: a connection to one of them
    # is not reported again as dangling
    rejected: set[str] = field(default_factory=set)

    def problem(self, where: str, line: int | None, column: str, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_STORED_PROBLEMS:
            self.problems.append(Problem(where, line, column, reason))


# --- vocabulary ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)  # a file repeats its few types, sectors and positions
def _key(text: str) -> str:
    """A header or value reduced to lower-case letters and digits: 'Source URL' → 'sourceurl'."""
    return _NOT_KEY.sub("", text.lower())


_NOT_KEY = re.compile(r"[^a-z0-9]")


def _vocabulary(choices: Iterable[tuple[str, str]], **aliases: Sequence[str]) -> dict[str, str]:
    """Keys (value, label and aliases, all reduced by `_key`) → the stored value."""
    found: dict[str, str] = {}
    for value, label in choices:
        found[_key(value)] = value
        found[_key(label)] = value
    for value, names in aliases.items():
        for name in names:
            found[_key(name)] = value
    return found


KINDS = _vocabulary(
    StakeholderKind.choices,
    organization=(
        "org",
        "organisation",
        "company",
        "agency",
        "nonprofit",
        "group",
        "institution",
        "business",
        "foundation",
        "union",
        "congregation",
        "outlet",
        # categories Kumu maps often use for their element types
        "ngo",
        "charity",
        "funder",
        "donor",
        "corporation",
        "employer",
        "association",
        "coalition",
        "network",
        "church",
        "media",
        "media outlet",
        "newspaper",
        "hospital",
        "insurer",
        "university",
        "think tank",
        "government agency",
        "public agency",
        "pac",
    ),
    person=(
        "individual",
        "people",
        "human",
        "official",
        "leader",
        "legislator",
        "journalist",
        "politician",
        "elected official",
        "lawmaker",
        "staffer",
        "staff member",
        "reporter",
        "activist",
        "donor individual",
        "expert",
    ),
    office=("position", "role", "seat", "committee", "department", "body", "caucus", "board"),
)
SECTORS = _vocabulary(
    Sector.choices,
    health_care=("health", "healthcare", "hospital", "hospitals", "clinic", "medical"),
    insurance=("insurer", "insurers", "health plan", "payer"),
    government=(
        "legislature",
        "state legislative leaders",
        "legislative",
        "public sector",
        "state government",
        "local government",
        "politics",
    ),
    nonprofit=("non profit", "not for profit", "ngo", "community non-profits", "charity"),
    faith=("religious", "church", "faith based", "interfaith"),
    labor=("labour", "union", "unions", "trade union"),
    business=("private sector", "corporate", "employer", "employers", "industry"),
    academia=("academic", "university", "research", "education"),
    media=("press", "news", "journalism"),
    philanthropy=("foundation", "foundations", "funder", "funders"),
    community=("community group", "grassroots", "neighborhood"),
    advocacy=("patient advocacy", "consumer advocacy", "advocates"),
    public_safety=(
        "public safety",
        "police",
        "law enforcement",
        "fire",
        "ems",
        "emergency services",
        "first responders",
    ),
)
POSITIONS = _vocabulary(
    StakeholderPosition.choices,
    opposed=("against", "oppose", "opposing"),
    skeptical=("sceptical", "doubtful", "leaning against"),
    neutral=("undecided", "uncommitted"),
    supportive=("support", "supporter", "for", "leaning for"),
    champion=("committed", "acted", "ally"),
    unknown=("n/a", "na", "not known", "unclear"),
)
# The scale as numbers (POSITION_SCORE's), read before the words: "-1" is not "1".
POSITION_NUMBERS = {
    "-2": "opposed",
    "-1": "skeptical",
    "0": "neutral",
    "1": "supportive",
    "+1": "supportive",
    "2": "champion",
    "+2": "champion",
    "?": "unknown",
}
RELATIONSHIP_KINDS = _vocabulary(
    RelationshipKind.choices,
    funds=("funding", "funder", "grant", "grants", "donates to", "donor", "contributes to"),
    board_seat=("board", "board member", "sits on board", "board seat", "trustee", "director"),
    employs=("employer", "employment", "employed", "staff"),
    member_of=("member", "membership", "belongs to", "affiliated with"),
    regulates=("regulator", "oversees", "oversight", "licenses"),
    votes_on=("votes", "vote", "decides", "appropriates"),
    allied_with=("ally", "allies", "alliance", "allied", "partner", "partners", "coalition"),
    opposes=("opponent", "against", "opposed"),
    covers=("media coverage", "coverage", "reports on", "covered"),
    personal_tie=("personal", "friend", "friends", "family", "relative", "married to", "tie"),
)
_DIRECTIONS = {"directed": True, "undirected": False, "mutual": False, "": None}

# Header names (reduced by `_key`) → field; the earlier an alias in its list, the stronger it
# is when two columns could hold the same field (Kumu's "Label" beats a generic "Name").
ELEMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("label", "name", "stakeholder", "element", "title"),
    "external_id": ("id", "externalid", "kumuid", "cairnid", "key"),
    "kind": ("kind", "type", "elementtype", "stakeholdertype"),
    "sector": ("sector", "sectors", "industry", "field"),
    "position": ("position", "stance", "positionontheissue"),
    "position_on": ("positionon", "positiondate", "stancedate", "positionsince"),
    "position_evidence": ("positionevidence", "stanceevidence", "positionsource"),
    "influence": ("influence", "power", "influencescore"),
    "description": ("description", "mission", "bio", "about", "summary", "notes"),
    "tags": ("tags", "tag", "keywords"),
    "website": ("website", "url", "homepage", "web", "link"),
    "held_by": ("heldby", "holder", "relationshipholder", "heldbymember", "relationshipowner"),
}
CONNECTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "source": ("from", "source", "fromlabel", "sourceid"),
    "target": ("to", "target", "tolabel", "targetid"),
    "kind": ("kind", "type", "connectiontype", "relationship", "relation", "label"),
    "direction": ("direction", "directed", "connectiondirection"),
    "weight": ("weight", "strength", "value"),
    "evidence": ("evidence", "description", "notes", "note"),
    "source_url": ("sourceurl", "url", "link", "evidenceurl", "citation"),
    "observed_on": ("date", "observedon", "observed", "when", "since", "startdate"),
}
_ELEMENT_FIELDS = {alias: name for name, aliases in ELEMENT_COLUMNS.items() for alias in aliases}
_CONNECTION_FIELDS = {
    alias: name for name, aliases in CONNECTION_COLUMNS.items() for alias in aliases
}


def map_columns(header: Sequence[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """field → index of the column that holds it (the strongest alias wins; others ignored)."""
    best: dict[str, tuple[int, int]] = {}  # field → (alias rank, column index)
    for index, name in enumerate(header):
        key = _key(name)
        for field_name, aliases in columns.items():
            if key in aliases:
                rank = aliases.index(key)
                if field_name not in best or rank < best[field_name][0]:
                    best[field_name] = (rank, index)
    # one column feeds one field: a column claimed by a stronger field is not reused
    taken: dict[int, str] = {}
    for field_name, (_rank, index) in sorted(best.items(), key=lambda item: item[1][0]):
        if index not in taken:
            taken[index] = field_name
    return {name: index for index, name in taken.items()}


def is_connections_header(header: Sequence[str]) -> bool:
    keys = {_key(name) for name in header}
    return bool(keys & {"from", "source", "sourceid"}) and bool(keys & {"to", "target", "targetid"})


# --- cells ---------------------------------------------------------------------------------------

Cell = Any  # str from CSV and XML; str, int, float, date, datetime or None from XLSX


@dataclass(frozen=True, slots=True)
class RawRow:
    """One record of a file before checking: field → (column name as written, value)."""

    where: str
    line: int
    cells: dict[str, tuple[str, Cell]]
    formulas: frozenset[str] = frozenset()  # fields whose XLSX cell is a formula


class _Checker:
    """Turns raw cells into typed values, recording a Problem for each bad one."""

    def __init__(self, parsed: ParsedMap, today: dt.date) -> None:
        self.parsed = parsed
        self.today = today

    def text(self, raw: RawRow, name: str, limit: int, *, csv_cell: bool) -> str | None:
        """The cell as trimmed text; None when absent or blank (or bad: a Problem is recorded)."""
        if name not in raw.cells:
            return None
        value = raw.cells[name][1]
        if value is None:
            return None
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        text = str(value).strip()
        if not text:
            return None
        if name in raw.formulas:
            self.bad(raw, name, f"is a formula ({_shorten(text)}): paste its value instead")
            return None
        if csv_cell:
            guarded = text[0] == "'" and unneutralize(text) != text
            if guarded:
                # our export's guard: the apostrophe says "text", so the cell is text
                text = unneutralize(text)
            elif text[0] in _FORMULA_STARTS and looks_like_formula(text):
                self.bad(
                    raw, name, f"{_shorten(text)!r} looks like a spreadsheet formula: remove it"
                )
                return None
        if "\x00" in text:
            self.bad(raw, name, "contains a NUL character")
            return None
        if len(text) > limit:
            self.bad(raw, name, f"{len(text):,} characters; at most {limit:,} fit")
            return None
        return text

    def bad(self, raw: RawRow, name: str, reason: str) -> None:
        column = raw.cells[name][0] if name in raw.cells else name
        self.parsed.problem(raw.where, raw.line, column, reason)

    def choice(
        self, raw: RawRow, name: str, vocabulary: dict[str, str], what: str, *, csv_cell: bool
    ) -> str | None:
        text = self.text(raw, name, 200, csv_cell=csv_cell)
        if text is None:
            return None
        if vocabulary is POSITIONS and text in POSITION_NUMBERS:
            return POSITION_NUMBERS[text]
        value = vocabulary.get(_key(text))
        if value is None:
            known = ", ".join(sorted(set(vocabulary.values())))
            self.bad(raw, name, f"{_shorten(text)!r} is not a {what} we know (use one of: {known})")
        return value

    def url(self, raw: RawRow, name: str, *, csv_cell: bool) -> str | None:
        text = self.text(raw, name, URL_MAX, csv_cell=csv_cell)
        if text is None:
            return None
        try:
            _validate_url(text)
        except ValidationError:
            self.bad(raw, name, f"{_shorten(text)!r} is not a web address (http:// or https://)")
            return None
        return text

    def date(self, raw: RawRow, name: str, *, csv_cell: bool) -> dt.date | None:
        if name not in raw.cells:
            return None
        value = raw.cells[name][1]
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        else:
            text = self.text(raw, name, 40, csv_cell=csv_cell)
            if text is None:
                return None
            parsed = _parse_date(text)
            if parsed is None:
                self.bad(raw, name, f"{_shorten(text)!r} is not a date (write it as 2026-03-31)")
                return None
            day = parsed
        if day > self.today:
            self.bad(raw, name, f"{day.isoformat()} is in the future")
            return None
        return day

    def weight(self, raw: RawRow, name: str, *, csv_cell: bool) -> Decimal | None:
        text = self.text(raw, name, 40, csv_cell=csv_cell)
        if text is None:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            self.bad(raw, name, f"{_shorten(text)!r} is not a number")
            return None
        if not number.is_finite() or not WEIGHT_MIN <= number <= WEIGHT_MAX:
            self.bad(raw, name, f"{text} is outside {WEIGHT_MIN}–{WEIGHT_MAX}")
            return None
        rounded = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return rounded if rounded >= WEIGHT_MIN else WEIGHT_MIN

    def influence(self, raw: RawRow, name: str, *, csv_cell: bool) -> int | None:
        text = self.text(raw, name, 40, csv_cell=csv_cell)
        if text is None:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            self.bad(raw, name, f"{_shorten(text)!r} is not a whole number from 0 to 100")
            return None
        if not number.is_finite() or number != number.to_integral_value() or not 0 <= number <= 100:
            self.bad(raw, name, f"{text} is not a whole number from 0 to 100")
            return None
        return int(number)


_FORMULA_STARTS = frozenset("=+-@")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.+\-Z]*)?")


def _parse_date(text: str) -> dt.date | None:
    match = _DATE.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def split_tags(value: str) -> tuple[str, ...]:
    """Kumu separates tags with "|"; people also write ";" or ","."""
    for separator in ("|", ";", ","):
        if separator in value:
            break
    names = (part.strip() for part in value.split(separator))
    return tuple(dict.fromkeys(name for name in names if name))


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else f"{value[:limit]}…"


# --- rows ----------------------------------------------------------------------------------------


class _Rows:
    """Checks raw rows into ElementRow / ConnectionRow, finding duplicates within the files."""

    def __init__(self, parsed: ParsedMap, today: dt.date) -> None:
        self.parsed = parsed
        self.check = _Checker(parsed, today)
        self.ids: dict[str, tuple[str, int]] = {}  # external id → (where, line)
        self.refs: dict[str, tuple[str, int]] = {}  # node id (XML) → (where, line)
        self.names: dict[str, tuple[str, int]] = {}

    def element(self, raw: RawRow, *, csv_cell: bool, ref: str = "") -> None:
        c = self.check
        before = self.parsed.problem_count
        name = c.text(raw, "name", NAME_MAX, csv_cell=csv_cell)
        name = " ".join(name.split()) if name else name  # as the services store names
        external_id = c.text(raw, "external_id", EXTERNAL_ID_MAX, csv_cell=csv_cell) or ""
        row = ElementRow(
            where=raw.where,
            line=raw.line,
            name=name or "",
            ref=ref or external_id,
            external_id=external_id,
            kind=c.choice(raw, "kind", KINDS, "kind of stakeholder", csv_cell=csv_cell),
            sector=c.choice(raw, "sector", SECTORS, "sector", csv_cell=csv_cell),
            position=c.choice(raw, "position", POSITIONS, "position", csv_cell=csv_cell),
            position_on=c.date(raw, "position_on", csv_cell=csv_cell),
            position_evidence=c.text(raw, "position_evidence", TEXT_MAX, csv_cell=csv_cell) or "",
            influence=c.influence(raw, "influence", csv_cell=csv_cell),
            description=c.text(raw, "description", TEXT_MAX, csv_cell=csv_cell),
            website=c.url(raw, "website", csv_cell=csv_cell),
            held_by=c.text(raw, "held_by", NAME_MAX, csv_cell=csv_cell) or "",
            columns={key: column for key, (column, _) in raw.cells.items()},
        )
        tags = c.text(raw, "tags", TEXT_MAX, csv_cell=csv_cell)
        if tags:
            row.tags = tuple(dict.fromkeys(" ".join(t.split()) for t in split_tags(tags)))
            long = [t for t in row.tags if len(t) > TAG_MAX]
            if long:
                c.bad(raw, "tags", f"tag {_shorten(long[0])!r} is longer than {TAG_MAX}")
        if not row.name and "name" not in raw.formulas:
            column = raw.cells["name"][0] if "name" in raw.cells else "Label"
            self.parsed.problem(raw.where, raw.line, column, "a name is required")
        if self.parsed.problem_count > before:
            self.parsed.rejected.update(x for x in (ref, row.external_id, row.name.lower()) if x)
            return
        if ref:
            if (first := self.refs.get(ref)) is not None:
                self.parsed.problem(
                    raw.where, raw.line, "id", f"same node id {ref!r} as line {first[1]}"
                )
                return
            self.refs[ref] = (raw.where, raw.line)
        if row.external_id:
            if (first := self.ids.get(row.external_id)) is not None:
                self.parsed.problem(
                    raw.where,
                    raw.line,
                    row.columns.get("external_id", "ID"),
                    f"same ID {row.external_id!r} as {_at(first, raw.where)}",
                )
                return
            self.ids[row.external_id] = (raw.where, raw.line)
        key = row.name.lower()
        if (first := self.names.get(key)) is not None:
            self.parsed.problem(
                raw.where,
                raw.line,
                row.columns.get("name", "Label"),
                f"same name as {_at(first, raw.where)} (names are unique in a power map)",
            )
            return
        self.names[key] = (raw.where, raw.line)
        self.parsed.elements.append(row)

    def connection(self, raw: RawRow, *, csv_cell: bool) -> None:
        c = self.check
        before = self.parsed.problem_count
        source = c.text(raw, "source", NAME_MAX, csv_cell=csv_cell)
        target = c.text(raw, "target", NAME_MAX, csv_cell=csv_cell)
        kind = c.choice(raw, "kind", RELATIONSHIP_KINDS, "relationship type", csv_cell=csv_cell)
        direction_text = c.text(raw, "direction", 40, csv_cell=csv_cell) or ""
        row = ConnectionRow(
            where=raw.where,
            line=raw.line,
            source=source or "",
            target=target or "",
            kind=kind or "",
            weight=c.weight(raw, "weight", csv_cell=csv_cell),
            evidence=c.text(raw, "evidence", TEXT_MAX, csv_cell=csv_cell) or "",
            source_url=c.url(raw, "source_url", csv_cell=csv_cell) or "",
            observed_on=c.date(raw, "observed_on", csv_cell=csv_cell),
            columns={key: column for key, (column, _) in raw.cells.items()},
        )
        for name, value, default in (("source", source, "From"), ("target", target, "To")):
            if value is None and name not in raw.formulas:
                column = raw.cells[name][0] if name in raw.cells else default
                self.parsed.problem(raw.where, raw.line, column, "is required")
        if kind is None and "kind" not in raw.formulas and not self._bad_cell(raw, "kind"):
            column = raw.cells["kind"][0] if "kind" in raw.cells else "Type"
            known = ", ".join(sorted(set(RELATIONSHIP_KINDS.values())))
            self.parsed.problem(
                raw.where, raw.line, column, f"a relationship type is required (one of: {known})"
            )
        direction_key = _key(direction_text)
        if direction_key not in _DIRECTIONS:
            c.bad(
                raw,
                "direction",
                f"{_shorten(direction_text)!r} is not a direction (directed, undirected, mutual)",
            )
        elif _DIRECTIONS[direction_key] is False and kind and kind not in UNDIRECTED_KINDS:
            c.bad(
                raw,
                "direction",
                f"a {RelationshipKind(kind).label.lower()!r} tie has a direction "
                "(undirected types: allied with, personal tie)",
            )
        if source and target and source.lower() == target.lower():
            self.parsed.problem(
                raw.where,
                raw.line,
                row.columns.get("target", "To"),
                "connects a stakeholder to itself",
            )
        if self.parsed.problem_count == before:
            self.parsed.connections.append(row)

    def _bad_cell(self, raw: RawRow, name: str) -> bool:
        """True when the cell has a value (then `choice` already reported it as unknown)."""
        return name in raw.cells and bool(str(raw.cells[name][1] or "").strip())


def _at(first: tuple[str, int], where: str) -> str:
    return f"line {first[1]}" if first[0] == where else f"{first[0]}, line {first[1]}"


# --- CSV -----------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise MapImportError(
            "This file is UTF-16 (Excel's “Unicode text”): save it as “CSV UTF-8”."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_records(text: str, where: str, parsed: ParsedMap) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells) for each non-blank record; csv errors become problems."""
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    previous_end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            parsed.problem(where, reader.line_num, "", f"cannot be read as CSV ({error})")
            return
        start, previous_end = previous_end + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield start, cells


def read_csv(data: bytes, where: str, parsed: ParsedMap, rows: _Rows) -> None:
    """One CSV file: an elements sheet or a connections sheet (told apart by its header)."""
    records = _csv_records(_decode(data), where, parsed)
    first = next(records, None)
    if first is None:
        parsed.problem(where, None, "", "the file is empty")
        return
    _, header = first
    header = [cell.strip() for cell in header]
    _read_table(header, ((line, cells) for line, cells in records), where, parsed, rows, True)


def _read_table(
    header: list[str],
    records: Iterable[tuple[int, Sequence[Cell]]],
    where: str,
    parsed: ParsedMap,
    rows: _Rows,
    csv_cells: bool,
    formulas: Iterable[tuple[int, frozenset[int]]] | None = None,
) -> None:
    connections = is_connections_header(header)
    mapping = map_columns(header, CONNECTION_COLUMNS if connections else ELEMENT_COLUMNS)
    required = {"kind": "Type"} if connections else {"name": "Label"}
    for field_name, label in required.items():
        if field_name not in mapping:
            parsed.problem(
                where, 1, "", f"no {label} column (the header is {', '.join(header) or 'empty'})"
            )
            return
    any_row = False
    width = len(header)
    for line, cells, formula_indexes in _with_formulas(records, formulas):
        any_row = True
        if len(cells) > width and any(str(c or "").strip() for c in cells[width:]):
            parsed.problem(
                where,
                line,
                "",
                f"the row has {counted(len(cells), 'cell', 'cells')} but the header has "
                f"{counted(width, 'column', 'columns')} (a missing quote?)",
            )
            continue
        raw = RawRow(
            where=where,
            line=line,
            cells={
                name: (header[index], cells[index] if index < len(cells) else None)
                for name, index in mapping.items()
            },
            formulas=frozenset(name for name, index in mapping.items() if index in formula_indexes),
        )
        if connections:
            rows.connection(raw, csv_cell=csv_cells)
        else:
            rows.element(raw, csv_cell=csv_cells)
    if not any_row:
        parsed.problem(where, None, "", "the header (line 1) has no rows under it")


def _with_formulas(
    records: Iterable[tuple[int, Sequence[Cell]]],
    formulas: Iterable[tuple[int, frozenset[int]]] | None,
) -> Iterator[tuple[int, Sequence[Cell], frozenset[int]]]:
    if formulas is None:
        for line, cells in records:
            yield line, cells, frozenset()
        return
    for (line, cells), (_, indexes) in zip(records, formulas, strict=True):
        yield line, cells, indexes


# --- XLSX ----------------------------------------------------------------------------------------


def check_xlsx_archive(data: bytes) -> None:
    """Refuse a workbook that is not a zip or would uncompress to far more than it weighs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as error:
        raise MapImportError("This is not an Excel workbook (.xlsx): it cannot be opened.") from (
            error
        )
    total = sum(info.file_size for info in infos)
    packed = max(sum(info.compress_size for info in infos), 1)
    if total > XLSX_MAX_UNCOMPRESSED or total / packed > XLSX_MAX_RATIO:
        raise MapImportError(
            "This workbook uncompresses to far more than it weighs (a zip bomb?): not opened."
        )


def read_xlsx(data: bytes, where: str, parsed: ParsedMap, rows: _Rows) -> None:
    """A Kumu workbook: an Elements sheet and a Connections sheet (others are ignored)."""
    from openpyxl import load_workbook  # a heavy import, only when a workbook comes

    check_xlsx_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise MapImportError(
            f"This Excel workbook cannot be read ({type(error).__name__}): save it again as .xlsx."
        ) from error
    try:
        used = 0
        for sheet in workbook.worksheets:
            name = f"{where}, sheet {sheet.title!r}"
            table = sheet.iter_rows()
            header_cells = next(table, None)
            if header_cells is None:
                continue
            header = [str(c.value).strip() if c.value is not None else "" for c in header_cells]
            if not any(header):
                continue
            is_elements = "name" in map_columns(header, ELEMENT_COLUMNS)
            if not (is_connections_header(header) or is_elements):
                continue  # a sheet of notes, or Kumu's "Loops"
            used += 1
            records: list[tuple[int, list[Cell]]] = []
            formulas: list[tuple[int, frozenset[int]]] = []
            for line, cells in enumerate(table, start=2):
                values = [c.value for c in cells]
                if not any(v is not None and str(v).strip() for v in values):
                    continue
                records.append((line, values))
                formulas.append(
                    (
                        line,
                        frozenset(
                            i for i, c in enumerate(cells) if getattr(c, "data_type", "") == "f"
                        ),
                    )
                )
            _read_table(header, records, name, parsed, rows, False, formulas)
        if not used:
            parsed.problem(
                where, None, "", "no Elements sheet (a Label column) nor Connections sheet found"
            )
    finally:
        workbook.close()


# --- XML: GraphML and GEXF -----------------------------------------------------------------------


class _XmlStop(Exception):
    pass


class _GraphHandler(ContentHandler):
    """Collects nodes and edges of a GraphML or GEXF document with the line of each."""

    def __init__(self, where: str, parsed: ParsedMap, rows: _Rows) -> None:
        super().__init__()
        self.where = where
        self.parsed = parsed
        self.rows = rows
        self.locator: Locator | None = None
        self.stack: list[str] = []
        self.root = ""
        self.text: list[str] = []
        self.edge_default_directed = True
        # GraphML keys: id → (for, attr.name, default); GEXF attributes: (class, id) → title
        self.keys: dict[str, tuple[str, str, str | None]] = {}
        self.gexf_attrs: dict[tuple[str, str], str] = {}
        self.gexf_defaults: dict[tuple[str, str], str] = {}
        self.current: dict[str, Any] | None = None
        self.current_key: str | None = None
        self.attribute: tuple[str, str] = ("", "")
        self.collecting = False
        self.elements: list[tuple[RawRow, str]] = []
        self.edges: list[RawRow] = []

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def line(self) -> int:
        line = self.locator.getLineNumber() if self.locator is not None else None
        return line or 0

    def problem(self, column: str, reason: str) -> None:
        self.parsed.problem(self.where, self.line(), column, reason)

    def startElement(self, name: str, attrs: Any) -> None:
        tag = name.rsplit(":", 1)[-1]
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(tag)
        if len(self.stack) == 1:
            self.root = tag
            if tag not in {"graphml", "gexf"}:
                self.problem("", f"<{tag}> is not a GraphML or GEXF document")
                raise _XmlStop
            return
        get = attrs.get
        if self.root == "graphml":
            self._graphml_start(tag, parent, get)
        else:
            self._gexf_start(tag, parent, get)

    # GraphML ------------------------------------------------------------------------------------

    def _graphml_start(self, tag: str, parent: str, get: Any) -> None:
        if tag == "key":
            key_id = get("id") or ""
            self.keys[key_id] = (get("for") or "all", get("attr.name") or key_id, None)
            self.current_key = key_id
        elif tag == "default" and parent == "key" and self.current_key is not None:
            self.text, self.collecting = [], True
        elif tag == "graph":
            if "node" in self.stack[:-1]:
                self.problem("", "nested graphs are not supported: flatten the graph first")
                raise _XmlStop
            self.edge_default_directed = (get("edgedefault") or "directed") != "undirected"
        elif tag == "node":
            node_id = get("id")
            self.current = {"kind": "node", "line": self.line(), "id": node_id, "data": {}}
            if not node_id:
                self.problem("id", "a node needs an id")
            self._defaults("node")
        elif tag == "edge":
            self.current = {
                "kind": "edge",
                "line": self.line(),
                "data": {
                    "source": ("source", get("source") or ""),
                    "target": ("target", get("target") or ""),
                },
                "directed": get("directed"),
            }
            self._defaults("edge")
        elif tag == "data" and self.current is not None:
            key = get("key") or ""
            if key not in self.keys:
                self.problem("key", f"data for key {key!r}, which no <key> declares")
            self.current_key = key
            self.text, self.collecting = [], True
        elif tag == "hyperedge":
            self.problem("", "hyperedges are not supported")

    def _defaults(self, kind: str) -> None:
        assert self.current is not None  # noqa: S101 - set by the caller
        for for_, name, default in self.keys.values():
            if default is not None and for_ in {kind, "all"}:
                self.current["data"].setdefault(name, (name, default))

    # GEXF ---------------------------------------------------------------------------------------

    def _gexf_start(self, tag: str, parent: str, get: Any) -> None:
        if tag == "graph":
            self.edge_default_directed = (get("defaultedgetype") or "directed") != "undirected"
        elif tag == "attributes":
            self.current_key = get("class") or "node"
        elif tag == "attribute" and self.current_key is not None:
            key = (self.current_key, get("id") or "")
            self.gexf_attrs[key] = get("title") or get("id") or ""
            self.attribute = key
        elif tag == "default" and parent == "attribute":
            self.text, self.collecting = [], True
        elif tag == "node" and parent == "nodes":
            node_id = get("id")
            data: dict[str, tuple[str, str]] = {}
            if get("label") is not None:
                data["label"] = ("label", get("label"))
            self.current = {"kind": "node", "line": self.line(), "id": node_id, "data": data}
            if not node_id:
                self.problem("id", "a node needs an id")
            for (cls, attr_id), default in self.gexf_defaults.items():
                if cls == "node":
                    title = self.gexf_attrs[(cls, attr_id)]
                    data.setdefault(title, (title, default))
        elif tag == "edge" and parent == "edges":
            data = {
                "source": ("source", get("source") or ""),
                "target": ("target", get("target") or ""),
            }
            if get("weight") is not None:
                data["weight"] = ("weight", get("weight"))
            if get("label") is not None:
                data["label"] = ("label", get("label"))
            edge_type = get("type")
            self.current = {
                "kind": "edge",
                "line": self.line(),
                "data": data,
                "directed": None
                if edge_type is None
                else str(edge_type not in {"undirected", "mutual"}).lower(),
            }
            for (cls, attr_id), default in self.gexf_defaults.items():
                if cls == "edge":
                    title = self.gexf_attrs[(cls, attr_id)]
                    data.setdefault(title, (title, default))
        elif tag == "attvalue" and self.current is not None:
            cls = "node" if self.current["kind"] == "node" else "edge"
            attr_id = get("for") or get("id") or ""
            found = self.gexf_attrs.get((cls, attr_id))
            if found is None:
                self.problem(
                    "for", f"a value for attribute {attr_id!r}, which no <attribute> declares"
                )
                return
            self.current["data"][found] = (found, get("value") or "")
        elif tag == "parents" or (tag == "nodes" and "node" in self.stack[:-1]):
            self.problem("", "nested nodes are not supported: flatten the graph first")
            raise _XmlStop

    # both ---------------------------------------------------------------------------------------

    def characters(self, content: str) -> None:
        if self.collecting:
            self.text.append(content)

    def endElement(self, name: str) -> None:
        tag = name.rsplit(":", 1)[-1]
        self.stack.pop()
        self.collecting = False
        if self.root == "graphml":
            if tag == "data" and self.current is not None and self.current_key is not None:
                _, attr_name, _ = self.keys.get(self.current_key, ("", self.current_key, None))
                self.current["data"][attr_name] = (attr_name, "".join(self.text))
                self.current_key = None
            elif tag == "default" and self.current_key in self.keys:
                for_, attr_name, _ = self.keys[self.current_key]
                self.keys[self.current_key] = (for_, attr_name, "".join(self.text))
            elif tag == "key":
                self.current_key = None
        elif tag == "default" and self.stack and self.stack[-1] == "attribute":
            self.gexf_defaults[self.attribute] = "".join(self.text)
        if tag in {"node", "edge"} and self.current is not None and self.current["kind"] == tag:
            self._finish(self.current)
            self.current = None

    def _finish(self, item: dict[str, Any]) -> None:
        data: dict[str, tuple[str, str]] = item["data"]
        line: int = item["line"]
        if item["kind"] == "node":
            if not item["id"]:
                return
            cells = _xml_cells(data, ELEMENT_COLUMNS, prefer_external="externalid")
            if "name" not in cells:
                cells["name"] = ("label", item["id"])  # Gephi's rule: no label, the id shows
            if "external_id" not in cells and "externalid" not in {_key(k) for k in data}:
                cells["external_id"] = ("id", item["id"])
            self.elements.append((RawRow(self.where, line, cells), item["id"]))
        else:
            cells = _xml_cells(data, CONNECTION_COLUMNS)
            directed = item.get("directed")
            if "direction" not in cells:
                if directed is not None:
                    value = "directed" if directed.lower() == "true" else "undirected"
                else:
                    value = "directed" if self.edge_default_directed else "undirected"
                cells["direction"] = ("directed", value)
            # An edge's direction in a generic file is a default, not a claim: an undirected
            # edge of a directed type is read as directed, from source to target.
            kind = cells.get("kind", ("", ""))[1]
            if _key(cells["direction"][1]) != "directed" and RELATIONSHIP_KINDS.get(
                _key(str(kind))
            ) not in UNDIRECTED_KINDS | {None}:
                cells["direction"] = ("directed", "directed")
            self.edges.append(RawRow(self.where, line, cells))


def _xml_cells(
    data: dict[str, tuple[str, str]], columns: dict[str, tuple[str, ...]], prefer_external: str = ""
) -> dict[str, tuple[str, Cell]]:
    """Attribute names → fields by the same aliases as spreadsheet columns."""
    names = list(data)
    mapping = map_columns(names, columns)
    cells = {field_name: data[names[index]] for field_name, index in mapping.items()}
    if prefer_external:
        for name in names:
            if _key(name) == prefer_external:
                cells["external_id"] = data[name]
    return cells


def read_xml(data: bytes, where: str, parsed: ParsedMap, rows: _Rows) -> None:
    """A GraphML or GEXF document, parsed safely (no entities, no external resources)."""
    handler = _GraphHandler(where, parsed, rows)
    parser = make_parser()  # defusedxml: forbids DTD entities and external references
    parser.setContentHandler(handler)
    try:
        parser.parse(io.BytesIO(data))
    except _XmlStop:
        return
    except SAXParseException as error:
        parsed.problem(
            where,
            error.getLineNumber(),
            f"column {(error.getColumnNumber() or 0) + 1}",
            f"malformed XML: {error.getMessage()}",
        )
        return
    except DefusedXmlException as error:
        parsed.problem(
            where,
            handler.line() or None,
            "",
            "refused: the document declares entities or external references "
            f"({type(error).__name__})",
        )
        return
    if not handler.root:
        parsed.problem(where, None, "", "the document is empty")
        return
    for raw, node_id in handler.elements:
        rows.element(raw, csv_cell=False, ref=node_id)
    for raw in handler.edges:
        rows.connection(raw, csv_cell=False)
    if not handler.elements and not handler.edges:
        parsed.problem(where, None, "", "the graph has no nodes")


# --- files ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    data: bytes


def detect_format(upload: Upload) -> Format:
    """By the file's first bytes, then its extension."""
    head = upload.data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK\x03\x04"):
        return Format.XLSX
    if head.startswith(b"<"):
        text = head.decode("utf-8", errors="replace").lower()
        if "<gexf" in text:
            return Format.GEXF
        if "<graphml" in text:
            return Format.GRAPHML
    suffix = PurePath(upload.name).suffix.lower()
    by_suffix = {
        ".xlsx": Format.XLSX,
        ".graphml": Format.GRAPHML,
        ".xml": Format.GRAPHML,
        ".gexf": Format.GEXF,
        ".csv": Format.KUMU_CSV,
        ".tsv": Format.KUMU_CSV,
        ".txt": Format.KUMU_CSV,
    }
    if suffix in by_suffix:
        return by_suffix[suffix]
    if head.startswith(b"<"):
        return Format.GRAPHML
    return Format.KUMU_CSV


def read_files(
    uploads: Sequence[Upload],
    *,
    today: dt.date,
    fmt: str = "",
) -> ParsedMap:
    """Read and check every file (pure: no database). `fmt` forces one format for all."""
    parsed = ParsedMap()
    rows = _Rows(parsed, today)
    if not uploads:
        raise MapImportError("Choose a file to import.")
    for upload in uploads:
        where = PurePath(upload.name).name or "upload"
        parsed.sources.append(where)
        if not upload.data.strip():
            parsed.problem(where, None, "", "the file is empty")
            continue
        chosen = Format(fmt) if fmt else detect_format(upload)
        if chosen == Format.XLSX:
            read_xlsx(upload.data, where, parsed, rows)
        elif chosen in {Format.GRAPHML, Format.GEXF}:
            read_xml(upload.data, where, parsed, rows)
        else:
            read_csv(upload.data, where, parsed, rows)
    return parsed


# --- resolving against the map (pure) ------------------------------------------------------------


@dataclass(slots=True)
class MapIndex:
    """What the coalition's map already holds, as plain data (read by `load_index`)."""

    by_external: dict[str, int] = field(default_factory=dict)  # external id → stakeholder id
    by_name: dict[str, int] = field(default_factory=dict)  # lower-case name → id
    names: dict[int, str] = field(default_factory=dict)  # id → name
    memberships: dict[str, int] = field(default_factory=dict)  # lower-case org name → id


@dataclass(slots=True)
class Plan:
    """The files' rows tied to the map: for each element the stakeholder it updates (None: new),
    for each connection its two ends (≥ 0: a stakeholder id; < 0: -(index + 1) of a new element
    of the files)."""

    parsed: ParsedMap
    element_ids: list[int | None]
    held_by: list[int | None]
    ends: list[tuple[int, int]]


def resolve(parsed: ParsedMap, index: MapIndex) -> Plan:
    """Tie rows to stakeholders; problems (name clashes, dangling connections, unknown members,
    a connection given twice) are added to `parsed`."""
    element_ids: list[int | None] = []
    held_by: list[int | None] = []
    claimed: dict[int, ElementRow] = {}
    for row in parsed.elements:
        by_name = index.by_name.get(row.name.lower())
        sid = index.by_external.get(row.external_id) if row.external_id else None
        if sid is None:
            sid = by_name
        elif by_name is not None and by_name != sid:
            parsed.problem(
                row.where,
                row.line,
                row.columns.get("name", "Label"),
                f"ID {row.external_id!r} is {index.names[sid]!r} on the map, and another "
                f"stakeholder is already named {row.name!r}: rename one of them or merge them",
            )
        if sid is not None:
            if (first := claimed.get(sid)) is not None:
                parsed.problem(
                    row.where,
                    row.line,
                    row.columns.get("name", "Label"),
                    f"the same stakeholder as {_at((first.where, first.line), row.where)} "
                    f"({index.names[sid]!r}, matched by ID or name)",
                )
            claimed[sid] = row
        element_ids.append(sid)
        member: int | None = None
        if row.held_by:
            member = index.memberships.get(row.held_by.lower())
            if member is None:
                parsed.problem(
                    row.where,
                    row.line,
                    row.columns.get("held_by", "Held by"),
                    f"{_shorten(row.held_by)!r} is not a member organization of this coalition",
                )
        held_by.append(member)

    def key_of(position: int) -> int:
        sid = element_ids[position]
        return sid if sid is not None else -(position + 1)

    file_refs: dict[str, int] = {}
    file_names: dict[str, int] = {}
    for position, element in enumerate(parsed.elements):
        if element.ref:
            file_refs.setdefault(element.ref, position)
        file_names.setdefault(element.name.lower(), position)

    def end(value: str) -> int | None:
        if value in file_refs:
            return key_of(file_refs[value])
        if value.lower() in file_names:
            return key_of(file_names[value.lower()])
        if value in index.by_external:
            return index.by_external[value]
        return index.by_name.get(value.lower())

    ends: list[tuple[int, int]] = []
    seen: dict[tuple[int, int, str], ConnectionRow] = {}
    for link in parsed.connections:
        pair: list[int] = []
        for name, value in (("source", link.source), ("target", link.target)):
            found = end(value)
            if found is None:
                if value not in parsed.rejected and value.lower() not in parsed.rejected:
                    parsed.problem(
                        link.where,
                        link.line,
                        link.columns.get(name, "From" if name == "source" else "To"),
                        f"{_shorten(value)!r} is no element of the file (by ID or name) "
                        "and no stakeholder on the map",
                    )
                break
            pair.append(found)
        if len(pair) < 2:
            ends.append((0, 0))
            continue
        a, b = pair
        if a == b:
            parsed.problem(
                link.where,
                link.line,
                link.columns.get("target", "To"),
                "connects a stakeholder to itself",
            )
        undirected = link.kind in UNDIRECTED_KINDS
        key = (min(a, b), max(a, b), link.kind) if undirected else (a, b, link.kind)
        if (earlier := seen.get(key)) is not None:
            parsed.problem(
                link.where,
                link.line,
                "",
                f"the same {RelationshipKind(link.kind).label.lower()!r} connection as "
                f"{_at((earlier.where, earlier.line), link.where)}",
            )
        seen[key] = link
        ends.append((a, b))
    return Plan(parsed=parsed, element_ids=element_ids, held_by=held_by, ends=ends)


# --- writing -------------------------------------------------------------------------------------

BATCH_SIZE = 2000


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did (or, with problems or a dry run, would have done: nothing was kept)."""

    sources: list[str]
    problems: list[Problem]
    problem_count: int
    applied: bool
    dry_run: bool = False
    stakeholders_created: int = 0
    stakeholders_updated: int = 0
    stakeholders_unchanged: int = 0
    relationships_created: int = 0
    relationships_updated: int = 0
    relationships_unchanged: int = 0
    positions_recorded: int = 0

    @property
    def ok(self) -> bool:
        return not self.problem_count

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "problems": [p.as_dict() for p in self.problems],
            "problem_count": self.problem_count,
            "applied": self.applied,
            "dry_run": self.dry_run,
            "stakeholders_created": self.stakeholders_created,
            "stakeholders_updated": self.stakeholders_updated,
            "stakeholders_unchanged": self.stakeholders_unchanged,
            "relationships_created": self.relationships_created,
            "relationships_updated": self.relationships_updated,
            "relationships_unchanged": self.relationships_unchanged,
            "positions_recorded": self.positions_recorded,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportResult:
        values = dict(data)
        values["problems"] = [Problem(**p) for p in data.get("problems", [])]
        return cls(**values)


class _Rollback(Exception):
    def __init__(self, result: ImportResult) -> None:
        super().__init__("rolled back")
        self.result = result


def load_index(coalition: Coalition) -> MapIndex:
    """The coalition's stakeholders and member organizations, as plain dicts (two queries)."""
    index = MapIndex()
    rows = Stakeholder.objects.for_coalition(coalition).values_list("pk", "name", "external_id")
    for pk, name, external_id in rows.iterator(chunk_size=5000):
        index.names[pk] = name
        index.by_name[name.lower()] = pk
        if external_id:
            index.by_external[external_id] = pk
    for pk, name in Membership.objects.for_coalition(coalition).values_list(
        "pk", "organization__name"
    ):
        index.memberships[name.lower()] = pk
    return index


def provenance_note(sources: Sequence[str], by: User | None, today: dt.date) -> str:
    """The evidence of a row that brings none: where it came from, when, from whom."""
    who = by.get_full_name() if by is not None else "the command line"
    return f"Imported from {', '.join(sources)} on {today.isoformat()} by {who}."


def import_map(
    *,
    coalition: Coalition,
    uploads: Sequence[Upload],
    by: User | None,
    fmt: str = "",
    dry_run: bool = False,
    today: dt.date | None = None,
) -> ImportResult:
    """Read, check and (when every row is good) write a power map file in one transaction.

    With any problem, or with `dry_run`, nothing changes; the result lists the problems, or
    what the import would create and update."""
    today = today or timezone.localdate()
    parsed = read_files(uploads, today=today, fmt=fmt)
    try:
        with transaction.atomic():
            # Member organizations and decision-makers have their stakeholders first, so that
            # rows naming them update those instead of making look-alikes.
            services.ensure_stakeholders_for_coalition(coalition=coalition)
            plan = resolve(parsed, load_index(coalition))
            if parsed.problem_count:
                raise _Rollback(
                    ImportResult(
                        sources=parsed.sources,
                        problems=sorted(parsed.problems, key=_problem_order),
                        problem_count=parsed.problem_count,
                        applied=False,
                        dry_run=dry_run,
                    )
                )
            result = _Writer(coalition, plan, by, today, dry_run).write()
            if dry_run:
                raise _Rollback(result)
            analysis.request_recompute(coalition)
            return result
    except _Rollback as rollback:
        return rollback.result


def _problem_order(problem: Problem) -> tuple[str, int]:
    return (problem.where, problem.line or 0)  # stable: a row's problems stay in reading order


class _Writer:
    def __init__(
        self, coalition: Coalition, plan: Plan, by: User | None, today: dt.date, dry_run: bool
    ) -> None:
        self.coalition = coalition
        self.plan = plan
        self.by = by
        self.today = today
        self.dry_run = dry_run
        self.now = timezone.now()
        self.note = provenance_note(plan.parsed.sources, by, today)
        self.positions: list[PositionChange] = []

    def write(self) -> ImportResult:
        ids, created, updated, unchanged = self._stakeholders()
        self._tags(ids)
        PositionChange.objects.bulk_create(self.positions, batch_size=BATCH_SIZE)
        r_created, r_updated, r_unchanged = self._relationships(ids)
        return ImportResult(
            sources=self.plan.parsed.sources,
            problems=[],
            problem_count=0,
            applied=not self.dry_run,
            dry_run=self.dry_run,
            stakeholders_created=created,
            stakeholders_updated=updated,
            stakeholders_unchanged=unchanged,
            relationships_created=r_created,
            relationships_updated=r_updated,
            relationships_unchanged=r_unchanged,
            positions_recorded=len(self.positions),
        )

    def _position(self, stakeholder: Stakeholder, row: ElementRow) -> None:
        assert row.position is not None  # noqa: S101 - callers check
        on = row.position_on or self.today
        self.positions.append(
            PositionChange(
                coalition_id=self.coalition.pk,
                stakeholder=stakeholder,
                position=row.position,
                on=on,
                evidence=row.position_evidence or self.note,
                recorded_by=self.by,
                recorded_at=self.now,
            )
        )
        # the stakeholder shows the latest change by date (`services.record_position`)
        if stakeholder.position_on is None or on >= stakeholder.position_on:
            stakeholder.position, stakeholder.position_on = row.position, on

    def _stakeholders(self) -> tuple[list[int], int, int, int]:
        """The stakeholder id of each element row; counts created, updated, unchanged."""
        plan = self.plan
        rows = plan.parsed.elements
        existing = Stakeholder.objects.in_bulk([sid for sid in plan.element_ids if sid])
        new: list[tuple[int, Stakeholder]] = []
        changed: dict[int, Stakeholder] = {}
        fields: set[str] = set()
        for position, (row, sid, member) in enumerate(
            zip(rows, plan.element_ids, plan.held_by, strict=True)
        ):
            if sid is None:
                stakeholder = Stakeholder(
                    coalition_id=self.coalition.pk,
                    name=row.name,
                    kind=row.kind or StakeholderKind.ORGANIZATION,
                    sector=row.sector or Sector.OTHER,
                    influence=50 if row.influence is None else row.influence,
                    description=row.description or "",
                    website=row.website or "",
                    held_by_id=member,
                    external_id=row.external_id,
                    origin=StakeholderOrigin.IMPORTED,
                    created_at=self.now,
                    created_by=self.by,
                )
                if row.position is not None and row.position != StakeholderPosition.UNKNOWN:
                    self._position(stakeholder, row)
                new.append((position, stakeholder))
                continue
            stakeholder = existing[sid]
            wanted: dict[str, Any] = {
                "name": row.name,
                "kind": row.kind,
                "sector": row.sector,
                "influence": row.influence,
                "description": row.description,
                "website": row.website,
                "held_by_id": member,
            }
            if row.external_id and not stakeholder.external_id:
                wanted["external_id"] = row.external_id
            for name, value in wanted.items():
                if value is not None and getattr(stakeholder, name) != value:
                    setattr(stakeholder, name, value)
                    fields.add(name)
                    changed[sid] = stakeholder
            if row.position is not None and row.position != stakeholder.position:
                self._position(stakeholder, row)
                fields.update(("position", "position_on"))
                changed[sid] = stakeholder
        Stakeholder.objects.bulk_create([s for _, s in new], batch_size=BATCH_SIZE)
        if changed:
            Stakeholder.objects.bulk_update(
                list(changed.values()), sorted(fields), batch_size=BATCH_SIZE // 4
            )
        ids = [sid or 0 for sid in plan.element_ids]
        for position, stakeholder in new:
            ids[position] = stakeholder.pk
        matched = sum(1 for sid in plan.element_ids if sid is not None)
        return ids, len(new), len(changed), matched - len(changed)

    def _tags(self, ids: list[int]) -> None:
        wanted = {
            tag.lower(): tag for row in self.plan.parsed.elements for tag in row.tags if tag.strip()
        }
        if not wanted:
            return
        known = {
            name.lower(): pk
            for pk, name in StakeholderTag.objects.for_coalition(self.coalition).values_list(
                "pk", "name"
            )
        }
        missing = [name for key, name in wanted.items() if key not in known]
        if missing:
            StakeholderTag.objects.bulk_create(
                [StakeholderTag(coalition_id=self.coalition.pk, name=name) for name in missing],
                batch_size=BATCH_SIZE,
                ignore_conflicts=True,  # a tag made meanwhile by someone else is the same tag
            )
            known = {
                name.lower(): pk
                for pk, name in StakeholderTag.objects.for_coalition(self.coalition).values_list(
                    "pk", "name"
                )
            }
        through = Stakeholder.tags.through
        links = [
            through(stakeholder_id=sid, stakeholdertag_id=known[tag.lower()])
            for row, sid in zip(self.plan.parsed.elements, ids, strict=True)
            for tag in row.tags
        ]
        through.objects.bulk_create(links, batch_size=BATCH_SIZE, ignore_conflicts=True)

    def _relationships(self, ids: list[int]) -> tuple[int, int, int]:
        plan = self.plan

        def pk_of(key: int) -> int:
            return key if key >= 0 else ids[-key - 1]

        known: dict[tuple[int, int, str], Relationship] = {}
        if any(sid is not None for sid in plan.element_ids) or any(
            a >= 0 and b >= 0 for a, b in plan.ends
        ):
            for relationship in (
                Relationship.objects.for_coalition(self.coalition)
                .only(
                    "pk",
                    "source_id",
                    "target_id",
                    "kind",
                    "weight",
                    "evidence",
                    "source_url",
                    "observed_on",
                )
                .iterator(chunk_size=5000)
            ):
                known[(relationship.source_id, relationship.target_id, relationship.kind)] = (
                    relationship
                )
        new: list[tuple[Any, ...]] = []
        changed: list[Relationship] = []
        unchanged = 0
        one = Decimal(1)
        for row, (a, b) in zip(plan.parsed.connections, plan.ends, strict=True):
            source, target = pk_of(a), pk_of(b)
            if row.kind in UNDIRECTED_KINDS and source > target:
                source, target = target, source
            existing = known.get((source, target, row.kind))
            if existing is None:
                new.append(
                    (
                        source,
                        target,
                        row.kind,
                        row.weight if row.weight is not None else one,
                        row.evidence or self.note,
                        row.source_url,
                        row.observed_on,
                    )
                )
                continue
            wanted = {
                "weight": row.weight,
                "evidence": row.evidence or None,
                "source_url": row.source_url or None,
                "observed_on": row.observed_on,
            }
            differs = False
            for name, value in wanted.items():
                if value is not None and getattr(existing, name) != value:
                    setattr(existing, name, value)
                    differs = True
            if differs:
                existing.recorded_by, existing.recorded_at = self.by, self.now
                changed.append(existing)
            else:
                unchanged += 1
        self._insert_relationships(new)
        if changed:
            Relationship.objects.bulk_update(
                changed,
                ["weight", "evidence", "source_url", "observed_on", "recorded_by", "recorded_at"],
                batch_size=BATCH_SIZE // 4,
            )
        return len(new), len(changed), unchanged

    def _insert_relationships(self, rows: list[tuple[Any, ...]]) -> None:
        """New relationships (source, target, kind, weight, evidence, url, date), checked above:
        inserted with ids from the table's sequence, by executemany (SQLite) or COPY
        (PostgreSQL), as the supporter import inserts people — the most numerous rows of a map
        skip the ORM's per-object work; the database's constraints still hold every row."""
        if not rows:
            return
        sql = _SqlWriter(connection)
        now = sql.datetime(self.now)
        day = (lambda d: d) if sql.postgres else connection.ops.adapt_datefield_value
        by = self.by.pk if self.by is not None else None
        cid = self.coalition.pk
        for start in range(0, len(rows), BATCH_SIZE * 10):
            batch = rows[start : start + BATCH_SIZE * 10]
            ids = sql.allocate(Relationship, len(batch))
            sql.insert(
                Relationship,
                _RELATIONSHIP_COLUMNS,
                [
                    (pk, cid, s, t, kind, weight, evidence, url, day(on), by, now)
                    for pk, (s, t, kind, weight, evidence, url, on) in zip(ids, batch, strict=True)
                ],
            )


_RELATIONSHIP_COLUMNS = (
    "id",
    "coalition_id",
    "source_id",
    "target_id",
    "kind",
    "weight",
    "evidence",
    "source_url",
    "observed_on",
    "recorded_by_id",
    "recorded_at",
)


# --- the task queue ------------------------------------------------------------------------------

# Files up to this size are imported during the upload's request; larger ones in the task queue.
INLINE_MAX_BYTES = 2 * 1024 * 1024
STORAGE_PREFIX = "powermap-imports/"


def store_uploads(uploads: Sequence[Upload]) -> list[tuple[str, str]]:
    """Save uploads to the default storage for a task: (stored name, original name) each."""
    stored = []
    for upload in uploads:
        name = default_storage.save(
            f"{STORAGE_PREFIX}{uuid.uuid4().hex}{PurePath(upload.name).suffix[:10]}",
            ContentFile(upload.data),
        )
        stored.append((name, PurePath(upload.name).name))
    return stored


@task()
def import_map_task(
    coalition_id: int,
    user_id: int | None,
    files: list[list[str]],
    fmt: str = "",
    dry_run: bool = False,
) -> dict[str, Any]:
    """Import stored files into a coalition's map; the result (as `ImportResult.as_dict`) is the
    task's return value. The stored files are deleted whatever happens."""
    try:
        coalition = Coalition.objects.get(pk=coalition_id)
        by = User.objects.filter(pk=user_id).first() if user_id else None
        uploads = []
        for stored, original in files:
            with default_storage.open(stored, "rb") as stream:
                uploads.append(Upload(original, stream.read()))
        try:
            result = import_map(
                coalition=coalition, uploads=uploads, by=by, fmt=fmt, dry_run=dry_run
            )
        except MapImportError as error:
            result = ImportResult(
                sources=[original for _, original in files],
                problems=[Problem(", ".join(o for _, o in files), None, "", str(error))],
                problem_count=1,
                applied=False,
            )
        return result.as_dict()
    finally:
        for stored, _ in files:
            default_storage.delete(stored)
