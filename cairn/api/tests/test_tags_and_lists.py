"""OSDI tags, taggings (under tags and under people), lists and items."""

from __future__ import annotations

import pytest

from cairn.people import services as people_services
from cairn.people.models import ListItem, PeopleList, Tag, Tagging


def an_id(body):
    return body["identifiers"][0].split(":", 1)[1]


def person_link(person, host="https://actionnetwork.org"):
    return {"_links": {"osdi:person": {"href": f"{host}/api/v2/people/{person.uuid}"}}}


def test_creating_a_tag_twice_returns_the_first(osdi, coalition):
    first = osdi.post("/api/v2/tags", {"name": "Volunteer"})
    again = osdi.post("/api/v2/tags/", {"name": "volunteer "})
    assert first.status_code == again.status_code == 200
    assert an_id(first.json()) == an_id(again.json())
    assert list(Tag.objects.filter(coalition=coalition).values_list("name", flat=True)) == [
        "Volunteer"
    ]
    body = first.json()
    tag_id = an_id(body)
    assert body["name"] == "Volunteer"
    assert body["_links"]["self"]["href"] == f"http://testserver/api/v2/tags/{tag_id}"
    assert body["_links"]["osdi:taggings"]["href"] == (
        f"http://testserver/api/v2/tags/{tag_id}/taggings"
    )
    assert osdi.get(f"/api/v2/tags/{tag_id}").json() == body


@pytest.mark.parametrize("payload", [{}, {"name": ""}, {"name": "   "}, {"name": ["x"]}])
def test_a_tag_needs_a_name(osdi, payload):
    response = osdi.post("/api/v2/tags", payload)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Tag.objects.exists()


def test_taggings_under_tags_and_under_people(osdi, coalition, person_factory):
    # given a tag and a person
    tag, _ = people_services.create_tag(coalition=coalition, name="Volunteer")
    ana = person_factory()
    # when a client tags the person, linking them by Action Network's host
    created = osdi.post(f"/api/v2/tags/{tag.uuid}/taggings", person_link(ana))
    again = osdi.post(f"/api/v2/tags/{tag.uuid}/taggings/", person_link(ana, "http://x"))
    # then there is one tagging, with its links
    assert created.status_code == again.status_code == 200
    tagging = Tagging.objects.get()
    assert (tagging.tag, tagging.person) == (tag, ana)
    body = created.json()
    assert an_id(body) == an_id(again.json()) == str(tagging.uuid)
    assert body["_links"] == {
        "self": {"href": f"http://testserver/api/v2/tags/{tag.uuid}/taggings/{tagging.uuid}"},
        "osdi:tag": {"href": f"http://testserver/api/v2/tags/{tag.uuid}"},
        "osdi:person": {"href": f"http://testserver/api/v2/people/{ana.uuid}"},
    }
    # ... listed under the tag and under the person, and readable by either path
    under_tag = osdi.get(f"/api/v2/tags/{tag.uuid}/taggings").json()
    under_person = osdi.get(f"/api/v2/people/{ana.uuid}/taggings").json()
    assert under_tag["_embedded"]["osdi:taggings"] == [body]
    assert under_person["_embedded"]["osdi:taggings"] == [body]
    assert osdi.get(f"/api/v2/tags/{tag.uuid}/taggings/{tagging.uuid}").json() == body
    assert osdi.get(f"/api/v2/people/{ana.uuid}/taggings/{tagging.uuid}").json() == body
    # when it is deleted, then the answer is JSON (an empty 204 crashes `osdi`)
    deleted = osdi.delete(f"/api/v2/tags/{tag.uuid}/taggings/{tagging.uuid}")
    assert deleted.status_code == 200
    assert deleted.json()["notice"]
    assert not Tagging.objects.exists()
    again_deleted = osdi.delete(f"/api/v2/tags/{tag.uuid}/taggings/{tagging.uuid}")
    assert again_deleted.status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"_links": {}},
        {"_links": {"osdi:person": {}}},
        {"_links": {"osdi:person": "http://x/api/v2/people/1"}},
        {"_links": {"osdi:tag": {"href": "http://x/api/v2/tags/1"}}},
    ],
)
def test_a_tagging_without_a_person_link_is_400(osdi, coalition, payload):
    tag, _ = people_services.create_tag(coalition=coalition, name="Volunteer")
    response = osdi.post(f"/api/v2/tags/{tag.uuid}/taggings", payload)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Tagging.objects.exists()


