"""The `osdi` 0.3.1 client against a live Cairn for actions: events with their attendances, event
campaigns with their events, advocacy campaigns with their outreaches. The client has no methods
named for these resources; it reaches them as it reaches any OSDI resource, and these are the
calls a script built on it makes: `get_model`/`get_model_raw` (collections followed across pages
by their `next` links), `_get_request`, `_post_request` (JSON, to a path or to a helper's
absolute link), `_put_request`, and a model's `get_linked_collection` and `link`."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from osdi.action_network.service import ActionNetworkService
from osdi.base import service as osdi_service
from osdi.base.model import ActionModel

from conftest import an_id

YEAR = dt.datetime.now(dt.UTC).year + 1


class EventModel(ActionModel):
    def __init__(self, service, data):
        super().__init__(service, data, "events")


class EventCampaignModel(ActionModel):
    def __init__(self, service, data):
        super().__init__(service, data, "event_campaigns")


class AdvocacyCampaignModel(ActionModel):
    def __init__(self, service, data):
        super().__init__(service, data, "advocacy_campaigns")


@pytest.fixture(autouse=True)
def no_retries(monkeypatch):
    # osdi retries a 5xx or a connection error for ~17 minutes; here a failure must be quick.
    monkeypatch.setattr(osdi_service, "retry_with_backoff", lambda fn, **kw: fn())


@pytest.fixture
def service(base_url, token):
    return ActionNetworkService(base_url, token)


def person(unique: str, n: int) -> dict:
    return {
        "person": {
            "given_name": f"Osdi{n:02d}",
            "family_name": "Client",
            "email_addresses": [{"address": f"{unique}.osdi{n:02d}@example.org"}],
        }
    }


def test_events_and_their_attendances(service, unique, db):
    # given an event the client creates, with more RSVPs than a page holds
    raw = service._post_request(
        "events",
        {
            "title": f"{unique} canvass",
            "start_date": f"{YEAR}-10-03T10:00:00-04:00",
            "time_zone": "America/New_York",
            "location": {"venue": "Library", "locality": "Cambridge", "region": "MA"},
        },
    )
    event = EventModel(service, raw)
    assert event.id == an_id(raw)
    assert event.link() == f"events/{event.id}"
    assert raw["start_date"] == f"{YEAR}-10-03T14:00:00Z"
    helper = raw["_links"]["osdi:record_attendance_helper"]["href"]
    made = [service._post_request(helper, person(unique, n), is_full=True) for n in range(27)]
    again = service._post_request(f"{event.link()}/attendances", person(unique, 3))
    assert an_id(again) == an_id(made[3])  # a retry is the same attendance
    # when it reads them through the event's link, page after page
    fresh = EventModel(service, service._get_request(event.link()))
    attendances = fresh.get_linked_collection("osdi:attendances")
    # then it gets every one, once
    assert sorted(an_id(a) for a in attendances) == sorted(an_id(a) for a in made)
    assert fresh.raw_data["total_accepted"] == 27
    key = uuid.UUID(event.id).hex
    assert (
        db.value(
            "SELECT count(*) FROM events_attendance a JOIN events_event e ON e.id = a.event_id"
            " WHERE e.uuid = ?",
            key,
        )
        == 27
    )
    # and it changes the event with a PUT of JSON
    changed = service._put_request(event.link(), data={"capacity": 30, "status": "tentative"})
    assert (changed["capacity"], changed["status"]) == (30, "tentative")
    assert db.rows("SELECT capacity, status FROM events_event WHERE uuid = ?", key) == [
        (30, "tentative")
    ]
    # and a cancelled RSVP says so
    cancelled = service._put_request(
        f"{event.link()}/attendances/{an_id(made[0])}", data={"status": "declined"}
    )
    assert cancelled["status"] == "declined"
    # the collection of events holds it, with every other event
    everything = service.get_model("events", "osdi:events", EventModel)
    assert event.id in {e.id for e in everything}
    assert len(everything) == db.value("SELECT count(*) FROM events_event")


def test_a_missing_event_is_an_error_not_a_retry(service):
    with pytest.raises(osdi_service.ActionError, match="404"):
        service._get_request(f"events/{uuid.uuid4()}")
    with pytest.raises(osdi_service.ActionError, match="400"):
        service._post_request("events", {"title": "No date"})


def test_event_campaigns_and_their_events(service, unique, db):
    raw = service._post_request("event_campaigns", {"title": f"{unique} day of action"})
    campaign = EventCampaignModel(service, raw)
    for n in range(26):
        service._post_request(
            f"{campaign.link()}/events",
            {"title": f"{unique} rally {n:02d}", "start_date": f"{YEAR}-11-01 12:00:00"},
        )
    events = campaign.get_linked_collection("osdi:events")
    assert sorted(e["title"] for e in events) == [f"{unique} rally {n:02d}" for n in range(26)]
    campaigns = service.get_model("event_campaigns", "osdi:event_campaigns", EventCampaignModel)
    assert campaign.id in {c.id for c in campaigns}
    changed = service._put_request(campaign.link(), data={"host_instructions": "Bring water"})
    assert changed["host_instructions"] == "Bring water"
    assert changed["total_events"] == 26
    key = uuid.UUID(campaign.id).hex
    assert db.value("SELECT host_toolkit FROM events_eventcampaign WHERE uuid = ?", key) == (
        "Bring water"
    )


def test_advocacy_campaigns_and_their_outreaches(service, unique, db):
    raw = service._post_request(
        "advocacy_campaigns",
        {
            "title": f"{unique} letters",
            "targets": [{"name": f"{unique} Senator", "title": "State Senator"}],
            "letter_body": "Dear {target}, fund the beds. {name}",
        },
    )
    campaign = AdvocacyCampaignModel(service, raw)
    helper = raw["_links"]["osdi:record_outreach_helper"]["href"]
    made = [service._post_request(helper, person(unique, n), is_full=True) for n in range(26)]
    again = service._post_request(f"{campaign.link()}/outreaches", person(unique, 5))
    assert an_id(again) == an_id(made[5])  # a retry is the same letter, sent once
    fresh = AdvocacyCampaignModel(service, service._get_request(campaign.link()))
    outreaches = fresh.get_linked_collection("osdi:outreaches")
    assert sorted(an_id(o) for o in outreaches) == sorted(an_id(o) for o in made)
    assert fresh.raw_data["total_outreaches"] == 26
    assert {t["name"] for o in outreaches for t in o["targets"]} == {f"{unique} Senator"}
    key = uuid.UUID(campaign.id).hex
    assert (
        db.value(
            "SELECT count(*) FROM advocacy_delivery d"
            " JOIN advocacy_advocacycampaign c ON c.id = d.advocacy_campaign_id WHERE c.uuid = ?",
            key,
        )
        == 26
    )
    # the person's own outreaches, through their link
    person_href = made[0]["_links"]["osdi:person"]["href"]
    theirs = service._get_all("osdi:outreaches", f"{person_href}/outreaches")
    assert [an_id(o) for o in theirs] == [an_id(made[0])]
    changed = service._put_request(campaign.link(), data={"description": "Write today"})
    assert changed["description"] == "<p>Write today</p>"  # stored as sanitized HTML
    everything = service.get_model_raw("advocacy_campaigns", "osdi:advocacy_campaigns")
    assert campaign.id in {an_id(c) for c in everything}
