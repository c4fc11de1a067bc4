"""The people list an organizer works in: search by postal code and city, sortable columns, page
jumps, bulk tag and list (scoped by sharing consent), an export that follows the filter, saved
segments, and the query plans that keep it fast at a million people."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.coalitions.models import Role
from cairn.people import paging, selectors, services, views
from cairn.people.models import ListItem, PeopleList, Person, PostalAddress, Tag, Tagging
from cairn.people.services import AddressInput, EmailInput, PersonData


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()  # list counts are cached (cairn.people.paging)


def add(coalition, email, given="", family="", postal_code="", city=""):
    return services.upsert_person(
        coalition=coalition,
        data=PersonData(
            given_name=given,
            family_name=family,
            emails=[EmailInput(email)],
            addresses=[AddressInput(postal_code=postal_code, locality=city)]
            if postal_code or city
            else [],
        ),
    ).person


def url(coalition, name="people", *args):
    return reverse(f"people:{name}", args=[coalition.slug, *args])


def listed(response) -> list[str]:
    """The emails of the people on the page, in the page's order."""
    return [person.emails.all()[0].address for person in response.context["page"].object_list]


@pytest.fixture
def town(coalition):
    return {
        "ana": add(coalition, "ana@example.org", "Ana", "Silva", "46201", "Indianapolis"),
        "bo": add(coalition, "bo@example.org", "Bo", "Alves", "46202-1234", "indianapolis"),
        "cy": add(coalition, "cy@example.org", "Cy", "Moss", "SW1A 1AA", "London"),
        "di": add(coalition, "di@example.org", "Di", "Park", "90210", "Beverly Hills"),
    }


# --- search by postal code and city --------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"postal_code": "4620"}, {"ana@example.org", "bo@example.org"}),
        ({"postal_code": "46201"}, {"ana@example.org"}),
        ({"postal_code": "sw1a"}, {"cy@example.org"}),  # case-insensitive
        ({"postal_code": " 90210 "}, {"di@example.org"}),  # spaces around are ignored
        ({"postal_code": "0210"}, set()),  # a prefix, not a substring
        ({"city": "INDIANA"}, {"ana@example.org", "bo@example.org"}),
        ({"city": "london"}, {"cy@example.org"}),
        ({"city": "Hills"}, set()),
        ({"city": "Indianapolis", "postal_code": "46202"}, {"bo@example.org"}),
        ({"q": "silva", "city": "indianapolis"}, {"ana@example.org"}),
    ],
)
def test_search_by_postal_code_and_city(client, steward, town, params, expected):
    # given a steward and four people in three cities
    client.force_login(steward.user)
    # when they search by postal code and/or city
    response = client.get(url(steward.coalition), params)
    # then exactly the people whose address matches are listed, and counted
    assert response.status_code == 200
    assert set(listed(response)) == expected
    assert response.context["total"] == len(expected)


def test_a_person_with_two_matching_addresses_is_listed_once(client, steward, coalition):
    person = add(coalition, "two@example.org", "Two", "Homes", "46201", "Indianapolis")
    services.update_person(
        person=person,
        data=PersonData(addresses=[AddressInput(postal_code="46203", locality="Indianapolis")]),
    )
    client.force_login(steward.user)
    response = client.get(url(coalition), {"postal_code": "462"})
    assert listed(response) == ["two@example.org"]
    assert response.context["total"] == 1


def test_an_organizer_searches_only_the_people_sharing_with_its_organization(
    client, coalition, staff_factory, membership_factory, town
):
    org = membership_factory(coalition, name="Harbor House")
    services.grant_sharing(person=town["ana"], membership=org)
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=org)
    client.force_login(organizer.user)
    response = client.get(url(coalition), {"city": "indianapolis"})
    assert listed(response) == ["ana@example.org"]


# --- sortable columns ----------------------------------------------------------------------------


