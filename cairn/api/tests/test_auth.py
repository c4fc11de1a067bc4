"""Token authentication, tenant scoping and rate limiting of the OSDI API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from cairn.api import services
from cairn.api.models import ApiToken
from cairn.people import services as people_services
from cairn.people.models import ListItem, Person, Tag, Tagging

from .conftest import OsdiClient


@pytest.mark.parametrize("path", ["/api/v2", "/api/v2/people", "/api/v2/tags/", "/api/v2/lists"])
def test_a_request_without_a_token_is_401_with_json(db, path):
    response = OsdiClient("").get(path)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "OSDI-API-Token" in response.json()["error"]


def test_an_unknown_token_is_403_with_json(db):
    response = OsdiClient("not-a-token").get("/api/v2/people")
    assert response.status_code == 403
    assert response.json() == {"error": "This API token is not valid (unknown or revoked)."}


def test_a_revoked_token_no_longer_works(coalition, raw_token, osdi):
    # given a token that worked
    assert osdi.get("/api/v2/people").status_code == 200
    # when a steward revokes it
    services.revoke_token(token=ApiToken.objects.get(coalition=coalition))
    # then it is refused
    response = osdi.get("/api/v2/people")
    assert response.status_code == 403
    assert "revoked" in response.json()["error"]


def test_the_header_name_is_matched_case_insensitively(raw_token):
    client = OsdiClient("")
    for header in ("OSDI-API-TOKEN", "osdi-api-token", "Osdi-Api-Token"):
        response = client.get("/api/v2/people", headers={header: raw_token})
        assert response.status_code == 200, header


def test_the_token_may_come_in_the_query_string_and_never_goes_into_links(raw_token, osdi):
    for n in range(3):
        osdi.post("/api/v2/tags", {"name": f"tag {n}"})
    response = OsdiClient("").get(f"/api/v2/tags?per_page=1&osdi-api-token={raw_token}")
    assert response.status_code == 200
    assert raw_token not in response.content.decode()
    assert (
        response.json()["_links"]["next"]["href"]
        == "http://testserver/api/v2/tags?per_page=1&page=2"
    )


def test_a_token_is_stored_only_as_its_hash(coalition):
    created = services.create_token(coalition=coalition, name="sync", created_by=None)
    row = ApiToken.objects.get(pk=created.token.pk)
    assert row.token_hash == services.hash_token(created.raw)
    assert created.raw not in {row.token_hash, row.prefix, row.name}
    assert row.prefix == created.raw[:8]


def test_using_a_token_records_when(raw_token, osdi, coalition):
    assert ApiToken.objects.get(coalition=coalition).last_used_at is None
    osdi.get("/api/v2/people")
    assert ApiToken.objects.get(coalition=coalition).last_used_at is not None


# --- tenancy: coalition A's token never reaches coalition B ------------------------------------


@pytest.fixture
def theirs(coalition_factory):
    """Coalition B with a person, a tag, a tagging, a list and an item."""
    b = coalition_factory(name="Zebra")
    person = people_services.upsert_person(
        coalition=b,
        data=people_services.PersonData(
            given_name="Zebra",
            emails=[people_services.EmailInput("zebra@example.org")],
            phones=[people_services.PhoneInput("+15550009999")],
        ),
    ).person
    tag, _ = people_services.create_tag(coalition=b, name="zebra tag")
    tagging, _ = people_services.tag_person(tag=tag, person=person)
    people_list = people_services.create_list(coalition=b, name="zebra list")
    item, _ = people_services.add_to_list(people_list=people_list, person=person)
    return {"person": person, "tag": tag, "tagging": tagging, "list": people_list, "item": item}


def test_a_token_of_coalition_a_never_reads_coalition_b(osdi, theirs):
    person, tag, tagging = theirs["person"], theirs["tag"], theirs["tagging"]
    people_list, item = theirs["list"], theirs["item"]
    # B's rows are not found, by any route
    for path in (
        f"/api/v2/people/{person.uuid}",
        f"/api/v2/people/{person.uuid}/taggings",
        f"/api/v2/people/{person.uuid}/taggings/{tagging.uuid}",
        f"/api/v2/tags/{tag.uuid}",
        f"/api/v2/tags/{tag.uuid}/taggings",
        f"/api/v2/tags/{tag.uuid}/taggings/{tagging.uuid}",
        f"/api/v2/lists/{people_list.uuid}",
        f"/api/v2/lists/{people_list.uuid}/items",
        f"/api/v2/lists/{people_list.uuid}/items/{item.uuid}",
    ):
        response = osdi.get(path)
        assert response.status_code == 404, path
        assert "Zebra" not in response.content.decode()
        assert "zebra" not in response.content.decode()
    # and B's rows are not in A's collections, even when filtered for
    for path in (
        "/api/v2/people",
        "/api/v2/people?filter=email_address eq 'zebra@example.org'",
        "/api/v2/people?filter=phone_number eq '+15550009999'",
        "/api/v2/tags",
        "/api/v2/tags?filter=name eq 'zebra tag'",
        "/api/v2/lists",
    ):
        body = osdi.get(path).json()
        assert body["total_records"] == 0, path
        assert not next(iter(body["_embedded"].values())), path


def test_a_token_of_coalition_a_never_changes_coalition_b(osdi, coalition, theirs):
    person, tag, tagging = theirs["person"], theirs["tag"], theirs["tagging"]
    people_list, item = theirs["list"], theirs["item"]
    b = person.coalition
    link = {"_links": {"osdi:person": {"href": f"http://x/api/v2/people/{person.uuid}"}}}
    mine = people_services.upsert_person(
        coalition=coalition,
        data=people_services.PersonData(emails=[people_services.EmailInput("mine@example.org")]),
    ).person
    my_link = {"_links": {"osdi:person": {"href": f"http://x/api/v2/people/{mine.uuid}"}}}
    # when A's token tries to write to B's rows, or to tie its own to B's
    answers = [
        osdi.put(f"/api/v2/people/{person.uuid}", {"given_name": "Hijacked"}).status_code,
        osdi.post(f"/api/v2/tags/{tag.uuid}/taggings", my_link).status_code,
        osdi.delete(f"/api/v2/tags/{tag.uuid}/taggings/{tagging.uuid}").status_code,
        osdi.post(f"/api/v2/lists/{people_list.uuid}/items", my_link).status_code,
        osdi.delete(f"/api/v2/lists/{people_list.uuid}/items/{item.uuid}").status_code,
    ]
    my_tag = osdi.post("/api/v2/tags", {"name": "mine"}).json()
    my_tag_id = my_tag["identifiers"][0].split(":")[1]
    answers.append(osdi.post(f"/api/v2/tags/{my_tag_id}/taggings", link).status_code)
    # signing up B's email through A's token makes a person in A, never touches B's
    signup = osdi.post(
        "/api/v2/people",
        {
            "person": {"email_addresses": [{"address": "zebra@example.org"}]},
            "add_tags": ["zebra tag"],
        },
    )
    # then every attempt was not found, and B is as it was
    assert answers == [404] * 6
    assert signup.status_code == 200
    person.refresh_from_db()
    assert person.given_name == "Zebra"
    assert Tagging.objects.filter(coalition=b).count() == 1
    assert ListItem.objects.filter(coalition=b).count() == 1
    assert Person.objects.filter(coalition=b).count() == 1
    assert Tag.objects.filter(coalition=b).count() == 1
    assert Person.objects.filter(coalition=coalition).count() == 2


# --- rate limit ---------------------------------------------------------------------------------


@override_settings(CAIRN_API_RATE_LIMIT=3, CAIRN_API_RATE_WINDOW_SECONDS=60)
def test_a_token_over_its_rate_limit_gets_429_with_retry_after(osdi):
    answers = [osdi.get("/api/v2/people") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[0]["X-RateLimit-Limit"] == "3"
    response = osdi.get("/api/v2/people")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Rate limit of 3 requests" in response.json()["error"]


@override_settings(CAIRN_API_RATE_LIMIT=2, CAIRN_API_RATE_WINDOW_SECONDS=60)
def test_the_rate_limit_counts_per_token_and_restarts_with_the_window(coalition):
    token = services.create_token(coalition=coalition, name="a", created_by=None).token
    other = services.create_token(coalition=coalition, name="b", created_by=None).token
    start = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
    decisions = [services.count_request(token=token, now=start) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert decisions[-1].retry_after == 60
    assert services.count_request(token=other, now=start).allowed
    later = start + dt.timedelta(seconds=61)
    assert services.count_request(token=token, now=later).allowed
    window_started_at = ApiToken.objects.get(pk=token.pk).window_started_at
    assert window_started_at is not None
    assert timezone.is_aware(window_started_at)
