"""The partnership audit in the Django admin, for site operators: to look. Audits, profiles,
overrides and notes are records written by the services (an override must be logged with its
reason), so nothing is added, changed or deleted here."""

from __future__ import annotations

from django.contrib import admin

from cairn.core.admin import ServiceWritten

from .models import (
    Audit,
    AuditAnnotation,
    AuditOverride,
    AuditPolicy,
    AuditProfile,
    ThresholdVersion,
)


@admin.register(AuditPolicy)
class AuditPolicyAdmin(ServiceWritten):
    list_display = [
        "coalition",
        "share_profiles",
        "reaudit_every_months",
        "thresholds_need_decision",
        "next_audit_at",
    ]
    list_select_related = ["coalition"]


@admin.register(ThresholdVersion)
class ThresholdVersionAdmin(ServiceWritten):
    list_display = ["__str__", "coalition", "created_at", "applied_at"]
    list_filter = ["coalition"]
    list_select_related = ["coalition"]


@admin.register(Audit)
class AuditAdmin(ServiceWritten):
    list_display = ["__str__", "coalition", "as_of", "trigger", "thresholds_version", "run_by"]
    list_filter = ["coalition", "trigger"]
    list_select_related = ["coalition", "thresholds_version", "run_by"]


@admin.register(AuditProfile)
class AuditProfileAdmin(ServiceWritten):
    list_display = ["organization_name", "audit", "computed_class", "override_class"]
    list_filter = ["computed_class"]
    list_select_related = ["audit"]
    search_fields = ["organization_name"]


@admin.register(AuditOverride)
class AuditOverrideAdmin(ServiceWritten):
    list_display = ["profile", "from_class", "to_class", "by", "at"]
    list_select_related = ["profile", "by"]


@admin.register(AuditAnnotation)
class AuditAnnotationAdmin(ServiceWritten):
    list_display = ["profile", "by", "at"]
    list_select_related = ["profile", "by"]
