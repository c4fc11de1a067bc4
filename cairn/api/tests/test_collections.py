"""OSDI collections: paging (page, per_page ≤ 25, totals, absolute next/prev) and filters."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cairn.people import services as people_services
from cairn.people.models import Person

from .conftest import OsdiClient


def ids(body, rel="osdi:people"):
    return [r["identifiers"][0].split(":", 1)[1] for r in body["_embedded"][rel]]


@pytest.fixture
def thirty(person_factory):
    return [person_factory() for _ in range(30)]


def test_a_page_has_the_osdi_fields_and_an_absolute_next_link(osdi, thirty):
    body = osdi.get("/api/v2/people").json()
    assert (body["page"], body["per_page"], body["total_pages"], body["total_records"]) == (
        1,
        25,
        2,
        30,
    )
    assert list(body["_embedded"]) == ["osdi:people"]
    assert ids(body) == [str(p.uuid) for p in thirty[:25]]
    assert body["_links"]["self"]["href"] == "http://testserver/api/v2/people?page=1"
    assert body["_links"]["next"]["href"] == "http://testserver/api/v2/people?page=2"
    assert "prev" not in body["_links"]


def test_following_next_reaches_every_record_once(osdi, thirty):
    seen, url = [], "/api/v2/people?per_page=7"
    while url:
        body = osdi.get(url).json()
        seen += ids(body)
        url = body["_links"].get("next", {}).get("href")
    assert seen == [str(p.uuid) for p in thirty]


def test_the_last_page_links_back_and_not_on(osdi, thirty):
    body = osdi.get("/api/v2/people?page=2").json()
    assert len(body["_embedded"]["osdi:people"]) == 5
    assert body["_links"]["prev"]["href"] == "http://testserver/api/v2/people?page=1"
    assert "next" not in body["_links"]


def test_links_use_the_requests_host_and_port_and_keep_the_filter(thirty, raw_token):
    client = OsdiClient(raw_token, host="127.0.0.1:8123")
    body = client.get("/api/v2/people?filter=modified_date gt '2000-01-01'&per_page=10").json()
    assert body["_links"]["next"]["href"] == (
        "http://127.0.0.1:8123/api/v2/people?filter=modified_date+gt+%272000-01-01%27"
        "&per_page=10&page=2"
    )
    record = body["_embedded"]["osdi:people"][0]
    assert record["_links"]["self"]["href"].startswith("http://127.0.0.1:8123/api/v2/people/")


def test_per_page_is_at_most_25(osdi, thirty):
    body = osdi.get("/api/v2/people?per_page=100").json()
    assert body["per_page"] == 25
    assert len(body["_embedded"]["osdi:people"]) == 25


@pytest.mark.parametrize("page", ["3", "99", "0", "-1", "1000000000"])
def test_a_page_out_of_range_is_empty_not_an_error(osdi, thirty, page):
    response = osdi.get(f"/api/v2/people?page={page}")
    assert response.status_code == 200
    assert response.json()["_embedded"] == {"osdi:people": []}


def test_an_empty_collection_still_has_its_one_embedded_key(osdi):
    body = osdi.get("/api/v2/tags").json()
    assert body["_embedded"] == {"osdi:tags": []}
    assert (body["total_records"], body["total_pages"], body["page"], body["per_page"]) == (
        0,
        0,
        1,
        25,
    )


@pytest.mark.parametrize("query", ["page=abc", "per_page=0", "per_page=x", "page=1e99"])
def test_bad_paging_parameters_are_400_with_json(osdi, query):
    response = osdi.get(f"/api/v2/people?{query}")
    assert response.status_code == 400
    assert "error" in response.json()


# --- filters ------------------------------------------------------------------------------------


def test_filter_by_email_matches_the_canonical_address(osdi, person_factory):
    ana = person_factory(email="Ana.Lima+news@gmail.com")
    person_factory(email="other@example.org")
    body = osdi.get("/api/v2/people?filter=email_address eq 'analima@gmail.com'").json()
    assert ids(body) == [str(ana.uuid)]


def test_filter_by_phone_matches_the_normalized_number(osdi, person_factory):
    ana = person_factory(phones=["+1 (555) 010-2030"])
    person_factory(phones=["+15550000000"])
    for number in ("+15550102030", "15550102030", "+1 555 010 2030"):
        body = osdi.get("/api/v2/people", query_params={"filter": f"phone_number eq '{number}'"})
        assert ids(body.json()) == [str(ana.uuid)], number


def test_filter_by_phone_reads_a_national_number_in_the_coalitions_region(
    osdi, coalition, person_factory
):
    # given a Norwegian coalition and a number stored with its country code
    coalition.default_region = "NO"
    coalition.save(update_fields=["default_region"])
    ola = person_factory(phones=["+47 900 31 676"])
    person_factory(phones=["+4790031677"])
    # when a client filters by the number as written in Norway, without the country code
    for number in ("90031676", "900 31 676", "004790031676"):
        body = osdi.get("/api/v2/people", query_params={"filter": f"phone_number eq '{number}'"})
        # then the person is found
        assert ids(body.json()) == [str(ola.uuid)], number


def test_a_person_with_two_matching_emails_is_listed_once(osdi, person_factory):
    ana = person_factory(email="a1@example.org")
    people_services.update_person(
        person=ana,
        data=people_services.PersonData(emails=[people_services.EmailInput("a2@example.org")]),
    )
    body = osdi.get(
        "/api/v2/people?filter=email_address eq 'a1@example.org' and modified_date gt '2000-01-01'"
    ).json()
    assert ids(body) == [str(ana.uuid)]
    assert body["total_records"] == 1


def _at(moment, person_factory, **kw):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return person_factory(**kw)


@pytest.fixture
def dated(person_factory):
    """People created on 1, 2 and 3 March 2026 at noon UTC."""
    return [
        _at(dt.datetime(2026, 3, day, 12, 0, 0, 500, tzinfo=dt.UTC), person_factory)
        for day in (1, 2, 3)
    ]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("modified_date gt '2026-03-02'", [2]),  # after that whole day
        ("modified_date ge '2026-03-02'", [1, 2]),
        ("modified_date lt '2026-03-02'", [0]),
        ("modified_date le '2026-03-02'", [0, 1]),
        ("modified_date eq '2026-03-02'", [1]),
        ("created_date gt '2026-03-02T12:00:00Z'", [2]),  # to the second it is shown with
        ("created_date ge '2026-03-02T12:00:00Z'", [1, 2]),
        ("created_date eq '2026-03-02T12:00:00Z'", [1]),
        ("created_date lt '2026-03-02T12:00:00+00:00'", [0]),
        ("created_date le '2026-03-02T13:00:00+01:00'", [0, 1]),
        ("created_date gt '2026-03-01T00:00:00' and created_date lt '2026-03-03'", [0, 1]),
        ("CREATED_DATE GT '2026-03-02'", None),  # field names are case-sensitive
    ],
)
def test_date_filters(osdi, dated, condition, expected):
    response = osdi.get("/api/v2/people", query_params={"filter": condition})
    if expected is None:
        assert response.status_code == 400
        return
    assert ids(response.json()) == [str(dated[i].uuid) for i in expected]


def test_modified_since_the_last_seen_date_does_not_return_it_again(osdi, dated):
    last = osdi.get("/api/v2/people").json()["_embedded"]["osdi:people"][1]["modified_date"]
    body = osdi.get("/api/v2/people", query_params={"filter": f"modified_date gt '{last}'"}).json()
    assert ids(body) == [str(dated[2].uuid)]


def test_filter_tags_and_lists_by_name(osdi, coalition):
    people_services.create_tag(coalition=coalition, name="Volunteer")
    people_services.create_tag(coalition=coalition, name="Donor")
    people_services.create_list(coalition=coalition, name="Phone bank")
    tags = osdi.get("/api/v2/tags", query_params={"filter": "name eq 'volunteer'"}).json()
    assert [t["name"] for t in tags["_embedded"]["osdi:tags"]] == ["Volunteer"]
    lists = osdi.get("/api/v2/lists", query_params={"filter": "name eq 'Phone bank'"}).json()
    assert [x["name"] for x in lists["_embedded"]["osdi:lists"]] == ["Phone bank"]


@pytest.mark.parametrize(
    "text",
    [
        "email_address eq 'a@b.org'andphone_number eq '1'",  # the osdi client's join bug
        "email_address eq 'a@b.org' or phone_number eq '1'",
        "email_address ne 'a@b.org'",
        "email_address gt 'a@b.org'",
        "nickname eq 'x'",
        "name eq 'x'",  # not a field of people
        "modified_date gt 'yesterday'",
        "modified_date gt '2026-13-45'",
        "modified_date gt '99999-01-01'",
        "modified_date gt '0001-01-01T00:00:00+14:00'",
        "email_address eq 'unclosed",
        "email_address eq unquoted",
        "(email_address eq 'a')",
        "email_address eq 'a\x00'",
        "phone_number eq 'no digits'",
        "x" * 2500,
    ],
)
def test_anything_outside_the_subset_is_400_with_json_never_500(osdi, person_factory, text):
    person_factory()
    response = osdi.get("/api/v2/people", query_params={"filter": text})
    assert response.status_code == 400, response.content
    assert response.json()["error"]


def test_an_empty_filter_filters_nothing(osdi, person_factory):
    person_factory()
    assert osdi.get("/api/v2/people?filter=").json()["total_records"] == 1
    assert Person.objects.count() == 1
    assert timezone.now()


@pytest.mark.parametrize(
    "path", ["/api/v2/people", "/api/v2/tags/{tag}/taggings", "/api/v2/lists/{list}/items"]
)
def test_a_page_costs_the_same_queries_for_5_or_25_records(osdi, coalition, person_factory, path):
    tag, _ = people_services.create_tag(coalition=coalition, name="Volunteer")
    people_list = people_services.create_list(coalition=coalition, name="Phone bank")
    url = path.format(tag=tag.uuid, list=people_list.uuid)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert osdi.get(url).status_code == 200
        return len(captured)

    def add(n: int) -> None:
        for _ in range(n):
            person = person_factory()
            people_services.tag_person(tag=tag, person=person)
            people_services.add_to_list(people_list=people_list, person=person)

    add(5)
    few = queries()
    add(20)
    assert queries() == few