@pytest.fixture
def sortable(coalition):
    """Five people whose names, creation and modification times tie in places (pk decides)."""
    base = timezone.now() - dt.timedelta(days=10)
    rows = [
        # email, given, family, created (days after base), modified (days after base)
        ("p1@example.org", "Ana", "Silva", 3, 1),
        ("p2@example.org", "bruno", "alves", 1, 2),
        ("p3@example.org", "Carla", "Silva", 2, 2),
        ("p4@example.org", "Ana", "Silva", 1, 3),
        ("p5@example.org", "", "", 4, 0),
    ]
    for email, given, family, created, modified in rows:
        person = add(coalition, email, given, family)
        Person.objects.filter(pk=person.pk).update(
            created_at=base + dt.timedelta(days=created),
            modified_at=base + dt.timedelta(days=modified),
        )


SORTED = {
    # names compare case-insensitively (family, then given name), ties by pk
    "name": ["p5", "p2", "p1", "p4", "p3"],
    "-name": ["p3", "p4", "p1", "p2", "p5"],
    "added": ["p2", "p4", "p3", "p1", "p5"],
    "-added": ["p5", "p1", "p3", "p4", "p2"],
    "updated": ["p5", "p1", "p2", "p3", "p4"],
    "-updated": ["p4", "p3", "p2", "p1", "p5"],
}


@pytest.mark.parametrize("key", sorted(SORTED))
def test_each_sort_key_in_both_directions(client, steward, sortable, key):
    client.force_login(steward.user)
    response = client.get(url(steward.coalition), {"sort": key})
    assert [email.split("@")[0] for email in listed(response)] == SORTED[key]
    assert response.context["sort"] == key


def test_the_sort_keys_are_a_whitelist(client, steward, sortable):
    # given a sort parameter that is no key (a column name, an injection attempt)
    client.force_login(steward.user)
    for value in ["given_name", "-pk", "name; DROP TABLE people_person", ""]:
        # when the list is asked for it, then the default order (newest first) applies
        response = client.get(url(steward.coalition), {"sort": value})
        assert response.status_code == 200
        assert [e.split("@")[0] for e in listed(response)] == SORTED["-added"]
        assert response.context["sort"] == "-added"


def test_the_name_header_links_to_the_other_direction_and_keeps_the_filter(client, steward, town):
    client.force_login(steward.user)
    page = client.get(url(steward.coalition), {"city": "indiana", "sort": "name"}).content.decode()
    assert 'aria-sort="ascending"' in page
    assert 'href="?city=indiana&amp;sort=-name"' in page


# --- page jumps ----------------------------------------------------------------------------------


@pytest.fixture
def crowd(coalition):
    """125 people: three pages of 50 (the last with 25), named so that name order is known."""
    base = timezone.now()
    Person.objects.bulk_create(
        Person(
            coalition=coalition,
            given_name=f"Person {n:03d}",
            created_at=base - dt.timedelta(minutes=n),
            modified_at=base,
        )
        for n in range(125)
    )


def names(response) -> list[str]:
    return [person.given_name for person in response.context["page"].object_list]


def test_page_jumps_first_previous_window_next_last(client, steward, crowd, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 10)  # 13 pages, so that the window elides some
    client.force_login(steward.user)
    response = client.get(url(steward.coalition), {"page": "7", "sort": "name", "q": "Person"})
    page = response.content.decode()
    # then page 7 holds people 60..69, and the navigation jumps anywhere keeping the query
    assert names(response) == [f"Person {n:03d}" for n in range(60, 70)]
    assert 'href="?page=1&amp;sort=name&amp;q=Person" rel="first"' in page
    assert 'href="?page=6&amp;sort=name&amp;q=Person" rel="prev"' in page
    assert 'href="?page=8&amp;sort=name&amp;q=Person" rel="next"' in page
    assert 'href="?page=13&amp;sort=name&amp;q=Person" rel="last"' in page
    assert '<span class="btn btn--small btn--primary" aria-current="page">7</span>' in page
    for near in (5, 6, 8, 9):
        assert f'href="?page={near}&amp;sort=name&amp;q=Person">{near}</a>' in page
    assert 'href="?page=3&amp;' not in page  # outside the window: elided
    assert page.count("…") == 2


