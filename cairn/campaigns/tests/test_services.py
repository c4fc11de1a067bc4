from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cairn.campaigns import services
from cairn.campaigns.models import (
    DEFAULT_PHASES,
    DecisionTarget,
    Direction,
    Measurement,
    Objective,
    Phase,
    Position,
)
from cairn.campaigns.services import CampaignError

from .conftest import days


def test_a_campaign_starts_with_the_usual_phases_in_order(campaign):
    assert [p.name for p in campaign.phases.all()] == list(DEFAULT_PHASES)
    assert campaign.days_left() == 200


def test_a_campaign_cannot_end_before_it_starts(coalition):
    with pytest.raises(CampaignError):
        services.create_campaign(
            coalition=coalition,
            name="Backwards",
            theory_of_change="-",
            starts_on=days(10),
            ends_on=days(0),
            created_by=None,
        )


def test_phases_are_reordered_renamed_added_and_removed(campaign):
    align, amplify, *_ = campaign.phases.all()
    services.move_phase(phase=amplify, offset=-1)
    services.rename_phase(phase=align, name="Agree")
    services.add_phase(campaign=campaign, name="Evaluate")
    names = list(Phase.objects.filter(campaign=campaign).values_list("name", flat=True))
    assert names[:2] == ["Amplify", "Agree"]
    assert names[-1] == "Evaluate"
    services.add_milestone(phase=align, title="Ask agreed", due_on=days(5))
    with pytest.raises(CampaignError):
        services.remove_phase(phase=align)
    services.remove_phase(phase=Phase.objects.get(campaign=campaign, name="Evaluate"))
    assert Phase.objects.filter(campaign=campaign).count() == len(DEFAULT_PHASES)


def test_a_milestone_owner_must_belong_to_the_coalition(
    campaign, coalition_factory, membership_factory
):
    outsider = membership_factory(coalition_factory())
    with pytest.raises(CampaignError):
        services.add_milestone(
            phase=campaign.phases.first(), title="x", due_on=days(1), owner=outsider
        )


def test_positions_keep_their_history_and_the_target_shows_the_latest_by_date(campaign):
    maker = services.add_decision_maker(coalition=campaign.coalition, name="Sen. Holloway")
    target = services.add_target(
        campaign=campaign,
        decision_maker=maker,
        position=Position.OPPOSED,
        on=days(-60),
        evidence="Floor speech",
        recorded_by=None,
    )
    services.record_position(
        target=target, position=Position.COMMITTED, on=days(-5), evidence="Letter", by=None
    )
    # a late entry about an earlier date does not overwrite the current position
    services.record_position(
        target=target, position=Position.UNDECIDED, on=days(-30), evidence="Meeting", by=None
    )
    target = DecisionTarget.objects.get(pk=target.pk)
    assert (target.position, target.position_on) == (Position.COMMITTED, days(-5))
    assert [c.position for c in target.history.all()] == ["opposed", "undecided", "committed"]
    with pytest.raises(CampaignError):
        services.record_position(
            target=target, position=Position.ACTED, on=days(1), evidence="x", by=None
        )


def test_the_same_name_is_one_decision_maker(coalition):
    first = services.add_decision_maker(coalition=coalition, name="Rep. Manning")
    again = services.add_decision_maker(coalition=coalition, name="rep. manning ")
    assert first.pk == again.pk


@pytest.mark.parametrize(
    ("direction", "target"), [(Direction.UP, Decimal("5")), (Direction.DOWN, Decimal("25"))]
)
def test_a_target_on_the_wrong_side_is_refused(campaign, objective_factory, direction, target):
    with pytest.raises(CampaignError):
        objective_factory(campaign, direction=direction, target_value=target)
    assert not Objective.objects.exists()


def test_one_measurement_per_day_never_in_the_future(campaign, objective_factory):
    objective = objective_factory(campaign)
    services.record_measurement(
        objective=objective, on=days(-1), value=Decimal("12"), source="census", recorded_by=None
    )
    for on in (days(-1), days(1), days(-91)):
        with pytest.raises(CampaignError):
            services.record_measurement(
                objective=objective, on=on, value=Decimal(13), source="census", recorded_by=None
            )
    assert Measurement.objects.filter(objective=objective).count() == 1


def test_an_objective_is_closed_once(campaign, objective_factory):
    objective = objective_factory(campaign)
    services.close_objective(objective=objective, status=Objective.Status.MET, by=None)
    with pytest.raises(CampaignError):
        services.close_objective(objective=objective, status=Objective.Status.MISSED, by=None)
    assert Objective.objects.get(pk=objective.pk).status == Objective.Status.MET


def test_renewal_carries_on_from_the_latest_measurement(campaign, objective_factory):
    objective = objective_factory(campaign, direction=Direction.DOWN)
    services.record_measurement(
        objective=objective, on=days(-2), value=Decimal("14"), source="EMS", recorded_by=None
    )
    renewed = services.renew_objective(
        objective=objective, target_value=Decimal("9"), deadline=days(300), by=None
    )
    assert Objective.objects.get(pk=objective.pk).status == Objective.Status.RENEWED
    assert (renewed.baseline_value, renewed.baseline_on) == (Decimal("14"), days(-2))
    assert renewed.renewed_from_id == objective.pk


def test_renewal_that_requires_a_decision_is_refused_without_one(campaign, objective_factory):
    objective = objective_factory(campaign, renewal_requires_decision=True)
    with pytest.raises(CampaignError):
        services.renew_objective(
            objective=objective, target_value=Decimal("30"), deadline=days(300), by=None
        )
    assert Objective.objects.get(pk=objective.pk).status == Objective.Status.OPEN


def test_an_objective_past_its_deadline_is_expired_until_marked(campaign, objective_factory):
    objective = objective_factory(campaign, deadline=days(-1))
    assert objective.is_expired(timezone.localdate())
    services.close_objective(objective=objective, status=Objective.Status.MISSED, by=None)
    assert not Objective.objects.get(pk=objective.pk).is_expired(timezone.localdate())
    assert isinstance(timezone.localdate(), dt.date)
