"""Staff pages of fundraising: pages, co-hosts and shares, donations, offline gifts, refunds,
receipt settings. Thin: load with a selector, check the policy, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cairn.accounts.models import User
from cairn.coalitions.access import Tenant, coalition_view, found
from cairn.coalitions.policy import Action
from cairn.people.services import EmailInput, PeopleError, PersonData

from . import selectors, services
from .forms import (
    HostForm,
    OfflineForm,
    PageForm,
    ReceiptSettingsForm,
    RefundForm,
    new_key,
)
from .models import Donation, FundraisingPage, Host, ReceiptSettings
from .providers import card_payments_enabled
from .providers.base import ProviderError
from .services import FundraisingError

NAV = "fundraising"


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


def _page(tenant: Tenant, page_id: int) -> FundraisingPage:
    return found(selectors.page(coalition=tenant.coalition, pk=page_id))


def _render(
    request: HttpRequest, tenant: Tenant, template: str, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request,
        f"fundraising/{template}",
        tenant.context(nav_current=NAV, **extra),
        status=status,
    )


@coalition_view(Action.VIEW)
def page_list(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    rows = [(p, selectors.thermometer(p)) for p in selectors.pages(tenant.coalition)]
    return _render(
        request,
        tenant,
        "staff_list.html",
        rows=rows,
        may_manage=tenant.allows(Action.MANAGE_FUNDRAISING),
        card_payments=card_payments_enabled(),
    )


def _page_fields(form: PageForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("currency", None)
    return data


@coalition_view(Action.MANAGE_FUNDRAISING)
@require_http_methods(["GET", "POST"])
def new_page(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = PageForm(request.POST or None, coalition=tenant.coalition)
    if request.method == "POST" and form.is_valid():
        try:
            page = services.create_page(
                coalition=tenant.coalition,
                title=form.cleaned_data["title"],
                by=_user(request),
                currency=form.cleaned_data["currency"],
                **{k: v for k, v in _page_fields(form).items() if k != "title"},
            )
        except FundraisingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Page created.")
            return redirect("fundraising:detail", tenant.coalition.slug, page.pk)
    return _render(
        request,
        tenant,
        "staff_form.html",
        status=422 if form.errors else 200,
        form=form,
        title="New fundraising page",
    )


@coalition_view(Action.MANAGE_FUNDRAISING)
@require_http_methods(["GET", "POST"])
def edit_page(request: HttpRequest, tenant: Tenant, page_id: int) -> HttpResponse:
    page = _page(tenant, page_id)
    initial = {
        "title": page.title,
        "description": page.description,
        "goal": page.goal,
        "currency": page.currency,
        "suggested_amounts": ", ".join(page.suggested_amounts),
        "minimum_amount": page.minimum_amount,
        "monthly_allowed": page.monthly_allowed,
        "fee_cover_rate": page.fee_cover_rate,
        "fee_cover_fixed": page.fee_cover_fixed,
        "donor_wall": page.donor_wall,
        "status": page.status,
        "campaign": page.campaign,
    }
    form = PageForm(request.POST or None, initial=initial, coalition=tenant.coalition)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_page(
                page=page, currency=form.cleaned_data["currency"], **_page_fields(form)
            )
        except FundraisingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Page saved.")
            return redirect("fundraising:detail", tenant.coalition.slug, page.pk)
    return _render(
        request,
        tenant,
        "staff_form.html",
        status=422 if form.errors else 200,
        form=form,
        page=page,
        title=f"Edit “{page.title}”",
    )


@coalition_view(Action.VIEW)
def detail(request: HttpRequest, tenant: Tenant, page_id: int) -> HttpResponse:
    page = _page(tenant, page_id)
    may_manage = tenant.allows(Action.MANAGE_FUNDRAISING)
    public_url = request.build_absolute_uri(f"/give/{page.slug}/")
    return _render(
        request,
        tenant,
        "staff_detail.html",
        page=page,
        thermometer=selectors.thermometer(page),
        shares=selectors.host_shares(page) if may_manage else [],
        may_manage=may_manage,
        public_url=public_url,
        widget_url=request.build_absolute_uri(f"/give/{page.slug}/widget/"),
    )


@coalition_view(Action.MANAGE_FUNDRAISING)
@require_http_methods(["GET", "POST"])
def hosts(request: HttpRequest, tenant: Tenant, page_id: int) -> HttpResponse:
    page = _page(tenant, page_id)
    form = HostForm(request.POST or None, coalition=tenant.coalition)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_host(
                page=page,
                membership=form.cleaned_data["membership"],
                share=form.cleaned_data["share"],
            )
        except FundraisingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Host saved.")
            return redirect("fundraising:hosts", tenant.coalition.slug, page.pk)
    return _render(
        request,
        tenant,
        "staff_hosts.html",
        status=422 if form.errors else 200,
        page=page,
        form=form,
        shares=selectors.host_shares(page),
        public_url=request.build_absolute_uri(f"/give/{page.slug}/"),
    )


@coalition_view(Action.MANAGE_FUNDRAISING)
@require_POST
def remove_host(request: HttpRequest, tenant: Tenant, page_id: int, host_id: int) -> HttpResponse:
    page = _page(tenant, page_id)
    host = found(Host.objects.for_coalition(tenant.coalition).filter(page=page, pk=host_id).first())
    services.remove_host(host=host)
    messages.success(request, "Host removed.")
    return redirect("fundraising:hosts", tenant.coalition.slug, page.pk)


@coalition_view(Action.MANAGE_FUNDRAISING)
def donations(request: HttpRequest, tenant: Tenant, page_id: int) -> HttpResponse:
    page = _page(tenant, page_id)
    status = request.GET.get("status", "")
    status = status if status in Donation.Status.values else ""
    query = request.GET.get("q", "").strip()[:100]
    rows = selectors.donations(page, status=status, query=query)
    paginator = Paginator(rows, 50)
    return _render(
        request,
        tenant,
        "staff_donations.html",
        page=page,
        rows=paginator.get_page(request.GET.get("page")),
        status_filter=status,
        query=query,
        statuses=Donation.Status.choices,
        refund_form=RefundForm(),
    )


@coalition_view(Action.MANAGE_FUNDRAISING)
@require_http_methods(["GET", "POST"])
def offline(request: HttpRequest, tenant: Tenant, page_id: int) -> HttpResponse:
    page = _page(tenant, page_id)
    form = OfflineForm(
        request.POST or None, initial={"idempotency_key": new_key()}, coalition=tenant.coalition
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = PersonData(
            given_name=data["given_name"],
            family_name=data["family_name"] or None,
            emails=[EmailInput(data["email"])] if data["email"] else [],
        )
        try:
            result = services.record_offline_donation(
                page=page,
                person=person,
                amount=data["amount"],
                method=data["method"],
                by=_user(request),
                idempotency_key=data["idempotency_key"],
                reference=data["reference"],
                host_membership=data["host_membership"],
                show_on_wall=data["show_on_wall"],
                wall_name=f"{data['given_name']} {data['family_name'][:1]}".strip(),
            )
        except (FundraisingError, PeopleError) as error:
            form.add_error(None, str(error))
        else:
            done = "recorded" if result.created else "was already recorded"
            messages.success(
                request, f"The gift of {result.donation.amount} {page.currency} {done}."
            )
            return redirect("fundraising:donations", tenant.coalition.slug, page.pk)
    return _render(
        request,
        tenant,
        "staff_offline.html",
        status=422 if form.errors else 200,
        page=page,
        form=form,
    )


@coalition_view(Action.MANAGE_FUNDRAISING)
@require_POST
def refund(request: HttpRequest, tenant: Tenant, page_id: int, donation_id: int) -> HttpResponse:
    page = _page(tenant, page_id)
    donation = found(selectors.donation(page=page, pk=donation_id))
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            result = services.refund_donation(
                donation=donation, by=_user(request), amount=form.cleaned_data["amount"]
            )
        except (FundraisingError, ProviderError) as error:
            messages.error(request, str(error))
        else:
            if result.pending:
                messages.success(
                    request,
                    f"Refund of {result.requested} {donation.currency} asked of the card "
                    "processor; the donation changes when it confirms.",
                )
            else:
                messages.success(request, f"Refund of {result.requested} recorded.")
    else:
        messages.error(request, "The refund amount is not valid.")
    return redirect("fundraising:donations", tenant.coalition.slug, page.pk)


@coalition_view(Action.MANAGE_FUNDRAISING)
@require_http_methods(["GET", "POST"])
def receipt_settings(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    row = ReceiptSettings.objects.for_coalition(tenant.coalition).first()
    initial = (
        {
            "legal_name": row.legal_name,
            "tax_id": row.tax_id,
            "address": row.address,
            "statement": row.statement,
            "number_prefix": row.number_prefix,
        }
        if row
        else {"legal_name": tenant.coalition.name}
    )
    form = ReceiptSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.save_receipt_settings(
                coalition=tenant.coalition, legal_name=data.pop("legal_name"), **data
            )
        except FundraisingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Receipt details saved.")
            return redirect("fundraising:list", tenant.coalition.slug)
    return _render(
        request, tenant, "staff_receipts.html", status=422 if form.errors else 200, form=form
    )
