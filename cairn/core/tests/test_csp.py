"""Content-Security-Policy on every page: nonces for inline code, framing only for the widget."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from cairn.petitions import services as petitions
from cairn.petitions.models import Petition

CAIRN = Path(settings.BASE_DIR)
NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.fixture
def open_petition(membership_factory, coalition) -> Petition:
    owner = membership_factory(coalition, name="Harbor House")
    petition = petitions.create_petition(
        owner=owner,
        data=petitions.PetitionData(title="Fund 40 crisis beds", background="Beds, now."),
        created_by=None,
    )
    return petitions.open_petition(petition=petitions.submit_petition(petition=petition))


def test_an_anonymous_page_has_the_policy_and_its_nonce_is_the_pages(client, db):
    # when
    response = client.get(reverse("accounts:login"))
    # then
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    nonces = set(NONCE.findall(" ".join(policy["style-src"])))
    assert len(nonces) == 1
    (nonce,) = nonces
    assert f'{{"inlineStyleNonce": "{nonce}"}}' in response.content.decode()
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


def test_each_response_gets_its_own_nonce(client, db):
    first = directives(client.get(reverse("accounts:login")))["script-src"]
    second = directives(client.get(reverse("accounts:login")))["script-src"]
    assert first[0] == second[0] == "'self'"
    assert first[1].startswith("'nonce-")
    assert second[1].startswith("'nonce-")
    assert first != second


def test_a_staff_page_and_the_404_page_have_the_policy(client, steward, coalition):
    client.force_login(steward.user)
    home = client.get(reverse("coalitions:home", args=[coalition.slug]))
    missing = client.get(reverse("coalitions:home", args=["no-such-coalition"]))
    assert (home.status_code, missing.status_code) == (200, 404)
    assert directives(home)["frame-ancestors"] == ["'none'"]
    assert directives(missing)["frame-ancestors"] == ["'none'"]


def test_the_petition_page_may_not_be_framed_but_its_widget_may(client, open_petition):
    # when
    page = client.get(reverse("petitions_public:petition", args=[open_petition.slug]))
    widget = client.get(reverse("petitions_public:widget", args=[open_petition.slug]))
    # then
    assert page.status_code == widget.status_code == 200
    assert directives(page)["frame-ancestors"] == ["'none'"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert directives(widget)["frame-ancestors"] == settings.CAIRN_WIDGET_FRAME_ANCESTORS == ["*"]
    assert "X-Frame-Options" not in widget.headers
    assert directives(widget)["script-src"][0] == "'self'"


def test_the_delivery_packet_style_carries_the_header_nonce(client, steward, open_petition):
    client.force_login(steward.user)
    response = client.get(
        reverse("petitions:packet", args=[open_petition.coalition.slug, open_petition.pk])
    )
    assert response.status_code == 200
    (nonce,) = NONCE.findall(" ".join(directives(response)["style-src"]))
    assert f'<style nonce="{nonce}">' in response.content.decode()


def test_the_api_docs_page_loads_swagger_from_our_own_static_files(client, db):
    response = client.get("/api/v2/docs")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"][0] == "'self'"
    assert policy["connect-src"] == ["'self'"]
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    # the only inline <script> is JSON data (not run), the others are static files
    inline = [s for s in scripts if "src=" not in s]
    assert inline == [' type="application/json" id="swagger-settings"']


# --- the templates ------------------------------------------------------------------------------

INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*application/json)[^>]*>"
)
STYLE_ELEMENT = re.compile(r"<style(?![^>]*\bnonce=)[^>]*>")
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']""")
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']|\bhx-on[:-]|javascript:""")


def cairn_files(*suffixes: str) -> list[Path]:
    return sorted(
        p
        for p in CAIRN.rglob("*")
        if p.suffix in suffixes and "tests" not in p.parts and "migrations" not in p.parts
    )


def test_no_template_or_view_has_code_or_styles_the_policy_would_block():
    offenders = []
    for path in cairn_files(".html", ".py"):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, STYLE_ELEMENT, STYLE_ATTRIBUTE, EVENT_HANDLER):
            where = path.relative_to(CAIRN)
            offenders += [f"{where}: {m.group(0)!r}" for m in pattern.finditer(text)]
    assert offenders == [], "\n".join(offenders)
