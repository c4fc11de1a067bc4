"""API tokens in the Django admin, for site operators: to see them and revoke them, nothing else.

A token is created by `cairn create-api-token` or a steward's page, which show its raw value once;
the admin never shows its hash, and a revoked token stays listed (who made it, when).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from cairn.core.admin import ServiceWritten
from cairn.engines.words import counted

from . import services
from .models import ApiToken, IdempotencyKey


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceWritten):
    hidden = ("token_hash",)
    list_display = [
        "name",
        "prefix",
        "coalition",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "active",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "coalition"]
    list_select_related = ["coalition", "created_by"]
    search_fields = ["name", "=prefix"]
    actions = ["revoke"]

    @admin.display(boolean=True, description="Active")
    def active(self, token: ApiToken) -> bool:
        return token.is_active

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return admin.ModelAdmin.has_change_permission(self, request)

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            services.revoke_token(token=token)
        self.message_user(
            request, f"Revoked {counted(len(tokens), 'token', 'tokens')}.", messages.SUCCESS
        )


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ServiceWritten):
    """Keys clients sent with their POSTs and the answers kept for their retries (24 hours)."""

    list_display = ["key", "token", "created_at", "status_code"]
    list_select_related = ["token"]
    search_fields = ["=key"]
