"""CSV export (formula cells neutralized, sharing consent respected) and a person's data-access
report (everything held about them, for those allowed to see them)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from cairn.coalitions.models import Role
from cairn.people import exporting, services
from cairn.people.services import AddressInput, EmailInput, PersonData, PhoneInput


def add(coalition, email, given="", **extra):
    return services.upsert_person(
        coalition=coalition, data=PersonData(given_name=given, emails=[EmailInput(email)], **extra)
    ).person


def read_csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


@pytest.fixture
def people(coalition, membership_factory):
    org = membership_factory(coalition, name="Harbor House")
    shared = add(coalition, "shared@example.org", "Shared")
    services.grant_sharing(person=shared, membership=org)
    private = add(coalition, "private@example.org", "Private")
    return {"org": org, "shared": shared, "private": private}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tx", "'\tx"),
        ("Ana", "Ana"),
        ("", ""),
        (None, ""),
    ],
)
def test_neutralize(value, cell):
    assert exporting.neutralize(value) == cell


def test_the_export_neutralizes_formula_cells(client, coalition, steward):
    # given people whose stored values start like formulas (from a form or the API)
    add(
        coalition,
        "ana@example.org",
        '=HYPERLINK("http://evil.example","x")',
        family_name="@SUM(1)",
        phones=[PhoneInput("+1 555 010 2030")],
        addresses=[AddressInput(locality="-Springfield")],
    )
    client.force_login(steward.user)
    # when a steward exports
    response = client.get(reverse("people_export:people_csv", args=[coalition.slug]))
    # then every such cell is text to a spreadsheet
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    [row] = read_csv(response)
    assert row["given_name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["family_name"] == "'@SUM(1)"
    assert row["phone"] == "'+15550102030"
    assert row["locality"] == "'-Springfield"
    assert row["email"] == "ana@example.org"


def test_a_steward_exports_everyone(client, coalition, steward, people):
    client.force_login(steward.user)
    rows = read_csv(client.get(reverse("people_export:people_csv", args=[coalition.slug])))
    assert sorted(r["email"] for r in rows) == ["private@example.org", "shared@example.org"]


def test_an_organization_without_sharing_consent_cannot_export_a_person(
    client, coalition, staff_factory, people
):
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=people["org"])
    client.force_login(organizer.user)
    # the CSV holds only the person who consented to share with their organization
    rows = read_csv(client.get(reverse("people_export:people_csv", args=[coalition.slug])))
    assert [r["email"] for r in rows] == ["shared@example.org"]
    # and the other's data-access report is not found
    private = reverse("people_export:access_report", args=[coalition.slug, people["private"].uuid])
    response = client.get(private)
    assert response.status_code == 404
    assert b"private@example.org" not in response.content
    shared = reverse("people_export:access_report", args=[coalition.slug, people["shared"].uuid])
    assert client.get(shared).status_code == 200


def test_an_organizer_of_another_organization_exports_nobody(
    client, coalition, staff_factory, membership_factory, people
):
    elsewhere = staff_factory(coalition, Role.ORGANIZER, membership=membership_factory(coalition))
    client.force_login(elsewhere.user)
    rows = read_csv(client.get(reverse("people_export:people_csv", args=[coalition.slug])))
    assert rows == []
    for person in (people["shared"], people["private"]):
        url = reverse("people_export:access_report", args=[coalition.slug, person.uuid])
        assert client.get(url).status_code == 404


def test_viewers_may_not_export(client, coalition, staff_factory, people):
    viewer = staff_factory(coalition, Role.VIEWER)
    client.force_login(viewer.user)
    assert client.get(reverse("people_export:people_csv", args=[coalition.slug])).status_code == 403
    url = reverse("people_export:access_report", args=[coalition.slug, people["shared"].uuid])
    assert client.get(url).status_code == 403


def test_the_access_report_holds_everything_about_the_person(client, coalition, steward, people):
    # given a person with data of every kind
    person = services.upsert_person(
        coalition=coalition,
        data=PersonData(
            given_name="Ana",
            family_name="Silva",
            emails=[EmailInput("ana@example.org")],
            phones=[PhoneInput("+1 555 010 2030")],
            addresses=[AddressInput(locality="Springfield", postal_code="62701", country="US")],
            custom_fields={"shirt": "M"},
        ),
        source_membership=people["org"],
    ).person
    tag, _ = services.create_tag(coalition=coalition, name="volunteer")
    services.tag_person(tag=tag, person=person)
    people_list = services.create_list(coalition=coalition, name="Call list")
    services.add_to_list(people_list=people_list, person=person)
    services.record_activity(person=person, kind="note", summary="Called about the vote")
    client.force_login(steward.user)
    # when the steward downloads their data-access report from the person page
    page = client.get(reverse("people:person", args=[coalition.slug, person.uuid])).content
    url = reverse("people_export:access_report", args=[coalition.slug, person.uuid])
    assert url.encode() in page
    response = client.get(url)
    # then it is a JSON attachment with every kind of data
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="person-{person.uuid}.json"'
    assert response["Cache-Control"] == "no-store"
    report = json.loads(response.content)
    assert report["person"]["given_name"] == "Ana"
    assert report["person"]["custom_fields"] == {"shirt": "M"}
    assert [e["address"] for e in report["emails"]] == ["ana@example.org"]
    assert report["emails"][0]["history"][0]["to_status"] == "subscribed"
    assert [p["number"] for p in report["phones"]] == ["+15550102030"]
    assert report["addresses"][0]["locality"] == "Springfield"
    assert [t["name"] for t in report["tags"]] == ["volunteer"]
    assert [(li["name"], li["kind"]) for li in report["lists"]] == [("Call list", "static")]
    assert [c["organization"] for c in report["sharing_consents"]] == ["Harbor House"]
    assert report["source"]["organization"] == "Harbor House"
    assert "Called about the vote" in [a["summary"] for a in report["activities"]]


def test_the_person_page_offers_the_report_only_to_exporters(
    client, coalition, staff_factory, people
):
    viewer = staff_factory(coalition, Role.VIEWER)
    client.force_login(viewer.user)
    shared = people["shared"]
    page = client.get(reverse("people:person", args=[coalition.slug, shared.uuid])).content
    url = reverse("people_export:access_report", args=[coalition.slug, shared.uuid])
    assert url.encode() not in page
