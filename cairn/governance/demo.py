"""The demo coalition's decisions: the charter adopted by consensus, the horizon chosen by ranked
choice, and an open time poll for the next meeting.

Written through the governance services only, so every vote and state change is in the log and
`cairn verify_log` passes. Deterministic and idempotent: a decision is found by its title and
skipped when it is there. Dates are relative to `today` (the load date): the charter is adopted
eleven months before it, the horizon chosen the day the horizon starts; every step (drafted,
opened, each vote, closed, the outcome, what it authorized) happens "as of" its day, and the log
entries carry those days in their hashed bodies. Only the meeting poll is of today.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions.demo import DEMO_LOGIN, HORIZON_TITLE
from cairn.coalitions.models import Coalition, StaffMember

from . import selectors, services
from .models import Outcome, Proposal

CHARTER_TITLE = "Adopt the coalition charter"
HORIZON_DECISION_TITLE = "Choose our horizon"
# The day the horizon decision closed and its outcome was recorded (days from `today`): it
# authorizes the coalition's horizon and the campaign, which both start that day.
HORIZON_DECIDED_DAYS = -300
MEETING_TITLE = "When should the spring strategy meeting be?"
MEETING_TIME_ZONE = "America/Chicago"

HORIZON_OPTIONS = (
    HORIZON_TITLE,
    "County crisis-center bond measure in November",
    "Statewide 988 telecom fee legislation",
    "Hospital licensing rule on emergency-room boarding",
)


@dataclass(frozen=True, slots=True)
class DemoDecisions:
    created: int


def _staff(coalition: Coalition) -> dict[str, StaffMember]:
    rows = StaffMember.objects.for_coalition(coalition).select_related("user", "membership")
    return {s.user.email.split("@")[0]: s for s in rows}


def _at(today: dt.date, days: int, hour: int = 12) -> dt.datetime:
    moment = timezone.make_aware(
        dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour))
    )
    return min(moment, timezone.now()) if days <= 0 else moment


@transaction.atomic
def load_demo_decisions(
    coalition: Coalition, *, today: dt.date | None = None, meeting: bool = True
) -> DemoDecisions:
    """Add the demo decisions that are missing; return how many were created. `meeting=False`
    leaves today's meeting poll for a later call, so that decisions other loaders date between
    the horizon and today come before it in the log."""
    today = today or timezone.localdate()
    existing = set(Proposal.objects.for_coalition(coalition).values_list("title", flat=True))
    staff = _staff(coalition)
    steward = User.objects.filter(email=DEMO_LOGIN).first()
    created = 0
    if CHARTER_TITLE not in existing:
        _charter(coalition, staff, steward, today)
        created += 1
    if HORIZON_DECISION_TITLE not in existing:
        _horizon(coalition, staff, steward, today)
        created += 1
    if meeting and MEETING_TITLE not in existing:
        _meeting(coalition, staff, steward, today)
        created += 1
    return DemoDecisions(created=created)


def _vote(
    proposal: Proposal,
    staff: dict[str, StaffMember],
    who: str,
    ballot: dict[str, object],
    when: dt.datetime,
    reason: str = "",
) -> None:
    if who in staff:
        services.cast_vote(
            proposal=proposal, staff=staff[who], ballot=ballot, reason=reason, now=when
        )


def _charter(
    coalition: Coalition, staff: dict[str, StaffMember], steward: User | None, today: dt.date
) -> None:
    proposal = services.create_proposal(
        coalition=coalition,
        template="consensus",
        title=CHARTER_TITLE,
        body=(
            "We adopt the charter as drafted by the stewards: one member, one vote; consensus "
            "for the charter, the horizon and budget allocations; consent for everything else."
        ),
        closes_at=_at(today, -326),
        created_by=steward,
        now=_at(today, -342, 10),
    )
    proposal = services.open_proposal(proposal=proposal, by=steward, now=_at(today, -340, 9))
    day = _at(today, -338)
    _vote(proposal, staff, "priya", {"position": "agree"}, day)
    _vote(
        proposal,
        staff,
        "marcus",
        {"position": "disagree"},
        day,
        "Paramedics need a seat when dispatch protocols are decided.",
    )
    _vote(proposal, staff, "elena", {"position": "agree"}, _at(today, -336), "Families first.")
    _vote(proposal, staff, "grace", {"position": "agree"}, _at(today, -335))
    _vote(
        proposal,
        staff,
        "samuel",
        {"position": "abstain"},
        _at(today, -334),
        "Our school takes no position on governance.",
    )
    _vote(proposal, staff, "ruth", {"position": "agree"}, _at(today, -332))
    _vote(
        proposal,
        staff,
        "marcus",
        {"position": "agree"},
        _at(today, -330),
        "Amended: EMS sits on the crisis-response working group.",
    )
    proposal = services.advance_proposal(proposal=proposal, now=_at(today, -326))
    if proposal.is_closed:
        services.record_outcome(
            proposal=proposal,
            statement="The charter is adopted as drafted, with the EMS seat on the "
            "crisis-response working group.",
            next_steps="Publish the charter on the coalition page and send it to every member's "
            "board.",
            responsible="The stewards",
            review_on=today + dt.timedelta(days=60),
            recorded_by=steward,
            now=_at(today, -326, 15),
        )


def _horizon(
    coalition: Coalition, staff: dict[str, StaffMember], steward: User | None, today: dt.date
) -> None:
    proposal = services.create_proposal(
        coalition=coalition,
        template="ranked_choice",
        title=HORIZON_DECISION_TITLE,
        body="Which decision do we organize the next year around? Rank at least two.",
        closes_at=_at(today, HORIZON_DECIDED_DAYS),
        created_by=steward,
        options=[services.OptionInput(label=label) for label in HORIZON_OPTIONS],
        now=_at(today, -316, 10),
    )
    proposal = services.open_proposal(proposal=proposal, by=steward, now=_at(today, -314, 9))
    key = {o.label: o.key for o in selectors.options(proposal=proposal)}
    budget, bond, fee, licensing = (key[label] for label in HORIZON_OPTIONS)
    rankings: Sequence[tuple[str, list[str]]] = (
        ("grace", [fee, budget, bond]),
        ("priya", [budget, licensing]),
        ("marcus", [bond, budget]),
        ("elena", [budget, bond]),
        ("samuel", [budget, licensing]),
        ("ruth", [bond, budget, fee]),
    )
    for days, (who, ranking) in enumerate(rankings):
        _vote(proposal, staff, who, {"ranking": ranking}, _at(today, -312 + days))
    proposal = services.advance_proposal(proposal=proposal, now=_at(today, HORIZON_DECIDED_DAYS))
    if proposal.is_closed:
        decided = _at(today, HORIZON_DECIDED_DAYS, 15)
        outcome = services.record_outcome(
            proposal=proposal,
            statement=f"Our horizon is the {HORIZON_TITLE.lower()}.",
            next_steps="Stewards set the coalition's horizon and draft the campaign plan.",
            responsible="Maya Okafor and Grace Whitfield",
            recorded_by=steward,
            now=decided,
        )
        services.authorize(
            outcome=outcome, target=coalition, note="The coalition's horizon", now=decided
        )
        _authorize_campaign(coalition, outcome)


def _authorize_campaign(coalition: Coalition, outcome: Outcome) -> None:
    """The horizon decision authorizes the campaign plan too, the day it was taken (when the demo
    campaign is loaded first, as `load_demo` does, so the log stays in order of time)."""
    from cairn.campaigns.demo import CAMPAIGN_NAME
    from cairn.campaigns.models import Campaign

    campaign = Campaign.objects.for_coalition(coalition).filter(name=CAMPAIGN_NAME).first()
    if campaign is not None:
        services.authorize(
            outcome=outcome, target=campaign, note="The campaign plan", now=outcome.recorded_at
        )


def _meeting(
    coalition: Coalition, staff: dict[str, StaffMember], steward: User | None, today: dt.date
) -> None:
    zone = zoneinfo.ZoneInfo(MEETING_TIME_ZONE)
    times = [
        dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, minute), tzinfo=zone)
        for days, hour, minute in ((12, 15, 0), (13, 9, 30), (14, 12, 0))
    ]
    proposal = services.create_proposal(
        coalition=coalition,
        template="time_poll",
        title=MEETING_TITLE,
        body="Half a day, in person at the Interfaith Network's hall, with a video link.",
        closes_at=timezone.now() + dt.timedelta(days=5),
        created_by=steward,
        options=[
            services.OptionInput(
                label=t.strftime("%a %d %b, %H:%M ") + (t.tzname() or ""),
                starts_at=t,
                time_zone=MEETING_TIME_ZONE,
            )
            for t in times
        ],
    )
    proposal = services.open_proposal(proposal=proposal, by=steward, schedule_ticks=False)
    now = timezone.now()
    for who, answers in (
        ("priya", ("yes", "maybe", "no")),
        ("elena", ("yes", "yes", "no")),
        ("ruth", ("no", "yes", "maybe")),
    ):
        _vote(
            proposal,
            staff,
            who,
            {"answers": {f"o{i}": a for i, a in enumerate(answers, start=1)}},
            now,
        )
