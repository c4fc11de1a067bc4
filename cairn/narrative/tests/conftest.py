"""Fixtures of the narrative tests: a coalition with a steward, an organizer of a member, a
viewer, a campaign with an objective and an open petition, and a framework whose version 1 a
recorded decision adopted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from cairn.campaigns import services as campaign_services
from cairn.campaigns.models import Campaign, Objective
from cairn.coalitions.models import Coalition, Membership, Role, StaffMember
from cairn.governance import services as governance
from cairn.narrative import services
from cairn.narrative.models import Framework, FrameworkVersion


def framework_json(objective_id: int | None = None) -> dict[str, Any]:
    beds_point: Any = "Hospitals closed a third of psychiatric beds since 2010."
    if objective_id is not None:
        beds_point = {"text": "Psychiatric beds per 100,000 people", "objective_id": objective_id}
    return {
        "core_message": "Everyone in a mental-health crisis deserves care within the hour.",
        "ask": "Tell your senator to pass SB 412, the Crisis Care Act.",
        "vision": "A state where no one in crisis waits alone.",
        "pillars": [
            {
                "id": "beds",
                "name": "Beds",
                "key_messages": [
                    {
                        "id": "beds-now",
                        "text": "Our state needs more psychiatric beds so people in crisis get "
                        "treatment close to home.",
                    }
                ],
                "proof_points": [beds_point],
            },
            {
                "id": "response",
                "name": "Response times",
                "key_messages": [
                    {
                        "id": "response-fast",
                        "text": "Mobile crisis teams respond faster than police and keep people "
                        "safe.",
                    }
                ],
                "proof_points": ["Mobile teams arrive in 18 minutes on average."],
            },
            {
                "id": "funding",
                "name": "Funding",
                "key_messages": [
                    {
                        "id": "funding-works",
                        "text": "Funding crisis care saves money by keeping people out of "
                        "emergency rooms and jails.",
                    }
                ],
                "proof_points": ["Every dollar in crisis care saves three in emergency costs."],
            },
        ],
        "terms_use": ["people in crisis", "mental-health crisis"],
        "terms_avoid": [
            {"term": "the mentally ill", "replacement": "people with mental illness"},
            "crazy",
        ],
    }


@dataclass
class World:
    coalition: Coalition
    steward: StaffMember
    member: Membership
    organizer: StaffMember
    other_member: Membership
    other_organizer: StaffMember
    viewer: StaffMember
    campaign: Campaign
    objective: Objective
    framework: Framework
    version: FrameworkVersion


def decide(coalition: Coalition, title: str = "Adopt the narrative") -> Any:
    """A recorded decision of the coalition (closed, with its outcome)."""
    proposal = governance.create_proposal(
        coalition=coalition,
        template="consent",
        title=title,
        closes_at=timezone.now() + dt.timedelta(days=3),
        created_by=None,
    )
    proposal = governance.open_proposal(proposal=proposal, by=None)
    governance.close_proposal(proposal=proposal, by=None)
    return governance.record_outcome(proposal=proposal, statement=title, recorded_by=None)


def make_world(coalition: Coalition, membership_factory: Any, staff_factory: Any) -> World:
    steward = staff_factory(coalition, Role.STEWARD)
    member = membership_factory(coalition, name="Crisis Line Alliance")
    other = membership_factory(coalition, name="Nurses United")
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=member)
    other_organizer = staff_factory(coalition, Role.ORGANIZER, membership=other)
    viewer = staff_factory(coalition, Role.VIEWER)
    today = timezone.localdate()
    campaign = campaign_services.create_campaign(
        coalition=coalition,
        name="Crisis care now",
        theory_of_change="If the state funds crisis care, people in crisis get help.",
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=120),
        created_by=None,
    )
    objective = campaign_services.add_objective(
        campaign=campaign,
        statement="More psychiatric beds",
        metric="Psychiatric beds per 100,000",
        unit="beds per 100,000",
        direction="up",
        baseline_value=Decimal(18),
        baseline_on=today - dt.timedelta(days=50),
        baseline_source="State health department",
        target_value=Decimal(30),
        deadline=today + dt.timedelta(days=100),
    )
    campaign_services.record_measurement(
        objective=objective,
        on=today - dt.timedelta(days=5),
        value=Decimal("22.4"),
        source="State health department",
        recorded_by=None,
    )
    framework = services.create_framework(
        coalition=coalition,
        name="Crisis care narrative",
        by=steward,
        content=framework_json(objective.pk),
    )
    version = framework.versions.get()
    version = services.propose_version(version=version, by=steward)
    version = services.adopt_version(version=version, outcome=decide(coalition), by=steward)
    return World(
        coalition=coalition,
        steward=steward,
        member=member,
        organizer=organizer,
        other_member=other,
        other_organizer=other_organizer,
        viewer=viewer,
        campaign=campaign,
        objective=objective,
        framework=framework,
        version=version,
    )


@pytest.fixture
def world(coalition, membership_factory, staff_factory) -> World:
    return make_world(coalition, membership_factory, staff_factory)


GOOD_TEXT = (
    "Our state needs more psychiatric beds so people in crisis get treatment close to home. "
    "Tell your senator to pass SB 412, the Crisis Care Act, today."
)
