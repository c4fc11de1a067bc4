"""The authorization page: what a decision authorized, and linking one more row to it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cairn.campaigns import services as campaign_services
from cairn.governance import services
from cairn.governance.models import Authorization, LogEntry

pytestmark = pytest.mark.django_db


def campaign_of(coalition, name="Beds now"):
    return campaign_services.create_campaign(
        coalition=coalition,
        name=name,
        theory_of_change="More beds",
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        created_by=None,
    )


@pytest.fixture
def decided(assembly, open_proposal):
    proposal = open_proposal(assembly, "consent")
    services.close_proposal(proposal=proposal, by=None)
    services.record_outcome(proposal=proposal, statement="We campaign for beds", recorded_by=None)
    return proposal


def page(proposal):
    return reverse("governance:authorizations", args=[proposal.coalition.slug, proposal.pk])


def test_a_steward_links_a_campaign_and_the_page_shows_it(client, assembly, decided):
    # given a campaign of the coalition
    campaign = campaign_of(assembly.coalition)
    client.force_login(assembly.steward.user)
    form = client.get(page(decided)).content.decode()
    assert f'value="campaigns.campaign:{campaign.pk}"' in form
    # when the steward links it
    response = client.post(
        page(decided), {"target": f"campaigns.campaign:{campaign.pk}", "note": "Go ahead"}
    )
    # then
    assert response.status_code == 302
    link = Authorization.objects.get()
    assert (link.target, link.note, link.outcome.proposal_id) == (campaign, "Go ahead", decided.pk)
    assert LogEntry.objects.filter(body__event="authorization_added").count() == 1
    shown = client.get(page(decided)).content.decode()
    campaign_url = reverse("campaigns:campaign", args=[assembly.coalition.slug, campaign.pk])
    assert f'<a href="{campaign_url}">Beds now</a>' in shown
    assert "Go ahead" in shown


def test_another_coalitions_row_cannot_be_linked(client, assembly, decided, coalition_factory):
    theirs = campaign_of(coalition_factory(), name="Not yours")
    client.force_login(assembly.steward.user)
    response = client.post(page(decided), {"target": f"campaigns.campaign:{theirs.pk}"})
    assert response.status_code == 422
    assert not Authorization.objects.exists()


def test_members_see_what_was_authorized_but_cannot_link(client, assembly, decided):
    campaign = campaign_of(assembly.coalition)
    client.force_login(assembly.organizers[0].user)
    # when
    shown = client.get(page(decided))
    refused = client.post(page(decided), {"target": f"campaigns.campaign:{campaign.pk}"})
    # then
    assert shown.status_code == 200
    assert "Link what it authorizes" not in shown.content.decode()
    assert refused.status_code == 403
    assert not Authorization.objects.exists()


def test_without_an_outcome_nothing_can_be_linked(client, assembly, open_proposal):
    proposal = open_proposal(assembly, "consent")
    campaign = campaign_of(assembly.coalition)
    client.force_login(assembly.steward.user)
    assert "No outcome is recorded yet" in client.get(page(proposal)).content.decode()
    response = client.post(page(proposal), {"target": f"campaigns.campaign:{campaign.pk}"})
    assert response.status_code == 302
    assert not Authorization.objects.exists()
