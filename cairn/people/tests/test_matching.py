"""Matching never merges two people (Action Network's rule), phones are E.164 match keys, and the
steward's tools (the duplicates page, name reviews, merge) still decide what matching does not.

The other intake paths have their household test beside their own fixtures:
cairn/petitions/tests/test_household_signers.py and cairn/api/tests/test_household.py.
"""

from __future__ import annotations

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from cairn.people import importing, services
from cairn.people.models import EmailAddress, ImportJob, NameReview, Person, PhoneNumber
from cairn.people.services import EmailInput, PersonData, PhoneInput

from .test_importing import HEADER, csv_bytes, run

LANDLINE = "+47 22 12 34 56"


def upsert(coalition, *, email="", phone="", given="", family="", **kwargs):
    return services.upsert_person(
        coalition=coalition,
        data=PersonData(
            given_name=given or None,
            family_name=family or None,
            emails=[EmailInput(email)] if email else [],
            phones=[PhoneInput(phone)] if phone else [],
        ),
        **kwargs,
    )


@pytest.fixture
def norway(coalition_factory):
    return coalition_factory(default_region="NO")


def snapshot(person):
    person.refresh_from_db()
    return (
        person.given_name,
        person.family_name,
        sorted(person.emails.values_list("address", flat=True)),
        sorted(person.phones.values_list("number", flat=True)),
    )


# --- the service -------------------------------------------------------------------------------


def test_a_household_sharing_a_landline_stays_two_people(norway):
    # given Kari, with her email and the household's landline
    kari = upsert(norway, email="kari@example.no", phone=LANDLINE, given="Kari", family="Nordmann")
    before = snapshot(kari.person)
    # when Ola, of the same household, signs up with his own email and the same landline
    ola = upsert(norway, email="ola@example.no", phone="22 12 34 56", given="Ola", family="Hansen")
    # then he is a new person; Kari lost nothing and gained nothing
    assert ola.created
    assert ola.person.pk != kari.person.pk
    assert snapshot(kari.person) == before
    assert snapshot(ola.person) == ("Ola", "Hansen", ["ola@example.no"], ["+4722123456"])
    assert NameReview.objects.count() == 0


def test_a_record_without_email_matches_a_phone_only_under_the_same_name(norway):
    # given a household of two sharing a landline
    kari = upsert(norway, email="kari@example.no", phone=LANDLINE, given="Kari", family="Nordmann")
    ola = upsert(norway, email="ola@example.no", phone=LANDLINE, given="Ola", family="Nordmann")
    # when records come with only the landline
    as_ola = upsert(norway, phone=LANDLINE, given="ola", family="NORDMANN")
    nameless = upsert(norway, phone=LANDLINE)
    stranger = upsert(norway, phone=LANDLINE, given="Per", family="Nordmann")
    # then a name picks its person, no name takes the first, another name is someone new
    assert (as_ola.person.pk, as_ola.created) == (ola.person.pk, False)
    assert (nameless.person.pk, nameless.created) == (kari.person.pk, False)
    assert stranger.created
    assert stranger.person.name == "Per Nordmann"
    assert Person.objects.filter(coalition=norway).count() == 3


def test_a_match_by_email_never_renames_and_keeps_the_other_name_for_review(norway):
    # given Kari, known by email
    kari = upsert(norway, email="kari@example.no", given="Kari", family="Nordmann").person
    # when a record with her email gives another name (and a phone, and a missing part fills)
    again = upsert(
        norway,
        email="KARI@example.no",
        phone="900 31 676",
        given="Karianne",
        family="Nordmann",
        source_action="form",
    )
    # then it is Kari, still called Kari, with the phone added and the other name to review
    assert (again.person.pk, again.created) == (kari.pk, False)
    assert snapshot(kari) == ("Kari", "Nordmann", ["kari@example.no"], ["+4790031676"])
    assert list(
        NameReview.objects.values_list("person", "given_name", "family_name", "source")
    ) == [(kari.pk, "Karianne", "Nordmann", "form")]
    # and the same record again adds no second review
    upsert(norway, email="kari@example.no", given="Karianne", family="Nordmann")
    assert NameReview.objects.count() == 1


