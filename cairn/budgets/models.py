"""Budgets of a coalition's pooled fund: budget lines, participatory budgeting rounds over them,
the allocations a decision adopted, and expenses against the lines with their receipts.

Every row carries `coalition_id`; reads go through `for_coalition()`. Money is a Decimal in the
fund's currency (the ledger's precision); the rules compute in exact minor units
(`cairn.engines.budgeting`). Nothing here moves money: allocations and approved expenses are
posted to the ledger by `services` through `cairn.ledger.services.post`, and an `Allocation`
cannot exist without the governance `Outcome` that adopted it (NOT NULL, PROTECT).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership, TenantQuerySet

# Amounts: max_digits=18, decimal_places=4, as the ledger stores them (cairn.ledger.models).


class BudgetSettings(models.Model):
    """How the coalition's charter has expenses approved: by how many stewards (never the person
    who submitted the expense)."""

    coalition = models.OneToOneField(Coalition, on_delete=models.CASCADE, related_name="+")
    expense_approvals = models.PositiveSmallIntegerField(
        default=1, help_text="Stewards who must approve an expense before it is paid (1 to 3)."
    )

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name_plural = "budget settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expense_approvals__gte=1, expense_approvals__lte=3),
                name="budgets_settings_approvals_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return f"budget settings of {self.coalition_id}"


class Electorate(models.TextChoices):
    MEMBERS = "members", "Member organizations, one ballot each"
    SUPPORTERS = "supporters", "Supporters, one ballot each"


class Round(models.Model):
    """A participatory budgeting round: proposed lines, approval ballots, two rules' results,
    and — once a decision adopts one of them — the allocations."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for ballots"
        CLOSED = "closed", "Closed, awaiting a decision"
        ADOPTED = "adopted", "Adopted"

    class Rule(models.TextChoices):
        EQUAL_SHARES = "equal_shares", "Method of Equal Shares"
        GREEDY = "greedy", "Greedy approval"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey("ledger.Fund", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    budget = models.DecimalField(max_digits=18, decimal_places=4)
    electorate = models.CharField(
        max_length=12, choices=Electorate.choices, default=Electorate.MEMBERS
    )
    max_approvals = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Most lines one ballot may approve (blank: any number)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The decision asked to adopt a result, and what it adopted.
    proposal = models.ForeignKey(
        "governance.Proposal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_rule = models.CharField(max_length=16, choices=Rule.choices, blank=True)
    adopted_rule = models.CharField(max_length=16, choices=Rule.choices, blank=True)
    outcome = models.ForeignKey(
        "governance.Outcome", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gt=0), name="budgets_round_budget"),
            models.CheckConstraint(
                condition=~models.Q(status="adopted") | models.Q(outcome__isnull=False),
                name="budgets_round_adopted_by_a_decision",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    """Something the fund could pay for, at a cost; proposed into a round or allocated directly
    by a decision."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ALLOCATED = "allocated", "Allocated"
        NOT_FUNDED = "not_funded", "Not funded"
        WITHDRAWN = "withdrawn", "Withdrawn"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey("ledger.Fund", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    cost = models.DecimalField(max_digits=18, decimal_places=4)
    proposed_for = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member organization that proposed it, if one did.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["pk"]  # proposal order: ties in a round go to the line proposed first
        constraints = [
            models.CheckConstraint(condition=models.Q(cost__gt=0), name="budgets_line_cost"),
        ]

    def __str__(self) -> str:
        return self.title


class Ballot(models.Model):
    """One voter's approvals in a round: `voter_key` is "m<membership id>" (a member
    organization, whoever casts it for it) or "p<person id>" (a supporter). Casting again
    replaces the approvals; the unique key is what makes a voter count once."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballots")
    voter_key = models.CharField(max_length=40)
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved = models.JSONField(default=list)  # the approved lines' ids, sorted
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cast_at = models.DateTimeField(default=timezone.now)
    changes = models.PositiveIntegerField(default=0)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "voter_key"], name="budgets_ballot_one_each"),
        ]

    def __str__(self) -> str:
        return f"ballot {self.voter_key} in {self.round_id}"


class Allocation(models.Model):
    """Money a decision earmarked for a line, posted to the ledger (designated → allocated)."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    line = models.OneToOneField(BudgetLine, on_delete=models.PROTECT, related_name="allocation")
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations"
    )
    amount = models.DecimalField(max_digits=18, decimal_places=4)
    # The gate: no allocation without the decision that adopted it.
    outcome = models.ForeignKey("governance.Outcome", on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=16, blank=True)  # the round's rule, or "" (direct)
    transaction = models.ForeignKey(
        "ledger.LedgerTransaction", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="budgets_allocation_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} to {self.line_id}"


class Expense(models.Model):
    """A payment out of a line's allocation, with receipts; paid (posted) once approved."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting approval"
        APPROVED = "approved", "Approved and paid"
        REJECTED = "rejected", "Rejected"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="expenses")
    amount = models.DecimalField(max_digits=18, decimal_places=4)
    description = models.CharField(max_length=300)
    payee = models.CharField(max_length=200)
    incurred_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.CharField(max_length=300, blank=True)
    transaction = models.ForeignKey(
        "ledger.LedgerTransaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="budgets_expense_amount"),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(transaction__isnull=False),
                name="budgets_expense_paid_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.amount})"


class ExpenseApproval(models.Model):
    """One steward's approval of an expense (never the submitter's: `services.approve_expense`)."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["approved_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["expense", "approver"], name="budgets_expense_approval_once"
            ),
        ]

    def __str__(self) -> str:
        return f"approval of {self.expense_id} by {self.approver_id}"


RECEIPT_TYPES = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
RECEIPT_MAX_BYTES = 5 * 1024 * 1024


def receipt_path(instance: Receipt, filename: str) -> str:
    # Our own name, never the uploader's: no path tricks, no guessable names.
    extension = RECEIPT_TYPES[instance.content_type]
    return f"receipts/{instance.coalition_id}/{uuid.uuid4().hex}.{extension}"


class Receipt(models.Model):
    """A receipt attached to an expense; served only to the coalition's staff (`views.receipt`)."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="receipts")
    file = models.FileField(upload_to=receipt_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)  # sniffed from the bytes, not the browser's
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gt=0, size__lte=RECEIPT_MAX_BYTES),
                name="budgets_receipt_size",
            ),
            models.CheckConstraint(
                condition=models.Q(content_type__in=sorted(RECEIPT_TYPES)),
                name="budgets_receipt_type",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


ZERO = Decimal(0)
