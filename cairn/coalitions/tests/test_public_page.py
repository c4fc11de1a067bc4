"""The public front door: `/` for visitors, the directory and each coalition's public page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from cairn.coalitions import public, services
from cairn.coalitions.models import Coalition, Membership, Role
from cairn.petitions import services as petition_services
from cairn.petitions.models import Petition
from cairn.petitions.services import PetitionData, SignerData

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_commit_runs_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


def make_petition(owner: Membership, title: str, status: str = Petition.Status.OPEN) -> Petition:
    petition = petition_services.create_petition(
        owner=owner,
        data=PetitionData(title=title, background="Boarding in the ER costs <b>lives</b>."),
        created_by=None,
    )
    if status == Petition.Status.DRAFT:
        return petition
    petition = petition_services.submit_petition(petition=petition)
    if status == Petition.Status.IN_MODERATION:
        return petition
    petition = petition_services.open_petition(petition=petition)
    if status == Petition.Status.CLOSED:
        return petition_services.close_petition(petition=petition)
    if status == Petition.Status.TAKEN_DOWN:
        return petition_services.take_down_petition(petition=petition, reason="Threats")
    return petition


@pytest.fixture
def published(
    coalition_factory: Any, membership_factory: Callable[..., Membership]
) -> dict[str, Any]:
    """A published coalition with a listed, an unlisted, and a listed-but-left member."""
    coalition = coalition_factory(name="Beds Now", mission="Forty crisis beds by June.")
    listed = membership_factory(coalition, name="Harbor House")
    unlisted = membership_factory(coalition, name="Quiet Clinic")
    gone = membership_factory(coalition, name="Former Friends")
    prospect = membership_factory(coalition, name="Maybe Later", status=Membership.Status.PROSPECT)
    for member in (listed, gone, prospect):
        services.set_public_listing(membership=member, listed=True)
    services.change_membership_status(
        membership=gone, status=Membership.Status.LEFT, changed_by=None
    )
    services.publish_public_page(coalition=coalition, publish=True)
    return {"coalition": coalition, "listed": listed, "unlisted": unlisted}


def page_of(coalition: Coalition) -> str:
    return reverse("public:coalition", args=[coalition.slug])


def test_a_visitor_at_the_front_door_sees_published_coalitions_only(
    client, published, coalition_factory
):
    # given a published coalition and one that is not
    coalition_factory(name="Secret Alliance")
    # when an anonymous visitor opens /
    response = client.get("/")
    # then they see the directory, not a login redirect, with the published coalition only
    assert response.status_code == 200
    assert [c.name for c in response.context["published"]] == ["Beds Now"]
    assertContains(response, f'<a href="{page_of(published["coalition"])}">Beds Now</a>', html=True)
    assertNotContains(response, "Secret Alliance")
    assertContains(response, reverse("accounts:login"))


def test_the_directory_answers_at_its_own_address_too(client, published):
    response = client.get(reverse("public:directory"))
    assert [c.name for c in response.context["published"]] == ["Beds Now"]


def test_a_signed_in_user_keeps_their_coalitions_and_gets_a_link_to_the_directory(
    client, published, staff_factory, coalition_factory
):
    # given a steward of an unpublished coalition
    mine = coalition_factory(name="My Own Coalition")
    staff = staff_factory(mine, Role.STEWARD)
    client.force_login(staff.user)
    # when they open /
    response = client.get("/")
    # then they see their coalitions and a link to the public directory
    assert [r.coalition.name for r in response.context["roles"]] == ["My Own Coalition"]
    assertContains(response, f'href="{reverse("public:directory")}"')
    assertNotContains(response, "Beds Now")


def test_the_public_page_shows_mission_and_listed_active_members_only(client, published):
    # when
    response = client.get(page_of(published["coalition"]))
    # then
    assert response.status_code == 200
    assertContains(response, "Forty crisis beds by June.")
    assert [m.organization.name for m in response.context["members"]] == ["Harbor House"]
    assertContains(response, "Harbor House")
    for hidden in ("Quiet Clinic", "Former Friends", "Maybe Later"):
        assertNotContains(response, hidden)


def test_the_public_page_has_title_description_and_open_graph_tags(client, published):
    response = client.get(page_of(published["coalition"]))
    body = response.content.decode()
    assert "<title>Beds Now · Cairn</title>" in body
    assert '<meta name="description" content="Forty crisis beds by June.">' in body
    assert '<meta property="og:title" content="Beds Now">' in body
    assert '<meta property="og:description" content="Forty crisis beds by June.">' in body
    url = f"http://testserver{page_of(published['coalition'])}"
    assert f'<meta property="og:url" content="{url}">' in body
    assert "<script" not in re.sub(r"<script[^>]*src=[^>]*></script>", "", body)  # no inline JS


def test_open_petitions_are_listed_but_drafts_moderated_closed_and_taken_down_are_not(
    client, published
):
    # given petitions of the coalition in every state
    owner = published["listed"]
    make_petition(owner, "Open the crisis unit")
    for status in ("draft", "in_moderation", "closed", "taken_down"):
        make_petition(owner, f"Petition {status}", status=status)
    # when
    response = client.get(page_of(published["coalition"]))
    # then only the open petition is there, with its public address and count
    entries = [e for s in response.context["sections"] for e in s.entries]
    assert [e.title for e in entries] == ["Open the crisis unit"]
    petition = Petition.objects.get(title="Open the crisis unit")
    assert entries[0].url == f"/p/{petition.slug}/"
    assert entries[0].meta == "0 signatures"
    assert entries[0].summary == "Boarding in the ER costs lives."
    for status in ("draft", "in_moderation", "closed", "taken_down"):
        assertNotContains(response, f"Petition {status}")


def test_no_supporter_data_reaches_the_public_page(client, published):
    # given an open petition with a confirmed signature
    petition = make_petition(published["listed"], "Open the crisis unit")
    result = petition_services.sign_petition(
        petition=petition,
        signer=SignerData(
            name="Ana Supporter",
            email="ana.supporter@example.org",
            postal_code="46201",
            country="US",
        ),
    )
    token = petition_services.confirmation_token(result.signature)
    petition_services.confirm_signature(token=token)
    # when
    response = client.get(page_of(published["coalition"]))
    # then the count is public, the signer is not
    entries = [e for s in response.context["sections"] for e in s.entries]
    assert entries[0].meta == "1 signature"
    for private in ("Ana Supporter", "ana.supporter", "46201"):
        assertNotContains(response, private)


def test_an_unpublished_coalition_has_no_public_page(client, coalition):
    response = client.get(page_of(coalition))
    assert response.status_code == 404


def test_withdrawing_the_page_removes_it_and_its_place_in_the_directory(client, published):
    # given
    coalition = published["coalition"]
    # when
    services.publish_public_page(coalition=coalition, publish=False)
    # then
    assert client.get(page_of(coalition)).status_code == 404
    assertNotContains(client.get("/"), "Beds Now")


def test_public_pages_refuse_posts(client, published):
    assert client.post(page_of(published["coalition"])).status_code == 405
    assert client.post(reverse("public:directory")).status_code == 405


def test_a_section_registered_by_another_app_appears_on_the_page(client, published):
    # given a registered section (events, say) with one entry
    section = public.PublicSection(
        key="test-events",
        title="Upcoming events",
        entries=lambda c: [public.PublicEntry(title=f"Rally of {c.name}", url="/e/1/")],
        order=5,
    )
    public.register(section)
    try:
        # when
        response = client.get(page_of(published["coalition"]))
    finally:
        public.unregister("test-events")
    # then it is drawn first (order 5 < petitions' 10), with its entry
    assert [s.section.key for s in response.context["sections"]] == ["test-events"]
    assertContains(response, '<a href="/e/1/">Rally of Beds Now</a>', html=True)


# --- the staff page ----------------------------------------------------------------------------


def settings_url(coalition: Coalition) -> str:
    return reverse("coalitions:public_page", args=[coalition.slug])


def listing_url(member: Membership) -> str:
    return reverse("coalitions:set_public_listing", args=[member.coalition.slug, member.pk])


def test_a_steward_publishes_and_withdraws_the_page(client, coalition, steward):
    client.force_login(steward.user)
    # when
    response = client.post(settings_url(coalition), {"publish": "1"})
    # then
    assert response.status_code == 302
    coalition.refresh_from_db()
    assert coalition.publish_public_page is True
    assert client.get(page_of(coalition)).status_code == 200
    # when
    client.post(settings_url(coalition), {"publish": "0"})
    # then
    coalition.refresh_from_db()
    assert coalition.publish_public_page is False
    assert client.get(page_of(coalition)).status_code == 404


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.VIEWER])
def test_only_a_steward_may_publish(client, coalition, membership_factory, staff_factory, role):
    member = membership_factory(coalition)
    staff = staff_factory(coalition, role, membership=member if role == Role.ORGANIZER else None)
    client.force_login(staff.user)
    # when
    response = client.post(settings_url(coalition), {"publish": "1"})
    # then refused, and nothing changed
    assert response.status_code == 403
    coalition.refresh_from_db()
    assert coalition.publish_public_page is False


def test_an_organizer_lists_its_own_organization_but_not_another(
    client, coalition, membership_factory, staff_factory
):
    # given an organizer of one member
    mine = membership_factory(coalition, name="Harbor House")
    theirs = membership_factory(coalition, name="Quiet Clinic")
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=mine)
    client.force_login(organizer.user)
    # when they list their own organization and try to list the other
    own = client.post(listing_url(mine), {"listed": "1"})
    other = client.post(listing_url(theirs), {"listed": "1"})
    # then
    assert own.status_code == 302
    assert other.status_code == 403
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.listed_publicly, theirs.listed_publicly) == (True, False)
    # and the page shows the one button they may use
    page = client.get(settings_url(coalition))
    assertContains(page, "Stop listing Harbor House")
    assertNotContains(page, "List Quiet Clinic")
    assertNotContains(page, "Publish the public page")


def test_a_steward_unlists_a_member(client, published, staff_factory):
    steward = staff_factory(published["coalition"], Role.STEWARD)
    client.force_login(steward.user)
    # when
    client.post(listing_url(published["listed"]), {"listed": "0"})
    # then
    published["listed"].refresh_from_db()
    assert published["listed"].listed_publicly is False
    client.logout()  # the confirmation message names the organization; the visitor sees no one
    assertNotContains(client.get(page_of(published["coalition"])), "Harbor House")


def test_a_member_of_another_coalition_is_not_found(
    client, coalition, steward, coalition_factory, membership_factory
):
    other = membership_factory(coalition_factory(), name="Elsewhere")
    client.force_login(steward.user)
    response = client.post(listing_url(other).replace(other.coalition.slug, coalition.slug))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.listed_publicly is False


def test_the_demo_publishes_its_page_and_lists_the_members_that_chose_to_be(client):
    # given the demo coalition, loaded
    from cairn.coalitions.demo import CEDAR_VALLEY, load_demo

    coalition = load_demo()
    # when a visitor opens the front door and the coalition's page
    front = client.get("/")
    response = client.get(page_of(coalition))
    # then the coalition is listed, and its page names its active members but the unlisted one
    assert [c.slug for c in front.context["published"]] == [coalition.slug]
    active = Membership.objects.for_coalition(coalition).filter(status="active")
    expected = sorted(m.organization.name for m in active if m.organization.name != CEDAR_VALLEY)
    assert [m.organization.name for m in response.context["members"]] == expected
    assertNotContains(response, CEDAR_VALLEY)


def test_a_public_page_shows_nothing_of_another_coalition(
    client, published, coalition_factory, membership_factory
):
    # given another coalition, unpublished, whose member chose to be listed and has an open petition
    other = coalition_factory(name="Zebra Coalition")
    zebra = membership_factory(other, name="Zebra Foundation")
    services.set_public_listing(membership=zebra, listed=True)
    make_petition(zebra, "Zebra petition")
    # when a visitor reads the published coalition's page and the directory
    page = client.get(page_of(published["coalition"]))
    directory = client.get(reverse("public:directory"))
    # then nothing of the other coalition appears
    for response in (page, directory):
        assertNotContains(response, "Zebra")
