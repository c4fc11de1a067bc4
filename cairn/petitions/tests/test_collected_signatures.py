"""Services for trusted clients (the OSDI API): launch_petition, record_collected_signature and
update_signature_comment."""

from __future__ import annotations

import pytest
from django.core import mail

from cairn.people import services as people
from cairn.petitions import services
from cairn.petitions.models import Petition, Signature
from cairn.petitions.services import SignerData, SignOutcome, SignRefused

Status = Petition.Status


@pytest.fixture
def person(coalition):
    return people.upsert_person(
        coalition=coalition,
        data=people.PersonData(given_name="Ana", emails=[people.EmailInput("ana@example.org")]),
    ).person


def collected(
    email: str = "Ana@Example.org",
    *,
    name: str = "Ana Lima",
    postal_code: str = "",
    country: str = "",
    comment: str = "",
) -> SignerData:
    return SignerData(
        name=name, email=email, postal_code=postal_code, country=country, comment=comment
    )


def test_launching_opens_a_petition_when_the_caller_moderates(owner):
    petition = services.launch_petition(
        owner=owner, data=services.PetitionData(title="Beds"), created_by=None, approve=True
    )
    assert petition.status == Status.OPEN
    assert petition.opened_at is not None
    assert services.current_count(petition) == 0


def test_launching_without_moderation_or_with_co_signers_waits(owner):
    waiting = services.launch_petition(
        owner=owner, data=services.PetitionData(title="A"), created_by=None, approve=False
    )
    needs = services.launch_petition(
        owner=owner,
        data=services.PetitionData(title="B", sponsors_required=1),
        created_by=None,
        approve=True,
    )
    assert (waiting.status, needs.status) == (Status.IN_MODERATION, Status.AWAITING_SPONSORS)


def test_a_refused_launch_writes_nothing(owner):
    with pytest.raises(services.PetitionError):
        services.launch_petition(
            owner=owner, data=services.PetitionData(title=" "), created_by=None, approve=True
        )
    assert not Petition.objects.exists()


def test_a_collected_signature_counts_at_once_without_email(petition_factory, person):
    # given an open petition with a threshold of 3
    petition = petition_factory()
    # when a client records a signature it collected
    result = services.record_collected_signature(
        petition=petition, person=person, signer=collected(comment=" Yes ")
    )
    # then it is confirmed, counted, linked to the person, and nobody was emailed
    signature = result.signature
    assert result.outcome == SignOutcome.CREATED
    assert not result.emailed
    assert signature.confirmed_at is not None
    assert signature.person == person
    assert (signature.comment, signature.channel, signature.email) == (
        "Yes",
        "api",
        "ana@example.org",
    )
    assert services.current_count(petition) == 1
    assert mail.outbox == []
    assert person.activities.filter(kind="petition_signature").count() == 1


def test_recording_again_returns_the_first_signature(petition_factory, person):
    petition = petition_factory()
    first = services.record_collected_signature(
        petition=petition, person=person, signer=collected()
    )
    again = services.record_collected_signature(
        petition=petition, person=person, signer=collected(" ana@EXAMPLE.org", comment="2nd")
    )
    assert again.signature.pk == first.signature.pk
    assert again.outcome == SignOutcome.ALREADY_SIGNED
    assert Signature.objects.filter(petition=petition).count() == 1
    assert Signature.objects.get().comment == ""
    assert services.current_count(petition) == 1
    assert services.recount_petition(petition=petition) == (1, 1)


def test_a_pending_signature_is_confirmed_once_and_an_invalidated_one_stays_out(
    petition_factory, person
):
    petition = petition_factory()
    pending = services.sign_petition(
        petition=petition,
        signer=SignerData(name="Ana", email="ana@example.org", postal_code="46201", country="US"),
    ).signature
    services.record_collected_signature(petition=petition, person=person, signer=collected())
    pending.refresh_from_db()
    assert pending.confirmed_at is not None
    assert pending.person == person
    assert services.current_count(petition) == 1
    # an invalidated signature is not counted again by a client's push
    services.invalidate_signatures(
        petition=petition, criteria=services.Criteria(email="ana@example.org"), reason="x", by=None
    )
    services.record_collected_signature(petition=petition, person=person, signer=collected())
    assert services.current_count(petition) == 0
    assert services.recount_petition(petition=petition) == (0, 0)


@pytest.mark.parametrize(
    ("status", "signer", "code"),
    [
        (Status.DRAFT, collected(), "closed"),
        (Status.CLOSED, collected(), "closed"),
        (Status.OPEN, collected(name=" "), "name"),
        (Status.OPEN, collected("nope"), "email"),
        (Status.OPEN, collected(postal_code="ABCDE", country="US"), "postal"),
        (Status.OPEN, collected("a@blocked.test"), "blocked"),
    ],
)
def test_refused_collected_signatures_change_nothing(
    coalition, petition_factory, person, status, signer, code
):
    services.set_list_entry(
        coalition=coalition, kind="domain", value="blocked.test", verdict="block"
    )
    petition = petition_factory(status)
    with pytest.raises(SignRefused) as refused:
        services.record_collected_signature(petition=petition, person=person, signer=signer)
    assert refused.value.code == code
    assert not Signature.objects.exists()
    assert services.current_count(petition) == 0


def test_only_the_comment_of_a_signature_changes(petition_factory, person):
    petition = petition_factory()
    signature = services.record_collected_signature(
        petition=petition, person=person, signer=collected()
    ).signature
    updated = services.update_signature_comment(signature=signature, comment="  Changed ")
    assert updated.comment == "Changed"
    assert updated.confirmed_at == signature.confirmed_at
    assert services.current_count(petition) == 1
