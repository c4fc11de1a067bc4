"""The API tokens page: stewards create (shown once, stored hashed), list and revoke tokens."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cairn.api import services
from cairn.api.models import ApiToken
from cairn.coalitions.models import Role

from .conftest import OsdiClient


def test_a_steward_creates_a_token_that_is_shown_once_and_works(client, coalition, steward):
    # given a signed-in steward
    client.force_login(steward.user)
    # when they create a token
    response = client.post(reverse("api_tokens:create", args=[coalition.slug]), {"name": "Sync"})
    # then the raw token is on that page, once, and only its hash is stored
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    raw = response.context["created"].raw
    assert raw in response.content.decode()
    token = ApiToken.objects.get(coalition=coalition)
    assert token.name == "Sync"
    assert token.created_by == steward.user
    assert token.token_hash == services.hash_token(raw)
    assert raw not in token.token_hash
    # ... the listing never shows it again
    listing = client.get(reverse("api_tokens:tokens", args=[coalition.slug]))
    assert listing.status_code == 200
    assert raw not in listing.content.decode()
    assert token.prefix in listing.content.decode()
    # ... and it opens the API
    assert OsdiClient(raw).get("/api/v2/people").status_code == 200


def test_a_token_needs_a_name(client, coalition, steward):
    client.force_login(steward.user)
    response = client.post(reverse("api_tokens:create", args=[coalition.slug]), {"name": ""})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_a_steward_revokes_a_token(client, coalition, steward):
    created = services.create_token(coalition=coalition, name="old", created_by=None)
    client.force_login(steward.user)
    response = client.post(
        reverse("api_tokens:revoke", args=[coalition.slug, created.token.pk]), follow=True
    )
    assert response.status_code == 200
    assert "revoked" in response.content.decode()
    assert ApiToken.objects.get().revoked_at is not None
    assert OsdiClient(created.raw).get("/api/v2/people").status_code == 403


def test_the_nav_links_stewards_to_the_api_page(client, coalition, steward):
    client.force_login(steward.user)
    page = client.get(reverse("coalitions:home", args=[coalition.slug])).content.decode()
    assert reverse("api_tokens:tokens", args=[coalition.slug]) in page


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.VIEWER])
def test_organizers_and_viewers_can_neither_see_nor_create_nor_revoke_tokens(
    client, coalition, staff_factory, membership_factory, role
):
    # given a token, and a staff member who is not a steward
    created = services.create_token(coalition=coalition, name="keep", created_by=None)
    membership = membership_factory(coalition) if role == Role.ORGANIZER else None
    staff = staff_factory(coalition, role, membership=membership)
    client.force_login(staff.user)
    # when they try every action of the page
    answers = [
        client.get(reverse("api_tokens:tokens", args=[coalition.slug])).status_code,
        client.post(reverse("api_tokens:create", args=[coalition.slug]), {"name": "x"}).status_code,
        client.post(
            reverse("api_tokens:revoke", args=[coalition.slug, created.token.pk])
        ).status_code,
    ]
    # then each is refused, and nothing changed
    assert answers == [403, 403, 403]
    assert list(ApiToken.objects.values_list("name", "revoked_at")) == [("keep", None)]
    home = client.get(reverse("coalitions:home", args=[coalition.slug])).content.decode()
    assert reverse("api_tokens:tokens", args=[coalition.slug]) not in home


def test_a_steward_cannot_revoke_another_coalitions_token(client, coalition_factory, steward):
    other = services.create_token(coalition=coalition_factory(), name="theirs", created_by=None)
    client.force_login(steward.user)
    url = reverse("api_tokens:revoke", args=[steward.coalition.slug, other.token.pk])
    assert client.post(url).status_code == 404
    assert ApiToken.objects.get(pk=other.token.pk).revoked_at is None


def test_signed_out_visitors_are_sent_to_sign_in(client, coalition):
    response = client.get(reverse("api_tokens:tokens", args=[coalition.slug]))
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]


def test_the_management_command_prints_a_working_token_once(coalition):
    out = io.StringIO()
    call_command("create_api_token", coalition=coalition.slug, name="script", stdout=out)
    raw = out.getvalue().strip()
    assert ApiToken.objects.get(coalition=coalition).token_hash == services.hash_token(raw)
    assert OsdiClient(raw).get("/api/v2/people").status_code == 200
    with pytest.raises(CommandError):
        call_command("create_api_token", coalition="no-such-coalition", name="x")
