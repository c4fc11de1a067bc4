"""Letter and call campaigns to decision-makers: who is targeted, where supporters live, what
they sent, how it was delivered and what the offices answered.

Every row carries `coalition_id` and is read through `for_coalition()`.

Dedup rule (kept by the database): a supporter writes (or calls) a campaign **once per channel**
(`Outreach`: unique per campaign, person and action), and each target of a campaign receives
**at most one delivery per supporter and action** (`Delivery`: unique per campaign, person,
target and action). The window is the campaign's whole life: a retry, a double click or a
second visit returns the first outreach, and a letter is emailed to an office at most once.
An erased supporter's rows keep counting (person set to NULL, personal data removed).
"""

from __future__ import annotations

import secrets
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cairn.campaigns.models import DecisionMaker, Position
from cairn.coalitions.models import Coalition, Membership, TenantQuerySet


def new_slug_suffix() -> str:
    return secrets.token_hex(3)


class AdvocacyCampaign(models.Model):
    """A letter and/or call campaign aimed at some of the coalition's decision-makers."""

    class Kind(models.TextChoices):
        LETTER = "letter", "Letters"
        CALL = "call", "Calls"
        BOTH = "both", "Letters and calls"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=80, unique=True, help_text="The public address.")
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The campaign whose decision-makers this moves (its dashboard shows replies).",
    )
    owner = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Sanitized HTML.")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.LETTER)
    letter_subject = models.CharField(max_length=200, blank=True)
    letter_body = models.TextField(
        blank=True,
        help_text="The letter supporters start from; {target}, {title} and {name} are filled in.",
    )
    call_script = models.TextField(blank=True)
    # The narrative version the letter was drafted from, when it was.
    framework_version = models.ForeignKey(
        "narrative.FrameworkVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    district_table = models.ForeignKey(
        "DistrictTable",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Resolves a supporter's postal code or location to their district.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    # Public form: outreaches per IP address and hour, counted from our own rows (0: no limit).
    hourly_limit_per_ip = models.PositiveIntegerField(default=30)
    origin_system = models.CharField(max_length=100, blank=True, default="Cairn")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["coalition", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def takes_letters(self) -> bool:
        return self.kind in {self.Kind.LETTER, self.Kind.BOTH}

    @property
    def takes_calls(self) -> bool:
        return self.kind in {self.Kind.CALL, self.Kind.BOTH}


class AdvocacyTarget(models.Model):
    """A decision-maker a campaign writes to or calls, with their office's contact details.

    `district` empty: every supporter reaches them (a chamber's leader); otherwise only
    supporters of that district (the district's key in the campaign's district table).
    """

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    advocacy_campaign = models.ForeignKey(
        AdvocacyCampaign, on_delete=models.CASCADE, related_name="targets"
    )
    decision_maker = models.ForeignKey(DecisionMaker, on_delete=models.CASCADE, related_name="+")
    district = models.CharField(max_length=64, blank=True)
    office_email = models.EmailField(max_length=254, blank=True)
    office_phone = models.CharField(max_length=32, blank=True)
    office_address = models.TextField(blank=True, help_text="For printed letters.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["district", "decision_maker__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["advocacy_campaign", "decision_maker"],
                name="advocacy_target_once_per_campaign",
            )
        ]
        indexes = [models.Index(fields=["advocacy_campaign", "district"])]

    def __str__(self) -> str:
        return str(self.decision_maker.name)


class DistrictTable(models.Model):
    """An imported table of districts: postal codes, polygons, or both."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    sources = models.JSONField(default=list, help_text="The imported files' names.")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """One district of a table: its key, its name and, when imported from GeoJSON, its shape
    (a list of polygons, each a list of rings of [lon, lat]) with a bounding box for a quick
    first test."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(DistrictTable, on_delete=models.CASCADE, related_name="districts")
    key = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True)
    polygons = models.JSONField(default=list, blank=True)
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["table", "key"], name="advocacy_district_key_unique")
        ]

    def __str__(self) -> str:
        return self.name or self.key


