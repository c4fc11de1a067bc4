"""OSDI petitions and signatures: create/list/update petitions, the record-signature helper
(idempotent, confirmed at once), signatures under petitions and people, and tenant scoping."""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter
from typing import Any

import pytest
from django.core import mail
from django.db import connections

from cairn.api import services as api_services
from cairn.coalitions.models import Role
from cairn.people.models import Person, Tagging
from cairn.people.services import create_tag
from cairn.petitions import services as petition_services
from cairn.petitions.models import Petition, PetitionRevision, Signature

from .conftest import OsdiClient

Status = Petition.Status


def an_id(body: dict[str, Any]) -> str:
    return body["identifiers"][0].split(":", 1)[1]


def signer(email: str, **person: Any) -> dict[str, Any]:
    return {
        "person": {
            "given_name": person.pop("given_name", "Ana"),
            "family_name": person.pop("family_name", "Lima"),
            "email_addresses": [{"address": email}],
            **person,
        }
    }


@pytest.fixture
def owner(coalition, membership_factory):
    return membership_factory(coalition, name="Harbor House")


@pytest.fixture
def open_petition(osdi, owner) -> dict[str, Any]:
    response = osdi.post(
        "/api/v2/petitions",
        {
            "title": "Fund 40 crisis beds",
            "description": "Boarding in the ER costs lives.",
            "petition_text": "We ask the Senate to fund 40 beds.",
            "target": [{"name": "Sen. Holloway", "title": "Majority Leader"}],
        },
    )
    assert response.status_code == 200, response.content
    return response.json()


# --- petitions -----------------------------------------------------------------------------------


def test_a_petition_created_by_a_token_is_open_at_once(osdi, owner, open_petition):
    # then it takes signatures, owned by the coalition's member organization
    petition = Petition.objects.get(pk=an_id(open_petition))
    assert petition.status == Status.OPEN
    assert petition.opened_at is not None
    assert petition.owner == owner
    assert (petition.background, petition.details) == (
        "Boarding in the ER costs lives.",
        "We ask the Senate to fund 40 beds.",
    )
    assert open_petition["status"] == "open"
    assert open_petition["total_signatures"] == 0
    assert open_petition["target"] == [{"name": "Sen. Holloway", "title": "Majority Leader"}]
    assert open_petition["browser_url"] == f"http://testserver/p/{petition.slug}/"
    assert open_petition["identifiers"][0] == f"action_network:{petition.pk}"
    links = open_petition["_links"]
    assert links["self"]["href"] == f"http://testserver/api/v2/petitions/{petition.pk}"
    assert links["osdi:signatures"]["href"] == links["self"]["href"] + "/signatures"
    assert links["osdi:record_signature_helper"] == links["osdi:signatures"]
    assert osdi.get(f"/api/v2/petitions/{petition.pk}/").json() == open_petition


