"""CSV import of supporters: upload, column mapping, preview, validation, then one atomic write.

The pipeline, and the rule each step keeps:

- `create_import_job`: the upload is stored (default storage, `imports/`) and scanned once, in
  chunks: its encoding is detected (UTF-8 with or without BOM; otherwise Windows-1252, or Latin-1
  when the file holds bytes that Windows-1252 leaves undefined) unless the user declared one; its
  delimiter is taken from the header; empty and header-only files are refused at once.
- `suggest_mapping` / `set_mapping`: header names map to person fields ("Email Address" → email,
  "Zip" → postal_code, ...); unmapped columns are ignored unless the user keeps them as
  `custom:<name>`. A mapping without an email or a phone column is refused.
- `validate` (the first pass of `run_import`): every row is read, streaming (the file is
  iterated line by line; memory holds one row, and the keys seen so far, to find duplicates,
  live in a throwaway SQLite file: memory stays flat however long the file), and checked: an email
  or a phone is required, emails must be valid, no cell may exceed its field's length, bytes
  must be valid in the file's encoding, and no cell may look like a spreadsheet formula
  (`looks_like_formula`: "=…", or "+", "-", "@" before a call or a DDE link) — such a cell is
  an error for its row, like any other; our own export's guard ("'=…") is undone first, so an
  exported phone such as "'+1555…" re-imports. Phones are read as E.164 in the coalition's
  default region (`cairn.engines.phones`); one that cannot be read is an error for its row
  (line, column and the reason: too short, unknown country code...). **Duplicates in the
  file**: a row whose canonical email already appeared on an earlier row, or a row without an
  email whose phone did (it would be matched by that phone), is reported as an error naming
  that line; skipping bad rows keeps the first occurrence. Rows with different emails and one
  phone (a household's landline) are different people. Errors are stored on the job (the
  first 1,000, plus the count).
- A job with errors stops in `needs_review`: nothing is written until someone sets
  `skip_bad_rows`, and then exactly the good rows are imported.
- The second pass writes every good row in **one transaction**: either the whole file is in, or
  nothing is. People are matched by the services' one rule (`services.find_match`: a row with
  an email by email only, a row without one by phone and only to a person whose name does not
  differ): a known person goes through `services.merge_matched_record` (same merge rules: the
  stored name stays, another one waits for review); a new person
  is written by a bulk path that produces the rows `upsert_person` would (person with
  created_at == modified_at, primary email + its subscription history row, phone, address,
  sharing consent with the source organization, taggings), with ids taken from the table's
  sequence so the rows go in with executemany (SQLite) or COPY (PostgreSQL).
  Tags named in the file are created when missing (an import is an explicit steward action;
  the API's `add_tags` ignores unknown names instead).
- The stored file is deleted once the job is done, failed or cancelled.

**What "never half-applies" means for a 1,000,000-row file.** The write is one database
transaction, not one per batch: readers (the people list, exports, the API) see either none of
the file or all of it, a crash or an error at row 999,999 rolls everything back, and a retry
starts from a clean state. The alternatives were weighed: committing per batch with a "staging"
flag on each row (hidden until the last batch) spreads the staging flag over every read of the
CRM and needs a sweeper for abandoned imports; a separate staging table moved into place at the
end doubles the writes. One transaction costs: on PostgreSQL, nothing visible (MVCC; other
writers only wait if they insert one of the same canonical emails, and then the unique index
decides who wins — our side retries once on IntegrityError); on SQLite, the single writer lock
is held for the length of the write (about a minute per million rows, see
benchmarks/import_people.py), so other writes wait up to the busy timeout — run very large
SQLite imports from the command line when the site is quiet, or use PostgreSQL. Validation is a
separate, read-only first pass, so the lock is held only while rows are actually written.

While the write transaction runs, progress is saved through a second connection on PostgreSQL;
SQLite allows one writer, so there the page shows the last validation figures until the commit
(the command line reports every batch either way).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import re
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import EmailValidator
from django.db import IntegrityError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions.models import Coalition, Membership
from cairn.engines.emails import canonical_email, normalize_email
from cairn.engines.phones import PhoneError, to_e164
from cairn.engines.words import counted

from . import services
from .exporting import FORMULA_TRIGGERS
from .models import (
    Activity,
    EmailAddress,
    ImportJob,
    Person,
    PhoneNumber,
    PostalAddress,
    SharingConsent,
    SubscriptionChange,
    Tag,
    Tagging,
)

# --- fields and mapping --------------------------------------------------------------------------

CUSTOM_PREFIX = "custom:"
CUSTOM_MAX_LENGTH = 1000
CUSTOM_NAME_MAX_LENGTH = 100
TAG_MAX_LENGTH = 200  # Tag.name
# The csv module's limit for one cell; longer cells are reported, never read whole.
CELL_LIMIT = csv.field_size_limit()
# A physical line longer than this (no newline in sight) stops the read: it is not a CSV file.
MAX_LINE_BYTES = 4 * 1024 * 1024
BATCH_SIZE = 2000
PREVIEW_ROWS = 10
SOURCE_ACTION = "import"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    label: str
    max_length: int


FIELDS: dict[str, FieldSpec] = {
    "email": FieldSpec("Email address", 254),
    "given_name": FieldSpec("First name", 200),
    "family_name": FieldSpec("Last name", 200),
    "phone": FieldSpec("Phone", 32),
    "address_line": FieldSpec("Street address", 200),
    "locality": FieldSpec("City", 200),
    "region": FieldSpec("State / region", 200),
    "postal_code": FieldSpec("Postal code", 32),
    "country": FieldSpec("Country (2-letter code)", 2),
    "tags": FieldSpec("Tags (separated by ; or ,)", 2000),
}

# Header names (lower-cased, letters and digits only) that suggest a field.
_ALIASES: dict[str, str] = {
    **dict.fromkeys(["email", "emailaddress", "mail", "emailaddr"], "email"),
    **dict.fromkeys(["firstname", "givenname", "first", "forename", "fname"], "given_name"),
    **dict.fromkeys(["lastname", "familyname", "surname", "last", "lname"], "family_name"),
    **dict.fromkeys(
        ["phone", "phonenumber", "mobile", "mobilephone", "cell", "cellphone", "telephone", "tel"],
        "phone",
    ),
    **dict.fromkeys(
        ["address", "street", "streetaddress", "address1", "addressline1", "addressline"],
        "address_line",
    ),
    **dict.fromkeys(["city", "locality", "town"], "locality"),
    **dict.fromkeys(["state", "region", "province", "stateprovince"], "region"),
    **dict.fromkeys(["zip", "zipcode", "postalcode", "postcode", "zippostalcode"], "postal_code"),
    **dict.fromkeys(["country", "countrycode"], "country"),
    **dict.fromkeys(["tags", "tag", "labels"], "tags"),
}

ENCODINGS: dict[str, str] = {
    "utf-8": "UTF-8",
    "windows-1252": "Windows-1252",
    "iso-8859-1": "Latin-1 (ISO-8859-1)",
}
# Bytes that Windows-1252 leaves undefined: a file holding them is Latin-1 (C1 controls).
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
_COUNTRY = re.compile(r"[A-Z]{2}")
_validate_email = EmailValidator()


class ImportError_(Exception):  # the builtin ImportError means something else
    """The file (or the mapping) cannot be imported at all: the message is safe to show."""


def field_choices() -> list[tuple[str, str]]:
    """(value, label) for a mapping select: ignore, the person fields, keep as custom field."""
    return [("", "Ignore this column"), *((k, v.label) for k, v in FIELDS.items())]


def custom_field_for(column: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", column.strip().lower()).strip("_") or "column"
    return f"{CUSTOM_PREFIX}{name[:CUSTOM_NAME_MAX_LENGTH]}"


def suggest_mapping(header: Sequence[str]) -> dict[str, str]:
    """The field each column probably holds; "" (ignore) for columns we cannot place."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in header:
        key = re.sub(r"[^a-z0-9]", "", column.lower())
        field_name = _ALIASES.get(key, "")
        if field_name in taken:
            field_name = ""
        if field_name:
            taken.add(field_name)
        mapping[column] = field_name
    return mapping


