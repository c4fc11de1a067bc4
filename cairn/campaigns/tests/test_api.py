"""The campaigns API (cairn.campaigns.api): tenant scope, pages, measurements and positions."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cairn.api import services as api_services
from cairn.campaigns import services
from cairn.campaigns.models import Campaign, Measurement, Objective, PositionChange
from cairn.coalitions.models import Coalition, Role, StaffMember

from .conftest import days

SECRET = "Zebra Foundation"
API = "/api/v2"


class Api:
    def __init__(self, token: str) -> None:
        self.client = Client()
        self.token = token

    def get(self, path: str) -> Any:
        return self.client.get(f"{API}{path}", headers={"OSDI-API-Token": self.token})

    def post(self, path: str, body: Any) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(
            f"{API}{path}",
            data=data,
            content_type="application/json",
            headers={"OSDI-API-Token": self.token},
        )


def token_for(coalition: Coalition, staff: StaffMember | None = None) -> Api:
    user = staff.user if staff is not None else None
    raw = api_services.create_token(coalition=coalition, name="t", created_by=user).raw
    return Api(raw)


@pytest.fixture
def api(coalition: Coalition, steward: StaffMember) -> Api:
    return token_for(coalition, steward)


@pytest.fixture
def objective(campaign: Campaign, objective_factory: Callable[..., Objective]) -> Objective:
    return objective_factory(campaign)


@pytest.fixture
def target(campaign: Campaign) -> Any:
    maker = services.add_decision_maker(coalition=campaign.coalition, name="Senator Ames")
    return services.add_target(
        campaign=campaign,
        decision_maker=maker,
        position="opposed",
        on=days(-10),
        evidence="Voted no in committee.",
        recorded_by=None,
        ask="Vote yes on SB 12",
    )


def measurements_url(objective: Objective) -> str:
    return f"/campaigns/{objective.campaign_id}/objectives/{objective.pk}/measurements"


def positions_url(target: Any) -> str:
    return f"/campaigns/{target.campaign_id}/targets/{target.pk}/positions"


# --- tenant scope -------------------------------------------------------------------------------


@pytest.fixture
def theirs(coalition_factory, campaign_factory, objective_factory) -> dict[str, Any]:
    """Coalition B with a campaign, an objective, a measurement and a target."""
    b = coalition_factory()
    campaign = campaign_factory(b, name=f"{SECRET} campaign")
    objective = objective_factory(campaign, statement=f"{SECRET} objective")
    measurement = services.record_measurement(
        objective=objective, on=days(-1), value=Decimal(12), source=SECRET, recorded_by=None
    )
    maker = services.add_decision_maker(coalition=b, name=f"{SECRET} senator")
    target = services.add_target(
        campaign=campaign,
        decision_maker=maker,
        position="undecided",
        on=days(-1),
        evidence=SECRET,
        recorded_by=None,
    )
    return {"campaign": campaign, "objective": objective, "m": measurement, "target": target}


TENANT_PATHS = [
    ("GET", "/campaigns/{c}"),
    ("GET", "/campaigns/{c}/objectives"),
    ("GET", "/campaigns/{c}/objectives/{o}"),
    ("GET", "/campaigns/{c}/objectives/{o}/measurements"),
    ("GET", "/campaigns/{c}/objectives/{o}/measurements/{m}"),
    ("POST", "/campaigns/{c}/objectives/{o}/measurements"),
    ("GET", "/campaigns/{c}/targets"),
    ("GET", "/campaigns/{c}/targets/{t}"),
    ("GET", "/campaigns/{c}/targets/{t}/positions"),
    ("POST", "/campaigns/{c}/targets/{t}/positions"),
    # A's own campaign with B's rows under it
    ("GET", "/campaigns/{mine}/objectives/{o}"),
    ("GET", "/campaigns/{mine}/objectives/{o}/measurements"),
    ("POST", "/campaigns/{mine}/objectives/{o}/measurements"),
    ("GET", "/campaigns/{mine}/targets/{t}"),
    ("POST", "/campaigns/{mine}/targets/{t}/positions"),
]


@pytest.mark.parametrize(("method", "template"), TENANT_PATHS)
def test_a_token_never_reaches_another_coalitions_campaign_rows(
    api, campaign, theirs, method, template
):
    # given A's steward token and B's ids
    path = template.format(
        c=theirs["campaign"].pk,
        o=theirs["objective"].pk,
        m=theirs["m"].pk,
        t=theirs["target"].pk,
        mine=campaign.pk,
    )
    body = {"date": str(days(0)), "value": 13, "source": "x", "position": "acted", "evidence": "x"}
    # when
    response = api.get(path) if method == "GET" else api.post(path, body)
    # then
    assert response.status_code == 404
    assert response.json()["error"].startswith("Couldn't find")
    assert SECRET not in response.content.decode()
    assert Measurement.objects.filter(objective=theirs["objective"]).count() == 1
    assert PositionChange.objects.filter(target=theirs["target"]).count() == 1


def test_the_list_shows_only_the_tokens_campaigns(api, campaign, theirs):
    response = api.get("/campaigns")
    assert response.status_code == 200
    embedded = response.json()["_embedded"]["cairn:campaigns"]
    assert [c["name"] for c in embedded] == [campaign.name]
    assert SECRET not in response.content.decode()


@pytest.mark.parametrize("bad_id", ["abc", "0", "99999999999999999999999", "1.5", "٣"])
def test_an_id_that_cannot_be_a_row_is_404(api, bad_id):
    response = api.get(f"/campaigns/{bad_id}")
    assert response.status_code == 404
    assert "error" in response.json()


# --- reading ------------------------------------------------------------------------------------


def test_a_campaign_shows_its_horizon_phases_milestones_and_links(api, campaign):
    # given a campaign with a milestone due in a week
    phase = campaign.phases.first()
    services.add_milestone(phase=phase, title="Hearing", due_on=days(7))
    # when
    body = api.get(f"/campaigns/{campaign.pk}").json()
    # then
    assert body["name"] == "Fund the beds"
    assert body["horizon"] == {"starts_on": str(days(-100)), "ends_on": str(days(200))}
    assert body["days_left"] == 200
    assert [p["name"] for p in body["phases"]][:2] == ["Align", "Amplify"]
    assert body["phases"][0]["milestones"] == 1
    assert body["milestones"]["total"] == 1
    assert body["milestones"]["next"] == {"title": "Hearing", "due_on": str(days(7))}
    links = body["_links"]
    assert links["self"]["href"] == f"http://testserver{API}/campaigns/{campaign.pk}"
    assert links["cairn:objectives"]["href"].endswith(f"/campaigns/{campaign.pk}/objectives")
    assert links["cairn:targets"]["href"].endswith(f"/campaigns/{campaign.pk}/targets")


def test_collections_page_by_osdi_rules(api, coalition, campaign_factory):
    # given three campaigns
    for n in range(3):
        campaign_factory(coalition, name=f"Campaign {n}")
    # when
    first = api.get("/campaigns?per_page=2").json()
    second = api.get("/campaigns?per_page=2&page=2").json()
    beyond = api.get("/campaigns?per_page=2&page=3").json()
    # then
    assert (first["total_records"], first["total_pages"], first["per_page"]) == (3, 2, 2)
    assert [c["name"] for c in first["_embedded"]["cairn:campaigns"]] == [
        "Campaign 0",
        "Campaign 1",
    ]
    assert "page=2" in first["_links"]["next"]["href"]
    assert [c["name"] for c in second["_embedded"]["cairn:campaigns"]] == ["Campaign 2"]
    assert "next" not in second["_links"]
    assert beyond["_embedded"]["cairn:campaigns"] == []


def test_the_entry_point_links_the_campaigns(api):
    links = api.get("/").json()["_links"]
    assert links["cairn:campaigns"]["href"] == f"http://testserver{API}/campaigns"


def test_an_objectives_page_costs_the_same_whatever_its_size(
    api, campaign, objective_factory, django_assert_num_queries
):
    def add(n: int) -> None:
        objective = objective_factory(campaign, statement=f"Objective {n}")
        services.record_measurement(
            objective=objective, on=days(-n - 1), value=Decimal(12), source="s", recorded_by=None
        )

    # given one objective, then five
    add(0)
    url = f"/campaigns/{campaign.pk}/objectives"
    with CaptureQueriesContext(connection) as one:
        api.get(url)
    for n in range(1, 5):
        add(n)
    # when / then: the same number of queries for five
    with django_assert_num_queries(len(one)):
        response = api.get(url)
    assert response.json()["total_records"] == 5


# --- measurements -------------------------------------------------------------------------------


def test_recording_a_measurement_is_reflected_in_the_objectives_progress(api, objective):
    # given an objective from 10 to 20 beds, not measured yet
    before = api.get(f"/campaigns/{objective.campaign_id}/objectives/{objective.pk}").json()
    assert before["latest"] is None
    assert before["progress"]["percent"] == 0
    assert before["progress"]["status"] == "too_few_points"
    # when a steward's token records 15 beds yesterday
    body = {"date": str(days(-1)), "value": "15", "source": "State census", "note": "Q3"}
    response = api.post(measurements_url(objective), body)
    # then it is stored through the service, and the objective shows it
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["date"], created["value"], created["source"]) == (
        str(days(-1)),
        "15",
        "State census",
    )
    stored = Measurement.objects.get(objective=objective)
    assert (stored.value, stored.origin) == (Decimal(15), Measurement.Origin.FORM)
    after = api.get(f"/campaigns/{objective.campaign_id}/objectives/{objective.pk}").json()
    assert after["latest"] == {"value": "15", "date": str(days(-1))}
    assert after["progress"]["share"] == 0.5
    assert after["progress"]["percent"] == 50
    assert after["baseline"] == {"value": "10", "date": str(days(-90)), "source": "State census"}
    assert after["target"] == {"value": "20", "deadline": str(days(100))}
    listed = api.get(measurements_url(objective)).json()
    assert [m["value"] for m in listed["_embedded"]["cairn:measurements"]] == ["15"]


def test_the_same_measurement_again_is_a_retry_answered_200(api, objective):
    # given a measurement recorded through the API
    body = {"date": str(days(-1)), "value": 15.5, "source": "State census"}
    first = api.post(measurements_url(objective), body)
    # when the client retries it
    again = api.post(measurements_url(objective), {**body, "value": "15.5000"})
    # then the stored measurement comes back and nothing else is written
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["identifiers"] == first.json()["identifiers"]
    assert Measurement.objects.filter(objective=objective).count() == 1


def test_another_figure_for_a_recorded_day_is_409(api, objective):
    # given
    services.record_measurement(
        objective=objective, on=days(-1), value=Decimal(15), source="Census", recorded_by=None
    )
    # when
    body = {"date": str(days(-1)), "value": 16, "source": "Census"}
    response = api.post(measurements_url(objective), body)
    # then
    assert response.status_code == 409
    assert "already a measurement" in response.json()["error"]
    assert list(Measurement.objects.values_list("value", flat=True)) == [Decimal(15)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": "abc"}, "value"),
        ({"value": True}, "value"),
        ({"value": None}, "value"),
        ({"value": "NaN"}, "value"),
        ({"value": "1.00001"}, "value"),  # more decimals than the form takes
        ({"value": 1e20}, "value"),  # more digits than the column holds
        ({"date": "2026-02-30"}, "date"),
        ({"date": "yesterday"}, "date"),
        ({"date": 20260101}, "date"),
        ({"date": str(days(1))}, "future"),
        ({"date": str(days(-91))}, "baseline"),
        ({"source": "   "}, "source"),
        ({"source": "x" * 501}, "source"),
    ],
)
def test_bad_input_is_a_400_in_json_and_records_nothing(api, objective, body, field):
    # given a valid body with one field made wrong
    payload = {"date": str(days(-1)), "value": "12", "source": "Census", **body}
    # when
    response = api.post(measurements_url(objective), payload)
    # then
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert field in response.json()["error"].lower()
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", ""])
def test_a_body_that_is_not_an_object_is_400(api, objective, raw):
    response = api.post(measurements_url(objective), raw)
    assert response.status_code == 400
    assert not Measurement.objects.exists()


# --- decision targets ---------------------------------------------------------------------------


def test_targets_show_their_current_position(api, target):
    body = api.get(f"/campaigns/{target.campaign_id}/targets").json()
    [row] = body["_embedded"]["cairn:targets"]
    assert row["decision_maker"]["name"] == "Senator Ames"
    assert (row["position"], row["position_date"], row["ask"]) == (
        "opposed",
        str(days(-10)),
        "Vote yes on SB 12",
    )
    assert row["_links"]["cairn:positions"]["href"].endswith(positions_url(target))


def test_recording_a_position_changes_the_targets_current_position(api, target):
    # when
    body = {"position": "supportive", "date": str(days(-1)), "evidence": "Said so on radio."}
    response = api.post(positions_url(target), body)
    # then
    assert response.status_code == 201, response.content
    assert response.json()["position"] == "supportive"
    current = api.get(f"/campaigns/{target.campaign_id}/targets/{target.pk}").json()
    assert (current["position"], current["position_date"]) == ("supportive", str(days(-1)))
    history = api.get(positions_url(target)).json()["_embedded"]["cairn:positions"]
    assert [h["position"] for h in history] == ["opposed", "supportive"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"position": "enthusiastic"}, "position"),
        ({"date": str(days(1))}, "on"),
        ({"date": "2026-13-01"}, "on"),
        ({"evidence": " "}, "evidence"),
    ],
)
def test_a_bad_position_is_400_and_changes_nothing(api, target, body, field):
    payload = {"position": "supportive", "date": str(days(-1)), "evidence": "Radio", **body}
    response = api.post(positions_url(target), payload)
    assert response.status_code == 400
    assert field in response.json()["error"].lower()
    assert PositionChange.objects.filter(target=target).count() == 1


# --- who may write ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("steward", True),
        ("operator", True),  # a token without a creator acts as the coalition's stewards
        ("organizer", False),
        ("viewer", False),
        ("former", False),  # the creator no longer has a role in the coalition
    ],
)
@pytest.mark.parametrize("write", ["measurement", "position"])
def test_role_matrix_for_writes(
    coalition, objective, target, staff_factory, membership_factory, user_factory, who, allowed,
    write,
):  # fmt: skip
    # given a token created by someone of that role
    if who == "operator":
        api = token_for(coalition)
    elif who == "former":
        staff = staff_factory(coalition, Role.STEWARD)
        api = token_for(coalition, staff)
        staff.delete()
    else:
        role = {"steward": Role.STEWARD, "organizer": Role.ORGANIZER, "viewer": Role.VIEWER}[who]
        member = membership_factory(coalition) if role == Role.ORGANIZER else None
        api = token_for(coalition, staff_factory(coalition, role, membership=member))
    before = (Measurement.objects.count(), PositionChange.objects.count())
    # when
    if write == "measurement":
        body = {"date": str(days(-1)), "value": 12, "source": "Census"}
        response = api.post(measurements_url(objective), body)
    else:
        body = {"position": "acted", "date": str(days(-1)), "evidence": "Voted yes."}
        response = api.post(positions_url(target), body)
    # then
    if allowed:
        assert response.status_code == 201, response.content
    else:
        assert response.status_code == 403
        assert "error" in response.json()
        assert (Measurement.objects.count(), PositionChange.objects.count()) == before
