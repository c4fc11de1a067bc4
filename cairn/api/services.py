"""Use cases of the API app: the only code that writes its tables.

- create_token: the raw token is returned once and never stored; only its SHA-256 hash is kept.
- revoke_token: a revoked token stays listed (who made it, when) and never authenticates again.
- count_request: one atomic UPDATE per request moves the token's fixed-window counter; a request
  over the limit is refused with the seconds until the window ends.
- claim_idempotency_key: one row per (token, key), inserted before the work by INSERT … ON
  CONFLICT DO NOTHING, so two requests with one key never both do the work; keys older than
  IDEMPOTENCY_TTL are deleted as new ones are claimed. record_idempotent_answer stores the answer
  a retry gets back; release_idempotency_key gives the key up when the work failed (5xx, 429).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions.models import Coalition

from .models import ApiToken, IdempotencyKey

# How long a key's first answer is kept and replayed.
IDEMPOTENCY_TTL = dt.timedelta(hours=24)


class ApiTokenError(Exception):
    """A token use case refused: the message is safe to show."""


@dataclass(frozen=True, slots=True)
class CreatedToken:
    token: ApiToken
    raw: str  # shown to the steward once; only its hash is stored


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the window ends


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def create_token(*, coalition: Coalition, name: str, created_by: User | None) -> CreatedToken:
    """A new token for the coalition; the raw value is in the result and nowhere else."""
    name = name.strip()
    if not name:
        raise ApiTokenError("A token needs a name.")
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        coalition=coalition,
        name=name[:100],
        prefix=raw[:8],
        token_hash=hash_token(raw),
        created_by=created_by,
    )
    return CreatedToken(token=token, raw=raw)


@transaction.atomic
def revoke_token(*, token: ApiToken) -> ApiToken:
    """Revoke the token (revoking twice keeps the first time)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def count_request(*, token: ApiToken, now: dt.datetime | None = None) -> RateDecision:
    """Count one request against the token's current window and say whether it may proceed."""
    now = now or timezone.now()
    limit: int = settings.CAIRN_API_RATE_LIMIT
    window: int = settings.CAIRN_API_RATE_WINDOW_SECONDS
    epoch = int(now.timestamp())
    start = dt.datetime.fromtimestamp(epoch - epoch % window, tz=dt.UTC)
    with transaction.atomic():
        # One statement: the counter restarts at 1 in a new window, otherwise it grows by one.
        ApiToken.objects.filter(pk=token.pk).update(
            window_count=Case(
                When(window_started_at=start, then=F("window_count") + 1), default=Value(1)
            ),
            window_started_at=start,
            last_used_at=now,
        )
        count: int = ApiToken.objects.filter(pk=token.pk).values_list("window_count", flat=True)[0]
    retry_after = max(int((start + dt.timedelta(seconds=window) - now).total_seconds()), 1)
    return RateDecision(
        allowed=count <= limit,
        limit=limit,
        remaining=max(limit - count, 0),
        retry_after=retry_after,
    )


class KeyOutcome(StrEnum):
    CLAIMED = "claimed"  # this request holds the key: do the work
    ANSWERED = "answered"  # the first request's answer is stored: replay it
    MISMATCH = "mismatch"  # the key was used for another request
    IN_PROGRESS = "in_progress"  # the first request is still at work
    RELEASED = "released"  # the key was given up meanwhile: try again (no row)


@dataclass(frozen=True, slots=True)
class KeyState:
    outcome: KeyOutcome
    row: IdempotencyKey | None = None


def claim_idempotency_key(
    *,
    token: ApiToken,
    key: str,
    request_hash: str,
    lease: dt.timedelta,
    now: dt.datetime | None = None,
) -> KeyState:
    """Claim `key` for this request, or say who holds it. Never check-then-insert: the unique
    (token, key) row is inserted with ON CONFLICT DO NOTHING and read back; the request whose
    `claim` is in the row owns it. A claim older than `lease` without an answer belonged to a
    request that died (a killed worker): it is taken over by one UPDATE, so only one retry wins."""
    now = now or timezone.now()
    expired = now - IDEMPOTENCY_TTL
    IdempotencyKey.objects.filter(token=token, key=key, created_at__lt=expired).delete()
    claim = secrets.token_hex(16)
    row = IdempotencyKey(
        coalition_id=token.coalition_id,
        token=token,
        key=key,
        request_hash=request_hash,
        claim=claim,
        created_at=now,
        started_at=now,
    )
    IdempotencyKey.objects.bulk_create([row], ignore_conflicts=True)
    held = IdempotencyKey.objects.filter(token=token, key=key).first()
    if held is None:
        return KeyState(KeyOutcome.RELEASED)
    if held.claim == claim:
        purge_idempotency_keys(now=now)  # expired keys go as new ones come
        return KeyState(KeyOutcome.CLAIMED, held)
    if held.request_hash != request_hash:
        return KeyState(KeyOutcome.MISMATCH, held)
    if held.status_code is not None:
        return KeyState(KeyOutcome.ANSWERED, held)
    if held.started_at < now - lease:
        taken = IdempotencyKey.objects.filter(
            pk=held.pk, claim=held.claim, status_code__isnull=True
        ).update(claim=claim, started_at=now)
        if taken:
            held.claim, held.started_at = claim, now
            return KeyState(KeyOutcome.CLAIMED, held)
    return KeyState(KeyOutcome.IN_PROGRESS, held)


def record_idempotent_answer(
    *, row: IdempotencyKey, status_code: int, content_type: str, body: str
) -> bool:
    """Store the answer of the request that holds the key (False if it lost the key meanwhile)."""
    return bool(
        IdempotencyKey.objects.filter(pk=row.pk, claim=row.claim).update(
            status_code=status_code, content_type=content_type[:100], body=body
        )
    )


def release_idempotency_key(*, row: IdempotencyKey) -> None:
    """Give the key up (the work failed): the next retry with it does the work."""
    IdempotencyKey.objects.filter(pk=row.pk, claim=row.claim, status_code__isnull=True).delete()


def purge_idempotency_keys(*, now: dt.datetime | None = None) -> int:
    """Delete every key older than IDEMPOTENCY_TTL (one indexed DELETE); the number deleted."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