class PostalCode(models.Model):
    """A postal code of a district (normalized: upper case, no spaces). A code split between
    districts has a row for each, and the supporter picks theirs."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(DistrictTable, on_delete=models.CASCADE, related_name="postal_codes")
    code = models.CharField(max_length=16)
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="postal_codes")

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["table", "code", "district"], name="advocacy_postal_code_once"
            )
        ]
        indexes = [models.Index(fields=["table", "code"])]

    def __str__(self) -> str:
        return f"{self.code} → {self.district_id}"


class Action(models.TextChoices):
    """What a supporter did: wrote a letter or made a call."""

    LETTER = "letter", "Letter"
    CALL = "call", "Call"


class Outreach(models.Model):
    """A supporter's letter (or call) to the targets of their district, once per campaign."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    advocacy_campaign = models.ForeignKey(
        AdvocacyCampaign, on_delete=models.CASCADE, related_name="outreaches"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.LETTER)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    district = models.CharField(max_length=64, blank=True)
    postal_code = models.CharField(max_length=16, blank=True)
    referrer = models.CharField(max_length=64, blank=True, help_text="Referral code, as given.")
    referring_membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=100, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    # A duplicate's outreach, detached from its person by a merge: the outreach it repeats
    # (an erasure of the kept person finds it through this link).
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["advocacy_campaign", "person", "action"],
                condition=Q(person__isnull=False),
                name="advocacy_outreach_once_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["coalition", "created_at"]),
            models.Index(fields=["advocacy_campaign", "ip", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} to {self.advocacy_campaign_id} ({self.pk})"


class PrintBatch(models.Model):
    """Letters printed together for hand delivery; a letter is in one batch at most."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    advocacy_campaign = models.ForeignKey(
        AdvocacyCampaign, on_delete=models.CASCADE, related_name="print_batches"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Batch {self.pk}"


class Delivery(models.Model):
    """One outreach to one target, through one channel (email, printed letter, call)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email to the office"
        PRINT = "print", "Printed for hand delivery"
        CALL = "call", "Phone call"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"  # claimed by one worker; stays here if it died mid-send
        SENT = "sent", "Sent"
        BOUNCED = "bounced", "Bounced"
        FAILED = "failed", "Failed"
        TO_PRINT = "to_print", "To print"
        PRINTED = "printed", "Printed"
        DELIVERED = "delivered", "Delivered by hand"
        TO_CALL = "to_call", "Call to make"
        CALLED = "called", "Called"

    class CallResult(models.TextChoices):
        ANSWERED = "answered", "Someone answered"
        VOICEMAIL = "voicemail", "Left a voicemail"
        NO_ANSWER = "no_answer", "No answer"
        BUSY = "busy", "Line busy"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    advocacy_campaign = models.ForeignKey(
        AdvocacyCampaign, on_delete=models.CASCADE, related_name="deliveries"
    )
    outreach = models.ForeignKey(Outreach, on_delete=models.CASCADE, related_name="deliveries")
    target = models.ForeignKey(AdvocacyTarget, on_delete=models.CASCADE, related_name="deliveries")
    # Repeats the outreach's person and action so that the database keeps the dedup rule.
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.LETTER)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    message_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    batch = models.ForeignKey(
        PrintBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    call_result = models.CharField(max_length=10, choices=CallResult.choices, blank=True)
    position_heard = models.CharField(max_length=16, choices=Position.choices, blank=True)
    call_notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["advocacy_campaign", "person", "target", "action"],
                condition=Q(person__isnull=False),
                name="advocacy_delivery_once_per_person_target",
            )
        ]
        indexes = [
            models.Index(fields=["advocacy_campaign", "target", "status"]),
            models.Index(fields=["coalition", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.target_id}: {self.status}"


class OfficeReply(models.Model):
    """What an office answered, logged by staff; may carry the position it shows."""

    class Medium(models.TextChoices):
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        PHONE = "phone", "Phone"
        MEETING = "meeting", "Meeting"
        PUBLIC = "public", "Public statement"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    advocacy_campaign = models.ForeignKey(
        AdvocacyCampaign, on_delete=models.CASCADE, related_name="replies"
    )
    target = models.ForeignKey(AdvocacyTarget, on_delete=models.CASCADE, related_name="replies")
    received_on = models.DateField()
    medium = models.CharField(max_length=8, choices=Medium.choices)
    summary = models.TextField()
    position = models.CharField(max_length=16, choices=Position.choices, blank=True)
    position_change = models.ForeignKey(
        "campaigns.PositionChange",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"Reply from {self.target_id} on {self.received_on}"