def test_go_to_page_keeps_the_query_and_clamps_to_the_last_page(client, steward, crowd):
    client.force_login(steward.user)
    page = client.get(url(steward.coalition), {"sort": "name", "q": "Person"}).content.decode()
    # the go-to form carries the query as hidden fields and asks for a page number
    assert '<input type="hidden" name="sort" value="name">' in page
    assert '<input type="hidden" name="q" value="Person">' in page
    assert 'name="page" min="1" max="3" value="1"' in page
    # when someone jumps to page 3, then the last 25 are shown; beyond the end, the last page
    response = client.get(url(steward.coalition), {"sort": "name", "q": "Person", "page": "3"})
    assert names(response) == [f"Person {n:03d}" for n in range(100, 125)]
    beyond = client.get(url(steward.coalition), {"sort": "name", "page": "999"})
    assert beyond.context["page"].number == 3
    nonsense = client.get(url(steward.coalition), {"sort": "name", "page": "x"})
    assert nonsense.context["page"].number == 1


@pytest.mark.parametrize("deferred_from", [0, 35, 1000])
@pytest.mark.parametrize("sort", ["name", "-added", "updated"])
def test_pages_past_the_middle_read_backwards_and_hold_the_same_rows(
    client, steward, crowd, monkeypatch, sort, deferred_from
):
    # given 125 people in pages of 10 (13 pages; 7 to 13 are read in the reverse order), and
    # pages that skip `deferred_from` rows or more read their ids first
    monkeypatch.setattr(views, "PAGE_SIZE", 10)
    monkeypatch.setattr(paging, "DEFERRED_FROM", deferred_from)
    everyone = selectors.sorted_people(Person.objects.for_coalition(steward.coalition), sort)
    expected = [p.given_name for p in everyone]
    client.force_login(steward.user)
    for number in range(1, 14):
        # when each page is read, then it holds the rows of that slice of the order
        response = client.get(url(steward.coalition), {"sort": sort, "page": str(number)})
        assert names(response) == expected[(number - 1) * 10 : number * 10], number


def test_the_count_is_kept_until_the_people_change(client, steward, crowd):
    client.force_login(steward.user)

    def counts_run() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(steward.coalition), {"q": "Person"})
        assert response.context["total"] == Person.objects.count()
        return sum("COUNT(" in q["sql"].upper() for q in queries.captured_queries)

    # the first request counts; the next reads the count kept
    assert counts_run() == 1
    assert counts_run() == 0
    # when someone is added, then the next request counts again, and finds them
    add(steward.coalition, "new@example.org", "Person", "New")
    assert counts_run() == 1


def test_the_count_key_tells_scopes_and_filters_apart(coalition, steward, scoped):
    organizer = scoped["organizer"]
    keys = {
        paging.count_key(coalition=coalition, staff=steward, criteria={}),
        paging.count_key(coalition=coalition, staff=organizer, criteria={}),
        paging.count_key(coalition=coalition, staff=steward, criteria={"city_prefix": "i"}),
        paging.count_key(coalition=coalition, staff=steward, criteria={"city_prefix": "j"}),
    }
    assert len(keys) == 4


# --- bulk tag and list ---------------------------------------------------------------------------


@pytest.fixture
def scoped(coalition, membership_factory, staff_factory, town):
    """An organizer of Harbor House, with whom Ana and Bo share; Cy and Di share with no one."""
    org = membership_factory(coalition, name="Harbor House")
    for key in ("ana", "bo"):
        services.grant_sharing(person=town[key], membership=org)
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=org)
    volunteers = services.create_list(coalition=coalition, name="Volunteers")
    return {**town, "organizer": organizer, "list": volunteers}