def check_mapping(header: Sequence[str], mapping: dict[str, str]) -> dict[str, str]:
    """The mapping restricted to the header's columns; ImportError_ if it cannot work."""
    clean: dict[str, str] = {}
    used: dict[str, str] = {}
    for column in header:
        target = (mapping.get(column) or "").strip()
        if not target:
            clean[column] = ""
            continue
        if target.startswith(CUSTOM_PREFIX):
            name = target[len(CUSTOM_PREFIX) :].strip()
            if not name or len(name) > CUSTOM_NAME_MAX_LENGTH:
                raise ImportError_(f"Column {column!r}: a custom field needs a short name.")
            target = f"{CUSTOM_PREFIX}{name}"
        elif target not in FIELDS:
            raise ImportError_(f"Column {column!r}: unknown field {target!r}.")
        if target in used:
            raise ImportError_(
                f"Columns {used[target]!r} and {column!r} are both mapped to {target}."
            )
        used[target] = column
        clean[column] = target
    if "email" not in used and "phone" not in used:
        raise ImportError_(
            "Missing required column: map a column to email or to phone "
            "(a person needs one of them)."
        )
    return clean


# --- reading the file ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileScan:
    size: int
    lines: int
    encoding: str  # detected
    looks_utf8: bool


def scan_file(stream: IO[bytes]) -> FileScan:
    """One pass over the bytes, in chunks: size, line count and the likely encoding."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    undefined_in_cp1252 = False
    size = lines = 0
    last = b""
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
        lines += chunk.count(b"\n")
        last = chunk[-1:]
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
        if not undefined_in_cp1252:
            undefined_in_cp1252 = any(b in chunk for b in _CP1252_UNDEFINED)
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if size and last != b"\n":
        lines += 1
    encoding = "utf-8" if utf8 else "iso-8859-1" if undefined_in_cp1252 else "windows-1252"
    return FileScan(size=size, lines=lines, encoding=encoding, looks_utf8=utf8)


class _Lines:
    """Decoded lines of a binary stream, for csv.reader; remembers lines that did not decode."""

    def __init__(self, stream: IO[bytes], encoding: str) -> None:
        self.stream = stream
        self.encoding = encoding
        self.number = 0
        self.bad: dict[int, str] = {}
        self.too_long = False

    def __iter__(self) -> Iterator[str]:
        label = ENCODINGS.get(self.encoding, self.encoding)
        while raw := self.stream.readline(MAX_LINE_BYTES):
            self.number += 1
            if len(raw) >= MAX_LINE_BYTES and not raw.endswith(b"\n"):
                self.too_long = True
                return
            if self.number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                text = raw.decode(self.encoding)
            except UnicodeDecodeError as error:
                byte = raw[error.start : error.start + 1].hex().upper()
                self.bad[self.number] = (
                    f"byte 0x{byte} is not valid {label}: declare the file's encoding "
                    "(Windows-1252 or Latin-1?)"
                )
                text = raw.decode(self.encoding, errors="replace")
            yield text


@dataclass(slots=True)
class Record:
    line: int  # the line on which the record starts (the header is line 1)
    cells: list[str]
    problem: str = ""  # a reading error for the whole record


def read_records(stream: IO[bytes], *, encoding: str, delimiter: str) -> Iterator[Record]:
    """The file's records (header first), streaming; blank lines are skipped."""
    lines = _Lines(stream, encoding)
    reader = csv.reader(iter(lines), delimiter=delimiter)
    previous_end = 0
    while True:
        try:
            cells = next(reader)
            problem = ""
        except StopIteration:
            break
        except csv.Error as error:
            cells = []
            problem = str(error)
            if "field larger than field limit" in problem:
                problem = f"a cell is longer than {CELL_LIMIT:,} characters"
        start, previous_end = previous_end + 1, reader.line_num
        for number in range(start, previous_end + 1):
            if number in lines.bad:
                problem = problem or lines.bad.pop(number)
                lines.bad.pop(number, None)
        if not problem and not any(cell.strip() for cell in cells):
            continue
        yield Record(line=start, cells=cells, problem=problem)
    if lines.too_long:
        yield Record(
            line=lines.number,
            cells=[],
            problem=f"line {lines.number} is longer than {MAX_LINE_BYTES // 1024 // 1024} MB "
            "without a line break: is this a CSV file?",
        )


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def clean_header(cells: Sequence[str]) -> list[str]:
    """Column names: trimmed, blanks named by position, repeats made unique."""
    header: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells, start=1):
        name = cell.strip() or f"Column {index}"
        base, n = name, 2
        while name.lower() in seen:
            name, n = f"{base} ({n})", n + 1
        seen.add(name.lower())
        header.append(name)
    return header


# --- rows ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "reason": self.reason}


