"""Signing in and out, throttling, and resetting a password, through the test client."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from cairn.accounts.models import AuthAttempt
from conftest import PASSWORD

NEW_PASSWORD = "a much longer new passphrase"
WRONG_PASSWORD = "not the password at all"
INVALID_LOGIN = (
    "Please enter a correct email address and password. Note that both fields may be "
    "case-sensitive."
)
TOO_MANY_RESETS = "Too many reset requests. Wait a few minutes and try again."


@pytest.fixture
def ana(user_factory):
    return user_factory(email="ana@example.org")


def sign_in(client, email: str, password: str, ip: str = "127.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


# --- signing in ---------------------------------------------------------------------------------


def test_signing_in_ignores_the_case_of_the_email(client, ana):
    # when
    response = sign_in(client, "Ana@Example.org", PASSWORD)
    # then
    assertRedirects(response, reverse("core:home"), fetch_redirect_response=False)
    assert get_user(client) == ana


def test_a_wrong_password_is_refused(client, ana):
    # when
    response = sign_in(client, "ana@example.org", WRONG_PASSWORD)
    # then
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [INVALID_LOGIN]
    assertContains(response, INVALID_LOGIN, 1)
    assert get_user(client).is_anonymous
    assert list(AuthAttempt.objects.values_list("kind", "email", "ip")) == [
        (AuthAttempt.Kind.LOGIN, "ana@example.org", "127.0.0.1")
    ]


def test_failures_older_than_the_window_do_not_count(client, ana, settings):
    # given three failed attempts, made longer ago than the window
    settings.CAIRN_LOGIN_ATTEMPTS = 3
    for _ in range(3):
        sign_in(client, "ana@example.org", WRONG_PASSWORD)
    long_ago = timezone.now() - dt.timedelta(seconds=settings.CAIRN_LOGIN_WINDOW_SECONDS + 1)
    assert AuthAttempt.objects.update(attempted_at=long_ago) == 3
    # when
    response = sign_in(client, "ana@example.org", PASSWORD)
    # then
    assertRedirects(response, reverse("core:home"), fetch_redirect_response=False)
    assert get_user(client) == ana


# --- resetting a password -----------------------------------------------------------------------


def request_reset(client, django_capture_on_commit_callbacks, email: str, ip: str = "127.0.0.1"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_a_reset_link_sets_a_new_password(client, ana, django_capture_on_commit_callbacks):
    # given a reset request
    response = request_reset(client, django_capture_on_commit_callbacks, "ana@example.org")
    assertRedirects(response, reverse("accounts:password_reset_done"))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.org"]
    link = re.search(
        r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", str(mail.outbox[0].body)
    )
    assert link is not None
    # when the link is followed and a new password chosen
    opened = client.get(link.group(1))
    set_password_url = opened.url
    assert set_password_url.endswith("/set-password/")
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    # then
    assertRedirects(done, reverse("accounts:password_reset_complete"))
    ana.refresh_from_db()
    assert (ana.check_password(NEW_PASSWORD), ana.check_password(PASSWORD)) == (True, False)
    assert sign_in(client, "ana@example.org", PASSWORD).status_code == 200
    assert get_user(client).is_anonymous
    assert sign_in(client, "ana@example.org", NEW_PASSWORD).status_code == 302


def test_an_unknown_email_gets_the_same_answer_and_no_mail(
    client, ana, django_capture_on_commit_callbacks
):
    response = request_reset(client, django_capture_on_commit_callbacks, "nobody@example.org")
    assertRedirects(response, reverse("accounts:password_reset_done"))
    assert mail.outbox == []


def test_reset_requests_are_throttled(client, ana, settings, django_capture_on_commit_callbacks):
    # given as many requests for one email as the limit allows, each from its own address
    settings.CAIRN_LOGIN_ATTEMPTS = 3
    for n in range(3):
        request_reset(
            client, django_capture_on_commit_callbacks, "ana@example.org", f"203.0.113.{n}"
        )
    assert len(mail.outbox) == 3
    # when
    response = request_reset(
        client, django_capture_on_commit_callbacks, "Ana@Example.org", "198.51.100.7"
    )
    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {"email": [TOO_MANY_RESETS]}
    assertContains(response, TOO_MANY_RESETS, 1)
    assert len(mail.outbox) == 3


# --- signing out ----------------------------------------------------------------------------------


def test_signing_out_takes_a_post(client, ana):
    # given
    client.force_login(ana)
    # when
    refused = client.get(reverse("accounts:logout"))
    still_in = get_user(client)
    signed_out = client.post(reverse("accounts:logout"))
    # then
    assert refused.status_code == 405
    assert still_in == ana
    assertRedirects(signed_out, reverse("accounts:login"), fetch_redirect_response=False)
    assert get_user(client).is_anonymous