def test_a_match_fills_an_empty_name_without_review(norway):
    known = upsert(norway, email="kari@example.no", given="Kari").person
    upsert(norway, email="kari@example.no", given="kari", family="Nordmann")
    assert snapshot(known)[:2] == ("Kari", "Nordmann")
    assert NameReview.objects.count() == 0


@pytest.mark.parametrize(
    "written",
    ["+47 900 31 676", "4790031676", "0047 90031676", "90031676", "+47-900-31-676"],
)
def test_one_mobile_written_five_ways_is_one_person(norway, written):
    # given Kari, known by her mobile only
    kari = upsert(norway, phone="+4790031676", given="Kari").person
    # when a record brings the mobile as someone wrote it
    again = upsert(norway, phone=written, given="Kari")
    # then it is Kari, with one phone, displayed as first typed
    assert (again.person.pk, again.created) == (kari.pk, False)
    assert list(kari.phones.values_list("number", "as_typed")) == [("+4790031676", "+4790031676")]


def test_the_five_ways_stored_one_after_another_are_one_number(norway):
    kari = upsert(norway, email="kari@example.no").person
    for written in ["+47 900 31 676", "4790031676", "0047 90031676", "90031676", "+47-900-31-676"]:
        upsert(norway, email="kari@example.no", phone=written)
    assert list(kari.phones.values_list("number", "as_typed")) == [
        ("+4790031676", "+47 900 31 676")
    ]


@pytest.mark.parametrize(
    ("number", "region", "message"),
    [
        ("123", "NO", "The phone number '123' is too short."),
        ("call me", "NO", "The phone number 'call me' is not a phone number."),
        ("+999 1234 5678", "NO", "The phone number '+999 1234 5678' has an unknown country code."),
        (
            "90031676",
            "",
            "The phone number '90031676' has no country code: write it with + and the country "
            "code.",
        ),
    ],
)
def test_an_invalid_phone_is_refused_with_the_reason(coalition_factory, number, region, message):
    coalition = coalition_factory(default_region=region)
    with pytest.raises(services.PhoneNumberError) as refused:
        upsert(coalition, email="kari@example.no", phone=number)
    assert str(refused.value) == message
    assert Person.objects.count() == 0


def test_the_add_person_form_shows_the_phone_error(client, norway, staff_factory):
    steward = staff_factory(norway, "steward")
    client.force_login(steward.user)
    response = client.post(
        reverse("people:add_person", args=[norway.slug]),
        {"given_name": "Kari", "email": "kari@example.no", "phone": "123"},
    )
    assert response.status_code == 422
    assert "The phone number &#x27;123&#x27; is too short." in response.content.decode()
    assert Person.objects.count() == 0


# --- the steward's tools -----------------------------------------------------------------------


def test_the_duplicates_page_flags_the_household_and_the_merge_tool_merges_it(
    client, norway, staff_factory
):
    # given a household of two sharing a landline
    kari = upsert(norway, email="kari@example.no", phone=LANDLINE, given="Kari", family="Nordmann")
    ola = upsert(norway, email="ola@example.no", phone=LANDLINE, given="Ola", family="Nordmann")
    steward = staff_factory(norway, "steward")
    client.force_login(steward.user)
    # when the steward looks for duplicates
    page = client.get(reverse("people:duplicates", args=[norway.slug])).content.decode()
    # then the pair is flagged for its shared phone
    assert "same phone +4722123456" in page
    # and when the steward decides they are one person after all, the merge tool merges them
    response = client.post(
        reverse("people:merge", args=[norway.slug]),
        {"keep": kari.person.uuid, "merge": ola.person.uuid},
    )
    assert response.status_code == 302
    assert Person.objects.filter(coalition=norway).count() == 1
    assert snapshot(kari.person) == (
        "Kari",
        "Nordmann",
        ["kari@example.no", "ola@example.no"],
        ["+4722123456"],
    )


