"""Parsons 6.1.0's ActionNetwork connector against a live Cairn: every petition and signature call
it makes, checked in its return values and in Cairn's database.

Signatures are pushed with the record-signature helper as Action Network documents it (a JSON
POST), and with Parsons' own `create_signature`, which sends its payload as a query string: there
nested fields travel as bracket keys (`person[email_addresses][0][address]`, as Action Network, a
Rails app, reads them); a nested dict loses its values on the way (requests sends only its keys),
and Cairn's 400 says how to send it.
"""

from __future__ import annotations

import pytest
import requests
from parsons.action_network import action_network as an_module

from conftest import an_id

SIGNERS = 30  # more than a page


@pytest.fixture(scope="module")
def an(base_url, token):
    an_module.API_URL = base_url  # Parsons has no base-URL argument
    return an_module.ActionNetwork(api_token=token)


@pytest.fixture(scope="module")
def petition(an):
    return an.create_petition(
        title="Fund 40 crisis beds",
        description="Boarding in the ER costs lives.",
        petition_text="We ask the Senate to fund 40 beds.",
        target=[{"name": "Sen. Holloway"}],
        background_processing=True,
    )


def record(base_url, token, petition_id, body):
    return requests.post(
        f"{base_url}/petitions/{petition_id}/signatures",
        json=body,
        headers={"OSDI-API-Token": token},
        timeout=30,
    )


def signer(n: int) -> dict:
    return {
        "person": {
            "given_name": f"Signer{n:02d}",
            "family_name": "Parsons",
            "email_addresses": [{"address": f"signer{n:02d}@example.org"}],
            "postal_addresses": [{"postal_code": "02139", "country": "US"}],
        },
        "comments": f"Comment {n:02d}",
        "add_tags": ["Seeded"],
    }


@pytest.fixture(scope="module")
def signatures(base_url, token, petition):
    """30 signatures recorded through the helper, each POST sent twice (a client's retry)."""
    made = []
    for n in range(SIGNERS):
        first = record(base_url, token, an_id(petition), signer(n))
        again = record(base_url, token, an_id(petition), signer(n))
        assert first.status_code == again.status_code == 200, first.text
        assert an_id(first.json()) == an_id(again.json())
        made.append(first.json())
    return made


def test_create_petition_opens_it(petition, db):
    assert petition["title"] == "Fund 40 crisis beds"
    assert petition["status"] == "open"
    assert petition["target"] == [{"name": "Sen. Holloway", "title": ""}]
    assert petition["_links"]["self"]["href"].startswith("http://127.0.0.1:")
    row = db.rows(
        "SELECT title, background, details, status FROM petitions_petition WHERE id = ?",
        int(an_id(petition)),
    )
    assert row == [
        (
            "Fund 40 crisis beds",
            "Boarding in the ER costs lives.",
            "We ask the Senate to fund 40 beds.",
            "open",
        )
    ]


