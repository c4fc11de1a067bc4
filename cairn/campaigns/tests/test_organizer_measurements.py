"""Organizers record measurements for the objectives their organization reports; stewards approve
them when the coalition asks for it, and a pending one counts for nothing until then. The
objective page shows its measurements a page at a time."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from cairn.campaigns import selectors, services
from cairn.campaigns.models import Measurement
from cairn.campaigns.views import MEASUREMENTS_PER_PAGE
from cairn.coalitions.models import Role

from .conftest import days


@pytest.fixture
def setting(coalition, campaign, objective_factory, membership_factory, staff_factory):
    reporter = membership_factory(coalition, name="Harbor House")
    other = membership_factory(coalition, name="Riverside Clinic")
    objective = objective_factory(campaign, reported_by=reporter)
    staff = {
        "steward": staff_factory(coalition, Role.STEWARD),
        "reporting organizer": staff_factory(coalition, Role.ORGANIZER, membership=reporter),
        "other organizer": staff_factory(coalition, Role.ORGANIZER, membership=other),
        "viewer": staff_factory(coalition, Role.VIEWER),
    }
    return objective, staff


def record(client, staff, objective, value="12", on=None):
    client.force_login(staff.user)
    return client.post(
        reverse("campaigns:record_measurement", args=[objective.coalition.slug, objective.pk]),
        {"on": (on or days(-1)).isoformat(), "value": value, "source": "Ward count", "note": ""},
    )


def rows(objective):
    return list(
        Measurement.objects.filter(objective=objective).values_list(
            "value", "review", "recorded_by"
        )
    )


@pytest.mark.parametrize("needs_approval", [False, True])
@pytest.mark.parametrize(
    ("role", "allowed", "review"),
    [
        ("steward", True, "approved"),
        ("reporting organizer", True, "pending"),  # when the coalition asks for approval
        ("other organizer", False, None),
        ("viewer", False, None),
    ],
)
def test_who_records_a_measurement(client, setting, role, allowed, review, needs_approval):
    # given an objective reported by one member organization
    objective, staff = setting
    coalition = objective.coalition
    coalition.organizer_measurements_need_approval = needs_approval
    coalition.save(update_fields=["organizer_measurements_need_approval"])
    before = rows(objective)
    # when a member of staff records a measurement
    response = record(client, staff[role], objective)
    # then it is recorded (pending for organizers when the charter asks), or nothing changed
    if allowed:
        assert response.status_code == 302
        expected = review if needs_approval else "approved"
        assert rows(objective) == [(Decimal("12.0000"), expected, staff[role].user.pk)]
    else:
        assert response.status_code == 403
        assert rows(objective) == before == []


def test_an_organizer_cannot_record_for_an_objective_nobody_reports(
    client, setting, objective_factory, campaign
):
    _, staff = setting
    unreported = objective_factory(campaign, statement="Fewer boarders")
    response = record(client, staff["reporting organizer"], unreported)
    assert response.status_code == 403
    assert rows(unreported) == []


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("steward", True),
        ("reporting organizer", False),
        ("other organizer", False),
        ("viewer", False),
    ],
)
def test_only_stewards_approve(client, setting, role, allowed):
    # given a pending measurement of the reporting organization
    objective, staff = setting
    pending = services.record_measurement(
        objective=objective,
        on=days(-1),
        value=Decimal("12"),
        source="Ward count",
        recorded_by=staff["reporting organizer"].user,
        pending=True,
    )
    client.force_login(staff[role].user)
    # when someone approves it
    response = client.post(
        reverse("campaigns:approve_measurement", args=[objective.coalition.slug, pending.pk])
    )
    # then it counts from now on, or nothing changed
    pending.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert (pending.review, pending.approved_by) == ("approved", staff[role].user)
    else:
        assert response.status_code == 403
        assert (pending.review, pending.approved_by, pending.approved_at) == ("pending", None, None)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("steward", True),
        ("reporting organizer", True),
        ("other organizer", False),
        ("viewer", False),
    ],
)
def test_who_removes_a_measurement(client, setting, role, allowed):
    objective, staff = setting
    row = services.record_measurement(
        objective=objective, on=days(-1), value=Decimal("12"), source="s", recorded_by=None
    )
    client.force_login(staff[role].user)
    response = client.post(
        reverse("campaigns:delete_measurement", args=[objective.coalition.slug, row.pk])
    )
    assert response.status_code == (302 if allowed else 403)
    assert Measurement.objects.filter(pk=row.pk).exists() is not allowed


def test_a_pending_measurement_counts_only_once_approved(setting):
    # given an approved measurement and a later pending one, far above it
    objective, staff = setting
    services.record_measurement(
        objective=objective, on=days(-10), value=Decimal("12"), source="s", recorded_by=None
    )
    pending = services.record_measurement(
        objective=objective,
        on=days(-1),
        value=Decimal("19"),
        source="s",
        recorded_by=None,
        pending=True,
    )

    def latest():
        status = selectors.objective_status(
            objective=objective,
            rows=list(selectors.measurements(objective=objective)),
            as_of=days(0),
        )
        dashboard = selectors.objective_statuses(campaign=objective.campaign, as_of=days(0))
        return (status.progress.latest.value, dashboard[0].progress.latest.value)

    # then progress (page and dashboard) reads the approved one only
    assert latest() == (12.0, 12.0)
    # and once approved, the new one counts
    services.approve_measurement(measurement=pending, by=staff["steward"].user)
    assert latest() == (19.0, 19.0)
    with pytest.raises(services.CampaignError):
        services.approve_measurement(measurement=pending, by=None)


def test_the_objective_page_shows_pending_ones_and_pages_its_measurements(
    client, setting, django_assert_max_num_queries
):
    # given 60 measurements, the latest pending
    objective, staff = setting
    for n in range(60):
        services.record_measurement(
            objective=objective,
            on=days(-80 + n),
            value=Decimal(10 + n / 10),
            source=f"count {n}",
            recorded_by=None,
            pending=n == 59,
        )
    client.force_login(staff["steward"].user)
    url = reverse("campaigns:objective", args=[objective.coalition.slug, objective.pk])
    # when the steward opens the page, then the next
    with django_assert_max_num_queries(30):
        first = client.get(url)
    second = client.get(url, {"page": 2})
    # then the first holds the 50 newest (the pending one marked, with its approve button) and
    # the second the 10 oldest and the baseline
    first_page, second_page = (
        first.context["measurements_page"],
        second.context["measurements_page"],
    )
    assert MEASUREMENTS_PER_PAGE == 50
    assert [m.source for m in first_page] == [f"count {n}" for n in range(59, 9, -1)]
    assert [m.source for m in second_page] == [f"count {n}" for n in range(9, -1, -1)]
    html = first.content.decode()
    assert html.count('data-testid="pending"') == 1
    assert "Approve the measurement of" in html
    assert "Page 1 of 2 (60 measurements)" in html
    assert "<td>Baseline</td>" not in html  # the baseline row ends the last page
    assert "<td>Baseline</td>" in second.content.decode()
    # a page beyond the last shows the last
    assert [m.source for m in client.get(url, {"page": 9}).context["measurements_page"]] == [
        f"count {n}" for n in range(9, -1, -1)
    ]


def test_a_steward_names_the_reporting_organization(client, setting, membership_factory):
    objective, staff = setting
    other = staff["other organizer"].membership
    client.force_login(staff["steward"].user)
    response = client.post(
        reverse("campaigns:set_reporter", args=[objective.coalition.slug, objective.pk]),
        {"reported_by": other.pk},
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.reported_by == other
    # an organizer may not
    client.force_login(staff["other organizer"].user)
    response = client.post(
        reverse("campaigns:set_reporter", args=[objective.coalition.slug, objective.pk]),
        {"reported_by": ""},
    )
    assert response.status_code == 403
    objective.refresh_from_db()
    assert objective.reported_by == other


def test_another_coalitions_organization_cannot_report(
    setting, coalition_factory, membership_factory
):
    objective, _ = setting
    stranger = membership_factory(coalition_factory())
    with pytest.raises(services.CampaignError):
        services.set_objective_reporter(objective=objective, reported_by=stranger)


@pytest.mark.django_db
def test_the_demo_objectives_are_reported_by_the_members_whose_figures_they_are():
    from django.core.management import call_command

    from cairn.campaigns.models import Objective
    from cairn.coalitions.demo import EMS_UNION, HEALTH_SYSTEM

    call_command("load_demo", supporters=20, verbosity=0)
    reporters = {}
    for o in Objective.objects.select_related("reported_by__organization"):
        assert o.reported_by is not None, o
        reporters[o.direction] = o.reported_by.organization.name
    assert reporters == {"up": HEALTH_SYSTEM, "down": EMS_UNION}
