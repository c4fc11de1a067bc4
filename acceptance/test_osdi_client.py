"""The `osdi` 0.3.1 client (ActionNetworkService, ANPerson, ANTagging) against a live Cairn:
every call it makes for people, tags and taggings, checked in its results and the database."""

from __future__ import annotations

import pytest
from osdi.action_network.person import ANPerson
from osdi.action_network.service import ActionNetworkService
from osdi.base import service as osdi_service

from conftest import an_id


@pytest.fixture(autouse=True)
def no_retries(monkeypatch):
    # osdi retries a 5xx or a connection error for ~17 minutes; here a failure must be quick.
    monkeypatch.setattr(osdi_service, "retry_with_backoff", lambda fn, **kw: fn())


@pytest.fixture
def service(base_url, token, unique):
    """A service made after 30 tags exist, so that its tag cache pages."""
    raw = ActionNetworkService(base_url, token)
    for n in range(30):
        raw._post_request("tags", {"name": f"{unique}-osdi-{n:02d}"})
    return ActionNetworkService(base_url, token)


def test_the_service_loads_every_tag_across_pages(service, unique, db):
    mine = [name for name in service.tags_by_name if name.startswith(f"{unique}-osdi-")]
    assert len(mine) == 30
    total = db.value("SELECT count(*) FROM people_tag")
    assert len(service.tags) == len(service.tags_by_name) == total > 25
    some = service.tags_by_name[f"{unique}-osdi-07"]
    assert service.tags[some["id"]]["name"] == f"{unique}-osdi-07"


def test_create_find_and_read_people(service, unique, db):
    # when the client creates a person
    made = service.create_person(
        "Ana", "Lima", f"{unique}.ana@example.org", custom_fields={"shirt": "S"}, model=ANPerson
    )
    # then it is a full person, stored once
    assert made.email == f"{unique}.ana@example.org"
    assert made.custom_fields == {"shirt": "S"}
    assert made.tags == {}
    assert made.phone is None
    stored = db.person(made.id)
    assert (stored["given_name"], stored["family_name"]) == ("Ana", "Lima")
    assert stored["created_at"] == stored["modified_at"]
    # ... found again by id, by email, and by phone
    assert service.person_by_id(made.id, model=ANPerson).id == made.id
    assert service.find_person(an_id=made.id, model=ANPerson).id == made.id
    by_email = service.find_person(
        an_id="not-an-id", email=f"{unique}.ana@example.org", model=ANPerson
    )
    assert by_email.id == made.id  # an unknown id is a 404, so the client falls back to email
    assert service.find_person(email=f"nobody-{unique}@example.org", model=ANPerson) is None
    raw = service.get_person({"email_address": f"{unique}.ana@example.org"})
    assert an_id(raw) == made.id
    # creating the same email again never makes a second person
    again = service.create_person("Ana", "Lima", f"{unique}.ANA@example.org")
    assert an_id(again) == made.id
    assert db.people_with_email(f"{unique}.ana@example.org") == 1


def test_find_by_phone(service, unique, base_url, token):
    phone = "+1555" + str(int(unique, 16) % 10**7).zfill(7)
    service._post_request(
        "people", {"person": {"given_name": "Bea", "phone_numbers": [{"number": phone}]}}
    )
    found = service.find_person(phone=phone, model=ANPerson)
    assert found is not None
    assert found.phone == phone


def test_get_people_pages_through_everyone(service, unique, db):
    for n in range(27):
        service.create_person(f"P{n}", "Osdi", f"{unique}.p{n}@example.org")
    everyone = service.get_model_raw("people", "osdi:people")
    ids = [an_id(p) for p in everyone]
    assert len(ids) == len(set(ids)) == db.value("SELECT count(*) FROM people_person") > 25
    models = service.get_people({"email_address": f"{unique}.p3@example.org"}, model=ANPerson)
    assert [m.email for m in models] == [f"{unique}.p3@example.org"]


def test_the_osdi_and_join_bug_is_refused_not_retried(service, unique):
    with pytest.raises(osdi_service.ActionError, match="400"):
        service.get_people({"email_address": f"{unique}@example.org", "phone_number": "1"})


def test_custom_fields_and_taggings_through_a_person(service, unique, db):
    # given a person and two tags
    person = service.create_person("Cy", "Osdi", f"{unique}.cy@example.org", model=ANPerson)
    first, second = f"{unique}-osdi-01", f"{unique}-osdi-02"
    # when the client sets a field and adds both tags
    person.update_field("team", "north")
    person.update_tag(first, True)
    person.update_tag(second, True)
    person.update()
    # then the database has them, and a fresh read shows them as taggings
    stored = db.person(person.id)
    assert '"team": "north"' in stored["custom_fields"]
    assert stored["tags"] == sorted([first, second])
    fresh = service.person_by_id(person.id, model=ANPerson)
    assert set(fresh.tags) == {first, second}
    assert fresh.custom_fields == {"team": "north"}
    tagging = fresh.tags[first]
    assert tagging.id != "local"
    assert service.parse_tagging(tagging.raw_data)["name"] == first
    # when it removes one tag (DELETE on the tagging's own link)
    fresh.update_tag(first, False)
    fresh.update()
    # then only the other remains
    assert db.person(person.id)["tags"] == [second]
    assert set(service.person_by_id(person.id, model=ANPerson).tags) == {second}


def test_linked_collections_page(service, unique):
    person = service.create_person("Dee", "Osdi", f"{unique}.dee@example.org", model=ANPerson)
    for n in range(27):
        service.add_tagging(person, f"{unique}-osdi-{n:02d}")
    fresh = service.person_by_id(person.id, model=ANPerson)
    assert len(fresh.taggings) == 27
    assert len(fresh.tags) == 27