def state(coalition):
    return {
        "tags": sorted(Tag.objects.for_coalition(coalition).values_list("name", flat=True)),
        "taggings": sorted(
            Tagging.objects.for_coalition(coalition).values_list("tag__name", "person__given_name")
        ),
        "items": sorted(
            ListItem.objects.for_coalition(coalition).values_list(
                "people_list__name", "person__given_name"
            )
        ),
        "modified": sorted(
            Person.objects.for_coalition(coalition).values_list("pk", "modified_at")
        ),
    }


@pytest.mark.parametrize("role", ["steward", "organizer"])
def test_tag_and_list_the_people_ticked(client, coalition, steward, scoped, role):
    # given a steward, or an organizer ticking people who share with its organization
    actor = steward if role == "steward" else scoped["organizer"]
    client.force_login(actor.user)
    ticked = [str(scoped["ana"].uuid), str(scoped["bo"].uuid)]
    # when they tag them and add them to a list, from a filtered second page
    back = {"city": "indianapolis", "sort": "name", "page": "2"}
    tagged = client.post(
        url(coalition, "bulk_tag"), {"people": ticked, "tag_name": "Canvass", **back}
    )
    listed_ = client.post(
        url(coalition, "bulk_add_to_list"),
        {"people": ticked, "people_list": str(scoped["list"].uuid), **back},
    )
    # then both are tagged and on the list, and the user is back where they were
    assert tagged.status_code == listed_.status_code == 302
    assert tagged["Location"] == url(coalition) + "?city=indianapolis&sort=name&page=2"
    after = state(coalition)
    assert after["taggings"] == [("Canvass", "Ana"), ("Canvass", "Bo")]
    assert after["items"] == [("Volunteers", "Ana"), ("Volunteers", "Bo")]
    messages = [str(m) for m in client.get(url(coalition)).context["messages"]]
    assert messages == ["2 people tagged Canvass.", "2 people added to Volunteers."]


def test_tagging_again_tags_once_and_says_so(client, coalition, steward, scoped):
    client.force_login(steward.user)
    ana, bo = str(scoped["ana"].uuid), str(scoped["bo"].uuid)
    client.post(url(coalition, "bulk_tag"), {"people": [ana], "tag_name": "Canvass"})
    client.post(url(coalition, "bulk_tag"), {"people": [ana, bo], "tag_name": "canvass"})
    assert state(coalition)["taggings"] == [("Canvass", "Ana"), ("Canvass", "Bo")]
    messages = [str(m) for m in client.get(url(coalition)).context["messages"]]
    assert messages == ["1 person tagged Canvass.", "1 person tagged Canvass. 1 already had it."]


@pytest.mark.parametrize("action", ["bulk_tag", "bulk_add_to_list"])
def test_an_organizer_cannot_touch_anyone_outside_its_sharing_scope(
    client, coalition, scoped, action
):
    # given an organizer who ticks one person sharing with it and one who does not
    client.force_login(scoped["organizer"].user)
    before = state(coalition)
    ticked = [str(scoped["ana"].uuid), str(scoped["cy"].uuid)]
    # when they tag them or add them to a list
    response = client.post(
        url(coalition, action),
        {"people": ticked, "tag_name": "Canvass", "people_list": str(scoped["list"].uuid)},
    )
    # then nothing changed at all: no tag, no tagging, no list item, not even for Ana
    assert response.status_code == 302
    assert state(coalition) == before
    messages = [str(m) for m in client.get(url(coalition)).context["messages"]]
    assert messages == ["Tick between 1 and 500 people you can see."]


