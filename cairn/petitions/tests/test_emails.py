"""Petition emails are plain text: titles, names and updates read exactly as typed."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from cairn.petitions import services

from .conftest import confirm_path, signer

HOSTILE = """Fund "this year's" beds & <care> now"""


def test_the_confirmation_email_is_not_html_escaped(petition_factory):
    # given a petition whose title has ' & " and <
    petition = petition_factory(title=HOSTILE)
    # when someone signs it
    services.sign_petition(petition=petition, signer=signer(name="Ana <O'Hara> & co"))
    # then subject and body read as typed
    message = mail.outbox[-1]
    assert message.subject == f"Confirm your signature: {HOSTILE}"
    assert f"Thank you for signing “{HOSTILE}”." in message.body
    assert "Hello Ana <O'Hara> & co," in message.body
    assert "&#x27;" not in message.body
    assert "&amp;" not in message.body


def test_the_already_signed_email_is_not_html_escaped(client, petition_factory):
    petition = petition_factory(title=HOSTILE)
    services.sign_petition(petition=petition, signer=signer())
    client.get(confirm_path())
    mail.outbox.clear()
    later = timezone.now() + services.RESEND_INTERVAL + dt.timedelta(seconds=1)
    services.sign_petition(petition=petition, signer=signer(), now=later)
    assert [m.subject for m in mail.outbox] == [f"You already signed: {HOSTILE}"]
    assert f"tried to sign “{HOSTILE}” again" in mail.outbox[0].body


def test_an_update_is_sent_as_written(client, petition_factory, steward):
    petition = petition_factory(title=HOSTILE)
    services.sign_petition(petition=petition, signer=signer(consent_updates=True))
    client.get(confirm_path())
    mail.outbox.clear()
    update = services.compose_update(
        petition=petition, subject='We\'re <there> & "done"', body="A & B's <win>", by=steward.user
    )
    services.send_update(update=update)
    assert [m.subject for m in mail.outbox] == ['We\'re <there> & "done"']
    assert "A & B's <win>" in mail.outbox[0].body
    assert f"you signed “{HOSTILE}”" in mail.outbox[0].body