@dataclass(slots=True)
class RowData:
    """One row, parsed through the mapping and validated."""

    line: int
    email: str = ""  # normalized
    canonical: str = ""
    phone: str = ""  # E.164
    phone_typed: str = ""  # as written in the file
    given_name: str = ""
    family_name: str = ""
    address_line: str = ""
    locality: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    tags: tuple[str, ...] = ()
    custom: dict[str, str] = field(default_factory=dict)
    # Not read from files (the demo loader sets them): kept as `upsert_person` would keep them.
    languages: tuple[str, ...] = ()
    phone_type: str = ""

    @property
    def has_address(self) -> bool:
        # as services._add_details: a region alone is not an address
        return bool(self.postal_code or self.locality or self.address_line or self.country)

    def person_data(self) -> services.PersonData:
        """The same row as the services' input, for people who exist already."""
        return services.PersonData(
            given_name=self.given_name or None,
            family_name=self.family_name or None,
            emails=(services.EmailInput(address=self.email),) if self.email else (),
            phones=(
                services.PhoneInput(
                    number=self.phone_typed or self.phone, number_type=self.phone_type
                ),
            )
            if self.phone
            else (),
            addresses=(
                services.AddressInput(
                    address_lines=(self.address_line,) if self.address_line else (),
                    locality=self.locality,
                    region=self.region,
                    postal_code=self.postal_code,
                    country=self.country,
                ),
            )
            if self.has_address
            else (),
            languages=list(self.languages) if self.languages else None,
            custom_fields=dict(self.custom),
        )


def unneutralize(value: str) -> str:
    """Undo our own export's formula guard ("'=x" → "=x") so files round-trip."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def looks_like_formula(value: str, *, phone: bool = False) -> bool:
    """A cell that a spreadsheet would evaluate: "=...", or "+", "-", "@" followed by a call or a
    DDE link ("@SUM(A1)", "+cmd|' /C calc'!A0"). A phone number's "+1 (555)" is no formula."""
    if value.startswith("="):
        return True
    if phone or not value.startswith(("+", "-", "@")):
        return False
    return any(mark in value for mark in "(!|")


_FORMULA_STARTS = frozenset("=+-@")


def split_tags(value: str) -> tuple[str, ...]:
    separator = ";" if ";" in value else ","
    names = (part.strip() for part in value.split(separator))
    return tuple(dict.fromkeys(name for name in names if name))


class RowValidator:
    """Parses and checks rows through a mapping; remembers keys to find duplicates in the file."""

    def __init__(
        self,
        header: Sequence[str],
        mapping: dict[str, str],
        *,
        trusted: bool = False,
        region: str = "",
    ) -> None:
        # trusted: a second pass over rows the first pass found good (the write pass). It parses
        # and normalizes, but skips what cannot change (email syntax, duplicates in the file).
        # region: the coalition's default region for phones written without a country code.
        self.trusted = trusted
        self.region = region
        self.header = list(header)
        self.columns = [(i, c, mapping[c]) for i, c in enumerate(header) if mapping.get(c)]
        self.column_of = {target: column for _, column, target in self.columns}
        self.seen: _SeenKeys | None = None if trusted else _SeenKeys()

    def close(self) -> None:
        if self.seen is not None:
            self.seen.close()

    def required_columns(self) -> str:
        return " / ".join(self.column_of[f] for f in ("email", "phone") if f in self.column_of)

    def check(self, record: Record) -> RowData | list[RowError]:
        line = record.line
        if record.problem:
            return [RowError(line, "", record.problem)]
        cells = record.cells
        if len(cells) > len(self.header) and any(c.strip() for c in cells[len(self.header) :]):
            return [
                RowError(
                    line,
                    "",
                    f"the row has {counted(len(cells), 'cell', 'cells')} but the header has "
                    f"{counted(len(self.header), 'column', 'columns')} (a missing quote?)",
                )
            ]
        row = RowData(line=line)
        errors: list[RowError] = []
        for index, column, target in self.columns:
            value = cells[index].strip() if index < len(cells) else ""
            if not value:
                continue
            if value[0] == "'":
                value = unneutralize(value)
            if "\x00" in value:
                errors.append(RowError(line, column, "contains a NUL character"))
                continue
            if value[0] in _FORMULA_STARTS and looks_like_formula(value, phone=target == "phone"):
                errors.append(
                    RowError(
                        line,
                        column,
                        f"{_shorten(value)!r} looks like a spreadsheet formula: "
                        "remove it or skip this row",
                    )
                )
                continue
            if target.startswith(CUSTOM_PREFIX):
                if len(value) > CUSTOM_MAX_LENGTH:
                    errors.append(_too_long(line, column, value, CUSTOM_MAX_LENGTH))
                else:
                    row.custom[target[len(CUSTOM_PREFIX) :]] = value
                continue
            limit = FIELDS[target].max_length
            if target == "email":
                address = normalize_email(value)
                if len(address) > limit:
                    errors.append(_too_long(line, column, value, limit))
                    continue
                if not self.trusted:
                    try:
                        _validate_email(address)
                    except ValidationError:
                        errors.append(
                            RowError(line, column, f"{_shorten(value)!r} is not an email")
                        )
                        continue
                row.email, row.canonical = address, canonical_email(address)
            elif target == "phone":
                if len(value) > 2 * limit:
                    errors.append(_too_long(line, column, value, 2 * limit))
                    continue
                try:
                    row.phone = to_e164(value, self.region)
                except PhoneError as error:
                    errors.append(RowError(line, column, f"{_shorten(value)!r} {error.reason}"))
                else:
                    row.phone_typed = value
            elif target == "country":
                code = value.upper()
                if not _COUNTRY.fullmatch(code):
                    errors.append(
                        RowError(
                            line,
                            column,
                            f"{_shorten(value)!r} is not a two-letter country code (e.g. US)",
                        )
                    )
                else:
                    row.country = code
            elif target == "tags":
                if len(value) > limit:
                    errors.append(_too_long(line, column, value, limit))
                    continue
                tags = split_tags(value)
                if any(len(tag) > TAG_MAX_LENGTH for tag in tags):
                    errors.append(
                        RowError(line, column, f"a tag name is longer than {TAG_MAX_LENGTH}")
                    )
                else:
                    row.tags = tags
            elif len(value) > limit:
                errors.append(_too_long(line, column, value, limit))
            else:
                setattr(row, target, value)
        if not errors and not row.email and not row.phone:
            errors.append(
                RowError(line, self.required_columns(), "an email address or a phone is required")
            )
        if errors or self.seen is None:
            return errors or row
        if row.canonical and (first := self.seen.add("e" + row.canonical, line)):
            return [RowError(line, self.column_of["email"], f"same email address as line {first}")]
        if row.phone and (first := self.seen.add("p" + row.phone, line)) and not row.canonical:
            # Without an email, this row would be matched by its phone: to line `first`'s person.
            # (Rows with emails are matched by email only: a shared landline is no duplicate.)
            return [
                RowError(
                    line,
                    self.column_of["phone"],
                    f"same phone as line {first}, and no email to tell them apart",
                )
            ]
        return row


