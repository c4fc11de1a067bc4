"""Use cases of the campaigns domain: the only code that writes its tables.

- create_campaign: a campaign starts with its phases (the coalition's usual sequence unless given).
- update_campaign: a campaign never ends before it starts (a database constraint).
- add_phase / rename_phase / move_phase / remove_phase: phases keep a strict order; a phase with
  milestones is not removed.
- add_milestone / set_milestone_done: a milestone's owner is a member of the campaign's coalition.
- add_decision_maker: one decision-maker per name and coalition (case-insensitive).
- add_target: a decision-maker is targeted once per campaign, with a first dated position.
- record_position: every change is kept with its evidence; the target shows the latest by date.
- add_objective: the target lies on the good side of the baseline (engine check + constraint).
- record_measurement: one measurement per objective and day (a unique constraint, reported as
  MeasurementExists), never in the future nor before the baseline; a pending one (an organizer's,
  where the coalition wants approval) counts toward progress only once approved.
- approve_measurement: a pending measurement is approved once, by whom and when kept.
- set_objective_reporter: the reporting organization is a member of the objective's coalition.
- delete_measurement: removes one measurement of an objective.
- close_objective: an objective is marked met or missed once, by a steward.
- renew_objective: the old objective is marked renewed and a new one carries on from it; when the
  objective requires it, a renewal cites a recorded decision, which then authorizes the new one.
- refresh_engagement: a coalition's daily counters from a day on (or all of them) are replaced, in
  one transaction, by a recount of every countable source (never a partial set); a recount of
  the recent days only is done when a full one ran in the last day and the sources are the same.
- set_measurement_feed: an objective has at most one feed (a one-to-one key), whose address is
  http or https; changing it clears the last pull's outcome.
- queue_feed_pull / queue_due_feeds: a feed is enqueued once per interval (a conditional UPDATE
  on `queued_at` elects one scheduler of a race), on commit; "pull now" always enqueues.
- request_engagement_refresh: when the counters are older than the allowed age, one recount is
  enqueued (a conditional UPDATE elects one request of a burst), on commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Min, Q, Sum
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions.models import Coalition, Membership
from cairn.engines import progress as engine

from . import engagement
from .models import (
    DEFAULT_PHASES,
    Campaign,
    CampaignEngagement,
    DecisionMaker,
    DecisionTarget,
    EngagementCount,
    EngagementDay,
    Measurement,
    MeasurementFeed,
    Milestone,
    Objective,
    Phase,
    PositionChange,
    engagement_span,
)

if TYPE_CHECKING:
    from cairn.governance.models import Outcome


class CampaignError(Exception):
    """A use case refused: the message is safe to show to the user."""


class MeasurementExists(CampaignError):
    """The objective already has a measurement on that day (the API tells a retry from a clash)."""

    def __init__(self, message: str, *, on: dt.date) -> None:
        super().__init__(message)
        self.on = on


# --- campaigns and phases ------------------------------------------------------------------------


@transaction.atomic
def create_campaign(
    *,
    coalition: Coalition,
    name: str,
    theory_of_change: str,
    starts_on: dt.date,
    ends_on: dt.date,
    created_by: User | None,
    phases: Sequence[str] = DEFAULT_PHASES,
) -> Campaign:
    """Create a campaign with its phases in order."""
    if ends_on < starts_on:
        raise CampaignError("The campaign must end after it starts.")
    if Campaign.objects.for_coalition(coalition).filter(name__iexact=name.strip()).exists():
        raise CampaignError("The coalition already has a campaign of that name.")
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                coalition=coalition,
                name=name.strip(),
                theory_of_change=theory_of_change.strip(),
                starts_on=starts_on,
                ends_on=ends_on,
                created_by=created_by,
            )
    except IntegrityError as error:  # a concurrent twin won the unique name
        raise CampaignError("The coalition already has a campaign of that name.") from error
    Phase.objects.bulk_create(
        Phase(coalition=coalition, campaign=campaign, name=phase.strip(), position=i)
        for i, phase in enumerate(p for p in phases if p.strip())
    )
    return campaign


@transaction.atomic
def update_campaign(
    *, campaign: Campaign, name: str, theory_of_change: str, starts_on: dt.date, ends_on: dt.date
) -> Campaign:
    """Change a campaign's name, theory of change or horizon."""
    if ends_on < starts_on:
        raise CampaignError("The campaign must end after it starts.")
    twin = (
        Campaign.objects.for_coalition(campaign.coalition_id)
        .filter(name__iexact=name.strip())
        .exclude(pk=campaign.pk)
    )
    if twin.exists():
        raise CampaignError("The coalition already has a campaign of that name.")
    campaign.name = name.strip()
    campaign.theory_of_change = theory_of_change.strip()
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    campaign.save(update_fields=["name", "theory_of_change", "starts_on", "ends_on"])
    return campaign


