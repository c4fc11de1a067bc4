"""Parsons 6.1.0's ActionNetwork connector against a live Cairn: every people, tag, tagging,
list and item call it makes, checked in its return values and in Cairn's database."""

from __future__ import annotations

import pytest
import requests
from parsons.action_network import action_network as an_module

from conftest import an_id


@pytest.fixture(scope="module")
def an(base_url, token):
    # Parsons has no base-URL argument: the module constant is what it reads.
    an_module.API_URL = base_url
    return an_module.ActionNetwork(api_token=token)


@pytest.fixture(scope="module")
def signed_up(an):
    """30 people signed up through upsert_person (more than a page)."""
    an.add_tag("Parsons volunteer")
    return [
        an.upsert_person(
            email_address=f"parsons{n:02d}@example.org",
            given_name=f"Parsons{n:02d}",
            family_name="Tester",
            tags=["Parsons volunteer"] if n % 2 == 0 else None,
            shirt="M",
        )
        for n in range(30)
    ]


def test_upsert_person_creates_people_with_tags_and_custom_fields(signed_up, db):
    first = signed_up[0]
    assert first["given_name"] == "Parsons00"
    assert first["created_date"] == first["modified_date"]  # Parsons logs "added", not "updated"
    stored = db.person(an_id(first))
    assert stored is not None
    assert stored["emails"] == ["parsons00@example.org"]
    assert stored["tags"] == ["Parsons volunteer"]
    assert db.person(an_id(signed_up[1]))["tags"] == []
    assert '"shirt": "M"' in stored["custom_fields"]
    assert all(db.people_with_email(f"parsons{n:02d}@example.org") == 1 for n in range(30))


def test_upsert_person_again_updates_the_same_person_but_never_renames(an, signed_up, db):
    again = an.upsert_person(
        email_address=[{"address": "PARSONS03@example.org", "status": "subscribed"}],
        family_name="Updated",
        mobile_number="+1 (555) 301-0003",
        background_processing=True,
        languages_spoken=["en", "pt"],
        postal_addresses=[{"postal_code": "02139", "country": "US"}],
    )
    assert an_id(again) == an_id(signed_up[3])
    stored = db.person(an_id(again))
    # a match never overwrites a name: the other one waits for a steward's review
    assert (stored["given_name"], stored["family_name"]) == ("Parsons03", "Tester")
    assert db.rows(
        "SELECT r.given_name, r.family_name FROM people_namereview r"
        " JOIN people_person p ON p.id = r.person_id WHERE p.uuid = ?",
        an_id(again).replace("-", ""),
    ) == [("", "Updated")]
    assert stored["phones"] == ["+15553010003"]
    assert db.people_with_email("parsons03@example.org") == 1
    # a record with an email is matched by that email only: a new email with a known phone is
    # someone else (a household sharing a phone stays two people)
    other = an.upsert_person(email_address="parsons03.alt@example.org", mobile_number=15553010003)
    assert an_id(other) != an_id(signed_up[3])
    assert db.person(an_id(signed_up[3]))["emails"] == ["parsons03@example.org"]
    assert db.person(an_id(other))["emails"] == ["parsons03.alt@example.org"]


def test_upsert_person_with_a_list_of_emails(an, unique, db):
    made = an.upsert_person(
        email_address=[f"{unique}-a@example.org", f"{unique}-b@example.org"], given_name="Two"
    )
    assert db.person(an_id(made))["emails"] == [
        f"{unique}-a@example.org",
        f"{unique}-b@example.org",
    ]


def test_add_person_still_works(an, unique, db):
    an.add_person(email_address=f"{unique}@example.org", given_name="Deprecated")
    assert db.people_with_email(f"{unique}@example.org") == 1


def test_get_people_pages_through_everyone(an, signed_up, db):
    everyone = an.get_people()
    ids = [an_id(row) for row in everyone]
    total = db.value("SELECT count(*) FROM people_person")
    assert len(ids) == len(set(ids)) == total > 25
    assert {an_id(p) for p in signed_up} <= set(ids)


def test_get_people_by_page_limit_and_filter(an, signed_up):
    page = an.get_people(page=2, per_page=10)
    assert page["page"] == 2
    assert page["per_page"] == 10
    assert len(page["_embedded"]["osdi:people"]) == 10
    assert page["_links"]["next"]["href"].startswith("http://127.0.0.1:")
    assert an.get_people(limit=27).num_rows == 27
    found = an.get_people(filter="email_address eq 'parsons07@example.org'")
    assert [an_id(row) for row in found] == [an_id(signed_up[7])]
    since = signed_up[0]["created_date"]
    recent = an.get_people(filter=f"modified_date ge '{since}' and created_date ge '{since[:10]}'")
    assert {an_id(p) for p in signed_up} <= {an_id(row) for row in recent}
    with pytest.raises(requests.HTTPError) as refused:
        an.get_people(filter="email_address like 'x'")
    assert "Code: 400" in str(refused.value)
    assert "Invalid filter" in str(refused.value)