class _SeenKeys:
    """The canonical emails and phones seen so far in a file, each with the line of its first row.

    Kept in a throwaway SQLite file (not in a dict) so that memory stays flat however long the
    file is: a million rows would otherwise hold ~230 MB of keys. Costs a few µs a row.
    """

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="cairn-import-")
        self._db = sqlite3.connect(Path(self._dir.name) / "keys.sqlite3", isolation_level=None)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("PRAGMA cache_size = -16000")  # 16 MB of pages, then the OS cache
        self._db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")
        self._db.execute("BEGIN")

    def add(self, key: str, line: int) -> int | None:
        """Remember `key` at `line`; the line of its first row if it was seen before."""
        if self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (key, line)).rowcount:
            return None
        first = self._db.execute("SELECT line FROM seen WHERE key = ?", (key,)).fetchone()
        return int(first[0])

    def forget(self, key: str) -> None:
        self._db.execute("DELETE FROM seen WHERE key = ?", (key,))

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else f"{value[:limit]}…"


def _too_long(line: int, column: str, value: str, limit: int) -> RowError:
    return RowError(line, column, f"{len(value):,} characters; at most {limit:,} fit")


# --- jobs ----------------------------------------------------------------------------------------


def open_job_file(job: ImportJob) -> IO[bytes]:
    if not job.file.name:
        raise ImportError_("The file of this import was deleted.")
    stream: IO[bytes] = job.file.storage.open(job.file.name, "rb")
    return stream


def _header_of(job: ImportJob) -> tuple[list[str], str]:
    """(header, delimiter) read from the first line of the stored file."""
    with open_job_file(job) as stream:
        first = _Lines(stream, job.encoding)
        line = next(iter(first), "")
        if first.bad:
            raise ImportError_(f"Line 1: {first.bad[1]}")
    delimiter = sniff_delimiter(line)
    cells = next(csv.reader([line], delimiter=delimiter), [])
    return clean_header(cells), delimiter


@transaction.atomic
def create_import_job(
    *,
    coalition: Coalition,
    upload: File[Any],
    filename: str,
    created_by: User | None,
    source_membership: Membership | None = None,
    encoding: str = "",
) -> ImportJob:
    """Store an uploaded file as a new job, with its encoding, header and suggested mapping."""
    if source_membership is not None and source_membership.coalition_id != coalition.pk:
        raise ImportError_("That organization is not in this coalition.")
    if encoding and encoding not in ENCODINGS:
        raise ImportError_(f"Unknown encoding {encoding!r}: use one of {', '.join(ENCODINGS)}.")
    job = ImportJob(
        coalition=coalition,
        created_by=created_by,
        source_membership=source_membership,
        original_filename=filename[:255],
        encoding_declared=bool(encoding),
    )
    job.file.save(f"{uuid.uuid4().hex}.csv", upload, save=False)
    try:
        with open_job_file(job) as stream:
            head = stream.read(4)
            stream.seek(0)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise ImportError_(
                    "This file is UTF-16 (Excel's “Unicode text”): save it as “CSV UTF-8”."
                )
            scan = scan_file(stream)
        if not scan.size:
            raise ImportError_("The file is empty.")
        job.encoding = encoding or scan.encoding
        header, job.delimiter = _header_of(job)
        if not any(header) or scan.lines < 1:
            raise ImportError_("The file is empty.")
        with open_job_file(job) as stream:
            records = read_records(stream, encoding=job.encoding, delimiter=job.delimiter)
            next(records, None)
            if next(records, None) is None:
                raise ImportError_("The file has a header (line 1) but no rows.")
    except ImportError_:
        job.file.delete(save=False)
        raise
    job.header = header
    job.mapping = suggest_mapping(header)
    job.rows_total = max(scan.lines - 1, 0)
    job.save()
    return job


