"""Parsons 6.1.0's ActionNetwork connector against a live Cairn: every advocacy campaign and
outreach call it makes, checked in its return values and in Cairn's database.

Parsons cannot create an advocacy campaign: the campaign is made with a JSON POST as Action
Network documents it. Outreaches go through Parsons' `create_outreach`, which sends its payload
as a query string: nested fields as bracket keys (`person[email_addresses][0][address]`,
`targets[0][family_name]`); a nested dict loses its values on the way and Cairn's 400 says how to
send it. As in Action Network, an outreach posted over the API is a record of one made
elsewhere: it is counted and its deliveries are marked done, and no office is written to (Cairn's
`deliver=true` asks for delivery; the unit tests cover it). A retried POST returns the first
outreach.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from parsons.action_network import action_network as an_module

from conftest import an_id

WRITERS = 27  # more than a page


@pytest.fixture(scope="module")
def an(base_url, token):
    an_module.API_URL = base_url  # Parsons has no base-URL argument
    return an_module.ActionNetwork(api_token=token)


def hexid(public_id: str) -> str:
    return uuid.UUID(public_id).hex  # Django keeps UUIDs as 32 hex digits on SQLite


def post(base_url: str, token: str, path: str, body: dict) -> requests.Response:
    return requests.post(
        f"{base_url}/{path}", json=body, headers={"OSDI-API-Token": token}, timeout=30
    )


@pytest.fixture(scope="module")
def campaign(base_url, token):
    response = post(
        base_url,
        token,
        "advocacy_campaigns",
        {
            "title": "Tell your state senator: fund 40 crisis beds",
            "description": "<p>Boarding in the ER costs lives.</p>",
            "origin_system": "Acceptance",
            "kind": "both",
            "letter_subject": "Fund 40 crisis beds",
            "letter_body": "Dear {target},\n\nPlease fund 40 crisis beds.\n\n{name}",
            "targets": [
                {
                    "name": "Sen. Ana Holloway",
                    "title": "Majority Leader",
                    "office_email": "holloway@senate.example.org",
                    "office_phone": "+16175550100",
                },
                {"given_name": "Raj", "family_name": "Patel", "title": "Minority Leader"},
            ],
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


def writer(n: int) -> dict:
    return {
        "person[given_name]": f"Writer{n:02d}",
        "person[family_name]": "Parsons",
        "person[email_addresses][0][address]": f"writer{n:02d}@example.org",
        "subject": f"Beds now ({n:02d})",
        "message": f"Dear Senator, please fund the beds. Writer {n:02d}",
        "referrer_data[source]": "parsons",
    }


@pytest.fixture(scope="module")
def outreaches(an, campaign):
    """27 letters through Parsons' create_outreach, each sent twice (a client's retry)."""
    made = []
    for n in range(WRITERS):
        first = an.create_outreach(an_id(campaign), writer(n))
        again = an.create_outreach(an_id(campaign), writer(n))
        assert an_id(first) == an_id(again)
        made.append(first)
    return made


def test_the_campaign_is_open_with_its_targets(campaign, db):
    assert campaign["status"] == "open"
    assert [(t["name"], t["title"]) for t in campaign["targets"]] == [
        ("Raj Patel", "Minority Leader"),
        ("Sen. Ana Holloway", "Majority Leader"),
    ]
    assert campaign["targets"][0]["family_name"] == "Patel"
    assert campaign["_links"]["osdi:record_outreach_helper"]["href"].startswith("http://127.0.0.1:")
    pk = db.value("SELECT id FROM advocacy_advocacycampaign WHERE uuid = ?", hexid(an_id(campaign)))
    assert (
        db.value("SELECT count(*) FROM advocacy_advocacytarget WHERE advocacy_campaign_id = ?", pk)
        == 2
    )


def test_letters_are_recorded_once_and_delivered_once_per_target(campaign, outreaches, db):
    pk = db.value("SELECT id FROM advocacy_advocacycampaign WHERE uuid = ?", hexid(an_id(campaign)))
    assert db.value(
        "SELECT count(*) FROM advocacy_outreach WHERE advocacy_campaign_id = ?", pk
    ) == (WRITERS)
    channels = db.rows(
        "SELECT channel, status, count(*) FROM advocacy_delivery WHERE advocacy_campaign_id = ?"
        " GROUP BY channel, status ORDER BY channel",
        pk,
    )
    # recorded as made elsewhere: the email to the office that has one counted as sent (and
    # not queued for the worker), the printed letter to the other as delivered
    assert channels == [("email", "sent", WRITERS), ("print", "delivered", WRITERS)]
    assert db.people_with_email("writer07@example.org") == 1
    chosen = outreaches[7]
    assert (chosen["type"], chosen["subject"]) == ("email", "Beds now (07)")
    assert sorted(t["name"] for t in chosen["targets"]) == ["Raj Patel", "Sen. Ana Holloway"]
    assert chosen["action_network:referrer_data"]["source"] == "parsons"
    person = db.person(chosen["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1])
    assert (person["given_name"], person["family_name"]) == ("Writer07", "Parsons")


def test_get_advocacy_campaign_and_unknown_one(an, campaign, outreaches):
    got = an.get_advocacy_campaign(an_id(campaign))
    assert got["title"] == campaign["title"]
    assert got["total_outreaches"] == WRITERS
    assert got["targets"] == campaign["targets"]
    with pytest.raises(requests.HTTPError) as missing:
        an.get_advocacy_campaign(str(uuid.uuid4()))
    assert "Code: 404" in str(missing.value)
    assert "Couldn't find advocacy campaign with id" in str(missing.value)


def test_get_advocacy_campaigns_pages_limits_and_filters(an, base_url, token, campaign, db):
    for n in range(25):  # more than a page of campaigns
        made = post(base_url, token, "advocacy_campaigns", {"title": f"Call-in day {n:02d}"})
        assert made.status_code == 200, made.text
    everything = an.get_advocacy_campaigns()
    ids = [an_id(row) for row in everything]
    total = db.value("SELECT count(*) FROM advocacy_advocacycampaign")
    assert len(ids) == len(set(ids)) == total > 25
    assert an_id(campaign) in ids
    assert an.get_advocacy_campaigns(limit=3).num_rows == 3
    page = an.get_advocacy_campaigns(page=2, per_page=10)
    assert page["page"] == 2
    assert len(page["_embedded"]["osdi:advocacy_campaigns"]) == 10
    found = an.get_advocacy_campaigns(filter="title eq 'Call-in day 07'")
    assert [row["title"] for row in found] == ["Call-in day 07"]
    with pytest.raises(requests.HTTPError) as refused:
        an.get_advocacy_campaigns(filter="targets eq 'x'")
    assert "Code: 400" in str(refused.value)


def test_get_advocacy_campaign_outreaches_pages_through_all(an, campaign, outreaches):
    cid = an_id(campaign)
    everything = an.get_advocacy_campaign_outreaches(cid)
    assert sorted(an_id(r) for r in everything) == sorted(an_id(o) for o in outreaches)
    assert an.get_advocacy_campaign_outreaches(cid, limit=26).num_rows == 26
    page = an.get_advocacy_campaign_outreaches(cid, page=2, per_page=25)
    assert page["total_records"] == WRITERS
    assert len(page["_embedded"]["osdi:outreaches"]) == WRITERS - 25
    since = outreaches[0]["created_date"]
    recent = an.get_advocacy_campaign_outreaches(cid, filter=f"created_date ge '{since}'")
    assert recent.num_rows == WRITERS


def test_get_outreach_under_its_campaign_and_its_person(an, campaign, outreaches):
    chosen = outreaches[3]
    assert an.get_advocacy_campaign_outreach(an_id(campaign), an_id(chosen)) == chosen
    person_id = chosen["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1]
    theirs = an.get_person_outreaches(person_id)
    assert [an_id(row) for row in theirs] == [an_id(chosen)]
    assert an.get_person_outreach(person_id, an_id(chosen)) == chosen
    with pytest.raises(requests.HTTPError) as missing:
        an.get_person_outreach(person_id, an_id(outreaches[4]))
    assert "Code: 404" in str(missing.value)


def test_create_outreach_to_named_targets_and_as_a_call(an, campaign, db, unique):
    email = f"{unique}.targeted@example.org"
    letter = an.create_outreach(
        an_id(campaign),
        {
            "person[email_addresses][0][address]": email,
            "targets[0][given_name]": "Raj",
            "targets[0][family_name]": "Patel",
        },
    )
    assert [t["name"] for t in letter["targets"]] == ["Raj Patel"]
    assert letter["type"] == "postal mail"  # Patel's office has no email: a printed letter
    assert letter["subject"] == "Fund 40 crisis beds"  # the campaign's letter, when none is sent
    call = an.create_outreach(
        an_id(campaign), {"person[email_addresses][0][address]": email, "type": "phone"}
    )
    assert call["type"] == "phone"
    assert [t["name"] for t in call["targets"]] == ["Sen. Ana Holloway"]  # the one with a phone
    assert an_id(call) != an_id(letter)
    rows = db.rows(
        "SELECT o.action, d.channel, d.status FROM advocacy_outreach o"
        " JOIN advocacy_delivery d ON d.outreach_id = o.id WHERE o.uuid IN (?, ?)"
        " ORDER BY o.action",
        hexid(an_id(letter)),
        hexid(an_id(call)),
    )
    # records of a call and a letter made elsewhere: nothing left to call or print
    assert rows == [("call", "call", "called"), ("letter", "print", "delivered")]
    with pytest.raises(requests.HTTPError) as refused:
        an.create_outreach(
            an_id(campaign),
            {"person[email_addresses][0][address]": email, "targets[0][name]": "Nobody"},
        )
    assert "Code: 400" in str(refused.value)
    assert "not a target of this advocacy campaign" in str(refused.value)


def test_create_outreach_with_a_person_link(an, base_url, token, campaign, db, unique):
    person = post(
        base_url,
        token,
        "people",
        {"person": {"given_name": "Linked", "email_addresses": [{"address": f"{unique}@ex.org"}]}},
    ).json()
    href = f"https://actionnetwork.org/api/v2/people/{an_id(person)}"  # any host: last segment
    made = an.create_outreach(
        an_id(campaign), {"_links[osdi:person][href]": href, "subject": "Linked"}
    )
    assert made["_links"]["osdi:person"]["href"].endswith(f"/people/{an_id(person)}")
    stored = db.value("SELECT subject FROM advocacy_outreach WHERE uuid = ?", hexid(an_id(made)))
    assert stored == "Linked"


def test_create_outreach_as_parsons_documents_it_is_refused_saying_how(
    an, campaign, outreaches, db
):
    # Parsons' docstring passes nested dicts: requests sends only their keys, the values are lost
    before = db.value("SELECT count(*) FROM advocacy_outreach")
    href = outreaches[0]["_links"]["osdi:person"]["href"]
    with pytest.raises(requests.HTTPError) as refused:
        an.create_outreach(
            an_id(campaign),
            {
                "targets": [{"given_name": "Raj", "family_name": "Patel"}],
                "_links": {"osdi:person": {"href": href}},
            },
        )
    assert "Code: 400" in str(refused.value)
    assert "_links[osdi:person][href]=" in str(refused.value)
    assert db.value("SELECT count(*) FROM advocacy_outreach") == before


def test_update_outreach_corrects_a_letter_not_yet_sent(an, campaign, outreaches, db):
    chosen = outreaches[9]
    updated = an.update_outreach(an_id(campaign), an_id(chosen), {"subject": "Please vote no!"})
    assert updated["subject"] == "Please vote no!"
    assert updated["message"] == chosen["message"]
    stored = db.value("SELECT subject FROM advocacy_outreach WHERE uuid = ?", hexid(an_id(chosen)))
    assert stored == "Please vote no!"
