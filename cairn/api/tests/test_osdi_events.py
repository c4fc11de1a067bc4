"""OSDI events, attendances and event campaigns: create/update/list events (time zones, Parsons'
naive dates and form bodies), the record-attendance helper (idempotent, capacity and waiting
list), attendance updates (cancel, check in), event campaigns with their events and attendances,
roles, and tenant scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cairn.api import services as api_services
from cairn.coalitions.models import Role
from cairn.events.models import Attendance, Event, EventCampaign
from cairn.people.models import Person, Tagging
from cairn.people.services import create_tag

from .conftest import OsdiClient

NEXT_YEAR = dt.datetime.now(dt.UTC).year + 1


def an_id(body: dict[str, Any]) -> str:
    return body["identifiers"][0].split(":", 1)[1]


def rsvp_of(email: str, **person: Any) -> dict[str, Any]:
    return {
        "person": {
            "given_name": person.pop("given_name", "Ana"),
            "family_name": "Lima",
            "email_addresses": [{"address": email}],
            **person,
        }
    }


@pytest.fixture
def host(coalition, membership_factory):
    return membership_factory(coalition, name="Harbor House")


@pytest.fixture
def lobby_day(osdi) -> dict[str, Any]:
    response = osdi.post(
        "/api/v2/events",
        {
            "title": "Lobby day",
            "description": "<p>Meet your senator</p><script>x()</script>",
            "start_date": f"{NEXT_YEAR}-03-14 09:30:00",
            "end_date": f"{NEXT_YEAR}-03-14T16:00:00-04:00",
            "time_zone": "America/New_York",
            "capacity": 2,
            "location": {
                "venue": "State House",
                "address_lines": ["24 Beacon St"],
                "locality": "Boston",
                "region": "MA",
                "postal_code": "02133",
                "country": "us",
                "location": {"latitude": 42.3588, "longitude": -71.0638},
            },
        },
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_an_event_is_created_in_its_time_zone_and_answered_in_utc(osdi, lobby_day):
    event = Event.objects.get(uuid=an_id(lobby_day))
    # 09:30 in Boston in March (after the DST change: UTC-4) is 13:30 UTC
    assert event.starts_at == dt.datetime(NEXT_YEAR, 3, 14, 13, 30, tzinfo=dt.UTC)
    assert event.ends_at == dt.datetime(NEXT_YEAR, 3, 14, 20, 0, tzinfo=dt.UTC)
    assert (event.time_zone, event.capacity, event.country) == ("America/New_York", 2, "US")
    assert "<script>" not in event.description
    assert lobby_day["start_date"] == f"{NEXT_YEAR}-03-14T13:30:00Z"
    assert lobby_day["time_zone"] == "America/New_York"
    assert lobby_day["location"]["address_lines"] == ["24 Beacon St"]
    assert lobby_day["location"]["location"] == {"latitude": 42.3588, "longitude": -71.0638}
    assert (lobby_day["total_accepted"], lobby_day["status"]) == (0, "confirmed")
    assert lobby_day["identifiers"][0] == f"action_network:{event.uuid}"
    assert lobby_day["created_date"] == lobby_day["modified_date"]
    links = lobby_day["_links"]
    assert links["self"]["href"] == f"http://testserver/api/v2/events/{event.uuid}"
    assert links["osdi:attendances"]["href"] == links["self"]["href"] + "/attendances"
    assert links["osdi:record_attendance_helper"] == links["osdi:attendances"]
    assert osdi.get(f"/api/v2/events/{event.uuid}/").json() == lobby_day


def test_parsons_naive_dates_and_form_updates(osdi):
    # Parsons' create_event: JSON with a naive "YYYY-MM-DD HH:MM:SS" (read in UTC by default)
    made = osdi.post(
        "/api/v2/events", {"title": "Town hall", "start_date": f"{NEXT_YEAR}-06-01 18:00:00"}
    ).json()
    assert made["start_date"] == f"{NEXT_YEAR}-06-01T18:00:00Z"
    assert (made["time_zone"], made["capacity"]) == ("UTC", 0)
    # Parsons' update_event sends a form: numbers and text arrive as text
    response = osdi.put(
        f"/api/v2/events/{an_id(made)}",
        "title=Town+hall+%28moved%29&capacity=40&time_zone=Europe%2FParis",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    event = Event.objects.get(uuid=an_id(made))
    assert (event.title, event.capacity, event.time_zone) == (
        "Town hall (moved)",
        40,
        "Europe/Paris",
    )
    assert event.starts_at == dt.datetime(NEXT_YEAR, 6, 1, 18, 0, tzinfo=dt.UTC)  # unchanged
    assert response.json()["modified_date"] >= made["modified_date"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"title": "No date"}, "needs a start_date"),
        ({"start_date": f"{NEXT_YEAR}-01-01 10:00:00"}, "needs a title"),
        ({"title": "x", "start_date": "tomorrow"}, "start_date must be a date"),
        ({"title": "x", "start_date": f"{NEXT_YEAR}-01-01", "time_zone": "Mars/Olympus"}, "zone"),
        (
            {"title": "x", "start_date": f"{NEXT_YEAR}-03-14 02:30:00", "time_zone": "US/Eastern"},
            "does not exist",
        ),
        (
            {"title": "x", "start_date": f"{NEXT_YEAR}-01-02", "end_date": f"{NEXT_YEAR}-01-01"},
            "before",
        ),
        ({"title": "x", "start_date": f"{NEXT_YEAR}-01-01", "capacity": -1}, "Invalid"),
        ({"title": "x", "start_date": f"{NEXT_YEAR}-01-01", "status": "won"}, "Invalid"),
    ],
)
def test_bad_events_are_refused_saying_why(osdi, body, says):
    response = osdi.post("/api/v2/events", body)
    assert response.status_code == 400
    assert says in response.json()["error"]
    assert not Event.objects.exists()


def test_rsvps_are_once_per_person_and_respect_capacity(osdi, lobby_day, coalition):
    eid = an_id(lobby_day)
    create_tag(coalition=coalition, name="Lobbyist")
    path = f"/api/v2/events/{eid}/attendances"
    # given two RSVPs (one sent twice, as a retry) and a linked person
    first = osdi.post(path, {**rsvp_of("ana@example.org"), "add_tags": ["Lobbyist"]}).json()
    again = osdi.post(path, rsvp_of("ANA@example.org ")).json()
    assert an_id(again) == an_id(first)
    bea = osdi.post("/api/v2/people", rsvp_of("bea@example.org", given_name="Bea")).json()
    href = f"https://actionnetwork.org/api/v2/people/{an_id(bea)}"
    second = osdi.post(path, {"_links": {"osdi:person": {"href": href}}}).json()
    # when a third comes beyond the capacity of two
    third = osdi.post(path, rsvp_of("cy@example.org", given_name="Cy")).json()
    # then the first two go, the third waits
    assert (first["status"], second["status"], third["status"]) == (
        "accepted",
        "accepted",
        "tentative",
    )
    assert third["cairn:status"] == "waitlisted"
    assert second["_links"]["osdi:person"]["href"].endswith(f"/people/{an_id(bea)}")
    assert first["_links"]["osdi:event"]["href"] == lobby_day["_links"]["self"]["href"]
    assert Attendance.objects.count() == 3
    assert osdi.get(f"/api/v2/events/{eid}").json()["total_accepted"] == 2
    ana = Person.objects.get(emails__canonical="ana@example.org")
    assert Tagging.objects.filter(person=ana, tag__name="Lobbyist").count() == 1
    # when the first cancels (Parsons sends a form), the waiting list moves
    cancelled = osdi.put(
        f"{path}/{an_id(first)}",
        "status=declined",
        content_type="application/x-www-form-urlencoded",
    ).json()
    assert cancelled["status"] == "declined"
    assert osdi.get(f"{path}/{an_id(third)}").json()["status"] == "accepted"
    # and a check-in marks the attendee as attended
    checked = osdi.put(f"{path}/{an_id(second)}", {"attended": True}).json()
    assert (checked["status"], checked["attended"], checked["cairn:status"]) == (
        "accepted",
        True,
        "attended",
    )
    assert Attendance.objects.get(uuid=an_id(second)).checked_in_at is not None


def test_attendances_list_by_event_and_by_person_with_pages_and_filters(osdi, lobby_day, host):
    eid = an_id(lobby_day)
    osdi.put(f"/api/v2/events/{eid}", {"capacity": 0})  # unlimited
    made = [
        osdi.post(f"/api/v2/events/{eid}/attendances", rsvp_of(f"p{n}@example.org")).json()
        for n in range(3)
    ]
    page = osdi.get(f"/api/v2/events/{eid}/attendances", QUERY_STRING="per_page=2&page=2").json()
    assert (page["total_records"], page["total_pages"]) == (3, 2)
    assert [an_id(a) for a in page["_embedded"]["osdi:attendances"]] == [an_id(made[2])]
    recent = osdi.get(
        f"/api/v2/events/{eid}/attendances", QUERY_STRING="filter=created_date gt '2000-01-01'"
    ).json()
    assert recent["total_records"] == 3
    person = made[1]["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1]
    theirs = osdi.get(f"/api/v2/people/{person}/attendances").json()
    assert [an_id(a) for a in theirs["_embedded"]["osdi:attendances"]] == [an_id(made[1])]
    assert osdi.get(f"/api/v2/people/{person}/attendances/{an_id(made[1])}").json() == made[1]
    assert osdi.get(f"/api/v2/people/{person}/attendances/{an_id(made[0])}").status_code == 404
    events = osdi.get("/api/v2/events", QUERY_STRING="filter=title eq 'lobby day'").json()
    assert [e["title"] for e in events["_embedded"]["osdi:events"]] == ["Lobby day"]
    assert events["_embedded"]["osdi:events"][0]["total_accepted"] == 3


def test_an_attendance_needs_a_person(osdi, lobby_day):
    path = f"/api/v2/events/{an_id(lobby_day)}/attendances"
    for body in ({}, {"person": {"given_name": "Nobody"}}, "_links=osdi:person"):
        response = osdi.post(path, body)
        assert response.status_code == 400, response.content
    assert not Attendance.objects.exists()
    assert not Person.objects.exists()


def test_event_campaigns_hold_events_and_their_attendances(osdi):
    # Parsons' create_event_campaign sends its payload as the query string
    response = osdi.post(
        "/api/v2/event_campaigns", QUERY_STRING="title=Day+of+action&origin_system=Parsons"
    )
    assert response.status_code == 200, response.content
    campaign = response.json()
    cid = an_id(campaign)
    assert (campaign["title"], campaign["origin_system"], campaign["status"]) == (
        "Day of action",
        "Parsons",
        "open",
    )
    assert campaign["_links"]["osdi:events"]["href"].endswith(f"/event_campaigns/{cid}/events")
    updated = osdi.put(
        f"/api/v2/event_campaigns/{cid}",
        "description=Everywhere&host_instructions=%3Cb%3EBring+flyers%3C%2Fb%3E",
        content_type="application/x-www-form-urlencoded",
    ).json()
    assert (updated["description"], updated["host_instructions"]) == (
        "Everywhere",
        "<b>Bring flyers</b>",
    )
    made = osdi.post(
        f"/api/v2/event_campaigns/{cid}/events",
        {"title": "Rally in Worcester", "start_date": f"{NEXT_YEAR}-04-01 12:00:00"},
    ).json()
    assert made["action_network:event_campaign_id"] == cid
    assert made["_links"]["action_network:event_campaign"]["href"].endswith(cid)
    osdi.post("/api/v2/events", {"title": "Elsewhere", "start_date": f"{NEXT_YEAR}-04-02"})
    listed = osdi.get(f"/api/v2/event_campaigns/{cid}/events").json()
    assert [e["title"] for e in listed["_embedded"]["osdi:events"]] == ["Rally in Worcester"]
    path = f"/api/v2/event_campaigns/{cid}/events/{an_id(made)}/attendances"
    rsvp = osdi.post(path, rsvp_of("dee@example.org")).json()
    assert [an_id(a) for a in osdi.get(path).json()["_embedded"]["osdi:attendances"]] == [
        an_id(rsvp)
    ]
    got = osdi.get(f"/api/v2/event_campaigns/{cid}").json()
    assert (got["total_events"], got["total_rsvps"]) == (1, 1)
    other = osdi.get("/api/v2/events").json()["_embedded"]["osdi:events"]
    elsewhere = next(e for e in other if e["title"] == "Elsewhere")
    wrong = f"/api/v2/event_campaigns/{cid}/events/{an_id(elsewhere)}/attendances"
    assert osdi.get(wrong).status_code == 404
    assert osdi.get("/api/v2/event_campaigns").json()["total_records"] == 1


def test_an_organizer_token_hosts_its_own_events_only(
    coalition, host, membership_factory, staff_factory
):
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=host)
    token = api_services.create_token(coalition=coalition, name="org", created_by=organizer.user)
    client = OsdiClient(token.raw)
    made = client.post("/api/v2/events", {"title": "Ours", "start_date": f"{NEXT_YEAR}-05-01"})
    assert made.status_code == 200, made.content
    assert Event.objects.get(uuid=an_id(made.json())).host == host
    assert client.post("/api/v2/event_campaigns", {"title": "Not ours"}).status_code == 403
    # an event another member hosts is not theirs to change
    steward = staff_factory(coalition, Role.STEWARD, membership=membership_factory(coalition))
    theirs_token = api_services.create_token(coalition=coalition, name="s", created_by=steward.user)
    theirs = OsdiClient(theirs_token.raw).post(
        "/api/v2/events", {"title": "Theirs", "start_date": f"{NEXT_YEAR}-05-02"}
    )
    refused = client.put(f"/api/v2/events/{an_id(theirs.json())}", {"title": "Hijacked"})
    assert refused.status_code == 403
    assert Event.objects.get(uuid=an_id(theirs.json())).title == "Theirs"
    assert not EventCampaign.objects.exists()


def test_a_token_never_sees_nor_changes_another_coalitions_events(
    osdi, lobby_day, coalition_factory
):
    # given coalition B with an event campaign, an event in it and an RSVP
    b = coalition_factory()
    b_client = OsdiClient(api_services.create_token(coalition=b, name="b", created_by=None).raw)
    b_campaign = an_id(b_client.post("/api/v2/event_campaigns", {"title": "B's day"}).json())
    b_event = an_id(
        b_client.post(
            f"/api/v2/event_campaigns/{b_campaign}/events",
            {"title": "B's event", "start_date": f"{NEXT_YEAR}-07-01"},
        ).json()
    )
    b_rsvp = b_client.post(f"/api/v2/events/{b_event}/attendances", rsvp_of("b@example.org"))
    b_att = an_id(b_rsvp.json())
    b_person = b_rsvp.json()["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1]
    a_event = an_id(lobby_day)
    before = list(Attendance.objects.values_list("pk", "status", "modified_at"))
    # when A's token reads, lists and writes them
    listed = osdi.get("/api/v2/events").json()["_embedded"]["osdi:events"]
    assert [e["title"] for e in listed] == ["Lobby day"]
    assert osdi.get("/api/v2/event_campaigns").json()["total_records"] == 0
    for response in (
        osdi.get(f"/api/v2/events/{b_event}"),
        osdi.put(f"/api/v2/events/{b_event}", {"title": "Hijacked"}),
        osdi.get(f"/api/v2/events/{b_event}/attendances"),
        osdi.post(f"/api/v2/events/{b_event}/attendances", rsvp_of("a@example.org")),
        osdi.get(f"/api/v2/events/{b_event}/attendances/{b_att}"),
        osdi.put(f"/api/v2/events/{b_event}/attendances/{b_att}", {"status": "declined"}),
        osdi.get(f"/api/v2/events/{a_event}/attendances/{b_att}"),
        osdi.put(f"/api/v2/events/{a_event}/attendances/{b_att}", {"status": "declined"}),
        osdi.get(f"/api/v2/people/{b_person}/attendances"),
        osdi.get(f"/api/v2/people/{b_person}/attendances/{b_att}"),
        osdi.get(f"/api/v2/event_campaigns/{b_campaign}"),
        osdi.put(f"/api/v2/event_campaigns/{b_campaign}", {"title": "Hijacked"}),
        osdi.get(f"/api/v2/event_campaigns/{b_campaign}/events"),
        osdi.post(
            f"/api/v2/event_campaigns/{b_campaign}/events",
            {"title": "Planted", "start_date": f"{NEXT_YEAR}-07-01"},
        ),
        osdi.get(f"/api/v2/event_campaigns/{b_campaign}/events/{b_event}/attendances"),
        osdi.post(
            f"/api/v2/event_campaigns/{b_campaign}/events/{b_event}/attendances",
            rsvp_of("a@example.org"),
        ),
    ):
        # then they are not found, and B's data never shows up
        assert response.status_code == 404, response.content
        assert b"B's" not in response.content
    assert list(Attendance.objects.values_list("pk", "status", "modified_at")) == before
    assert Event.objects.get(uuid=b_event).title == "B's event"
    assert EventCampaign.objects.get(uuid=b_campaign).title == "B's day"
    assert not Person.objects.filter(emails__canonical="a@example.org").exists()


def test_a_check_in_beyond_capacity_is_refused_with_409(osdi):
    event = an_id(
        osdi.post(
            "/api/v2/events",
            {"title": "Tiny", "start_date": f"{NEXT_YEAR}-02-01 10:00:00", "capacity": 1},
        ).json()
    )
    path = f"/api/v2/events/{event}/attendances"
    osdi.post(path, rsvp_of("one@example.org"))
    waiting = osdi.post(path, rsvp_of("two@example.org")).json()
    refused = osdi.put(f"{path}/{an_id(waiting)}", {"attended": "true"})
    assert refused.status_code == 409
    assert "full" in refused.json()["error"]
    assert Attendance.objects.get(uuid=an_id(waiting)).status == Attendance.Status.WAITLISTED


def test_lists_read_a_page_in_the_same_number_of_queries_whatever_its_size(osdi):
    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert osdi.get(path).status_code == 200
        return len(captured.captured_queries)

    campaign = an_id(osdi.post("/api/v2/event_campaigns", {"title": "Day"}).json())
    first = osdi.post(
        f"/api/v2/event_campaigns/{campaign}/events",
        {"title": "E0", "start_date": f"{NEXT_YEAR}-08-01"},
    ).json()
    osdi.post(f"/api/v2/events/{an_id(first)}/attendances", rsvp_of("q0@example.org"))
    one = [queries(p) for p in ("/api/v2/events", f"/api/v2/events/{an_id(first)}/attendances")]
    for n in range(1, 4):
        made = osdi.post(
            f"/api/v2/event_campaigns/{campaign}/events",
            {"title": f"E{n}", "start_date": f"{NEXT_YEAR}-08-01"},
        ).json()
        osdi.post(f"/api/v2/events/{an_id(made)}/attendances", rsvp_of(f"q{n}@example.org"))
        osdi.post(f"/api/v2/events/{an_id(first)}/attendances", rsvp_of(f"r{n}@example.org"))
    four = [queries(p) for p in ("/api/v2/events", f"/api/v2/events/{an_id(first)}/attendances")]
    assert four == one


def test_a_past_events_attendances_are_recorded_as_history_and_email_nobody(
    osdi, client, django_capture_on_commit_callbacks
):
    # given an event that ended last year, with a place for one
    last_year = NEXT_YEAR - 2
    made = osdi.post(
        "/api/v2/events",
        {"title": "Old rally", "start_date": f"{last_year}-05-01 10:00:00", "capacity": 1},
    )
    assert made.status_code == 200, made.content
    event = Event.objects.get(uuid=an_id(made.json()))
    path = f"/api/v2/events/{event.uuid}/attendances"
    # when a client imports two attendances (one retried) and checks the first in
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = osdi.post(path, rsvp_of("then@example.org"))
        again = osdi.post(path, rsvp_of("then@example.org"))
        second = osdi.post(path, rsvp_of("late@example.org", given_name="Lou"))
        checked = osdi.put(f"{path}/{an_id(first.json())}", {"attended": True})
    # then they are recorded under the capacity rule, the first checked in, nobody emailed
    assert first.status_code == second.status_code == checked.status_code == 200, first.content
    assert an_id(again.json()) == an_id(first.json())
    assert (first.json()["status"], second.json()["status"]) == ("accepted", "tentative")
    assert checked.json()["attended"] is True
    assert callbacks == []
    assert Attendance.objects.filter(event=event).count() == 2
    # the public RSVP form still refuses the past event
    page = client.post(
        f"/e/{event.slug}/rsvp/",
        {"given_name": "Pat", "email": "pat@example.org"},
    )
    assert page.status_code == 422
    assert b"no longer takes RSVPs" in page.content
    assert Attendance.objects.filter(event=event).count() == 2
    # and a cancelled event takes no attendance, even as a record
    cancelled = osdi.post(
        "/api/v2/events",
        {"title": "Called off", "start_date": f"{last_year}-06-01 10:00:00", "status": "cancelled"},
    ).json()
    refused = osdi.post(f"/api/v2/events/{an_id(cancelled)}/attendances", rsvp_of("x@example.org"))
    assert refused.status_code == 400, refused.content
