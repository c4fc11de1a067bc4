"""A hash chain over log entries: each entry's hash covers its own content and the previous hash.

The serialization is canonical JSON (sorted keys, no spaces, UTF-8, no NaN), so the same entry
always hashes the same on every machine and database. Editing, removing, inserting or reordering
any entry breaks the chain at that entry; `verify` reports the first broken link.

The chain alone cannot show that its *tail* was dropped (or the whole chain rewritten and
re-hashed) by someone who can write the database. A **checkpoint** closes that gap: the head's
sequence number and hash, signed with the coalition's Ed25519 key and handed to the members. Whoever
holds one can later prove the log still contains that very entry (`checkpoint_in_log`): a log cut
before it lacks the entry, and a rewritten log has another hash there. The signature (`signed`)
shows the checkpoint came from the coalition's key, so a forged one is refused; old keys stay known
after a rotation, so old checkpoints still verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from cairn.engines.words import counted

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


# -- signed checkpoints --------------------------------------------------------------------------

CHECKPOINT_FORMAT: Final = "cairn-log-checkpoint/1"


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key: bytes) -> str:
    """A short fingerprint of a raw Ed25519 public key (what people compare by eye)."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ValueError(f"the {what} is not base64") from error


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement "the coalition's log had entry `seq` with hash `hash`", as a file."""

    coalition: str
    seq: int
    hash: str
    signed_at: str  # ISO 8601
    key_id: str
    public_key: str  # raw Ed25519 public key, base64
    signature: str  # Ed25519 signature of `statement()`, base64
    format: str = CHECKPOINT_FORMAT

    def statement(self) -> bytes:
        """The bytes that are signed: everything but the key and the signature themselves."""
        return canonical_json(
            {
                "format": self.format,
                "coalition": self.coalition,
                "seq": self.seq,
                "hash": self.hash,
                "signed_at": self.signed_at,
                "key_id": self.key_id,
            }
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """Parse a checkpoint file; ValueError when it is not one (the signature is not checked)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"not JSON: {error}") from error
        if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"not a {CHECKPOINT_FORMAT} file")
        fields = ("coalition", "hash", "signed_at", "key_id", "public_key", "signature")
        if not all(isinstance(data.get(f), str) for f in fields):
            raise ValueError(f"a checkpoint has the text fields {', '.join(fields)}")
        seq = data.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
            raise ValueError("a checkpoint's seq is a whole number from 1")
        return cls(**{f: data[f] for f in fields}, seq=seq)


def sign_checkpoint(
    *, private_key: Ed25519PrivateKey, coalition: str, seq: int, hash: str, signed_at: str
) -> Checkpoint:
    """Sign the head (seq, hash) of a coalition's log."""
    public = public_key_bytes(private_key)
    unsigned = Checkpoint(
        coalition=coalition,
        seq=seq,
        hash=hash,
        signed_at=signed_at,
        key_id=key_id(public),
        public_key=_b64(public),
        signature="",
    )
    signature = private_key.sign(unsigned.statement())
    return Checkpoint(**{**asdict(unsigned), "signature": _b64(signature)})


def signed(checkpoint: Checkpoint) -> str:
    """Why the checkpoint's signature does not hold, or "" when it was made by its key."""
    try:
        public = _unb64(checkpoint.public_key, "public key")
        signature = _unb64(checkpoint.signature, "signature")
    except ValueError as error:
        return str(error)
    if key_id(public) != checkpoint.key_id:
        return "the key id does not match the public key"
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, checkpoint.statement())
    except (InvalidSignature, ValueError):
        return "the signature does not verify: the checkpoint was altered or forged"
    return ""


@dataclass(frozen=True, slots=True)
class CheckpointCheck:
    ok: bool
    reason: str = ""


def checkpoint_in_log(checkpoint: Checkpoint, entries: Iterable[Entry]) -> CheckpointCheck:
    """Does the log (its entries in order, from the first) still verify and contain the
    checkpoint's entry with the checkpoint's hash? The signature is `signed`'s business."""
    found: Entry | None = None

    def watch(stream: Iterable[Entry]) -> Iterable[Entry]:
        nonlocal found
        for entry in stream:
            if entry.seq == checkpoint.seq:
                found = entry
            yield entry

    chain = verify(watch(entries))
    if found is None and (chain.ok or (chain.broken_at or 0) > checkpoint.seq):
        return CheckpointCheck(
            False,
            f"the log no longer contains entry {checkpoint.seq}: it was cut short "
            f"({counted(chain.checked, 'entry', 'entries')} verified)",
        )
    if not chain.ok and (chain.broken_at or 0) <= checkpoint.seq:
        return CheckpointCheck(
            False,
            f"the log breaks at entry {chain.broken_at}, before the checkpoint: {chain.reason}",
        )
    assert found is not None  # noqa: S101 - the two cases above cover found is None
    if found.hash != checkpoint.hash:
        return CheckpointCheck(
            False,
            f"entry {checkpoint.seq} has another hash than the checkpoint: the log was rewritten",
        )
    if not chain.ok:
        return CheckpointCheck(
            False,
            f"entry {checkpoint.seq} matches, but the log breaks later, at entry "
            f"{chain.broken_at}: {chain.reason}",
        )
    return CheckpointCheck(True)
