"""The public reads are cacheable: the same bytes for everyone, an ETag, Cache-Control for shared
caches, nothing personal (no cookie, no Vary: Cookie); signing gets its CSRF token apart."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from cairn.petitions import services
from cairn.petitions.models import Petition, Signature

from .conftest import signer

FORM = {
    "name": "Ana Lima",
    "email": "ana@example.org",
    "postal_code": "46201",
    "country": "US",
}


def public(petition: Petition, name: str = "petition") -> str:
    return reverse(f"petitions_public:{name}", kwargs={"petition_slug": petition.slug})


def assert_shareable(response) -> None:
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    assert response["Cache-Control"] == (
        "public, max-age=0, s-maxage=10, stale-while-revalidate=60"
    )
    assert re.fullmatch(r'"[0-9a-f]{24}"', response["ETag"])


@pytest.mark.parametrize("name", ["petition", "counts_json", "widget"])
def test_public_reads_carry_nothing_personal_and_can_be_cached(client, petition, name):
    # when
    response = client.get(public(petition, name))
    # then
    assert_shareable(response)
    assert response.cookies == {}


def test_the_cached_page_has_an_empty_token_and_its_address(client, petition):
    body = client.get(public(petition)).content.decode()
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="">' in body
    assert f'data-token-url="{public(petition, "form_token")}"' in body
    assert "petitions/sign.js" in body


def test_a_repeat_is_served_from_the_cache_and_a_known_etag_gets_304(
    client, petition, django_assert_num_queries
):
    first = client.get(public(petition))
    with django_assert_num_queries(0):
        again = client.get(public(petition))
        not_modified = client.get(public(petition), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.content == first.content
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == first["ETag"]


def test_a_share_link_keeps_its_referral_code_in_the_form(client, petition):
    body = client.get(public(petition) + "?ref=abc123&ch=x").content.decode()
    assert 'name="ref" value="abc123"' in body
    assert 'name="channel" value="x"' in body
    # a code that is not one is dropped (and does not make a cache entry of its own)
    body = client.get(public(petition) + "?ref=%3Cscript%3E").content.decode()
    assert 'name="ref" value="' not in body


def test_the_count_json_follows_a_confirmation(client, petition):
    assert json.loads(client.get(public(petition, "counts_json")).content)["count"] == 0
    result = services.sign_petition(petition=petition, signer=signer())
    services.confirm_signature(token=services.confirmation_token(result.signature))
    assert json.loads(client.get(public(petition, "counts_json")).content)["count"] == 1


def test_a_taken_down_petition_leaves_its_cached_page_at_once(client, petition):
    assert "Boarding in the ER costs lives." in client.get(public(petition)).content.decode()
    services.take_down_petition(petition=petition, reason="Threats")
    body = client.get(public(petition)).content.decode()
    assert "taken down by the coalition" in body
    assert "Boarding in the ER costs lives." not in body


def test_the_form_token_is_personal_and_never_cached(client, petition):
    response = client.get(public(petition, "form_token"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response.json()["token"]
    assert "csrftoken" in response.cookies


def test_signing_needs_the_token_and_without_it_gets_the_form_back_with_one(petition):
    # given a browser that enforces CSRF like a real one, and no script ran
    browser = Client(enforce_csrf_checks=True)
    browser.get(public(petition))
    # when it signs with the cached page's empty token
    refused = browser.post(
        public(petition, "sign"), {**FORM, "csrfmiddlewaretoken": "", "ref": "abc123"}
    )
    # then nothing is signed, and the answer is the form again, filled in, with a token
    assert refused.status_code == 403
    assert not Signature.objects.filter(petition=petition).exists()
    body = refused.content.decode()
    assert "press Sign again" in body
    assert 'value="ana@example.org"' in body
    assert 'name="ref" value="abc123"' in body
    assert "no-store" in refused["Cache-Control"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert token is not None
    # when they press Sign again
    signed = browser.post(
        public(petition, "sign"), {**FORM, "csrfmiddlewaretoken": token.group(1), "ref": "abc123"}
    )
    # then
    assert signed.status_code == 302
    assert Signature.objects.filter(petition=petition).count() == 1


def test_signing_with_the_token_from_the_token_address(petition):
    browser = Client(enforce_csrf_checks=True)
    token = browser.get(public(petition, "form_token")).json()["token"]
    response = browser.post(public(petition, "sign"), {**FORM, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Signature.objects.filter(petition=petition).count() == 1


def test_a_forged_post_from_another_site_signs_nothing(petition):
    # another site's page can post the form, but cannot read our token (nor set our cookie)
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(public(petition, "sign"), {**FORM, "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403
    assert not Signature.objects.filter(petition=petition).exists()


def test_no_token_for_a_petition_the_public_cannot_see(client, petition_factory):
    draft = petition_factory(Petition.Status.DRAFT)
    assert client.get(public(draft, "form_token")).status_code == 404
