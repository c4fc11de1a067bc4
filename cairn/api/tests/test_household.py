"""OSDI POST /api/v2/people follows Action Network's matching rule: an email matches by email only,
so a household sharing a landline stays two people; phones are read as E.164."""

from __future__ import annotations

from cairn.people.models import NameReview, Person


def signup(osdi, **person):
    return osdi.post("/api/v2/people", {"person": person})


def test_a_household_sharing_a_landline_stays_two_people(osdi, coalition):
    # given Kari, with her email and the household's landline
    coalition.default_region = "NO"
    coalition.save(update_fields=["default_region"])
    kari = signup(
        osdi,
        given_name="Kari",
        family_name="Nordmann",
        email_addresses=[{"address": "kari@example.no"}],
        phone_numbers=[{"number": "+47 22 12 34 56"}],
    ).json()
    # when Ola posts with his own email and the same landline, written otherwise
    response = signup(
        osdi,
        given_name="Ola",
        family_name="Hansen",
        email_addresses=[{"address": "ola@example.no"}],
        phone_numbers=[{"number": "22123456"}],
    )
    # then he is a new person; Kari is as she was
    assert response.status_code == 200
    ola = response.json()
    assert ola["identifiers"] != kari["identifiers"]
    assert (ola["given_name"], ola["family_name"]) == ("Ola", "Hansen")
    assert ola["phone_numbers"] == [{"number": "+4722123456", "primary": True, "number_type": ""}]
    again = osdi.get(kari["_links"]["self"]["href"].replace("http://testserver", "")).json()
    assert (again["given_name"], again["family_name"]) == ("Kari", "Nordmann")
    assert [e["address"] for e in again["email_addresses"]] == ["kari@example.no"]
    assert Person.objects.filter(coalition=coalition).count() == 2


def test_a_known_email_with_another_name_keeps_the_name(osdi, coalition):
    signup(osdi, given_name="Kari", email_addresses=[{"address": "kari@example.no"}])
    body = signup(osdi, given_name="Karianne", email_addresses=[{"address": "kari@example.no"}])
    assert body.json()["given_name"] == "Kari"
    assert list(NameReview.objects.values_list("given_name", flat=True)) == ["Karianne"]


def test_an_invalid_phone_is_a_400_with_the_reason(osdi, coalition):
    coalition.default_region = "NO"
    coalition.save(update_fields=["default_region"])
    response = signup(
        osdi, email_addresses=[{"address": "kari@example.no"}], phone_numbers=[{"number": "123"}]
    )
    assert response.status_code == 400
    assert response.json() == {"error": "The phone number '123' is too short."}
    assert Person.objects.count() == 0
