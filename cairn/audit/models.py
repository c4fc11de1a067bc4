"""The partnership audit: the coalition's audit policy and threshold versions, each audit run and
the profile it recorded for every member organization, and the stewards' overrides and notes.

Every row carries `coalition_id`; reads go through `for_coalition()`. An audit's profiles are a
record of what the evidence said on that day: they are written once by `audit_partnerships` and
never recomputed; a steward's override is stored beside the computed class, with its log.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership, TenantQuerySet
from cairn.engines import audit as engine


class AuditClass(models.TextChoices):
    MISSION_ALIGNED = engine.MISSION_ALIGNED, "Mission-aligned"
    TRANSACTIONAL = engine.TRANSACTIONAL, "Transactional"
    DORMANT = engine.DORMANT, "Dormant"


class AuditPolicy(models.Model):
    """How a coalition runs its audit: who sees the profiles, how often it re-audits, whether new
    thresholds need a decision. One row per coalition, made with the defaults when first needed."""

    coalition = models.OneToOneField(Coalition, on_delete=models.CASCADE, related_name="+")
    share_profiles = models.BooleanField(
        default=False,
        help_text="Every member organization's people may see every member's profile (otherwise "
        "each sees only its own; stewards see all).",
    )
    reaudit_every_months = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="Run the audit again this many months after the last one (3: quarterly).",
    )
    thresholds_need_decision = models.BooleanField(
        default=False,
        help_text="New thresholds apply only once a governance decision authorizes them.",
    )
    next_audit_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name_plural = "audit policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reaudit_every_months__gte=1),
                name="audit_policy_interval_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Audit policy of {self.coalition}"


def _share(name: str, default: str) -> models.DecimalField:
    return models.DecimalField(
        name,
        max_digits=4,
        decimal_places=3,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )


class ThresholdVersion(models.Model):
    """One version of the audit's thresholds. It is in force once applied by a steward (when the
    coalition does not ask for a decision) or once a decision's outcome authorizes it (governance
    `Authorization`); the newest version in force is the one the next audit uses."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    window_days = models.PositiveIntegerField(
        "window (days)",
        default=engine.DEFAULT_THRESHOLDS.window_days,
        validators=[MinValueValidator(1), MaxValueValidator(3660)],
    )
    dormant_max_actions = models.PositiveIntegerField(
        "dormant at or below (actions)", default=engine.DEFAULT_THRESHOLDS.dormant_max_actions
    )
    aligned_min_similarity = _share("minimum mission similarity", "0.2")
    aligned_min_delivery = _share("minimum share delivered on time", "0.75")
    aligned_min_participation = _share("minimum share of decisions voted in", "0.5")
    aligned_min_reciprocity = _share("minimum reciprocity", "0.25")
    aligned_min_evidence = models.PositiveSmallIntegerField(
        "relational factors that must be measured",
        default=engine.DEFAULT_THRESHOLDS.aligned_min_evidence,
        validators=[MaxValueValidator(3)],
    )
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(
        null=True, blank=True, help_text="When a steward applied it (no decision needed then)."
    )

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "number"], name="threshold_version_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Audit thresholds v{self.number}"

    def thresholds(self) -> engine.Thresholds:
        return engine.Thresholds(
            window_days=self.window_days,
            dormant_max_actions=self.dormant_max_actions,
            aligned_min_similarity=float(self.aligned_min_similarity),
            aligned_min_delivery=float(self.aligned_min_delivery),
            aligned_min_participation=float(self.aligned_min_participation),
            aligned_min_reciprocity=float(self.aligned_min_reciprocity),
            aligned_min_evidence=self.aligned_min_evidence,
        )


class Audit(models.Model):
    """One run of the audit over every member organization, with the thresholds it used."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Run by a steward"
        SCHEDULED = "scheduled", "Scheduled re-audit"
        API = "api", "Run through the API"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    as_of = models.DateField()
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    thresholds_version = models.ForeignKey(
        ThresholdVersion,
        # RESTRICT: a version an audit used cannot be deleted alone; its coalition can (cascade)
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: Cairn's default thresholds.",
    )
    thresholds = models.JSONField(default=dict, help_text="The thresholds used, as they were.")
    similarity_backend = models.CharField(max_length=80, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["coalition", "number"], name="audit_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Audit {self.number} of {self.as_of:%Y-%m-%d}"


class AuditProfile(models.Model):
    """One member organization in one audit: the evidence counted, the class the rule gave and
    the factors that decided it, and a steward's override (logged in AuditOverride)."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="profiles")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    organization_name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Membership.Status.choices)
    # tenure and status history
    joined_on = models.DateField(null=True, blank=True)
    tenure_days = models.PositiveIntegerField(default=0)
    status_changes = models.PositiveIntegerField(default=0)
    status_history = models.JSONField(default=list, blank=True)  # [{"on", "from", "to"}]
    # commitments
    commitments_pledged = models.PositiveIntegerField(default=0)
    commitments_withdrawn = models.PositiveIntegerField(default=0)
    commitments_due = models.PositiveIntegerField(default=0)
    delivered_on_time = models.PositiveIntegerField(default=0)
    delivered_late = models.PositiveIntegerField(default=0)
    # decisions
    votes_eligible = models.PositiveIntegerField(default=0)
    votes_cast = models.PositiveIntegerField(default=0)
    # supporters (see cairn.audit.evidence for what "accessed" counts)
    supporters_shared = models.PositiveIntegerField(default=0)
    pooled_accessed = models.PositiveIntegerField(default=0)
    # referral codes and engagement
    referred_signatures = models.PositiveIntegerField(default=0)
    engagement = models.JSONField(default=dict, blank=True)  # {source key: {label, unit, count}}
    measurements = models.PositiveIntegerField(default=0)
    mission_similarity = models.FloatField(null=True, blank=True)
    actions_in_window = models.PositiveIntegerField(default=0)
    # the rule's verdict
    computed_class = models.CharField(max_length=16, choices=AuditClass.choices)
    decided_by = models.JSONField(default=list)
    checks = models.JSONField(default=list)  # [{factor, value, threshold, passed, note}]
    reason = models.CharField(max_length=500)
    # a steward's override (empty: the computed class stands)
    override_class = models.CharField(max_length=16, choices=AuditClass.choices, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["organization_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "membership"], name="audit_profile_one_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_name} in audit {self.audit_id}"

    @property
    def klass(self) -> str:
        return self.override_class or self.computed_class

    @property
    def klass_label(self) -> str:
        return AuditClass(self.klass).label

    @property
    def overridden(self) -> bool:
        return bool(self.override_class) and self.override_class != self.computed_class

    def rate(self, factor: str) -> float | None:
        for check in self.checks:
            if check["factor"] == factor:
                value = check["value"]
                return None if value is None else float(value)
        return None


class AuditOverride(models.Model):
    """The log of a steward changing a profile's class (or restoring the computed one)."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(AuditProfile, on_delete=models.CASCADE, related_name="overrides")
    from_class = models.CharField(max_length=16, choices=AuditClass.choices)
    to_class = models.CharField(max_length=16, choices=AuditClass.choices)
    reason = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.profile}: {self.from_class} → {self.to_class}"


class AuditAnnotation(models.Model):
    """A steward's note on a profile (context the evidence cannot show)."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(AuditProfile, on_delete=models.CASCADE, related_name="annotations")
    text = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"Note on {self.profile}"
