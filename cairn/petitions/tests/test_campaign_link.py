"""A petition serves one campaign of its own coalition: the form, the services, the pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django import forms
from django.urls import reverse

from cairn.campaigns import services as campaign_services
from cairn.campaigns.models import Campaign
from cairn.coalitions.demo import load_demo
from cairn.coalitions.models import Coalition, Membership, StaffMember
from cairn.people import services as people
from cairn.petitions import services
from cairn.petitions.demo import LIVE_SLUG, MODERATION_SLUG, load_demo_petitions
from cairn.petitions.forms import PetitionForm
from cairn.petitions.models import Petition
from cairn.petitions.services import PetitionData, PetitionError, SignerData

Status = Petition.Status


def _campaign(coalition: Coalition, name: str = "Fund the beds") -> Campaign:
    return campaign_services.create_campaign(
        coalition=coalition,
        name=name,
        theory_of_change="If we show the cost, they fund the beds.",
        starts_on=coalition.horizon_start,
        ends_on=coalition.horizon_end,
        created_by=None,
    )


@pytest.fixture
def campaign(coalition: Coalition) -> Campaign:
    return _campaign(coalition)


@pytest.fixture
def other_campaign(coalition_factory: Callable[..., Coalition]) -> Campaign:
    return _campaign(coalition_factory(), name="Their campaign")


def _form_data(petition: Petition, campaign: Campaign | int | str) -> dict[str, object]:
    data = {k: v for k, v in PetitionForm.initial_for(petition).items() if v is not None}
    data["campaign"] = campaign.pk if isinstance(campaign, Campaign) else campaign
    return data


def _edit_url(petition: Petition) -> str:
    return reverse("petitions:edit", args=[petition.coalition.slug, petition.pk])


# --- the form and the services -------------------------------------------------------------------


def test_the_form_offers_only_the_coalitions_campaigns(
    coalition: Coalition, campaign: Campaign, other_campaign: Campaign, petition_factory
) -> None:
    # given a draft of a coalition with one campaign, and a campaign of another coalition
    petition = petition_factory(Status.DRAFT)
    ours = Campaign.objects.for_coalition(coalition)
    # when the form is built for the petition's coalition
    form = PetitionForm(
        initial=PetitionForm.initial_for(petition),
        owners=Membership.objects.filter(pk=petition.owner_id),
        campaigns=ours,
    )
    # then only its campaign is offered, after "no campaign"
    field = form.fields["campaign"]
    assert isinstance(field, forms.ModelChoiceField)
    assert field.queryset is not None
    assert list(field.queryset) == [campaign]
    select = str(form["campaign"])
    assert '<option value="" selected>No campaign</option>' in select
    assert "Their campaign" not in select
    # and a campaign of another coalition does not validate
    bound = PetitionForm(
        _form_data(petition, other_campaign),
        owners=Membership.objects.filter(pk=petition.owner_id),
        campaigns=ours,
    )
    assert not bound.is_valid()
    assert "campaign" in bound.errors


def test_a_steward_links_a_draft_to_a_campaign(
    client, steward: StaffMember, campaign: Campaign, petition_factory
) -> None:
    # given a draft
    petition = petition_factory(Status.DRAFT)
    client.force_login(steward.user)
    # when a steward picks the coalition's campaign
    response = client.post(_edit_url(petition), _form_data(petition, campaign))
    # then the draft serves it
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.campaign_id == campaign.pk


def test_a_campaign_of_another_coalition_is_refused_and_nothing_changes(
    client, steward: StaffMember, campaign: Campaign, other_campaign: Campaign, petition_factory
) -> None:
    # given a draft that serves its coalition's campaign
    petition = petition_factory(Status.DRAFT, campaign=campaign)
    client.force_login(steward.user)
    # when a steward posts the id of another coalition's campaign
    response = client.post(_edit_url(petition), _form_data(petition, other_campaign))
    # then the form refuses it and the draft keeps its campaign
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    petition.refresh_from_db()
    assert petition.campaign_id == campaign.pk


def test_the_services_refuse_a_campaign_of_another_coalition(
    owner: Membership, other_campaign: Campaign, petition_factory
) -> None:
    # a client that bypasses the form (the API, a script) meets the same rule
    with pytest.raises(PetitionError, match="another coalition"):
        services.create_petition(
            owner=owner, data=PetitionData(title="Beds", campaign=other_campaign), created_by=None
        )
    draft = petition_factory(Status.DRAFT)
    with pytest.raises(PetitionError, match="another coalition"):
        services.update_petition(
            petition=draft, data=PetitionData(title="Beds", campaign=other_campaign)
        )
    draft.refresh_from_db()
    assert draft.campaign_id is None
    assert not Petition.objects.filter(campaign=other_campaign).exists()


def test_deleting_a_campaign_leaves_its_petitions(campaign: Campaign, petition_factory) -> None:
    petition = petition_factory(campaign=campaign)
    campaign.delete()
    petition.refresh_from_db()
    assert petition.campaign_id is None


# --- the pages -----------------------------------------------------------------------------------


def test_the_steward_page_links_to_the_campaign(
    client, steward: StaffMember, campaign: Campaign, petition_factory
) -> None:
    petition = petition_factory(campaign=campaign)
    client.force_login(steward.user)
    body = client.get(reverse("petitions:detail", args=[petition.coalition.slug, petition.pk]))
    campaign_url = reverse("campaigns:campaign", args=[petition.coalition.slug, campaign.pk])
    assert f'<a href="{campaign_url}" data-testid="petition-campaign">Fund the beds</a>' in (
        body.content.decode()
    )


def test_the_campaign_page_lists_its_petitions_with_confirmed_counts(
    client,
    coalition: Coalition,
    steward: StaffMember,
    campaign: Campaign,
    petition_factory,
) -> None:
    # given two petitions of the campaign, one with two confirmed signatures, and one without
    counted = petition_factory(title="Counted petition", campaign=campaign)
    petition_factory(Status.DRAFT, title="Draft petition", campaign=campaign)
    petition_factory(title="Unrelated petition")
    for email in ("ana@example.org", "bo@example.org"):
        person = people.upsert_person(
            coalition=coalition,
            data=people.PersonData(given_name="Ana", emails=[people.EmailInput(email)]),
        ).person
        services.record_collected_signature(
            petition=counted,
            person=person,
            signer=SignerData(name="Ana Lima", email=email, postal_code="", country=""),
        )
    client.force_login(steward.user)
    # when the campaign's page is read
    response = client.get(reverse("campaigns:campaign", args=[coalition.slug, campaign.pk]))
    # then it lists its petitions, each with its confirmed count, and no other petition
    assert response.status_code == 200
    rows = {p.title: count for p, count in response.context["petitions"]}
    assert rows == {"Counted petition": 2, "Draft petition": 0}
    assert "Unrelated petition" not in response.content.decode()


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_petition_serves_the_demo_campaign_and_loads_once(db) -> None:
    from cairn.campaigns.demo import CAMPAIGN_NAME

    coalition = load_demo()
    first = load_demo_petitions(coalition, confirmed=50)
    again = load_demo_petitions(coalition, confirmed=50)
    assert (first.created, again.created) == (2, 0)
    demo_campaign = Campaign.objects.for_coalition(coalition).get(name=CAMPAIGN_NAME)
    assert Petition.objects.get(slug=LIVE_SLUG).campaign_id == demo_campaign.pk
    assert Petition.objects.get(slug=MODERATION_SLUG).campaign_id is None
    assert Campaign.objects.for_coalition(coalition).count() == 1
