"""Letter and call campaigns in the Django admin, for site operators: to look, and to correct
wording.

Rows are written by `cairn.advocacy.services` (one outreach per supporter, one delivery per
target, an email sent at most once), so nothing is added or deleted here and statuses, counts
and links are read-only; a campaign's title and an office's contact details may be corrected.
The letters' text and supporters' IP addresses are not shown.
"""

from __future__ import annotations

from django.contrib import admin

from cairn.core.admin import ServiceWritten

from .models import (
    AdvocacyCampaign,
    AdvocacyTarget,
    Delivery,
    District,
    DistrictTable,
    OfficeReply,
    Outreach,
    PostalCode,
    PrintBatch,
)


@admin.register(AdvocacyCampaign)
class AdvocacyCampaignAdmin(ServiceWritten):
    correctable = ("title",)
    list_display = ["title", "kind", "status", "coalition", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["coalition"]
    search_fields = ["title", "slug"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(AdvocacyTarget)
class AdvocacyTargetAdmin(ServiceWritten):
    correctable = ("office_email", "office_phone", "office_address")
    list_display = ["decision_maker", "district", "advocacy_campaign", "office_email"]
    list_select_related = ["decision_maker", "advocacy_campaign"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(DistrictTable)
class DistrictTableAdmin(ServiceWritten):
    correctable = ("name",)
    list_display = ["name", "coalition", "imported_at"]
    list_select_related = ["coalition"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(District)
class DistrictAdmin(ServiceWritten):
    hidden = ("polygons",)
    list_display = ["key", "name", "table"]
    list_select_related = ["table"]
    search_fields = ["key", "name"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(PostalCode)
class PostalCodeAdmin(ServiceWritten):
    list_display = ["code", "district", "table"]
    list_select_related = ["district", "table"]
    search_fields = ["code"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(Outreach)
class OutreachAdmin(ServiceWritten):
    hidden = ("body", "ip")
    list_display = ["uuid", "advocacy_campaign", "action", "district", "created_at"]
    list_filter = ["action"]
    list_select_related = ["advocacy_campaign"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(Delivery)
class DeliveryAdmin(ServiceWritten):
    hidden = ("call_notes",)
    list_display = ["pk", "target", "channel", "status", "created_at", "sent_at"]
    list_filter = ["channel", "status"]
    list_select_related = ["target__decision_maker"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(PrintBatch)
class PrintBatchAdmin(ServiceWritten):
    list_display = ["pk", "advocacy_campaign", "created_at", "delivered_at"]
    list_select_related = ["advocacy_campaign"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(OfficeReply)
class OfficeReplyAdmin(ServiceWritten):
    correctable = ("summary",)
    list_display = ["target", "received_on", "medium", "position", "advocacy_campaign"]
    list_select_related = ["target__decision_maker", "advocacy_campaign"]
    ordering = ["-pk"]
    show_full_result_count = False