@transaction.atomic
def set_mapping(*, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    """Record the column mapping the user confirmed."""
    _require_status(job, ImportJob.Status.UPLOADED, ImportJob.Status.MAPPED)
    job.mapping = check_mapping(job.header, mapping)
    job.status = ImportJob.Status.MAPPED
    job.save(update_fields=["mapping", "status"])
    return job


@dataclass(frozen=True, slots=True)
class PreviewRow:
    line: int
    values: list[str]  # one per mapped column
    errors: list[RowError]


@dataclass(frozen=True, slots=True)
class Preview:
    columns: list[tuple[str, str]]  # (CSV column, field)
    rows: list[PreviewRow]


def preview(
    job: ImportJob, mapping: dict[str, str] | None = None, limit: int = PREVIEW_ROWS
) -> Preview:
    """The first rows as the mapping reads them, with their errors."""
    mapping = mapping if mapping is not None else job.mapping
    validator = RowValidator(job.header, mapping, region=job.coalition.default_region)
    rows: list[PreviewRow] = []
    try:
        with open_job_file(job) as stream:
            records = read_records(stream, encoding=job.encoding, delimiter=job.delimiter)
            next(records, None)
            for record in records:
                result = validator.check(record)
                values = [
                    record.cells[i] if i < len(record.cells) else ""
                    for i, _, _ in validator.columns
                ]
                errors = result if isinstance(result, list) else []
                rows.append(PreviewRow(line=record.line, values=values, errors=errors))
                if len(rows) >= limit:
                    break
    finally:
        validator.close()
    return Preview(columns=[(c, t) for _, c, t in validator.columns], rows=rows)


def _require_status(job: ImportJob, *allowed: str) -> None:
    if job.status not in allowed:
        raise ImportError_(f"This import is {job.get_status_display().lower()}.")


def start_import(
    *,
    job: ImportJob,
    skip_bad_rows: bool | None = None,
    inline: bool = False,
    progress: Progress | None = None,
) -> ImportJob:
    """Queue the validation and import (or run it now, for small files and the command line)."""
    from .tasks import run_import_task

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        _require_status(job, ImportJob.Status.MAPPED, ImportJob.Status.NEEDS_REVIEW)
        if skip_bad_rows is not None:
            job.skip_bad_rows = skip_bad_rows
        job.status = ImportJob.Status.VALIDATING
        job.rows_processed = 0
        job.heartbeat_at = timezone.now()  # queued counts as alive, until the sweeper's wait
        job.save(update_fields=["skip_bad_rows", "status", "rows_processed", "heartbeat_at"])
        if not inline:
            pk, run = job.pk, job.attempts
            transaction.on_commit(lambda: run_import_task.enqueue(pk, run))
    if inline:
        return run_import(job.pk, progress=progress)
    return job


@transaction.atomic
def cancel_import(*, job: ImportJob) -> ImportJob:
    """Stop an import that has not started writing; its file is deleted."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    _require_status(
        job,
        ImportJob.Status.UPLOADED,
        ImportJob.Status.MAPPED,
        ImportJob.Status.VALIDATING,
        ImportJob.Status.NEEDS_REVIEW,
    )
    job.status = ImportJob.Status.CANCELLED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    _delete_file(job)
    return job


def _delete_file(job: ImportJob) -> None:
    if job.file:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")


# --- running -------------------------------------------------------------------------------------

Progress = Callable[[ImportJob], None]


class _ProgressSaver:
    """Saves a job's counters as it runs, without joining the import's transaction.

    Outside a transaction this is an ordinary UPDATE. Inside the write transaction, PostgreSQL gets
    the UPDATE through a second connection (visible at once to the progress page); SQLite has one
    writer, so nothing is saved until the commit.
    """

    FIELDS = (
        "status",
        "rows_total",
        "rows_processed",
        "rows_created",
        "rows_updated",
        "heartbeat_at",
    )

    def __init__(self) -> None:
        self.side: BaseDatabaseWrapper | None = None

    def __call__(self, job: ImportJob) -> None:
        # Each save is also the run's heartbeat (`sweep_stuck_imports`). A run that the sweeper
        # restarted or failed meanwhile (attempts moved on) writes nothing more.
        job.heartbeat_at = timezone.now()
        values = {name: getattr(job, name) for name in self.FIELDS}
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=job.pk, attempts=job.attempts).update(**values)
            return
        if connection.vendor != "postgresql":
            return
        if self.side is None:
            self.side = connections.create_connection("default")
        assignments = ", ".join(f"{name} = %s" for name in values)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET {assignments} "  # noqa: S608 - our own column names
                "WHERE id = %s AND attempts = %s",
                [*values.values(), job.pk, job.attempts],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


class _Superseded(Exception):
    """The sweeper restarted or failed this stuck run: it must stop, changing nothing."""


def run_import(
    job_id: int, progress: Progress | None = None, attempt: int | None = None
) -> ImportJob:
    """Validate every row, then import the good ones in one transaction (or stop for review).

    `attempt` is the run the task was queued for (`ImportJob.attempts`): a delivery for an older
    run, which the sweeper replaced, does nothing."""
    job = ImportJob.objects.select_related("coalition", "source_membership").get(pk=job_id)
    if job.status != ImportJob.Status.VALIDATING:
        return job  # cancelled meanwhile, or a duplicate delivery of the task
    if attempt is not None and attempt != job.attempts:
        return job
    saver = _ProgressSaver()
    saver(job)  # alive

    def report(current: ImportJob) -> None:
        saver(current)
        if progress is not None:
            progress(current)

    try:
        report_errors = validate(job, progress=report)
        run = job.attempts
        job.refresh_from_db(fields=["status", "attempts"])
        if job.status != ImportJob.Status.VALIDATING or job.attempts != run:
            return job  # cancelled while validating, or restarted by the sweeper
        if report_errors.error_count and not job.skip_bad_rows:
            _finish_validation(job, report_errors, ImportJob.Status.NEEDS_REVIEW)
            return job
        _finish_validation(job, report_errors, ImportJob.Status.IMPORTING)
        for attempt in range(2):
            try:
                write_rows(job, report_errors.bad_lines, progress=report)
                break
            except IntegrityError:
                # someone added one of these people between our lookup and our insert; the whole
                # import rolled back, and the second pass finds them
                if attempt:
                    raise
    except _Superseded:
        return job
    except Exception as error:
        ImportJob.objects.filter(pk=job.pk, attempts=job.attempts).update(
            status=ImportJob.Status.FAILED,
            message=f"The import failed and changed nothing ({type(error).__name__}).",
            finished_at=timezone.now(),
        )
        _delete_file(job)
        raise
    finally:
        saver.close()
    _delete_file(job)
    job.refresh_from_db()
    return job


@dataclass(slots=True)
class ValidationReport:
    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    bad_rows: int = 0
    bad_lines: set[int] = field(default_factory=set)


def iter_checked(
    job: ImportJob, *, skip: set[int] | None = None
) -> Iterator[RowData | list[RowError]]:
    """Every data row of the job's file, parsed and checked (a fresh pass each call).

    With `skip` (the bad lines a first pass found), those rows are left out and the others are
    parsed as trusted: no second email syntax check, no duplicate bookkeeping.
    """
    validator = RowValidator(
        job.header,
        job.mapping,
        trusted=skip is not None,
        region=job.coalition.default_region,
    )
    try:
        with open_job_file(job) as stream:
            records = read_records(stream, encoding=job.encoding, delimiter=job.delimiter)
            next(records, None)
            for record in records:
                if skip is None or record.line not in skip:
                    yield validator.check(record)
    finally:
        validator.close()


def validate(job: ImportJob, progress: Progress | None = None) -> ValidationReport:
    """Read and check every row; nothing is written but the job's progress."""
    report = ValidationReport()
    job.rows_processed = 0
    for result in iter_checked(job):
        report.rows += 1
        if isinstance(result, list):
            report.bad_rows += 1
            report.bad_lines.add(result[0].line)
            report.error_count += len(result)
            room = ImportJob.MAX_STORED_ERRORS - len(report.errors)
            report.errors.extend(e.as_dict() for e in result[: max(room, 0)])
        if progress is not None and report.rows % BATCH_SIZE == 0:
            job.rows_processed = report.rows
            job.rows_total = max(job.rows_total, report.rows)
            progress(job)
    job.rows_total = job.rows_processed = report.rows
    if progress is not None:
        progress(job)
    return report


def _finish_validation(job: ImportJob, report: ValidationReport, status: str) -> None:
    job.status = status
    job.rows_total = report.rows
    job.rows_processed = 0
    job.errors = report.errors
    job.error_count = report.error_count
    job.rows_with_errors = report.bad_rows
    job.rows_skipped = report.bad_rows if status == ImportJob.Status.IMPORTING else 0
    job.heartbeat_at = timezone.now()
    job.save(
        update_fields=[
            "heartbeat_at",
            "status",
            "rows_total",
            "rows_processed",
            "errors",
            "error_count",
            "rows_with_errors",
            "rows_skipped",
        ]
    )


def _batches(rows: Iterable[RowData | list[RowError]], size: int) -> Iterator[list[RowData]]:
    batch: list[RowData] = []
    for row in rows:
        if isinstance(row, list):
            # a row that the first pass found good is bad now: the file is not the one checked
            raise ImportError_(f"Line {row[0].line} changed since it was checked: {row[0].reason}")
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_rows(job: ImportJob, bad_lines: set[int], progress: Progress | None = None) -> ImportJob:
    """Import the job's rows but `bad_lines` (found by `validate`) in one transaction: all of
    them, or none."""
    with transaction.atomic():
        _hold_run(job)
        writer = _BulkWriter.for_job(job)
        job.rows_processed = job.rows_created = job.rows_updated = 0
        for batch in _batches(iter_checked(job, skip=bad_lines), BATCH_SIZE):
            result = writer.write(batch)
            job.rows_created += result.created
            job.rows_updated += result.updated
            job.rows_processed += len(batch)
            if progress is not None:
                progress(job)
        job.status = ImportJob.Status.DONE
        job.finished_at = timezone.now()
        job.rows_processed = job.rows_total
        job.save(
            update_fields=[
                "status",
                "finished_at",
                "rows_processed",
                "rows_created",
                "rows_updated",
            ]
        )
    return job


def _hold_run(job: ImportJob) -> None:
    """Inside the write transaction: the job is still this run's, and stays so until the commit.

    On PostgreSQL the row is locked FOR KEY SHARE: the sweeper's FOR UPDATE SKIP LOCKED passes
    over a job being written (it is alive), while the progress UPDATEs of the second connection
    (which take a weaker lock) still go through. On SQLite the write lock already keeps the
    sweeper out until the commit.
    """
    table = ImportJob._meta.db_table
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE id = %s AND status = %s AND attempts = %s{lock}",  # noqa: S608 - our own table
            [job.pk, ImportJob.Status.IMPORTING, job.attempts],
        )
        if cursor.fetchone() is None:
            raise _Superseded


