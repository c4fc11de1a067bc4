"""API tokens: created by a steward, shown once, stored as a SHA-256 hash, scoped to one coalition.

A token's row also carries its fixed-window request counter: the rate limit is counted from our
own rows, so it works on the SQLite default without a shared cache.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.coalitions.models import Coalition, TenantQuerySet


class ApiToken(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “Parsons sync”.")
    prefix = models.CharField(
        max_length=8, help_text="The token's first characters, to recognize it."
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Fixed-window rate limit: requests counted since `window_started_at`.
    window_started_at = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` on a POST, claimed before the work is done.

    The unique (token, key) row is inserted first (INSERT … ON CONFLICT DO NOTHING): whoever
    inserts it does the work and then stores the answer; a retry with the same key and the same
    request gets that answer back; a retry while it is still being made waits for it. `claim` says
    which request holds the row; `request_hash` is the SHA-256 of what was asked (method, path,
    query string, body), so the same key with another request is refused.
    """

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    claim = models.CharField(max_length=32, help_text="The request that holds the key.")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_key_per_token")
        ]
        indexes = [models.Index(fields=["created_at"], name="api_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.key} ({'answered' if self.status_code else 'in progress'})"