@transaction.atomic
def add_phase(*, campaign: Campaign, name: str) -> Phase:
    """Append a phase at the end of the sequence."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # serialize appends
    last = Phase.objects.filter(campaign=campaign).aggregate(m=Max("position"))["m"]
    return Phase.objects.create(
        coalition_id=campaign.coalition_id,
        campaign=campaign,
        name=name.strip(),
        position=0 if last is None else last + 1,
    )


@transaction.atomic
def rename_phase(*, phase: Phase, name: str) -> Phase:
    """Rename a phase."""
    if not name.strip():
        raise CampaignError("A phase needs a name.")
    phase.name = name.strip()
    phase.save(update_fields=["name"])
    return phase


@transaction.atomic
def move_phase(*, phase: Phase, offset: int) -> list[Phase]:
    """Move a phase earlier (offset < 0) or later; return the campaign's phases in order."""
    Campaign.objects.select_for_update().filter(pk=phase.campaign_id).first()
    ordered = list(Phase.objects.filter(campaign_id=phase.campaign_id).order_by("position", "pk"))
    index = next(i for i, p in enumerate(ordered) if p.pk == phase.pk)
    target = min(max(index + offset, 0), len(ordered) - 1)
    ordered.insert(target, ordered.pop(index))
    for position, each in enumerate(ordered):
        each.position = position
    Phase.objects.bulk_update(ordered, ["position"])
    return ordered


@transaction.atomic
def remove_phase(*, phase: Phase) -> None:
    """Remove a phase that holds no milestones."""
    if Milestone.objects.filter(phase=phase).exists():
        raise CampaignError("Move or remove the phase's milestones first.")
    phase.delete()


# --- milestones ---------------------------------------------------------------------------------


def _check_owner(coalition_id: int, owner: Membership | None) -> None:
    if owner is not None and owner.coalition_id != coalition_id:
        raise CampaignError("The owner must be a member of this coalition.")


@transaction.atomic
def add_milestone(
    *, phase: Phase, title: str, due_on: dt.date, owner: Membership | None = None
) -> Milestone:
    """Add a milestone to a phase, owned by a member organization of the same coalition."""
    _check_owner(phase.coalition_id, owner)
    return Milestone.objects.create(
        coalition_id=phase.coalition_id,
        phase=phase,
        title=title.strip(),
        due_on=due_on,
        owner=owner,
    )


@transaction.atomic
def set_milestone_done(*, milestone: Milestone, done_on: dt.date | None) -> Milestone:
    """Mark a milestone done on a day (not in the future), or not done (None)."""
    if done_on is not None and done_on > timezone.localdate():
        raise CampaignError("A milestone cannot be done in the future.")
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    return milestone


# --- decision targets ---------------------------------------------------------------------------


@transaction.atomic
def add_decision_maker(
    *, coalition: Coalition, name: str, title: str = "", body: str = ""
) -> DecisionMaker:
    """The coalition's decision-maker of that name, created when missing."""
    existing = DecisionMaker.objects.for_coalition(coalition).filter(name__iexact=name.strip())
    found = existing.first()
    if found is not None:
        return found
    return DecisionMaker.objects.create(
        coalition=coalition, name=name.strip(), title=title.strip(), body=body.strip()
    )


@transaction.atomic
def add_target(
    *,
    campaign: Campaign,
    decision_maker: DecisionMaker,
    position: str,
    on: dt.date,
    evidence: str,
    recorded_by: User | None,
    ask: str = "",
) -> DecisionTarget:
    """Target a decision-maker in a campaign, starting from a dated, evidenced position."""
    if decision_maker.coalition_id != campaign.coalition_id:
        raise CampaignError("The decision-maker belongs to another coalition.")
    if DecisionTarget.objects.filter(campaign=campaign, decision_maker=decision_maker).exists():
        raise CampaignError(f"{decision_maker} is already a target of this campaign.")
    target = DecisionTarget.objects.create(
        coalition_id=campaign.coalition_id,
        campaign=campaign,
        decision_maker=decision_maker,
        ask=ask.strip(),
        position=position,
        position_on=on,
    )
    record_position(target=target, position=position, on=on, evidence=evidence, by=recorded_by)
    return target


