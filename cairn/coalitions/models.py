"""The tenant (Coalition), its member organizations, the staff who act for them, and what members
pledge. Every row here but Coalition carries `coalition_id`; reads go through `for_coalition()`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar, Self

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class TenantQuerySet(models.QuerySet):
    """Rows owned by one coalition. Request code never reads a tenant table without this."""

    def for_coalition(self, coalition: Coalition | int) -> Self:
        coalition_id = coalition if isinstance(coalition, int) else coalition.pk
        return self.filter(coalition_id=coalition_id)


class Sector(models.TextChoices):
    HEALTH_CARE = "health_care", "Health care"
    INSURANCE = "insurance", "Insurance"
    GOVERNMENT = "government", "Government"
    NONPROFIT = "nonprofit", "Non-profit"
    FAITH = "faith", "Faith"
    LABOR = "labor", "Labor"
    BUSINESS = "business", "Business"
    ACADEMIA = "academia", "Academia & research"
    MEDIA = "media", "Media"
    PHILANTHROPY = "philanthropy", "Philanthropy"
    COMMUNITY = "community", "Community group"
    ADVOCACY = "advocacy", "Patient & consumer advocacy"
    PUBLIC_SAFETY = "public_safety", "Public safety & emergency services"
    OTHER = "other", "Other"


class OrganizationSize(models.TextChoices):
    MICRO = "1-10", "1–10 people"
    SMALL = "11-50", "11–50 people"
    MEDIUM = "51-250", "51–250 people"
    LARGE = "251-1000", "251–1,000 people"
    XLARGE = "1001-5000", "1,001–5,000 people"
    HUGE = "5000+", "More than 5,000 people"


class Coalition(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    mission = models.TextField(help_text="What the coalition exists to change, in a paragraph.")
    horizon_title = models.CharField(
        max_length=200, help_text='The time-bound goal, e.g. "State budget vote, June 2027".'
    )
    horizon_start = models.DateField()
    horizon_end = models.DateField()
    charter = models.TextField(blank=True, help_text="How the coalition makes decisions.")
    publish_public_page = models.BooleanField(
        default=False,
        help_text="Show a public page (mission, listed members, open petitions) and list the "
        "coalition on the front page.",
    )
    default_region = models.CharField(
        "phone region",
        max_length=2,
        blank=True,
        help_text="ISO 3166 country code (e.g. NO, US) for phone numbers written without a "
        "country code.",
    )
    organizer_measurements_need_approval = models.BooleanField(
        "organizers' measurements need a steward's approval",
        default=False,
        help_text="A measurement recorded by a member organization's organizer counts toward "
        "progress only once a steward approves it (set this when the charter says so).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(horizon_end__gte=models.F("horizon_start")),
                name="coalition_horizon_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def days_left(self, today: dt.date | None = None) -> int:
        """Days until the horizon ends; 0 once it has passed."""
        today = today or timezone.localdate()
        return max((self.horizon_end - today).days, 0)

    def horizon_elapsed_share(self, today: dt.date | None = None) -> float:
        today = today or timezone.localdate()
        span = (self.horizon_end - self.horizon_start).days or 1
        return min(max((today - self.horizon_start).days / span, 0.0), 1.0)


class Organization(models.Model):
    """An organization as this coalition knows it: a member, a former member or a prospect."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="organizations")
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    mission = models.TextField(blank=True)
    website = models.URLField(blank=True)
    size = models.CharField(max_length=16, choices=OrganizationSize.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "coalition", Lower("name"), name="organization_name_unique_per_coalition"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """An organization's place in the coalition: its status over time and its vote weight."""

    class Status(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        LEFT = "left", "Left"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="memberships")
    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="membership"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROSPECT)
    status_changed_at = models.DateTimeField(default=timezone.now)
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    vote_weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
        help_text="1 for one member, one vote; a declared weight otherwise.",
    )
    listed_publicly = models.BooleanField(
        default=False,
        help_text="The organization chose to be named on the coalition's public page.",
    )

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "organization"], name="membership_unique_organization"
            ),
            models.CheckConstraint(
                condition=models.Q(vote_weight__gte=0), name="membership_vote_weight_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_status_display()})"


class MembershipStatusChange(models.Model):
    """The dated history of a membership's status: evidence for the partnership audit."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, choices=Membership.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Membership.Status.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.membership}: {self.from_status or '—'} → {self.to_status}"


class Role(models.TextChoices):
    STEWARD = "steward", "Steward"
    ORGANIZER = "organizer", "Organizer"
    VIEWER = "viewer", "Viewer"


class StaffMember(models.Model):
    """A user's role in one coalition. An organizer acts for exactly one member organization."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff",
        help_text="The member organization this person acts for.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["coalition", "user"], name="staff_one_role_per_user"),
            models.CheckConstraint(
                condition=~models.Q(role="organizer") | models.Q(membership__isnull=False),
                name="staff_organizer_has_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.coalition}"


class Invitation(models.Model):
    """A single-use, expiring invitation to take a role in a coalition.

    The emailed token is signed with the secret key over (pk, nonce); the database holds no token,
    so a database leak gives no working links. Re-inviting the same email revokes the older one.
    """

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    nonce = models.CharField(max_length=32, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="organizer") | models.Q(membership__isnull=False),
                name="invitation_organizer_has_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.coalition}"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class Commitment(models.Model):
    """A member's pledge of a resource to the coalition, to be delivered by a date."""

    class Kind(models.TextChoices):
        FUNDING = "funding", "Funding"
        EXPERTISE = "expertise", "Expertise"
        DATA = "data", "Data"
        STAFF_TIME = "staff_time", "Staff time"
        IN_KIND = "in_kind", "In-kind support"
        NETWORK = "network", "Network access"

    DEFAULT_UNITS: ClassVar[dict[str, str]] = {
        Kind.FUNDING: "USD",
        Kind.EXPERTISE: "hours",
        Kind.DATA: "datasets",
        Kind.STAFF_TIME: "hours",
        Kind.IN_KIND: "items",
        Kind.NETWORK: "contacts",
    }

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="commitments")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit = models.CharField(max_length=40)
    due_date = models.DateField()
    pledged_at = models.DateTimeField(default=timezone.now)
    pledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="commitment_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership.organization}: {self.quantity} {self.unit} of {self.kind}"


class Delivery(models.Model):
    """A steward's record that (part of) a commitment was delivered."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="deliveries")
    quantity = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    delivered_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    # Why a delivery took the total past the pledge (asked for, so a typo is caught first).
    excess_reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["delivered_on", "pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="delivery_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.commitment.unit} on {self.delivered_on}"


__all__ = [
    "Coalition",
    "Commitment",
    "Delivery",
    "Invitation",
    "Membership",
    "MembershipStatusChange",
    "Organization",
    "OrganizationSize",
    "Role",
    "Sector",
    "StaffMember",
    "TenantQuerySet",
]
