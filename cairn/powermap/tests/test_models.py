"""The power map's models: the position scale, directed kinds, and the data migration that gives
every member organization and decision-maker its stakeholder (forward and back)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cairn.campaigns import services as campaign_services
from cairn.coalitions.models import Coalition, Membership, Sector
from cairn.powermap.models import (
    DIRECTED_KINDS,
    POSITION_SCORE,
    PositionChange,
    RelationshipKind,
    Stakeholder,
    StakeholderPosition,
)

BEFORE = [("powermap", "0001_stakeholders_and_relationships")]
AFTER = [("powermap", "0002_stakeholders_for_members_and_decision_makers")]


def test_the_position_scale_runs_from_opposed_to_champion() -> None:
    scale = [POSITION_SCORE[p] for p in StakeholderPosition.values]
    assert scale == [-2, -1, 0, 1, 2, None]


def test_only_alliances_and_personal_ties_are_undirected() -> None:
    assert set(RelationshipKind.values) - DIRECTED_KINDS == {"allied_with", "personal_tie"}


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.fixture
def at_0001() -> Iterator[MigrationExecutor]:
    """The database with the power map at 0001; back at the latest migrations afterwards."""
    try:
        yield _migrate(BEFORE)
    finally:
        _migrate(_migrate([]).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_members_and_decision_makers_become_stakeholders_and_back(
    at_0001: MigrationExecutor,
    coalition_factory: Callable[..., Coalition],
    membership_factory: Callable[..., Membership],
) -> None:
    # given a coalition with two member organizations and two decision-makers, one targeted
    # by two campaigns, and a stakeholder entered before that shares a decision-maker's name
    ours = coalition_factory()
    clinic = membership_factory(ours, name="Riverside Clinic", sector=Sector.HEALTH_CARE)
    clinic.organization.mission = "Care for everyone in the valley."
    clinic.organization.save()
    prospect = membership_factory(ours, name="St. Mark's", status=Membership.Status.PROSPECT)
    today = timezone.localdate()
    senator = campaign_services.add_decision_maker(
        coalition=ours, name="Sen. Holloway", title="Chair", body="State Senate"
    )
    committee = campaign_services.add_decision_maker(coalition=ours, name="Health Committee")
    for name, position, days in (("Beds", "supportive", 30), ("Crisis line", "opposed", 40)):
        campaign = campaign_services.create_campaign(
            coalition=ours,
            name=name,
            theory_of_change="If we show the cost, they fund it.",
            starts_on=today - dt.timedelta(days=90),
            ends_on=today + dt.timedelta(days=90),
            created_by=None,
        )
        target = campaign_services.add_target(
            campaign=campaign,
            decision_maker=senator,
            position=position,
            on=today - dt.timedelta(days=days),
            evidence=f"{name}: hearing",
            recorded_by=None,
        )
    campaign_services.record_position(
        target=target,
        position="acted",
        on=today - dt.timedelta(days=5),
        evidence="Voted yes",
        by=None,
    )
    old = at_0001.loader.project_state(BEFORE).apps.get_model("powermap", "Stakeholder")
    entered = old.objects.create(
        coalition_id=ours.pk, name="health committee", kind="office", sector="government"
    )

    # when the migration runs
    _migrate(AFTER)

    # then each member organization has its stakeholder, held by its membership
    made = Stakeholder.objects.for_coalition(ours).exclude(pk=entered.pk)
    assert made.count() == 4
    clinic_row = made.get(organization=clinic.organization)
    assert (clinic_row.kind, clinic_row.sector, clinic_row.held_by_id, clinic_row.description) == (
        "organization",
        "health_care",
        clinic.pk,
        "Care for everyone in the valley.",
    )
    assert made.get(organization=prospect.organization).name == "St. Mark's"
    # the senator's position is that of its latest target (acted → champion), with the history
    row = made.get(decision_maker=senator)
    assert (row.kind, row.sector, row.position, row.position_on) == (
        "person",
        "government",
        "champion",
        today - dt.timedelta(days=5),
    )
    assert row.description == "Chair, State Senate"
    history = list(PositionChange.objects.filter(stakeholder=row).values_list("position", "on"))
    assert history == [
        ("opposed", today - dt.timedelta(days=40)),
        ("supportive", today - dt.timedelta(days=30)),
        ("champion", today - dt.timedelta(days=5)),
    ]
    # the committee is an office; its name was taken, so it got a suffix rather than being lost
    office = made.get(decision_maker=committee)
    assert (office.kind, office.name, office.position) == (
        "office",
        "Health Committee (decision-maker)",
        "unknown",
    )

    # when it is reversed
    _migrate(BEFORE)

    # then only the stakeholders it made are gone
    assert list(old.objects.filter(coalition_id=ours.pk).values_list("pk", flat=True)) == [
        entered.pk
    ]