def test_recorded_signatures_count_once_each(petition, signatures, db):
    pid = int(an_id(petition))
    assert db.value("SELECT count(*) FROM petitions_signature WHERE petition_id = ?", pid) == 30
    assert (
        db.value(
            "SELECT count(*) FROM petitions_signature"
            " WHERE petition_id = ? AND confirmed_at IS NOT NULL",
            pid,
        )
        == 30
    )
    assert (
        db.value("SELECT sum(confirmed) FROM petitions_petitioncount WHERE petition_id = ?", pid)
        == 30
    )
    assert db.people_with_email("signer07@example.org") == 1
    person = db.person(signatures[7]["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1])
    assert person["given_name"] == "Signer07"
    assert person["tags"] == ["Seeded"]


def test_get_petition_and_unknown_petition(an, petition, signatures):
    got = an.get_petition(an_id(petition))
    assert got["title"] == "Fund 40 crisis beds"
    assert got["total_signatures"] == SIGNERS
    with pytest.raises(requests.HTTPError) as missing:
        an.get_petition("999999999")
    assert "Code: 404" in str(missing.value)
    assert "Couldn't find petition with id = 999999999" in str(missing.value)


def test_get_petitions_pages_limits_and_filters(an, petition, db):
    for n in range(26):  # more than a page of petitions
        an.create_petition(
            title=f"Paging {n:02d}", description="", petition_text="", target="The Mayor"
        )
    everything = an.get_petitions()
    ids = [an_id(row) for row in everything]
    assert len(ids) == len(set(ids)) == db.value("SELECT count(*) FROM petitions_petition") > 25
    assert an_id(petition) in ids
    assert an.get_petitions(limit=3).num_rows == 3
    page = an.get_petitions(page=2, per_page=10)
    assert page["page"] == 2
    assert len(page["_embedded"]["osdi:petitions"]) == 10
    found = an.get_petitions(filter="title eq 'Paging 07'")
    assert [row["title"] for row in found] == ["Paging 07"]
    with pytest.raises(requests.HTTPError) as refused:
        an.get_petitions(filter="title like 'x'")
    assert "Code: 400" in str(refused.value)


def test_update_petition_changes_a_draft_and_corrects_an_open_one(
    an, base_url, token, petition, db
):
    draft = requests.post(
        f"{base_url}/petitions",
        json={"title": "Draft", "status": "draft"},
        headers={"OSDI-API-Token": token},
        timeout=30,
    ).json()
    updated = an.update_petition(
        an_id(draft),
        title="Drafted",
        description="Why",
        petition_text="The ask",
        target=[{"name": "The Governor"}],
        background_processing=True,
    )
    assert (updated["title"], updated["description"], updated["status"]) == (
        "Drafted",
        "Why",
        "draft",
    )
    assert db.rows(
        "SELECT title, background, details FROM petitions_petition WHERE id = ?",
        int(an_id(draft)),
    ) == [("Drafted", "Why", "The ask")]
    # an open petition's description is corrected (the rest sent unchanged), on the record
    pid = int(an_id(petition))
    fixed = an.update_petition(
        an_id(petition),
        title="Fund 40 crisis beds",
        description="Boarding in the ER cost 12 lives.",
        petition_text="We ask the Senate to fund 40 beds.",
        target=[{"name": "Sen. Holloway"}],
    )
    assert fixed["description"] == "Boarding in the ER cost 12 lives."
    assert fixed["title"] == "Fund 40 crisis beds"
    assert db.rows(
        "SELECT via, changes FROM petitions_petitionrevision WHERE petition_id = ?", pid
    ) == [
        (
            "API token “acceptance” (" + token[:8] + "…)",
            '{"background": {"from": "Boarding in the ER costs lives.",'
            ' "to": "Boarding in the ER cost 12 lives."}}',
        )
    ]


def test_update_petition_refuses_the_signed_text_with_409_and_the_rule(
    an, petition, signatures, db
):
    # what its signers agreed to is frozen: the refusal states the rule, nothing changes
    with pytest.raises(requests.HTTPError) as refused:
        an.update_petition(an_id(petition), "Changed", "", "", "")
    assert "Code: 409" in str(refused.value)
    assert "cannot change now: it has signatures" in str(refused.value)
    assert "title and petition text" in str(refused.value)
    row = db.rows(
        "SELECT title, details FROM petitions_petition WHERE id = ?", int(an_id(petition))
    )
    assert row == [("Fund 40 crisis beds", "We ask the Senate to fund 40 beds.")]


def test_get_petition_signatures_pages_through_all(an, petition, signatures):
    everything = an.get_petition_signatures(an_id(petition))
    assert sorted(an_id(row) for row in everything) == sorted(an_id(s) for s in signatures)
    assert an.get_petition_signatures(an_id(petition), limit=27).num_rows == 27
    page = an.get_petition_signatures(an_id(petition), page=2, per_page=25)
    assert page["total_records"] == SIGNERS
    assert len(page["_embedded"]["osdi:signatures"]) == SIGNERS - 25
    since = signatures[0]["created_date"]
    recent = an.get_petition_signatures(an_id(petition), filter=f"created_date ge '{since}'")
    assert recent.num_rows == SIGNERS


def test_get_petition_signature_and_person_signatures(an, petition, signatures):
    chosen = signatures[3]
    got = an.get_petition_signature(an_id(petition), an_id(chosen))
    assert got == chosen
    assert got["comments"] == "Comment 03"
    person_id = chosen["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1]
    theirs = an.get_person_signatures(person_id)
    assert [an_id(row) for row in theirs] == [an_id(chosen)]
    assert an.get_person_signature(person_id, an_id(chosen)) == chosen
    with pytest.raises(requests.HTTPError) as missing:
        an.get_person_signature(person_id, an_id(signatures[4]))
    assert "Code: 404" in str(missing.value)


def test_update_signature_changes_its_comments(an, petition, signatures, db):
    chosen = signatures[5]
    answer = an.update_signature(an_id(petition), an_id(chosen), {"comments": "Edited"})
    assert answer["comments"] == "Edited"
    stored = db.value("SELECT comment FROM petitions_signature WHERE id = ?", int(an_id(chosen)))
    assert stored == "Edited"


def test_create_signature_with_the_person_inline_signs_them_up(an, petition, db, unique):
    # Parsons sends the payload as a query string: nested fields as bracket keys
    pid = int(an_id(petition))
    email = f"{unique}.inline@example.org"
    made = an.create_signature(
        an_id(petition),
        {
            "person[given_name]": "Inline",
            "person[family_name]": "Signer",
            "person[email_addresses][0][address]": email,
            "person[postal_addresses][0][postal_code]": "02139",
            "comments": "Signed inline",
        },
    )
    assert made["comments"] == "Signed inline"
    assert made["status"] == "confirmed"
    person = db.person(made["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1])
    assert (person["given_name"], person["family_name"], person["emails"]) == (
        "Inline",
        "Signer",
        [email],
    )
    stored = db.rows(
        "SELECT comment, confirmed_at IS NOT NULL FROM petitions_signature WHERE id = ?",
        int(an_id(made)),
    )
    assert stored == [("Signed inline", 1)]
    assert (
        db.value("SELECT petition_id FROM petitions_signature WHERE id = ?", int(an_id(made)))
        == pid
    )
    # the same person signing again, inline, is matched: one person, one signature
    again = an.create_signature(
        an_id(petition), {"person[email_addresses][0][address]": email.upper()}
    )
    assert an_id(again) == an_id(made)
    assert db.people_with_email(email) == 1


def test_create_signature_with_a_person_link_in_bracket_keys(an, base_url, token, petition, db):
    person = requests.post(
        f"{base_url}/people",
        json={
            "person": {
                "given_name": "Linked",
                "email_addresses": [{"address": "linked.signer@example.org"}],
            }
        },
        headers={"OSDI-API-Token": token},
        timeout=30,
    ).json()
    href = f"https://actionnetwork.org/api/v2/people/{an_id(person)}"  # any host: last segment
    made = an.create_signature(
        an_id(petition), {"comments": "Linked", "_links[osdi:person][href]": href}
    )
    assert made["_links"]["osdi:person"]["href"].endswith(f"/people/{an_id(person)}")
    assert db.value("SELECT comment FROM petitions_signature WHERE id = ?", int(an_id(made))) == (
        "Linked"
    )


def test_create_signature_as_parsons_documents_it_is_refused_saying_how(
    an, petition, signatures, db
):
    # Parsons' docstring passes a nested dict: requests sends only its keys, the values are lost
    pid = int(an_id(petition))
    before = db.value("SELECT count(*) FROM petitions_signature WHERE petition_id = ?", pid)
    href = signatures[0]["_links"]["osdi:person"]["href"]
    with pytest.raises(requests.HTTPError) as refused:
        an.create_signature(
            an_id(petition), {"comments": "Again", "_links": {"osdi:person": {"href": href}}}
        )
    assert "Code: 400" in str(refused.value)
    assert "_links[osdi:person][href]=" in str(refused.value)
    after = db.value("SELECT count(*) FROM petitions_signature WHERE petition_id = ?", pid)
    assert after == before
