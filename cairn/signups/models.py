"""Sign-up and survey forms, their tracked links and their submissions.

A form's questions live in `fields` (a list of `{"key", "label", "type", "required", "choices"}`,
checked by `cairn.signups.questions`). A submission is one per form and person (the person is
found or created by `cairn.people.services.upsert_person`) and one per form and idempotency key:
both are unique constraints, so a double-submitted form or a retried API call makes one row.
Every row carries `coalition` and is read through `for_coalition()`.
"""

from __future__ import annotations

import secrets
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership, TenantQuerySet


def new_code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


class Form(models.Model):
    class Kind(models.TextChoices):
        SIGNUP = "signup", "Sign-up form"
        SURVEY = "survey", "Survey"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SIGNUP)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Sanitized HTML (nh3) or plain text.")
    fields = models.JSONField(default=list, blank=True)
    consent_text = models.TextField(blank=True)
    consent_required = models.BooleanField(default=False)
    thank_you = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    origin_system = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["coalition", "modified_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class FormLink(models.Model):
    """A tracked link to a form: `?ref=<code>` credits `membership` (None: the coalition)."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="links")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    label = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=16, unique=True, default=new_code)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["form", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "membership", "label"], name="signups_link_unique"
            )  # a NULL membership is kept unique by the service (it locks the form first)
        ]

    def __str__(self) -> str:
        return self.code


class Submission(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="submissions")
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answers = models.JSONField(default=dict, blank=True)
    consent_given = models.BooleanField(default=False)
    consent_text = models.TextField(blank=True, help_text="The consent text as it was shown.")
    consented_at = models.DateTimeField(null=True, blank=True)
    # Attribution: the code the submitter came with, and what it credited.
    referrer = models.CharField(max_length=64, blank=True)
    link = models.ForeignKey(
        FormLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referred_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referring_membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ref_code = models.CharField(max_length=16, unique=True, default=new_code)
    source = models.CharField(max_length=40, blank=True)  # "web", "api", a channel name
    ip = models.CharField(max_length=45, blank=True)  # for the public form's rate limit
    idempotency_key = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "person"],
                condition=models.Q(person__isnull=False),
                name="signups_one_submission_per_person",
            ),
            models.UniqueConstraint(
                fields=["form", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="signups_one_submission_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["coalition", "ip", "created_at"]),  # the public rate limit
            models.Index(fields=["form", "created_at"]),
            models.Index(fields=["coalition", "created_at"]),  # engagement per day
        ]

    def __str__(self) -> str:
        return f"submission {self.uuid} to {self.form_id}"
