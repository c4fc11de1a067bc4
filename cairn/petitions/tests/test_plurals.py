"""Counts read right: "1 signature", "2 signatures", on every page and email that counts."""

from __future__ import annotations

import datetime as dt
import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cairn.petitions import services
from cairn.petitions.models import Petition

from .conftest import confirm_path, signer


def text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def public(petition, name="petition") -> str:
    return reverse(f"petitions_public:{name}", kwargs={"petition_slug": petition.slug})


def test_one_signature_is_singular_everywhere_the_public_looks(client, petition):
    # given a petition with one confirmed signature
    services.sign_petition(petition=petition, signer=signer())
    confirmed = client.get(confirm_path())
    # then the confirmation page, the petition, the list and the widget say "1 signature"
    assert "now has 1 signature." in text(confirmed.content)
    assert "1 signatures" not in text(confirmed.content)
    page = text(client.get(public(petition)).content)
    assert "signature 1" in page  # the stat: its label, then its value
    assert "signatures 1" not in page
    assert "1 signature" in text(client.get(reverse("petitions_public:list")).content)
    assert "1 signatures" not in text(client.get(reverse("petitions_public:list")).content)
    widget = text(client.get(public(petition, "widget")).content)
    assert "1 signature" in widget
    assert "1 signatures" not in widget


def test_two_signatures_are_plural(client, petition):
    services.sign_petition(petition=petition, signer=signer("s1@example.org"))
    client.get(confirm_path())
    services.sign_petition(petition=petition, signer=signer("s2@example.org"))
    assert "now has 2 signatures." in text(client.get(confirm_path()).content)
    widget = text(client.get(public(petition, "widget")).content)
    assert "2 signatures" in widget


def test_an_invalidation_of_one_signature_says_so(client, steward, petition):
    result = services.sign_petition(petition=petition, signer=signer("bot@bots.test"))
    services.confirm_signature(token=services.confirmation_token(result.signature))
    client.force_login(steward.user)
    url = reverse("petitions:integrity", args=[petition.coalition.slug, petition.pk])
    preview = client.post(url, {"domain": "bots.test", "preview": "1"})
    assert "1 valid signature matches." in text(preview.content)
    done = client.post(url, {"domain": "bots.test", "reason": "Bots", "run": "1"}, follow=True)
    assert "1 signature invalidated." in text(done.content)


def test_a_trending_alert_of_one_signature_is_singular(coalition, petition, steward, monkeypatch):
    monkeypatch.setattr(services, "TRENDING_SAMPLE", 1)
    services.set_limits(coalition=coalition, burst=100, sustained=100, trending=1)
    mail.outbox.clear()
    services.sign_petition(petition=petition, signer=signer("one@trend.test"))
    alerts = sorted(m.body for m in mail.outbox if "trending" in m.subject.lower())
    assert [body.split(" came from ")[0] for body in alerts] == [
        "1 signature of “Fund 40 crisis beds”",
        "1 signature of “Fund 40 crisis beds”",
    ]  # one from its domain, one from its IP


def test_the_closing_command_counts_right(petition):
    from io import StringIO

    from django.core.management import call_command

    Petition.objects.filter(pk=petition.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    out = StringIO()
    call_command("close_expired_petitions", stdout=out)
    assert out.getvalue() == "1 petition closed\n"
