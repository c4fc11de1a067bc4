"""Reads of the campaigns domain. Every selector takes the coalition (or a row scoped by it).

The dashboard reads aggregates: one query per table it shows; engagement comes from the
campaign's counted totals (`CampaignEngagement`: one query over a few hundred rows for every
countable source together) once they have been counted, and from two GROUP BY queries per source
over its own rows otherwise — whatever the number of supporters or signatures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, overload

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, FloatField, Prefetch, Q, QuerySet
from django.db.models.functions import Cast

from cairn.coalitions.models import Coalition, Membership
from cairn.engines import progress as engine

from . import engagement as engagement_registry
from .models import (
    Campaign,
    CampaignEngagement,
    DecisionMaker,
    DecisionTarget,
    EngagementCount,
    Measurement,
    MeasurementFeed,
    Milestone,
    Objective,
    Phase,
    PositionChange,
)


def campaigns(*, coalition: Coalition) -> QuerySet[Campaign]:
    return Campaign.objects.for_coalition(coalition).annotate(
        objective_count=Count("objectives", filter=Q(objectives__status=Objective.Status.OPEN)),
    )


def campaign_choices(*, coalition: Coalition) -> QuerySet[Campaign]:
    """The campaigns that another app's row (a petition) may serve, by name."""
    return Campaign.objects.for_coalition(coalition).order_by("name", "pk")


def campaign(*, coalition: Coalition, pk: int) -> Campaign | None:
    return (
        Campaign.objects.for_coalition(coalition).filter(pk=pk).select_related("coalition").first()
    )


def phases(*, campaign: Campaign) -> list[Phase]:
    milestones = Milestone.objects.select_related("owner__organization").order_by("due_on", "pk")
    return list(
        Phase.objects.for_coalition(campaign.coalition_id)
        .filter(campaign=campaign)
        .prefetch_related(Prefetch("milestones", queryset=milestones))
    )


def phase(*, coalition: Coalition, pk: int) -> Phase | None:
    return Phase.objects.for_coalition(coalition).filter(pk=pk).select_related("campaign").first()


def milestone(*, coalition: Coalition, pk: int) -> Milestone | None:
    return (
        Milestone.objects.for_coalition(coalition)
        .filter(pk=pk)
        .select_related("phase__campaign")
        .first()
    )


def targets(*, campaign: Campaign) -> list[DecisionTarget]:
    history = PositionChange.objects.order_by("on", "pk")
    return list(
        DecisionTarget.objects.for_coalition(campaign.coalition_id)
        .filter(campaign=campaign)
        .select_related("decision_maker")
        .prefetch_related(Prefetch("history", queryset=history))
    )


def target(*, coalition: Coalition, pk: int) -> DecisionTarget | None:
    return (
        DecisionTarget.objects.for_coalition(coalition)
        .filter(pk=pk)
        .select_related("campaign", "decision_maker")
        .first()
    )


def decision_makers(*, coalition: Coalition) -> QuerySet[DecisionMaker]:
    return DecisionMaker.objects.for_coalition(coalition)


def owners(*, coalition: Coalition) -> QuerySet[Membership]:
    """Member organizations that may own a milestone."""
    return (
        Membership.objects.for_coalition(coalition)
        .filter(status__in=[Membership.Status.ACTIVE, Membership.Status.INVITED])
        .select_related("organization")
    )


def objective(*, coalition: Coalition, pk: int) -> Objective | None:
    return (
        Objective.objects.for_coalition(coalition).filter(pk=pk).select_related("campaign").first()
    )


def measurement(*, coalition: Coalition, pk: int) -> Measurement | None:
    return (
        Measurement.objects.for_coalition(coalition)
        .filter(pk=pk)
        .select_related("objective__campaign")
        .first()
    )


def feed(*, objective: Objective) -> MeasurementFeed | None:
    return (
        MeasurementFeed.objects.for_coalition(objective.coalition_id)
        .filter(objective=objective)
        .first()
    )


def measurements(*, objective: Objective) -> QuerySet[Measurement]:
    """The measurements that count (approved): progress, charts, exports and the API read these."""
    return Measurement.objects.for_coalition(objective.coalition_id).filter(
        objective=objective, review=Measurement.Review.APPROVED
    )


def measurements_to_list(*, objective: Objective) -> QuerySet[Measurement]:
    """Every measurement of the objective, pending ones included, newest first (the objective
    page's table, a page at a time)."""
    return (
        Measurement.objects.for_coalition(objective.coalition_id)
        .filter(objective=objective)
        .select_related("recorded_by")
        .order_by("-on", "-pk")
    )


