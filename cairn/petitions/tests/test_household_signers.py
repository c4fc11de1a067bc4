"""The petition signer path follows the people app's one matching rule: a household member who
signs with their own email is their own person, however the household is known."""

from __future__ import annotations

import pytest

from cairn.people import services as people
from cairn.people.models import NameReview, Person
from cairn.petitions import services
from cairn.petitions.models import Signature

from .conftest import signer

pytestmark = pytest.mark.django_db


def test_a_household_member_who_signs_is_a_new_person(petition):
    # given Kari, known with the household's landline
    coalition = petition.coalition
    coalition.default_region = "NO"
    coalition.save(update_fields=["default_region"])
    kari = people.upsert_person(
        coalition=coalition,
        data=people.PersonData(
            given_name="Kari",
            family_name="Nordmann",
            emails=[people.EmailInput("kari@example.no")],
            phones=[people.PhoneInput("22 12 34 56")],
        ),
    ).person
    # when Ola, of the same household, signs and confirms with his own email
    result = services.sign_petition(
        petition=petition, signer=signer("ola@example.no", name="Ola Nordmann")
    )
    services.confirm_signature(token=services.confirmation_token(result.signature))
    # then he is a new person, and Kari is untouched
    ola = Signature.objects.select_related("person").get(pk=result.signature.pk).person
    assert ola is not None
    assert ola.pk != kari.pk
    assert (ola.given_name, ola.family_name) == ("Ola", "Nordmann")
    assert list(ola.emails.values_list("address", flat=True)) == ["ola@example.no"]
    kari.refresh_from_db()
    assert (kari.given_name, kari.family_name) == ("Kari", "Nordmann")
    assert list(kari.emails.values_list("address", flat=True)) == ["kari@example.no"]
    assert Person.objects.filter(coalition=coalition).count() == 2


def test_a_known_signer_keeps_their_name(petition):
    # given Kari, known by email
    coalition = petition.coalition
    kari = people.upsert_person(
        coalition=coalition,
        data=people.PersonData(
            given_name="Kari", family_name="Nordmann", emails=[people.EmailInput("kari@example.no")]
        ),
    ).person
    # when she signs with her email under another name
    result = services.sign_petition(
        petition=petition, signer=signer("kari@example.no", name="K. Nordmann-Hansen")
    )
    services.confirm_signature(token=services.confirmation_token(result.signature))
    # then the signature is hers and her name is unchanged
    assert Signature.objects.get(pk=result.signature.pk).person_id == kari.pk
    kari.refresh_from_db()
    assert (kari.given_name, kari.family_name) == ("Kari", "Nordmann")
    assert Person.objects.filter(coalition=coalition).count() == 1
    assert NameReview.objects.count() == 0  # the signer path does not send a known name