def test_the_service_refuses_people_outside_the_scope_and_changes_nothing(coalition, scoped):
    before = state(coalition)
    with pytest.raises(services.PeopleError):
        services.tag_people(
            coalition=coalition,
            tag_name="Canvass",
            people=[scoped["ana"], scoped["cy"]],
            by=scoped["organizer"],
        )
    with pytest.raises(services.PeopleError):
        services.add_people_to_list(
            people_list=scoped["list"], people=[scoped["di"]], by=scoped["organizer"]
        )
    assert state(coalition) == before


def test_a_viewer_may_not_tag(client, coalition, staff_factory, scoped):
    viewer = staff_factory(coalition, Role.VIEWER)
    client.force_login(viewer.user)
    before = state(coalition)
    response = client.post(
        url(coalition, "bulk_tag"), {"people": [str(scoped["ana"].uuid)], "tag_name": "x"}
    )
    assert response.status_code == 403
    assert state(coalition) == before
    page = client.get(url(coalition)).content.decode()
    assert 'data-testid="bulk"' not in page
    assert 'name="people"' not in page


def test_a_saved_filter_takes_no_bulk_members(client, coalition, steward, scoped):
    segment = services.create_list(
        coalition=coalition,
        name="Indy",
        kind=PeopleList.Kind.SAVED_FILTER,
        query={"city_prefix": "i"},
    )
    client.force_login(steward.user)
    before = state(coalition)
    client.post(
        url(coalition, "bulk_add_to_list"),
        {"people": [str(scoped["ana"].uuid)], "people_list": str(segment.uuid)},
    )
    assert state(coalition) == before


# --- export follows the filter -------------------------------------------------------------------


def test_the_export_follows_the_filter_and_the_order(client, steward, town):
    client.force_login(steward.user)
    # the list page links to the export with its query (without the page)
    page = client.get(
        url(steward.coalition), {"city": "indianapolis", "sort": "-name", "page": "1"}
    )
    export_url = reverse("people_export:people_csv", args=[steward.coalition.slug])
    assert f'href="{export_url}?city=indianapolis&amp;sort=-name"' in page.content.decode()
    # when that link is followed
    response = client.get(export_url, {"city": "indianapolis", "sort": "-name"})
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    # then the file holds exactly the people listed, in the page's order
    assert [row["email"] for row in rows] == ["ana@example.org", "bo@example.org"]


def test_the_filtered_export_still_neutralizes_formulas(client, steward, coalition):
    add(coalition, "f@example.org", "=HYPERLINK(1)", "x", "46201", "Indianapolis")
    client.force_login(steward.user)
    response = client.get(
        reverse("people_export:people_csv", args=[coalition.slug]), {"postal_code": "462"}
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["given_name"] for row in rows] == ["'=HYPERLINK(1)"]


def test_an_invalid_filter_exports_nothing_rather_than_everyone(client, steward, town):
    client.force_login(steward.user)
    response = client.get(
        reverse("people_export:people_csv", args=[steward.coalition.slug]),
        {"postal_code": "4" * 33},  # longer than any postal code field
    )
    assert response.status_code == 400