# --- progress -----------------------------------------------------------------------------------


def goal_of(objective: Objective) -> engine.Goal:
    return engine.Goal(
        baseline=float(objective.baseline_value),
        baseline_on=objective.baseline_on,
        target=float(objective.target_value),
        deadline=objective.deadline,
        direction=engine.Direction(objective.direction),
    )


@dataclass(frozen=True, slots=True)
class MeasuredValue:
    """A measurement as the dashboard reads it: three columns, no model instance, the value as a
    float (what the charts and the trend use; decimal conversion cost more than the query)."""

    on: dt.date
    value: float
    source: str


class MeasuredSeries(Sequence[MeasuredValue]):
    """An objective's measurements in date order, held as three columns (dates, values as
    floats, sources); an item or a slice is made when asked for.

    Years of daily values stay cheap this way: filling three lists costs a tenth of making an
    instance a day, the charts read the columns directly, and the dates, floats and strings in
    them are invisible to the garbage collector. Thousands of instances held through a request
    were promoted to its oldest generation: a full collection every few requests, which made
    the slowest twentieth of them twice as slow as the median.
    """

    __slots__ = ("days", "sources", "values")

    def __init__(
        self,
        days: list[dt.date] | None = None,
        values: list[float] | None = None,
        sources: list[str] | None = None,
    ) -> None:
        self.days = [] if days is None else days
        self.values = [] if values is None else values
        self.sources = [] if sources is None else sources

    def __len__(self) -> int:
        return len(self.days)

    @overload
    def __getitem__(self, index: int) -> MeasuredValue: ...

    @overload
    def __getitem__(self, index: slice) -> MeasuredSeries: ...

    def __getitem__(self, index: int | slice) -> MeasuredValue | MeasuredSeries:
        if isinstance(index, slice):
            return MeasuredSeries(self.days[index], self.values[index], self.sources[index])
        return MeasuredValue(self.days[index], self.values[index], self.sources[index])

    def __iter__(self) -> Iterator[MeasuredValue]:
        return map(MeasuredValue, self.days, self.values, self.sources)

    def points(self) -> list[engine.Point]:
        return list(map(engine.Point, self.days, self.values))


@dataclass(frozen=True, slots=True)
class ObjectiveStatus:
    objective: Objective
    measurements: Sequence[Measurement | MeasuredValue]
    progress: engine.Progress
    as_of: dt.date

    @property
    def expired(self) -> bool:
        return self.objective.is_expired(self.as_of)

    @property
    def days_left(self) -> int:
        return max((self.objective.deadline - self.as_of).days, 0)

    @property
    def slope_per_month(self) -> float | None:
        trend = self.progress.trend
        return None if trend is None else trend.slope_per_day * 365.25 / 12

    @property
    def slope_se_per_month(self) -> float | None:
        trend = self.progress.trend
        return None if trend is None else trend.slope_se * 365.25 / 12

    @property
    def required_per_month(self) -> float | None:
        pace = self.progress.required_per_day
        return None if pace is None else pace * 365.25 / 12

    @property
    def chance_percent(self) -> int | None:
        chance = self.progress.chance
        return None if chance is None else round(100 * chance)


def objective_status(
    *, objective: Objective, rows: Sequence[Measurement | MeasuredValue], as_of: dt.date
) -> ObjectiveStatus:
    if isinstance(rows, MeasuredSeries):
        points = rows.points()
    else:
        points = [engine.Point(m.on, float(m.value)) for m in rows]
    return ObjectiveStatus(
        objective=objective,
        measurements=rows,
        progress=engine.progress(goal_of(objective), points, as_of=as_of),
        as_of=as_of,
    )


def objective_statuses(*, campaign: Campaign, as_of: dt.date) -> list[ObjectiveStatus]:
    """Every objective of the campaign that is open or was closed, with its progress (2 queries;
    the measurements as three columns each: at most one a day, years of them stay cheap)."""
    objectives = list(
        Objective.objects.for_coalition(campaign.coalition_id)
        .filter(campaign=campaign)
        .exclude(status=Objective.Status.RENEWED)
    )
    series = {o.pk: MeasuredSeries() for o in objectives}
    rows = (
        Measurement.objects.for_coalition(campaign.coalition_id)
        .filter(objective__in=objectives, review=Measurement.Review.APPROVED)
        .order_by("objective_id", "on", "pk")
        .values_list("objective_id", "on", Cast("value", FloatField()), "source")
    )
    with _rows(rows) as fetched:
        for objective_id, on, value, source in fetched:
            one = series[objective_id]
            one.days.append(on)
            one.values.append(value)
            one.sources.append(source)
    return [objective_status(objective=o, rows=series[o.pk], as_of=as_of) for o in objectives]


