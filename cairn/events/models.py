"""Events, lobby days and distributed days of action: event campaigns, events, shifts, RSVP
questions and attendances.

Every row carries `coalition_id` and is read through `for_coalition()`. Times are stored aware in
UTC; each event names its IANA time zone (`time_zone`), in which its pages, emails and `.ics` show
it. An attendance is unique per (event, person), enforced by the database, so an RSVP made twice is
one attendance. Capacity is guarded by the event's row lock (`services.rsvp`): only `going`
attendances take a place; the others wait in `waitlisted` order (`waitlisted_at`, then pk) and are
promoted in that order when a place frees.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
import zoneinfo
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership, TenantQuerySet


def new_slug_suffix() -> str:
    return secrets.token_hex(3)


def valid_time_zone(name: str) -> bool:
    """True for an IANA time zone name that this Python knows (tzdata is installed)."""
    if not name or name != name.strip():
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


class EventCampaign(models.Model):
    """A distributed day of action: members host events under one campaign, with a toolkit."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for hosts"
        CLOSED = "closed", "Closed"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=80, unique=True, help_text="The public address.")
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_campaigns",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Sanitized HTML.")
    host_toolkit = models.TextField(
        blank=True, help_text="What a host needs: talking points, materials (sanitized HTML)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
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
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC and self.status != self.Status.DRAFT


class Event(models.Model):
    class Status(models.TextChoices):
        TENTATIVE = "tentative", "Tentative"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private (link only)"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=80, unique=True, help_text="The public address.")
    event_campaign = models.ForeignKey(
        EventCampaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    # The member organization hosting it; SET_NULL: a membership that goes leaves its events.
    host = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Sanitized HTML.")
    instructions = models.TextField(blank=True, help_text="For attendees only (sanitized HTML).")
    starts_at = models.DateTimeField(help_text="Aware, stored in UTC.")
    ends_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, help_text="IANA name, e.g. America/New_York.")
    # Where: a place, or an online link, or both (a hybrid event).
    venue = models.CharField(max_length=200, blank=True)
    address_lines = models.JSONField(default=list, blank=True)
    locality = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    online_url = models.URLField(max_length=500, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    # Hours before the start at which going attendees get a reminder; 0: none.
    reminder_hours = models.PositiveSmallIntegerField(default=24)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    origin_system = models.CharField(max_length=100, blank=True, default="Cairn")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(default=timezone.now)
    # Bumped whenever the time changes: a reminder task carries it and does nothing when stale.
    schedule_version = models.PositiveIntegerField(default=1)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["coalition", "starts_at"]),
            models.Index(fields=["event_campaign", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> dt.datetime:
        return timezone.localtime(self.starts_at, self.zone)

    @property
    def local_end(self) -> dt.datetime | None:
        return timezone.localtime(self.ends_at, self.zone) if self.ends_at else None

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    @property
    def has_place(self) -> bool:
        return bool(self.venue or self.address_lines or self.locality)

    @property
    def place_line(self) -> str:
        parts = [self.venue, *self.address_lines, self.locality, self.region, self.postal_code]
        return ", ".join(p for p in parts if p)

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class Shift(models.Model):
    """A part of an event an attendee signs up for (a time slot or a role), with its own cap."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shifts")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title


class RsvpQuestion(models.Model):
    """A custom question on an event's RSVP form."""

    class Kind(models.TextChoices):
        TEXT = "text", "Short text"
        CHOICE = "choice", "One of several choices"
        CHECKBOX = "checkbox", "Yes / no"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=50, help_text="The answer's key in the attendance.")
    label = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "key"], name="rsvp_question_unique_key")
        ]

    def __str__(self) -> str:
        return self.label


class Attendance(models.Model):
    """A person's RSVP to an event: going, waiting for a place, cancelled or checked in."""

    class Status(models.TextChoices):
        GOING = "going", "Going"
        WAITLISTED = "waitlisted", "Waiting list"
        CANCELLED = "cancelled", "Cancelled"
        ATTENDED = "attended", "Checked in"

    # Statuses that take one of the event's places.
    HOLDS_PLACE: ClassVar[frozenset[str]] = frozenset({Status.GOING, Status.ATTENDED})

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    # SET_NULL: an erased person's attendance stays in the counts, without them.
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="attendances"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.GOING)
    answers = models.JSONField(default=dict, blank=True)
    referrer = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=100, blank=True)
    # The member organization credited (the host, unless a referral says otherwise).
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept on the row for check-in search without joining the person's emails, and so that an
    # erasure can blank it.
    name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Reminder of which schedule_version was sent: a conditional UPDATE sets it, so never twice.
    reminded_version = models.PositiveIntegerField(default=0)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="attendance_unique_person"),
        ]
        indexes = [
            models.Index(fields=["event", "status", "waitlisted_at"]),
            models.Index(fields=["coalition", "created_at"]),
            models.Index(fields=["coalition", "checked_in_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.person_id} → {self.event_id} ({self.status})"

    @property
    def holds_place(self) -> bool:
        return self.status in self.HOLDS_PLACE
