"""Measurements pulled from a JSON or CSV address: fetch, check with the import's rules, record.

A steward gives an objective a feed (`MeasurementFeed`): an http(s) address, its format and which
fields hold the date, the value and optionally the source and note. `pull_feed` then:

- fetches the address with the standard library (`urllib`), refusing any scheme but http and
  https (redirects included, at most 5), with a timeout (`CAIRN_FEED_TIMEOUT`, 10 s) and a size
  limit (the CSV import's: 5 MB, counted while reading, whatever Content-Length says);
- reads a CSV document with the CSV import's decoding and delimiter rules, or a JSON document
  whose records are a list of objects (at `records_path`, dotted keys, when it is not the
  document itself); the "line" of a JSON error is the record's position in that list, from 1;
- checks every row with the CSV import's rules (`importing.check_table`), except that a day
  already recorded is skipped, not refused: feeds repeat their history, and pulling twice must
  record nothing twice (the unique constraint (objective, day) stands behind this);
- records all the new rows or none (any error: nothing is written), and keeps the outcome, the
  counts and every error (line, field, reason) on the feed for the objective's page.

Security (SSRF). The address is chosen by a steward, and the server fetches it: from inside the
deployment's network, where it could reach what the internet cannot (cloud metadata endpoints
such as 169.254.169.254, admin ports on localhost, internal services). Hence:

- only stewards (MANAGE_CAMPAIGNS) set a feed or pull it; the address is never shown to others;
- only http and https, on every hop; no file:, ftp:, data: (the opener has no such handlers);
- by default every address the host name resolves to must be public: loopback, private,
  link-local, reserved, multicast and unspecified addresses are refused, on the first request and
  on each redirect. `CAIRN_FEED_ALLOW_PRIVATE = True` lifts this for a deployment whose feeds are
  internal (and for tests). The check resolves the name before urllib resolves it again, so a
  DNS answer that changes in between (rebinding) is not caught: deployments that need a hard
  guarantee should also filter egress at the network (a proxy or firewall rule);
- nothing fetched is shown back except the errors' short excerpts (40 characters per cell), so a
  feed cannot be used to read an internal page through the objective page.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPMessage
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import importing
from .importing import MAX_BYTES, RowError, Table
from .models import Measurement, MeasurementFeed, Objective

ALLOWED_SCHEMES = frozenset({"http", "https"})
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 10.0
USER_AGENT = "Cairn measurement feed (+https://github.com/cairn)"


class FetchError(Exception):
    """The document could not be fetched; the message is safe to show to a steward."""


@dataclass(frozen=True, slots=True)
class PullResult:
    outcome: str
    created: int
    skipped: int
    errors: list[RowError]


# --- fetching -----------------------------------------------------------------------------------


def check_address(url: str) -> str:
    """Why the address may not be fetched ("" when it may): scheme, host and, unless allowed,
    whether the host resolves to a non-public address."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"only http and https addresses are fetched, not {parts.scheme or 'none'!r}"
    if not parts.hostname:
        return "the address has no host"
    if getattr(settings, "CAIRN_FEED_ALLOW_PRIVATE", False):
        return ""
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return f"the host {parts.hostname!r} is not found"
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            return (
                f"the host {parts.hostname!r} is on a private or local network ({address}); "
                "feeds are fetched from public addresses only"
            )
    return ""


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        problem = check_address(newurl)
        if problem:
            raise FetchError(f"redirected to a refused address: {problem}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    """HTTP and HTTPS only: no file, ftp or data handler is installed, so no other scheme can be
    opened even by a redirect; proxies from the environment are honoured (egress proxies)."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _SafeRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch(url: str, *, limit: int = MAX_BYTES) -> bytes:
    """The document at `url` (at most `limit` bytes), or FetchError with the reason."""
    problem = check_address(url)
    if problem:
        raise FetchError(problem)
    timeout = float(getattr(settings, "CAIRN_FEED_TIMEOUT", DEFAULT_TIMEOUT))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 - scheme checked above
    try:
        with _opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise FetchError(f"the document is larger than {limit // 1024 // 1024} MB")
            body: bytes = response.read(limit + 1)
    except FetchError:
        raise
    except urllib.error.HTTPError as error:
        raise FetchError(f"the server answered {error.code} {error.reason}") from error
    except urllib.error.URLError as error:
        raise FetchError(f"the address could not be reached ({error.reason})") from error
    except TimeoutError as error:
        raise FetchError(f"no answer within {timeout:g} seconds") from error
    except (OSError, ValueError) as error:
        raise FetchError(f"the address could not be fetched ({error})") from error
    if len(body) > limit:
        raise FetchError(f"the document is larger than {limit // 1024 // 1024} MB")
    return body


# --- reading ------------------------------------------------------------------------------------


def _mapping(feed: MeasurementFeed) -> dict[str, str]:
    return {
        "date": feed.date_field.strip() or "date",
        "value": feed.value_field.strip() or "value",
        "source": feed.source_field.strip(),
        "note": feed.note_field.strip(),
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # JSON true/false is not a figure
        return str(value).lower()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (int, str)):
        return str(value)
    return json.dumps(value)[:60]


def json_table(
    raw: bytes, *, mapping: dict[str, str], path: str
) -> tuple[Table | None, list[RowError]]:
    """The records of a JSON document as a Table; the line of a record is its position (from 1)."""
    try:
        document = json.loads(importing.decode(raw))
    except ValueError as error:
        return None, [RowError(0, "", f"the document is not JSON ({error})")]
    records: Any = document
    for key in [k for k in path.split(".") if k.strip()]:
        if not isinstance(records, dict) or key not in records:
            return None, [RowError(0, "", f"the document has no {path!r} (stopped at {key!r})")]
        records = records[key]
    if not isinstance(records, list):
        where = f"at {path!r} " if path else ""
        return None, [RowError(0, "", f"the records {where}are not a list")]
    if not records:
        return None, [RowError(0, "", "the document has no records")]
    used = [(field, name) for field, name in mapping.items() if name]
    header = [name for _, name in used]
    columns = {field: index for index, (field, _) in enumerate(used)}
    bad = [n for n, record in enumerate(records, start=1) if not isinstance(record, dict)]
    if bad:
        return None, [RowError(n, "", "the record is not an object") for n in bad[:20]]
    return Table(
        header,
        columns,
        ((n, [_cell(record.get(name)) for name in header]) for n, record in enumerate(records, 1)),
    ), []


def read_feed(
    feed: MeasurementFeed, raw: bytes, *, objective: Objective, today: dt.date
) -> tuple[list[Any], list[RowError], int]:
    """(rows to record, errors, rows skipped because their day is already recorded)."""
    mapping = _mapping(feed)
    if feed.format == MeasurementFeed.Format.JSON:
        table, errors = json_table(raw, mapping=mapping, path=feed.records_path)
    else:
        table, errors = importing.csv_table(importing.decode(raw), mapping=mapping)
    if table is None:
        return [], errors, 0
    return importing.check_table(
        table,
        objective=objective,
        default_source=feed.default_source,
        today=today,
        recorded=importing.recorded_days(objective),
        skip_recorded=True,
    )


# --- the use case -------------------------------------------------------------------------------


def pull_feed(*, feed: MeasurementFeed, fetcher: Any = fetch) -> PullResult:
    """Fetch, check and record a feed's new days, all or nothing; the outcome is kept on it."""
    objective = feed.objective
    try:
        raw = fetcher(feed.url)
    except FetchError as error:
        return _finish(
            feed, PullResult(MeasurementFeed.Outcome.FAILED, 0, 0, [RowError(0, "", str(error))])
        )
    with transaction.atomic():
        # One pull of an objective at a time: the next sees the days this one recorded.
        Objective.objects.select_for_update().filter(pk=objective.pk).first()
        rows, errors, skipped = read_feed(
            feed, raw, objective=objective, today=timezone.localdate()
        )
        if errors:
            result = PullResult(MeasurementFeed.Outcome.FAILED, 0, skipped, errors)
        else:
            try:
                with transaction.atomic():
                    created = importing._write(
                        objective=objective,
                        rows=rows,
                        recorded_by=None,
                        origin=Measurement.Origin.FEED,
                    )
            except IntegrityError:  # a steward recorded one of the days meanwhile
                conflict = RowError(0, "", "a day was recorded meanwhile; the next pull retries")
                result = PullResult(MeasurementFeed.Outcome.FAILED, 0, skipped, [conflict])
            else:
                result = PullResult(MeasurementFeed.Outcome.OK, created, skipped, [])
        return _finish(feed, result)


MAX_KEPT_ERRORS = 200


def _finish(feed: MeasurementFeed, result: PullResult) -> PullResult:
    feed.pulled_at = timezone.now()
    feed.outcome = result.outcome
    feed.created_count = result.created
    feed.skipped_count = result.skipped
    feed.errors = importing.as_context(result.errors[:MAX_KEPT_ERRORS])
    if len(result.errors) > MAX_KEPT_ERRORS:
        more = len(result.errors) - MAX_KEPT_ERRORS
        feed.errors.append({"line": 0, "column": "", "reason": f"and {more:,} more errors"})
    feed.save(update_fields=["pulled_at", "outcome", "created_count", "skipped_count", "errors"])
    return result