@pytest.mark.parametrize(
    ("use", "name"), [("new", ("Karianne", "Nordmann")), ("stored", ("Kari", "Nordmann"))]
)
def test_a_steward_resolves_a_name_review(client, norway, staff_factory, use, name):
    # given a name review
    kari = upsert(norway, email="kari@example.no", given="Kari", family="Nordmann").person
    upsert(norway, email="kari@example.no", given="Karianne", family="Nordmann")
    review = NameReview.objects.get()
    steward = staff_factory(norway, "steward")
    client.force_login(steward.user)
    page = client.get(reverse("people:duplicates", args=[norway.slug])).content.decode()
    assert "Karianne Nordmann" in page
    # when the steward decides
    response = client.post(
        reverse("people:resolve_name", args=[norway.slug, review.pk]), {"use": use}
    )
    # then the person has the chosen name and the review is gone
    assert response.status_code == 302
    assert snapshot(kari)[:2] == name
    assert NameReview.objects.count() == 0


def test_only_stewards_resolve_name_reviews_of_their_coalition(
    client, norway, coalition_factory, staff_factory
):
    upsert(norway, email="kari@example.no", given="Kari")
    upsert(norway, email="kari@example.no", given="Karianne")
    review = NameReview.objects.get()
    viewer = staff_factory(norway, "viewer")
    other_steward = staff_factory(coalition_factory(), "steward")
    for staff in (viewer, other_steward):
        client.force_login(staff.user)
        response = client.post(
            reverse("people:resolve_name", args=[norway.slug, review.pk]), {"use": "new"}
        )
        assert response.status_code in {403, 404}
    assert Person.objects.get().given_name == "Kari"
    assert NameReview.objects.count() == 1


def test_merging_moves_name_reviews_and_erasure_removes_them(norway):
    kari = upsert(norway, email="kari@example.no", given="Kari").person
    upsert(norway, email="kari@example.no", given="Karianne")
    other = upsert(norway, email="k.n@example.no", given="K").person
    kept = services.merge_people(keep=other, merge=kari)
    assert list(NameReview.objects.values_list("person", flat=True)) == [kept.pk]
    record = services.erase_person(person=kept, erased_by=None)
    assert record.removed["name_reviews"] == 1
    assert NameReview.objects.count() == 0


# --- CSV import ----------------------------------------------------------------------------------


def household_file(*rows: str) -> bytes:
    return csv_bytes(*rows, header=HEADER)


def test_an_imported_household_stays_two_people_in_the_bulk_path(norway):
    # when a file brings two people of one household, sharing a landline
    job = run(
        norway,
        household_file(
            "kari@example.no,Kari,Nordmann,22 12 34 56,Oslo,,0150,NO,",
            "ola@example.no,Ola,Hansen,+47 22 12 34 56,Oslo,,0150,NO,",
        ),
    )
    # then both are new people (the bulk path), each with the landline, as typed
    assert (job.status, job.rows_created, job.rows_updated) == (ImportJob.Status.DONE, 2, 0)
    assert sorted(PhoneNumber.objects.values_list("person__given_name", "number", "as_typed")) == [
        ("Kari", "+4722123456", "22 12 34 56"),
        ("Ola", "+4722123456", "+47 22 12 34 56"),
    ]


def test_an_imported_household_member_never_merges_into_the_known_one(norway):
    # given Kari, known with the household's landline
    kari = upsert(norway, email="kari@example.no", phone=LANDLINE, given="Kari", family="Nordmann")
    before = snapshot(kari.person)
    # when a file brings Ola (the same landline) and Kari again under another name
    job = run(
        norway,
        household_file(
            "ola@example.no,Ola,Hansen,22 12 34 56,,,,,",
            "kari@example.no,Karianne,Nordmann,22 12 34 56,,,,,",
        ),
    )
    # then Ola is new; Kari keeps her name, and the other one waits for review
    assert (job.status, job.rows_created, job.rows_updated) == (ImportJob.Status.DONE, 1, 1)
    assert snapshot(kari.person) == before
    assert Person.objects.get(emails__address="ola@example.no").name == "Ola Hansen"
    assert list(NameReview.objects.values_list("given_name", flat=True)) == ["Karianne"]


