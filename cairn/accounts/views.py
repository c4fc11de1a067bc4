from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods

from cairn.coalitions import services as coalition_services
from cairn.coalitions.services import CoalitionError

from . import services
from .forms import (
    EmailAuthenticationForm,
    EmailPasswordResetForm,
    InvitedAccountForm,
    SignInLinkRequestForm,
    client_ip,
)
from .models import User


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
def request_sign_in_link(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link; the answer is the same whether or not the account exists."""
    initial = {"email": request.GET.get("email", "")}
    form = SignInLinkRequestForm(request.POST or None, initial=initial, request=request)
    if request.method == "POST" and form.is_valid():
        services.request_sign_in_link(
            email=form.cleaned_data["email"],
            ip=client_ip(request),
            site_url=request.build_absolute_uri("/"),
        )
        return render(request, "accounts/sign_in_link_sent.html")
    status = 422 if form.errors else 200
    return render(request, "accounts/sign_in_link_request.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def sign_in_with_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners open links: only a POST uses one); POST signs in."""
    link = services.sign_in_link_from_token(token)
    if link is None or not link.is_open():
        return render(request, "accounts/sign_in_link_invalid.html", status=410 if link else 404)
    if request.method == "POST":
        user = services.use_sign_in_link(link=link)
        if user is None:
            return render(request, "accounts/sign_in_link_invalid.html", status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/sign_in_link.html", {"link": link})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = EmailPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = coalition_services.invitation_from_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if not invitation.is_open():
        return render(
            request, "accounts/invitation_invalid.html", {"invitation": invitation}, status=410
        )
    context: dict[str, Any] = {"invitation": invitation}
    user = request.user
    if user.is_authenticated:
        assert isinstance(user, User)  # noqa: S101 - narrows the type for mypy
        if request.method == "POST":
            try:
                coalition_services.accept_invitation(invitation=invitation, user=user)
            except CoalitionError as error:
                context["error"] = str(error)
                return render(request, "accounts/accept_invitation.html", context, status=409)
            messages.success(request, f"Welcome to {invitation.coalition}.")
            return redirect("coalitions:home", invitation.coalition.slug)
        if user.email != invitation.email:
            context["error"] = (
                f"This invitation was sent to {invitation.email}, but you are signed in as "
                f"{user.email}. Sign out and open the link again."
            )
        return render(request, "accounts/accept_invitation.html", context)
    if User.objects.filter(email=invitation.email).exists():
        context["login_url"] = f"{reverse('accounts:login')}?next={request.path}"
        return render(request, "accounts/accept_invitation.html", context)
    form = InvitedAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            new_user, _ = coalition_services.register_and_accept(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except CoalitionError as error:
            form.add_error(None, str(error))
        else:
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {invitation.coalition}.")
            return redirect("coalitions:home", invitation.coalition.slug)
    context["form"] = form
    status = 422 if form.errors else 200
    return render(request, "accounts/accept_invitation.html", context, status=status)