def test_a_target_may_be_plain_text_and_a_draft_is_kept_a_draft(osdi, owner):
    response = osdi.post(
        "/api/v2/petitions", {"title": "Draft it", "target": "The Mayor", "status": "draft"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "draft"
    assert body["browser_url"] is None
    assert body["target"] == [{"name": "The Mayor", "title": ""}]
    long_name = "Sen. Patricia Holloway, Majority Leader of the State Senate of Indiana"
    response = osdi.post("/api/v2/petitions", {"title": "Long target", "target": long_name})
    assert response.json()["target"] == [{"name": long_name, "title": ""}]
    assert Petition.objects.get(pk=an_id(body)).status == Status.DRAFT


def test_put_changes_only_the_given_fields_of_a_draft(osdi, owner):
    draft = osdi.post(
        "/api/v2/petitions", {"title": "Old", "description": "Keep me", "status": "draft"}
    ).json()
    response = osdi.put(f"/api/v2/petitions/{an_id(draft)}", {"title": "New", "target": ["Mayor"]})
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["description"]) == ("New", "Keep me")
    petition = Petition.objects.get(pk=an_id(draft))
    assert (petition.title, petition.background) == ("New", "Keep me")
    assert petition.targets == [{"name": "Mayor", "title": ""}]


def test_a_signed_petitions_text_is_frozen_with_409_and_the_rule(osdi, open_petition):
    # given an open petition someone signed
    pid = an_id(open_petition)
    assert (
        osdi.post(f"/api/v2/petitions/{pid}/signatures", signer("a@example.org")).status_code == 200
    )
    # when a client changes the title and the text, with a description fix
    response = osdi.put(
        f"/api/v2/petitions/{pid}",
        {"title": "Changed", "petition_text": "Other", "description": "Fixed"},
    )
    # then 409 names the refused fields and states the rule, and nothing changed
    assert response.status_code == 409
    assert response.json() == {
        "error": (
            "This petition's title and petition text cannot change now: it has signatures. "
            + petition_services.EDIT_RULE
        ),
        "rule": petition_services.EDIT_RULE,
        "refused": ["title", "petition_text"],
    }
    petition = Petition.objects.get(pk=pid)
    assert (petition.title, petition.details, petition.background) == (
        "Fund 40 crisis beds",
        "We ask the Senate to fund 40 beds.",
        "Boarding in the ER costs lives.",
    )
    assert not PetitionRevision.objects.exists()


def test_an_open_petitions_description_and_target_are_corrected_and_versioned(osdi, open_petition):
    # given an open petition someone signed
    pid = an_id(open_petition)
    assert (
        osdi.post(f"/api/v2/petitions/{pid}/signatures", signer("a@example.org")).status_code == 200
    )
    # when a client sends every field, correcting only the description and the target
    response = osdi.put(
        f"/api/v2/petitions/{pid}",
        {
            "title": "Fund 40 crisis beds",
            "petition_text": "We ask the Senate to fund 40 beds.",
            "description": "Boarding in the ER cost 12 lives.",
            "target": [{"name": "Sen. Holloway", "title": "Senate Majority Leader"}],
        },
    )
    # then the correction is made
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "Boarding in the ER cost 12 lives."
    assert response.json()["target"] == [
        {"name": "Sen. Holloway", "title": "Senate Majority Leader"}
    ]
    # and kept in the petition's history, naming the token that made it
    revision = PetitionRevision.objects.get(petition_id=pid)
    assert revision.via.startswith("API token “tests” (")
    assert revision.changed_by is None
    assert sorted(revision.changes) == ["background", "targets"]
    assert revision.changes["background"] == {
        "from": "Boarding in the ER costs lives.",
        "to": "Boarding in the ER cost 12 lives.",
    }


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": ""},
        {"title": ["x"]},
        {"title": "x", "status": "won"},
        {"title": "x", "target": [{"title": "no name"}]},
        {"title": "x", "target": ["Someone"] * 51},
        {"title": "x", "target": "x" * 201},
        {"title": "x" * 201},
        "[1, 2",
        "title=",
    ],
)
def test_bad_petitions_are_refused_with_json(osdi, owner, body):
    response = osdi.post("/api/v2/petitions", body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert not Petition.objects.exists()


def test_a_coalition_without_member_organizations_cannot_own_a_petition(osdi):
    response = osdi.post("/api/v2/petitions", {"title": "Nobody owns me"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "The coalition has no member organization to own a petition."
    }


def test_an_organizers_token_submits_for_its_organization_and_waits_for_moderation(
    coalition, owner, membership_factory, staff_factory
):
    # given a token whose creator is now an organizer of another member organization
    theirs = membership_factory(coalition, name="Second Org")
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=theirs)
    token = api_services.create_token(coalition=coalition, name="t", created_by=organizer.user)
    # when it creates a petition
    body = OsdiClient(token.raw).post("/api/v2/petitions", {"title": "Ours"}).json()
    # then its organization owns it and stewards still moderate it
    petition = Petition.objects.get(pk=an_id(body))
    assert (petition.owner, petition.status) == (theirs, Status.IN_MODERATION)


def test_a_viewers_token_may_read_but_not_create(coalition, owner, staff_factory):
    viewer = staff_factory(coalition, Role.VIEWER)
    client = OsdiClient(
        api_services.create_token(coalition=coalition, name="t", created_by=viewer.user).raw
    )
    assert client.get("/api/v2/petitions").status_code == 200
    response = client.post("/api/v2/petitions", {"title": "No"})
    assert response.status_code == 403
    assert "error" in response.json()
    assert not Petition.objects.exists()


def test_a_steward_token_opens_petitions(coalition, owner, steward):
    token = api_services.create_token(coalition=coalition, name="t", created_by=steward.user)
    body = OsdiClient(token.raw).post("/api/v2/petitions", {"title": "Open"}).json()
    petition = Petition.objects.get(pk=an_id(body))
    assert petition.status == Status.OPEN
    assert petition.created_by == steward.user


def test_petitions_page_by_25_with_absolute_links_and_filter(osdi, owner):
    for n in range(30):
        assert osdi.post("/api/v2/petitions", {"title": f"Petition {n:02d}"}).status_code == 200
    first = osdi.get("/api/v2/petitions").json()
    assert (first["total_records"], first["total_pages"], first["per_page"]) == (30, 2, 25)
    titles = [p["title"] for p in first["_embedded"]["osdi:petitions"]]
    assert titles == [f"Petition {n:02d}" for n in range(25)]
    assert first["_links"]["next"]["href"] == "http://testserver/api/v2/petitions?page=2"
    second = osdi.get("/api/v2/petitions?page=2").json()
    assert len(second["_embedded"]["osdi:petitions"]) == 5
    assert "next" not in second["_links"]
    assert osdi.get("/api/v2/petitions?page=3").json()["_embedded"] == {"osdi:petitions": []}
    found = osdi.get("/api/v2/petitions", QUERY_STRING="filter=title eq 'petition 07'").json()
    assert [p["title"] for p in found["_embedded"]["osdi:petitions"]] == ["Petition 07"]
    drafts = osdi.get("/api/v2/petitions", QUERY_STRING="filter=status eq 'draft'").json()
    assert drafts["total_records"] == 0
    recent = osdi.get(
        "/api/v2/petitions", QUERY_STRING="filter=modified_date gt '2000-01-01'"
    ).json()
    assert recent["total_records"] == 30
    bad = osdi.get("/api/v2/petitions", QUERY_STRING="filter=petition_text eq 'x'")
    assert bad.status_code == 400
    assert "error" in bad.json()


@pytest.mark.parametrize("petition_id", ["0", "999999", "abc", "-1", "1.0", "9" * 40, "١"])
def test_unknown_petitions_are_404_in_json(osdi, petition_id):
    for response in (
        osdi.get(f"/api/v2/petitions/{petition_id}"),
        osdi.put(f"/api/v2/petitions/{petition_id}", {"title": "x"}),
        osdi.get(f"/api/v2/petitions/{petition_id}/signatures"),
        osdi.post(f"/api/v2/petitions/{petition_id}/signatures", signer("a@example.org")),
    ):
        assert response.status_code == 404
        assert response.json()["error"].startswith("Couldn't find petition")


def test_the_entry_point_links_petitions(osdi):
    links = osdi.get("/api/v2/").json()["_links"]
    assert links["osdi:petitions"] == {"href": "http://testserver/api/v2/petitions"}


# --- the record-signature helper -----------------------------------------------------------------


def test_a_recorded_signature_is_confirmed_counted_and_in_the_crm(osdi, coalition, open_petition):
    create_tag(coalition=coalition, name="Signer")
    pid = an_id(open_petition)
    body = signer(
        "Ana.Lima@Example.org",
        postal_addresses=[{"postal_code": "02139", "country": "US", "locality": "Cambridge"}],
    )
    response = osdi.post(
        f"/api/v2/petitions/{pid}/signatures",
        {
            **body,
            "comments": "Beds save lives",
            "referrer_data": {"source": "canvass", "referrer": ""},
            "add_tags": ["Signer", "Unknown tag"],
        },
    )
    assert response.status_code == 200, response.content
    signature = Signature.objects.get()
    person = Person.objects.get()
    # then it counts at once, without an email to confirm, and the person is in the CRM
    assert signature.confirmed_at is not None
    assert signature.person == person
    assert (signature.comment, signature.channel, signature.postal_code) == (
        "Beds save lives",
        "canvass",
        "02139",
    )
    assert petition_services.current_count(signature.petition) == 1
    assert mail.outbox == []
    assert list(Tagging.objects.values_list("tag__name", flat=True)) == ["Signer"]
    assert person.activities.filter(kind="petition_signature").count() == 1
    reply = response.json()
    assert reply["identifiers"][0] == f"action_network:{signature.pk}"
    assert reply["comments"] == "Beds save lives"
    assert reply["status"] == "confirmed"
    assert (
        reply["_links"]["osdi:person"]["href"] == f"http://testserver/api/v2/people/{person.uuid}"
    )
    assert reply["_links"]["osdi:petition"]["href"] == f"http://testserver/api/v2/petitions/{pid}"
    assert reply["_links"]["self"]["href"] == (
        f"http://testserver/api/v2/petitions/{pid}/signatures/{signature.pk}"
    )
    assert osdi.get(f"/api/v2/petitions/{pid}").json()["total_signatures"] == 1
    assert osdi.get(f"/api/v2/petitions/{pid}/signatures/{signature.pk}").json() == reply
    assert osdi.get(f"/api/v2/people/{person.uuid}/signatures/{signature.pk}").json() == reply
    listed = osdi.get(f"/api/v2/people/{person.uuid}/signatures").json()
    assert listed["_embedded"]["osdi:signatures"] == [reply]


def test_a_retried_signature_is_never_a_second_one(osdi, open_petition):
    pid = an_id(open_petition)
    first = osdi.post(f"/api/v2/petitions/{pid}/signatures", signer("ana@example.org"))
    again = osdi.post(
        f"/api/v2/petitions/{pid}/signatures",
        {**signer(" ANA@example.org ", given_name="Ana Maria"), "comments": "again"},
    )
    assert first.status_code == again.status_code == 200
    assert an_id(first.json()) == an_id(again.json())
    assert Signature.objects.count() == 1
    assert Person.objects.count() == 1
    assert Signature.objects.get().comment == ""  # the first signature is kept as it was
    assert petition_services.current_count(int(pid)) == 1


def test_a_pending_web_signature_is_confirmed_by_the_client_once(osdi, open_petition):
    # given someone who signed on the public page and has not clicked the link yet
    petition = Petition.objects.get(pk=an_id(open_petition))
    petition_services.sign_petition(
        petition=petition,
        signer=petition_services.SignerData(
            name="Ana Lima", email="ana@example.org", postal_code="02139", country="US"
        ),
    )
    assert osdi.get(f"/api/v2/petitions/{petition.pk}/signatures").json()["total_records"] == 0
    # when the client pushes the same signature, twice
    for _ in range(2):
        response = osdi.post(
            f"/api/v2/petitions/{petition.pk}/signatures", signer("ana@example.org")
        )
        assert response.status_code == 200
    # then that signature is confirmed and counted once
    signature = Signature.objects.get()
    assert signature.confirmed_at is not None
    assert signature.person is not None
    assert petition_services.current_count(petition) == 1
    assert response.json()["identifiers"][0] == f"action_network:{signature.pk}"


def test_a_signature_may_name_its_person_by_link(osdi, coalition, open_petition, person_factory):
    person = person_factory(email="known@example.org", given_name="Kim")
    create_tag(coalition=coalition, name="Signer")
    href = f"https://actionnetwork.org/api/v2/people/{person.uuid}"
    response = osdi.post(
        f"/api/v2/petitions/{an_id(open_petition)}/signatures",
        {"_links": {"osdi:person": {"href": href}}, "comments": "Yes", "add_tags": ["Signer"]},
    )
    assert response.status_code == 200, response.content
    signature = Signature.objects.get()
    assert (signature.person, signature.email, signature.comment) == (
        person,
        "known@example.org",
        "Yes",
    )
    assert list(person.taggings.values_list("tag__name", flat=True)) == ["Signer"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"comments": "who?"}, 400),
        ({"person": {"given_name": "Ana"}}, 400),
        ({"person": {"given_name": "Ana", "phone_numbers": [{"number": "+15550001111"}]}}, 400),
        (signer("not-an-email"), 400),
        (signer("a@example.org", given_name="", family_name=""), 400),
        (signer("a@example.org", given_name="=cmd()"), 400),
        (
            signer("a@example.org", postal_addresses=[{"postal_code": "ABCDE", "country": "US"}]),
            400,
        ),
        ({**signer("a@example.org"), "comments": "x" * 2001}, 400),
        ({**signer("a@example.org"), "add_tags": "Signer"}, 400),
        ({"_links": {"osdi:person": {"href": "https://x/api/v2/people/nobody"}}}, 404),
        ({"_links": {"osdi:person": {}}}, 400),
        ({"comments": "who?", "_links": {}}, 400),
        ("comments=hi&_links=osdi%3Aperson", 400),  # Parsons' create_signature (query string)
        ("{not json", 400),
    ],
)
def test_bad_signatures_are_refused_and_change_nothing(osdi, open_petition, body, status):
    response = osdi.post(f"/api/v2/petitions/{an_id(open_petition)}/signatures", body)
    assert response.status_code == status
    assert "error" in response.json()
    assert not Signature.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "links",
    [{}, {"osdi:petition": {"href": "https://actionnetwork.org/api/v2/petitions/x"}}],
    ids=["empty", "petition-link"],
)
def test_an_inline_person_with_other_links_signs(osdi, open_petition, links):
    # when a client sends the person inline beside `_links` without a person link
    body = {**signer("ana@example.org"), "_links": links}
    response = osdi.post(f"/api/v2/petitions/{an_id(open_petition)}/signatures", body)
    # then the person is signed up and signs (before: "_links.osdi:person: Field required")
    assert response.status_code == 200, response.content
    assert list(Signature.objects.values_list("person__emails__address", flat=True)) == [
        "ana@example.org"
    ]


