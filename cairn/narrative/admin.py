"""Narrative rows in the Django admin, for site operators: to look. Frameworks, versions and
content move through their states only through `cairn.narrative.services` (adoption needs a
decision; approval needs a check), so everything here is read-only except names and titles."""

from __future__ import annotations

from django.contrib import admin

from cairn.core.admin import ServiceWritten

from .models import (
    Approval,
    ContentEvent,
    ContentItem,
    FlagDismissal,
    Framework,
    FrameworkVersion,
    ReachReport,
    ReviewComment,
    Reviewer,
    TrackedLink,
)


@admin.register(Framework)
class FrameworkAdmin(ServiceWritten):
    correctable = ("name",)
    list_display = ("name", "coalition", "campaign", "created_at")
    list_select_related = ("coalition", "campaign")
    raw_id_fields = ("coalition", "campaign")
    search_fields = ("name",)


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(ServiceWritten):
    list_display = ("framework", "number", "status", "created_at", "adopted_at")
    list_select_related = ("framework",)
    list_filter = ("status",)
    raw_id_fields = ("coalition", "framework", "created_by")


@admin.register(Reviewer)
class ReviewerAdmin(ServiceWritten):
    list_display = ("staff", "coalition", "granted_at")
    list_select_related = ("staff__user", "staff__coalition", "coalition")
    raw_id_fields = ("coalition", "staff", "granted_by")


@admin.register(ContentItem)
class ContentItemAdmin(ServiceWritten):
    correctable = ("title",)
    list_display = ("title", "kind", "channel", "state", "membership", "updated_at")
    list_select_related = ("membership__organization",)
    list_filter = ("state", "kind", "channel")
    search_fields = ("title",)
    raw_id_fields = ("coalition", "campaign", "framework", "membership", "author")


@admin.register(ContentEvent)
class ContentEventAdmin(ServiceWritten):
    list_display = ("item", "from_state", "to_state", "at")
    list_select_related = ("item",)
    raw_id_fields = ("coalition", "item", "by")


@admin.register(ReviewComment)
class ReviewCommentAdmin(ServiceWritten):
    list_display = ("item", "author", "requests_changes", "created_at")
    list_select_related = ("item", "author")
    raw_id_fields = ("coalition", "item", "author")


@admin.register(Approval)
class ApprovalAdmin(ServiceWritten):
    list_display = ("item", "version", "approved_by", "approved_at")
    list_select_related = ("item", "version__framework", "approved_by")
    raw_id_fields = ("coalition", "item", "version", "approved_by")


@admin.register(FlagDismissal)
class FlagDismissalAdmin(ServiceWritten):
    list_display = ("item", "kind", "span_text", "by", "at")
    list_select_related = ("item", "by")
    raw_id_fields = ("coalition", "item", "by")


@admin.register(TrackedLink)
class TrackedLinkAdmin(ServiceWritten):
    list_display = ("code", "item", "membership", "petition", "created_at")
    list_select_related = ("item", "membership__organization", "petition")
    search_fields = ("code",)
    raw_id_fields = ("coalition", "item", "membership", "petition")


@admin.register(ReachReport)
class ReachReportAdmin(ServiceWritten):
    list_display = ("item", "membership", "on", "impressions")
    list_select_related = ("item", "membership__organization")
    raw_id_fields = ("coalition", "item", "membership", "recorded_by")
