"""The edit rule a signer can trust (services.EDIT_RULE): after its draft a petition's description,
targets and campaign may be corrected, each change kept as a revision; its title and text only
until the first signature; its deadline, thresholds and co-signers needed never. A refused change
changes nothing. The web edit form meets the same rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.petitions import services
from cairn.petitions.forms import PetitionForm
from cairn.petitions.models import Petition, PetitionRevision
from cairn.petitions.services import PetitionData, PetitionFrozen

from .conftest import signer

pytestmark = pytest.mark.django_db

Status = Petition.Status


def data_of(petition: Petition) -> PetitionData:
    """The petition's own data, as the edit form and the API start from it."""
    return PetitionData(
        title=petition.title,
        background=petition.background,
        details=petition.details,
        targets=list(petition.targets),
        campaign=petition.campaign,
        deadline=petition.deadline,
        thresholds=list(petition.thresholds),
        sponsors_required=petition.sponsors_required,
    )


def test_an_open_petitions_description_and_targets_are_corrected_and_versioned(
    petition_factory, steward
):
    # given an open petition that people signed
    petition = petition_factory(Status.OPEN)
    services.sign_petition(petition=petition, signer=signer())
    before = timezone.now()
    # when its description and targets are corrected
    fixed = replace(
        data_of(petition),
        background="Boarding in the ER cost 12 lives last year.",
        targets=[{"name": "Sen. Patricia Holloway", "title": "Senate Majority Leader"}],
    )
    services.update_petition(petition=petition, data=fixed, changed_by=steward.user, via="web")
    # then they changed
    petition.refresh_from_db()
    assert petition.background == "Boarding in the ER cost 12 lives last year."
    assert petition.targets == [
        {"name": "Sen. Patricia Holloway", "title": "Senate Majority Leader"}
    ]
    # and one revision says what changed, from what, when, by whom
    revision = PetitionRevision.objects.get()
    assert revision.petition == petition
    assert revision.coalition_id == petition.coalition_id
    assert revision.changed_by == steward.user
    assert revision.via == "web"
    assert revision.status == Status.OPEN
    assert revision.changed_at >= before
    assert revision.changes == {
        "background": {
            "from": "Boarding in the ER costs lives.",
            "to": "Boarding in the ER cost 12 lives last year.",
        },
        "targets": {
            "from": [{"name": "Sen. Patricia Holloway", "title": "Majority Leader"}],
            "to": [{"name": "Sen. Patricia Holloway", "title": "Senate Majority Leader"}],
        },
    }


@pytest.mark.parametrize(
    ("field", "label", "value"),
    [("title", "title", "Fund 4 crisis beds"), ("details", "petition text", "We ask for less.")],
)
def test_the_text_signers_agreed_to_is_frozen_from_the_first_signature(
    petition_factory, field, label, value
):
    # given an open petition with one signature, still unconfirmed
    petition = petition_factory(Status.OPEN)
    services.sign_petition(petition=petition, signer=signer())
    # when its text is changed, with a description fix in the same edit
    changed = replace(data_of(petition), background="Fixed typo.", **{field: value})
    with pytest.raises(PetitionFrozen) as refused:
        services.update_petition(petition=petition, data=changed)
    # then it is refused with the rule, and nothing changed, the fix neither
    assert refused.value.fields == (field,)
    assert refused.value.rule == services.EDIT_RULE
    assert f"This petition's {label} cannot change now: it has signatures." in str(refused.value)
    stored = Petition.objects.get(pk=petition.pk)
    assert (stored.title, stored.details, stored.background) == (
        "Fund 40 crisis beds",
        "",
        "Boarding in the ER costs lives.",
    )
    assert not PetitionRevision.objects.exists()


def test_before_the_first_signature_the_title_may_change_and_is_versioned(petition_factory):
    # given an open petition nobody signed yet
    petition = petition_factory(Status.OPEN)
    # when its title is fixed
    services.update_petition(
        petition=petition, data=replace(data_of(petition), title="Fund 40 crisis beds now")
    )
    # then it changed, and the change is on record
    assert Petition.objects.get(pk=petition.pk).title == "Fund 40 crisis beds now"
    assert PetitionRevision.objects.get().changes == {
        "title": {"from": "Fund 40 crisis beds", "to": "Fund 40 crisis beds now"}
    }


@pytest.mark.parametrize(
    "change",
    [
        {"deadline": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)},
        {"thresholds": [{"count": 5, "consequence": "We stop"}]},
        {"sponsors_required": 3},
    ],
    ids=["deadline", "thresholds", "sponsors_required"],
)
def test_what_was_set_in_the_draft_stays(petition_factory, change):
    # given a petition in moderation
    petition = petition_factory(Status.IN_MODERATION)
    before = data_of(petition)
    # when a draft-only setting is changed
    with pytest.raises(PetitionFrozen, match="it has left its draft") as refused:
        services.update_petition(petition=petition, data=replace(before, **change))
    # then refused, nothing changed
    assert refused.value.fields == tuple(change)
    assert data_of(Petition.objects.get(pk=petition.pk)) == before
    assert not PetitionRevision.objects.exists()


def test_a_draft_changes_freely_without_revisions(petition_factory):
    draft = petition_factory(Status.DRAFT)
    changed = replace(
        data_of(draft), title="New ask", details="New text", sponsors_required=2, thresholds=[]
    )
    services.update_petition(petition=draft, data=changed)
    assert data_of(Petition.objects.get(pk=draft.pk)) == changed
    assert not PetitionRevision.objects.exists()


def test_saving_without_a_change_writes_no_revision(petition_factory):
    petition = petition_factory(Status.OPEN)
    services.sign_petition(petition=petition, signer=signer())
    services.update_petition(petition=petition, data=data_of(petition))
    assert not PetitionRevision.objects.exists()


# --- the web edit form follows the same rule ------------------------------------------------------


def _form(petition: Petition, **changes: object) -> dict[str, object]:
    data = {k: v for k, v in PetitionForm.initial_for(petition).items() if v is not None}
    data.update(changes)
    return data


def _edit_url(petition: Petition) -> str:
    return reverse("petitions:edit", args=[petition.coalition.slug, petition.pk])


def test_the_edit_form_corrects_an_open_petition_and_refuses_its_signed_text(
    client, steward, petition_factory
):
    # given a signed open petition, and a steward at its edit form
    petition = petition_factory(Status.OPEN)
    services.sign_petition(petition=petition, signer=signer())
    client.force_login(steward.user)
    # when the steward fixes the description
    fixed = client.post(_edit_url(petition), _form(petition, background="Fixed."))
    # then it is saved and on record as theirs
    assert fixed.status_code == 302
    assert Petition.objects.get(pk=petition.pk).background == "Fixed."
    assert PetitionRevision.objects.get().changed_by == steward.user
    # when the steward changes the title
    refused = client.post(_edit_url(petition), _form(petition, title="Another ask"))
    # then the form says why, and nothing changed
    assert refused.status_code == 422
    assert "cannot change now: it has signatures" in refused.content.decode()
    assert Petition.objects.get(pk=petition.pk).title == "Fund 40 crisis beds"
    assert PetitionRevision.objects.count() == 1