def test_an_organizer_exports_only_its_scope_within_the_filter(client, coalition, scoped):
    client.force_login(scoped["organizer"].user)
    response = client.get(
        reverse("people_export:people_csv", args=[coalition.slug]), {"postal_code": "4620"}
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(row["email"] for row in rows) == ["ana@example.org", "bo@example.org"]


# --- saved segments ------------------------------------------------------------------------------


def test_a_saved_segment_round_trips(client, coalition, scoped):
    # given an organizer who searched Indianapolis 462.. sorted by name
    client.force_login(scoped["organizer"].user)
    query = {"city": "indianapolis", "postal_code": "462", "sort": "-name"}
    page = client.get(url(coalition), query).content.decode()
    assert 'data-testid="save-segment"' in page
    # when they save it as a segment
    response = client.post(url(coalition, "save_segment"), {**query, "name": "Indy core"})
    # then it is a saved filter holding that query, and its page lists who matches
    segment = PeopleList.objects.get(name="Indy core")
    assert segment.kind == PeopleList.Kind.SAVED_FILTER
    assert segment.query == {
        "postal_code_prefix": "462",
        "city_prefix": "indianapolis",
        "sort": "-name",
    }
    assert response["Location"] == url(coalition, "list", segment.uuid)
    members = client.get(response["Location"])
    assert listed(members) == ["ana@example.org", "bo@example.org"]  # -name: Silva, Alves
    # and it opens again in the list page with the same filter and order
    link = "?postal_code=462&amp;city=indianapolis&amp;sort=-name"
    assert f'href="{url(coalition)}{link}"' in members.content.decode()
    again = client.get(
        url(coalition), {"postal_code": "462", "city": "indianapolis", "sort": "-name"}
    )
    assert listed(again) == listed(members)
    assert f'href="{url(coalition)}{link}">Indy core</a>' in again.content.decode()


def test_a_segment_needs_a_filter_and_a_free_name(client, coalition, steward, town):
    client.force_login(steward.user)
    client.post(url(coalition, "save_segment"), {"name": "Everyone"})
    client.post(url(coalition, "save_segment"), {"name": "Indy", "city": "indy"})
    client.post(url(coalition, "save_segment"), {"name": "indy", "city": "london"})
    assert list(PeopleList.objects.values_list("name", flat=True)) == ["Indy"]
    messages = [str(m) for m in client.get(url(coalition)).context["messages"]]
    assert messages == [
        "Search or filter first: a segment saves a filter.",
        "Segment Indy saved.",
        "A list named indy exists already.",
    ]


def test_older_saved_filters_keep_working(coalition, town):
    # a saved filter made on the lists page (several tags, country) still selects its members
    tag, _ = services.create_tag(coalition=coalition, name="Donor")
    services.tag_person(tag=tag, person=town["ana"])
    services.update_person(
        person=town["ana"], data=PersonData(addresses=[AddressInput(country="US")])
    )
    saved = services.create_list(
        coalition=coalition,
        name="US donors",
        kind=PeopleList.Kind.SAVED_FILTER,
        query={"tags": ["donor"], "country": "us", "postal_code_prefix": "462"},
    )
    members = selectors.list_members(
        people_list=saved, people=Person.objects.for_coalition(coalition)
    )
    assert [p.given_name for p in members] == ["Ana"]


# --- the query plan at a million people ----------------------------------------------------------


def plan(queryset) -> str:
    """The database's plan for `queryset`; on PostgreSQL with sequential scans and sorts made
    expensive, so that the test data's few rows do not hide whether an index *can* serve it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
    return queryset.explain()


def list_query(coalition, steward, **params):
    people = selectors.visible_people(coalition=coalition, staff=steward)
    people_filter = selectors.PeopleFilter(
        postal_code=params.get("postal_code", ""), city=params.get("city", "")
    )
    people = selectors.filter_people(people, people_filter, coalition_id=coalition.pk)
    return selectors.sorted_people(people, params.get("sort", "-added"))


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("name", "person_name_sort"),
        ("-name", "person_name_sort"),
        ("added", "person_created_sort"),
        ("-added", "person_created_sort"),
        ("updated", "person_modified_sort"),
        ("-updated", "person_modified_sort"),
    ],
)
def test_every_sort_key_reads_its_index_in_order(steward, town, sort, index):
    # when the database plans a page of the list sorted by `sort`
    page = list_query(steward.coalition, steward, sort=sort)[5000:5050]
    text = plan(page)
    # then it walks the sort's index, and sorts nothing itself
    assert index in text
    assert "TEMP B-TREE" not in text  # SQLite's sort
    assert "Sort" not in text  # PostgreSQL's


@pytest.mark.parametrize(
    ("lookup", "index", "expression"),
    [
        (selectors.addresses_with_postal_code, "people_address_postal_prefix", "postal_code"),
        (selectors.addresses_in_city, "people_address_city_prefix", "locality"),
    ],
)
def test_postal_code_and_city_searches_seek_the_prefix_indexes(
    steward, town, lookup, index, expression
):
    # given 2,000 more addresses, so that the planner's statistics tell the indexes apart
    coalition = steward.coalition
    now = timezone.now()
    people = Person.objects.bulk_create(
        Person(coalition=coalition, created_at=now, modified_at=now) for _ in range(2000)
    )
    PostalAddress.objects.bulk_create(
        PostalAddress(
            coalition=coalition, person=p, postal_code=f"{10000 + n}", locality=f"Town {n}"
        )
        for n, p in enumerate(people)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE people_postaladdress")
    # when the database plans the address lookup of a postal code (city) search
    rows = lookup(coalition_id=coalition.pk, prefix="462")
    text = plan(rows.order_by().values("person_id"))  # as the people query embeds it
    # then it seeks the prefix in the index: a range of it, not a filter over every address
    assert index in text
    if connection.vendor == "sqlite":
        assert f"{expression}>? AND {expression}<?" in text
    else:
        assert f"Index Cond: ((coalition_id = {steward.coalition.pk}) AND " in text
        assert f"(upper(({expression})::text) ~>=~ '462'::text)" in text


def test_the_list_page_takes_the_same_queries_whatever_the_page_holds(
    client, coalition, steward, crowd, town, django_assert_num_queries
):
    client.force_login(steward.user)
    with CaptureQueriesContext(connection) as small:
        client.get(url(coalition), {"city": "london", "sort": "name"})
    with django_assert_num_queries(len(small)):
        client.get(url(coalition), {"sort": "name", "page": "2"})


# --- other coalitions ----------------------------------------------------------------------------


def test_a_steward_of_another_coalition_reaches_nothing_through_the_new_routes(
    client, coalition_factory, staff_factory, steward, town
):
    # given a steward of coalition A, and B's people, tag and list
    theirs = coalition_factory()
    zebra = add(theirs, "zebra@example.org", "Zebra", "Z", "46201", "Indianapolis")
    their_list = services.create_list(coalition=theirs, name="Theirs")
    before = state(theirs)
    client.force_login(steward.user)
    mine = steward.coalition
    # when they post B's person and list to A's bulk routes, and call B's routes
    data = {"people": [str(zebra.uuid)], "tag_name": "x", "people_list": str(their_list.uuid)}
    for name in ("bulk_tag", "bulk_add_to_list"):
        assert client.post(url(mine, name), data).status_code == 302
        assert client.post(url(theirs, name), data).status_code == 404
    assert client.post(url(theirs, "save_segment"), {"name": "s", "city": "i"}).status_code == 404
    assert client.get(url(theirs), {"city": "indianapolis"}).status_code == 404
    # then B is unchanged, and A's filtered list and export show none of B's people
    assert state(theirs) == before
    assert "Zebra" not in client.get(url(mine), {"city": "indianapolis"}).content.decode()
    export = client.get(
        reverse("people_export:people_csv", args=[mine.slug]), {"city": "indianapolis"}
    )
    assert b"zebra" not in b"".join(export.streaming_content)
    assert not Tag.objects.for_coalition(mine).exists()  # the refused tag was not created in A


def test_a_deep_page_reads_its_ids_from_the_name_index_alone(steward, town):
    # when the database plans the ids of a deep page sorted by name (paging.DEFERRED_FROM)
    ids = list_query(steward.coalition, steward, sort="name").values_list("pk", flat=True)
    text = plan(ids[500_000:500_050])
    # then no table row is read for the rows skipped: the index holds all the query needs
    if connection.vendor == "postgresql":
        assert "Index Only Scan using person_name_sort" in text
    else:
        assert "USING INDEX person_name_sort" in text
    assert "Sort" not in text
    assert "TEMP B-TREE" not in text
