"""Narrative frameworks and their versions, content items and their review, tracked links.

A framework (per coalition, optionally per campaign) has numbered versions; each version's
`content` is the framework JSON (see `cairn.engines.narrative.framework`). A version takes effect
when a recorded governance decision adopts it (`governance.Authorization` points at it). Content
items move draft → in review → changes requested → approved → published → retired, only through
`cairn.narrative.services`; every approval records the version it was checked against.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership, StaffMember, TenantQuerySet


def new_link_code() -> str:
    # 10 url-safe characters without '-'/'_' so that "c-<code>" reads as one token anywhere.
    return secrets.token_urlsafe(8).replace("-", "x").replace("_", "y")[:10]


def span_hash(text: str) -> str:
    """The key a dismissal keeps for a flagged span: its text, case- and space-insensitive."""
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()[:32]


class Framework(models.Model):
    """A coalition's narrative (optionally one campaign's): the versions say what it is."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty for the coalition-wide narrative.",
    )
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "coalition", Lower("name"), name="narrative_framework_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FrameworkVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PROPOSED = "proposed", "Proposed for adoption"
        ADOPTED = "adopted", "Adopted"
        SUPERSEDED = "superseded", "Superseded"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(
        default=dict, help_text="The framework JSON (Cairn's export format)."
    )
    note = models.CharField(max_length=300, blank=True, help_text="What changed, in a sentence.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    proposed_at = models.DateTimeField(null=True, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="narrative_version_number_unique"
            ),
            # One adopted version per framework at a time, kept by the database.
            models.UniqueConstraint(
                fields=["framework"],
                condition=models.Q(status="adopted"),
                name="narrative_one_adopted_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework} v{self.number} ({self.get_status_display()})"


class Reviewer(models.Model):
    """A staff member (an organizer) given the reviewer capability for the coalition's content;
    stewards review without one."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    staff = models.OneToOneField(
        StaffMember, on_delete=models.CASCADE, related_name="narrative_reviewer"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"reviewer {self.staff}"


class ContentItem(models.Model):
    class Kind(models.TextChoices):
        SOCIAL_POST = "social_post", "Social post"
        EMAIL = "email", "Email"
        PRESS_RELEASE = "press_release", "Press release"
        OP_ED = "op_ed", "Op-ed"
        TALKING_POINTS = "talking_points", "Talking points"
        VIDEO_SCRIPT = "video_script", "Video script"

    class Channel(models.TextChoices):
        NONE = "", "—"
        X = "x", "X"
        BLUESKY = "bluesky", "Bluesky"
        MASTODON = "mastodon", "Mastodon"
        THREADS = "threads", "Threads"
        FACEBOOK = "facebook", "Facebook"
        INSTAGRAM = "instagram", "Instagram"
        LINKEDIN = "linkedin", "LinkedIn"
        SMS = "sms", "SMS"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="content_items"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="items")
    membership = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member organization that speaks; empty for the coalition itself.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=12, choices=Channel.choices, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    pillar = models.CharField(
        max_length=64, blank=True, help_text="The pillar id the item serves most (from the check)."
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["coalition", "campaign", "state"])]

    def __str__(self) -> str:
        return self.title


class ContentEvent(models.Model):
    """The dated history of an item's states: who moved it, from what to what."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=ContentItem.State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=ContentItem.State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_state or '—'} → {self.to_state}"


class ReviewComment(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    requests_changes = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"comment on {self.item_id}"


class Approval(models.Model):
    """A reviewer's approval of an item's text, with the version it was checked against."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="approvals")
    version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)
    body_hash = models.CharField(max_length=64, help_text="sha256 of the approved text.")
    check_summary = models.JSONField(
        default=dict, help_text="Flag counts by kind, pillars covered, dismissed flags."
    )

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-approved_at", "-pk"]

    def __str__(self) -> str:
        return f"approval of {self.item_id} against v{self.version_id}"


class FlagDismissal(models.Model):
    """A reviewer's decision that one flag (kind + span text) does not apply to an item."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="dismissals")
    kind = models.CharField(max_length=32)
    span_hash = models.CharField(max_length=32)
    span_text = models.CharField(max_length=500, blank=True)
    reason = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "kind", "span_hash"], name="narrative_dismissal_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} dismissed on {self.item_id}"


class TrackedLink(models.Model):
    """A published item's link to an action (a petition), for one member organization (or the
    coalition itself): the code rides along as the petition's channel `c-<code>`, so every
    signature it brings is counted for the item, its pillar and the member."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="links")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    code = models.CharField(max_length=16, unique=True, default=new_link_code)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["item", "membership", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "membership", "petition"],
                name="narrative_link_unique",
            )  # rows with a NULL are kept unique by the service (it locks the item first)
        ]

    def __str__(self) -> str:
        return f"c-{self.code}"

    @property
    def channel(self) -> str:
        return f"c-{self.code}"


class ReachReport(models.Model):
    """How many people a published item reached on a day, as a member reports it."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="reach")
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    on = models.DateField()
    impressions = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.impressions} reached by {self.item_id} on {self.on}"
