"""Petitions, their sponsors and signatures, the sharded public counter and integrity controls.

Every row carries `coalition_id` and is read through `for_coalition()`. A signature is unique per
petition on the signer's *canonical* email, enforced by the database. The public count lives in
`PetitionCount` shards, changed with F() in the same transaction that confirms (or invalidates) a
signature, so it never double-counts and never lags; `recount_petitions` rebuilds it from rows.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership, TenantQuerySet

# Counter shards per petition: concurrent confirmations update different rows on PostgreSQL.
COUNT_SHARDS = 8
# A confirmation link still counts this long after a petition closed.
LATE_CONFIRMATION = dt.timedelta(hours=24)


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def new_ref_code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


class Petition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_SPONSORS = "awaiting_sponsors", "Awaiting sponsors"
        IN_MODERATION = "in_moderation", "In moderation"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        REJECTED = "rejected", "Rejected"
        TAKEN_DOWN = "taken_down", "Taken down"
        WON = "won", "Won"

    class RejectionReason(models.TextChoices):
        OFF_MISSION = "off_mission", "Outside the coalition's mission"
        DUPLICATE = "duplicate", "Duplicates another petition"
        UNCLEAR = "unclear", "The ask or its target is unclear"
        SPAM = "spam", "Spam"
        UNLAWFUL = "unlawful", "Unlawful or defamatory content"
        PERSONAL_DATA = "personal_data", "Exposes someone's personal data"

    # Rejections for these reasons hide the petition entirely; the others show the reason.
    HIDING_REASONS: ClassVar[frozenset[str]] = frozenset(
        {RejectionReason.SPAM, RejectionReason.UNLAWFUL, RejectionReason.PERSONAL_DATA}
    )
    # States whose page the public may see (rejected ones only when not hidden).
    PUBLIC_STATES: ClassVar[frozenset[str]] = frozenset(
        {Status.OPEN, Status.CLOSED, Status.WON, Status.TAKEN_DOWN, Status.REJECTED}
    )
    LISTED_STATES: ClassVar[frozenset[str]] = frozenset({Status.OPEN, Status.CLOSED, Status.WON})

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="petitions")
    slug = models.SlugField(max_length=80, unique=True, help_text="The public address.")
    title = models.CharField(max_length=200, help_text="The ask, in one sentence.")
    background = models.TextField(blank=True, help_text="Why it matters (Markdown-lite or HTML).")
    details = models.TextField(blank=True)
    targets = models.JSONField(
        default=list, blank=True, help_text='Decision-makers: [{"name", "title", "body"}].'
    )
    # RESTRICT: a membership with petitions cannot be deleted alone; its coalition can (cascade).
    owner = models.ForeignKey(Membership, on_delete=models.RESTRICT, related_name="+")
    # The campaign the petition serves: one of the same coalition (the form and the services
    # check it); SET_NULL: deleting a campaign leaves its petitions standing.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
    )
    deadline = models.DateTimeField(null=True, blank=True)
    thresholds = models.JSONField(
        default=list, blank=True, help_text='[{"count": 1000, "consequence": "Delivered"}]'
    )
    sponsors_required = models.PositiveSmallIntegerField(
        default=0, help_text="Co-signing member organizations needed before moderation."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_before_takedown = models.CharField(max_length=20, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    rejection_reason = models.CharField(max_length=20, choices=RejectionReason.choices, blank=True)
    rejection_text = models.TextField(blank=True)
    takedown_reason = models.TextField(blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_text = models.TextField(blank=True)
    response_at = models.DateTimeField(null=True, blank=True)
    victory_statement = models.TextField(blank=True)
    won_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["coalition", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def hidden(self) -> bool:
        """Not shown to the public at all."""
        if self.status == self.Status.REJECTED:
            return self.rejection_reason in self.HIDING_REASONS
        return self.status not in self.PUBLIC_STATES

    def accepts_signatures(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OPEN and (self.deadline is None or now < self.deadline)

    def accepts_confirmations(self, now: dt.datetime | None = None) -> bool:
        """Open, or closed (or won) less than LATE_CONFIRMATION ago."""
        now = now or timezone.now()
        if self.status == self.Status.OPEN:
            return True
        if self.status in {self.Status.CLOSED, self.Status.WON} and self.closed_at is not None:
            return now <= self.closed_at + LATE_CONFIRMATION
        return False


class Sponsorship(models.Model):
    """A member organization co-signing a petition (the owner's sponsorship is implicit)."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="sponsorships")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "membership"], name="sponsorship_unique_member_per_petition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership} sponsors {self.petition}"


class PetitionCount(models.Model):
    """One shard of a petition's confirmed-signature count; the count is the sum of its shards."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="count_shards")
    shard = models.PositiveSmallIntegerField()
    confirmed = models.IntegerField(default=0)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "shard"], name="petition_count_one_shard")
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}#{self.shard}: {self.confirmed}"


class ThresholdCrossing(models.Model):
    """When a petition's confirmed count first reached one of its thresholds."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="crossings")
    count = models.PositiveIntegerField()
    reached_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["count"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "count"], name="threshold_crossed_once")
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} reached {self.count}"


