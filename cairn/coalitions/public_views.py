"""The public front door: the directory of coalitions that publish a page, each coalition's public
page, and the staff page where a coalition decides what the public sees.

Public views read only through `cairn.coalitions.public` (published coalitions, listed members,
registered sections), never a tenant's own selectors, so an unpublished coalition is not found and
an unlisted member is never named. Staff views are ordinary coalition views: the policy decides.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import public, selectors, services
from .access import Tenant, coalition_view, found
from .models import Coalition, Membership
from .policy import Action


def _published(slug: str) -> Coalition:
    coalition = public.published_coalition(slug=slug)
    if coalition is None:
        raise Http404("No such coalition.")
    return coalition


def render_directory(request: HttpRequest) -> HttpResponse:
    """The list of published coalitions (also the anonymous front page)."""
    return render(
        request,
        "coalitions/public/directory.html",
        {"published": list(public.published_coalitions())},
    )


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    return render_directory(request)


@require_GET
def coalition_page(request: HttpRequest, slug: str) -> HttpResponse:
    coalition = _published(slug)
    return render(
        request,
        "coalitions/public/coalition.html",
        {
            # not `coalition`: that name turns on the staff navigation in base.html
            "public_coalition": coalition,
            "members": list(public.listed_members(coalition=coalition)),
            "sections": public.filled_sections(coalition),
        },
    )


# --- staff: what the public sees -----------------------------------------------------------------


def _listing_rows(tenant: Tenant) -> list[tuple[Membership, bool]]:
    """Active members, each with whether this user may change its listing."""
    members = selectors.memberships(coalition=tenant.coalition).filter(
        status=Membership.Status.ACTIVE
    )
    return [(m, tenant.allows(Action.EDIT_ORGANIZATION, m)) for m in members]


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def public_page_settings(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """Show what the public page shows; a steward publishes or withdraws it."""
    if request.method == "POST":
        tenant.require(Action.EDIT_COALITION)
        publish = request.POST.get("publish") == "1"
        services.publish_public_page(coalition=tenant.coalition, publish=publish)
        messages.success(
            request,
            "The public page is published." if publish else "The public page is withdrawn.",
        )
        return redirect("coalitions:public_page", tenant.coalition.slug)
    return render(
        request,
        "coalitions/public_page_settings.html",
        tenant.context(rows=_listing_rows(tenant), nav_current="public_page"),
    )


@coalition_view(Action.VIEW)
@require_POST
def set_public_listing(request: HttpRequest, tenant: Tenant, member_id: int) -> HttpResponse:
    """A member organization (its organizer, or a steward) chooses whether it is named publicly."""
    membership = found(selectors.membership(coalition=tenant.coalition, pk=member_id))
    tenant.require(Action.EDIT_ORGANIZATION, membership)
    listed = request.POST.get("listed") == "1"
    services.set_public_listing(membership=membership, listed=listed)
    name = membership.organization.name
    messages.success(
        request,
        f"{name} is listed on the public page."
        if listed
        else f"{name} is no longer listed on the public page.",
    )
    return redirect("coalitions:public_page", tenant.coalition.slug)