# --- stuck imports ------------------------------------------------------------------------------

# A running job whose worker gave no sign of life for this long is stuck (its worker was killed):
# progress is saved every BATCH_SIZE rows, a few seconds apart. SQLite cannot save progress while
# the write transaction holds its lock (about a minute per million rows), hence the allowance per
# row.
STALE_AFTER_SECONDS = 300
STALE_SECONDS_PER_ROW = 1 / 5000
# Runs of one job in all: a job stuck this many times fails (the file may be what kills it).
MAX_RUNS = 3


def stale_after(job: ImportJob) -> dt.timedelta:
    return dt.timedelta(seconds=STALE_AFTER_SECONDS + job.rows_total * STALE_SECONDS_PER_ROW)


def heartbeat_is_fresh(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """False for a running job whose worker gave no sign of life for `stale_after`."""
    if job.status not in {ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING}:
        return True
    last = job.heartbeat_at or job.created_at
    return (now or timezone.now()) - last < stale_after(job)


@dataclass(frozen=True, slots=True)
class SweepResult:
    restarted: list[int]
    failed: list[int]


def sweep_stuck_imports(
    *, coalition: Coalition | None = None, now: dt.datetime | None = None
) -> SweepResult:
    """Find running imports whose worker stopped (no heartbeat for `stale_after`) and run them
    again from the start (the write is one transaction, so nothing of theirs is in), or, after
    MAX_RUNS, fail them with a message. Jobs being written right now are skipped (locked)."""
    from .tasks import run_import_task

    now = now or timezone.now()
    restarted: list[int] = []
    failed: list[int] = []
    with transaction.atomic():
        running = ImportJob.objects.filter(
            status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING]
        )
        if coalition is not None:
            running = running.for_coalition(coalition)
        for job in running.select_for_update(skip_locked=True).order_by("pk"):
            if heartbeat_is_fresh(job, now):
                continue
            last = job.heartbeat_at or job.created_at
            job.attempts += 1  # the stuck run's later writes (if it wakes up) now match nothing
            job.heartbeat_at = now
            if job.attempts < MAX_RUNS and job.file:
                job.status = ImportJob.Status.VALIDATING
                job.rows_processed = 0
                job.message = (
                    f"Restarted at {now:%Y-%m-%d %H:%M} UTC: the worker running it stopped "
                    f"(no progress since {last:%H:%M}). Nothing of it had been imported."
                )
                job.save(
                    update_fields=[
                        "attempts",
                        "heartbeat_at",
                        "status",
                        "rows_processed",
                        "message",
                    ]
                )
                pk, run = job.pk, job.attempts
                transaction.on_commit(lambda pk=pk, run=run: run_import_task.enqueue(pk, run))  # type: ignore[misc]
                restarted.append(job.pk)
            else:
                job.status = ImportJob.Status.FAILED
                job.finished_at = now
                job.message = (
                    f"The import stopped {job.attempts} times (its worker was stopped or ran out "
                    "of memory) and changed nothing. Import the file from the command line "
                    "(cairn import-people) or split it."
                )
                job.save(
                    update_fields=["attempts", "heartbeat_at", "status", "finished_at", "message"]
                )
                _delete_file(job)
                failed.append(job.pk)
    return SweepResult(restarted=restarted, failed=failed)


@dataclass(frozen=True, slots=True)
class BatchResult:
    created: int
    updated: int
    person_ids: dict[int, int]  # row line → the person it created or updated


def add_people(
    *,
    coalition: Coalition,
    rows: Iterable[RowData],
    source_membership: Membership | None,
    source_action: str,
    activity: tuple[str, str, str],
    subscription_source: str = "",
) -> BatchResult:
    """Add (or, when known, update) many people at once, in the bulk path an import takes.

    For loaders that produce rows themselves (the demo): every row must carry a normalized email
    (`row_for` makes one) and no two rows may share a canonical email or a phone.
    """
    created = updated = 0
    ids: dict[int, int] = {}
    with transaction.atomic():
        writer = _BulkWriter(
            coalition=coalition,
            membership=source_membership,
            source=subscription_source,
            source_action=source_action,
            activity=activity,
        )
        for batch in _batches(rows, BATCH_SIZE):
            result = writer.write(batch)
            created, updated = created + result.created, updated + result.updated
            ids.update(result.person_ids)
    return BatchResult(created=created, updated=updated, person_ids=ids)


