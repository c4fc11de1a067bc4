"""Fundraising pages, their co-hosts, donations, monthly gifts and the provider's webhook events.

Every row carries `coalition_id` and is read through `for_coalition()`. Money is Decimal in the
page's currency (minor units only at the provider boundary, `cairn.fundraising.money`).

The guards are the database's:
- a donation is unique per (coalition, idempotency key): a retried form or API call finds the
  first row (INSERT … ON CONFLICT), and the key sent to the provider is derived from that row;
- a provider's event is unique per (provider, event id): a webhook delivered 200 times is
  applied once;
- a host's share is 0–100 % and a member hosts a page once; amounts are positive.
A donation's status changes only when a verified provider event says so (or when a steward
records an offline gift or its refund); the ledger is posted in the same transaction.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership, TenantQuerySet


def new_ref_code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


class Recurrence(models.TextChoices):
    ONE_OFF = "one_off", "One-off"
    MONTHLY = "monthly", "Monthly"


class Provider(models.TextChoices):
    STRIPE = "stripe", "Card (Stripe)"
    OFFLINE = "offline", "Offline (cheque, bank transfer)"


class FundraisingPage(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="fundraising_pages"
    )
    slug = models.SlugField(max_length=80, unique=True, help_text="The public address.")
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fundraising_pages",
    )
    # The ledger fund the page's donations go into (the coalition's fund in the page's currency).
    fund = models.ForeignKey("ledger.Fund", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Why give (sanitized HTML).")
    goal = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code.")
    suggested_amounts = models.JSONField(
        default=list, blank=True, help_text='Amounts offered as buttons, e.g. ["10", "25", "50"].'
    )
    minimum_amount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(1))
    monthly_allowed = models.BooleanField(default=True)
    # What a donor may add to cover the processor's fee: rate % of the gift plus a fixed part.
    fee_cover_rate = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("2.90"), help_text="Percent, e.g. 2.90."
    )
    fee_cover_fixed = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.30"))
    donor_wall = models.BooleanField(
        default=True, help_text="Show the names of donors who chose to be shown."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    origin_system = models.CharField(max_length=100, default="Cairn")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["coalition", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal__isnull=True) | Q(goal__gt=0), name="fundraising_goal_positive"
            ),
            models.CheckConstraint(
                condition=Q(fee_cover_rate__gte=0) & Q(fee_cover_rate__lt=50),
                name="fundraising_fee_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(minimum_amount__gt=0), name="fundraising_minimum_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def accepts_donations(self) -> bool:
        return self.status == self.Status.OPEN


class Host(models.Model):
    """A member organization co-hosting a page; its share (%) of what the page raises is shown to
    stewards. Its referral link credits the donations it brings."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey(FundraisingPage, on_delete=models.CASCADE, related_name="hosts")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    share = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal(0), help_text="Percent of the raised."
    )
    ref_code = models.CharField(max_length=16, unique=True, default=new_ref_code)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["page", "membership"], name="fundraising_host_once"),
            models.CheckConstraint(
                condition=Q(share__gte=0) & Q(share__lte=100), name="fundraising_host_share_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership} hosts {self.page} ({self.share} %)"


class RecurringGift(models.Model):
    """A monthly gift: the provider's subscription. Each paid month is a Donation of its own."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # checkout not completed yet
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Payment failed"
        CANCELLED = "cancelled", "Cancelled"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey(
        FundraisingPage, on_delete=models.PROTECT, related_name="recurring_gifts"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(max_length=254, blank=True)  # where reminders and receipts go
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    fee_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider = models.CharField(max_length=10, choices=Provider.choices, default=Provider.STRIPE)
    provider_customer_id = models.CharField(max_length=255, blank=True)
    provider_subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    provider_item_id = models.CharField(max_length=255, blank=True)
    # The manage link is signed over (uuid, nonce): a new nonce revokes every link sent before.
    nonce = models.CharField(max_length=24, default=new_nonce, editable=False)
    failed_payments = models.PositiveSmallIntegerField(default=0)
    last_reminder_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fundraising_gift_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} monthly to {self.page_id}"

    @property
    def total(self) -> Decimal:
        return self.amount + self.fee_amount


class Donation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        REFUNDED = "refunded", "Refunded"
        DISPUTED = "disputed", "Disputed"
        FAILED = "failed", "Failed"

    # States whose money the page counts as raised.
    RAISED: ClassVar[frozenset[str]] = frozenset({Status.SUCCEEDED})

    class OfflineMethod(models.TextChoices):
        CHEQUE = "cheque", "Cheque"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CASH = "cash", "Cash"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey(FundraisingPage, on_delete=models.PROTECT, related_name="donations")
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(max_length=254, blank=True)  # for the receipt (erased with them)
    # The gift, and what the donor added to cover the processor's fee; the charge is their sum.
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    fee_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    currency = models.CharField(max_length=3)
    recurrence = models.CharField(
        max_length=10, choices=Recurrence.choices, default=Recurrence.ONE_OFF
    )
    recurring_gift = models.ForeignKey(
        RecurringGift, on_delete=models.SET_NULL, null=True, blank=True, related_name="donations"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider = models.CharField(max_length=10, choices=Provider.choices, default=Provider.STRIPE)
    provider_checkout_id = models.CharField(max_length=255, blank=True, db_index=True)
    provider_payment_id = models.CharField(max_length=255, blank=True, db_index=True)
    checkout_url = models.URLField(max_length=1000, blank=True)
    offline_method = models.CharField(max_length=16, choices=OfflineMethod.choices, blank=True)
    offline_reference = models.CharField(max_length=200, blank=True)
    # Given by the client (the form's hidden key, an API call's Idempotency-Key header).
    idempotency_key = models.CharField(max_length=100)
    # Attribution: a donor's or a host's referral code, and the member organization credited.
    referrer = models.CharField(max_length=32, blank=True)
    host_membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ref_code = models.CharField(max_length=16, unique=True, default=new_ref_code)
    show_on_wall = models.BooleanField(default=False)
    wall_name = models.CharField(max_length=100, blank=True)
    refunded_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    refund_requested_at = models.DateTimeField(null=True, blank=True)
    receipt_number = models.CharField(max_length=40, blank=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    origin_system = models.CharField(max_length=100, default="Cairn")
    succeeded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "idempotency_key"], name="donation_unique_idempotency_key"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(
                condition=Q(fee_amount__gte=0), name="donation_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0)
                & Q(refunded_amount__lte=models.F("amount") + models.F("fee_amount")),
                name="donation_refund_within_charge",
            ),
        ]
        indexes = [
            models.Index(fields=["page", "status"]),
            models.Index(fields=["coalition", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} to {self.page_id} ({self.status})"

    @property
    def total(self) -> Decimal:
        """What the donor was charged: the gift plus the fee they covered."""
        return self.amount + self.fee_amount

    @property
    def provider_key(self) -> str:
        """The idempotency key sent to the provider: derived from our row, never the client's."""
        return f"cairn-donation-{self.uuid}"


class ProviderEvent(models.Model):
    """A webhook event, stored once (its id is unique per provider) and applied once."""

    provider = models.CharField(max_length=10, choices=Provider.choices)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    donation = models.ForeignKey(
        Donation, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    outcome = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="provider_event_unique_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"


class ReceiptSettings(models.Model):
    """The legal fields a coalition prints on every receipt (its fiscal host's, if it has one)."""

    coalition = models.OneToOneField(
        Coalition, on_delete=models.CASCADE, related_name="receipt_settings"
    )
    legal_name = models.CharField(max_length=200)
    tax_id = models.CharField("tax or charity number", max_length=100, blank=True)
    address = models.TextField(blank=True)
    statement = models.TextField(
        blank=True,
        default="No goods or services were provided in exchange for this contribution.",
        help_text="The deductibility statement printed on receipts.",
    )
    number_prefix = models.CharField(max_length=12, default="R-")
    modified_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"Receipts of {self.coalition_id}: {self.legal_name}"