def test_a_tagging_of_an_unknown_person_is_404(osdi, coalition):
    tag, _ = people_services.create_tag(coalition=coalition, name="Volunteer")
    response = osdi.post(
        f"/api/v2/tags/{tag.uuid}/taggings",
        {"_links": {"osdi:person": {"href": "http://x/api/v2/people/nobody"}}},
    )
    assert response.status_code == 404
    assert response.json() == {"error": "Couldn't find person with id = nobody"}


def test_taggings_of_a_tag_page_like_any_collection(osdi, coalition, person_factory):
    tag, _ = people_services.create_tag(coalition=coalition, name="Volunteer")
    for _ in range(27):
        people_services.tag_person(tag=tag, person=person_factory())
    body = osdi.get(f"/api/v2/tags/{tag.uuid}/taggings").json()
    assert (
        body["total_records"],
        body["total_pages"],
        len(body["_embedded"]["osdi:taggings"]),
    ) == (
        27,
        2,
        25,
    )
    assert body["_links"]["next"]["href"].endswith(f"/tags/{tag.uuid}/taggings?page=2")


def test_static_lists_and_their_items(osdi, coalition, person_factory):
    # given a static list with a person on it
    people_list = people_services.create_list(coalition=coalition, name="Phone bank")
    ana, bea = person_factory(), person_factory()
    people_services.add_to_list(people_list=people_list, person=ana)
    # when a client reads the list and adds someone
    lists = osdi.get("/api/v2/lists").json()
    added = osdi.post(f"/api/v2/lists/{people_list.uuid}/items", person_link(bea))
    # then it sees the list with its size, and the items
    record = lists["_embedded"]["osdi:lists"][0]
    assert (record["name"], record["title"], record["total_items"]) == (
        "Phone bank",
        "Phone bank",
        1,
    )
    assert record["_links"]["osdi:items"]["href"] == (
        f"http://testserver/api/v2/lists/{people_list.uuid}/items"
    )
    assert added.status_code == 200
    items = osdi.get(f"/api/v2/lists/{people_list.uuid}/items").json()["_embedded"]["osdi:items"]
    assert [i["_links"]["osdi:person"]["href"].rsplit("/", 1)[1] for i in items] == [
        str(ana.uuid),
        str(bea.uuid),
    ]
    item = ListItem.objects.get(person=bea)
    assert osdi.get(f"/api/v2/lists/{people_list.uuid}/items/{item.uuid}").json() == items[1]
    # when an item is removed, then the answer is JSON
    deleted = osdi.delete(f"/api/v2/lists/{people_list.uuid}/items/{item.uuid}")
    assert deleted.status_code == 200
    assert deleted.json()["notice"]
    assert list(ListItem.objects.values_list("person", flat=True)) == [ana.pk]
    assert osdi.get(f"/api/v2/lists/{people_list.uuid}").json()["total_items"] == 1


def test_a_saved_filter_lists_whoever_matches(osdi, coalition, person_factory):
    tag, _ = people_services.create_tag(coalition=coalition, name="Volunteer")
    ana, _bea = person_factory(), person_factory()
    people_services.tag_person(tag=tag, person=ana)
    saved = people_services.create_list(
        coalition=coalition,
        name="Volunteers",
        kind=PeopleList.Kind.SAVED_FILTER,
        query={"tags": ["Volunteer"]},
    )
    body = osdi.get(f"/api/v2/lists/{saved.uuid}").json()
    assert (body["type"], body["total_items"]) == ("filter", 1)
    items = osdi.get(f"/api/v2/lists/{saved.uuid}/items").json()["_embedded"]["osdi:items"]
    assert [i["_links"]["osdi:person"]["href"].rsplit("/", 1)[1] for i in items] == [str(ana.uuid)]
    assert osdi.get(f"/api/v2/lists/{saved.uuid}/items/{ana.uuid}").json() == items[0]
    # a saved filter's members follow from its criteria: adding or removing is refused
    assert osdi.post(f"/api/v2/lists/{saved.uuid}/items", person_link(ana)).status_code == 400
    assert osdi.delete(f"/api/v2/lists/{saved.uuid}/items/{ana.uuid}").status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/lists/nope",
        "/api/v2/lists/nope/items",
        "/api/v2/tags/nope",
        "/api/v2/tags/nope/taggings",
        "/api/v2/people/nope/taggings",
    ],
)
def test_unknown_ids_are_404_with_json(osdi, path):
    response = osdi.get(path)
    assert response.status_code == 404
    assert response.json()["error"].startswith("Couldn't find")
