"""Sign-in throttling that never locks an owner out, and sign-in links by email."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from cairn.accounts import services
from cairn.accounts.models import AuthAttempt, SignInLink
from conftest import PASSWORD

WRONG = "not the password at all"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
OFFER = "Email me a sign-in link"


@pytest.fixture
def ana(user_factory):
    return user_factory(email="ana@example.org")


@pytest.fixture
def limits(settings):
    settings.CAIRN_LOGIN_ATTEMPTS = 5
    settings.CAIRN_LOGIN_FREE_ATTEMPTS = 3
    settings.CAIRN_LOGIN_BACKOFF_SECONDS = 2
    settings.CAIRN_LOGIN_ADDRESS_ATTEMPTS = 8
    settings.CAIRN_LOGIN_ACCOUNT_ALERT = 4
    settings.CAIRN_LOGIN_WINDOW_SECONDS = 900
    return settings


def sign_in(client, email: str, password: str, ip: str):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def fail_many(email: str, ip: str, n: int) -> None:
    """n failed sign-ins two minutes ago (past any backoff of these limits, inside the window)."""
    for _ in range(n):
        services.record_failed_login(email=email, ip=ip)
    AuthAttempt.objects.filter(attempted_at__gt=timezone.now() - dt.timedelta(seconds=5)).update(
        attempted_at=timezone.now() - dt.timedelta(seconds=120)
    )


def _age_attempts(*, seconds: int) -> None:
    for attempt in AuthAttempt.objects.all():
        attempt.attempted_at -= dt.timedelta(seconds=seconds)
        attempt.save(update_fields=["attempted_at"])


def refusal(response) -> str:
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    return str(errors[0])


# --- per (account, address) ----------------------------------------------------------------------


def test_an_attacker_at_one_address_cannot_lock_the_owner_out_at_another(client, ana, limits):
    # given the attacker reached the ceiling for Ana's account from address A
    fail_many("ana@example.org", ATTACKER, 5)
    # when the attacker tries the right password from A, and Ana signs in from B
    at_a = sign_in(client, "ana@example.org", PASSWORD, ATTACKER)
    refused_user = get_user(client)
    at_b = sign_in(client, "Ana@Example.org", PASSWORD, OWNER)
    # then A is refused, B is let in
    assert at_a.status_code == 200
    assert refusal(at_a).startswith("Too many sign-in attempts from here. Try again in ")
    assert refused_user.is_anonymous
    assertRedirects(at_b, reverse("core:home"), fetch_redirect_response=False)
    assert get_user(client) == ana


def test_failing_for_one_account_does_not_refuse_another_at_the_same_address(
    client, ana, user_factory, limits
):
    # given the pair (ana, A) is at its ceiling
    bob = user_factory(email="bob@example.org")
    fail_many("ana@example.org", ATTACKER, 5)
    # when Bob signs in from the same address
    response = sign_in(client, "bob@example.org", PASSWORD, ATTACKER)
    # then
    assertRedirects(response, reverse("core:home"), fetch_redirect_response=False)
    assert get_user(client) == bob


def test_after_the_free_failures_each_try_waits_longer(client, ana, limits):
    # given three failures just now, from one address (the free ones)
    for _ in range(3):
        assert refusal(sign_in(client, "ana@example.org", WRONG, OWNER)).startswith("Please enter")
    # when the right password comes at once
    too_soon = sign_in(client, "ana@example.org", PASSWORD, OWNER)
    still_out = get_user(client)
    # and again once the backoff (2 s after the third failure) has passed
    _age_attempts(seconds=3)
    later = sign_in(client, "ana@example.org", PASSWORD, OWNER)
    # then
    assert refusal(too_soon) == (
        "Too many sign-in attempts from here. Try again in 2 seconds, or sign in with a link "
        "sent to your email."
    )
    assert still_out.is_anonymous
    assertRedirects(later, reverse("core:home"), fetch_redirect_response=False)


def test_the_backoff_doubles_and_is_capped_by_the_window(limits):
    assert [services.backoff_seconds(n) for n in range(7)] == [0, 0, 0, 2, 4, 8, 16]
    limits.CAIRN_LOGIN_WINDOW_SECONDS = 10
    assert services.backoff_seconds(6) == 10


def test_a_refused_try_is_not_counted_and_a_success_clears_the_pair(client, ana, limits):
    # given four failures at one address, the last one just now (inside its backoff)
    fail_many("ana@example.org", OWNER, 3)
    services.record_failed_login(email="ana@example.org", ip=OWNER)
    sign_in(client, "ana@example.org", PASSWORD, OWNER)  # refused: too soon
    assert AuthAttempt.objects.filter(email="ana@example.org", ip=OWNER).count() == 4
    # when the owner signs in after the backoff
    _age_attempts(seconds=10)
    response = sign_in(client, "ana@example.org", PASSWORD, OWNER)
    # then the pair's failures are gone, the others stay
    assert response.status_code == 302
    assert AuthAttempt.objects.filter(email="ana@example.org", ip=OWNER).count() == 0


# --- per address ---------------------------------------------------------------------------------


def test_an_address_failing_for_many_accounts_is_refused_for_all(client, ana, user_factory, limits):
    # given eight failures from A spread over four accounts (under each pair's ceiling)
    bob = user_factory(email="bob@example.org")
    for n in range(4):
        fail_many(f"guess{n}@example.org", ATTACKER, 2)
    # when Bob signs in from A, then from B
    at_a = sign_in(client, "bob@example.org", PASSWORD, ATTACKER)
    out_at_a = get_user(client)
    at_b = sign_in(client, "bob@example.org", PASSWORD, OWNER)
    # then
    assert refusal(at_a).startswith("Too many sign-in attempts from here. Try again in ")
    assert out_at_a.is_anonymous
    assert at_b.status_code == 302
    assert get_user(client) == bob


# --- an account under attack ---------------------------------------------------------------------


def test_an_account_under_attack_is_offered_a_link_yet_its_password_still_works(
    client, ana, limits
):
    # given four failures for Ana from four addresses (the alert count)
    for n in range(4):
        fail_many("ana@example.org", f"203.0.113.{n}", 1)
    # when someone fails once more from a fifth address, and Ana signs in from hers
    failed = sign_in(client, "ana@example.org", WRONG, "203.0.113.9")
    signed_in = sign_in(client, "ana@example.org", PASSWORD, OWNER)
    # then the failed try is offered a sign-in link, and Ana is in
    assertContains(failed, OFFER, 1)
    assert failed.context["form"].offer_link is True
    assertRedirects(signed_in, reverse("core:home"), fetch_redirect_response=False)
    assert get_user(client) == ana


def test_an_ordinary_wrong_password_offers_no_link(client, ana, limits):
    response = sign_in(client, "ana@example.org", WRONG, OWNER)
    assert response.context["form"].offer_link is False
    assertNotContains(response, OFFER)


# --- sign-in links -------------------------------------------------------------------------------


def ask_link(client, capture, email: str, ip: str = OWNER):
    with capture(execute=True):
        return client.post(
            reverse("accounts:request_sign_in_link"), {"email": email}, REMOTE_ADDR=ip
        )


def emailed_path() -> str:
    assert len(mail.outbox) == 1
    found = re.search(r"http://testserver(/accounts/login/link/[^/\s]+/)", str(mail.outbox[0].body))
    assert found is not None
    return found.group(1)


def test_the_owner_gets_a_sign_in_link_that_works_once(
    client, ana, limits, django_capture_on_commit_callbacks
):
    # given an attacker has locked the pair (ana, OWNER) by failing from Ana's own address
    fail_many("ana@example.org", OWNER, 5)
    assert sign_in(client, "ana@example.org", PASSWORD, OWNER).status_code == 200
    # when Ana asks for a link, opens it, and presses the button
    asked = ask_link(client, django_capture_on_commit_callbacks, "Ana@Example.org")
    path = emailed_path()
    opened = client.get(path)
    still_out = get_user(client)
    used = client.post(path)
    signed_in_as = get_user(client)
    client.logout()
    again = client.post(path)
    # then the link signed her in once; the GET (a mail scanner) did not use it
    assert asked.status_code == 200
    assert mail.outbox[0].to == ["ana@example.org"]
    assert mail.outbox[0].subject == "Your Cairn sign-in link"
    assertContains(opened, "Sign in as ana@example.org")
    assert still_out.is_anonymous
    assertRedirects(used, reverse("core:home"), fetch_redirect_response=False)
    assert signed_in_as == ana
    assert again.status_code == 410
    assert get_user(client).is_anonymous


def test_the_database_holds_no_working_link(client, ana, django_capture_on_commit_callbacks):
    ask_link(client, django_capture_on_commit_callbacks, "ana@example.org")
    token = emailed_path().rstrip("/").rsplit("/", 1)[1]
    link = SignInLink.objects.get()
    stored = [str(v) for v in SignInLink.objects.values().get().values()]
    assert all(token not in value for value in stored)
    assert services.sign_in_link_from_token(token) == link
    assert services.sign_in_link_from_token(token[:-2] + "xx") is None


def test_an_expired_link_does_not_sign_in(client, ana, django_capture_on_commit_callbacks):
    ask_link(client, django_capture_on_commit_callbacks, "ana@example.org")
    path = emailed_path()
    SignInLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(path)
    assert response.status_code == 410
    assert get_user(client).is_anonymous
    assert SignInLink.objects.get().used_at is None


def test_a_forged_link_is_not_found(client, ana):
    response = client.post(reverse("accounts:sign_in_link", kwargs={"token": "forged"}))
    assert response.status_code == 404
    assert get_user(client).is_anonymous


def test_an_unknown_email_gets_the_same_answer_and_no_mail(
    client, ana, django_capture_on_commit_callbacks
):
    known = ask_link(client, django_capture_on_commit_callbacks, "ana@example.org")
    unknown = ask_link(client, django_capture_on_commit_callbacks, "nobody@example.org")
    main = [r.content.decode().split("<main", 1)[1].split("</main>")[0] for r in (known, unknown)]
    assert main[0] == main[1]
    assertContains(known, "If an account uses the address you entered")
    assert len(mail.outbox) == 1
    assert SignInLink.objects.count() == 1


def test_link_requests_are_throttled(client, ana, limits, django_capture_on_commit_callbacks):
    # given as many requests as the limit, each from its own address
    for n in range(5):
        ask_link(client, django_capture_on_commit_callbacks, "ana@example.org", f"203.0.113.{n}")
    # when
    response = ask_link(client, django_capture_on_commit_callbacks, "ana@example.org")
    # then the links already sent still work: nothing is locked
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "email": ["Too many sign-in links asked for. Use one already sent, or wait a few minutes."]
    }
    assert len(mail.outbox) == 5
    assert SignInLink.objects.filter(used_at__isnull=True).count() == 5
