"""Fundraising in the Django admin, for site operators: to look, never to write. Donations,
gifts and provider events are written by `cairn.fundraising.services` (a donation's status only
by a verified webhook or a steward's offline entry, each posted to the ledger once), so every
page is read-only; a page's description and a receipt's legal fields may be corrected."""

from __future__ import annotations

from django.contrib import admin

from cairn.core.admin import ServiceWritten

from .models import (
    Donation,
    FundraisingPage,
    Host,
    ProviderEvent,
    ReceiptSettings,
    RecurringGift,
)


@admin.register(FundraisingPage)
class FundraisingPageAdmin(ServiceWritten):
    correctable = ("description",)
    list_display = ["title", "slug", "status", "currency", "goal", "coalition"]
    list_filter = ["status", "currency"]
    list_select_related = ["coalition"]
    search_fields = ["title", "slug"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "campaign", "fund", "created_by"]


@admin.register(Host)
class HostAdmin(ServiceWritten):
    list_display = ["page", "membership", "share", "coalition"]
    list_select_related = ["page", "membership__organization", "coalition"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "page", "membership"]


@admin.register(Donation)
class DonationAdmin(ServiceWritten):
    hidden = ("email",)
    list_display = ["created_at", "page", "amount", "currency", "recurrence", "status", "provider"]
    list_filter = ["status", "provider", "recurrence"]
    list_select_related = ["page"]
    search_fields = ["provider_payment_id", "provider_checkout_id", "receipt_number"]
    ordering = ["-pk"]
    raw_id_fields = [
        "coalition",
        "page",
        "person",
        "recurring_gift",
        "host_membership",
        "recorded_by",
    ]
    show_full_result_count = False


@admin.register(RecurringGift)
class RecurringGiftAdmin(ServiceWritten):
    hidden = ("email", "nonce")
    list_display = ["created_at", "page", "amount", "currency", "status"]
    list_filter = ["status"]
    list_select_related = ["page"]
    search_fields = ["provider_subscription_id"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "page", "person"]
    show_full_result_count = False


@admin.register(ProviderEvent)
class ProviderEventAdmin(ServiceWritten):
    list_display = ["received_at", "provider", "type", "event_id", "outcome", "processed_at"]
    list_filter = ["provider", "type"]
    search_fields = ["event_id"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "donation"]
    show_full_result_count = False


@admin.register(ReceiptSettings)
class ReceiptSettingsAdmin(ServiceWritten):
    correctable = ("legal_name", "tax_id", "address", "statement")
    list_display = ["legal_name", "coalition"]
    list_select_related = ["coalition"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition"]
