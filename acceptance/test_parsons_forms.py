"""Parsons 6.1.0's ActionNetwork connector against a live Cairn: every call of its forms and
submissions groups (get_forms, get_form, create_form, update_form; get_form_submissions,
get_person_submissions, get_form_submission, get_person_submission, create_submission,
update_submission), and of its surveys group (surveys are forms of kind survey), checked in its
return values and in Cairn's database.

Parsons sends `create_form`'s payload as a query string with an empty body, `update_form`'s as a
form body, and `create_submission` / `update_submission` as JSON with a person link on
actionnetwork.org: Cairn reads all of them. The `osdi` 0.3.1 client has no forms or submissions
calls, so there is nothing of it to drive here.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from parsons.action_network import action_network as an_module

from conftest import an_id

SUBMITTERS = 27  # more than a page


@pytest.fixture(scope="module")
def an(base_url, token):
    an_module.API_URL = base_url  # Parsons has no base-URL argument
    return an_module.ActionNetwork(api_token=token)


@pytest.fixture(scope="module")
def form(an):
    return an.create_form({"title": "Lobby day sign-up", "origin_system": "FreeForms.com"})


@pytest.fixture(scope="module")
def people(an):
    made = []
    for n in range(SUBMITTERS):
        person = an.upsert_person(
            email_address=f"former{n:02d}@example.org", given_name=f"Former{n:02d}"
        )
        made.append(an_id(person))
    return made


@pytest.fixture(scope="module")
def submissions(an, form, people):
    """One submission per person, each create_submission sent twice (a client's retry)."""
    made = []
    for person_id in people:
        first = an.create_submission(an_id(form), person_id)
        again = an.create_submission(an_id(form), person_id)
        assert an_id(first) == an_id(again)
        made.append(first)
    return made


def form_row(db, form_id: str) -> tuple:
    rows = db.rows(
        "SELECT id, title, origin_system, status FROM signups_form WHERE uuid = ?",
        uuid.UUID(form_id).hex,
    )
    assert len(rows) == 1
    return rows[0]


def test_create_form_opens_it(form, db):
    assert form["title"] == "Lobby day sign-up"
    assert form["origin_system"] == "FreeForms.com"
    assert form["total_submissions"] == 0
    assert form["_links"]["self"]["href"].startswith("http://127.0.0.1:")
    assert form["browser_url"].endswith(f"/f/{an_id(form)}/")
    assert form_row(db, an_id(form))[1:] == ("Lobby day sign-up", "FreeForms.com", "open")


def test_the_public_page_of_a_created_form_answers(form):
    page = requests.get(form["browser_url"], timeout=30)
    assert page.status_code == 200
    assert "Lobby day sign-up" in page.text


def test_get_form_and_unknown_form(an, form, submissions):
    got = an.get_form(an_id(form))
    assert got["title"] == "Lobby day sign-up"
    assert got["total_submissions"] == SUBMITTERS
    missing = str(uuid.uuid4())
    with pytest.raises(requests.HTTPError) as refused:
        an.get_form(missing)
    assert "Code: 404" in str(refused.value)
    assert f"Couldn't find form with id = {missing}" in str(refused.value)


def test_get_forms_pages_limits_and_filters(an, form, db):
    for n in range(26):  # more than a page of forms
        an.create_form({"title": f"Paging form {n:02d}"})
    everything = an.get_forms()
    ids = [an_id(row) for row in everything]
    assert len(ids) == len(set(ids)) == db.value("SELECT count(*) FROM signups_form") > 25
    assert an_id(form) in ids
    assert an.get_forms(limit=3).num_rows == 3
    page = an.get_forms(page=2, per_page=10)
    assert page["page"] == 2
    assert len(page["_embedded"]["osdi:forms"]) == 10
    found = an.get_forms(filter="title eq 'Paging form 07'")
    assert [row["title"] for row in found] == ["Paging form 07"]
    with pytest.raises(requests.HTTPError) as refused:
        an.get_forms(filter="title like 'x'")
    assert "Code: 400" in str(refused.value)


def test_update_form(an, db):
    made = an.create_form({"title": "To be renamed"})
    updated = an.update_form(an_id(made), {"title": "Renamed", "origin_system": "Parsons"})
    assert (updated["title"], updated["origin_system"]) == ("Renamed", "Parsons")
    assert form_row(db, an_id(made))[1:] == ("Renamed", "Parsons", "open")
    with pytest.raises(requests.HTTPError) as refused:
        an.update_form(str(uuid.uuid4()), {"title": "x"})
    assert "Code: 404" in str(refused.value)


def test_create_submission_records_one_per_person(form, people, submissions, db):
    form_pk = form_row(db, an_id(form))[0]
    assert (
        db.value("SELECT count(*) FROM signups_submission WHERE form_id = ?", form_pk) == SUBMITTERS
    )
    first = submissions[0]
    assert first["action_network:person_id"] == people[0]
    assert first["action_network:form_id"] == an_id(form)
    assert first["_links"]["osdi:person"]["href"].endswith(f"/people/{people[0]}")
    assert db.people_with_email("former03@example.org") == 1


def test_get_form_submissions_and_one_of_them(an, form, submissions):
    listed = an.get_form_submissions(an_id(form))
    assert listed.num_rows == SUBMITTERS
    assert {an_id(row) for row in listed} == {an_id(s) for s in submissions}
    assert an.get_form_submissions(an_id(form), limit=5).num_rows == 5
    page = an.get_form_submissions(an_id(form), page=2, per_page=25)
    assert len(page["_embedded"]["osdi:submissions"]) == SUBMITTERS - 25
    filtered = an.get_form_submissions(an_id(form), filter="created_date gt '2000-01-01'")
    assert filtered.num_rows == SUBMITTERS
    one = an.get_form_submission(an_id(form), an_id(submissions[4]))
    assert an_id(one) == an_id(submissions[4])
    with pytest.raises(requests.HTTPError) as refused:
        an.get_form_submission(an_id(form), str(uuid.uuid4()))
    assert "Code: 404" in str(refused.value)


def test_get_person_submissions_and_one_of_them(an, people, submissions):
    listed = an.get_person_submissions(people[2])
    assert [an_id(row) for row in listed] == [an_id(submissions[2])]
    one = an.get_person_submission(people[2], an_id(submissions[2]))
    assert one["action_network:person_id"] == people[2]
    with pytest.raises(requests.HTTPError) as refused:
        an.get_person_submission(people[3], an_id(submissions[2]))  # not theirs
    assert "Code: 404" in str(refused.value)


def test_update_submission_moves_it_to_another_person(an, form, submissions, db):
    newcomer = an_id(an.upsert_person(email_address="newcomer@example.org", given_name="New"))
    target = an_id(submissions[-1])
    moved = an.update_submission(
        an_id(form),
        target,
        {
            "_links": {
                "osdi:person": {"href": f"https://actionnetwork.org/api/v2/people/{newcomer}"}
            }
        },
    )
    assert moved["action_network:person_id"] == newcomer
    person_pk = db.value(
        "SELECT person_id FROM signups_submission WHERE uuid = ?", uuid.UUID(target).hex
    )
    assert person_pk == db.value(
        "SELECT id FROM people_person WHERE uuid = ?", uuid.UUID(newcomer).hex
    )
    with pytest.raises(requests.HTTPError) as refused:  # that person has a submission already
        an.update_submission(
            an_id(form),
            an_id(submissions[0]),
            {"_links": {"osdi:person": {"href": f"/api/v2/people/{newcomer}"}}},
        )
    assert "Code: 400" in str(refused.value)


def test_surveys_create_get_list_and_update(an, db):
    made = an.create_survey({"title": "Member survey", "origin_system": "FreeSurveys.com"})
    assert made["kind"] == "survey"
    assert form_row(db, an_id(made))[1:] == ("Member survey", "FreeSurveys.com", "open")
    updated = an.update_survey(an_id(made), {"title": "Members' survey"})  # a POST, in Parsons
    assert updated["title"] == "Members' survey"
    assert an.get_survey(an_id(made))["title"] == "Members' survey"
    listed = an.get_surveys()
    assert an_id(made) in [an_id(row) for row in listed]
    assert all(row["kind"] == "survey" for row in listed)
    with pytest.raises(requests.HTTPError) as refused:
        an.get_survey(str(uuid.uuid4()))
    assert "Code: 404" in str(refused.value)
