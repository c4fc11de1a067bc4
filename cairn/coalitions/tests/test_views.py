"""The coalition pages through the test client: what they show, who may post to them, how bad input
is answered, the htmx delivery panel, accepting an invitation and not leaking other coalitions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import (
    assertContains,
    assertNotContains,
    assertRedirects,
    assertTemplateNotUsed,
    assertTemplateUsed,
)

from cairn.accounts.models import User
from cairn.coalitions import services
from cairn.coalitions.models import (
    Coalition,
    Commitment,
    Delivery,
    Invitation,
    Membership,
    MembershipStatusChange,
    Organization,
    Role,
    Sector,
    StaffMember,
)
from conftest import PASSWORD

SITE = "http://testserver/"


def url(name: str, coalition: Coalition, *args: Any) -> str:
    return reverse(f"coalitions:{name}", args=[coalition.slug, *args])


def iso(day: dt.date) -> str:
    return day.isoformat()


def today() -> dt.date:
    return timezone.localdate()


# --- pages render for a steward -------------------------------------------------------------------


def test_home_shows_mission_horizon_countdown_sectors_and_commitments(
    client, coalition, steward, membership_factory, commitment_factory
):
    # given two health-care members, one labor member and a prospect, with funding pledged
    clinic = membership_factory(coalition, name="Harbor Clinic", sector=Sector.HEALTH_CARE)
    membership_factory(coalition, name="Bayside Hospital", sector=Sector.HEALTH_CARE)
    membership_factory(coalition, name="Dock Workers Union", sector=Sector.LABOR)
    membership_factory(
        coalition, name="Quiet Prospect", sector=Sector.MEDIA, status=Membership.Status.PROSPECT
    )
    commitment_factory(clinic, quantity=1000, delivered=400)
    client.force_login(steward.user)
    # when
    response = client.get(url("home", coalition))
    # then
    assert response.status_code == 200
    assertTemplateUsed(response, "coalitions/home.html")
    assertContains(response, "<p>Fix the thing that is broken, together.</p>", html=True)
    assertContains(response, '<h2 id="horizon">Budget vote</h2>', html=True)
    assertContains(response, '<span class="countdown__value">200</span>', html=True)
    assertContains(
        response,
        '<h3 class="sector-group__title">Health care <span class="muted">(2)</span></h3>',
        html=True,
    )
    assertContains(
        response,
        '<h3 class="sector-group__title">Labor <span class="muted">(1)</span></h3>',
        html=True,
    )
    assertNotContains(response, '<h3 class="sector-group__title">Media', html=False)
    assertContains(response, '<th scope="row">Funding (USD)</th>', html=True)
    totals = response.context["overview"].totals
    assert [(t.kind, t.unit, t.pledged, t.delivered) for t in totals] == [
        ("funding", "USD", Decimal("1000.00"), Decimal("400.00"))
    ]
    assertContains(response, '<td class="num">1,000</td>', html=True)
    assertContains(response, '<td class="num">400</td>', html=True)
    assert [m.organization.name for m, _ in response.context["contributions"]] == ["Harbor Clinic"]


def test_members_list_filters_by_status(client, coalition, steward, membership_factory):
    # given an active member and a prospect
    membership_factory(coalition, name="Active Alliance")
    membership_factory(coalition, name="Possible Partner", status=Membership.Status.PROSPECT)
    client.force_login(steward.user)
    # when
    everyone = client.get(url("members", coalition))
    prospects = client.get(url("members", coalition) + "?status=prospect")
    # then
    assert everyone.status_code == prospects.status_code == 200
    assert [m.organization.name for m, _ in everyone.context["memberships"]] == [
        "Active Alliance",
        "Possible Partner",
    ]
    assert [m.organization.name for m, _ in prospects.context["memberships"]] == [
        "Possible Partner"
    ]
    assertContains(prospects, "Possible Partner")
    assertNotContains(prospects, "Active Alliance")


def test_member_page_shows_profile_commitments_and_management(
    client, coalition, steward, membership_factory, commitment_factory
):
    # given
    member = membership_factory(coalition, name="Harbor Clinic", sector=Sector.HEALTH_CARE)
    commitment_factory(member, quantity=500)
    client.force_login(steward.user)
    # when
    response = client.get(url("member", coalition, member.pk))
    # then
    assert response.status_code == 200
    assertContains(response, "<h1>Harbor Clinic</h1>", html=True)
    assertContains(response, '<h2 id="manage">Manage membership</h2>', html=True)
    assert [row.commitment.quantity for row in response.context["commitments"]] == [
        Decimal("500.00")
    ]
    assertContains(response, "funding pledge")


def test_commitments_page_lists_pledges_with_delivered_totals(
    client, coalition, steward, membership_factory, commitment_factory
):
    # given
    member = membership_factory(coalition, name="Harbor Clinic")
    commitment_factory(member, quantity=1500, delivered=500)
    client.force_login(steward.user)
    # when
    response = client.get(url("commitments", coalition))
    # then
    assert response.status_code == 200
    assert [(r.commitment.membership_id, r.delivered) for r in response.context["commitments"]] == [
        (member.pk, Decimal("500.00"))
    ]
    assertContains(response, "<p><strong>500</strong> of 1,500 USD delivered</p>", html=True)
    assertContains(response, "Pledge a resource")


def test_commitment_page_shows_the_delivery_panel(
    client, coalition, steward, membership_factory, commitment_factory
):
    # given
    commitment = commitment_factory(membership_factory(coalition), quantity=1000, delivered=250)
    client.force_login(steward.user)
    # when
    response = client.get(url("commitment", coalition, commitment.pk))
    # then
    assert response.status_code == 200
    assertContains(response, "<h1>funding pledge</h1>", html=True)
    assertContains(response, '<dd data-testid="delivered-total">250 USD</dd>', html=True)
    assertContains(response, "<h3>Record a delivery</h3>", html=True)


def test_invitations_page_lists_open_invitations_and_staff(client, coalition, steward):
    # given
    services.invite_staff(
        coalition=coalition,
        email="pending@example.org",
        role=Role.VIEWER,
        invited_by=steward.user,
        site_url=SITE,
    )
    client.force_login(steward.user)
    # when
    response = client.get(url("invitations", coalition))
    # then
    assert response.status_code == 200
    assert [i.email for i in response.context["invitations"]] == ["pending@example.org"]
    assert list(response.context["staff_list"]) == [steward]
    assertContains(response, "<td>pending@example.org</td>", html=True)


def test_settings_page_shows_the_coalition_form(client, coalition, steward):
    client.force_login(steward.user)
    response = client.get(url("settings", coalition))
    assert response.status_code == 200
    assert response.context["form"].instance == coalition
    assertContains(response, 'value="Budget vote"')


def test_add_organization_page_shows_an_empty_form(client, coalition, steward):
    client.force_login(steward.user)
    response = client.get(url("add_organization", coalition))
    assert response.status_code == 200
    assertContains(response, "<h1>Add an organization</h1>", html=True)
    assert not response.context["form"].is_bound


def test_pledge_page_offers_the_pledgeable_members(client, coalition, steward, membership_factory):
    # given a member and a prospect (prospects cannot pledge)
    member = membership_factory(coalition, name="Harbor Clinic")
    membership_factory(coalition, name="Maybe Later", status=Membership.Status.PROSPECT)
    client.force_login(steward.user)
    # when
    response = client.get(url("pledge", coalition))
    # then
    assert response.status_code == 200
    assert list(response.context["form"].fields["membership"].queryset) == [member]
    assertContains(response, "<h1>Pledge a resource</h1>", html=True)


def test_core_home_lists_the_users_coalitions_with_their_role(
    client, coalition_factory, staff_factory, user_factory, membership_factory
):
    # given a user who stewards one coalition and organizes in another
    user = user_factory()
    stewarded = coalition_factory(name="Clean Air Now")
    organized = coalition_factory(name="Safe Streets")
    member = membership_factory(organized, name="Cyclists United")
    staff_factory(stewarded, Role.STEWARD, user=user)
    staff_factory(organized, Role.ORGANIZER, user=user, membership=member)
    coalition_factory(name="Not Mine")
    client.force_login(user)
    # when
    response = client.get(reverse("core:home"))
    # then
    assert response.status_code == 200
    assert sorted(r.coalition.name for r in response.context["roles"]) == [
        "Clean Air Now",
        "Safe Streets",
    ]
    assertContains(response, '<span class="badge badge--steward">Steward</span>', html=True)
    assertContains(response, '<span class="badge badge--organizer">Organizer</span>', html=True)
    assertContains(response, '<span class="muted">for Cyclists United</span>', html=True)
    assertNotContains(response, "Not Mine")


def test_new_coalition_makes_the_creator_its_steward(client, user_factory):
    # given
    user = user_factory()
    client.force_login(user)
    # when
    response = client.post(
        reverse("core:new_coalition"),
        {
            "name": "Clean Air Now",
            "mission": "Cleaner air for every school.",
            "horizon_title": "Council vote",
            "horizon_start": "2026-01-01",
            "horizon_end": "2026-12-31",
            "charter": "",
        },
    )
    # then
    coalition = Coalition.objects.get(name="Clean Air Now")
    assertRedirects(response, url("home", coalition), fetch_redirect_response=False)
    assert coalition.slug == "clean-air-now"
    assert list(StaffMember.objects.filter(coalition=coalition).values_list("user", "role")) == [
        (user.pk, Role.STEWARD)
    ]


# --- the role matrix ------------------------------------------------------------------------------


@dataclass
class Scene:
    """One coalition with a person in each role and something for every endpoint to act on."""

    coalition: Coalition
    ours: Membership  # the organization the endpoints act on
    commitment: Commitment
    invitation: Invitation
    bystander: StaffMember  # the person `remove_staff` removes
    actors: dict[str, StaffMember]


@pytest.fixture
def scene(coalition, staff_factory, membership_factory, commitment_factory, steward) -> Scene:
    ours = membership_factory(coalition, name="Harbor Clinic", sector=Sector.HEALTH_CARE)
    theirs = membership_factory(coalition, name="Dock Workers Union", sector=Sector.LABOR)
    invitation = services.invite_staff(
        coalition=coalition,
        email="pending@example.org",
        role=Role.VIEWER,
        invited_by=steward.user,
        site_url=SITE,
    ).invitation
    return Scene(
        coalition=coalition,
        ours=ours,
        commitment=commitment_factory(ours, quantity=1000),
        invitation=invitation,
        bystander=staff_factory(coalition, Role.VIEWER),
        actors={
            "viewer": staff_factory(coalition, Role.VIEWER),
            "organizer_of_another_org": staff_factory(coalition, Role.ORGANIZER, membership=theirs),
            "organizer_of_this_org": staff_factory(coalition, Role.ORGANIZER, membership=ours),
            "steward": steward,
        },
    )


@dataclass(frozen=True)
class Endpoint:
    """A POST endpoint: where to post what, the rows it changes, and what they become."""

    request: Callable[[Scene], tuple[str, dict[str, Any]]]
    state: Callable[[Scene], Any]
    expected: Callable[[Scene], Any]
    redirect: Callable[[Scene], str]
    allowed: frozenset[str] = frozenset({"steward"})
    # The pledge form only offers the memberships the user may pledge for, so a forged POST for
    # another membership fails validation ("Select a valid choice") before the policy is asked.
    denied_status: int = 403


ROLES = ["viewer", "organizer_of_another_org", "organizer_of_this_org", "steward"]


def _organization_form(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "sector": Sector.HEALTH_CARE,
        "mission": "Care for all.",
        "website": "https://clinic.example.org",
        "size": "",
    }


def _coalition_form(coalition: Coalition, **changes: Any) -> dict[str, Any]:
    data = {
        "name": coalition.name,
        "mission": coalition.mission,
        "horizon_title": coalition.horizon_title,
        "horizon_start": iso(coalition.horizon_start),
        "horizon_end": iso(coalition.horizon_end),
        "charter": coalition.charter,
    }
    return {**data, **changes}


def _membership_state(s: Scene) -> tuple[str, int]:
    status = Membership.objects.get(pk=s.ours.pk).status
    return status, MembershipStatusChange.objects.filter(membership=s.ours).count()


ENDPOINTS: dict[str, Endpoint] = {
    "change_status": Endpoint(
        request=lambda s: (url("change_status", s.coalition, s.ours.pk), {"status": "paused"}),
        state=_membership_state,
        expected=lambda s: ("paused", 2),
        redirect=lambda s: url("member", s.coalition, s.ours.pk),
    ),
    "change_vote_weight": Endpoint(
        request=lambda s: (
            url("change_vote_weight", s.coalition, s.ours.pk),
            {"vote_weight": "2.50"},
        ),
        state=lambda s: Membership.objects.get(pk=s.ours.pk).vote_weight,
        expected=lambda s: Decimal("2.50"),
        redirect=lambda s: url("member", s.coalition, s.ours.pk),
    ),
    "record_delivery": Endpoint(
        request=lambda s: (
            url("record_delivery", s.coalition, s.commitment.pk),
            {"quantity": "250", "delivered_on": iso(today()), "note": "First tranche"},
        ),
        state=lambda s: list(
            Delivery.objects.filter(commitment=s.commitment).values_list("quantity", "note")
        ),
        expected=lambda s: [(Decimal("250.00"), "First tranche")],
        redirect=lambda s: url("commitment", s.coalition, s.commitment.pk),
    ),
    "withdraw_commitment": Endpoint(
        request=lambda s: (
            url("withdraw_commitment", s.coalition, s.commitment.pk),
            {"confirmed": "yes"},
        ),
        state=lambda s: Commitment.objects.get(pk=s.commitment.pk).withdrawn_at is not None,
        expected=lambda s: True,
        redirect=lambda s: url("commitment", s.coalition, s.commitment.pk),
    ),
    "invite": Endpoint(
        request=lambda s: (
            url("invite", s.coalition),
            {"email": "New.Person@Example.org", "role": Role.ORGANIZER, "membership": s.ours.pk},
        ),
        state=lambda s: list(
            Invitation.objects.filter(coalition=s.coalition, revoked_at__isnull=True)
            .order_by("email")
            .values_list("email", "role", "membership")
        ),
        expected=lambda s: [
            ("new.person@example.org", Role.ORGANIZER, s.ours.pk),
            ("pending@example.org", Role.VIEWER, None),
        ],
        redirect=lambda s: url("invitations", s.coalition),
    ),
    "revoke_invitation": Endpoint(
        request=lambda s: (url("revoke_invitation", s.coalition, s.invitation.pk), {}),
        state=lambda s: Invitation.objects.get(pk=s.invitation.pk).revoked_at is not None,
        expected=lambda s: True,
        redirect=lambda s: url("invitations", s.coalition),
    ),
    "remove_staff": Endpoint(
        request=lambda s: (url("remove_staff", s.coalition, s.bystander.pk), {}),
        state=lambda s: StaffMember.objects.filter(pk=s.bystander.pk).exists(),
        expected=lambda s: False,
        redirect=lambda s: url("invitations", s.coalition),
    ),
    "settings": Endpoint(
        request=lambda s: (
            url("settings", s.coalition),
            _coalition_form(s.coalition, name="Renamed Coalition", horizon_title="Final vote"),
        ),
        state=lambda s: Coalition.objects.values_list("name", "horizon_title").get(
            pk=s.coalition.pk
        ),
        expected=lambda s: ("Renamed Coalition", "Final vote"),
        redirect=lambda s: url("home", s.coalition),
    ),
    "add_organization": Endpoint(
        request=lambda s: (
            url("add_organization", s.coalition),
            {**_organization_form("Newcomers Clinic"), "status": Membership.Status.PROSPECT},
        ),
        state=lambda s: sorted(
            Organization.objects.filter(coalition=s.coalition).values_list("name", flat=True)
        ),
        expected=lambda s: ["Dock Workers Union", "Harbor Clinic", "Newcomers Clinic"],
        redirect=lambda s: url(
            "member", s.coalition, Membership.objects.get(organization__name="Newcomers Clinic").pk
        ),
    ),
    "edit_organization": Endpoint(
        request=lambda s: (
            url("edit_organization", s.coalition, s.ours.organization_id),
            _organization_form("Harbor Community Clinic"),
        ),
        state=lambda s: Organization.objects.values_list("name", "website").get(
            pk=s.ours.organization_id
        ),
        expected=lambda s: ("Harbor Community Clinic", "https://clinic.example.org"),
        redirect=lambda s: url("member", s.coalition, s.ours.pk),
        allowed=frozenset({"steward", "organizer_of_this_org"}),
    ),
    "pledge": Endpoint(
        request=lambda s: (
            url("pledge", s.coalition),
            {
                "membership": s.ours.pk,
                "kind": Commitment.Kind.DATA,
                "description": "Crisis-line call data",
                "quantity": "3",
                "unit": "",
                "due_date": iso(today() + dt.timedelta(days=60)),
            },
        ),
        state=lambda s: list(
            Commitment.objects.filter(membership=s.ours)
            .order_by("pk")
            .values_list("description", "quantity", "unit")
        ),
        expected=lambda s: [
            ("funding pledge", Decimal("1000.00"), "USD"),
            ("Crisis-line call data", Decimal("3.00"), "datasets"),
        ],
        redirect=lambda s: url(
            "commitment",
            s.coalition,
            Commitment.objects.get(description="Crisis-line call data").pk,
        ),
        allowed=frozenset({"steward", "organizer_of_this_org"}),
        denied_status=422,
    ),
}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, scene, role, endpoint):
    # given
    spec = ENDPOINTS[endpoint]
    path, data = spec.request(scene)
    before = spec.state(scene)
    client.force_login(scene.actors[role].user)
    # when
    response = client.post(path, data)
    # then
    if role in spec.allowed:
        assertRedirects(response, spec.redirect(scene), fetch_redirect_response=False)
        assert spec.state(scene) == spec.expected(scene) != before
    else:
        # a viewer may pledge for no organization: the pledge form itself is refused (403);
        # an organizer of another organization gets it back with the choice refused (422)
        denied = 403 if (endpoint, role) == ("pledge", "viewer") else spec.denied_status
        assert response.status_code == denied
        assert spec.state(scene) == before  # nothing changed


@pytest.mark.parametrize(
    ("role", "sees_steward_links"),
    [
        ("viewer", False),
        ("organizer_of_another_org", False),
        ("organizer_of_this_org", False),
        ("steward", True),
    ],
)
def test_only_stewards_see_the_invitations_and_settings_links(
    client, scene, role, sees_steward_links
):
    client.force_login(scene.actors[role].user)
    response = client.get(url("home", scene.coalition))
    assert response.status_code == 200
    links = [
        f'href="{url("invitations", scene.coalition)}"',
        f'href="{url("settings", scene.coalition)}"',
    ]
    assert [link in response.content.decode() for link in links] == [sees_steward_links] * 2


# --- bad input: 422, the error beside its field, nothing written ----------------------------------


def field_error(field: str, message: str) -> str:
    """Django 5.2 renders a field's errors with the id its input's aria-describedby points to."""
    return f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>'


def test_adding_an_organization_twice_is_refused_whatever_the_case(
    client, coalition, steward, membership_factory
):
    # given
    membership_factory(coalition, name="Harbor Clinic")
    client.force_login(steward.user)
    # when
    response = client.post(
        url("add_organization", coalition),
        {**_organization_form("harbor CLINIC"), "status": Membership.Status.ACTIVE},
    )
    # then
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "name": ["harbor CLINIC is already in this coalition."]
    }
    assertContains(
        response,
        field_error("name", "harbor CLINIC is already in this coalition."),
        1,
        422,
        html=True,
    )
    assert list(
        Organization.objects.filter(coalition=coalition).values_list("name", flat=True)
    ) == ["Harbor Clinic"]
    assert Membership.objects.filter(coalition=coalition).count() == 1


def test_settings_refuse_a_horizon_that_ends_before_it_starts(client, coalition, steward):
    # given
    before = Coalition.objects.values().get(pk=coalition.pk)
    client.force_login(steward.user)
    # when
    response = client.post(
        url("settings", coalition),
        _coalition_form(
            coalition, name="Renamed", horizon_start="2026-06-01", horizon_end="2026-05-31"
        ),
    )
    # then
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "horizon_end": ["The horizon must end after it starts."]
    }
    assertContains(
        response,
        field_error("horizon_end", "The horizon must end after it starts."),
        1,
        422,
        html=True,
    )
    assert Coalition.objects.values().get(pk=coalition.pk) == before


def test_a_pledge_of_nothing_is_refused(client, coalition, steward, membership_factory):
    # given
    member = membership_factory(coalition)
    client.force_login(steward.user)
    # when
    response = client.post(
        url("pledge", coalition),
        {
            "membership": member.pk,
            "kind": Commitment.Kind.FUNDING,
            "description": "Nothing at all",
            "quantity": "0",
            "unit": "USD",
            "due_date": iso(today() + dt.timedelta(days=30)),
        },
    )
    # then
    message = "Ensure this value is greater than or equal to 0.01."
    assert response.status_code == 422
    assert response.context["form"].errors == {"quantity": [message]}
    assertContains(response, field_error("quantity", message), 1, 422, html=True)
    assert Commitment.objects.filter(coalition=coalition).count() == 0


def test_an_organizer_is_invited_for_an_organization(client, coalition, steward):
    # given
    client.force_login(steward.user)
    # when
    response = client.post(
        url("invite", coalition), {"email": "someone@example.org", "role": Role.ORGANIZER}
    )
    # then
    message = "Choose the organization this organizer acts for."
    assert response.status_code == 422
    assert response.context["form"].errors == {"membership": [message]}
    assertContains(response, field_error("membership", message), 1, 422, html=True)
    assert Invitation.objects.filter(coalition=coalition).count() == 0


def test_a_delivery_dated_tomorrow_is_refused(
    client, coalition, steward, membership_factory, commitment_factory
):
    # given
    commitment = commitment_factory(membership_factory(coalition))
    client.force_login(steward.user)
    # when
    response = client.post(
        url("record_delivery", coalition, commitment.pk),
        {"quantity": "100", "delivered_on": iso(today() + dt.timedelta(days=1)), "note": ""},
    )
    # then
    message = "A delivery cannot be dated in the future."
    assert response.status_code == 422
    assert response.context["delivery_form"].errors == {"delivered_on": [message]}
    assertContains(response, field_error("delivered_on", message), 1, 422, html=True)
    assert Delivery.objects.filter(commitment=commitment).count() == 0


# --- htmx -----------------------------------------------------------------------------------------


def test_an_htmx_delivery_answers_with_the_panel_only(
    client, coalition, steward, membership_factory, commitment_factory
):
    # given a commitment of 1,000 with 400 delivered
    commitment = commitment_factory(membership_factory(coalition), quantity=1000, delivered=400)
    client.force_login(steward.user)
    # when
    response = client.post(
        url("record_delivery", coalition, commitment.pk),
        {"quantity": "250", "delivered_on": iso(today()), "note": ""},
        HTTP_HX_REQUEST="true",
    )
    # then
    assert response.status_code == 200
    assertTemplateUsed(response, "coalitions/_delivery_panel.html")
    assertTemplateNotUsed(response, "base.html")
    body = response.content.decode()
    assert 'id="delivery-panel"' in body
    assert "<html" not in body
    assertContains(response, '<dd data-testid="delivered-total">650 USD</dd>', html=True)
    assert Delivery.objects.filter(commitment=commitment).count() == 2


def test_a_delivery_without_htmx_redirects_to_the_commitment(
    client, coalition, steward, membership_factory, commitment_factory
):
    # given
    commitment = commitment_factory(membership_factory(coalition), quantity=1000, delivered=400)
    client.force_login(steward.user)
    # when
    response = client.post(
        url("record_delivery", coalition, commitment.pk),
        {"quantity": "250", "delivered_on": iso(today()), "note": ""},
    )
    # then
    assertRedirects(
        response, url("commitment", coalition, commitment.pk), fetch_redirect_response=False
    )
    assert list(
        Delivery.objects.filter(commitment=commitment).values_list("quantity", flat=True)
    ) == [Decimal("400.00"), Decimal("250.00")]


# --- accepting an invitation ----------------------------------------------------------------------


def invite(coalition: Coalition, steward: StaffMember, email: str, **kwargs: Any) -> str:
    """Invite `email` and return the path of the link the email carries."""
    sent = services.invite_staff(
        coalition=coalition,
        email=email,
        role=kwargs.pop("role", Role.VIEWER),
        invited_by=steward.user,
        site_url=SITE,
        **kwargs,
    )
    token = sent.url.rstrip("/").rsplit("/", 1)[-1]
    return reverse("accounts:accept_invitation", args=[token])


def test_a_new_person_sees_the_account_form(client, coalition, steward):
    link = invite(coalition, steward, "newcomer@example.org")
    response = client.get(link)
    assert response.status_code == 200
    assert list(response.context["form"].fields) == ["full_name", "password1", "password2"]
    assertContains(
        response, "<p>Create your account for <strong>newcomer@example.org</strong>.</p>", html=True
    )


def test_a_new_person_creates_an_account_and_joins(client, coalition, steward, membership_factory):
    # given an invitation to organize for a prospect organization
    member = membership_factory(coalition, status=Membership.Status.PROSPECT)
    link = invite(
        coalition, steward, "newcomer@example.org", role=Role.ORGANIZER, membership=member
    )
    # when
    response = client.post(
        link, {"full_name": "Nia Newcomer", "password1": PASSWORD, "password2": PASSWORD}
    )
    # then
    assertRedirects(response, url("home", coalition), fetch_redirect_response=False)
    user = User.objects.get(email="newcomer@example.org")
    assert (user.full_name, user.check_password(PASSWORD)) == ("Nia Newcomer", True)
    assert get_user(client) == user
    assert list(
        StaffMember.objects.filter(coalition=coalition, user=user).values_list("role", "membership")
    ) == [(Role.ORGANIZER, member.pk)]
    assert Membership.objects.get(pk=member.pk).status == Membership.Status.ACTIVE


def test_a_used_link_is_gone(client, coalition, steward):
    # given an invitation already accepted
    link = invite(coalition, steward, "newcomer@example.org")
    client.post(link, {"full_name": "Nia", "password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    # when
    response = client.get(link)
    # then
    assertContains(response, "<h1>This invitation cannot be used</h1>", 1, 410, html=True)
    assert StaffMember.objects.filter(coalition=coalition).count() == 2


def test_a_garbage_token_is_not_found(client, db):
    response = client.get(reverse("accounts:accept_invitation", args=["not-a-token"]))
    assertContains(response, "The link is not valid.", 1, 404)


def test_a_signed_in_user_with_another_email_cannot_accept(
    client, coalition, steward, user_factory
):
    # given an invitation for someone else and a signed-in user
    link = invite(coalition, steward, "invitee@example.org")
    other = user_factory(email="other@example.org")
    client.force_login(other)
    # when
    page = client.get(link)
    accepted = client.post(link)
    # then
    assertContains(
        page,
        "This invitation was sent to invitee@example.org, but you are signed in as "
        "other@example.org. Sign out and open the link again.",
        1,
        200,
    )
    assertContains(
        accepted,
        "This invitation was sent to invitee@example.org. Sign in with that address to accept.",
        1,
        409,
    )
    assert not StaffMember.objects.filter(user=other).exists()  # nothing changed
    assert Invitation.objects.get(email="invitee@example.org").accepted_at is None


def test_an_existing_user_is_sent_to_sign_in(client, coalition, steward, user_factory):
    # given an invitation for someone who already has an account, not signed in
    user_factory(email="known@example.org")
    link = invite(coalition, steward, "known@example.org")
    # when
    response = client.get(link)
    # then
    assert response.status_code == 200
    assert response.context["login_url"] == f"{reverse('accounts:login')}?next={link}"
    assertContains(response, "Sign in to accept")
    assert "form" not in response.context
    assert Invitation.objects.get(email="known@example.org").accepted_at is None


# --- enumeration and tenancy ----------------------------------------------------------------------


def test_a_user_without_a_role_gets_not_found(client, coalition, user_factory):
    client.force_login(user_factory())
    response = client.get(url("home", coalition))
    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, coalition):
    path = url("home", coalition)
    response = client.get(path)
    assertRedirects(
        response, f"{reverse('accounts:login')}?next={path}", fetch_redirect_response=False
    )


@pytest.mark.parametrize(
    "endpoint",
    [
        "change_status",
        "record_delivery",
        "withdraw_commitment",
        "revoke_invitation",
        "remove_staff",
    ],
)
def test_a_steward_cannot_reach_another_coalitions_rows(
    client, scene, coalition_factory, staff_factory, endpoint
):
    # given a steward of another coalition who knows this coalition's row ids
    elsewhere = coalition_factory()
    intruder = staff_factory(elsewhere, Role.STEWARD)
    spec = ENDPOINTS[endpoint]
    path, data = spec.request(scene)
    path = path.replace(f"/c/{scene.coalition.slug}/", f"/c/{elsewhere.slug}/", 1)
    before = spec.state(scene)
    client.force_login(intruder.user)
    # when
    response = client.post(path, data)
    # then
    assert response.status_code == 404
    assert spec.state(scene) == before  # nothing changed
