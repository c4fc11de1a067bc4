"""Parsons 6.1.0's fundraising calls and the `osdi` 0.3.1 client against a live Cairn: every
fundraising page and donation method Parsons' ActionNetwork connector has
(`create_fundraising_page`, `update_fundraising_page`, `get_fundraising_page(s)`,
`create_donation`, `get_donation(s)`, `get_fundraising_page_donations`, `get_person_donations`),
and the generic collection, link and POST calls of `osdi`'s service, checked in their return
values and in Cairn's database.

A donation posted through the API is recorded as Action Network records one: the client took the
money elsewhere, so nothing is charged; it counts at once (the page's total, the pooled fund's
ledger) and a retried POST returns the first donation, never a second.

Parsons sends `create_fundraising_page` and `create_donation` payloads as a query string and
`update_fundraising_page` as a form: nested fields travel as bracket keys
(`recipients[0][amount]`, `_links[osdi:person][href]`); a nested dict loses its values on the way
(requests sends only its keys), and Cairn's 400 says how to send it.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import requests
from osdi.action_network.service import ActionNetworkService
from osdi.base import service as osdi_service
from osdi.base.model import ActionModel
from parsons.action_network import action_network as an_module

from conftest import an_id

DONORS = 27  # more than a page


@pytest.fixture(scope="module")
def an(base_url, token):
    an_module.API_URL = base_url  # Parsons has no base-URL argument
    return an_module.ActionNetwork(api_token=token)


@pytest.fixture(scope="module")
def page(an):
    return an.create_fundraising_page(
        {"title": "Fund the crisis beds", "origin_system": "Parsons acceptance"}
    )


def post(base_url, token, path, body, key=None):
    headers = {"OSDI-API-Token": token}
    if key:
        headers["Idempotency-Key"] = key
    return requests.post(f"{base_url}/{path}", json=body, headers=headers, timeout=30)


def gift(n: int) -> dict:
    """A donation as Action Network documents the record donation helper (JSON)."""
    return {
        "identifiers": [f"parsons_acceptance:gift-{n:02d}"],
        "person": {
            "given_name": f"Donor{n:02d}",
            "family_name": "Parsons",
            "email_addresses": [{"address": f"donor{n:02d}@example.org"}],
        },
        "recipients": [{"display_name": "Crisis beds fund", "amount": f"{10 + n}.50"}],
        "payment": {"method": "Check", "reference_number": f"CHK-{n:04d}"},
        "add_tags": ["Seeded"],
    }


@pytest.fixture(scope="module")
def donations(base_url, token, page):
    """27 donations recorded through the helper, each POST sent twice (a client's retry)."""
    made = []
    for n in range(DONORS):
        first = post(base_url, token, f"fundraising_pages/{an_id(page)}/donations", gift(n))
        again = post(base_url, token, f"fundraising_pages/{an_id(page)}/donations", gift(n))
        assert first.status_code == again.status_code == 200, first.text
        assert an_id(first.json()) == an_id(again.json())
        made.append(first.json())
    return made


def page_row(db, page) -> tuple:
    return db.rows(
        "SELECT id, title, origin_system FROM fundraising_fundraisingpage WHERE uuid = ?",
        uuid.UUID(an_id(page)).hex,
    )[0]


def donation_rows(db, page) -> list[tuple]:
    return db.rows(
        "SELECT d.amount, d.status, d.recurrence, d.provider FROM fundraising_donation d"
        " JOIN fundraising_fundraisingpage p ON p.id = d.page_id WHERE p.uuid = ? ORDER BY d.id",
        uuid.UUID(an_id(page)).hex,
    )


def test_create_fundraising_page(page, db):
    assert page["title"] == "Fund the crisis beds"
    assert page["origin_system"] == "Parsons acceptance"
    assert page["_links"]["self"]["href"].startswith("http://127.0.0.1:")
    assert page["_links"]["osdi:donations"]["href"].endswith(f"/{an_id(page)}/donations")
    assert page["_links"]["osdi:record_donation_helper"]["href"].endswith("/donations")
    _, title, origin = page_row(db, page)
    assert (title, origin) == ("Fund the crisis beds", "Parsons acceptance")


def test_recorded_donations_count_once_each_and_charge_nothing(page, donations, db, an):
    rows = donation_rows(db, page)
    assert len(rows) == DONORS
    assert {status for _, status, _, _ in rows} == {"succeeded"}
    assert {provider for _, _, _, provider in rows} == {"offline"}  # nothing was charged
    assert sum(Decimal(str(amount)) for amount, _, _, _ in rows) == sum(
        Decimal(f"{10 + n}.50") for n in range(DONORS)
    )
    assert {recurrence for _, _, recurrence, _ in rows} == {"one_off"}
    assert db.people_with_email("donor07@example.org") == 1
    person = db.person(donations[7]["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1])
    assert person["given_name"] == "Donor07"
    assert person["tags"] == ["Seeded"]
    # the page's totals are counted from the rows
    got = an.get_fundraising_page(an_id(page))
    assert got["total_donations"] == DONORS
    assert Decimal(got["total_amount"]) == sum(Decimal(f"{10 + n}.50") for n in range(DONORS))
    assert got["currency"] == donations[0]["currency"]


def test_each_donation_is_one_transaction_in_the_pooled_fund(page, donations, db):
    for made in donations[:3]:
        pk = db.value(
            "SELECT id FROM fundraising_donation WHERE uuid = ?", uuid.UUID(an_id(made)).hex
        )
        rows = db.rows(
            "SELECT t.source, e.amount FROM ledger_entry e JOIN ledger_ledgertransaction t"
            " ON t.id = e.transaction_id WHERE t.source LIKE ?",
            f"donation:{pk}:%",
        )
        assert {source for source, _ in rows} == {f"donation:{pk}:succeeded"}
        assert sum(Decimal(str(amount)) for _, amount in rows) == Decimal(made["amount"])


def test_donation_shape_is_action_networks(donations, page):
    chosen = donations[5]
    assert chosen["amount"] == "15.50"
    assert chosen["recipients"] == [
        {"display_name": chosen["recipients"][0]["display_name"], "amount": "15.50"}
    ]
    assert chosen["payment"]["method"] == "Check"
    assert chosen["payment"]["reference_number"] == "CHK-0005"
    assert chosen["action_network:recurrence"] == {"recurring": False}
    assert chosen["voided"] is False
    assert chosen["action_network:fundraising_page_id"] == an_id(page)
    person_id = chosen["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1]
    assert chosen["action_network:person_id"] == person_id
    assert chosen["_links"]["osdi:fundraising_page"]["href"].endswith(f"/{an_id(page)}")


def test_get_fundraising_pages_pages_limits_and_filters(an, page, db):
    for n in range(26):  # more than a page of pages
        an.create_fundraising_page({"title": f"Paging {n:02d}", "origin_system": "Parsons"})
    everything = an.get_fundraising_pages()
    ids = [an_id(row) for row in everything]
    total = db.value("SELECT count(*) FROM fundraising_fundraisingpage")
    assert len(ids) == len(set(ids)) == total > 25
    assert an_id(page) in ids
    assert an.get_fundraising_pages(limit=3).num_rows == 3
    second = an.get_fundraising_pages(page=2, per_page=10)
    assert second["page"] == 2
    assert len(second["_embedded"]["osdi:fundraising_pages"]) == 10
    found = an.get_fundraising_pages(page=1, filter="title eq 'Paging 07'")
    assert [row["title"] for row in found["_embedded"]["osdi:fundraising_pages"]] == ["Paging 07"]
    with pytest.raises(requests.HTTPError) as refused:
        an.get_fundraising_pages(page=1, filter="title like 'x'")
    assert "Code: 400" in str(refused.value)


def test_get_fundraising_page_and_unknown_page(an, page):
    got = an.get_fundraising_page(an_id(page))
    assert got["title"] == "Fund the crisis beds"
    with pytest.raises(requests.HTTPError) as missing:
        an.get_fundraising_page(str(uuid.uuid4()))
    assert "Code: 404" in str(missing.value)
    assert "Couldn't find fundraising page with id" in str(missing.value)


def test_update_fundraising_page(an, page, db):
    made = an.create_fundraising_page({"title": "To rename", "origin_system": "Parsons"})
    updated = an.update_fundraising_page(
        an_id(made), {"title": "Renamed", "description": "<p>Why we give</p>"}
    )
    assert updated["title"] == "Renamed"
    assert updated["description"] == "<p>Why we give</p>"
    assert page_row(db, made)[1] == "Renamed"


def test_get_donations_pages_through_all(an, page, donations):
    everything = an.get_donations()
    ids = {an_id(row) for row in everything}
    assert {an_id(d) for d in donations} <= ids
    assert an.get_donations(limit=26).num_rows == 26
    first = an.get_donations(page=1, per_page=25)
    assert len(first["_embedded"]["osdi:donations"]) == 25
    since = donations[0]["created_date"]
    recent = an.get_donations(filter=f"created_date ge '{since}'")
    assert {an_id(d) for d in donations} <= {an_id(row) for row in recent}


def test_get_donation_and_unknown_donation(an, donations):
    chosen = donations[9]
    assert an.get_donation(an_id(chosen)) == chosen
    with pytest.raises(requests.HTTPError) as missing:
        an.get_donation(str(uuid.uuid4()))
    assert "Code: 404" in str(missing.value)
    assert "Couldn't find donation with id" in str(missing.value)


def test_get_fundraising_page_donations(an, page, donations):
    everything = an.get_fundraising_page_donations(an_id(page))
    assert sorted(an_id(row) for row in everything) == sorted(an_id(d) for d in donations)
    assert an.get_fundraising_page_donations(an_id(page), limit=26).num_rows == 26
    second = an.get_fundraising_page_donations(an_id(page), page=2, per_page=25)
    assert second["total_records"] == DONORS
    assert len(second["_embedded"]["osdi:donations"]) == DONORS - 25


def test_get_person_donations(an, donations):
    chosen = donations[3]
    person_id = chosen["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1]
    theirs = an.get_person_donations(person_id)
    assert [an_id(row) for row in theirs] == [an_id(chosen)]
    assert an.get_person_donations(person_id, page=1)["total_records"] == 1


def test_create_donation_with_bracket_keys_and_a_person_link(an, base_url, token, page, db):
    person = post(
        base_url,
        token,
        "people",
        {
            "person": {
                "given_name": "Linked",
                "email_addresses": [{"address": "linked@example.org"}],
            }
        },
    ).json()
    href = f"https://actionnetwork.org/api/v2/people/{an_id(person)}"  # any host: last segment
    before = len(donation_rows(db, page))
    made = an.create_donation(
        an_id(page),
        {
            "recipients[0][display_name]": "Crisis beds fund",
            "recipients[0][amount]": "3.00",
            "created_date": "2026-01-15T12:00:00Z",
            "_links[osdi:person][href]": href,
        },
    )
    assert made["amount"] == "3.00"
    assert made["created_date"] == "2026-01-15T12:00:00Z"
    assert made["_links"]["osdi:person"]["href"].endswith(f"/people/{an_id(person)}")
    assert len(donation_rows(db, page)) == before + 1


def test_create_donation_as_parsons_documents_it_is_refused_saying_how(an, page, db, donations):
    # Parsons' docstring passes nested dicts: requests sends only their keys, the values are lost
    before = len(donation_rows(db, page))
    href = donations[0]["_links"]["osdi:person"]["href"]
    with pytest.raises(requests.HTTPError) as refused:
        an.create_donation(
            an_id(page),
            {
                "recipients": [{"display_name": "Campaign To Elect Tom", "amount": "3.00"}],
                "_links": {"osdi:person": {"href": href}},
            },
        )
    assert "Code: 400" in str(refused.value)
    assert "bracket keys" in str(refused.value)
    assert len(donation_rows(db, page)) == before


def test_a_retried_post_with_an_idempotency_key_records_one_donation(base_url, token, page, db):
    body = {
        "person": {"email_addresses": [{"address": "retry@example.org"}]},
        "recipients": [{"display_name": "Fund", "amount": "42.00"}],
    }
    path = f"fundraising_pages/{an_id(page)}/donations"
    before = len(donation_rows(db, page))
    first = post(base_url, token, path, body, key="retry-once")
    again = post(base_url, token, path, body, key="retry-once")
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert an_id(first.json()) == an_id(again.json())
    assert len(donation_rows(db, page)) == before + 1


def test_a_donation_without_an_amount_is_refused(base_url, token, page, db):
    before = len(donation_rows(db, page))
    answer = post(
        base_url,
        token,
        f"fundraising_pages/{an_id(page)}/donations",
        {"person": {"email_addresses": [{"address": "nothing@example.org"}]}, "recipients": []},
    )
    assert answer.status_code == 400
    assert len(donation_rows(db, page)) == before


# --- the osdi client: its generic calls work on the fundraising collections ------------------


@pytest.fixture
def service(base_url, token, monkeypatch):
    # osdi retries a 5xx or a connection error for ~17 minutes; here a failure must be quick.
    monkeypatch.setattr(osdi_service, "retry_with_backoff", lambda fn, **kw: fn())
    return ActionNetworkService(base_url, token)


class Page(ActionModel):
    def __init__(self, service, data):
        super().__init__(service, data, "fundraising_pages")


def test_osdi_client_reads_pages_and_follows_their_donations(service, page, donations, db):
    pages = service.get_model("fundraising_pages", "osdi:fundraising_pages", Page)
    total = db.value("SELECT count(*) FROM fundraising_fundraisingpage")
    assert len(pages) == total
    ours = next(p for p in pages if p.id == an_id(page))
    assert ours.link(full=True) == f"{service.uri}/fundraising_pages/{an_id(page)}"
    linked = ours.get_linked_collection("osdi:donations")
    assert {an_id(d) for d in donations} <= {an_id(d) for d in linked}
    raw = service._get_request(f"fundraising_pages/{an_id(page)}")
    assert raw["title"] == "Fund the crisis beds"


def test_osdi_client_posts_a_donation_once(service, page, db):
    body = {
        "person": {
            "given_name": "Osdi",
            "email_addresses": [{"address": "osdi.donor@example.org"}],
        },
        "recipients": [{"display_name": "Fund", "amount": "7.25"}],
        "identifiers": ["osdi_acceptance:one"],
    }
    before = len(donation_rows(db, page))
    first = service._post_request(f"fundraising_pages/{an_id(page)}/donations", body)
    again = service._post_request(f"fundraising_pages/{an_id(page)}/donations", body)
    assert an_id(first) == an_id(again)
    assert first["amount"] == "7.25"
    assert len(donation_rows(db, page)) == before + 1
    person_href = first["_links"]["osdi:person"]["href"]
    theirs = service._get_all("osdi:donations", person_href + "/donations")
    assert [an_id(d) for d in theirs] == [an_id(first)]
