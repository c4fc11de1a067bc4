"""Campaigns: a horizon, a theory of change, ordered phases with milestones, the decision-makers to
move (with the history of their positions) and objectives measured by outcome metrics.

Every row carries `coalition_id`; reads go through `for_coalition()`. The decision that authorized
a campaign is not a field here: governance links an outcome to any row (`Authorization`, read with
`cairn.governance.selectors.decisions_behind(campaign)`).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership, TenantQuerySet

DEFAULT_PHASES = ("Align", "Amplify", "Pool", "Coordinate", "Mobilize", "Deliver")


class Campaign(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    theory_of_change = models.TextField(
        help_text="If we do this, then that changes, because … — in a few sentences."
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-ends_on", "name"]
        constraints = [
            models.UniqueConstraint(
                "coalition", Lower("name"), name="campaign_name_unique_per_coalition"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="campaign_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def days_left(self, today: dt.date | None = None) -> int:
        """Days until the campaign ends; 0 once it has."""
        today = today or timezone.localdate()
        return max((self.ends_on - today).days, 0)

    def elapsed_share(self, today: dt.date | None = None) -> float:
        today = today or timezone.localdate()
        span = (self.ends_on - self.starts_on).days or 1
        return min(max((today - self.starts_on).days / span, 0.0), 1.0)


class Phase(models.Model):
    """One step of the campaign's sequence; `position` orders them (gaps allowed)."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(max_length=80)
    position = models.PositiveIntegerField()

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member organization that delivers it.",
    )
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.done_on is None and self.due_on < (today or timezone.localdate())


