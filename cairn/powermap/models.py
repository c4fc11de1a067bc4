"""The power map: the stakeholders in a coalition's landscape (organizations, people, offices),
their positions on the coalition's issue with dated evidence, and the typed relationships between
them, each with its evidence.

Every row carries `coalition_id`; reads go through `for_coalition()` and `selectors.py`; writes go
through `services.py`. A member organization and a campaign's decision-maker each have one
stakeholder (`organization` / `decision_maker`), made by the services' `ensure_stakeholder_for_*`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from cairn.campaigns.models import DecisionMaker
from cairn.coalitions.models import Coalition, Membership, Organization, Sector, TenantQuerySet


class StakeholderKind(models.TextChoices):
    ORGANIZATION = "organization", "Organization"
    PERSON = "person", "Person"
    OFFICE = "office", "Office"


class StakeholderPosition(models.TextChoices):
    """From furthest to closest to the coalition's issue; `unknown` is off the scale."""

    OPPOSED = "opposed", "Opposed"
    SKEPTICAL = "skeptical", "Skeptical"
    NEUTRAL = "neutral", "Neutral"
    SUPPORTIVE = "supportive", "Supportive"
    CHAMPION = "champion", "Champion"
    UNKNOWN = "unknown", "Unknown"


# The scale as a number (-2 opposed … +2 champion); unknown has none.
POSITION_SCORE: dict[str, int | None] = {
    StakeholderPosition.OPPOSED: -2,
    StakeholderPosition.SKEPTICAL: -1,
    StakeholderPosition.NEUTRAL: 0,
    StakeholderPosition.SUPPORTIVE: 1,
    StakeholderPosition.CHAMPION: 2,
    StakeholderPosition.UNKNOWN: None,
}


class StakeholderOrigin(models.TextChoices):
    ENTERED = "entered", "Entered"
    IMPORTED = "imported", "Imported"
    LINKED = "linked", "Made for a member organization or decision-maker"
    MIGRATED = "migrated", "Made when the power map was installed"


class StakeholderTag(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "coalition", Lower("name"), name="stakeholder_tag_name_unique_per_coalition"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Stakeholder(models.Model):
    """An organization, person or office in the coalition's landscape.

    `position`/`position_on` repeat the latest `PositionChange`, so lists and the map read one row.
    """

    Kind = StakeholderKind
    Position = StakeholderPosition
    Origin = StakeholderOrigin

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=StakeholderKind.choices)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    position = models.CharField(
        max_length=16, choices=StakeholderPosition.choices, default=StakeholderPosition.UNKNOWN
    )
    position_on = models.DateField(null=True, blank=True, help_text="Date of the latest change.")
    influence = models.PositiveSmallIntegerField(
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="An estimate from 0 (none) to 100 (decisive).",
    )
    description = models.TextField(blank=True, help_text="Stated mission, or a short biography.")
    website = models.URLField(max_length=500, blank=True)
    tags = models.ManyToManyField(StakeholderTag, blank=True, related_name="stakeholders")
    held_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member organization that holds the relationship.",
    )
    organization = models.OneToOneField(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stakeholder",
        help_text="Set when the stakeholder is an organization of the coalition.",
    )
    decision_maker = models.OneToOneField(
        DecisionMaker,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stakeholder",
        help_text="Set when the stakeholder is a campaign's decision-maker.",
    )
    external_id = models.CharField(
        max_length=200, blank=True, help_text="Its id in an imported file."
    )
    origin = models.CharField(
        max_length=16, choices=StakeholderOrigin.choices, default=StakeholderOrigin.ENTERED
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "coalition", Lower("name"), name="stakeholder_name_unique_per_coalition"
            ),
            models.UniqueConstraint(
                fields=["coalition", "external_id"],
                condition=~Q(external_id=""),
                name="stakeholder_external_id_unique_per_coalition",
            ),
            models.CheckConstraint(
                condition=Q(influence__lte=100), name="stakeholder_influence_at_most_100"
            ),
        ]
        indexes = [
            models.Index(fields=["coalition", "sector"], name="stakeholder_sector"),
            models.Index(fields=["coalition", "position"], name="stakeholder_position"),
            # the map's first cut: the most influential first (a 2,000-node view of 50,000
            # reads 2,000 index entries instead of sorting them all: 51 → 11 ms on PostgreSQL)
            models.Index(
                fields=["coalition", "-influence", "name", "id"], name="stakeholder_by_influence"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def position_score(self) -> int | None:
        return POSITION_SCORE[self.position]


class PositionChange(models.Model):
    """A stakeholder's position from a date on, with the evidence. Never rewritten."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="position_changes"
    )
    position = models.CharField(max_length=16, choices=StakeholderPosition.choices)
    on = models.DateField()
    evidence = models.TextField(help_text="What they said or did, and where it is recorded.")
    source_url = models.URLField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(evidence=""), name="stakeholder_position_change_has_evidence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stakeholder_id}: {self.position} on {self.on}"


class RelationshipKind(models.TextChoices):
    FUNDS = "funds", "Funds"
    BOARD_SEAT = "board_seat", "Sits on the board of"
    EMPLOYS = "employs", "Employs"
    MEMBER_OF = "member_of", "Is a member of"
    REGULATES = "regulates", "Regulates"
    VOTES_ON = "votes_on", "Votes on"
    ALLIED_WITH = "allied_with", "Allied with"
    OPPOSES = "opposes", "Opposes"
    COVERS = "covers", "Covers in the media"
    PERSONAL_TIE = "personal_tie", "Personal tie"


# The kinds that have no direction: stored once, with source_id < target_id.
UNDIRECTED_KINDS: frozenset[str] = frozenset(
    {RelationshipKind.ALLIED_WITH, RelationshipKind.PERSONAL_TIE}
)
DIRECTED_KINDS: frozenset[str] = frozenset(RelationshipKind.values) - UNDIRECTED_KINDS

WEIGHT_MIN = Decimal("0.1")
WEIGHT_MAX = Decimal(10)


class Relationship(models.Model):
    """A typed tie between two stakeholders, with its evidence."""

    Kind = RelationshipKind

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="relationships_out"
    )
    target = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="relationships_in"
    )
    kind = models.CharField(max_length=16, choices=RelationshipKind.choices)
    weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(WEIGHT_MIN), MaxValueValidator(WEIGHT_MAX)],
        help_text="How strong the tie is, from 0.1 to 10 (1 is ordinary).",
    )
    evidence = models.TextField(help_text="How we know: a note, a filing, an article.")
    source_url = models.URLField(max_length=500, blank=True)
    observed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "kind"], name="relationship_unique_per_kind"
            ),
            models.CheckConstraint(
                condition=~Q(source=F("target")), name="relationship_not_a_self_loop"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(UNDIRECTED_KINDS)) | Q(source__lt=F("target")),
                name="relationship_undirected_stored_once",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=WEIGHT_MIN) & Q(weight__lte=WEIGHT_MAX),
                name="relationship_weight_in_range",
            ),
            models.CheckConstraint(condition=~Q(evidence=""), name="relationship_has_evidence"),
        ]
        indexes = [
            models.Index(fields=["coalition", "kind"], name="relationship_kind"),
            # a map's ties read from and to a few stakeholders within the coalition: without
            # these, SQLite (no statistics) walks the coalition's index over every tie (94 ms for
            # a 2,000-node view of 250,000 ties; 30 ms with them)
            models.Index(fields=["coalition", "source"], name="relationship_from"),
            models.Index(fields=["coalition", "target"], name="relationship_to"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"

    @property
    def is_directed(self) -> bool:
        return self.kind in DIRECTED_KINDS


class StakeholderMerge(models.Model):
    """The log of a merge: which stakeholder was kept, what the duplicate was, what moved."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    kept = models.ForeignKey(
        Stakeholder, on_delete=models.SET_NULL, null=True, related_name="merges"
    )
    kept_name = models.CharField(max_length=200)
    merged_name = models.CharField(max_length=200)
    merged_id = models.PositiveBigIntegerField(help_text="The duplicate's id before the merge.")
    relationships_moved = models.PositiveIntegerField(default=0)
    relationships_dropped = models.PositiveIntegerField(
        default=0, help_text="Exact duplicates of a tie the kept stakeholder had, or self-loops."
    )
    positions_moved = models.PositiveIntegerField(default=0)
    tags_added = models.PositiveIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.merged_name} merged into {self.kept_name}"


