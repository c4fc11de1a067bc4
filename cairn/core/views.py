from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cairn.accounts.models import User
from cairn.coalitions import public_views, selectors, services
from cairn.coalitions.forms import CoalitionForm
from cairn.coalitions.services import CoalitionError


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The coalitions the signed-in user has a role in; for a visitor, the public directory."""
    user = request.user
    if not isinstance(user, User):
        return public_views.render_directory(request)
    roles = list(selectors.staff_roles_for_user(user=user))
    return render(request, "core/home.html", {"roles": roles})


@login_required
@require_http_methods(["GET", "POST"])
def new_coalition(request: HttpRequest) -> HttpResponse:
    """Any signed-in user may convene a coalition; they become its first steward."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required
    form = CoalitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            coalition = services.create_coalition(created_by=user, **form.cleaned_data)
        except CoalitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{coalition} created. Add its member organizations next.")
            return redirect("coalitions:home", coalition.slug)
    return render(
        request, "core/new_coalition.html", {"form": form}, status=422 if form.errors else 200
    )
