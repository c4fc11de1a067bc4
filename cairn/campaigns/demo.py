"""The demo coalition's campaign: its phases and milestones, the five decision-makers of the seed
with positions that moved over the year, and both outcome goals of the seed as objectives with a
year of monthly measurements.

Everything goes through the services, so it obeys every rule. Deterministic (fixed offsets, no
random numbers) and idempotent: a second run finds the campaign by name and creates nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions.demo import (
    CRISIS_LINE,
    DECISION_MAKERS,
    DEMO_LOGIN,
    EMS_UNION,
    FAMILIES,
    HEALTH_SYSTEM,
    INTERFAITH,
    OUTCOME_GOALS,
    UNIVERSITY,
)
from cairn.coalitions.models import Coalition, Membership

from . import services
from .models import Campaign, Direction, Measurement, Position, PositionChange

CAMPAIGN_NAME = "Crisis beds and mobile crisis teams in the state budget"
THEORY_OF_CHANGE = (
    "If hospitals, first responders, congregations and families show the legislature — with "
    "their own numbers and their own voices — what emergency-room boarding and slow crisis "
    "response cost, then the Majority Leader and the two committee chairs will put recurring "
    "funding for psychiatric crisis beds and mobile crisis teams into the budget, because the "
    "cost of doing nothing becomes visible in their districts."
)

# (phase, title, owner, due in days from today, done days from today or None)
MILESTONES: tuple[tuple[str, str, str, int, int | None], ...] = (
    ("Align", "Shared ask and budget figure agreed", HEALTH_SYSTEM, -270, -275),
    ("Amplify", "Boarding-cost study published", UNIVERSITY, -200, -196),
    ("Pool", "Joint data dashboard of bed census and EMS times live", CRISIS_LINE, -150, -140),
    ("Coordinate", "Meetings held with all five decision-makers", HEALTH_SYSTEM, -90, -95),
    ("Mobilize", "Faith leaders' day at the Capitol", INTERFAITH, -30, -31),
    ("Mobilize", "Families' testimony at the budget hearing", FAMILIES, 40, None),
    ("Deliver", "Budget amendment filed with crisis-bed line", EMS_UNION, 120, None),
)

# decision-maker name → [(days from today, position, evidence)]
POSITIONS: dict[str, tuple[tuple[int, str, str], ...]] = {
    "Sen. Patricia Holloway": (
        (-290, Position.UNDECIDED, "Said new recurring spending needs an offset (press release)."),
        (-120, Position.UNDECIDED, "Meeting with coalition: asked for cost-of-boarding figures."),
        (-45, Position.SUPPORTIVE, "Told the Riverbend Herald the bed shortage is 'a crisis'."),
    ),
    "Rep. Gerald Manning": (
        (-290, Position.UNDECIDED, "Asked for hard numbers on ER boarding costs (hearing)."),
        (-150, Position.SUPPORTIVE, "After the boarding-cost study: 'the numbers are sobering'."),
        (-20, Position.COMMITTED, "Committed in writing to a crisis-bed line in the House draft."),
    ),
    "Sen. Linda Castellanos": (
        (-290, Position.SUPPORTIVE, "Sponsored last session's bed-registry bill."),
        (-180, Position.COMMITTED, "Agreed to carry the funding request in her committee."),
        (-60, Position.ACTED, "Filed the committee amendment for crisis-bed funding."),
    ),
    "Rep. Howard Kessler": (
        (-290, Position.OPPOSED, "Opposes any new recurring spending this year (floor remarks)."),
        (-75, Position.UNDECIDED, "Open to one-time capital money for stabilization units."),
    ),
    "Rep. Angela Moreau": (
        (-290, Position.SUPPORTIVE, "Represents the county with the slowest EMS response."),
        (-100, Position.COMMITTED, "Co-signed the coalition's letter to the Appropriations chair."),
    ),
}

# Month-by-month movement as a share of the monthly step (deterministic "noise"): the beds rise
# a little slower than needed (at risk, about a 35% chance), response times fall fast enough
# (on track, about 97%).
WIGGLE = (1.5, -0.4, 2.2, 0.3, -0.8, 2.6, 0.9, -0.2, 2.0, 1.1, -0.5, 2.4)
MONTHLY_STEP = {Direction.UP: Decimal("0.42"), Direction.DOWN: Decimal("-0.52")}


@dataclass(frozen=True, slots=True)
class DemoCampaign:
    campaign: Campaign
    created: bool


def _members(coalition: Coalition) -> dict[str, Membership]:
    rows = Membership.objects.for_coalition(coalition).select_related("organization")
    return {m.organization.name: m for m in rows}


@transaction.atomic
def load_demo_campaign(coalition: Coalition, *, today: dt.date | None = None) -> DemoCampaign:
    """Load the demo campaign when it is missing; return it."""
    today = today or timezone.localdate()
    existing = Campaign.objects.for_coalition(coalition).filter(name=CAMPAIGN_NAME).first()
    if existing is not None:
        _authorize(existing)  # the demo decisions may have been loaded since
        return DemoCampaign(campaign=existing, created=False)
    steward = User.objects.filter(email=DEMO_LOGIN).first()
    campaign = services.create_campaign(
        coalition=coalition,
        name=CAMPAIGN_NAME,
        theory_of_change=THEORY_OF_CHANGE,
        starts_on=coalition.horizon_start,
        ends_on=coalition.horizon_end,
        created_by=steward,
    )
    day = lambda n: today + dt.timedelta(days=n)  # noqa: E731 - a local shorthand
    phases = {p.name: p for p in campaign.phases.all()}
    members = _members(coalition)
    for phase, title, owner, due, done in MILESTONES:
        milestone = services.add_milestone(
            phase=phases[phase], title=title, due_on=day(due), owner=members.get(owner)
        )
        if done is not None:
            services.set_milestone_done(milestone=milestone, done_on=min(day(done), today))
    for maker in DECISION_MAKERS:
        person = services.add_decision_maker(
            coalition=coalition, name=maker.name, title=maker.title, body=maker.body
        )
        (first_days, first, evidence), *later = POSITIONS[maker.name]
        target = services.add_target(
            campaign=campaign,
            decision_maker=person,
            position=first,
            on=day(first_days),
            evidence=evidence,
            ask="Put recurring crisis-bed and mobile-crisis funding in the budget.",
            recorded_by=steward,
        )
        for days, position, evidence in later:
            services.record_position(
                target=target, position=position, on=day(days), evidence=evidence, by=steward
            )
    for goal in OUTCOME_GOALS:
        direction = Direction.UP if goal.higher_is_better else Direction.DOWN
        baseline_on = day(-370)  # the twelfth monthly figure is five days old
        objective = services.add_objective(
            campaign=campaign,
            statement=(
                "More psychiatric beds are open to people in crisis"
                if goal.higher_is_better
                else "Help reaches people in a mental-health crisis faster"
            ),
            metric=goal.name,
            unit=goal.unit,
            direction=direction,
            baseline_value=goal.baseline,
            baseline_on=baseline_on,
            baseline_source=goal.source,
            target_value=goal.target,
            deadline=coalition.horizon_end,
            renewal_requires_decision=True,
            # Their own figures: the health system's bed census, the EMS union's dispatch data.
            reported_by=members.get(HEALTH_SYSTEM if goal.higher_is_better else EMS_UNION),
        )
        value = goal.baseline
        for month, wiggle in enumerate(WIGGLE, start=1):
            value += MONTHLY_STEP[direction] * Decimal(str(wiggle))
            services.record_measurement(
                objective=objective,
                on=min(baseline_on + dt.timedelta(days=round(month * 30.4)), today),
                value=value.quantize(Decimal("0.1")),
                source="Hospital bed-census feeds"
                if goal.higher_is_better
                else "Tri-County EMS dispatch records",
                recorded_by=steward,
            )
    _date_records(campaign)
    _authorize(campaign)
    return DemoCampaign(campaign=campaign, created=True)


def _date_records(campaign: Campaign) -> None:
    """Each position and measurement was recorded the evening of its day, not when loaded."""
    zone = timezone.get_current_timezone()
    for model, scope in (
        (PositionChange, {"target__campaign": campaign}),
        (Measurement, {"objective__campaign": campaign}),
    ):
        for pk, on in model.objects.filter(**scope).values_list("pk", "on"):
            evening = dt.datetime.combine(on, dt.time(18), tzinfo=zone)
            model.objects.filter(pk=pk).update(recorded_at=min(evening, timezone.now()))


def _authorize(campaign: Campaign) -> None:
    """Link the demo's horizon decision to the campaign, when the demo decisions are loaded."""
    from cairn.governance import services as governance
    from cairn.governance.demo import HORIZON_DECISION_TITLE
    from cairn.governance.models import Outcome

    outcome = (
        Outcome.objects.for_coalition(campaign.coalition_id)
        .filter(proposal__title=HORIZON_DECISION_TITLE)
        .first()
    )
    if outcome is not None:  # dated the day the decision was taken, not the day of loading
        governance.authorize(
            outcome=outcome, target=campaign, note="The campaign plan", now=outcome.recorded_at
        )