class Signature(models.Model):
    """A signer's signature: pending until the emailed link is clicked, then counted.

    The link carries a token signed over (pk, nonce); the database holds no token.
    """

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures")
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    canonical_email = models.CharField(max_length=254)
    email_domain = models.CharField(max_length=254)
    postal_code = models.CharField(max_length=16)
    postal_area = models.CharField(max_length=24, blank=True)
    country = models.CharField(max_length=2)
    comment = models.TextField(blank=True)
    consent_updates = models.BooleanField(default=False)
    consent_share = models.BooleanField(default=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    # Attribution: who and what brought this signature.
    ref_code = models.CharField(max_length=16, unique=True, default=new_ref_code)
    referrer = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referring_membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=20, blank=True)
    nonce = models.CharField(max_length=24, default=new_nonce, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidation = models.ForeignKey(
        "Invalidation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Taken over its network's IP limits: stored and emailed, but out of the public count while
    # `held`, until cleared (automatically when enough of the network's emails confirm, or by a
    # steward). `flagged_at` stays as the record that it was flagged.
    held = models.BooleanField(default=False)
    flagged_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "canonical_email"], name="signature_unique_email_per_petition"
            )
        ]
        indexes = [
            models.Index(fields=["ip", "created_at"]),  # rate limits, trending IPs
            models.Index(fields=["petition", "email_domain", "created_at"]),  # trending domains
            models.Index(fields=["petition", "created_at"]),
            # the review of flagged signatures by network; partial, so signing pays nothing
            models.Index(
                fields=["petition", "ip"],
                condition=models.Q(held=True),
                name="signature_held_by_network",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.petition_id}"

    @property
    def counts(self) -> bool:
        return self.confirmed_at is not None and self.invalidated_at is None and not self.held


class IntegritySettings(models.Model):
    """A coalition's signing limits; coalitions without a row use the defaults in settings."""

    coalition = models.OneToOneField(Coalition, on_delete=models.CASCADE, related_name="+")
    burst_limit = models.PositiveIntegerField(help_text="Signatures per IP per minute.")
    sustained_limit = models.PositiveIntegerField(help_text="Signatures per IP per hour.")
    trending_limit = models.PositiveIntegerField(
        help_text="Alert stewards when an IP or email domain passes this many per hour."
    )
    # Above the burst and sustained limits a network's signatures are taken but flagged for
    # review; above this one they are refused.
    hard_limit = models.PositiveIntegerField(
        default=500, help_text="Signatures per IP per hour above which signing is refused."
    )

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"Limits of {self.coalition_id}"


class ListEntry(models.Model):
    """An allow- or block-list entry for signing: an IP, an email domain or an email."""

    class Kind(models.TextChoices):
        IP = "ip", "IP address"
        DOMAIN = "domain", "Email domain"
        EMAIL = "email", "Email address"

    class Verdict(models.TextChoices):
        ALLOW = "allow", "Allow"
        BLOCK = "block", "Block"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=254, help_text="Canonical email, lower-case domain or IP.")
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "kind", "value"], name="list_entry_unique_value"
            )
        ]

    def __str__(self) -> str:
        return f"{self.verdict} {self.kind} {self.value}"


class IntegrityAlert(models.Model):
    """An IP or email domain that passed the trending limit in an hour, for stewards to review."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=8, choices=ListEntry.Kind.choices)
    value = models.CharField(max_length=254)
    hour = models.DateTimeField(help_text="The start of the hour the limit was passed in.")
    count = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "kind", "value", "hour"], name="integrity_alert_once_per_hour"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.value}: {self.count} in the hour of {self.hour:%H:%M}"


class Invalidation(models.Model):
    """A steward's invalidation of signatures by criteria; undoing it counts them again."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="invalidations")
    criteria = models.JSONField(default=dict)
    reason = models.CharField(max_length=300)
    affected = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invalidation of {self.affected} on {self.petition_id}"


class Clearance(models.Model):
    """Flagged signatures of one network made to count: by a steward, or automatically once
    enough of that network's emails confirmed (`created_by` is then empty). The review's log."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="clearances")
    ip = models.CharField(max_length=45)
    automatic = models.BooleanField(default=False)
    affected = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.affected} cleared from {self.ip} on {self.petition_id}"


class PetitionUpdate(models.Model):
    """An email to a petition's signers who agreed to updates: composed, previewed, then sent."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="updates")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class PetitionRevision(models.Model):
    """A change to a petition after its draft: which fields, from what to what, when, by whom (a
    user, or the API token named in `via`). Written by update_petition; the history signers can
    check against what they signed."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="revisions")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    via = models.CharField(max_length=200, blank=True, help_text="e.g. the API token used.")
    status = models.CharField(max_length=20, help_text="The petition's state when it changed.")
    changes = models.JSONField(help_text='{field: {"from": old, "to": new}}')

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        fields = ", ".join(sorted(self.changes))
        return f"{fields} of petition {self.petition_id} on {self.changed_at:%Y-%m-%d}"
