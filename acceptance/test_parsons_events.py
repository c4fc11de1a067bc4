"""Parsons 6.1.0's ActionNetwork connector against a live Cairn: every event, event campaign and
attendance call it makes, checked in its return values and in Cairn's database.

Parsons sends these bodies three ways: `create_event` as JSON; `create_event_campaign`,
`create_event_in_event_campaign` and `create_attendance` as a query string (nested fields travel
as bracket keys, `person[email_addresses][0][address]=…`; a nested dict loses its values on the
way and Cairn's 400 says how to send it); `update_*` as a form. Cairn's events need a time, so an
event created without `start_date` is refused with a 400 that says so.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import requests
from parsons.action_network import action_network as an_module

from conftest import an_id

YEAR = dt.datetime.now(dt.UTC).year + 1
ATTENDEES = 27  # more than a page


@pytest.fixture(scope="module")
def an(base_url, token):
    an_module.API_URL = base_url  # Parsons has no base-URL argument
    return an_module.ActionNetwork(api_token=token)


def hexid(public_id: str) -> str:
    return uuid.UUID(public_id).hex  # Django keeps UUIDs as 32 hex digits on SQLite


@pytest.fixture(scope="module")
def event(an):
    return an.create_event(
        "Lobby day at the State House",
        start_date=f"{YEAR}-03-14 09:30:00",  # str(datetime), as Parsons sends it: naive
        location={
            "venue": "State House",
            "address_lines": ["24 Beacon St"],
            "locality": "Boston",
            "region": "MA",
            "postal_code": "02133",
            "country": "US",
        },
    )


@pytest.fixture(scope="module")
def attendances(an, event):
    """27 RSVPs through Parsons' create_attendance (bracket keys), each sent twice."""
    made = []
    for n in range(ATTENDEES):
        payload = {
            "person[given_name]": f"Attendee{n:02d}",
            "person[family_name]": "Parsons",
            "person[email_addresses][0][address]": f"attendee{n:02d}@example.org",
            "referrer_data[source]": "parsons",
        }
        first = an.create_attendance(event["event_id"], payload)
        again = an.create_attendance(event["event_id"], payload)
        assert an_id(first) == an_id(again)
        made.append(first)
    return made


@pytest.fixture(scope="module")
def event_campaign(an):
    return an.create_event_campaign(
        {"title": "Day of action for crisis beds", "origin_system": "Parsons"}
    )


def test_create_event_reads_parsons_naive_date_and_location(event, db):
    assert event["event_id"] == an_id(event)
    assert event["title"] == "Lobby day at the State House"
    assert event["start_date"] == f"{YEAR}-03-14T09:30:00Z"  # no time zone given: UTC
    assert event["time_zone"] == "UTC"
    assert event["location"]["address_lines"] == ["24 Beacon St"]
    assert event["_links"]["osdi:attendances"]["href"].startswith("http://127.0.0.1:")
    row = db.rows(
        "SELECT title, starts_at, venue, locality, postal_code, country FROM events_event"
        " WHERE uuid = ?",
        hexid(event["event_id"]),
    )
    assert row == [
        (
            "Lobby day at the State House",
            f"{YEAR}-03-14 09:30:00",
            "State House",
            "Boston",
            "02133",
            "US",
        )
    ]


def test_create_event_without_a_date_is_refused_saying_why(an, db):
    before = db.value("SELECT count(*) FROM events_event")
    with pytest.raises(requests.HTTPError) as refused:
        an.create_event("Some day")
    assert "Code: 400" in str(refused.value)
    assert "needs a start_date" in str(refused.value)
    assert db.value("SELECT count(*) FROM events_event") == before


def test_get_event_and_unknown_event(an, event):
    got = an.get_event(event["event_id"])
    assert got == {k: v for k, v in event.items() if k != "event_id"}
    with pytest.raises(requests.HTTPError) as missing:
        an.get_event(str(uuid.uuid4()))
    assert "Code: 404" in str(missing.value)
    assert "Couldn't find event with id" in str(missing.value)


def test_update_event_takes_parsons_form(an, event, db):
    updated = an.update_event(
        event["event_id"],
        {
            "title": "Lobby day (moved)",
            "description": "Meet your senator",
            "capacity": 200,
            "time_zone": "America/New_York",
        },
    )
    assert (updated["title"], updated["description"], updated["capacity"]) == (
        "Lobby day (moved)",
        "Meet your senator",
        200,
    )
    assert updated["time_zone"] == "America/New_York"
    assert updated["start_date"] == event["start_date"]  # a new zone does not move the instant
    row = db.rows(
        "SELECT title, capacity, time_zone FROM events_event WHERE uuid = ?",
        hexid(event["event_id"]),
    )
    assert row == [("Lobby day (moved)", 200, "America/New_York")]