def test_a_petition_that_is_not_open_takes_no_signatures(osdi, owner):
    draft = osdi.post("/api/v2/petitions", {"title": "Draft", "status": "draft"}).json()
    response = osdi.post(f"/api/v2/petitions/{an_id(draft)}/signatures", signer("a@example.org"))
    assert response.status_code == 400
    assert response.json() == {"error": "This petition is not taking signatures."}
    assert not Signature.objects.exists()
    assert not Person.objects.exists()


def test_the_block_list_applies_to_recorded_signatures(osdi, coalition, open_petition):
    petition_services.set_list_entry(
        coalition=coalition, kind="domain", value="spam.test", verdict="block"
    )
    response = osdi.post(
        f"/api/v2/petitions/{an_id(open_petition)}/signatures", signer("a@spam.test")
    )
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_put_changes_a_signatures_comments(osdi, open_petition):
    pid = an_id(open_petition)
    sid = an_id(osdi.post(f"/api/v2/petitions/{pid}/signatures", signer("a@example.org")).json())
    response = osdi.put(f"/api/v2/petitions/{pid}/signatures/{sid}", "comments=Updated")
    assert response.status_code == 200
    assert response.json()["comments"] == "Updated"
    assert Signature.objects.get().comment == "Updated"
    assert osdi.put(f"/api/v2/petitions/{pid}/signatures/{sid}", {}).status_code == 200
    assert Signature.objects.get().comment == "Updated"