@transaction.atomic
def record_position(
    *, target: DecisionTarget, position: str, on: dt.date, evidence: str, by: User | None
) -> PositionChange:
    """Record a decision-maker's position on a day, with the evidence for it."""
    if on > timezone.localdate():
        raise CampaignError("A position is recorded once it is known, not in advance.")
    if not evidence.strip():
        raise CampaignError("Say what the position rests on: a vote, a statement, a meeting.")
    change = PositionChange.objects.create(
        coalition_id=target.coalition_id,
        target=target,
        position=position,
        on=on,
        evidence=evidence.strip(),
        recorded_by=by,
    )
    latest = PositionChange.objects.filter(target=target).order_by("-on", "-pk").first()
    if latest is not None:
        DecisionTarget.objects.filter(pk=target.pk).update(
            position=latest.position, position_on=latest.on
        )
        target.position, target.position_on = latest.position, latest.on
    return change


# --- objectives and measurements ----------------------------------------------------------------


def _goal(
    *,
    direction: str,
    baseline: Decimal,
    baseline_on: dt.date,
    target: Decimal,
    deadline: dt.date,
) -> None:
    if deadline <= baseline_on:
        raise CampaignError("The deadline must come after the baseline's date.")
    try:
        engine.check_goal(
            engine.Goal(
                baseline=float(baseline),
                baseline_on=baseline_on,
                target=float(target),
                deadline=deadline,
                direction=engine.Direction(direction),
            )
        )
    except engine.GoalError as error:
        raise CampaignError(str(error)) from error


@transaction.atomic
def add_objective(
    *,
    campaign: Campaign,
    statement: str,
    metric: str,
    unit: str,
    direction: str,
    baseline_value: Decimal,
    baseline_on: dt.date,
    baseline_source: str,
    target_value: Decimal,
    deadline: dt.date,
    renewal_requires_decision: bool = False,
    renewed_from: Objective | None = None,
    reported_by: Membership | None = None,
) -> Objective:
    """Add an objective whose target lies on the good side of its baseline."""
    _check_owner(campaign.coalition_id, reported_by)
    _goal(
        direction=direction,
        baseline=baseline_value,
        baseline_on=baseline_on,
        target=target_value,
        deadline=deadline,
    )
    return Objective.objects.create(
        coalition_id=campaign.coalition_id,
        campaign=campaign,
        statement=statement.strip(),
        metric=metric.strip(),
        unit=unit.strip(),
        direction=direction,
        baseline_value=baseline_value,
        baseline_on=baseline_on,
        baseline_source=baseline_source.strip(),
        target_value=target_value,
        deadline=deadline,
        renewal_requires_decision=renewal_requires_decision,
        renewed_from=renewed_from,
        reported_by=reported_by,
    )


@transaction.atomic
def set_objective_reporter(*, objective: Objective, reported_by: Membership | None) -> Objective:
    """Name the member organization that reports the objective's figures (None: stewards only)."""
    _check_owner(objective.coalition_id, reported_by)
    objective.reported_by = reported_by
    objective.save(update_fields=["reported_by"])
    return objective


def check_measurement_date(objective: Objective, on: dt.date, today: dt.date) -> str:
    """Why a measurement cannot be dated `on` ("" when it can): shared with the CSV import."""
    if on > today:
        return "is in the future"
    if on < objective.baseline_on:
        return f"is before the baseline ({objective.baseline_on.isoformat()})"
    return ""


@transaction.atomic
def record_measurement(
    *,
    objective: Objective,
    on: dt.date,
    value: Decimal,
    source: str,
    recorded_by: User | None,
    note: str = "",
    origin: str = Measurement.Origin.FORM,
    pending: bool = False,
) -> Measurement:
    """Record the metric's value on a day; a second value for the same day is refused. A pending
    one waits for a steward's approval before it counts."""
    problem = check_measurement_date(objective, on, timezone.localdate())
    if problem:
        raise CampaignError(f"The date {problem}.")
    if not source.strip():
        raise CampaignError("Say where the figure comes from.")
    try:
        with transaction.atomic():
            return Measurement.objects.create(
                coalition_id=objective.coalition_id,
                objective=objective,
                on=on,
                value=value,
                source=source.strip(),
                note=note.strip(),
                origin=origin,
                recorded_by=recorded_by,
                review=Measurement.Review.PENDING if pending else Measurement.Review.APPROVED,
            )
    except IntegrityError as error:  # UniqueConstraint(objective, on)
        raise MeasurementExists(
            f"There is already a measurement on {on.isoformat()}; remove it first to replace it.",
            on=on,
        ) from error


