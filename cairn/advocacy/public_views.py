"""The public page of a letter or call campaign: a supporter says where they live (postal code,
district, or the browser's location), sees who represents them and the editable letter, sends
it, and sees it counted. No account and no script needed; a plain POST with CSRF.

`advocacy_public:write` answers GET (lookup, then the letter) and POST (send). Over the
campaign's hourly limit per network the POST is refused with 429 (counted from our own rows).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cairn.accounts.forms import client_ip
from cairn.people.services import EmailInput, PeopleError, PersonData, PhoneInput

from . import selectors, services
from .forms import CallReportForm, LetterForm, LookupForm
from .models import AdvocacyCampaign, Delivery, Outreach


def _campaign(slug: str) -> AdvocacyCampaign:
    row = selectors.public_campaign(slug=slug)
    if row is None:
        raise Http404("No such campaign.")
    return row


def _context(row: AdvocacyCampaign, **extra: Any) -> dict[str, Any]:
    return {
        "row": row,
        "row_coalition": row.coalition,
        "counts": selectors.counts(advocacy_campaign=row),
        **extra,
    }


def _lookup(
    row: AdvocacyCampaign, data: dict[str, Any]
) -> tuple[list[Any], str, list[tuple[str, str]]]:
    """(targets, error, districts to pick from) for the place the supporter gave."""
    try:
        found = services.targets_for(
            advocacy_campaign=row,
            postal_code=data.get("postal_code") or "",
            district=data.get("district") or "",
            lat=data.get("lat"),
            lon=data.get("lon"),
        )
    except services.AmbiguousDistrict as error:
        choices = [(d.key, f"{d.name} ({d.key})" if d.name else d.key) for d in error.districts]
        return [], str(error), choices
    except services.AdvocacyError as error:
        return [], str(error), []
    return found, "", []


@require_http_methods(["GET", "POST"])
def write(request: HttpRequest, advocacy_slug: str) -> HttpResponse:
    row = _campaign(advocacy_slug)
    if row.status != AdvocacyCampaign.Status.OPEN:
        return render(request, "advocacy/public_write.html", _context(row, closed=True))
    if request.method == "POST":
        return _send(request, row)
    districts = selectors.district_choices(advocacy_campaign=row)
    asked = any(request.GET.get(k) for k in ("postal_code", "district", "lat"))
    lookup = LookupForm(request.GET if asked else None, districts=districts)
    if not asked or not lookup.is_valid():
        return render(request, "advocacy/public_write.html", _context(row, lookup=lookup))
    data = lookup.cleaned_data
    found, error, split = _lookup(row, data)
    if not found:
        if split:
            lookup = LookupForm(districts=split, initial={"postal_code": ""})
        return render(
            request,
            "advocacy/public_write.html",
            _context(row, lookup=lookup, lookup_error=error, split=bool(split)),
            status=404 if not split else 200,
        )
    district = data.get("district") or next((t.district for t in found if t.district), "")
    letter = LetterForm(
        calls_only=row.kind == AdvocacyCampaign.Kind.CALL,
        initial={
            "subject": row.letter_subject,
            "body": row.letter_body,
            "postal_code": data.get("postal_code") or "",
            "district": district,
            "lat": data.get("lat"),
            "lon": data.get("lon"),
            "ref": request.GET.get("ref", "")[:64],
            "action": "call" if row.kind == AdvocacyCampaign.Kind.CALL else "letter",
        },
    )
    return render(
        request, "advocacy/public_write.html", _context(row, targets=found, letter=letter)
    )


def _send(request: HttpRequest, row: AdvocacyCampaign) -> HttpResponse:
    letter = LetterForm(request.POST, calls_only=row.kind == AdvocacyCampaign.Kind.CALL)
    status = 422
    found: list[Any] = []
    if letter.is_valid():
        data = letter.cleaned_data
        found, _, _ = _lookup(row, data)
        person = PersonData(
            given_name=data["given_name"],
            family_name=data["family_name"],
            emails=[EmailInput(data["email"])],
            phones=[PhoneInput(data["phone"])] if data["phone"] else [],
        )
        try:
            result = services.record_outreach(
                advocacy_campaign=row,
                person=person,
                postal_code=data["postal_code"],
                district=data["district"],
                lat=data["lat"],
                lon=data["lon"],
                subject=data.get("subject", ""),
                body=data.get("body", ""),
                referrer=data["ref"],
                action=data["action"],
                source="web",
                ip=client_ip(request),
            )
        except services.RateLimited as error:
            letter.add_error(None, str(error))
            status = 429
        except (services.AdvocacyError, PeopleError) as error:
            letter.add_error(None, str(error))
        else:
            token = services.outreach_token(result.outreach)
            return redirect("advocacy_public:sent", row.slug, token)
    context = _context(row, targets=found, letter=letter)
    return render(request, "advocacy/public_write.html", context, status=status)


def _outreach(row: AdvocacyCampaign, token: str) -> Outreach:
    outreach = services.outreach_from_token(token)
    if outreach is None or outreach.advocacy_campaign_id != row.pk:
        raise Http404("No such letter.")
    return outreach


@require_http_methods(["GET"])
def sent(request: HttpRequest, advocacy_slug: str, token: str) -> HttpResponse:
    row = _campaign(advocacy_slug)
    outreach = _outreach(row, token)
    deliveries = list(selectors.outreach_deliveries(outreach=outreach))
    reports = {
        d.pk: CallReportForm(
            initial={"result": d.call_result, "position_heard": d.position_heard},
            prefix=f"d{d.pk}",
        )
        for d in deliveries
        if d.channel == Delivery.Channel.CALL
    }
    share = request.build_absolute_uri(reverse("advocacy_public:write", args=[row.slug]))
    context = _context(
        row,
        outreach=outreach,
        deliveries=[(d, reports.get(d.pk)) for d in deliveries],
        token=token,
        share_url=share,
    )
    return render(request, "advocacy/public_sent.html", context)


@require_POST
def report(
    request: HttpRequest, advocacy_slug: str, token: str, advocacy_delivery_id: int
) -> HttpResponse:
    row = _campaign(advocacy_slug)
    outreach = _outreach(row, token)
    delivery = (
        selectors.outreach_deliveries(outreach=outreach)
        .filter(pk=advocacy_delivery_id, channel=Delivery.Channel.CALL)
        .first()
    )
    if delivery is None:
        raise Http404("No such call.")
    form = CallReportForm(request.POST, prefix=f"d{delivery.pk}")
    if form.is_valid():
        services.record_call_report(
            delivery=delivery,
            result=form.cleaned_data["result"],
            position_heard=form.cleaned_data["position_heard"],
            notes=form.cleaned_data["notes"],
        )
        return redirect(reverse("advocacy_public:sent", args=[row.slug, token]) + "#reported")
    return redirect("advocacy_public:sent", row.slug, token)
