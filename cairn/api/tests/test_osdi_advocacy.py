"""OSDI advocacy campaigns and outreaches: create/update/list campaigns with their targets, the
record-outreach helper (idempotent: one letter per office, ever), outreaches under campaigns and
people, corrections before a letter leaves, roles, and tenant scoping."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cairn.advocacy import importing
from cairn.advocacy import services as advocacy_services
from cairn.advocacy.models import AdvocacyCampaign, AdvocacyTarget, Delivery, Outreach
from cairn.api import services as api_services
from cairn.campaigns import services as campaign_services
from cairn.campaigns.models import DecisionMaker
from cairn.coalitions.models import Role
from cairn.people.models import Person

from .conftest import OsdiClient


def an_id(body: dict[str, Any]) -> str:
    return body["identifiers"][0].split(":", 1)[1]


def writer(email: str, **fields: Any) -> dict[str, Any]:
    return {
        "person": {
            "given_name": "Ana",
            "family_name": "Lima",
            "email_addresses": [{"address": email}],
            "postal_addresses": [{"postal_code": "02139"}],
        },
        **fields,
    }


@pytest.fixture
def letters(osdi) -> dict[str, Any]:
    response = osdi.post(
        "/api/v2/advocacy_campaigns",
        {
            "title": "Tell your state senator",
            "description": "<p>Fund the beds</p><script>x()</script>",
            "kind": "both",
            "letter_subject": "Fund 40 crisis beds",
            "letter_body": "Dear {target}, please fund 40 beds. {name}",
            "targets": [
                {
                    "name": "Sen. Ana Holloway",
                    "title": "Majority Leader",
                    "office_email": "holloway@senate.example.org",
                    "office_phone": "+16175550100",
                },
                {"given_name": "Raj", "family_name": "Patel", "district": "D2"},
                "Gov. Lee",
            ],
        },
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_a_campaign_created_by_a_token_is_open_with_its_targets(osdi, letters, coalition):
    campaign = AdvocacyCampaign.objects.get(uuid=an_id(letters))
    assert (campaign.status, campaign.kind, campaign.coalition) == ("open", "both", coalition)
    assert "<script>" not in campaign.description
    assert sorted(DecisionMaker.objects.values_list("name", flat=True)) == [
        "Gov. Lee",
        "Raj Patel",
        "Sen. Ana Holloway",
    ]
    patel = AdvocacyTarget.objects.get(decision_maker__name="Raj Patel")
    assert patel.district == "D2"
    assert [t["name"] for t in letters["targets"]] == ["Gov. Lee", "Sen. Ana Holloway", "Raj Patel"]
    holloway = letters["targets"][1]
    assert (holloway["given_name"], holloway["family_name"], holloway["title"]) == (
        "Sen. Ana",
        "Holloway",
        "Majority Leader",
    )
    assert (letters["total_outreaches"], letters["letter_subject"]) == (0, "Fund 40 crisis beds")
    links = letters["_links"]
    assert links["self"]["href"] == f"http://testserver/api/v2/advocacy_campaigns/{campaign.uuid}"
    assert links["osdi:outreaches"]["href"] == links["self"]["href"] + "/outreaches"
    assert links["osdi:record_outreach_helper"] == links["osdi:outreaches"]
    assert osdi.get(f"/api/v2/advocacy_campaigns/{campaign.uuid}").json() == letters
    draft = osdi.post("/api/v2/advocacy_campaigns", {"title": "Later", "status": "draft"}).json()
    assert draft["status"] == "draft"
    assert draft["letter_body"]  # drafted from the narrative when not given
    assert draft["browser_url"] is None


def test_an_outreach_is_recorded_and_each_office_written_to_once(
    osdi, letters, django_capture_on_commit_callbacks
):
    path = f"/api/v2/advocacy_campaigns/{an_id(letters)}/outreaches"
    # when a supporter's letter is posted for delivery, then retried with the email spelled
    # otherwise
    letter = {"subject": "Beds now", "message": "Please", "deliver": True}
    with django_capture_on_commit_callbacks(execute=True):
        first = osdi.post(path, writer("ana@example.org", **letter))
        again = osdi.post(path, writer(" ANA@example.org", **letter))
    # then there is one outreach and one delivery per at-large target, one email ever
    assert first.status_code == again.status_code == 200, first.content
    assert an_id(first.json()) == an_id(again.json())
    body = first.json()
    assert sorted(t["name"] for t in body["targets"]) == ["Gov. Lee", "Sen. Ana Holloway"]
    assert (body["type"], body["subject"], body["message"]) == ("email", "Beds now", "Please")
    assert body["action_network:referrer_data"] == {"source": "api", "referrer": ""}
    assert Outreach.objects.count() == 1
    assert sorted(Delivery.objects.values_list("channel", "status")) == [
        ("email", "sent"),
        ("print", "to_print"),
    ]
    assert [m.to for m in mail.outbox] == [["holloway@senate.example.org"]]
    assert mail.outbox[0].subject == "Beds now"
    assert osdi.get(f"/api/v2/advocacy_campaigns/{an_id(letters)}").json()["total_outreaches"] == 1


def test_an_outreach_posted_without_deliver_is_a_record_and_emails_nobody(
    osdi, letters, django_capture_on_commit_callbacks
):
    path = f"/api/v2/advocacy_campaigns/{an_id(letters)}/outreaches"
    # when a sync tool replays a letter and a call made elsewhere (twice: a retry)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(2):
            letter = osdi.post(path, writer("old@example.org", subject="Beds", message="Then"))
            call = osdi.post(path, writer("old@example.org", type="phone"))
    # then both are recorded and counted, their deliveries done, and no office is written to
    assert letter.status_code == call.status_code == 200, letter.content
    assert (letter.json()["type"], call.json()["type"]) == ("email", "phone")
    assert mail.outbox == []
    assert callbacks == []
    assert sorted(Delivery.objects.values_list("channel", "status")) == [
        ("call", "called"),
        ("email", "sent"),
        ("print", "delivered"),
    ]
    assert Delivery.objects.get(channel="email").sent_at is not None
    assert osdi.get(f"/api/v2/advocacy_campaigns/{an_id(letters)}").json()["total_outreaches"] == 2
    # nothing waits to be printed, and a record may be corrected (it sends nothing)
    assert not Delivery.objects.filter(status__in=["queued", "to_print", "to_call"]).exists()
    fixed = osdi.put(f"{path}/{an_id(letter.json())}", {"subject": "Changed"})
    assert fixed.status_code == 200, fixed.content
    assert Outreach.objects.get(uuid=an_id(letter.json())).subject == "Changed"
    assert mail.outbox == []


def test_outreach_targets_by_name_by_district_and_calls(osdi, letters):
    path = f"/api/v2/advocacy_campaigns/{an_id(letters)}/outreaches"
    named = osdi.post(
        path, writer("bea@example.org", targets=[{"given_name": "raj", "family_name": "patel"}])
    ).json()
    assert [t["name"] for t in named["targets"]] == ["Raj Patel"]
    assert named["type"] == "postal mail"
    district = osdi.post(path, writer("cy@example.org", district="D2")).json()
    assert sorted(t["name"] for t in district["targets"]) == [
        "Gov. Lee",
        "Raj Patel",
        "Sen. Ana Holloway",
    ]
    call = osdi.post(path, writer("cy@example.org", type="phone")).json()
    assert (call["type"], [t["name"] for t in call["targets"]]) == ("phone", ["Sen. Ana Holloway"])
    for body in (
        writer("dee@example.org", targets=["Nobody"]),
        {"targets": ["Gov. Lee"]},
        {"person": {"given_name": "No contact"}},
    ):
        response = osdi.post(path, body)
        assert response.status_code == 400, response.content
    assert not Person.objects.filter(emails__canonical="dee@example.org").exists()


def test_an_outreach_is_corrected_only_until_it_leaves(
    osdi, letters, django_capture_on_commit_callbacks
):
    path = f"/api/v2/advocacy_campaigns/{an_id(letters)}/outreaches"
    printed = osdi.post(path, writer("eve@example.org", targets=["Raj Patel"], deliver=True))
    printed = printed.json()
    with django_capture_on_commit_callbacks(execute=True):  # the email is sent
        emailed = osdi.post(
            path, writer("fay@example.org", targets=["Sen. Ana Holloway"], deliver=True)
        )
    emailed = emailed.json()
    # a letter still waiting to be printed goes out corrected (Parsons sends a form)
    fixed = osdi.put(
        f"{path}/{an_id(printed)}",
        "subject=Please+vote+no%21",
        content_type="application/x-www-form-urlencoded",
    )
    assert fixed.status_code == 200, fixed.content
    assert fixed.json()["subject"] == "Please vote no!"
    assert Outreach.objects.get(uuid=an_id(printed)).subject == "Please vote no!"
    # an email already sent stays as it was
    refused = osdi.put(f"{path}/{an_id(emailed)}", {"subject": "Changed", "message": "Other"})
    assert refused.status_code == 409
    assert "already reached an office" in refused.json()["error"]
    assert Outreach.objects.get(uuid=an_id(emailed)).subject == "Fund 40 crisis beds"


def test_outreaches_list_by_campaign_and_person(osdi, letters):
    cid = an_id(letters)
    made = [
        osdi.post(
            f"/api/v2/advocacy_campaigns/{cid}/outreaches", writer(f"p{n}@example.org")
        ).json()
        for n in range(3)
    ]
    page = osdi.get(
        f"/api/v2/advocacy_campaigns/{cid}/outreaches", QUERY_STRING="per_page=2&page=2"
    ).json()
    assert (page["total_records"], page["total_pages"]) == (3, 2)
    assert [an_id(o) for o in page["_embedded"]["osdi:outreaches"]] == [an_id(made[2])]
    recent = osdi.get(
        f"/api/v2/advocacy_campaigns/{cid}/outreaches",
        QUERY_STRING="filter=modified_date gt '2000-01-01'",
    ).json()
    assert recent["total_records"] == 3
    person = made[1]["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1]
    theirs = osdi.get(f"/api/v2/people/{person}/outreaches").json()
    assert [an_id(o) for o in theirs["_embedded"]["osdi:outreaches"]] == [an_id(made[1])]
    assert osdi.get(f"/api/v2/people/{person}/outreaches/{an_id(made[1])}").json() == made[1]
    assert osdi.get(f"/api/v2/people/{person}/outreaches/{an_id(made[0])}").status_code == 404
    got = osdi.get(f"/api/v2/advocacy_campaigns/{cid}/outreaches/{an_id(made[0])}").json()
    assert got == made[0]


def test_put_changes_given_fields_and_adds_targets(osdi, letters):
    cid = an_id(letters)
    response = osdi.put(
        f"/api/v2/advocacy_campaigns/{cid}",
        "title=Write+to+them&targets=Rep.+Kim&status=closed",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    campaign = AdvocacyCampaign.objects.get(uuid=cid)
    assert (campaign.title, campaign.status, campaign.kind) == ("Write to them", "closed", "both")
    assert [t["name"] for t in response.json()["targets"]] == [
        "Gov. Lee",
        "Rep. Kim",
        "Sen. Ana Holloway",
        "Raj Patel",  # district D2's, after the at-large ones
    ]
    refused = osdi.post(f"/api/v2/advocacy_campaigns/{cid}/outreaches", writer("g@example.org"))
    assert refused.status_code == 400  # closed: no more letters
    assert "not taking letters" in refused.json()["error"]


@pytest.mark.parametrize(
    "body", [{}, {"title": ""}, {"title": "x", "kind": "fax"}, {"title": "x", "targets": [{}]}]
)
def test_bad_campaigns_are_refused(osdi, body):
    assert osdi.post("/api/v2/advocacy_campaigns", body).status_code == 400
    assert not AdvocacyCampaign.objects.exists()


def test_an_organizer_token_may_not_run_advocacy_campaigns(
    coalition, letters, membership_factory, staff_factory
):
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=membership_factory(coalition))
    client = OsdiClient(
        api_services.create_token(coalition=coalition, name="org", created_by=organizer.user).raw
    )
    cid = an_id(letters)
    assert client.post("/api/v2/advocacy_campaigns", {"title": "Mine"}).status_code == 403
    assert client.put(f"/api/v2/advocacy_campaigns/{cid}", {"title": "Mine"}).status_code == 403
    assert client.get(f"/api/v2/advocacy_campaigns/{cid}").status_code == 200
    assert AdvocacyCampaign.objects.get(uuid=cid).title == "Tell your state senator"


def test_a_token_never_sees_nor_changes_another_coalitions_letters(
    osdi, letters, coalition_factory
):
    # given coalition B with a campaign and a supporter's letter
    b = coalition_factory()
    b_client = OsdiClient(api_services.create_token(coalition=b, name="b", created_by=None).raw)
    b_cid = an_id(
        b_client.post(
            "/api/v2/advocacy_campaigns", {"title": "B's letters", "targets": ["B's senator"]}
        ).json()
    )
    b_letter = b_client.post(
        f"/api/v2/advocacy_campaigns/{b_cid}/outreaches", writer("b@example.org")
    ).json()
    b_oid = an_id(b_letter)
    b_person = b_letter["_links"]["osdi:person"]["href"].rsplit("/", 1)[-1]
    a_cid = an_id(letters)
    before = list(Outreach.objects.values_list("pk", "subject", "body"))
    # when A's token reads, lists and writes them
    assert [
        c["title"]
        for c in osdi.get("/api/v2/advocacy_campaigns").json()["_embedded"][
            "osdi:advocacy_campaigns"
        ]
    ] == ["Tell your state senator"]
    for response in (
        osdi.get(f"/api/v2/advocacy_campaigns/{b_cid}"),
        osdi.put(f"/api/v2/advocacy_campaigns/{b_cid}", {"title": "Hijacked"}),
        osdi.get(f"/api/v2/advocacy_campaigns/{b_cid}/outreaches"),
        osdi.post(f"/api/v2/advocacy_campaigns/{b_cid}/outreaches", writer("a@example.org")),
        osdi.get(f"/api/v2/advocacy_campaigns/{b_cid}/outreaches/{b_oid}"),
        osdi.put(f"/api/v2/advocacy_campaigns/{b_cid}/outreaches/{b_oid}", {"subject": "x"}),
        osdi.get(f"/api/v2/advocacy_campaigns/{a_cid}/outreaches/{b_oid}"),
        osdi.put(f"/api/v2/advocacy_campaigns/{a_cid}/outreaches/{b_oid}", {"subject": "x"}),
        osdi.get(f"/api/v2/people/{b_person}/outreaches"),
        osdi.get(f"/api/v2/people/{b_person}/outreaches/{b_oid}"),
        osdi.post(
            f"/api/v2/advocacy_campaigns/{a_cid}/outreaches",
            {"_links": {"osdi:person": {"href": f"/api/v2/people/{b_person}"}}},
        ),
    ):
        # then they are not found, and B's data never shows up
        assert response.status_code == 404, response.content
        assert b"B's" not in response.content
    assert list(Outreach.objects.values_list("pk", "subject", "body")) == before
    assert AdvocacyCampaign.objects.get(uuid=b_cid).title == "B's letters"
    # nor may A's outreach name B's decision-maker as a target
    named = osdi.post(
        f"/api/v2/advocacy_campaigns/{a_cid}/outreaches",
        writer("a@example.org", targets=["B's senator"]),
    )
    assert named.status_code == 400


def test_outreaches_and_campaigns_list_in_the_same_number_of_queries_whatever_the_page(
    osdi, letters
):
    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert osdi.get(path).status_code == 200
        return len(captured.captured_queries)

    path = f"/api/v2/advocacy_campaigns/{an_id(letters)}/outreaches"
    osdi.post(path, writer("w0@example.org"))
    one = [queries(path), queries("/api/v2/advocacy_campaigns")]
    for n in range(1, 4):
        osdi.post(path, writer(f"w{n}@example.org", district="D2"))
        osdi.post("/api/v2/advocacy_campaigns", {"title": f"More {n}", "targets": ["Gov. Lee"]})
    assert [queries(path), queries("/api/v2/advocacy_campaigns")] == one


def test_a_supporters_postal_code_finds_their_district_in_the_campaigns_table(osdi, coalition):
    # given a campaign made in Cairn's pages with an imported district table (02139 is split)
    csv = b"zip,district,district_name\n02138,MA-7,Seventh\n02139,MA-7,Seventh\n02139,MA-8,Eighth\n"
    table = importing.import_districts(
        coalition=coalition, name="Senate", by=None, postal_csv=importing.Upload("s.csv", csv)
    ).table
    campaign = advocacy_services.create_advocacy_campaign(
        coalition=coalition, title="By district", by=None, status="open", district_table=table
    )
    for name, district in (("Sen. Seven", "MA-7"), ("Sen. Eight", "MA-8")):
        advocacy_services.add_target(
            advocacy_campaign=campaign,
            decision_maker=campaign_services.add_decision_maker(coalition=coalition, name=name),
            district=district,
        )
    path = f"/api/v2/advocacy_campaigns/{campaign.uuid}/outreaches"
    # when a supporter writes with their address, or from a code split between districts
    found = osdi.post(
        path,
        {
            "person": {
                "email_addresses": [{"address": "h@example.org"}],
                "postal_addresses": [{"postal_code": "02138"}],
            }
        },
    )
    split = osdi.post(path, writer("i@example.org"))  # 02139
    picked = osdi.post(path, writer("i@example.org", district="MA-8"))
    # then the table decides their senator; a split code asks for the district, naming both
    assert [t["name"] for t in found.json()["targets"]] == ["Sen. Seven"]
    assert split.status_code == 400
    assert "MA-7, MA-8" in split.json()["error"]
    assert [t["name"] for t in picked.json()["targets"]] == ["Sen. Eight"]
