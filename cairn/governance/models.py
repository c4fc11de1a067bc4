"""Decisions: proposals with a decision method, who may vote on them, their votes and outcomes, and
the per-coalition hash-chained log of every vote and state change.

Every row carries `coalition_id`; reads go through `for_coalition()`. A proposal copies its
template's configuration when it is created, so editing a template never changes a running vote.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership, StaffMember, TenantQuerySet


class Method(models.TextChoices):
    """How people respond and how results are computed."""

    PROPOSAL = "proposal", "Proposal (positions)"
    POLL = "poll", "Poll"
    SCORE = "score", "Score"
    DOT_VOTE = "dot_vote", "Dot vote"
    RANKED_CHOICE = "ranked_choice", "Ranked choice"
    TIME_POLL = "time_poll", "Time poll"
    QUESTION_ROUND = "question_round", "Question round"


class Electorate(models.TextChoices):
    ORGANIZATIONS = "organizations", "Member organizations, one vote each"
    WEIGHTED = "weighted", "Member organizations, by declared weight"
    INDIVIDUALS = "individuals", "Named individuals"


class ResultsVisibility(models.TextChoices):
    ALWAYS = "always", "Always"
    AFTER_VOTE = "after_vote", "After voting"
    AFTER_CLOSE = "after_close", "After closing"


class DecisionTemplate(models.Model):
    """A coalition-made template: a named, reusable configuration of a method."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    method = models.CharField(max_length=20, choices=Method.choices)
    base_rule = models.CharField(
        max_length=40, blank=True, help_text="For the proposal method: the shipped rule it adapts."
    )
    quorum_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    config = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "name"], name="decision_template_name_unique_per_coalition"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    template_key = models.CharField(max_length=60)
    template_name = models.CharField(max_length=120)
    method = models.CharField(max_length=20, choices=Method.choices)
    config = models.JSONField(default=dict, blank=True)
    electorate = models.CharField(
        max_length=16, choices=Electorate.choices, default=Electorate.ORGANIZATIONS
    )
    quorum_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    anonymous = models.BooleanField(default=False)
    results_visibility = models.CharField(
        max_length=16, choices=ResultsVisibility.choices, default=ResultsVisibility.ALWAYS
    )
    reason_required = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_early_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    passed = models.BooleanField(null=True, blank=True)
    result_summary = models.CharField(max_length=300, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quorum_percent__gte=0) & models.Q(quorum_percent__lte=100),
                name="proposal_quorum_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=~models.Q(anonymous=True)
                | models.Q(results_visibility=ResultsVisibility.AFTER_CLOSE),
                name="proposal_anonymous_results_after_close",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def accepts_votes(self, now: dt.datetime | None = None) -> bool:
        return self.status == self.Status.OPEN and self.closes_at > (now or timezone.now())


class Option(models.Model):
    """One choice of a poll, score, dot vote or ranked choice; a proposed time of a time poll."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="options")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    position = models.PositiveIntegerField(default=0)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "key"], name="option_key_unique"),
            models.UniqueConstraint(fields=["proposal", "label"], name="option_label_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class Eligibility(models.Model):
    """One voter of one proposal, fixed when it opens: an organization or a named person.

    `voter_key` is "m<membership id>" or "s<staff id>": two organizers of one organization share
    its key, so their votes are one vote. `voted_at` is set by the first ballot (for reminders and
    the "awaiting you" list); for anonymous proposals it is the only trace of who took part.
    """

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="eligibility")
    voter_key = models.CharField(max_length=40)
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    label = models.CharField(max_length=200)
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal(1))
    voted_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["label", "pk"]
        verbose_name_plural = "eligibilities"
        constraints = [
            models.UniqueConstraint(fields=["proposal", "voter_key"], name="eligibility_unique"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="eligibility_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.label} on {self.proposal_id}"


class NamedVoter(models.Model):
    """A person a steward named as a voter, for proposals whose electorate is named individuals."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="named_voters")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="+")

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "staff"], name="named_voter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} on {self.proposal_id}"


class Vote(models.Model):
    """The standing ballot of one voter: changing a vote updates this row, the log keeps history.

    The unique (proposal, voter_key) constraint is what makes an organization count once. An
    anonymous ballot has a random key, no membership, no author and no time: nothing joins it to
    who cast it (who took part is on Eligibility.voted_at, and a cast ballot cannot be changed).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    voter_key = models.CharField(max_length=40)
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal(1))
    ballot = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    cast_at = models.DateTimeField(null=True, blank=True)
    changes = models.PositiveIntegerField(default=0)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "voter_key"], name="vote_one_per_voter"),
        ]

    def __str__(self) -> str:
        return f"vote on {self.proposal_id}"


class Outcome(models.Model):
    """What was decided, what happens next, who does it, and when to look at it again."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="outcome")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    statement = models.TextField()
    next_steps = models.TextField(blank=True)
    responsible = models.CharField(max_length=200, blank=True)
    review_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"Outcome of {self.proposal}"


class Authorization(models.Model):
    """An outcome authorizing something elsewhere in Cairn (a campaign, a narrative version, a
    spend): any row can show the decision behind it through `selectors.decisions_behind(obj)`."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="authorizations")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "content_type", "object_id"], name="authorization_unique"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.outcome} authorizes {self.content_type.model} {self.object_id}"


class LogHead(models.Model):
    """The last entry of a coalition's log; appending locks this row, so entries never race."""

    coalition = models.OneToOneField(Coalition, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"log head {self.seq} of {self.coalition_id}"


class LogEntry(models.Model):
    """One entry of a coalition's decision log: `hash` covers seq, `prev_hash` and `body`."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "log entries"
        constraints = [
            models.UniqueConstraint(fields=["coalition", "seq"], name="log_entry_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.body.get('event', '')}"


class SigningKey(models.Model):
    """A coalition's Ed25519 key for signing log checkpoints. The private half is stored encrypted
    with a key derived from SECRET_KEY (see `keys.py`), never in plain text; a rotated key is
    retired, not deleted, so the checkpoints it signed still verify."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    key_id = models.CharField(max_length=16, unique=True)
    public_key = models.CharField(max_length=64)  # raw public key, base64
    private_key_encrypted = models.TextField()  # a Fernet token of the raw private key
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition"],
                condition=models.Q(retired_at__isnull=True),
                name="signing_key_one_active_per_coalition",
            ),
        ]

    def __str__(self) -> str:
        return f"key {self.key_id} of {self.coalition_id}"


class LogCheckpoint(models.Model):
    """A signed (seq, hash) of a coalition's log head, sent to the members and downloadable."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="checkpoints")
    signature = models.CharField(max_length=100)  # base64 Ed25519 signature
    sent_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-seq"]
        constraints = [
            models.UniqueConstraint(fields=["coalition", "seq"], name="log_checkpoint_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"checkpoint #{self.seq} of {self.coalition_id}"
