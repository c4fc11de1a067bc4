"""Budgets in the Django admin, for site operators: to look, never to write. Rounds, lines,
ballots, allocations and expenses are written by `cairn.budgets.services` (an allocation needs a
passed decision and is posted to the ledger; an expense is approved by stewards, never its
submitter), so everything here is read-only; a line's or round's description may be corrected."""

from __future__ import annotations

from django.contrib import admin

from cairn.core.admin import ServiceWritten

from .models import (
    Allocation,
    Ballot,
    BudgetLine,
    BudgetSettings,
    Expense,
    ExpenseApproval,
    Receipt,
    Round,
)


@admin.register(BudgetSettings)
class BudgetSettingsAdmin(ServiceWritten):
    list_display = ["coalition", "expense_approvals"]
    list_select_related = ["coalition"]
    raw_id_fields = ["coalition"]


@admin.register(Round)
class RoundAdmin(ServiceWritten):
    correctable = ("description",)
    list_display = ["title", "status", "electorate", "budget", "coalition"]
    list_filter = ["status", "electorate"]
    list_select_related = ["coalition"]
    search_fields = ["title"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "fund", "proposal", "outcome", "created_by"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ServiceWritten):
    correctable = ("description",)
    list_display = ["title", "cost", "status", "round", "coalition"]
    list_filter = ["status"]
    list_select_related = ["coalition", "round"]
    search_fields = ["title"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "fund", "round", "proposed_for", "created_by"]


@admin.register(Ballot)
class BallotAdmin(ServiceWritten):
    list_display = ["voter_key", "round", "cast_at", "coalition"]
    list_select_related = ["coalition", "round"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "round", "membership", "person", "cast_by"]
    show_full_result_count = False


@admin.register(Allocation)
class AllocationAdmin(ServiceWritten):
    list_display = ["line", "amount", "rule", "outcome", "coalition"]
    list_select_related = ["coalition", "line", "outcome__proposal"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "line", "round", "outcome", "transaction", "created_by"]


@admin.register(Expense)
class ExpenseAdmin(ServiceWritten):
    list_display = ["description", "amount", "status", "line", "coalition"]
    list_filter = ["status"]
    list_select_related = ["coalition", "line"]
    search_fields = ["description", "payee"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "line", "submitted_by", "rejected_by", "transaction"]


@admin.register(ExpenseApproval)
class ExpenseApprovalAdmin(ServiceWritten):
    list_display = ["expense", "approver", "approved_at", "coalition"]
    list_select_related = ["coalition", "expense", "approver"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "expense", "approver"]


@admin.register(Receipt)
class ReceiptAdmin(ServiceWritten):
    list_display = ["original_name", "content_type", "size", "expense", "coalition"]
    list_select_related = ["coalition", "expense"]
    ordering = ["-pk"]
    raw_id_fields = ["coalition", "expense", "uploaded_by"]