@transaction.atomic
def approve_measurement(*, measurement: Measurement, by: User | None) -> Measurement:
    """Count a pending measurement from now on; approving it again changes nothing."""
    approved = Measurement.objects.filter(
        pk=measurement.pk, review=Measurement.Review.PENDING
    ).update(review=Measurement.Review.APPROVED, approved_by=by, approved_at=timezone.now())
    if not approved:
        raise CampaignError("This measurement is not awaiting approval.")
    measurement.refresh_from_db()
    return measurement


@transaction.atomic
def delete_measurement(*, measurement: Measurement) -> None:
    """Remove one measurement."""
    measurement.delete()


def _lock_open(objective: Objective) -> Objective:
    locked = Objective.objects.select_for_update().get(pk=objective.pk)
    if locked.status != Objective.Status.OPEN:
        raise CampaignError(f"The objective is already marked {locked.get_status_display()}.")
    return locked


@transaction.atomic
def close_objective(*, objective: Objective, status: str, by: User | None) -> Objective:
    """Mark an open objective met or missed."""
    if status not in {Objective.Status.MET, Objective.Status.MISSED}:
        raise CampaignError("An objective is closed as met or missed.")
    locked = _lock_open(objective)
    locked.status, locked.status_changed_at, locked.status_changed_by = status, timezone.now(), by
    locked.save(update_fields=["status", "status_changed_at", "status_changed_by"])
    return locked


@transaction.atomic
def renew_objective(
    *,
    objective: Objective,
    target_value: Decimal,
    deadline: dt.date,
    by: User | None,
    decision: Outcome | None = None,
) -> Objective:
    """Mark an objective renewed and carry it on with a new target and deadline.

    The new objective starts from the latest measurement (or the old baseline) as its baseline.
    """
    if objective.renewal_requires_decision and decision is None:
        raise CampaignError("Renewing this objective needs a recorded decision of the coalition.")
    if decision is not None and decision.coalition_id != objective.coalition_id:
        raise CampaignError("The decision belongs to another coalition.")
    locked = _lock_open(objective)
    latest = (
        Measurement.objects.filter(objective=locked, review=Measurement.Review.APPROVED)
        .order_by("-on", "-pk")
        .first()
    )
    renewed = add_objective(
        campaign=locked.campaign,
        statement=locked.statement,
        metric=locked.metric,
        unit=locked.unit,
        direction=locked.direction,
        baseline_value=latest.value if latest else locked.baseline_value,
        baseline_on=latest.on if latest else locked.baseline_on,
        baseline_source=latest.source if latest else locked.baseline_source,
        target_value=target_value,
        deadline=deadline,
        renewal_requires_decision=locked.renewal_requires_decision,
        renewed_from=locked,
    )
    locked.status = Objective.Status.RENEWED
    locked.status_changed_at, locked.status_changed_by = timezone.now(), by
    locked.save(update_fields=["status", "status_changed_at", "status_changed_by"])
    if decision is not None:
        from cairn.governance import services as governance

        governance.authorize(outcome=decision, target=renewed, note="Renewal of an objective")
    return renewed


# --- daily engagement counters -------------------------------------------------------------------

ENGAGEMENT_MAX_AGE = dt.timedelta(seconds=300)


def engagement_max_age() -> dt.timedelta:
    """How old the dashboard's counters may be before a view asks for a recount (setting
    `CAIRN_ENGAGEMENT_MAX_AGE`, in seconds; five minutes by default)."""
    seconds = getattr(settings, "CAIRN_ENGAGEMENT_MAX_AGE", None)
    return ENGAGEMENT_MAX_AGE if seconds is None else dt.timedelta(seconds=int(seconds))


FULL_RECOUNT_EVERY = dt.timedelta(hours=24)
RECENT_DAYS = 3  # late confirmations and time zones move counts of the last days only


