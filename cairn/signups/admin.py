"""Forms in the Django admin, for site operators: to look. Rows are written by
`cairn.signups.services` (questions checked, descriptions sanitized, one submission per form
and person), so every page here is read-only; a submission's address and key are not shown."""

from __future__ import annotations

from django.contrib import admin

from cairn.core.admin import ServiceWritten

from .models import Form, FormLink, Submission


@admin.register(Form)
class FormAdmin(ServiceWritten):
    list_display = ["title", "kind", "status", "owner", "coalition", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["coalition", "owner__organization"]
    search_fields = ["title"]
    ordering = ["-pk"]


@admin.register(FormLink)
class FormLinkAdmin(ServiceWritten):
    list_display = ["code", "form", "membership", "label", "coalition"]
    list_select_related = ["coalition", "form", "membership__organization"]
    search_fields = ["code", "label"]
    ordering = ["-pk"]


@admin.register(Submission)
class SubmissionAdmin(ServiceWritten):
    hidden = ("ip", "idempotency_key")
    list_display = ["uuid", "form", "person", "consent_given", "source", "created_at"]
    list_filter = ["consent_given"]
    list_select_related = ["form", "person"]
    search_fields = ["form__title", "person__emails__address"]
    ordering = ["-pk"]
    show_full_result_count = False
