from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest

from . import services


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with email and password, throttled per (account, address) and per address.

    A refused or failed attempt for an account under attack offers a sign-in link by email
    (`offer_link`), so nobody can lock the owner out by failing on purpose.
    """

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    offer_link = False

    def clean(self) -> dict[str, Any]:
        email = self.data.get("username", "")
        ip = client_ip(self.request)
        check = services.login_check(email=email, ip=ip)
        self.offer_link = check.under_attack
        if not check.allowed:
            self.offer_link = True
            raise forms.ValidationError(
                f"Too many sign-in attempts from here. Try again in {_duration(check.retry_after)}"
                ", or sign in with a link sent to your email.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            services.record_failed_login(email=email, ip=ip)
            raise
        services.record_successful_login(email=email, ip=ip)
        return cleaned


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class SignInLinkRequestForm(forms.Form):
    """Ask for a sign-in link by email; requests are throttled per email and per address."""

    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if services.link_requests_throttled(email=email, ip=client_ip(self.request)):
            raise forms.ValidationError(
                "Too many sign-in links asked for. Use one already sent, or wait a few minutes.",
                code="throttled",
            )
        return email


class InvitedAccountForm(forms.Form):
    """A new account for an invited person: the email is the invitation's."""

    full_name = forms.CharField(label="Your name", max_length=200)
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            from .models import User

            try:
                password_validation.validate_password(
                    first, User(email=self.email, full_name=cleaned.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailPasswordResetForm(PasswordResetForm):
    """Django's reset form, throttled: the view passes the request in."""

    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        ip = client_ip(self.request)
        if services.reset_throttled(email=email, ip=ip):
            raise forms.ValidationError(
                "Too many reset requests. Wait a few minutes and try again.", code="throttled"
            )
        services.record_reset_request(email=email, ip=ip)
        return email


def client_ip(request: HttpRequest | None) -> str:
    """The client's address; behind N trusted proxies, the Nth address from the right."""
    if request is None:
        return ""
    hops = settings.CAIRN_PROXY_HOPS
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return str(request.META.get("REMOTE_ADDR", ""))
