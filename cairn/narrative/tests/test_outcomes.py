"""Content → outcomes: signatures and new supporters brought by tracked links, per day and
member (the campaign dashboard's engagement source), per item and per pillar (the pulse)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.campaigns import engagement
from cairn.narrative import outcomes, selectors, services
from cairn.narrative.models import ContentItem, TrackedLink
from cairn.people import services as people
from cairn.petitions import services as petitions

from .test_content import in_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world):
    petition = petitions.open_petition(
        petition=petitions.submit_petition(
            petition=petitions.create_petition(
                owner=world.member,
                data=petitions.PetitionData(
                    title="Fund crisis beds", details="Beds", campaign=world.campaign
                ),
                created_by=None,
            )
        )
    )
    item = in_review(world)
    services.approve_item(item=item, by=world.steward)
    item = services.publish_item(item=ContentItem.objects.get(pk=item.pk), by=world.steward)
    return item, petition


def sign(petition, email, link):
    ref = f"m-{link.membership_id}" if link.membership_id else ""
    signed = petitions.sign_petition(
        petition=petition,
        signer=petitions.SignerData(
            name="Ana Signer",
            email=email,
            postal_code="46201",
            country="US",
            ref=ref,
            channel=link.channel,
        ),
    )
    petitions.confirm_signature(token=petitions.confirmation_token(signed.signature))
    petitions.record_signer_in_crm(signed.signature.pk)  # the task confirming enqueues
    return signed.signature


def test_the_content_source_counts_signatures_and_new_supporters_by_day_and_member(
    world, published
):
    item, petition = published
    member_link = TrackedLink.objects.get(item=item, membership=world.member)
    coalition_link = TrackedLink.objects.get(item=item, membership=None)
    # a supporter the coalition already had, and two new ones
    people.upsert_person(
        coalition=world.coalition,
        data=people.PersonData(emails=[people.EmailInput("known@example.org")]),
    )
    sign(petition, "known@example.org", member_link)
    sign(petition, "new1@example.org", member_link)
    sign(petition, "new2@example.org", coalition_link)
    # a signature that came another way is not content's
    petitions.confirm_signature(
        token=petitions.confirmation_token(
            petitions.sign_petition(
                petition=petition,
                signer=petitions.SignerData(
                    name="Bo", email="bo@example.org", postal_code="46201", country="US"
                ),
            ).signature
        )
    )
    today = timezone.localdate()
    sources = {s.key: s for s in engagement.sources()}
    content, supporters = sources["content"], sources["content_supporters"]
    first, last = today - dt.timedelta(days=1), today
    assert content.daily_by_member is not None
    assert content.daily_by_member(world.coalition, first, last) == {
        (today, world.member.pk): 2.0,
        (today, None): 1.0,
    }
    assert supporters.daily(world.coalition, first, last) == {today: 2.0}
    assert content.by_member is not None
    assert content.by_member(world.coalition, first, last) == {world.member.pk: 2.0, None: 1.0}
    # per item, and per pillar in the pulse
    assert selectors.item_outcomes(coalition=world.coalition) == {
        item.pk: {"signatures": 3, "supporters": 2}
    }
    services.record_reach(item=item, by=world.organizer, on=today, impressions=300)
    rows = selectors.pulse(campaign=world.campaign)
    assert [(r.name, r.items, r.reach, r.signatures, r.supporters) for r in rows] == [
        ("Beds", 1, 300, 3, 2)
    ]
    assert rows[0].rate == "1.0 %"


def test_another_coalitions_content_signatures_do_not_count(world, published, coalition_factory):
    item, petition = published
    sign(petition, "a@example.org", TrackedLink.objects.get(item=item, membership=None))
    today = timezone.localdate()
    assert outcomes.signatures_per_day(coalition_factory(), today, today) == {}
    assert outcomes.signatures_per_day(world.coalition, today, today) == {today: 1.0}


def test_the_pulse_page_shows_the_pillar_and_a_chart(client, world, published):
    item, petition = published
    link = TrackedLink.objects.get(item=item, membership=world.member)
    sign(petition, "c@example.org", link)
    today = timezone.localdate()
    services.record_reach(item=item, by=world.organizer, on=today, impressions=50)
    services.record_reach(
        item=item, by=world.organizer, on=today - dt.timedelta(days=8), impressions=20
    )
    client.force_login(world.viewer.user)
    body = client.get(
        reverse("narrative:pulse", args=[world.coalition.slug, world.campaign.pk])
    ).content.decode()
    assert "<polyline" in body
    assert '<th scope="row">Beds</th><td>1</td><td>70</td><td>1</td>' in body
    # and the week-by-week figures behind the chart, in a table
    monday = today - dt.timedelta(days=today.weekday())
    assert 'data-testid="pulse-weeks"' in body
    assert (
        f'<th scope="row">Beds</th><td>{monday:%-d %b %Y}</td><td class="num">50</td>'
        '<td class="num">1</td>'
    ) in body


def test_the_campaign_dashboard_shows_content_and_links_to_the_pulse(client, world, published):
    item, petition = published
    sign(petition, "d@example.org", TrackedLink.objects.get(item=item, membership=world.member))
    client.force_login(world.viewer.user)
    body = client.get(
        reverse("campaigns:dashboard", args=[world.coalition.slug, world.campaign.pk])
    ).content.decode()
    assert "Signatures from content so far" in body
    assert "New supporters from content so far" in body
    pulse = reverse("narrative:pulse", args=[world.coalition.slug, world.campaign.pk])
    assert f'<a href="{pulse}" data-testid="pulse-link">' in body
