from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from cairn.campaigns import services
from cairn.campaigns.models import Campaign, Measurement, Objective, Position
from cairn.coalitions.models import Role
from cairn.people import services as people_services

from .conftest import days

# session, user, staff + coalition, campaign + coalition; when the engagement was counted, the
# campaign's weekly and per-member totals (every source together); phases, milestones; objectives,
# measurements; member names; targets, history; the decisions behind the campaign. The
# content-type cache is warm, as after any first request; the counters are fresh.
DASHBOARD_QUERIES = 14


def url(name: str, coalition, **kw) -> str:
    return reverse(f"campaigns:{name}", kwargs={"slug": coalition.slug, **kw})


@pytest.fixture
def objective(campaign, objective_factory) -> Objective:
    return objective_factory(campaign)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ORGANIZER])
def test_only_stewards_record_measurements(
    client, coalition, staff_factory, membership_factory, objective, role
):
    # given a viewer or an organizer
    member = membership_factory(coalition)
    staff = staff_factory(coalition, role, membership=member if role == Role.ORGANIZER else None)
    client.force_login(staff.user)
    # when they post a measurement, a new campaign or a position
    posts = [
        (url("record_measurement", coalition, objective_id=objective.pk), {"value": "12"}),
        (url("new_campaign", coalition), {"name": "Sneaky"}),
        (url("close_objective", coalition, objective_id=objective.pk), {"status": "met"}),
    ]
    # then they are refused and nothing changed
    for target, data in posts:
        assert client.post(target, {**data, "on": str(days(-1)), "source": "x"}).status_code == 403
    assert not Measurement.objects.exists()
    assert Campaign.objects.count() == 1
    assert Objective.objects.get(pk=objective.pk).status == Objective.Status.OPEN
    # but they see the pages
    assert client.get(url("objective", coalition, objective_id=objective.pk)).status_code == 200


def test_an_htmx_measurement_returns_the_updated_panel(client, coalition, steward, objective):
    client.force_login(steward.user)
    response = client.post(
        url("record_measurement", coalition, objective_id=objective.pk),
        {"on": str(days(-1)), "value": "15", "source": "census", "note": "halfway"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="objective-panel"')
    assert 'aria-valuenow="50"' in body  # (15 - 10) / (20 - 10)
    assert "halfway" in body
    # a second value for the same day is refused inside the panel
    again = client.post(
        url("record_measurement", coalition, objective_id=objective.pk),
        {"on": str(days(-1)), "value": "16", "source": "census"},
        headers={"HX-Request": "true"},
    )
    assert "already a measurement" in again.content.decode()
    assert Measurement.objects.get(objective=objective).value == Decimal(15)


def test_the_import_page_lists_line_column_and_reason(client, coalition, steward, objective):
    client.force_login(steward.user)
    upload = io.BytesIO(f"date,value,source\n{days(-3)},abc,census\n".encode())
    upload.name = "figures.csv"
    response = client.post(
        url("import_measurements", coalition, objective_id=objective.pk), {"file": upload}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Nothing was imported" in body
    assert "&#x27;abc&#x27; is not a number" in body
    assert not Measurement.objects.exists()


def test_csv_downloads_neutralize_formulas(client, coalition, steward, objective):
    services.record_measurement(
        objective=objective,
        on=days(-2),
        value=Decimal("12"),
        source="=cmd|' /C calc'!A0",
        recorded_by=None,
    )
    client.force_login(steward.user)
    response = client.get(url("measurements_csv", coalition, objective_id=objective.pk))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "date,value,unit,source,note,origin"
    assert lines[2].startswith(f"{days(-2)},12,beds,'=cmd")


def _fill(campaign, objective_factory, membership_factory, size: int) -> None:
    member = membership_factory(campaign.coalition)
    for n in range(size):
        people_services.upsert_person(
            coalition=campaign.coalition,
            data=people_services.PersonData(
                given_name=f"P{n}", emails=[people_services.EmailInput(f"p{n}@example.org")]
            ),
            source_membership=member,
        )
    objective = objective_factory(campaign, statement=f"Objective {size}")
    for n in range(size):
        services.record_measurement(
            objective=objective,
            on=days(-80 + n),
            value=Decimal(11 + n % 3),
            source="census",
            recorded_by=None,
        )
    phase = campaign.phases.first()
    services.add_milestone(phase=phase, title=f"M{size}", due_on=days(size), owner=member)
    maker = services.add_decision_maker(coalition=campaign.coalition, name=f"Sen. {size}")
    target = services.add_target(
        campaign=campaign,
        decision_maker=maker,
        position=Position.OPPOSED,
        on=days(-50),
        evidence="vote",
        recorded_by=None,
    )
    for n in range(size):
        services.record_position(
            target=target, position=Position.UNDECIDED, on=days(-40 + n), evidence="x", by=None
        )


@pytest.mark.parametrize("size", [2, 12])
def test_the_dashboard_query_count_does_not_grow_with_the_data(
    client,
    coalition,
    steward,
    campaign,
    objective_factory,
    membership_factory,
    django_assert_num_queries,
    size,
):
    # given a campaign with `size` supporters, measurements, milestones and position changes
    _fill(campaign, objective_factory, membership_factory, size)
    services.refresh_engagement(coalition=coalition)
    ContentType.objects.get_for_model(Campaign)
    client.force_login(steward.user)
    # when the dashboard is read, then it takes the same number of queries whatever the size
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(url("dashboard", coalition, campaign_id=campaign.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "From engagement to outcomes" in body
    assert f"Objective {size}" in body
    assert f'<td class="num">{size}</td>' in body  # the new supporters, from the counters


def test_every_page_renders_for_a_steward(client, coalition, steward, campaign, objective):
    client.force_login(steward.user)
    for name, kw in [
        ("campaigns", {}),
        ("new_campaign", {}),
        ("campaign", {"campaign_id": campaign.pk}),
        ("edit_campaign", {"campaign_id": campaign.pk}),
        ("dashboard", {"campaign_id": campaign.pk}),
        ("report", {"campaign_id": campaign.pk}),
        ("engagement_csv", {"campaign_id": campaign.pk}),
        ("contribution_csv", {"campaign_id": campaign.pk}),
        ("positions_csv", {"campaign_id": campaign.pk}),
        ("add_target", {"campaign_id": campaign.pk}),
        ("add_objective", {"campaign_id": campaign.pk}),
        ("objective", {"objective_id": objective.pk}),
    ]:
        assert client.get(url(name, coalition, **kw)).status_code == 200, name


def test_a_steward_creates_a_campaign_with_its_own_phases(client, coalition, steward):
    client.force_login(steward.user)
    response = client.post(
        url("new_campaign", coalition),
        {
            "name": "Pass the bill",
            "theory_of_change": "Pressure works.",
            "starts_on": str(days(0)),
            "ends_on": str(days(90)),
            "phases": "Research, Lobby, Vote",
        },
    )
    created = Campaign.objects.get(name="Pass the bill")
    assert response.status_code == 302
    assert [p.name for p in created.phases.all()] == ["Research", "Lobby", "Vote"]
