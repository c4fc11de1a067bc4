"""Use cases of the API app: the only code that writes its tables.

- create_token: the raw token is returned once and never stored; only its SHA-256 hash is kept.
- revoke_token: a revoked token stays listed (who made it, when) and never authenticates again.
- count_request: one atomic UPDATE per request moves the token's fixed-window counter; a request
  over the limit is refused with the seconds until the window ends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions.models import Coalition

from .models import ApiToken


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
