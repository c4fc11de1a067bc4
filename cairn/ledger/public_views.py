"""A fund's public page, Open Collective-style, at /funds/<coalition>/<fund>/: the balance, income
by source, spending by line, and every transaction dated and linked to the decision behind it
(shown on the page itself, so the public reads the outcome without a staff account); the CSV.

Only a fund its stewards made public is found; any other address is a 404 like a missing one.
The page never names a supporter: descriptions and account names are the ledger's own.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import exporting, selectors
from .models import Fund

PER_PAGE = 50


def _public_fund(slug: str, fund_slug: str) -> Fund:
    fund = selectors.public_fund(coalition_slug=slug, fund_slug=fund_slug)
    if fund is None:
        raise Http404("No such fund.")
    return fund


@require_GET
def fund_page(request: HttpRequest, slug: str, fund_slug: str) -> HttpResponse:
    fund = _public_fund(slug, fund_slug)
    return render(
        request,
        "ledger/public/fund.html",
        {
            "fund": fund,
            "public_coalition": fund.coalition,
            "summary": selectors.fund_summary(fund),
            "decisions": selectors.decisions(fund),
            "page": Paginator(selectors.transactions(fund), PER_PAGE).get_page(
                request.GET.get("page")
            ),
        },
    )


@require_GET
def fund_csv(request: HttpRequest, slug: str, fund_slug: str) -> StreamingHttpResponse:
    fund = _public_fund(slug, fund_slug)
    response = StreamingHttpResponse(
        exporting.csv_lines(fund, staff=False), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{exporting.filename(fund)}"'
    return response