def refresh_engagement(*, coalition: Coalition, full: bool | None = None) -> EngagementCount:
    """Recount the coalition's sources per day and member and replace those counters: the
    recent days only, or everything (`full`, or when no full recount ran in the last day).

    The sources are read before the write transaction opens: on SQLite a transaction holds the
    database's only write lock, and a full recount of a million rows reads for seconds."""
    state, _ = EngagementCount.objects.get_or_create(coalition=coalition)
    now = timezone.now()
    countable = [s for s in engagement.sources() if s.daily_by_member is not None]
    keys = [s.key for s in countable]
    if full is None:
        full = (
            state.fully_counted_at is None
            or state.fully_counted_at < now - FULL_RECOUNT_EVERY
            or sorted(state.sources) != sorted(keys)
        )
    first = Campaign.objects.for_coalition(coalition).aggregate(first=Min("starts_on"))["first"]
    last = timezone.localdate()
    if first is not None and not full:
        first = max(first, last - dt.timedelta(days=RECENT_DAYS))
    counts: dict[str, dict[tuple[dt.date, int | None], float]] = {}
    if first is not None and first <= last:
        for source in countable:
            assert source.daily_by_member is not None  # noqa: S101 - filtered above
            counts[source.key] = source.daily_by_member(coalition, first, last)
    with transaction.atomic():
        state = EngagementCount.objects.select_for_update().get(pk=state.pk)
        return _store_engagement(state, counts, keys, first, last, full=full, now=now)


def _store_engagement(
    state: EngagementCount,
    counts: dict[str, dict[tuple[dt.date, int | None], float]],
    keys: list[str],
    first: dt.date | None,
    last: dt.date,
    *,
    full: bool,
    now: dt.datetime,
) -> EngagementCount:
    coalition_id = state.coalition_id
    stale = EngagementDay.objects.for_coalition(coalition_id)
    (stale.filter(day__gte=first) if first is not None and not full else stale).delete()
    for key, by_day in counts.items():
        EngagementDay.objects.bulk_create(
            (
                EngagementDay(
                    coalition_id=coalition_id, source=key, day=day, membership_id=member, count=n
                )
                for (day, member), n in by_day.items()
                if first is not None and first <= day <= last
            ),
            batch_size=5000,
        )
    counted = {}
    for campaign in Campaign.objects.for_coalition(coalition_id):
        span = engagement_span(campaign)
        settled = not full and first is not None and campaign.ends_on < first
        if not (settled and state.campaigns.get(str(campaign.pk)) == span):
            _total_campaign(campaign, keys, last)  # a recent recount leaves ended ones as they are
        counted[str(campaign.pk)] = span
    state.campaigns = counted
    state.counted_at = now
    if full:
        state.fully_counted_at = now
    state.sources = keys
    state.save(update_fields=["counted_at", "fully_counted_at", "sources", "campaigns"])
    return state