def test_get_events_pages_limits_and_filters(an, event, db):
    for n in range(26):  # more than a page of events
        an.create_event(f"Canvass {n:02d}", start_date=f"{YEAR}-05-{n % 28 + 1:02d} 10:00:00")
    everything = an.get_events()
    ids = [an_id(row) for row in everything]
    assert len(ids) == len(set(ids)) == db.value("SELECT count(*) FROM events_event") > 25
    assert event["event_id"] in ids
    assert an.get_events(limit=3).num_rows == 3
    page = an.get_events(page=2, per_page=10)
    assert page["page"] == 2
    assert len(page["_embedded"]["osdi:events"]) == 10
    found = an.get_events(filter="title eq 'Canvass 07'")
    assert [row["title"] for row in found] == ["Canvass 07"]
    with pytest.raises(requests.HTTPError) as refused:
        an.get_events(filter="title like 'x'")
    assert "Code: 400" in str(refused.value)


def test_attendances_are_recorded_once_each(event, attendances, db):
    eid = db.value("SELECT id FROM events_event WHERE uuid = ?", hexid(event["event_id"]))
    assert db.value("SELECT count(*) FROM events_attendance WHERE event_id = ?", eid) == ATTENDEES
    assert db.people_with_email("attendee07@example.org") == 1
    person = db.person(attendances[7]["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1])
    assert (person["given_name"], person["family_name"]) == ("Attendee07", "Parsons")
    assert {a["status"] for a in attendances} == {"accepted"}


def test_get_event_attendances_pages_through_all(an, event, attendances):
    everything = an.get_event_attendances(event["event_id"])
    assert sorted(an_id(r) for r in everything) == sorted(an_id(a) for a in attendances)
    assert an.get_event_attendances(event["event_id"], limit=26).num_rows == 26
    page = an.get_event_attendances(event["event_id"], page=2, per_page=25)
    assert page["total_records"] == ATTENDEES
    assert len(page["_embedded"]["osdi:attendances"]) == ATTENDEES - 25
    since = attendances[0]["created_date"]
    recent = an.get_event_attendances(event["event_id"], filter=f"created_date ge '{since}'")
    assert recent.num_rows == ATTENDEES
    assert an.get_event(event["event_id"])["total_accepted"] == ATTENDEES


def test_get_event_attendance_and_person_attendances(an, event, attendances):
    chosen = attendances[3]
    assert an.get_event_attendance(event["event_id"], an_id(chosen)) == chosen
    person_id = chosen["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1]
    theirs = an.get_person_attendances(person_id)
    assert [an_id(row) for row in theirs] == [an_id(chosen)]
    assert an.get_person_attendance(person_id, an_id(chosen)) == chosen
    with pytest.raises(requests.HTTPError) as missing:
        an.get_person_attendance(person_id, an_id(attendances[4]))
    assert "Code: 404" in str(missing.value)


def test_create_attendance_with_a_person_link(an, base_url, token, event, db):
    person = requests.post(
        f"{base_url}/people",
        json={
            "person": {"given_name": "Linked", "email_addresses": [{"address": "l@example.org"}]}
        },
        headers={"OSDI-API-Token": token},
        timeout=30,
    ).json()
    href = f"https://actionnetwork.org/api/v2/people/{an_id(person)}"  # any host: last segment
    made = an.create_attendance(event["event_id"], {"_links[osdi:person][href]": href})
    assert made["_links"]["osdi:person"]["href"].endswith(f"/people/{an_id(person)}")
    assert db.value("SELECT status FROM events_attendance WHERE uuid = ?", hexid(an_id(made))) == (
        "going"
    )


def test_create_attendance_as_parsons_documents_it_is_refused_saying_how(
    an, event, attendances, db
):
    # Parsons' docstring passes a nested dict: requests sends only its keys, the values are lost
    before = db.value("SELECT count(*) FROM events_attendance")
    href = attendances[0]["_links"]["osdi:person"]["href"]
    with pytest.raises(requests.HTTPError) as refused:
        an.create_attendance(event["event_id"], {"_links": {"osdi:person": {"href": href}}})
    assert "Code: 400" in str(refused.value)
    assert "_links[osdi:person][href]=" in str(refused.value)
    assert db.value("SELECT count(*) FROM events_attendance") == before


def test_update_attendance_cancels_and_checks_in(an, event, attendances, db):
    cancelled = an.update_attendance(
        event["event_id"], an_id(attendances[5]), {"status": "declined"}
    )
    assert (cancelled["status"], cancelled["cairn:status"]) == ("declined", "cancelled")
    checked = an.update_attendance(event["event_id"], an_id(attendances[6]), {"attended": True})
    assert (checked["status"], checked["attended"]) == ("accepted", True)
    rows = dict(
        db.rows(
            "SELECT uuid, status FROM events_attendance WHERE uuid IN (?, ?)",
            hexid(an_id(attendances[5])),
            hexid(an_id(attendances[6])),
        )
    )
    assert rows == {
        hexid(an_id(attendances[5])): "cancelled",
        hexid(an_id(attendances[6])): "attended",
    }
    assert (
        db.value(
            "SELECT checked_in_at IS NOT NULL FROM events_attendance WHERE uuid = ?",
            hexid(an_id(attendances[6])),
        )
        == 1
    )
    renewed = an.update_attendance(event["event_id"], an_id(attendances[5]), {"status": "accepted"})
    assert renewed["status"] == "accepted"


def test_a_full_event_puts_attendees_on_the_waiting_list(an):
    small = an.create_event("Small room", start_date=f"{YEAR}-09-01 18:00:00")
    an.update_event(small["event_id"], {"capacity": 1})
    first = an.create_attendance(
        small["event_id"], {"person[email_addresses][0][address]": "room1@example.org"}
    )
    second = an.create_attendance(
        small["event_id"], {"person[email_addresses][0][address]": "room2@example.org"}
    )
    assert (first["status"], second["status"]) == ("accepted", "tentative")
    an.update_attendance(small["event_id"], an_id(first), {"status": "declined"})
    assert an.get_event_attendance(small["event_id"], an_id(second))["status"] == "accepted"


def test_event_campaigns_create_get_and_update(an, event_campaign, db):
    assert event_campaign["title"] == "Day of action for crisis beds"
    assert event_campaign["origin_system"] == "Parsons"
    assert event_campaign["status"] == "open"
    cid = an_id(event_campaign)
    assert an.get_event_campaign(cid) == event_campaign
    updated = an.update_event_campaign(
        cid, {"description": "Events across the state", "host_instructions": "Bring flyers"}
    )
    assert (updated["description"], updated["host_instructions"]) == (
        "Events across the state",
        "Bring flyers",
    )
    row = db.rows(
        "SELECT title, description, host_toolkit, origin_system FROM events_eventcampaign"
        " WHERE uuid = ?",
        hexid(cid),
    )
    assert row == [
        ("Day of action for crisis beds", "Events across the state", "Bring flyers", "Parsons")
    ]
    with pytest.raises(requests.HTTPError) as missing:
        an.get_event_campaign(str(uuid.uuid4()))
    assert "Code: 404" in str(missing.value)


def test_get_event_campaigns_pages(an, event_campaign, db):
    for n in range(25):
        an.create_event_campaign({"title": f"Week of action {n:02d}"})
    everything = an.get_event_campaigns()
    ids = [an_id(row) for row in everything]
    assert len(ids) == len(set(ids)) == db.value("SELECT count(*) FROM events_eventcampaign") > 25
    assert an_id(event_campaign) in ids
    assert an.get_event_campaigns(limit=2).num_rows == 2
    assert len(an.get_event_campaigns(page=1, per_page=5)["_embedded"]["osdi:event_campaigns"]) == 5
    found = an.get_event_campaigns(filter="title eq 'Week of action 03'")
    assert [row["title"] for row in found] == ["Week of action 03"]


def test_events_in_an_event_campaign(an, event_campaign, db):
    cid = an_id(event_campaign)
    hosted = [
        an.create_event_in_event_campaign(
            cid,
            {
                "title": f"Rally {n}",
                "origin_system": "Parsons",
                "start_date": f"{YEAR}-04-0{n + 1} 12:00:00",
                "time_zone": "America/New_York",
            },
        )
        for n in range(3)
    ]
    assert [e["action_network:event_campaign_id"] for e in hosted] == [cid] * 3
    assert hosted[0]["start_date"] == f"{YEAR}-04-01T16:00:00Z"  # noon in Boston (EDT)
    listed = an.get_event_campaign_events(cid)
    assert sorted(an_id(r) for r in listed) == sorted(an_id(e) for e in hosted)
    assert an.get_event_campaign_events(cid, limit=2).num_rows == 2
    page = an.get_event_campaign_events(cid, page=1, per_page=2)
    assert page["total_records"] == 3
    an.create_attendance(
        an_id(hosted[0]), {"person[email_addresses][0][address]": "rally@example.org"}
    )
    got = an.get_event_campaign(cid)
    assert (got["total_events"], got["total_rsvps"]) == (3, 1)
    campaign_pk = db.value("SELECT id FROM events_eventcampaign WHERE uuid = ?", hexid(cid))
    assert (
        db.value("SELECT count(*) FROM events_event WHERE event_campaign_id = ?", campaign_pk) == 3
    )
    with pytest.raises(requests.HTTPError) as refused:
        an.create_event_in_event_campaign(cid, {"title": "No date", "origin_system": "Parsons"})
    assert "Code: 400" in str(refused.value)
    assert "needs a start_date" in str(refused.value)
