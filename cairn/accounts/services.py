"""Use cases of accounts: throttling the public sign-in and password-reset forms.

- record_failed_login / record_reset_request: one row per attempt, pruned after the window.
- login_throttled / reset_throttled: true once an email or an IP reached the limit in the window.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import AuthAttempt, normalize_login_email


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.CAIRN_LOGIN_WINDOW_SECONDS)


def _throttled(kind: str, email: str, ip: str) -> bool:
    match = Q(email=normalize_login_email(email))
    if ip:
        match |= Q(ip=ip)
    recent = AuthAttempt.objects.filter(match, kind=kind, attempted_at__gte=_window_start())
    return recent.count() >= settings.CAIRN_LOGIN_ATTEMPTS


def _record(kind: str, email: str, ip: str) -> None:
    AuthAttempt.objects.filter(attempted_at__lt=_window_start()).delete()
    AuthAttempt.objects.create(kind=kind, email=normalize_login_email(email), ip=ip)


def login_throttled(*, email: str, ip: str) -> bool:
    return _throttled(AuthAttempt.Kind.LOGIN, email, ip)


def record_failed_login(*, email: str, ip: str) -> None:
    _record(AuthAttempt.Kind.LOGIN, email, ip)


def reset_throttled(*, email: str, ip: str) -> bool:
    return _throttled(AuthAttempt.Kind.RESET, email, ip)


def record_reset_request(*, email: str, ip: str) -> None:
    _record(AuthAttempt.Kind.RESET, email, ip)