@contextmanager
def _rows(query: QuerySet[Any]) -> Iterator[Iterable[tuple[Any, ...]]]:
    """The rows of a `values_list` query as the database driver returns them, one at a time.

    The query is the ORM's own (tenant filter, ordering, casts); only Django's per-row converters
    are skipped. For columns whose driver value is already the Python type (dates from SQLite's
    registered converter and from psycopg, floats from a CAST, text) they change nothing but cost
    about 2 µs a row: 15 ms of the dashboard on SQLite (a few on PostgreSQL) over five years of
    daily measurements of three objectives. One row at a time rather than a list of all of
    them: each row's tuple is freed once read.
    """
    try:
        sql, params = query.query.get_compiler(using=query.db).as_sql()
    except EmptyResultSet:  # the ORM would not query either
        yield ()
        return
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        yield cursor


# --- engagement and member contribution ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EngagementSeries:
    key: str
    label: str
    unit: str
    weeks: list[tuple[dt.date, float]]  # (first day of the week, count)
    by_member: dict[int | None, float]

    @property
    def total(self) -> float:
        return sum(count for _, count in self.weeks)


def engagement_range(campaign: Campaign, as_of: dt.date) -> tuple[dt.date, dt.date]:
    return campaign.starts_on, max(min(as_of, campaign.ends_on), campaign.starts_on)


def engagement_state(*, coalition: Coalition) -> EngagementCount | None:
    """When the coalition's daily counters were counted (None: never)."""
    return EngagementCount.objects.for_coalition(coalition).first()


