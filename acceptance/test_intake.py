"""What clients send, end to end against a live Cairn: a signature with the person inline through
the `osdi` client, retries with an `Idempotency-Key` (through requests and through an `osdi`
service that sends the header), and a household — two people, two emails, one landline — that
must stay two people through Parsons and through the `osdi` client."""

from __future__ import annotations

import pytest
import requests
from osdi.action_network.person import ANPerson
from osdi.action_network.service import ActionNetworkService
from osdi.base import service as osdi_service
from parsons.action_network import action_network as an_module

from conftest import an_id


@pytest.fixture(autouse=True)
def no_retries(monkeypatch):
    # osdi retries a 5xx or a connection error for ~17 minutes; here a failure must be quick.
    monkeypatch.setattr(osdi_service, "retry_with_backoff", lambda fn, **kw: fn())


class KeyedService(ActionNetworkService):
    """The `osdi` client with an Idempotency-Key on its requests (its headers are a property)."""

    key: str | None = None

    @property
    def headers(self):
        headers = dict(super().headers)
        if self.key:
            headers["Idempotency-Key"] = self.key
        return headers


@pytest.fixture
def service(base_url, token):
    return KeyedService(base_url, token)


@pytest.fixture(scope="module")
def an(base_url, token):
    an_module.API_URL = base_url
    return an_module.ActionNetwork(api_token=token)


def post(base_url, token, path, body, key=None):
    headers = {"OSDI-API-Token": token}
    if key:
        headers["Idempotency-Key"] = key
    return requests.post(f"{base_url}/{path}", json=body, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def petition_id(base_url, token):
    made = post(base_url, token, "petitions", {"title": "Open the clinic on weekends"})
    assert made.status_code == 200, made.text
    return an_id(made.json())


# --- the osdi client: a signature with the person inline -----------------------------------------


def test_osdi_records_a_signature_with_the_person_inline(service, petition_id, unique, db):
    email = f"{unique}.osdi.signer@example.org"
    body = {
        "person": {
            "given_name": "Osdi",
            "family_name": "Signer",
            "email_addresses": [{"address": email}],
        },
        "comments": "Weekends matter",
    }
    made = service._post_request(f"petitions/{petition_id}/signatures", body)
    assert made["comments"] == "Weekends matter"
    person_id = made["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1]
    assert db.person(person_id)["emails"] == [email]
    # the client finds the signer it just created, by email
    assert service.find_person(email=email, model=ANPerson).id == person_id
    # signing again with the person inline matches them: one person, one signature
    again = service._post_request(f"petitions/{petition_id}/signatures", body)
    assert an_id(again) == an_id(made)
    assert db.people_with_email(email) == 1
    count = db.value(
        "SELECT count(*) FROM petitions_signature WHERE petition_id = ? AND person_id ="
        " (SELECT person_id FROM people_emailaddress WHERE canonical = ?)",
        int(petition_id),
        email,
    )
    assert count == 1


# --- idempotent retries --------------------------------------------------------------------------


def test_a_retried_post_with_the_same_key_is_answered_once(base_url, token, unique, db):
    # a petition: creating one is not idempotent by itself
    body = {"title": f"Retried {unique}"}
    first = post(base_url, token, "petitions", body, key=f"{unique}-petition")
    again = post(base_url, token, "petitions", body, key=f"{unique}-petition")
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.content == first.content
    assert db.value("SELECT count(*) FROM petitions_petition WHERE title = ?", body["title"]) == 1
    # the same key with another body is refused, and does nothing
    other = post(base_url, token, "petitions", {"title": "Other"}, key=f"{unique}-petition")
    assert other.status_code == 422
    assert "different request" in other.json()["error"]
    assert db.value("SELECT count(*) FROM petitions_petition WHERE title = 'Other'") == 0


def test_a_retried_signature_with_the_same_key_is_answered_once(
    base_url, token, petition_id, unique, db
):
    body = {
        "person": {
            "given_name": "Retry",
            "email_addresses": [{"address": f"{unique}.retry@example.org"}],
        }
    }
    path = f"petitions/{petition_id}/signatures"
    first = post(base_url, token, path, body, key=f"{unique}-signature")
    again = post(base_url, token, path, body, key=f"{unique}-signature")
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert db.people_with_email(f"{unique}.retry@example.org") == 1


def test_the_osdi_client_retrying_with_a_key_makes_one_row(service, unique, db):
    service.key = f"{unique}-osdi"
    title = f"Osdi retried {unique}"
    first = service._post_request("petitions", {"title": title})
    again = service._post_request("petitions", {"title": title})
    assert an_id(again) == an_id(first)
    assert db.value("SELECT count(*) FROM petitions_petition WHERE title = ?", title) == 1


# --- a household: two people, two emails, one landline ------------------------------------------


def test_a_household_through_parsons_stays_two_people(an, unique, db):
    landline = [{"number": "+47 22 12 34 56", "number_type": "Home"}]
    kari = an.upsert_person(
        email_address=f"{unique}.kari@example.no",
        given_name="Kari",
        family_name="Nordmann",
        mobile_number=landline,
    )
    ola = an.upsert_person(
        email_address=f"{unique}.ola@example.no",
        given_name="Ola",
        family_name="Nordmann",
        mobile_number=landline,
    )
    assert an_id(kari) != an_id(ola)
    stored_kari, stored_ola = db.person(an_id(kari)), db.person(an_id(ola))
    assert (stored_kari["given_name"], stored_kari["emails"]) == (
        "Kari",
        [f"{unique}.kari@example.no"],
    )
    assert (stored_ola["given_name"], stored_ola["emails"]) == ("Ola", [f"{unique}.ola@example.no"])
    assert len(stored_kari["phones"]) == len(stored_ola["phones"]) == 1


def test_a_household_through_the_osdi_client_stays_two_people(service, base_url, token, unique, db):
    # osdi's create_person takes no phone: the household's landline is added with its PUT helper
    kari = service.create_person("Kari", "Hansen", f"{unique}.kari.h@example.no")
    ola = service.create_person("Ola", "Hansen", f"{unique}.ola.h@example.no")
    for person in (kari, ola):
        service._put_request(
            f"people/{an_id(person)}", {"phone_numbers": [{"number": "+47 22 12 34 57"}]}
        )
    # and a signup through the helper with Ola's email and the same landline is Ola
    again = post(
        base_url,
        token,
        "people",
        {
            "person": {
                "given_name": "Ola",
                "email_addresses": [{"address": f"{unique}.ola.h@example.no"}],
                "phone_numbers": [{"number": "+47 22 12 34 57"}],
            }
        },
    )
    assert an_id(again.json()) == an_id(ola)
    assert an_id(kari) != an_id(ola)
    assert db.person(an_id(kari))["given_name"] == "Kari"
    assert db.person(an_id(kari))["emails"] == [f"{unique}.kari.h@example.no"]
    assert db.person(an_id(ola))["emails"] == [f"{unique}.ola.h@example.no"]
