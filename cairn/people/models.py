"""Supporters: one pooled base per coalition, fed by every action module and by imports.

Every row carries `coalition_id`. A person's public id (API, exports) is a UUID, never the row id.
Email addresses are unique per coalition on their *canonical* form, enforced by the database.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership, TenantQuerySet


class Person(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="people")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    languages = models.JSONField(default=list, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    # Where the person came from: which member organization, action and referral brought them in.
    source_membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_action = models.CharField(max_length=200, blank=True)
    source_referral = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(editable=False)
    modified_at = models.DateTimeField()

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["pk"]
        # The list page's sort keys (cairn.people.selectors.SORTS), each ending with the pk so
        # that an index serves the whole ORDER BY. Prefix searches on addresses: migration 0003.
        indexes = [
            models.Index(fields=["coalition", "modified_at", "id"], name="person_modified_sort"),
            models.Index(fields=["coalition", "created_at", "id"], name="person_created_sort"),
            models.Index(
                F("coalition"),
                Lower("family_name"),
                Lower("given_name"),
                F("id"),
                name="person_name_sort",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"Person {self.uuid}"

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


class EmailAddress(models.Model):
    class Status(models.TextChoices):
        SUBSCRIBED = "subscribed", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCING = "bouncing", "Bouncing"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(max_length=254)
    canonical = models.CharField(max_length=254)
    primary = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBSCRIBED)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-primary", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "canonical"], name="email_canonical_unique_per_coalition"
            ),
        ]

    def __str__(self) -> str:
        return self.address


class SubscriptionChange(models.Model):
    """The history of an email address's subscription status (consent is evidence)."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    email = models.ForeignKey(EmailAddress, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, choices=EmailAddress.Status.choices)
    source = models.CharField(max_length=200, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email}: {self.from_status or '—'} → {self.to_status}"


class PhoneNumber(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(
        max_length=32,
        help_text="E.164 (+ and digits): the key that decides whether two numbers are one.",
    )
    as_typed = models.CharField(
        max_length=64, blank=True, help_text="The number as the person wrote it, for display."
    )
    number_type = models.CharField(max_length=16, blank=True)
    primary = models.BooleanField(default=False)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-primary", "pk"]
        indexes = [models.Index(fields=["coalition", "number"])]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        return self.as_typed or self.number


class NameReview(models.Model):
    """A record that matched a known person by email but gave another name.

    Matching never overwrites a name: the stored one stays, and the other waits here until a
    steward keeps it or uses the new one (the duplicates page lists them).
    """

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_reviews")
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    source = models.CharField(
        max_length=200, blank=True, help_text="Where the other name came from."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "given_name", "family_name"], name="name_review_unique_per_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: also called {self.name}"

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


class PostalAddress(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    primary = models.BooleanField(default=False)
    address_lines = models.JSONField(default=list, blank=True)
    locality = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=32, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-primary", "pk"]
        indexes = [models.Index(fields=["coalition", "postal_code"])]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.locality, self.region, self.postal_code) if p)


class Tag(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="tags")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(editable=False)
    modified_at = models.DateTimeField()

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "coalition", Lower("name"), name="tag_name_unique_per_coalition"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Tagging(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="taggings")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="taggings")
    created_at = models.DateTimeField(editable=False)
    modified_at = models.DateTimeField()

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["tag", "person"], name="tagging_unique_person_per_tag")
        ]

    def __str__(self) -> str:
        return f"{self.tag} on {self.person}"


class PeopleList(models.Model):
    """A static list of people, or a saved filter that behaves as a list."""

    class Kind(models.TextChoices):
        STATIC = "static", "Static list"
        SAVED_FILTER = "filter", "Saved filter"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="lists")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.STATIC)
    query = models.JSONField(
        default=dict, blank=True, help_text="For saved filters: the criteria (see selectors)."
    )
    created_at = models.DateTimeField(editable=False)
    modified_at = models.DateTimeField()

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "coalition", Lower("name"), name="list_name_unique_per_coalition"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ListItem(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    people_list = models.ForeignKey(PeopleList, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="list_items")
    created_at = models.DateTimeField(editable=False)
    modified_at = models.DateTimeField()

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["people_list", "person"], name="list_item_unique_person_per_list"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.people_list}"


class SharingConsent(models.Model):
    """A person's consent to share their record with one member organization.

    The coalition pools supporters; a member organization sees or exports only those who agreed.
    """

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sharing")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=200, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "membership"], name="sharing_consent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} shares with {self.membership.organization}"


class Activity(models.Model):
    """One line of a person's timeline: a signature, a donation, an attendance, an import..."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    occurred_at = models.DateTimeField(default=timezone.now)
    ref = models.CharField(max_length=100, blank=True, help_text="app.model:pk of the source row")

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["person", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary}"


class ErasureRecord(models.Model):
    """The log of an erasure: what was removed, never whose data it was."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    person_uuid = models.UUIDField()
    erased_at = models.DateTimeField(default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    removed = models.JSONField(default=dict, help_text="Row counts removed, by kind.")

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"Erasure of {self.person_uuid} on {self.erased_at:%Y-%m-%d}"


class ImportJob(models.Model):
    """One CSV import: the uploaded file, its column mapping, its validation report and progress.

    The file holds personal data: it is deleted once the import is done, failed or cancelled.
    A file with bad rows imports nothing until someone sets `skip_bad_rows`.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        MAPPED = "mapped", "Mapped"
        VALIDATING = "validating", "Validating"
        NEEDS_REVIEW = "needs_review", "Has errors"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # How many row errors are stored on the job; `error_count` counts them all.
    MAX_STORED_ERRORS: ClassVar[int] = 1000

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_membership = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member organization the file comes from.",
    )
    file = models.FileField(upload_to="imports/", blank=True, max_length=300)
    original_filename = models.CharField(max_length=255)
    encoding = models.CharField(max_length=32, blank=True)
    encoding_declared = models.BooleanField(
        default=False, help_text="The user named the encoding (otherwise it was detected)."
    )
    delimiter = models.CharField(max_length=1, default=",")
    header = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text="CSV column → person field.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    skip_bad_rows = models.BooleanField(default=False)
    rows_total = models.PositiveIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="The first row errors: {line, column, reason}."
    )
    error_count = models.PositiveIntegerField(default=0)
    rows_with_errors = models.PositiveIntegerField(
        default=0, help_text="How many rows have at least one of the errors."
    )
    message = models.CharField(max_length=500, blank=True, help_text="Why the import failed.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Last sign of life of the worker running it (a stale one means it was killed).",
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a stuck run was started again."
    )

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import of {self.original_filename} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED}

    @property
    def percent(self) -> int:
        """Progress for a bar: validation reads the file (the first fifth), importing writes it."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total or self.status not in {
            self.Status.VALIDATING,
            self.Status.IMPORTING,
        }:
            return 0
        share = min(self.rows_processed, self.rows_total) / self.rows_total
        return int(20 * share) if self.status == self.Status.VALIDATING else 20 + int(80 * share)
