"""The ledger's staff pages, at /c/<slug>/funds/ (namespace `ledger`): the coalition's funds, one
fund's accounts and entries, one account's entries, a member organization's contributions and
what they paid for, and the CSV. Every staff role reads them; stewards (`edit_coalition`) create
funds and publish them. Thin: a selector loads, one service writes.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.coalitions.access import Tenant, coalition_view, found
from cairn.coalitions.models import Membership
from cairn.coalitions.policy import Action

from . import exporting, selectors, services
from .forms import FundForm
from .models import Fund

PER_PAGE = 50


def _fund(tenant: Tenant, fund_slug: str) -> Fund:
    return found(selectors.fund_by_slug(tenant.coalition, fund_slug))


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def funds(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """The coalition's funds with their balances; stewards add one."""
    form = FundForm(request.POST or None)
    if request.method == "POST":
        tenant.require(Action.EDIT_COALITION)
        if form.is_valid():
            try:
                fund = services.ensure_fund(
                    coalition=tenant.coalition,
                    name=form.cleaned_data["name"],
                    currency=form.cleaned_data["currency"],
                    description=form.cleaned_data["description"],
                    public=form.cleaned_data["public"],
                )
            except services.LedgerError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{fund.name} is ready.")
                return redirect("ledger:fund", tenant.coalition.slug, fund.slug)
    summaries = [selectors.fund_summary(f) for f in selectors.funds(tenant.coalition)]
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "ledger/funds.html",
        tenant.context(summaries=summaries, form=form, nav_current="funds"),
        status=status,
    )


@coalition_view(Action.VIEW)
@require_GET
def fund(request: HttpRequest, tenant: Tenant, fund_slug: str) -> HttpResponse:
    row = _fund(tenant, fund_slug)
    summary = selectors.fund_summary(row)
    return render(
        request,
        "ledger/fund.html",
        tenant.context(
            fund=row,
            summary=summary,
            balances=selectors.balances(row),
            page=_page(request, selectors.transactions(row)),
            nav_current="funds",
        ),
    )


@coalition_view(Action.EDIT_COALITION)
@require_POST
def publish(request: HttpRequest, tenant: Tenant, fund_slug: str) -> HttpResponse:
    row = _fund(tenant, fund_slug)
    public = request.POST.get("public") == "1"
    services.set_fund_public(fund=row, public=public)
    messages.success(
        request,
        f"{row.name}'s ledger is public." if public else f"{row.name}'s ledger is private.",
    )
    return redirect("ledger:fund", tenant.coalition.slug, row.slug)


@coalition_view(Action.VIEW)
@require_GET
def account(request: HttpRequest, tenant: Tenant, fund_slug: str, account_id: int) -> HttpResponse:
    row = _fund(tenant, fund_slug)
    acct = found(selectors.account_by_id(row, account_id))
    return render(
        request,
        "ledger/account.html",
        tenant.context(
            fund=row,
            account=acct,
            balance=selectors.balance(acct),
            page=_page(request, selectors.entries(row, account=acct)),
            nav_current="funds",
        ),
    )


@coalition_view(Action.VIEW)
@require_GET
def fund_csv(request: HttpRequest, tenant: Tenant, fund_slug: str) -> HttpResponse:
    row = _fund(tenant, fund_slug)
    response = StreamingHttpResponse(
        exporting.csv_lines(row, staff=True), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{exporting.filename(row)}"'
    response["Cache-Control"] = "no-store"
    # coalition_view is typed for HttpResponse; Django serves any HttpResponseBase the same way
    return cast(HttpResponse, response)


@coalition_view(Action.VIEW)
@require_GET
def member(request: HttpRequest, tenant: Tenant, membership_id: int) -> HttpResponse:
    """A member organization's contributions to the coalition's funds and what they paid for."""
    membership: Membership = found(selectors.membership_in(tenant.coalition, membership_id))
    return render(
        request,
        "ledger/member.html",
        tenant.context(
            membership=membership,
            contributions=selectors.member_contributions(membership),
            nav_current="funds",
        ),
    )