def test_signatures_page_by_25(osdi, open_petition):
    pid = an_id(open_petition)
    for n in range(27):
        osdi.post(f"/api/v2/petitions/{pid}/signatures", signer(f"s{n:02d}@example.org"))
    first = osdi.get(f"/api/v2/petitions/{pid}/signatures").json()
    assert (first["total_records"], len(first["_embedded"]["osdi:signatures"])) == (27, 25)
    assert first["_links"]["next"]["href"] == (
        f"http://testserver/api/v2/petitions/{pid}/signatures?page=2"
    )
    second = osdi.get(f"/api/v2/petitions/{pid}/signatures?page=2").json()
    ids = {an_id(s) for s in first["_embedded"]["osdi:signatures"]}
    ids |= {an_id(s) for s in second["_embedded"]["osdi:signatures"]}
    assert ids == {str(pk) for pk in Signature.objects.values_list("pk", flat=True)}
    assert osdi.get(f"/api/v2/petitions/{pid}").json()["total_signatures"] == 27
    recent = osdi.get(
        f"/api/v2/petitions/{pid}/signatures", QUERY_STRING="filter=created_date gt '2000-01-01'"
    ).json()
    assert recent["total_records"] == 27


# --- tenancy -------------------------------------------------------------------------------------


def test_a_token_never_sees_nor_changes_another_coalitions_petitions(
    osdi, open_petition, coalition_factory, membership_factory
):
    # given coalition B with an open petition, a signer and their signature
    b = coalition_factory()
    membership_factory(b, name="B org")
    b_token = api_services.create_token(coalition=b, name="b", created_by=None).raw
    b_client = OsdiClient(b_token)
    b_petition = b_client.post("/api/v2/petitions", {"title": "B's petition"}).json()
    b_pid = an_id(b_petition)
    b_signature = b_client.post(
        f"/api/v2/petitions/{b_pid}/signatures", signer("b@example.org")
    ).json()
    b_sid = an_id(b_signature)
    b_person = b_signature["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1]
    a_pid = an_id(open_petition)
    before = list(Signature.objects.values_list("pk", "comment", "confirmed_at"))
    # when A's token asks for them by id, lists, and tries to write
    listed = osdi.get("/api/v2/petitions").json()["_embedded"]["osdi:petitions"]
    assert [p["title"] for p in listed] == ["Fund 40 crisis beds"]
    for response in (
        osdi.get(f"/api/v2/petitions/{b_pid}"),
        osdi.put(f"/api/v2/petitions/{b_pid}", {"title": "Hijacked"}),
        osdi.get(f"/api/v2/petitions/{b_pid}/signatures"),
        osdi.get(f"/api/v2/petitions/{b_pid}/signatures/{b_sid}"),
        osdi.post(f"/api/v2/petitions/{b_pid}/signatures", signer("a@example.org")),
        osdi.put(f"/api/v2/petitions/{b_pid}/signatures/{b_sid}", {"comments": "Hijacked"}),
        osdi.get(f"/api/v2/petitions/{a_pid}/signatures/{b_sid}"),
        osdi.put(f"/api/v2/petitions/{a_pid}/signatures/{b_sid}", {"comments": "Hijacked"}),
        osdi.get(f"/api/v2/people/{b_person}/signatures"),
        osdi.get(f"/api/v2/people/{b_person}/signatures/{b_sid}"),
    ):
        # then they are not found, and B's data never shows up
        assert response.status_code == 404, response.content
        assert b"B's petition" not in response.content
    assert Petition.objects.get(pk=b_pid).title == "B's petition"
    assert list(Signature.objects.values_list("pk", "comment", "confirmed_at")) == before
    assert osdi.get(f"/api/v2/petitions/{a_pid}/signatures").json()["total_records"] == 0


# --- retries racing each other -------------------------------------------------------------------

RACERS, PUSHES_EACH, SIGNERS = 10, 6, 12
SPELLINGS = ("signer{n}@example.org", "Signer{n}@Example.org", " SIGNER{n}@EXAMPLE.ORG ")


def _racer(worker: int, token: str, petition_id: str, barrier: Any, results: Any) -> None:
    connections.close_all()  # never share the parent's connection across a fork
    statuses: Counter[str] = Counter()
    try:
        client = OsdiClient(token)
        barrier.wait(timeout=60)
        for k in range(PUSHES_EACH):
            index = worker * PUSHES_EACH + k
            email = SPELLINGS[index % len(SPELLINGS)].format(n=index % SIGNERS)
            response = client.post(f"/api/v2/petitions/{petition_id}/signatures", signer(email))
            statuses[str(response.status_code)] += 1
        results.put(dict(statuses))
    except Exception as error:
        results.put({f"error: {error!r}": 1})
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_parallel_retries_leave_one_signature_per_signer(coalition, membership_factory):
    # given an open petition created through the API
    membership_factory(coalition, name="Owner")
    token = api_services.create_token(coalition=coalition, name="race", created_by=None).raw
    pid = an_id(OsdiClient(token).post("/api/v2/petitions", {"title": "Race"}).json())
    context = mp.get_context("fork")
    barrier, results = context.Barrier(RACERS), context.Queue()
    connections.close_all()
    # when 10 processes push 60 signatures of 12 signers at once, spelled three ways
    processes = [
        context.Process(target=_racer, args=(n, token, pid, barrier, results))
        for n in range(RACERS)
    ]
    for process in processes:
        process.start()
    outcomes: Counter[str] = Counter()
    for _ in processes:
        outcomes.update(results.get(timeout=180))
    for process in processes:
        process.join(timeout=30)
    # then every push was answered 200 and each signer signed once, counted once
    assert outcomes == {"200": RACERS * PUSHES_EACH}, outcomes
    petition = Petition.objects.get(pk=pid)
    assert Signature.objects.filter(petition=petition).count() == SIGNERS
    assert petition_services.current_count(petition) == SIGNERS
    assert petition_services.recount_petition(petition=petition) == (SIGNERS, SIGNERS)