def test_get_person_and_unknown_person(an, signed_up):
    person = an.get_person(an_id(signed_up[5]))
    assert person["email_addresses"][0]["address"] == "parsons05@example.org"
    assert person["custom_fields"] == {"shirt": "M"}
    with pytest.raises(requests.HTTPError) as missing:
        an.get_person("no-such-person")
    assert "Code: 404" in str(missing.value)
    assert "Couldn't find person with id = no-such-person" in str(missing.value)


def test_update_person_merges(an, signed_up, db):
    person_id = an_id(signed_up[9])
    answer = an.update_person(
        person_id,
        given_name="Renamed",
        custom_fields={"team": "north"},
        background_processing=True,
    )
    assert answer["given_name"] == "Renamed"
    stored = db.person(person_id)
    assert stored["given_name"] == "Renamed"
    assert '"shirt": "M"' in stored["custom_fields"]
    assert '"team": "north"' in stored["custom_fields"]
    unchanged = an.update_person(person_id, custom_fields={})
    assert unchanged["modified_date"] == answer["modified_date"]


def test_tags(an, unique, db):
    before = an.get_tags().num_rows
    names = [f"{unique}-{n:02d}" for n in range(27)]
    made = [an.add_tag(name) for name in names]
    assert [m["name"] for m in made] == names
    again = an.add_tag(names[0])  # adding an existing name returns the existing tag
    assert an_id(again) == an_id(made[0])
    tags = an.get_tags()
    assert tags.num_rows == before + 27
    assert an.get_tags(limit=3).num_rows == 3
    assert an.get_tag(an_id(made[4]))["name"] == names[4]
    assert db.value("SELECT count(*) FROM people_tag WHERE name LIKE ?", f"{unique}-%") == 27


def test_taggings(an, signed_up, unique, db):
    tag = an.add_tag(f"{unique} tagging")
    tag_id = an_id(tag)
    made = []
    for person in signed_up[:27]:
        payload = {
            "_links": {
                # Action Network's host: Cairn resolves a person link by its last segment
                "osdi:person": {"href": f"https://actionnetwork.org/api/v2/people/{an_id(person)}"}
            }
        }
        made.append(
            an.create_tagging(tag_id, payload, background_processing=person is signed_up[0])
        )
    assert made[0]["_links"]["osdi:person"]["href"].endswith(an_id(signed_up[0]))
    everything = an.get_taggings(tag_id)
    assert everything.num_rows == 27
    page = an.get_taggings(tag_id, page=2)
    assert len(page["_embedded"]["osdi:taggings"]) == 2
    assert an.get_taggings(tag_id, limit=5).num_rows == 5
    one = an.get_tagging(tag_id, an_id(made[1]))
    assert one["_links"]["osdi:tag"]["href"].endswith(tag_id)
    deleted = an.delete_tagging(tag_id, an_id(made[1]), background_processing=True)
    assert "notice" in deleted
    assert an.get_taggings(tag_id).num_rows == 26
    assert f"{unique} tagging" not in db.person(an_id(signed_up[1]))["tags"]
    assert f"{unique} tagging" in db.person(an_id(signed_up[2]))["tags"]


def test_lists_and_items(an, db):
    lists = {row["name"]: row for row in an.get_lists()}
    static = lists["Seeded static list"]
    saved = lists["Seeded saved filter"]
    assert static["total_items"] == 30
    assert saved["total_items"] == 30
    assert an.get_list(an_id(static))["name"] == "Seeded static list"
    items = an.get_items(an_id(static))
    assert items.num_rows == 30
    members = {row["_links"]["osdi:person"]["href"].rsplit("/", 1)[1] for row in items}
    stored = db.value(
        "SELECT count(*) FROM people_listitem i JOIN people_peoplelist l ON l.id = i.people_list_id"
        " WHERE l.name = 'Seeded static list'"
    )
    assert len(members) == stored == 30
    page = an.get_items(an_id(static), page=2, per_page=25)
    assert len(page["_embedded"]["osdi:items"]) == 5
    first = next(iter(items))
    assert an.get_item(an_id(static), an_id(first))["_links"]["osdi:list"]["href"].endswith(
        an_id(static)
    )
    assert an.get_items(an_id(saved)).num_rows == 30
    assert an.get_lists(limit=1).num_rows == 1
