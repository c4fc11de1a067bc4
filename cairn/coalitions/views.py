"""Coalition pages. Thin: load with a selector, check the policy, call one service, render."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .access import Tenant, coalition_view, found, is_htmx, signed_in_user
from .forms import (
    CoalitionForm,
    DeliveryForm,
    InviteForm,
    MembershipStatusForm,
    NewOrganizationForm,
    OrganizationForm,
    PledgeForm,
    VoteWeightForm,
)
from .models import Commitment, Membership
from .policy import Action, pledgeable_memberships_filter
from .services import CoalitionError, DeliveryExceedsPledge


@coalition_view(Action.VIEW)
def home(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    overview = selectors.coalition_overview(coalition=tenant.coalition)
    members = {m.pk: m for group in overview.sectors for m in group.members}
    contributions = [
        (members[pk], summary) for pk, summary in overview.summaries.items() if pk in members
    ]
    contributions.sort(key=lambda pair: pair[0].organization.name)
    return render(
        request,
        "coalitions/home.html",
        tenant.context(overview=overview, contributions=contributions),
    )


@coalition_view(Action.VIEW)
def members(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    rows = selectors.memberships(coalition=tenant.coalition)
    status = request.GET.get("status", "")
    if status in Membership.Status.values:
        rows = rows.filter(status=status)
    summaries = selectors.commitment_summaries(coalition=tenant.coalition)
    return render(
        request,
        "coalitions/members.html",
        tenant.context(
            memberships=[(m, summaries.get(m.pk)) for m in rows],
            statuses=Membership.Status.choices,
            current_status=status,
        ),
    )


@coalition_view(Action.MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def add_organization(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = NewOrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.add_organization(
                coalition=tenant.coalition,
                name=data["name"],
                sector=data["sector"],
                mission=data["mission"],
                website=data["website"],
                size=data["size"],
                status=data["status"],
                added_by=signed_in_user(request),
            )
        except CoalitionError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, f"{membership.organization} added.")
            return redirect("coalitions:member", tenant.coalition.slug, membership.pk)
    return render(
        request,
        "coalitions/organization_form.html",
        tenant.context(form=form, title="Add an organization", nav_current="members"),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
def member(request: HttpRequest, tenant: Tenant, member_id: int) -> HttpResponse:
    membership = found(selectors.membership(coalition=tenant.coalition, pk=member_id))
    summary = selectors.commitment_summaries(coalition=tenant.coalition).get(membership.pk)
    manage = tenant.allows(Action.MANAGE_MEMBERS)
    return render(
        request,
        "coalitions/member.html",
        tenant.context(
            nav_current="members",
            membership=membership,
            organization=membership.organization,
            summary=summary,
            commitments=selectors.commitment_rows(
                coalition=tenant.coalition, membership=membership
            ),
            staff_list=selectors.staff(coalition=tenant.coalition, membership=membership),
            history=selectors.status_history(coalition=tenant.coalition, membership=membership),
            can_edit_organization=tenant.allows(Action.EDIT_ORGANIZATION, membership),
            can_pledge=tenant.allows(Action.PLEDGE, membership),
            status_form=MembershipStatusForm(initial={"status": membership.status})
            if manage
            else None,
            weight_form=VoteWeightForm(initial={"vote_weight": membership.vote_weight})
            if manage
            else None,
        ),
    )


@coalition_view(Action.MANAGE_MEMBERS)
@require_POST
def change_status(request: HttpRequest, tenant: Tenant, member_id: int) -> HttpResponse:
    membership = found(selectors.membership(coalition=tenant.coalition, pk=member_id))
    form = MembershipStatusForm(request.POST)
    if form.is_valid():
        services.change_membership_status(
            membership=membership,
            status=form.cleaned_data["status"],
            changed_by=signed_in_user(request),
        )
        label = Membership.Status(form.cleaned_data["status"]).label.lower()
        messages.success(request, f"{membership.organization} is now {label}.")
    else:
        messages.error(request, "Choose one of the listed statuses.")
    return redirect("coalitions:member", tenant.coalition.slug, membership.pk)


@coalition_view(Action.MANAGE_MEMBERS)
@require_POST
def change_vote_weight(request: HttpRequest, tenant: Tenant, member_id: int) -> HttpResponse:
    membership = found(selectors.membership(coalition=tenant.coalition, pk=member_id))
    form = VoteWeightForm(request.POST)
    if form.is_valid():
        weight: Decimal = form.cleaned_data["vote_weight"]
        services.set_vote_weight(membership=membership, weight=weight)
        messages.success(request, f"{membership.organization} now votes with weight {weight}.")
    else:
        messages.error(request, "A vote weight is a number of 0 or more, with two decimals.")
    return redirect("coalitions:member", tenant.coalition.slug, membership.pk)


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def edit_organization(request: HttpRequest, tenant: Tenant, organization_id: int) -> HttpResponse:
    organization = found(selectors.organization(coalition=tenant.coalition, pk=organization_id))
    tenant.require(Action.EDIT_ORGANIZATION, organization.membership)
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_organization(
                organization=organization,
                name=data["name"],
                sector=data["sector"],
                mission=data["mission"],
                website=data["website"],
                size=data["size"],
            )
        except CoalitionError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, f"{organization} updated.")
            return redirect("coalitions:member", tenant.coalition.slug, organization.membership.pk)
    return render(
        request,
        "coalitions/organization_form.html",
        tenant.context(
            form=form,
            title=f"Edit {organization}",
            organization=organization,
            nav_current="members",
        ),
        status=422 if form.errors else 200,
    )


# --- commitments -----------------------------------------------------------------------------


@coalition_view(Action.VIEW)
def commitments(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    rows = selectors.commitments(coalition=tenant.coalition)
    today = timezone.localdate()
    pledgeable = selectors.memberships(coalition=tenant.coalition).filter(
        **pledgeable_memberships_filter(tenant.staff)
    )
    return render(
        request,
        "coalitions/commitments.html",
        tenant.context(
            commitments=[selectors.commitment_row(row, today) for row in rows],
            can_pledge=pledgeable.exists(),
            overview=selectors.coalition_overview(coalition=tenant.coalition, today=today),
        ),
    )


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def pledge(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    pledgeable = selectors.memberships(coalition=tenant.coalition).filter(
        **pledgeable_memberships_filter(tenant.staff)
    )
    if not pledgeable.exists():
        raise PermissionDenied  # an empty form nobody could submit: refuse it instead
    initial: dict[str, Any] = {}
    if tenant.staff.membership_id:
        initial["membership"] = tenant.staff.membership_id
    form = PledgeForm(request.POST or None, memberships=pledgeable, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tenant.require(Action.PLEDGE, data["membership"])
        try:
            commitment = services.pledge_commitment(
                membership=data["membership"],
                kind=data["kind"],
                description=data["description"],
                quantity=data["quantity"],
                unit=data["unit"],
                due_date=data["due_date"],
                pledged_by=signed_in_user(request),
            )
        except CoalitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Pledge recorded: {commitment.description}.")
            return redirect("coalitions:commitment", tenant.coalition.slug, commitment.pk)
    return render(
        request,
        "coalitions/pledge_form.html",
        tenant.context(form=form, nav_current="commitments"),
        status=422 if form.errors else 200,
    )


def _commitment_context(
    tenant: Tenant, commitment: Commitment, form: DeliveryForm | None = None
) -> dict[str, Any]:
    can_deliver = tenant.allows(Action.RECORD_DELIVERY) and commitment.withdrawn_at is None
    return tenant.context(
        nav_current="commitments",
        commitment=commitment,
        row=selectors.commitment_row(commitment),
        deliveries=selectors.deliveries(coalition=tenant.coalition, commitment=commitment),
        delivery_form=(form or DeliveryForm()) if can_deliver else None,
        today=timezone.localdate(),
    )


@coalition_view(Action.VIEW)
def commitment(request: HttpRequest, tenant: Tenant, commitment_id: int) -> HttpResponse:
    row = found(selectors.commitment(coalition=tenant.coalition, pk=commitment_id))
    return render(request, "coalitions/commitment.html", _commitment_context(tenant, row))


@coalition_view(Action.RECORD_DELIVERY)
@require_POST
def record_delivery(request: HttpRequest, tenant: Tenant, commitment_id: int) -> HttpResponse:
    row = found(selectors.commitment(coalition=tenant.coalition, pk=commitment_id))
    form = DeliveryForm(request.POST)
    if form.is_valid():
        try:
            services.record_delivery(
                commitment=row,
                quantity=form.cleaned_data["quantity"],
                delivered_on=form.cleaned_data["delivered_on"],
                note=form.cleaned_data["note"],
                excess_reason=form.cleaned_data["excess_reason"],
                recorded_by=signed_in_user(request),
            )
        except DeliveryExceedsPledge as excess:
            form.ask_excess_reason(str(excess))
        except CoalitionError as error:
            form.add_error(None, str(error))
        else:
            row = found(selectors.commitment(coalition=tenant.coalition, pk=commitment_id))
            if not is_htmx(request):
                messages.success(request, "Delivery recorded.")
                return redirect("coalitions:commitment", tenant.coalition.slug, row.pk)
            form = DeliveryForm()
    template = (
        "coalitions/_delivery_panel.html" if is_htmx(request) else "coalitions/commitment.html"
    )
    status = 422 if form.errors else 200
    context = _commitment_context(tenant, row, form)
    return render(request, template, context, status=status)


@coalition_view(Action.MANAGE_MEMBERS)
@require_POST
def withdraw_commitment(request: HttpRequest, tenant: Tenant, commitment_id: int) -> HttpResponse:
    row = found(selectors.commitment(coalition=tenant.coalition, pk=commitment_id))
    if row.withdrawn_at is None and request.POST.get("confirmed") != "yes":
        # A withdrawal cannot be undone: ask on a page of its own (a form: no JavaScript needed).
        return render(
            request,
            "coalitions/withdraw_confirm.html",
            tenant.context(nav_current="commitments", commitment=row),
        )
    services.withdraw_commitment(commitment=row)
    messages.success(request, "Commitment withdrawn; its deliveries stay on record.")
    return redirect("coalitions:commitment", tenant.coalition.slug, row.pk)


# --- staff and invitations ---------------------------------------------------------------------


def _invitations_page(
    request: HttpRequest, tenant: Tenant, form: InviteForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "coalitions/invitations.html",
        tenant.context(
            form=form,
            invitations=selectors.open_invitations(coalition=tenant.coalition),
            staff_list=selectors.staff(coalition=tenant.coalition),
        ),
        status=status,
    )


@coalition_view(Action.INVITE)
def invitations(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    initial: dict[str, Any] = {}
    if request.GET.get("member", "").isdigit():
        initial["membership"] = int(request.GET["member"])
    form = InviteForm(
        memberships=selectors.memberships(coalition=tenant.coalition), initial=initial
    )
    return _invitations_page(request, tenant, form)


@coalition_view(Action.INVITE)
@require_POST
def invite(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = InviteForm(request.POST, memberships=selectors.memberships(coalition=tenant.coalition))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.invite_staff(
                coalition=tenant.coalition,
                email=data["email"],
                role=data["role"],
                membership=data["membership"],
                invited_by=signed_in_user(request),
                site_url=request.build_absolute_uri("/"),
            )
        except CoalitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Invitation sent to {data['email']}.")
            return redirect("coalitions:invitations", tenant.coalition.slug)
    return _invitations_page(request, tenant, form, status=422)


@coalition_view(Action.INVITE)
@require_POST
def revoke_invitation(request: HttpRequest, tenant: Tenant, invitation_id: int) -> HttpResponse:
    invitation = found(selectors.invitation(coalition=tenant.coalition, pk=invitation_id))
    services.revoke_invitation(invitation=invitation)
    messages.success(request, f"Invitation of {invitation.email} revoked.")
    return redirect("coalitions:invitations", tenant.coalition.slug)


@coalition_view(Action.MANAGE_MEMBERS)
@require_POST
def remove_staff(request: HttpRequest, tenant: Tenant, staff_id: int) -> HttpResponse:
    person = found(selectors.staff_member(coalition=tenant.coalition, pk=staff_id))
    try:
        services.remove_staff(staff=person)
    except CoalitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{person.user} no longer has a role here.")
    return redirect("coalitions:invitations", tenant.coalition.slug)


# --- settings ------------------------------------------------------------------------------------


@coalition_view(Action.EDIT_COALITION)
@require_http_methods(["GET", "POST"])
def coalition_settings(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = CoalitionForm(request.POST or None, instance=tenant.coalition)
    if request.method == "POST" and form.is_valid():
        services.update_coalition(coalition=tenant.coalition, **form.cleaned_data)
        messages.success(request, "Coalition updated.")
        return redirect("coalitions:home", tenant.coalition.slug)
    return render(
        request,
        "coalitions/settings.html",
        tenant.context(form=form),
        status=422 if form.errors else 200,
    )