class DecisionMaker(models.Model):
    """A person whose decision campaigns must move (the power map will own these later)."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    body = models.CharField(max_length=200, blank=True, help_text='e.g. "State Senate".')

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "coalition", Lower("name"), name="decision_maker_name_unique_per_coalition"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Position(models.TextChoices):
    """From furthest to closest: the order is the scale of the position chart."""

    OPPOSED = "opposed", "Opposed"
    UNDECIDED = "undecided", "Undecided"
    SUPPORTIVE = "supportive", "Supportive"
    COMMITTED = "committed", "Committed"
    ACTED = "acted", "Acted"


POSITION_RANK: dict[str, int] = {value: rank for rank, value in enumerate(Position.values)}


class DecisionTarget(models.Model):
    """A decision-maker a campaign must move. `position`/`position_on` repeat the latest change,
    so lists and dashboards read one row per target."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    decision_maker = models.ForeignKey(DecisionMaker, on_delete=models.CASCADE, related_name="+")
    ask = models.CharField(max_length=300, blank=True, help_text="What we need them to do.")
    position = models.CharField(max_length=16, choices=Position.choices)
    position_on = models.DateField()

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["decision_maker__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "decision_maker"], name="decision_target_unique_per_campaign"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_maker} ({self.get_position_display()})"

    @property
    def latest_change(self) -> PositionChange | None:
        """The last change by date (uses the prefetched history when there is one)."""
        changes = list(self.history.all())
        return max(changes, key=lambda c: (c.on, c.pk)) if changes else None


class PositionChange(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(DecisionTarget, on_delete=models.CASCADE, related_name="history")
    position = models.CharField(max_length=16, choices=Position.choices)
    on = models.DateField()
    evidence = models.TextField(help_text="What they said or did, and where it is recorded.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.position} on {self.on}"


class Direction(models.TextChoices):
    UP = "up", "Up is good"
    DOWN = "down", "Down is good"


class Objective(models.Model):
    """What changes, measured by one metric from a baseline to a target by a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MET = "met", "Met"
        MISSED = "missed", "Missed"
        RENEWED = "renewed", "Renewed"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="objectives")
    statement = models.CharField(max_length=300, help_text="What changes in the world.")
    metric = models.CharField(max_length=200)
    unit = models.CharField(max_length=80)
    direction = models.CharField(max_length=4, choices=Direction.choices)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=4)
    baseline_on = models.DateField()
    baseline_source = models.CharField(max_length=500)
    target_value = models.DecimalField(max_digits=14, decimal_places=4)
    deadline = models.DateField()
    renewal_requires_decision = models.BooleanField(
        default=False, help_text="A renewal must cite a recorded decision of the coalition."
    )
    reported_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member organization that reports its figures: its organizers may record "
        "measurements.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    renewed_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="renewal"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(direction="up") & Q(target_value__gt=F("baseline_value")))
                | (Q(direction="down") & Q(target_value__lt=F("baseline_value"))),
                name="objective_target_on_the_good_side",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=F("baseline_on")),
                name="objective_deadline_after_baseline",
            ),
        ]

    def __str__(self) -> str:
        return self.statement

    def is_expired(self, today: dt.date | None = None) -> bool:
        """Past its deadline and not yet marked met, missed or renewed by a steward."""
        return self.status == self.Status.OPEN and self.deadline < (today or timezone.localdate())


class Measurement(models.Model):
    class Origin(models.TextChoices):
        FORM = "form", "Entered"
        IMPORT = "import", "Imported"
        FEED = "feed", "Pulled from a feed"

    class Review(models.TextChoices):
        APPROVED = "approved", "Approved"
        # An organizer's figure where the coalition wants a steward's approval: not counted yet.
        PENDING = "pending", "Awaiting a steward's approval"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="measurements")
    on = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    source = models.CharField(max_length=500)
    note = models.CharField(max_length=500, blank=True)
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.FORM)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    review = models.CharField(max_length=8, choices=Review.choices, default=Review.APPROVED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "on"], name="measurement_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.value} on {self.on}"


class EngagementDay(models.Model):
    """Daily counters of an engagement source, by the member organization that brought them.

    Derived data: `services.refresh_engagement` recounts a coalition's rows from the sources and
    replaces these in one transaction, so the dashboard reads a few thousand counters instead of
    millions of supporters, signatures or donations. `membership` is NULL for "no member".
    """

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=40)
    day = models.DateField()
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    count = models.FloatField()

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        indexes = [
            models.Index(fields=["coalition", "source", "day"], name="engagement_day_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.source} on {self.day}: {self.count}"


class CampaignEngagement(models.Model):
    """A campaign's engagement as its dashboard shows it, derived from `EngagementDay` at each
    recount (a few hundred rows per campaign, whatever the number of actions): a row with a
    `week` is the count of that week of the campaign (weeks start on the campaign's first day);
    a row without one is the count of a member organization (NULL: no member) so far."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=40)
    week = models.DateField(null=True, blank=True)
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    count = models.FloatField()

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        indexes = [models.Index(fields=["campaign", "source"], name="campaign_engagement_lookup")]

    def __str__(self) -> str:
        return f"{self.source} of {self.campaign_id}: {self.count}"


class EngagementCount(models.Model):
    """When a coalition's daily counters were last recounted, and when a recount was last asked
    for (a conditional UPDATE on `requested_at` lets one request in a burst enqueue it)."""

    coalition = models.OneToOneField(Coalition, on_delete=models.CASCADE, related_name="+")
    counted_at = models.DateTimeField(null=True, blank=True)
    fully_counted_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    sources = models.JSONField(default=list, help_text="The keys of the sources counted.")
    campaigns = models.JSONField(
        default=dict, help_text='The campaigns counted: {"id": "first day/last day"}.'
    )

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"Engagement of {self.coalition_id} counted at {self.counted_at}"

    def covers(self, campaign: Campaign) -> bool:
        """Counted, and for this campaign with its present dates."""
        return self.counted_at is not None and self.campaigns.get(str(campaign.pk)) == (
            engagement_span(campaign)
        )


def engagement_span(campaign: Campaign) -> str:
    return f"{campaign.starts_on.isoformat()}/{campaign.ends_on.isoformat()}"


class MeasurementFeed(models.Model):
    """An objective's measurements pulled from a JSON or CSV address on a schedule.

    The address is set by a steward; `cairn.campaigns.feeds` fetches it (http/https only, with a
    timeout and a size limit) and records its rows with the rules of the CSV import. The outcome
    of the last pull (and its errors, line by line) is kept here and shown on the objective page.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSON = "json", "JSON"

    class Outcome(models.TextChoices):
        NEVER = "never", "Not pulled yet"
        OK = "ok", "Pulled"
        FAILED = "failed", "Failed"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    objective = models.OneToOneField(Objective, on_delete=models.CASCADE, related_name="feed")
    url = models.URLField(max_length=1000, help_text="An http:// or https:// address.")
    format = models.CharField(max_length=4, choices=Format.choices, default=Format.CSV)
    date_field = models.CharField(max_length=100, default="date")
    value_field = models.CharField(max_length=100, default="value")
    source_field = models.CharField(max_length=100, blank=True)
    note_field = models.CharField(max_length=100, blank=True)
    records_path = models.CharField(
        max_length=200,
        blank=True,
        help_text='JSON only: where the list of records is, as dotted keys ("data.items"); '
        "empty when the document is the list.",
    )
    default_source = models.CharField(max_length=500, blank=True)
    interval_hours = models.PositiveIntegerField(default=24)
    enabled = models.BooleanField(default=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    pulled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.NEVER)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"line", "column", "reason"}]
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(interval_hours__gte=1), name="feed_interval_min")
        ]

    def __str__(self) -> str:
        return f"Feed of {self.objective_id}: {self.url}"

    def is_due(self, now: dt.datetime | None = None) -> bool:
        """Enabled, and never queued or last queued at least `interval_hours` ago."""
        if not self.enabled:
            return False
        now = now or timezone.now()
        last = self.queued_at
        return last is None or last + dt.timedelta(hours=self.interval_hours) <= now
