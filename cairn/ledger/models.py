"""The pooled fund's double-entry ledger: funds, their accounts, transactions and entries.

Every row carries `coalition_id` and is read through `for_coalition()`. The invariants the
database itself enforces, on SQLite and on PostgreSQL alike (see `ledger/__init__.py` for why
our own schema rather than django-hordak):

- an `Entry` is one transfer — a debit account, a credit account and one positive amount — so
  every transaction balances by construction (CHECK amount > 0, CHECK debit <> credit);
- an entry's accounts and transaction belong to the entry's fund, and the fund to the entry's
  coalition (PostgreSQL: composite foreign keys; SQLite: triggers, migration 0002);
- a fund's currency cannot change once it has entries, an account or transaction never moves to
  another fund (PostgreSQL: a trigger and the composite keys; SQLite: triggers);
- a transaction's `source` is unique per fund (the idempotency key of `services.post`), and a
  transaction is reversed at most once.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership, TenantQuerySet
from cairn.engines.ledger import ISO_4217

AMOUNT_DIGITS = 18
AMOUNT_PLACES = 4  # cairn.engines.ledger.STORED_PLACES: enough for every ISO 4217 currency


class Fund(models.Model):
    """A pool of money in one currency, with its own chart of accounts."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. USD or EUR.")
    description = models.TextField(blank=True)
    public = models.BooleanField(
        default=False, help_text="Show the fund's ledger on a public page, Open Collective-style."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["coalition", "slug"], name="ledger_fund_unique_slug"),
            # Target of the composite foreign keys (coalition_id, fund_id) on PostgreSQL.
            models.UniqueConstraint(fields=["coalition", "id"], name="ledger_fund_coalition_id"),
            models.CheckConstraint(
                condition=models.Q(currency__in=sorted(ISO_4217)),
                name="ledger_fund_currency_iso4217",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class AccountType(models.TextChoices):
    ASSET = "asset", "Asset"
    LIABILITY = "liability", "Liability"
    EQUITY = "equity", "Equity"
    INCOME = "income", "Income"
    EXPENSE = "expense", "Expense"


class Account(models.Model):
    """One account of a fund's chart (cash, a member's contributions, a budget line…)."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="accounts")
    key = models.CharField(max_length=120, help_text="Stable name in code: cash, member:12, …")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=10, choices=AccountType.choices)
    membership = models.ForeignKey(
        Membership, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    # What else the account stands for, e.g. "budget_line:12" (budgets) or "donations" (a
    # fundraising page's income): a generic link other apps own the meaning of.
    purpose = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["fund", "type", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "key"], name="ledger_account_unique_key"),
            # Target of the entries' composite foreign keys (fund_id, debit_id / credit_id).
            models.UniqueConstraint(fields=["fund", "id"], name="ledger_account_fund_id"),
            models.CheckConstraint(
                condition=models.Q(type__in=AccountType.values), name="ledger_account_type_valid"
            ),
        ]
        indexes = [models.Index(fields=["fund", "purpose"], name="ledger_account_purpose")]

    def __str__(self) -> str:
        return self.name


class LedgerTransaction(models.Model):
    """One economic event (a donation, a member's contribution, an allocation, an expense…) made
    of one or more balanced entries; identified per fund by its `source`."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="transactions")
    occurred_on = models.DateField()
    description = models.CharField(max_length=300)
    # The idempotency key: "donation:42:succeeded", "delivery:7", "allocation:3:line:9", …
    source = models.CharField(max_length=200)
    decision = models.ForeignKey(
        "governance.Outcome", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="reversed_by"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "source"], name="ledger_transaction_source"),
            models.UniqueConstraint(fields=["fund", "id"], name="ledger_transaction_fund_id"),
        ]
        indexes = [models.Index(fields=["fund", "occurred_on"], name="ledger_tx_fund_day")]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.description}"


# Foreign keys to rows that a cascade may delete in the same operation (a coalition's deletion)
# are RESTRICT, not PROTECT: a lone deletion of a decision, an account or a reversed
# transaction is refused, the tenant's own deletion is not.


class Entry(models.Model):
    """One transfer inside a transaction: `amount` leaves `credit` and arrives in `debit`."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="entries")
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.CASCADE, related_name="entries"
    )
    debit = models.ForeignKey(Account, on_delete=models.RESTRICT, related_name="debits")
    credit = models.ForeignKey(Account, on_delete=models.RESTRICT, related_name="credits")
    amount = models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    memo = models.CharField(max_length=200, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["transaction", "pk"]
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="ledger_entry_amount_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(debit=models.F("credit")), name="ledger_entry_two_accounts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.credit_id} -> {self.debit_id}"
