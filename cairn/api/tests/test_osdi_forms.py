"""OSDI forms and submissions: create/list/update forms (JSON, query string and form bodies as
Parsons sends them), the record-submission helper (inline person or a person link on any host,
one submission per form and person), submissions under forms and people, permissions and
tenant scoping."""

from __future__ import annotations

from typing import Any

import pytest

from cairn.api import services as api_services
from cairn.coalitions.models import Role
from cairn.people.models import Person, Tagging
from cairn.people.services import create_tag
from cairn.signups.models import Form, Submission

from .conftest import OsdiClient

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"label": "Your county", "type": "choice", "choices": ["Adams", "Baker"], "required": True},
    {"label": "Can you volunteer?", "type": "checkbox"},
]


def an_id(body: dict[str, Any]) -> str:
    return str(body["identifiers"][0].split(":", 1)[1])


def submitter(email: str, **extra: Any) -> dict[str, Any]:
    return {
        "person": {
            "given_name": "Ana",
            "family_name": "Lima",
            "email_addresses": [{"address": email}],
        },
        **extra,
    }


@pytest.fixture
def form(osdi: OsdiClient) -> dict[str, Any]:
    response = osdi.post(
        "/api/v2/forms",
        {
            "title": "Join the lobby day",
            "description": "Come to the Capitol on March 3.",
            "origin_system": "FreeForms.com",
            "fields": QUESTIONS,
            "consent_text": "I agree to be contacted.",
            "consent_required": True,
        },
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_create_form_opens_it_with_its_questions(form: dict[str, Any], coalition) -> None:
    row = Form.objects.get(uuid=an_id(form))
    assert row.coalition_id == coalition.pk
    assert row.status == Form.Status.OPEN
    assert form["title"] == "Join the lobby day"
    assert form["origin_system"] == "FreeForms.com"
    assert form["total_submissions"] == 0
    assert [q["key"] for q in form["fields"]] == ["your_county", "can_you_volunteer"]
    assert form["browser_url"].endswith(f"/f/{an_id(form)}/")
    assert form["identifiers"][0].startswith("action_network:")
    links = form["_links"]
    assert links["osdi:submissions"]["href"].endswith(f"/api/v2/forms/{an_id(form)}/submissions")
    assert links["osdi:record_submission_helper"] == links["osdi:submissions"]


def test_create_form_from_a_query_string_as_parsons_sends_it(osdi: OsdiClient) -> None:
    # Parsons' create_form: POST with an empty body and the payload as query parameters.
    response = osdi.post("/api/v2/forms?title=My+Free+Form&origin_system=FreeForms.com")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "My Free Form"
    assert Form.objects.get(uuid=an_id(response.json())).origin_system == "FreeForms.com"


def test_update_form_from_a_form_body_as_parsons_sends_it(
    osdi: OsdiClient, form: dict[str, Any]
) -> None:
    # Parsons' update_form: PUT with the payload form-encoded.
    response = osdi.put(
        f"/api/v2/forms/{an_id(form)}",
        "title=Lobby+day%2C+March+3&origin_system=Cairn+tests",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Lobby day, March 3"
    assert body["description"] == "Come to the Capitol on March 3."  # left out: kept
    assert len(body["fields"]) == 2
    closed = osdi.put(f"/api/v2/forms/{an_id(form)}", {"status": "closed"})
    assert closed.json()["status"] == "closed"


def test_bad_questions_are_a_400_and_change_nothing(osdi: OsdiClient, form) -> None:
    response = osdi.put(
        f"/api/v2/forms/{an_id(form)}", {"fields": [{"label": "Pick", "type": "choice"}]}
    )
    assert response.status_code == 400
    assert "choice without choices" in response.json()["error"]
    assert len(Form.objects.get(uuid=an_id(form)).fields) == 2
    assert osdi.post("/api/v2/forms", {"description": "no title"}).status_code == 400


def test_list_and_filter_forms(osdi: OsdiClient, form) -> None:
    osdi.post("/api/v2/forms", {"title": "Survey of members", "kind": "survey"})
    listed = osdi.get("/api/v2/forms").json()
    assert listed["total_records"] == 2
    assert an_id(listed["_embedded"]["osdi:forms"][0]) == an_id(form)
    filtered = osdi.get("/api/v2/forms?filter=title eq 'Survey of members'").json()
    assert [f["title"] for f in filtered["_embedded"]["osdi:forms"]] == ["Survey of members"]
    assert osdi.get("/api/v2/forms/not-a-uuid").status_code == 404
    assert "osdi:forms" in osdi.get("/api/v2/").json()["_links"]


def test_record_submission_merges_the_person_and_is_never_twice(
    osdi: OsdiClient, form, coalition
) -> None:
    create_tag(coalition=coalition, name="Lobby day")
    body = submitter(
        "ana@example.org",
        answers={"your_county": "Baker"},
        consent=True,
        add_tags=["Lobby day", "Unknown tag"],
        referrer_data={"source": "email"},
    )
    first = osdi.post(f"/api/v2/forms/{an_id(form)}/submissions", body)
    again = osdi.post(f"/api/v2/forms/{an_id(form)}/submissions", body)
    assert first.status_code == again.status_code == 200, first.content
    assert an_id(first.json()) == an_id(again.json())
    submission = Submission.objects.get()
    assert submission.answers == {"your_county": "Baker"}
    assert submission.consent_given
    assert submission.source == "email"
    person = Person.objects.get(coalition=coalition)
    assert first.json()["action_network:person_id"] == str(person.uuid)
    assert first.json()["action_network:form_id"] == an_id(form)
    assert first.json()["_links"]["osdi:person"]["href"].endswith(f"/people/{person.uuid}")
    assert list(Tagging.objects.filter(person=person).values_list("tag__name", flat=True)) == [
        "Lobby day"
    ]
    assert osdi.get(f"/api/v2/forms/{an_id(form)}").json()["total_submissions"] == 1


def test_record_submission_by_a_person_link_on_another_host(
    osdi: OsdiClient, form, person_factory
) -> None:
    # Parsons' create_submission sends only this, pointing at actionnetwork.org.
    person = person_factory(email="bo@example.org")
    href = f"https://actionnetwork.org/api/v2/people/{person.uuid}"
    response = osdi.post(
        f"/api/v2/forms/{an_id(form)}/submissions", {"_links": {"osdi:person": {"href": href}}}
    )
    assert response.status_code == 200, response.content
    assert Submission.objects.get().person_id == person.pk  # required answers: vouched for
    missing = osdi.post(
        f"/api/v2/forms/{an_id(form)}/submissions",
        {"_links": {"osdi:person": {"href": ".../people/00000000-0000-0000-0000-000000000000"}}},
    )
    assert missing.status_code == 404
    assert osdi.post(f"/api/v2/forms/{an_id(form)}/submissions", {}).status_code == 400
    wrong = osdi.post(
        f"/api/v2/forms/{an_id(form)}/submissions",
        submitter("cy@example.org", answers={"your_county": "Nowhere"}),
    )
    assert wrong.status_code == 400
    assert "your_county" in wrong.json()["error"]
    assert Submission.objects.count() == 1


def test_submissions_under_form_and_person_and_update(
    osdi: OsdiClient, form, person_factory
) -> None:
    made = [
        osdi.post(f"/api/v2/forms/{an_id(form)}/submissions", submitter(f"s{n}@example.org"))
        for n in range(27)
    ]
    assert all(r.status_code == 200 for r in made)
    page1 = osdi.get(f"/api/v2/forms/{an_id(form)}/submissions").json()
    page2 = osdi.get(f"/api/v2/forms/{an_id(form)}/submissions?page=2").json()
    assert page1["total_records"] == 27
    assert len(page1["_embedded"]["osdi:submissions"]) == 25
    assert len(page2["_embedded"]["osdi:submissions"]) == 2
    first = made[0].json()
    sub_id, person_id = an_id(first), first["action_network:person_id"]
    one = osdi.get(f"/api/v2/forms/{an_id(form)}/submissions/{sub_id}").json()
    assert an_id(one) == sub_id
    of_person = osdi.get(f"/api/v2/people/{person_id}/submissions").json()
    assert [an_id(s) for s in of_person["_embedded"]["osdi:submissions"]] == [sub_id]
    assert an_id(osdi.get(f"/api/v2/people/{person_id}/submissions/{sub_id}").json()) == sub_id
    # Parsons' update_submission: JSON with a person link; answers merge.
    other = person_factory(email="moved@example.org")
    href = f"https://actionnetwork.org/api/v2/people/{other.uuid}"
    moved = osdi.put(
        f"/api/v2/forms/{an_id(form)}/submissions/{sub_id}",
        {"_links": {"osdi:person": {"href": href}}, "answers": {"can_you_volunteer": True}},
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["action_network:person_id"] == str(other.uuid)
    assert moved.json()["answers"] == {"can_you_volunteer": True}
    taken = osdi.put(
        f"/api/v2/forms/{an_id(form)}/submissions/{an_id(made[1].json())}",
        {"_links": {"osdi:person": {"href": href}}},
    )
    assert taken.status_code == 400
    since = osdi.get(
        f"/api/v2/forms/{an_id(form)}/submissions?filter=created_date gt '2000-01-01'"
    ).json()
    assert since["total_records"] == 27


def test_other_coalitions_see_nothing(
    osdi: OsdiClient, form, coalition_factory, person_factory
) -> None:
    osdi.post(f"/api/v2/forms/{an_id(form)}/submissions", submitter("ana@example.org"))
    sub_id = str(Submission.objects.get().uuid)
    other = coalition_factory()
    outsider = OsdiClient(api_services.create_token(coalition=other, name="o", created_by=None).raw)
    assert outsider.get("/api/v2/forms").json()["total_records"] == 0
    assert outsider.get(f"/api/v2/forms/{an_id(form)}").status_code == 404
    assert outsider.get(f"/api/v2/forms/{an_id(form)}/submissions/{sub_id}").status_code == 404
    assert (
        outsider.post(
            f"/api/v2/forms/{an_id(form)}/submissions", submitter("eve@example.org")
        ).status_code
        == 404
    )
    stranger = person_factory(other, email="stranger@example.org")
    link = {"_links": {"osdi:person": {"href": f"/api/v2/people/{stranger.uuid}"}}}
    assert osdi.post(f"/api/v2/forms/{an_id(form)}/submissions", link).status_code == 404
    assert Submission.objects.count() == 1


def test_an_organizers_token_owns_its_forms_and_no_others(
    osdi: OsdiClient, form, coalition, membership_factory, staff_factory
) -> None:
    member = membership_factory(coalition, name="Harbor House")
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=member)
    token = api_services.create_token(coalition=coalition, name="org", created_by=organizer.user)
    client = OsdiClient(token.raw)
    own = client.post("/api/v2/forms", {"title": "Harbor House volunteers"})
    assert own.status_code == 200, own.content
    assert Form.objects.get(uuid=an_id(own.json())).owner_id == member.pk
    refused = client.put(f"/api/v2/forms/{an_id(form)}", {"title": "Taken over"})
    assert refused.status_code == 403
    assert Form.objects.get(uuid=an_id(form)).title == "Join the lobby day"


def test_surveys_are_forms_of_kind_survey(osdi: OsdiClient, form) -> None:
    # Parsons' create_survey and update_survey both POST JSON (the update to /surveys/{id}).
    made = osdi.post("/api/v2/surveys", {"title": "Member survey", "origin_system": "Polls"})
    assert made.status_code == 200, made.content
    survey = made.json()
    assert survey["kind"] == "survey"
    assert survey["_links"]["self"]["href"].endswith(f"/api/v2/surveys/{an_id(survey)}")
    renamed = osdi.post(f"/api/v2/surveys/{an_id(survey)}", {"title": "Members' survey"})
    assert renamed.status_code == 200, renamed.content
    assert Form.objects.get(uuid=an_id(survey)).title == "Members' survey"
    listed = osdi.get("/api/v2/surveys").json()
    assert [an_id(s) for s in listed["_embedded"]["osdi:surveys"]] == [an_id(survey)]
    assert osdi.get(f"/api/v2/surveys/{an_id(survey)}").json()["title"] == "Members' survey"
    assert osdi.get(f"/api/v2/surveys/{an_id(form)}").status_code == 404  # a sign-up form
    assert osdi.get("/api/v2/forms").json()["total_records"] == 2  # surveys are forms too