def test_an_imported_row_without_email_matches_the_phone_only_under_the_same_name(norway):
    kari = upsert(norway, email="kari@example.no", phone=LANDLINE, given="Kari", family="Nordmann")
    job = run(
        norway,
        household_file(",Kari,Nordmann,0047 22 12 34 56,,,,,", ",Per,Nordmann,22123456,,,,,"),
    )
    # line 3 repeats line 2's phone without an email: an error, and nothing is imported
    assert job.status == ImportJob.Status.NEEDS_REVIEW
    importing.start_import(job=job, skip_bad_rows=True, inline=True)
    job.refresh_from_db()
    assert (job.rows_created, job.rows_updated) == (0, 1)
    assert Person.objects.count() == 1
    assert snapshot(kari.person)[0] == "Kari"


def test_the_five_ways_in_one_file_are_found_to_be_one_number(norway):
    job = run(
        norway,
        household_file(
            *(
                f",Kari,,{written},,,,,"
                for written in ["+47 900 31 676", "4790031676", "0047 90031676", "90031676"]
            ),
            ',Kari,,"+47-900-31-676",,,,,',
        ),
    )
    assert [e["reason"] for e in job.errors] == [
        "same phone as line 2, and no email to tell them apart"
    ] * 4


def test_an_invalid_phone_in_a_file_names_line_column_and_reason(norway):
    job = run(
        norway,
        household_file(
            "kari@example.no,Kari,,123,,,,,",
            "ola@example.no,Ola,,+999 1234 5678,,,,,",
            "per@example.no,Per,,22 12 34 56,,,,,",
        ),
    )
    assert job.status == ImportJob.Status.NEEDS_REVIEW
    assert job.errors == [
        {"line": 2, "column": "Phone", "reason": "'123' is too short"},
        {"line": 3, "column": "Phone", "reason": "'+999 1234 5678' has an unknown country code"},
    ]
    assert Person.objects.count() == 0


# --- the migration of stored numbers --------------------------------------------------------------


def test_stored_numbers_become_e164_in_their_coalitions_region(norway, coalition_factory):
    from importlib import import_module

    migration = import_module("cairn.people.migrations.0005_phone_numbers_e164")
    us = coalition_factory(default_region="US")
    kari = upsert(norway, email="kari@example.no").person
    ana = upsert(us, email="ana@example.org").person
    rows = {
        "4790031676": (norway, kari),
        "90031676": (norway, kari),
        "3175550001": (us, ana),
        "+15550102030": (us, ana),
        "12": (us, ana),
    }
    for number, (coalition, person) in rows.items():
        PhoneNumber.objects.create(coalition=coalition, person=person, number=number)
    # when the migration's function runs over them
    migration.normalize(django_apps, None)
    # then each is E.164 where it can be read, and what was stored is displayed
    assert sorted(PhoneNumber.objects.values_list("as_typed", "number")) == [
        ("+15550102030", "+15550102030"),
        ("12", "12"),
        ("3175550001", "+13175550001"),
        ("4790031676", "+4790031676"),
        ("90031676", "+4790031676"),
    ]
    assert EmailAddress.objects.count() == 2


def test_the_data_access_report_holds_the_typed_phone_and_the_other_names(norway):
    from cairn.people.exporting import access_report

    kari = upsert(norway, email="kari@example.no", phone="900 31 676", given="Kari").person
    upsert(norway, email="kari@example.no", given="Karianne", source_action="form")
    report = access_report(person=kari)
    assert report["phones"] == [
        {"number": "+4790031676", "as_typed": "900 31 676", "type": "", "primary": True}
    ]
    assert [(r["name"], r["source"]) for r in report["other_names_given"]] == [("Karianne", "form")]
