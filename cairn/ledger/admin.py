"""The ledger in the Django admin, for site operators: to look, never to write. Every row is
written by `cairn.ledger.services` (a transaction balances by construction, a correction is a
reversal, never an edit), so everything here is read-only; a fund's description may be
corrected."""

from __future__ import annotations

from django.contrib import admin

from cairn.core.admin import ServiceWritten

from .models import Account, Entry, Fund, LedgerTransaction


@admin.register(Fund)
class FundAdmin(ServiceWritten):
    correctable = ("description",)
    list_display = ["name", "currency", "public", "coalition"]
    list_filter = ["public", "currency"]
    list_select_related = ["coalition"]
    search_fields = ["name"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition"]


@admin.register(Account)
class AccountAdmin(ServiceWritten):
    list_display = ["name", "key", "type", "fund", "coalition"]
    list_filter = ["type"]
    list_select_related = ["fund", "coalition"]
    search_fields = ["name", "key"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "fund", "membership", "campaign"]
    show_full_result_count = False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ServiceWritten):
    list_display = ["occurred_on", "description", "source", "fund", "coalition"]
    list_select_related = ["fund", "coalition"]
    search_fields = ["source", "description"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "fund", "decision", "reverses", "recorded_by"]
    show_full_result_count = False


@admin.register(Entry)
class EntryAdmin(ServiceWritten):
    list_display = ["transaction", "debit", "credit", "amount", "fund"]
    list_select_related = ["transaction", "debit", "credit", "fund"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "fund", "transaction", "debit", "credit"]
    show_full_result_count = False
