"""The API tokens page: stewards create (shown once), list and revoke their coalition's tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cairn.accounts.models import User
from cairn.coalitions.access import Tenant, coalition_view, found
from cairn.coalitions.policy import Action

from . import selectors, services
from .forms import TokenForm


def _page(
    request: HttpRequest,
    tenant: Tenant,
    form: TokenForm,
    *,
    created: services.CreatedToken | None = None,
    status: int = 200,
) -> HttpResponse:
    context = tenant.context(
        form=form,
        tokens=selectors.tokens(coalition=tenant.coalition),
        created=created,
        api_root=request.build_absolute_uri("/api/v2"),
        nav_current="api_tokens",
    )
    response = render(request, "api/tokens.html", context, status=status)
    if created is not None:
        response["Cache-Control"] = "no-store"  # the raw token is on this page, once
    return response


@coalition_view(Action.MANAGE_API_TOKENS)
def tokens(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    return _page(request, tenant, TokenForm())


@coalition_view(Action.MANAGE_API_TOKENS)
@require_POST
def create_token(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, tenant, form, status=422)
    user = request.user if isinstance(request.user, User) else None
    created = services.create_token(
        coalition=tenant.coalition, name=form.cleaned_data["name"], created_by=user
    )
    return _page(request, tenant, TokenForm(), created=created, status=201)


@coalition_view(Action.MANAGE_API_TOKENS)
@require_POST
def revoke_token(request: HttpRequest, tenant: Tenant, token_id: int) -> HttpResponse:
    token = found(selectors.token(coalition=tenant.coalition, pk=token_id))
    services.revoke_token(token=token)
    messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
    return redirect("api_tokens:tokens", tenant.coalition.slug)