# --- Graph figures (cairn.powermap.analysis writes them; the graph engine computes them) ---


class GraphState(models.Model):
    """When a coalition's graph last changed, and whether a recompute is queued (one row each)."""

    coalition = models.OneToOneField(Coalition, on_delete=models.CASCADE, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="A recompute is queued and has not started."
    )

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"graph of coalition {self.coalition_id} changed at {self.changed_at}"


class FigureRun(models.Model):
    """One computation of a coalition's graph figures: when, how long, how, and the
    coalition-level figures (diversity, and per campaign its targets and echo chamber)."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Betweenness(models.TextChoices):
        EXACT = "exact", "Exact"
        SAMPLED = "sampled", "Sampled"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    computed_at = models.DateTimeField(null=True, blank=True)
    graph_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="The graph change this run read (GraphState.changed_at)."
    )
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    node_count = models.PositiveIntegerField(default=0)
    edge_count = models.PositiveIntegerField(default=0)
    betweenness_method = models.CharField(max_length=16, choices=Betweenness.choices, blank=True)
    betweenness_sample_size = models.PositiveIntegerField(null=True, blank=True)
    betweenness_error = models.FloatField(
        null=True, blank=True, help_text="Estimated relative error of sampled betweenness."
    )
    diversity = models.JSONField(default=dict, blank=True)
    campaigns = models.JSONField(
        default=dict, blank=True, help_text="Per campaign id: targets, echo chamber."
    )
    error = models.TextField(blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["coalition", "status", "-computed_at"], name="figure_run_latest")
        ]

    def __str__(self) -> str:
        return f"figures of coalition {self.coalition_id} ({self.status}, {self.started_at})"


class StakeholderFigure(models.Model):
    """A stakeholder's figures in one run. `reach` maps campaign id → reach to its targets;
    `paths` maps target stakeholder id → [path length, next stakeholder id on a shortest path]."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(FigureRun, on_delete=models.CASCADE, related_name="figures")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="figures")
    pagerank = models.FloatField()
    betweenness = models.FloatField()
    constraint = models.FloatField(null=True, blank=True)
    effective_size = models.FloatField(null=True, blank=True)
    community = models.PositiveIntegerField(null=True, blank=True)
    reach = models.JSONField(default=dict, blank=True)
    paths = models.JSONField(default=dict, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["run", "stakeholder"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "stakeholder"], name="stakeholder_figure_unique_per_run"
            ),
        ]

    def __str__(self) -> str:
        return f"figures of {self.stakeholder_id} in run {self.run_id}"
