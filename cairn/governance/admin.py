"""Read-only admin: decisions change only through the services, so every change is in the log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Authorization,
    DecisionTemplate,
    Eligibility,
    LogCheckpoint,
    LogEntry,
    Option,
    Outcome,
    Proposal,
    SigningKey,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(ReadOnly):
    list_display = ["title", "coalition", "method", "status", "closes_at", "passed"]
    list_filter = ["status", "method"]


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnly):
    list_display = ["coalition", "seq", "created_at", "hash"]
    list_filter = ["coalition"]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnly):
    list_display = ["key_id", "coalition", "created_at", "retired_at"]
    exclude = ["private_key_encrypted"]  # encrypted anyway; nothing to see or copy


@admin.register(LogCheckpoint)
class LogCheckpointAdmin(ReadOnly):
    list_display = ["coalition", "seq", "signed_at", "key", "sent_at"]
    list_select_related = ["coalition", "key"]


@admin.register(Outcome)
class OutcomeAdmin(ReadOnly):
    list_select_related = ["proposal"]  # its name is its proposal's: no query per row


@admin.register(Authorization)
class AuthorizationAdmin(ReadOnly):
    list_display = ["__str__", "coalition", "created_at"]
    list_select_related = ["outcome__proposal", "content_type", "coalition"]


for model in (DecisionTemplate, Option, Eligibility):
    admin.site.register(model, ReadOnly)
