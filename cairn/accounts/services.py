"""Use cases of accounts: throttling sign-in without locking owners out, and sign-in links.

Failed sign-ins are rows (`AuthAttempt`), so every rule holds across processes on SQLite too.

- login_check: may this (account, address) try a password now? Refused only for that pair (after
  a few free failures each further try waits twice as long, up to a ceiling) or for an address
  that failed too often across all accounts. Never for an account everywhere: the owner at
  another address signs in as usual, and an account under attack is offered a sign-in link.
- record_failed_login / record_successful_login: one row per failure; a success clears the pair.
- request_sign_in_link: email a single-use, expiring link (signed (pk, nonce); the database holds
  no working token). Answers the same whether or not the account exists.
- use_sign_in_link: the link's user, once: one conditional UPDATE marks it used.
- reset_throttled / record_reset_request: the password-reset form, per email and per address.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import AuthAttempt, SignInLink, User, normalize_login_email

SIGN_IN_LINK_SALT = "cairn.accounts.sign-in-link"


def _window_start(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.CAIRN_LOGIN_WINDOW_SECONDS)


def _record(kind: str, email: str, ip: str) -> None:
    now = timezone.now()
    AuthAttempt.objects.filter(attempted_at__lt=_window_start(now)).delete()
    AuthAttempt.objects.create(
        kind=kind, email=normalize_login_email(email), ip=ip, attempted_at=now
    )


# --- signing in with a password ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginCheck:
    allowed: bool
    reason: str  # "" when allowed; "pair" (this account from this address) or "address"
    retry_after: int  # seconds until the next try is allowed (0 when allowed)
    under_attack: bool  # the account failed often, from anywhere: offer a sign-in link


def backoff_seconds(failures: int) -> int:
    """How long after the last failure the pair must wait, given its failures in the window."""
    free = settings.CAIRN_LOGIN_FREE_ATTEMPTS
    if failures < free:
        return 0
    delay = settings.CAIRN_LOGIN_BACKOFF_SECONDS * 2 ** (failures - free)
    return int(min(delay, settings.CAIRN_LOGIN_WINDOW_SECONDS))


def login_check(*, email: str, ip: str, now: dt.datetime | None = None) -> LoginCheck:
    """Whether a password may be tried for `email` from `ip` now (one aggregate query)."""
    now = now or timezone.now()
    email = normalize_login_email(email)
    pair = Q(email=email, ip=ip)
    counts = AuthAttempt.objects.filter(
        Q(email=email) | Q(ip=ip),
        kind=AuthAttempt.Kind.LOGIN,
        attempted_at__gte=_window_start(now),
    ).aggregate(
        pair=Count("pk", filter=pair),
        pair_last=Max("attempted_at", filter=pair),
        address=Count("pk", filter=Q(ip=ip)),
        account=Count("pk", filter=Q(email=email)),
    )
    under_attack = counts["account"] >= settings.CAIRN_LOGIN_ACCOUNT_ALERT
    if counts["address"] >= settings.CAIRN_LOGIN_ADDRESS_ATTEMPTS:
        oldest = (
            AuthAttempt.objects.filter(
                kind=AuthAttempt.Kind.LOGIN, ip=ip, attempted_at__gte=_window_start(now)
            )
            .order_by("attempted_at")
            .values_list("attempted_at", flat=True)
            .first()
        )
        wait = _until_out_of_window(oldest, now)
        return LoginCheck(False, "address", wait, under_attack)
    failures: int = counts["pair"]
    if failures >= settings.CAIRN_LOGIN_ATTEMPTS:
        oldest = (
            AuthAttempt.objects.filter(
                pair, kind=AuthAttempt.Kind.LOGIN, attempted_at__gte=_window_start(now)
            )
            .order_by("attempted_at")
            .values_list("attempted_at", flat=True)
            .first()
        )
        return LoginCheck(False, "pair", _until_out_of_window(oldest, now), under_attack)
    last: dt.datetime | None = counts["pair_last"]
    if last is not None:
        allowed_at = last + dt.timedelta(seconds=backoff_seconds(failures))
        if allowed_at > now:
            wait = max(1, int((allowed_at - now).total_seconds() + 0.999))
            return LoginCheck(False, "pair", wait, under_attack)
    return LoginCheck(True, "", 0, under_attack)


def _until_out_of_window(oldest: dt.datetime | None, now: dt.datetime) -> int:
    if oldest is None:
        return 0
    ends = oldest + dt.timedelta(seconds=settings.CAIRN_LOGIN_WINDOW_SECONDS)
    return max(1, int((ends - now).total_seconds() + 0.999))


def record_failed_login(*, email: str, ip: str) -> None:
    """Count one failed password for (account, address); rows older than the window go."""
    _record(AuthAttempt.Kind.LOGIN, email, ip)


def record_successful_login(*, email: str, ip: str) -> None:
    """The owner got in from this address: its earlier failures there no longer count."""
    AuthAttempt.objects.filter(
        kind=AuthAttempt.Kind.LOGIN, email=normalize_login_email(email), ip=ip
    ).delete()


# --- sign-in links -----------------------------------------------------------------------------


def sign_in_link_token(link: SignInLink) -> str:
    """The secret in a sign-in link: signed (pk, nonce), never stored."""
    return signing.dumps([link.pk, link.nonce], salt=SIGN_IN_LINK_SALT, compress=True)


def sign_in_link_from_token(token: str) -> SignInLink | None:
    """The link a token was made for, or None for a forged or mangled token."""
    try:
        pk, nonce = signing.loads(token, salt=SIGN_IN_LINK_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return SignInLink.objects.select_related("user").filter(pk=pk, nonce=nonce).first()


def sign_in_link_url(link: SignInLink, *, site_url: str) -> str:
    from django.urls import reverse

    path = reverse("accounts:sign_in_link", kwargs={"token": sign_in_link_token(link)})
    return site_url.rstrip("/") + path


def link_requests_throttled(*, email: str, ip: str) -> bool:
    """Too many link requests for this email or from this address in the window.

    Refusing more requests for an account locks nobody out: the links already sent still work.
    """
    return _throttled(AuthAttempt.Kind.LINK, email, ip)


@transaction.atomic
def request_sign_in_link(*, email: str, ip: str, site_url: str) -> SignInLink | None:
    """Email a sign-in link to an active account (on commit); None when there is no such account.

    The caller answers the same either way, so the form does not reveal who has an account.
    """
    from .tasks import send_sign_in_link

    _record(AuthAttempt.Kind.LINK, email, ip)
    user = User.objects.filter(email=normalize_login_email(email), is_active=True).first()
    if user is None:
        return None
    now = timezone.now()
    link = SignInLink.objects.create(
        user=user,
        nonce=secrets.token_hex(16),
        ip=ip,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=settings.CAIRN_SIGN_IN_LINK_MINUTES),
    )
    transaction.on_commit(lambda: send_sign_in_link.enqueue(link.pk, site_url))
    return link


@transaction.atomic
def use_sign_in_link(*, link: SignInLink) -> User | None:
    """The link's user if the link is unused, unexpired and the account active; then it is used."""
    now = timezone.now()
    # One conditional UPDATE: of two concurrent uses, exactly one wins.
    used = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now
    )
    if not used or not link.user.is_active:
        return None
    return link.user


# --- password resets ---------------------------------------------------------------------------


def _throttled(kind: str, email: str, ip: str) -> bool:
    match = Q(email=normalize_login_email(email))
    if ip:
        match |= Q(ip=ip)
    recent = AuthAttempt.objects.filter(
        match, kind=kind, attempted_at__gte=_window_start(timezone.now())
    )
    return recent.count() >= settings.CAIRN_LOGIN_ATTEMPTS


def reset_throttled(*, email: str, ip: str) -> bool:
    return _throttled(AuthAttempt.Kind.RESET, email, ip)


def record_reset_request(*, email: str, ip: str) -> None:
    _record(AuthAttempt.Kind.RESET, email, ip)
