"""Counts in plain-text emails agree with their nouns ('1 entry', '1 minute'), as on the pages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string


@pytest.mark.parametrize(("seq", "words"), [(1, "now has 1 entry."), (7, "now has 7 entries.")])
def test_the_checkpoint_email_counts_the_log_entries(seq, words):
    # given a checkpoint of a log of `seq` entries
    context = {
        "checkpoint": SimpleNamespace(seq=seq),
        "coalition": SimpleNamespace(name="Riverside & Co", slug="riverside"),
        "document": SimpleNamespace(key_id="k1", signed_at="2026-12-07T12:00:00Z"),
        "url": "http://testserver/c/riverside/decisions/log/checkpoints/",
    }
    # when its email is written
    body = render_to_string("governance/email/checkpoint.txt", context)
    # then the count and its noun agree (and the plain text is not escaped)
    assert body.startswith(f"The decision log of Riverside & Co {words}\n")


@pytest.mark.parametrize(("minutes", "words"), [(1, "for 1 minute."), (15, "for 15 minutes.")])
def test_the_sign_in_link_email_says_how_long_it_works(minutes, words):
    # given a sign-in link that works for `minutes`
    context = {
        "user": SimpleNamespace(get_short_name="Sam", email="sam@example.org"),
        "url": "http://testserver/accounts/login/link/x/",
        "minutes": minutes,
        "ip": "",
    }
    # when its email is written
    body = render_to_string("accounts/email/sign_in_link.txt", context)
    # then the count and its noun agree
    assert f"It works once, {words} Your password has not changed." in body