def row_for(
    *, line: int, email: str = "", phone: str = "", region: str = "", **fields: Any
) -> RowData:
    """A row with its email and phone normalized as a file's would be (PhoneError if the phone
    cannot be read)."""
    address = normalize_email(email)
    return RowData(
        line=line,
        email=address,
        canonical=canonical_email(address) if address else "",
        phone=to_e164(phone, region) if phone.strip() else "",
        phone_typed=phone.strip(),
        **fields,
    )


class _BulkWriter:
    """Writes one batch: known people through the services, new people in bulk.

    Each new person also gets a line on their timeline (`activity`: kind, summary, ref), so that
    their page and their data-access report say where they came from.
    """

    def __init__(
        self,
        *,
        coalition: Coalition,
        membership: Membership | None,
        source: str,
        source_action: str,
        activity: tuple[str, str, str],
    ) -> None:
        self.coalition = coalition
        self.coalition_id = coalition.pk
        self.membership = membership
        self.source = source[:200]
        self.source_action = source_action[:200]
        self.activity = (activity[0][:40], activity[1][:300], activity[2][:100])
        self.now = timezone.now()
        self.tags: dict[str, int] = {
            name.lower(): pk
            for pk, name in Tag.objects.for_coalition(self.coalition).values_list("pk", "name")
        }
        self.sql = _SqlWriter(connection)

    @classmethod
    def for_job(cls, job: ImportJob) -> _BulkWriter:
        return cls(
            coalition=job.coalition,
            membership=job.source_membership,
            source=f"import of {job.original_filename}",
            source_action=SOURCE_ACTION,
            activity=(
                "import",
                f"Added by the import of {job.original_filename}",
                f"people.importjob:{job.pk}",
            ),
        )

    def write(self, batch: list[RowData]) -> BatchResult:
        existing = self._match(batch)
        updated = 0
        if existing:
            people = Person.objects.in_bulk(set(existing.values()))
            unchanged = self._unchanged(batch, existing, people)
            for row in batch:
                person_id = existing.get(row.line)
                if person_id is None:
                    continue
                updated += 1
                if row.line in unchanged:
                    continue
                person = people[person_id]
                services.merge_matched_record(
                    person=person,
                    data=row.person_data(),
                    source=self.source,
                    region=self.coalition.default_region,
                )
                for name in row.tags:
                    tag = Tag.objects.get(pk=self._tag_id(name))
                    services.tag_person(tag=tag, person=person)
        new = [row for row in batch if row.line not in existing]
        ids = dict(existing)
        if new:
            ids.update(zip((row.line for row in new), self._insert(new), strict=True))
        return BatchResult(created=len(new), updated=updated, person_ids=ids)

    def _match(self, batch: list[RowData]) -> dict[int, int]:
        """line → id of the existing person it identifies: `services.find_match`'s rule, read
        in bulk (a row with an email by email only; one without by phone, to the first person
        of that phone whose name does not differ)."""
        canonicals = [row.canonical for row in batch if row.canonical]
        by_email: dict[str, int] = {}
        if canonicals:
            by_email = dict(
                EmailAddress.objects.filter(
                    coalition_id=self.coalition_id, canonical__in=canonicals
                ).values_list("canonical", "person_id")
            )
        matches = {row.line: by_email[row.canonical] for row in batch if row.canonical in by_email}
        numbers = [row.phone for row in batch if row.phone and not row.canonical]
        if numbers:
            by_phone: dict[str, list[Person]] = {}
            rows = (
                PhoneNumber.objects.filter(coalition_id=self.coalition_id, number__in=numbers)
                .select_related("person")
                .only("number", "person__given_name", "person__family_name")
                .order_by("pk")
            )
            for phone in rows:
                by_phone.setdefault(phone.number, []).append(phone.person)
            for row in batch:
                if row.canonical or not row.phone:
                    continue
                for person in by_phone.get(row.phone, ()):
                    if not services.names_differ(
                        person, row.given_name or None, row.family_name or None
                    ):
                        matches[row.line] = person.pk
                        break
        return matches

    def _unchanged(
        self, batch: list[RowData], existing: dict[int, int], people: dict[Any, Person]
    ) -> set[int]:
        """Lines that would change nothing about the person they match (a re-imported file):
        the services' merge rules (`update_person`, `tag_person`) read in bulk, so that those
        rows cost no query of their own."""
        ids = set(existing.values())
        known_emails = set(
            EmailAddress.objects.filter(
                coalition_id=self.coalition_id,
                canonical__in=[row.canonical for row in batch if row.line in existing],
            ).values_list("canonical", flat=True)
        )
        phones: dict[int, set[str]] = {}
        for person_id, number in PhoneNumber.objects.filter(person_id__in=ids).values_list(
            "person_id", "number"
        ):
            phones.setdefault(person_id, set()).add(number)
        addresses: dict[int, set[tuple[str, str, tuple[str, ...]]]] = {}
        for address in PostalAddress.objects.filter(person_id__in=ids).only(
            "person_id", "postal_code", "locality", "address_lines"
        ):
            addresses.setdefault(address.person_id, set()).add(
                (address.postal_code, address.locality.lower(), tuple(address.address_lines))
            )
        tags: dict[int, set[str]] = {}
        for person_id, name in Tagging.objects.filter(person_id__in=ids).values_list(
            "person_id", "tag__name"
        ):
            tags.setdefault(person_id, set()).add(name.lower())
        unchanged: set[int] = set()
        for row in batch:
            if row.line not in existing:
                continue
            person_id = existing[row.line]
            person = people[person_id]
            lines: tuple[str, ...] = (row.address_line,) if row.address_line else ()
            address_key = (row.postal_code, row.locality.lower(), lines)
            same = (
                (not row.given_name or row.given_name == person.given_name)
                and (not row.family_name or row.family_name == person.family_name)
                and set(row.languages) <= set(person.languages)
                and all(person.custom_fields.get(k) == v for k, v in row.custom.items())
                and (not row.canonical or row.canonical in known_emails)
                and (not row.phone or row.phone in phones.get(person_id, set()))
                and (not row.has_address or address_key in addresses.get(person_id, set()))
                and {name.lower() for name in row.tags} <= tags.get(person_id, set())
            )
            if same:
                unchanged.add(row.line)
        return unchanged

    def _tag_id(self, name: str) -> int:
        key = name.lower()
        if key not in self.tags:
            tag, _ = services.create_tag(coalition=self.coalition, name=name)
            self.tags[key] = tag.pk
        return self.tags[key]

    def _insert(self, rows: list[RowData]) -> list[int]:
        """Insert new people and their details; their ids, in the order of `rows`."""
        for row in rows:
            for name in row.tags:
                self._tag_id(name)
        sql = self.sql
        now = sql.datetime(self.now)
        cid = self.coalition_id
        membership_id = self.membership.pk if self.membership is not None else None
        person_ids = sql.allocate(Person, len(rows))
        people = []
        for pk, row in zip(person_ids, rows, strict=True):
            people.append(
                (
                    pk,
                    cid,
                    sql.uuid(uuid.uuid4()),
                    row.given_name,
                    row.family_name,
                    json.dumps(list(row.languages)) if row.languages else "[]",
                    json.dumps(row.custom) if row.custom else "{}",
                    membership_id,
                    self.source_action,
                    "",
                    now,
                    now,  # one timestamp: clients compare created and modified
                )
            )
        sql.insert(Person, _PERSON_COLUMNS, people)
        with_email = [(pk, row) for pk, row in zip(person_ids, rows, strict=True) if row.email]
        if with_email:
            email_ids = sql.allocate(EmailAddress, len(with_email))
            subscribed = EmailAddress.Status.SUBSCRIBED.value
            sql.insert(
                EmailAddress,
                ("id", "coalition_id", "person_id", "address", "canonical", "primary", "status"),
                [
                    (eid, cid, pk, row.email, row.canonical, True, subscribed)
                    for eid, (pk, row) in zip(email_ids, with_email, strict=True)
                ],
            )
            change_ids = sql.allocate(SubscriptionChange, len(email_ids))
            sql.insert(
                SubscriptionChange,
                (
                    "id",
                    "coalition_id",
                    "email_id",
                    "from_status",
                    "to_status",
                    "source",
                    "changed_at",
                ),
                [
                    (cid_, cid, eid, "", subscribed, self.source, now)
                    for cid_, eid in zip(change_ids, email_ids, strict=True)
                ],
            )
        with_phone = [(pk, row) for pk, row in zip(person_ids, rows, strict=True) if row.phone]
        if with_phone:
            phone_ids = sql.allocate(PhoneNumber, len(with_phone))
            sql.insert(
                PhoneNumber,
                (
                    "id",
                    "coalition_id",
                    "person_id",
                    "number",
                    "as_typed",
                    "number_type",
                    "primary",
                ),
                [
                    (phid, cid, pk, row.phone, row.phone_typed[:64], row.phone_type, True)
                    for phid, (pk, row) in zip(phone_ids, with_phone, strict=True)
                ],
            )
        with_address = [
            (pk, row) for pk, row in zip(person_ids, rows, strict=True) if row.has_address
        ]
        if with_address:
            address_ids = sql.allocate(PostalAddress, len(with_address))
            sql.insert(
                PostalAddress,
                (
                    "id",
                    "coalition_id",
                    "person_id",
                    "primary",
                    "address_lines",
                    "locality",
                    "region",
                    "postal_code",
                    "country",
                ),
                [
                    (
                        aid,
                        cid,
                        pk,
                        True,
                        json.dumps([row.address_line] if row.address_line else []),
                        row.locality,
                        row.region,
                        row.postal_code,
                        row.country,
                    )
                    for aid, (pk, row) in zip(address_ids, with_address, strict=True)
                ],
            )
        if membership_id is not None:
            consent_ids = sql.allocate(SharingConsent, len(person_ids))
            sql.insert(
                SharingConsent,
                ("id", "coalition_id", "person_id", "membership_id", "granted_at", "source"),
                [
                    (sid, cid, pk, membership_id, now, "brought in")
                    for sid, pk in zip(consent_ids, person_ids, strict=True)
                ],
            )
        kind, summary, ref = self.activity
        activity_ids = sql.allocate(Activity, len(person_ids))
        sql.insert(
            Activity,
            ("id", "coalition_id", "person_id", "kind", "summary", "occurred_at", "ref"),
            [
                (aid, cid, pk, kind, summary, now, ref)
                for aid, pk in zip(activity_ids, person_ids, strict=True)
            ],
        )
        taggings = [
            (pk, self.tags[name.lower()])
            for pk, row in zip(person_ids, rows, strict=True)
            for name in row.tags
        ]
        if taggings:
            tagging_ids = sql.allocate(Tagging, len(taggings))
            sql.insert(
                Tagging,
                ("id", "coalition_id", "uuid", "tag_id", "person_id", "created_at", "modified_at"),
                [
                    (tid, cid, sql.uuid(uuid.uuid4()), tag_id, pk, now, now)
                    for tid, (pk, tag_id) in zip(tagging_ids, taggings, strict=True)
                ],
            )
        return person_ids


