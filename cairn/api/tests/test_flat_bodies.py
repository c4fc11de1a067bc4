"""Forms and query strings are flat: nested fields come as bracket keys (as Action Network, a Rails
app, reads them), repeated keys as lists. That is how a signature with the person inline — or a
person link — arrives through Parsons' `create_signature`, which sends its payload as a query
string. A nested object in Parsons' own encoding has lost its values: a 400 says how to send it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from cairn.api.osdi.body import nest
from cairn.api.osdi.errors import ApiError
from cairn.people.models import Person
from cairn.petitions.models import Petition, Signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def petition_id(osdi, coalition, membership_factory) -> str:
    membership_factory(coalition, name="Harbor House")
    made = osdi.post("/api/v2/petitions", {"title": "Fund 40 crisis beds"}).json()
    return str(made["identifiers"][0].split(":", 1)[1])


def query(fields: dict[str, Any] | list[tuple[str, str]]) -> str:
    return urlencode(fields)


def test_bracket_keys_nest_and_indexes_make_lists():
    fields = {
        "person[given_name]": ["Ana"],
        "person[email_addresses][1][address]": ["b@example.org"],
        "person[email_addresses][0][address]": ["a@example.org"],
        "person[email_addresses][0][primary]": ["true"],
        "_links[osdi:person][href]": ["https://actionnetwork.org/api/v2/people/x"],
        "add_tags": ["Volunteer", "Donor"],
        "tags[]": ["a", "b"],
        "comments": ["Yes"],
    }
    assert nest(fields.items()) == {
        "person": {
            "given_name": "Ana",
            "email_addresses": [
                {"address": "a@example.org", "primary": "true"},
                {"address": "b@example.org"},
            ],
        },
        "_links": {"osdi:person": {"href": "https://actionnetwork.org/api/v2/people/x"}},
        "add_tags": ["Volunteer", "Donor"],
        "tags": ["a", "b"],
        "comments": "Yes",
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"person[": ["x"]}, "is not a valid bracket key"),
        ({"person]x[": ["x"]}, "is not a valid bracket key"),
        ({"[given_name]": ["x"]}, "is not a valid bracket key"),
        ({"person[][address]": ["x"]}, "is not a valid bracket key"),
        ({"person": ["x"], "person[given_name]": ["y"]}, "conflicts"),
        ({"person[given_name]": ["y"], "person": ["x"]}, "is given twice"),
        ({"person[given_name]": ["x", "y"]}, "is given twice"),
        ({"person[given_name]": ["x"], "person[given_name][first]": ["y"]}, "conflicts"),
        ({"a" + "[b]" * 8: ["x"]}, "nested too deeply"),
    ],
)
def test_malformed_bracket_keys_are_refused(fields, message):
    with pytest.raises(ApiError, match=message) as refused:
        nest(fields.items())
    assert refused.value.status == 400


def test_a_signature_with_the_person_inline_in_the_query_string_signs_them_up(osdi, petition_id):
    # when a client sends the record-signature helper's body as a query string (Parsons does)
    fields = {
        "person[given_name]": "Ana",
        "person[family_name]": "Lima",
        "person[email_addresses][0][address]": "ana@example.org",
        "person[postal_addresses][0][postal_code]": "02139",
        "comments": "Fund them",
    }
    response = osdi.post(f"/api/v2/petitions/{petition_id}/signatures?{query(fields)}", "")
    # then the person is created and their signature counts
    assert response.status_code == 200, response.content
    assert response.json()["comments"] == "Fund them"
    person = Person.objects.get()
    assert (person.given_name, person.family_name) == ("Ana", "Lima")
    assert list(person.emails.values_list("address", flat=True)) == ["ana@example.org"]
    signature = Signature.objects.get()
    assert (signature.person, signature.petition_id) == (person, int(petition_id))
    assert signature.confirmed_at is not None


def test_a_signature_in_a_form_body_matches_the_person_already_known(
    osdi, petition_id, person_factory
):
    # given a supporter already in the CRM
    known = person_factory(email="ana@example.org", given_name="Ana", family_name="Lima")
    # when a signature names them inline, in a form body
    form = query({"person[email_addresses][0][address]": "ANA@example.org", "comments": "Yes"})
    response = osdi.post(
        f"/api/v2/petitions/{petition_id}/signatures",
        form,
        content_type="application/x-www-form-urlencoded",
    )
    # then it is theirs: matched by the people app's rule, no second person
    assert response.status_code == 200, response.content
    assert Person.objects.get() == known
    assert Signature.objects.get().person == known


def test_a_person_link_in_bracket_keys_signs_too(osdi, petition_id, person_factory):
    ana = person_factory(email="ana@example.org")
    href = f"https://actionnetwork.org/api/v2/people/{ana.uuid}"
    fields = {"_links[osdi:person][href]": href, "comments": "Again"}
    response = osdi.post(f"/api/v2/petitions/{petition_id}/signatures?{query(fields)}", "")
    assert response.status_code == 200, response.content
    assert Signature.objects.get().person == ana


def test_a_nested_object_as_parsons_encodes_it_is_400_saying_how_to_send_it(osdi, petition_id):
    # given what `requests` makes of {"person": {"given_name": …, "email_addresses": […]}}
    lost = query([("person", "given_name"), ("person", "email_addresses"), ("comments", "x")])
    # when it is posted
    response = osdi.post(f"/api/v2/petitions/{petition_id}/signatures?{lost}", "")
    # then 400 names the field and the way to send it, and nothing is written
    assert response.status_code == 400
    error = response.json()["error"]
    assert error.startswith("Invalid request: person:")
    assert "person[email_addresses][0][address]=" in error
    assert "only its keys are sent" in error
    assert not Person.objects.exists()
    assert not Signature.objects.exists()
    assert Petition.objects.count() == 1


def test_repeated_tags_in_a_query_string_are_a_list(osdi):
    fields = [
        ("person[email_addresses][0][address]", "ana@example.org"),
        ("add_tags", "Volunteer"),
        ("add_tags", "Donor"),
    ]
    osdi.post("/api/v2/tags", {"name": "Volunteer"})
    osdi.post("/api/v2/tags", {"name": "Donor"})
    response = osdi.post(f"/api/v2/people?{query(fields)}", "")
    assert response.status_code == 200, response.content
    tags = Person.objects.get().taggings.values_list("tag__name", flat=True)
    assert sorted(tags) == ["Donor", "Volunteer"]
