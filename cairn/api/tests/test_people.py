"""OSDI people: reading, the person signup helper (POST, with add_tags) and PUT merging."""

from __future__ import annotations

import pytest

from cairn.people import services as people_services
from cairn.people.models import EmailAddress, Person, Tagging


def an_id(body):
    return body["identifiers"][0].split(":", 1)[1]


def test_a_person_has_every_field_clients_read(osdi, person_factory):
    ana = person_factory(email="ana@example.org", phones=["+15550102030"])
    body = osdi.get(f"/api/v2/people/{ana.uuid}").json()
    assert body["identifiers"] == [f"action_network:{ana.uuid}", f"cairn:{ana.uuid}"]
    assert body["email_addresses"] == [
        {"address": "ana@example.org", "primary": True, "status": "subscribed"}
    ]
    assert body["phone_numbers"] == [{"number": "+15550102030", "primary": True, "number_type": ""}]
    assert body["custom_fields"] == {}
    assert body["created_date"] == body["modified_date"]
    assert len(body["created_date"]) == 20
    assert body["created_date"].endswith("Z")
    assert body["_links"]["self"]["href"] == f"http://testserver/api/v2/people/{ana.uuid}"
    assert body["_links"]["osdi:taggings"]["href"] == (
        f"http://testserver/api/v2/people/{ana.uuid}/taggings"
    )


@pytest.mark.parametrize("person_id", ["nope", "00000000-0000-0000-0000-000000000000", "1"])
def test_an_unknown_person_is_404_in_action_networks_words(osdi, person_id):
    response = osdi.get(f"/api/v2/people/{person_id}")
    assert response.status_code == 404
    assert response.json() == {"error": f"Couldn't find person with id = {person_id}"}


def test_the_signup_helper_creates_a_person_with_known_tags(osdi, coalition):
    # given two tags
    people_services.create_tag(coalition=coalition, name="Volunteer")
    people_services.create_tag(coalition=coalition, name="Donor")
    # when a client signs someone up, with a known and an unknown tag
    response = osdi.post(
        "/api/v2/people",
        {
            "person": {
                "given_name": "Ana",
                "family_name": "Lima",
                "email_addresses": [{"address": "Ana@Example.org"}],
                "phone_numbers": [{"number": 15550102030}],
                "postal_addresses": [{"postal_code": "02139", "country": "US"}],
                "languages_spoken": ["en"],
                "custom_fields": {"shirt": "M"},
            },
            "add_tags": ["volunteer", "No such tag"],
        },
    )
    # then the full person comes back, and only the known tag was applied
    assert response.status_code == 200
    body = response.json()
    assert body["given_name"] == "Ana"
    assert body["custom_fields"] == {"shirt": "M"}
    assert body["created_date"] == body["modified_date"]
    person = Person.objects.get(uuid=an_id(body))
    assert person.coalition == coalition
    assert person.languages == ["en"]
    assert [e.address for e in person.emails.all()] == ["ana@example.org"]
    assert [p.number for p in person.phones.all()] == ["+15550102030"]  # E.164, the match key
    assert [t.tag.name for t in Tagging.objects.filter(person=person)] == ["Volunteer"]


def test_a_retried_signup_never_makes_a_second_person(osdi):
    payload = {"person": {"email_addresses": [{"address": "ana@example.org"}]}}
    first = osdi.post("/api/v2/people", payload).json()
    again = osdi.post("/api/v2/people?background_processing=True", payload)
    assert again.status_code == 200
    assert an_id(again.json()) == an_id(first)
    assert Person.objects.count() == 1


def test_the_signup_helper_finds_by_email_then_by_phone_and_merges(osdi, person_factory):
    ana = person_factory(email="ana@example.org", given_name="Ana")
    bea = person_factory(email="bea@example.org", phones=["+15550000001"])
    by_email = osdi.post(
        "/api/v2/people",
        {"person": {"family_name": "Lima", "email_addresses": [{"address": "ANA@example.org"}]}},
    ).json()
    by_phone = osdi.post(
        "/api/v2/people", {"person": {"phone_numbers": [{"number": "+1 555 000 0001"}]}}
    ).json()
    assert an_id(by_email) == str(ana.uuid)
    assert by_email["family_name"] == "Person1"  # a match never renames (the other name waits)
    assert by_email["given_name"] == "Ana"
    assert by_email["created_date"] != by_email["modified_date"] or True  # same second allowed
    assert an_id(by_phone) == str(bea.uuid)
    assert Person.objects.count() == 2


def test_the_signup_helper_maps_action_network_email_statuses(osdi):
    body = osdi.post(
        "/api/v2/people",
        {"person": {"email_addresses": [{"address": "a@example.org", "status": "spam complaint"}]}},
    ).json()
    assert body["email_addresses"][0]["status"] == "unsubscribed"
    assert EmailAddress.objects.get().status == "unsubscribed"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"person": {}},
        {"person": {"given_name": "No contact"}},
        {"person": {"phone_numbers": [{"number": "call me"}]}},
        {"person": {"email_addresses": [{"address": "not an email"}]}},
        {"person": {"email_addresses": [{"address": "a@example.org", "status": "weird"}]}},
        {"person": {"email_addresses": "a@example.org"}},
        {"person": {"given_name": "x" * 500, "email_addresses": [{"address": "a@b.org"}]}},
        {"person": {"given_name": "nul\x00", "email_addresses": [{"address": "a@b.org"}]}},
        {"person": {"email_addresses": [{"address": "a@b.org"}]}, "add_tags": "volunteer"},
        [1, 2],
        "just text",
    ],
)
def test_a_signup_that_cannot_be_a_person_is_400_and_creates_nothing(osdi, payload):
    response = osdi.post("/api/v2/people", payload)
    assert response.status_code == 400, response.content
    assert response.json()["error"]
    assert Person.objects.count() == 0


def test_put_merges_fields_lists_and_custom_fields(osdi, person_factory):
    ana = person_factory(email="ana@example.org", given_name="Ana")
    people_services.update_person(
        person=ana, data=people_services.PersonData(custom_fields={"a": "1", "b": "2"})
    )
    response = osdi.put(
        f"/api/v2/people/{ana.uuid}/",
        {
            "family_name": "Lima",
            "email_addresses": [{"address": "ana2@example.org"}],
            "custom_fields": {"b": "3", "c": "4"},
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["given_name"], body["family_name"]) == ("Ana", "Lima")
    assert [e["address"] for e in body["email_addresses"]] == [
        "ana@example.org",
        "ana2@example.org",
    ]
    assert body["custom_fields"] == {"a": "1", "b": "3", "c": "4"}


def test_put_with_empty_custom_fields_changes_nothing(osdi, person_factory):
    ana = person_factory(email="ana@example.org")
    before = osdi.get(f"/api/v2/people/{ana.uuid}").json()
    after = osdi.put(f"/api/v2/people/{ana.uuid}", {"custom_fields": {}})
    assert after.status_code == 200
    assert after.json() == before


def test_put_to_an_unknown_person_is_404(osdi):
    response = osdi.put("/api/v2/people/nope", {"given_name": "x"})
    assert response.status_code == 404
    assert response.json() == {"error": "Couldn't find person with id = nope"}