_PERSON_COLUMNS = (
    "id",
    "coalition_id",
    "uuid",
    "given_name",
    "family_name",
    "languages",
    "custom_fields",
    "source_membership_id",
    "source_action",
    "source_referral",
    "created_at",
    "modified_at",
)


class _SqlWriter:
    """Inserts prepared rows with explicit ids: executemany on SQLite, COPY on PostgreSQL.

    Ids come from the table's own sequence (PostgreSQL: nextval; SQLite: the table's maximum
    under the write lock that the IMMEDIATE transaction holds), so later ORM inserts continue
    after them.
    """

    def __init__(self, conn: BaseDatabaseWrapper) -> None:
        self.conn = conn
        self.postgres = conn.vendor == "postgresql"
        self.native_uuid = conn.features.has_native_uuid_field

    def uuid(self, value: uuid.UUID) -> Any:
        return value if self.native_uuid else value.hex

    def datetime(self, value: Any) -> Any:
        return value if self.postgres else self.conn.ops.adapt_datetimefield_value(value)

    def allocate(self, model: type[Model], count: int) -> list[int]:
        table = model._meta.db_table
        with self.conn.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f'SELECT MAX(id) FROM "{table}"')  # noqa: S608 - a model's own table
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            seq = cursor.fetchone()
            start = max(top, seq[0] if seq else 0) + 1
        return list(range(start, start + count))

    def insert(
        self, model: type[Model], columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        table = self.conn.ops.quote_name(model._meta.db_table)
        names = ", ".join(self.conn.ops.quote_name(c) for c in columns)
        with self.conn.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608 - our own names