def engagement(
    *, campaign: Campaign, as_of: dt.date, state: EngagementCount | None = None
) -> list[EngagementSeries]:
    """Weekly counts of every registered source over the campaign so far (aggregates only):
    from the campaign's totals (one query over a few hundred rows) when `state` (see
    `engagement_state`) covers the campaign, from the sources' own GROUP BY queries otherwise."""
    first, last = engagement_range(campaign, as_of)
    weeks = (last - first).days // 7 + 1
    registered = engagement_registry.sources()
    counted_keys = set(state.sources) if state is not None and state.covers(campaign) else set()
    weekly: dict[str, list[float]] = {key: [0.0] * weeks for key in counted_keys}
    members: dict[str, dict[int | None, float]] = {key: {} for key in counted_keys}
    if counted_keys:
        rows = CampaignEngagement.objects.for_coalition(campaign.coalition_id).filter(
            campaign=campaign, source__in=counted_keys
        )
        columns = rows.values_list("source", "week", "membership", "count")
        with _rows(columns) as fetched:
            for key, week, member, count in fetched:
                if week is None:
                    members[key][member] = count
                elif first <= week <= last:
                    weekly[key][(week - first).days // 7] += count
    series = []
    for source in registered:
        if source.key in counted_keys:
            buckets, by_member = weekly[source.key], members[source.key]
        else:
            buckets = [0.0] * weeks
            for day, count in source.daily(campaign.coalition, first, last).items():
                if first <= day <= last:
                    buckets[(day - first).days // 7] += count
            by_member = (
                source.by_member(campaign.coalition, first, last) if source.by_member else {}
            )
        series.append(
            EngagementSeries(
                key=source.key,
                label=source.label,
                unit=source.unit,
                weeks=[(first + dt.timedelta(days=7 * i), n) for i, n in enumerate(buckets)],
                by_member=by_member,
            )
        )
    return series


def engagement_table(series: list[EngagementSeries]) -> list[tuple[dt.date, list[float]]]:
    """The weekly table: (first day of the week, the count of every series in order)."""
    if not series:
        return []
    return [(day, [s.weeks[i][1] for s in series]) for i, (day, _) in enumerate(series[0].weeks)]


@dataclass(frozen=True, slots=True)
class ContributionRow:
    name: str
    counts: list[float]  # in the order of the series
    shares: list[float]  # 0..1 of each series' total

    @property
    def cells(self) -> list[tuple[float, float]]:
        return list(zip(self.counts, self.shares, strict=True))


def member_contribution(
    *, coalition: Coalition, series: list[EngagementSeries]
) -> list[ContributionRow]:
    """Which member organization brought which share of each kind of engagement (1 query)."""
    ids = {pk for s in series for pk in s.by_member if pk is not None}
    names = dict(
        Membership.objects.for_coalition(coalition)
        .filter(pk__in=ids)
        .values_list("pk", "organization__name")
    )
    keys: list[int | None] = [*sorted(names, key=lambda pk: names[pk]), None]
    totals = [s.total for s in series]
    rows = []
    for pk in keys:
        counts = [s.by_member.get(pk, 0.0) for s in series]
        if not any(counts):
            continue
        shares = [c / t if t else 0.0 for c, t in zip(counts, totals, strict=True)]
        name = "No member organization" if pk is None else names[pk]
        rows.append(ContributionRow(name=name, counts=counts, shares=shares))
    rows.sort(key=lambda r: (r.name == "No member organization", -sum(r.shares), r.name))
    return rows


# --- decisions and the whole dashboard ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecisionMark:
    on: dt.date
    title: str
    statement: str


def decisions(*, campaign: Campaign) -> list[DecisionMark]:
    """The recorded decisions that authorized the campaign (governance's generic link)."""
    from cairn.governance.selectors import decisions_behind

    return [
        DecisionMark(
            on=a.outcome.recorded_at.date(),
            title=a.outcome.proposal.title,
            statement=a.outcome.statement,
        )
        for a in decisions_behind(campaign)
    ]


@dataclass(frozen=True, slots=True)
class Dashboard:
    campaign: Campaign
    as_of: dt.date
    objectives: list[ObjectiveStatus]
    engagement: list[EngagementSeries]
    contribution: list[ContributionRow]
    targets: list[DecisionTarget]
    phases: list[Phase]
    decisions: list[DecisionMark]
    milestones: list[Milestone] = field(default_factory=list)
    counted: EngagementCount | None = None  # when the engagement counters were counted

    @property
    def engagement_table(self) -> list[tuple[str, list[str]]]:
        """The weekly table, formatted once here (hundreds of rows through template filters
        cost more than the rest of the page)."""
        return [
            (f"{day.day} {day:%b %Y}", [f"{round(n):,}" for n in counts])
            for day, counts in engagement_table(self.engagement)
        ]


def dashboard(*, campaign: Campaign, as_of: dt.date) -> Dashboard:
    state = engagement_state(coalition=campaign.coalition)
    series = engagement(campaign=campaign, as_of=as_of, state=state)
    phase_rows = phases(campaign=campaign)
    return Dashboard(
        campaign=campaign,
        as_of=as_of,
        objectives=objective_statuses(campaign=campaign, as_of=as_of),
        engagement=series,
        contribution=member_contribution(coalition=campaign.coalition, series=series),
        targets=targets(campaign=campaign),
        phases=phase_rows,
        decisions=decisions(campaign=campaign),
        milestones=sorted(
            (m for p in phase_rows for m in p.milestones.all()), key=lambda m: (m.due_on, m.pk)
        ),
        counted=state,
    )


# --- the API (cairn.campaigns.api): querysets that page, oldest first so pages stay put ---------


def api_row_id(public_id: str) -> int | None:
    """A row id from a URL segment (None when it cannot be one: the API answers 404)."""
    text = public_id.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def api_campaigns(*, coalition: Coalition) -> QuerySet[Campaign]:
    """With their phases and milestones (3 queries a page, whatever its size)."""
    in_order = Phase.objects.order_by("position", "pk").prefetch_related("milestones")
    return (
        Campaign.objects.for_coalition(coalition)
        .order_by("created_at", "pk")
        .prefetch_related(Prefetch("phases", queryset=in_order))
    )


def api_objectives(*, campaign: Campaign) -> QuerySet[Objective]:
    """The campaign's objectives, renewed ones included, each with its measurements (2 queries
    a page, whatever its size)."""
    by_day = Measurement.objects.filter(review=Measurement.Review.APPROVED).order_by("on", "pk")
    return (
        Objective.objects.for_coalition(campaign.coalition_id)
        .filter(campaign=campaign)
        .order_by("created_at", "pk")
        .prefetch_related(Prefetch("measurements", queryset=by_day))
    )


def api_measurements(*, objective: Objective) -> QuerySet[Measurement]:
    return measurements(objective=objective).order_by("on", "pk")


def api_targets(*, campaign: Campaign) -> QuerySet[DecisionTarget]:
    return (
        DecisionTarget.objects.for_coalition(campaign.coalition_id)
        .filter(campaign=campaign)
        .select_related("decision_maker")
        .order_by("pk")
    )


def api_positions(*, target: DecisionTarget) -> QuerySet[PositionChange]:
    return (
        PositionChange.objects.for_coalition(target.coalition_id)
        .filter(target=target)
        .order_by("on", "pk")
    )