def _total_campaign(campaign: Campaign, keys: list[str], today: dt.date) -> None:
    """Replace the campaign's weekly and per-member totals from the daily counters (two GROUP BY
    queries over its days)."""
    CampaignEngagement.objects.filter(campaign=campaign).delete()
    first, last = campaign.starts_on, min(campaign.ends_on, today)
    if last < first:
        return  # not started: nothing to count, and the dashboard reads no totals
    days = EngagementDay.objects.for_coalition(campaign.coalition_id).filter(
        source__in=keys, day__gte=first, day__lte=last
    )
    weeks: dict[tuple[str, dt.date], float] = {}
    for row in days.values("source", "day").annotate(n=Sum("count")).order_by():
        week = first + dt.timedelta(days=7 * ((row["day"] - first).days // 7))
        weeks[(row["source"], week)] = weeks.get((row["source"], week), 0.0) + row["n"]
    members = days.values("source", "membership").annotate(n=Sum("count")).order_by()
    common = {"coalition_id": campaign.coalition_id, "campaign": campaign}
    CampaignEngagement.objects.bulk_create(
        [
            *(CampaignEngagement(**common, source=k, week=w, count=n)
              for (k, w), n in weeks.items()),
            *(CampaignEngagement(**common, source=r["source"], membership_id=r["membership"],
                                 count=r["n"]) for r in members),
        ],
        batch_size=2000,
    )  # fmt: skip


def request_engagement_refresh(
    *,
    coalition: Coalition,
    state: EngagementCount | None,
    campaign: Campaign | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Enqueue one recount when the counters are missing or stale (or do not cover the campaign
    as it is now); True when this call did."""
    from .tasks import refresh_engagement_task

    now = now or timezone.now()
    cutoff = now - engagement_max_age()
    fresh = state is not None and state.counted_at is not None and state.counted_at >= cutoff
    if fresh and (campaign is None or (state is not None and state.covers(campaign))):
        return False
    if state is None:
        state, _ = EngagementCount.objects.get_or_create(coalition=coalition)
    unclaimed = Q(requested_at__isnull=True) | Q(requested_at__lt=cutoff)
    if fresh:  # the campaign is new or its dates moved: recount unless one is already asked
        unclaimed |= Q(requested_at__lt=F("counted_at"))
    claimed = EngagementCount.objects.filter(pk=state.pk).filter(unclaimed).update(requested_at=now)
    if claimed:
        transaction.on_commit(lambda: refresh_engagement_task.enqueue(coalition.pk))
    return bool(claimed)


# --- measurement feeds ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedSettings:
    url: str
    format: str = MeasurementFeed.Format.CSV
    date_field: str = "date"
    value_field: str = "value"
    source_field: str = ""
    note_field: str = ""
    records_path: str = ""
    default_source: str = ""
    interval_hours: int = 24
    enabled: bool = True


@transaction.atomic
def set_measurement_feed(
    *, objective: Objective, config: FeedSettings, by: User | None
) -> MeasurementFeed:
    """Create or change the objective's feed; the address must be http(s)."""
    from urllib.parse import urlsplit

    url = config.url.strip()
    if urlsplit(url).scheme.lower() not in {"http", "https"} or not urlsplit(url).hostname:
        raise CampaignError("The feed address must start with http:// or https://.")
    if config.interval_hours < 1:
        raise CampaignError("Pull the feed at most once an hour.")
    fields = {
        "url": url,
        "format": config.format,
        "date_field": config.date_field.strip() or "date",
        "value_field": config.value_field.strip() or "value",
        "source_field": config.source_field.strip(),
        "note_field": config.note_field.strip(),
        "records_path": config.records_path.strip(),
        "default_source": config.default_source.strip(),
        "interval_hours": config.interval_hours,
        "enabled": config.enabled,
        "updated_by": by,
    }
    feed = MeasurementFeed.objects.select_for_update().filter(objective=objective).first()
    if feed is None:
        return MeasurementFeed.objects.create(
            coalition_id=objective.coalition_id, objective=objective, **fields
        )
    changed = any(getattr(feed, name) != value for name, value in fields.items()
                  if name not in {"enabled", "interval_hours", "updated_by"})  # fmt: skip
    for name, value in fields.items():
        setattr(feed, name, value)
    if changed:  # the last outcome was about another document
        feed.outcome, feed.errors = MeasurementFeed.Outcome.NEVER, []
        feed.created_count = feed.skipped_count = 0
    feed.save()
    return feed


def queue_feed_pull(*, feed: MeasurementFeed) -> None:
    """Enqueue a pull of the feed now, whatever its schedule ("pull now")."""
    from .tasks import pull_measurement_feed_task

    MeasurementFeed.objects.filter(pk=feed.pk).update(queued_at=timezone.now())
    transaction.on_commit(lambda: pull_measurement_feed_task.enqueue(feed.pk))


def claim_due_feeds(*, now: dt.datetime | None = None) -> list[MeasurementFeed]:
    """Mark every enabled feed of an open objective whose interval has passed since it was last
    queued as queued now; returns those this call claimed (a concurrent scheduler claims none of
    them again)."""
    now = now or timezone.now()
    claimed = []
    feeds = MeasurementFeed.objects.filter(enabled=True, objective__status=Objective.Status.OPEN)
    for feed in feeds.select_related("objective"):
        if feed.is_due(now) and (
            MeasurementFeed.objects.filter(pk=feed.pk, queued_at=feed.queued_at).update(
                queued_at=now
            )
        ):
            feed.queued_at = now
            claimed.append(feed)
    return claimed


def queue_due_feeds(*, now: dt.datetime | None = None) -> list[MeasurementFeed]:
    """Enqueue a pull of every due feed (see `claim_due_feeds`), on commit."""
    from .tasks import pull_measurement_feed_task

    with transaction.atomic():
        claimed = claim_due_feeds(now=now)
        for feed in claimed:
            transaction.on_commit(partial(pull_measurement_feed_task.enqueue, feed.pk))
    return claimed
