"""A hash chain over log entries: each entry's hash covers its own content and the previous hash.

The serialization is canonical JSON (sorted keys, no spaces, UTF-8, no NaN), so the same entry
always hashes the same on every machine and database. Editing, removing, inserting or reordering
any entry breaks the chain at that entry; `verify` reports the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """The one byte string for a JSON-able mapping: sorted keys, compact, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def entry_hash(*, seq: int, prev_hash: str, body: Mapping[str, Any]) -> str:
    """SHA-256 over the sequence number, the previous hash and the canonical body."""
    payload = canonical_json({"seq": seq, "prev": prev_hash, "body": body})
    return hashlib.sha256(payload).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    prev_hash: str
    hash: str
    body: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    checked: int
    broken_at: int | None = None  # the seq of the first entry that does not verify
    reason: str = ""


def verify(entries: Iterable[Entry]) -> Verification:
    """Walk the chain in order; stop at the first entry whose link or hash is wrong."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for entry in entries:
        if entry.seq != expected_seq:
            return Verification(
                False, checked, entry.seq, f"expected entry {expected_seq}, found {entry.seq}"
            )
        if entry.prev_hash != expected_prev:
            return Verification(False, checked, entry.seq, "does not link to the entry before it")
        if entry_hash(seq=entry.seq, prev_hash=entry.prev_hash, body=entry.body) != entry.hash:
            return Verification(False, checked, entry.seq, "its content does not match its hash")
        expected_prev, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    return Verification(True, checked)
