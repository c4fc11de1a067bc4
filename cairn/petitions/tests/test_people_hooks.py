"""A signer's erasure removes their personal data from signatures; a merge moves signatures."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from cairn.people import services as people_services
from cairn.people.models import Person
from cairn.petitions import services
from cairn.petitions.models import Signature

from .conftest import signer

pytestmark = pytest.mark.django_db


def sign(petition, email, *, confirm=True, **extra):
    result = services.sign_petition(petition=petition, signer=signer(email, **extra))
    if confirm:
        services.confirm_signature(token=services.confirmation_token(result.signature))
    return Signature.objects.get(pk=result.signature.pk)


def personal_values(strings):
    """Every text value in every table of Cairn's own apps that contains one of `strings`."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("cairn."):
            continue
        text_fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model._default_manager.values(*text_fields):
            for value in row.values():
                if any(s in str(value) for s in strings):
                    found.append((model.__name__, value))
    return found


def test_erasure_leaves_nothing_of_the_signer_but_keeps_the_count(petition, steward):
    # given a confirmed signer (now a person) who also signed again under another spelling
    # and left a pending signature on another petition with a comment
    signed = sign(petition, "Erasmus.Gone@example.org", name="Erasmus Gone", comment="Call me!")
    person = Person.objects.get(pk=signed.person_id)
    before = services.recount_petition(petition=petition)[1]
    secrets = ["Erasmus", "erasmus.gone", "Call me", "198.51.100.7"]
    assert personal_values(secrets)
    # when the person is erased
    record = people_services.erase_person(person=person, erased_by=steward.user)
    # then no table holds their data, the signature still counts, and its links are dead
    assert personal_values(secrets) == []
    assert record.removed["petition_signatures"] == 1
    assert services.recount_petition(petition=petition) == (before, before)
    erased = Signature.objects.get(pk=signed.pk)
    assert erased.confirmed_at is not None
    assert erased.country == "US"
    assert services.signature_from_token(services.confirmation_token(signed)) is None


def test_a_pending_signature_of_an_erased_person_is_found_by_email(petition, steward):
    # given a person known from elsewhere who signed but never confirmed
    person = people_services.upsert_person(
        coalition=petition.coalition,
        data=people_services.PersonData(
            given_name="Pending", emails=[people_services.EmailInput("pending@example.org")]
        ),
    ).person
    pending = sign(petition, "Pending@Example.org", confirm=False, name="Pending Person")
    assert pending.person_id is None
    # when
    people_services.erase_person(person=person, erased_by=steward.user)
    # then
    assert personal_values(["Pending Person", "pending@example"]) == []


def test_a_merge_moves_signatures_to_the_person_kept(petition_factory):
    first = petition_factory(title="Fund crisis beds")
    second = petition_factory(title="Fund mobile teams")
    a = sign(first, "ana@example.org")
    b = sign(second, "ana.lima@work.example.org")
    keep, merge = Person.objects.get(pk=a.person_id), Person.objects.get(pk=b.person_id)
    people_services.merge_people(keep=keep, merge=merge)
    assert set(Signature.objects.values_list("person_id", flat=True)) == {keep.pk}
