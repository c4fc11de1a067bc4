"""Staff pages of letter and call campaigns: the list, create and edit, targets, per-target
tallies, replies, print batches, district tables. Thin: load with a selector, check the policy,
call one service, render. Every role sees; stewards (`manage_advocacy`) change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.campaigns import selectors as campaign_selectors
from cairn.campaigns import services as campaign_services
from cairn.campaigns.models import Position
from cairn.coalitions.access import Tenant, coalition_view, found, signed_in_user
from cairn.coalitions.models import Membership
from cairn.coalitions.policy import Action

from . import importing, selectors, services
from .forms import BounceForm, CampaignForm, DistrictImportForm, ReplyForm, TargetForm
from .models import AdvocacyCampaign, Delivery

NAV = "advocacy"


def _load(tenant: Tenant, pk: int) -> AdvocacyCampaign:
    return found(selectors.campaign(coalition=tenant.coalition, pk=pk))


def _owners(tenant: Tenant) -> QuerySet[Membership]:
    return (
        Membership.objects.for_coalition(tenant.coalition)
        .filter(status=Membership.Status.ACTIVE)
        .select_related("organization")
        .order_by("organization__name")
    )


def _campaign_form(request: HttpRequest, tenant: Tenant, **kwargs: Any) -> CampaignForm:
    return CampaignForm(
        request.POST if request.method == "POST" else None,
        campaigns=campaign_selectors.campaigns(coalition=tenant.coalition),
        owners=_owners(tenant),
        tables=selectors.district_tables(coalition=tenant.coalition),
        **kwargs,
    )


def public_url(request: HttpRequest, row: AdvocacyCampaign) -> str:
    return request.build_absolute_uri(reverse("advocacy_public:write", args=[row.slug]))


@coalition_view(Action.VIEW)
@require_GET
def campaign_list(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    rows = list(selectors.campaigns(coalition=tenant.coalition))
    context = tenant.context(rows=rows, nav_current=NAV)
    return render(request, "advocacy/list.html", context)


@coalition_view(Action.MANAGE_ADVOCACY)
@require_http_methods(["GET", "POST"])
def new_campaign(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = _campaign_form(request, tenant)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        title = values.pop("title")
        try:
            row = services.create_advocacy_campaign(
                coalition=tenant.coalition, title=title, by=signed_in_user(request), **values
            )
        except services.AdvocacyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Campaign created. Now add its targets.")
            return redirect("advocacy:targets", tenant.coalition.slug, row.pk)
    context = tenant.context(form=form, row=None, nav_current=NAV)
    status = 422 if request.method == "POST" else 200
    return render(request, "advocacy/campaign_form.html", context, status=status)


@coalition_view(Action.MANAGE_ADVOCACY)
@require_http_methods(["GET", "POST"])
def edit_campaign(request: HttpRequest, tenant: Tenant, advocacy_id: int) -> HttpResponse:
    row = _load(tenant, advocacy_id)
    form = _campaign_form(request, tenant, initial=CampaignForm.initial_for(row))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_advocacy_campaign(advocacy_campaign=row, **form.cleaned_data)
        except services.AdvocacyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Campaign saved.")
            return redirect("advocacy:detail", tenant.coalition.slug, row.pk)
    context = tenant.context(form=form, row=row, nav_current=NAV)
    status = 422 if request.method == "POST" else 200
    return render(request, "advocacy/campaign_form.html", context, status=status)


@coalition_view(Action.VIEW)
@require_GET
def detail(request: HttpRequest, tenant: Tenant, advocacy_id: int) -> HttpResponse:
    row = _load(tenant, advocacy_id)
    context = tenant.context(
        row=row,
        public_url=public_url(request, row) if row.status != row.Status.DRAFT else "",
        counts=selectors.counts(advocacy_campaign=row),
        tallies=selectors.tallies(advocacy_campaign=row),
        recent=selectors.recent_deliveries(advocacy_campaign=row),
        waiting=selectors.waiting_to_print(advocacy_campaign=row),
        positions=dict(Position.choices),
        may_manage=tenant.allows(Action.MANAGE_ADVOCACY),
        nav_current=NAV,
    )
    return render(request, "advocacy/detail.html", context)


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest, tenant: Tenant, advocacy_id: int) -> HttpResponse:
    row = _load(tenant, advocacy_id)
    form = TargetForm(
        request.POST if request.method == "POST" else None,
        decision_makers=selectors.decision_makers(coalition=tenant.coalition),
    )
    status = 200
    if request.method == "POST":
        tenant.require(Action.MANAGE_ADVOCACY)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            dm = data["decision_maker"] or campaign_services.add_decision_maker(
                coalition=tenant.coalition,
                name=data["new_name"],
                title=data["new_title"],
                body=data["new_body"],
            )
            try:
                services.add_target(
                    advocacy_campaign=row,
                    decision_maker=dm,
                    district=data["district"],
                    office_email=data["office_email"],
                    office_phone=data["office_phone"],
                    office_address=data["office_address"],
                )
            except services.AdvocacyError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{dm.name} is a target.")
                return redirect("advocacy:targets", tenant.coalition.slug, row.pk)
    context = tenant.context(
        row=row,
        rows=list(selectors.targets(advocacy_campaign=row)),
        form=form if tenant.allows(Action.MANAGE_ADVOCACY) else None,
        nav_current=NAV,
    )
    return render(request, "advocacy/targets.html", context, status=status)


@coalition_view(Action.MANAGE_ADVOCACY)
@require_POST
def remove_target(
    request: HttpRequest, tenant: Tenant, advocacy_id: int, advocacy_target_id: int
) -> HttpResponse:
    row = _load(tenant, advocacy_id)
    target = found(selectors.target(advocacy_campaign=row, pk=advocacy_target_id))
    try:
        services.remove_target(target=target)
    except services.AdvocacyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Target removed.")
    return redirect("advocacy:targets", tenant.coalition.slug, row.pk)


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def replies(request: HttpRequest, tenant: Tenant, advocacy_id: int) -> HttpResponse:
    row = _load(tenant, advocacy_id)
    form = ReplyForm(
        request.POST if request.method == "POST" else None,
        targets=selectors.targets(advocacy_campaign=row),
    )
    status = 200
    if request.method == "POST":
        tenant.require(Action.MANAGE_ADVOCACY)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.log_office_reply(
                    target=data["target"],
                    received_on=data["received_on"],
                    medium=data["medium"],
                    summary=data["summary"],
                    position=data["position"],
                    by=signed_in_user(request),
                )
            except services.AdvocacyError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Reply logged.")
                return redirect("advocacy:replies", tenant.coalition.slug, row.pk)
    context = tenant.context(
        row=row,
        rows=list(selectors.replies(advocacy_campaign=row)),
        form=form if tenant.allows(Action.MANAGE_ADVOCACY) else None,
        nav_current=NAV,
    )
    return render(request, "advocacy/replies.html", context, status=status)


@coalition_view(Action.MANAGE_ADVOCACY)
@require_POST
def bounce(
    request: HttpRequest, tenant: Tenant, advocacy_id: int, advocacy_delivery_id: int
) -> HttpResponse:
    row = _load(tenant, advocacy_id)
    delivery = found(selectors.delivery(advocacy_campaign=row, pk=advocacy_delivery_id))
    form = BounceForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.record_bounce(
            coalition=tenant.coalition, delivery=delivery, reason=reason or "Reported by staff"
        )
    except services.AdvocacyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Bounce recorded.")
    return redirect("advocacy:detail", tenant.coalition.slug, row.pk)


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def batches(request: HttpRequest, tenant: Tenant, advocacy_id: int) -> HttpResponse:
    row = _load(tenant, advocacy_id)
    if request.method == "POST":
        tenant.require(Action.MANAGE_ADVOCACY)
        try:
            batch = services.create_print_batch(advocacy_campaign=row, by=signed_in_user(request))
        except services.AdvocacyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Batch ready to print.")
            return redirect("advocacy:batch", tenant.coalition.slug, row.pk, batch.pk)
        return redirect("advocacy:batches", tenant.coalition.slug, row.pk)
    context = tenant.context(
        row=row,
        rows=list(selectors.batches(advocacy_campaign=row)),
        waiting=selectors.waiting_to_print(advocacy_campaign=row),
        may_manage=tenant.allows(Action.MANAGE_ADVOCACY),
        nav_current=NAV,
    )
    return render(request, "advocacy/batches.html", context)


@coalition_view(Action.MANAGE_ADVOCACY)
@require_GET
def batch(
    request: HttpRequest, tenant: Tenant, advocacy_id: int, print_batch_id: int
) -> HttpResponse:
    """The printable batch: one letter per page (the supporters' names and letters: stewards)."""
    row = _load(tenant, advocacy_id)
    found_batch = found(selectors.batch(advocacy_campaign=row, pk=print_batch_id))
    letters = [
        (delivery, *services.render_letter(delivery))
        for delivery in selectors.batch_letters(batch=found_batch)
    ]
    context = tenant.context(row=row, batch=found_batch, letters=letters, nav_current=NAV)
    return render(request, "advocacy/batch.html", context)


@coalition_view(Action.MANAGE_ADVOCACY)
@require_POST
def batch_delivered(
    request: HttpRequest, tenant: Tenant, advocacy_id: int, print_batch_id: int
) -> HttpResponse:
    row = _load(tenant, advocacy_id)
    found_batch = found(selectors.batch(advocacy_campaign=row, pk=print_batch_id))
    services.mark_batch_delivered(batch=found_batch)
    messages.success(request, "Batch marked as delivered.")
    return redirect("advocacy:batches", tenant.coalition.slug, row.pk)


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def districts(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = DistrictImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    problems: list[importing.Problem] = []
    status = 200
    if request.method == "POST":
        tenant.require(Action.MANAGE_ADVOCACY)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            uploads = {
                name: importing.Upload(data[name].name, data[name].read())
                for name in ("postal_csv", "geojson")
                if data.get(name)
            }
            result = importing.import_districts(
                coalition=tenant.coalition,
                name=data["name"],
                by=signed_in_user(request),
                key_property=data["key_property"],
                postal_csv=uploads.get("postal_csv"),
                geojson=uploads.get("geojson"),
            )
            if result.ok and result.table is not None:
                imported = f"{result.districts} districts and {result.postal_codes} postal codes"
                messages.success(request, f"Imported {imported}.")
                return redirect("advocacy:district_table", tenant.coalition.slug, result.table.pk)
            problems = result.problems
    context = tenant.context(
        tables=list(selectors.district_tables(coalition=tenant.coalition)),
        form=form if tenant.allows(Action.MANAGE_ADVOCACY) else None,
        problems=problems,
        nav_current=NAV,
    )
    return render(request, "advocacy/districts.html", context, status=status)


@coalition_view(Action.VIEW)
@require_GET
def district_table(request: HttpRequest, tenant: Tenant, district_table_id: int) -> HttpResponse:
    table = found(selectors.district_table(coalition=tenant.coalition, pk=district_table_id))
    context = tenant.context(
        table=table, rows=list(selectors.districts(table=table)), nav_current=NAV
    )
    return render(request, "advocacy/district_table.html", context)


def delivery_statuses() -> dict[str, str]:
    return dict(Delivery.Status.choices)
