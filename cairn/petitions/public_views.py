"""Public petition pages: the list, a petition, signing, thank-you, confirmation, widget.

Thin: a selector loads the petition (404 for anything the public may not see), a form parses,
one service acts. Signing answers the same way whatever happened to the email (new, re-sent or
already signed), so the page never tells a visitor whether an address signed.
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import quote, urlencode

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cairn.accounts.forms import client_ip

from . import selectors, services
from .forms import SignForm
from .models import Petition
from .services import ConfirmOutcome, SignerData, SignRefused

SHARE_CHANNELS = ("email", "facebook", "x", "whatsapp", "link")


def _petition(slug: str) -> Petition:
    petition = selectors.petition_for_public_page(slug=slug)
    if petition is None:
        raise Http404("No such petition.")
    return petition


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_GET
def petition_list(request: HttpRequest) -> HttpResponse:
    petitions = list(selectors.public_petitions(coalition_slug=request.GET.get("coalition", "")))
    counts = selectors.counts_for(petitions)
    return render(
        request,
        "petitions/public_list.html",
        {"rows": [(p, counts[p.pk]) for p in petitions]},
    )


def _sign_context(request: HttpRequest, petition: Petition, form: SignForm) -> dict[str, Any]:
    return {
        "view": selectors.public_view(petition=petition),
        "petition": petition,
        "form": form,
        "integrity": selectors.public_integrity_summary(petition=petition),
        "accepting": petition.accepts_signatures(),
    }


@require_GET
def petition_page(request: HttpRequest, petition_slug: str) -> HttpResponse:
    petition = _petition(petition_slug)
    form = SignForm(
        initial={"ref": request.GET.get("ref", "")[:16], "channel": request.GET.get("ch", "")[:20]}
    )
    return render(request, "petitions/public_petition.html", _sign_context(request, petition, form))


def _sign(request: HttpRequest, petition: Petition, channel: str = "") -> tuple[SignForm, str]:
    """Validate and sign; the form (with errors) and the signer's ref code on success."""
    form = SignForm(request.POST)
    if not form.is_valid():
        return form, ""
    data = form.cleaned_data
    if data["website"]:
        return form, "-"  # a bot: answer as if it worked, record nothing
    try:
        result = services.sign_petition(
            petition=petition,
            signer=SignerData(
                name=data["name"],
                email=data["email"],
                postal_code=data["postal_code"],
                country=data["country"],
                comment=data["comment"],
                consent_updates=data["consent_updates"],
                consent_share=data["consent_share"],
                ip=client_ip(request),
                ref=data["ref"],
                channel=channel or data["channel"],
            ),
            site_url=_site(request),
        )
    except SignRefused as refusal:
        form.add_error(refusal.field or None, str(refusal))
        return form, ""
    return form, result.signature.ref_code


@require_POST
def sign(request: HttpRequest, petition_slug: str) -> HttpResponse:
    petition = selectors.petition_for_signing(slug=petition_slug)
    if petition is None or petition.hidden:
        raise Http404("No such petition.")
    form, ref = _sign(request, petition)
    if not ref:
        petition = _petition(petition_slug)  # a refusal shows the petition as it is now
        template = "petitions/_sign_form.html" if request.htmx else "petitions/public_petition.html"  # type: ignore[attr-defined]
        return render(request, template, _sign_context(request, petition, form), status=422)
    thanks = reverse("petitions_public:thanks", kwargs={"petition_slug": petition.slug})
    url = f"{thanks}?{urlencode({'ref': ref})}"
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)  # a full page load, not a swap into the form
    return redirect(url)


def share_links(request: HttpRequest, petition: Petition, ref: str) -> list[tuple[str, str]]:
    base = request.build_absolute_uri(
        reverse("petitions_public:petition", kwargs={"petition_slug": petition.slug})
    )

    def url(channel: str) -> str:
        return f"{base}?{urlencode({'ref': ref, 'ch': channel})}" if ref else f"{base}?ch={channel}"

    text = quote(petition.title)
    return [
        ("Email", f"mailto:?subject={text}&body={quote(url('email'), safe='')}"),
        (
            "Facebook",
            f"https://www.facebook.com/sharer/sharer.php?u={quote(url('facebook'), safe='')}",
        ),
        ("X", f"https://x.com/intent/post?text={text}&url={quote(url('x'), safe='')}"),
        ("WhatsApp", f"https://wa.me/?text={text}%20{quote(url('whatsapp'), safe='')}"),
        ("Copy link", url("link")),
    ]


@require_GET
def thanks(request: HttpRequest, petition_slug: str) -> HttpResponse:
    petition = _petition(petition_slug)
    ref = request.GET.get("ref", "")[:16]
    ref = ref if ref.replace("-", "").isalnum() else ""
    return render(
        request,
        "petitions/thanks.html",
        {"petition": petition, "links": share_links(request, petition, ref)},
    )


@require_GET
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    result = services.confirm_signature(token=token)
    status = 404 if result.outcome == ConfirmOutcome.INVALID else 200
    petition = result.signature.petition if result.signature else None
    context: dict[str, Any] = {"outcome": result.outcome.value, "petition": petition}
    if petition is not None and result.signature is not None:
        context["links"] = share_links(request, petition, result.signature.ref_code)
        context["count"] = services.current_count(petition)
    return render(request, "petitions/confirmed.html", context, status=status)


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    signature = services.signature_from_token(token, salt=services.UNSUBSCRIBE_SALT)
    if signature is None:
        raise Http404
    done = False
    if request.method == "POST":
        services.unsubscribe_signer(token=token)
        done = True
    return render(
        request, "petitions/unsubscribe.html", {"petition": signature.petition, "done": done}
    )


@xframe_options_exempt  # and its CSP frame-ancestors lets any site (or those configured) frame it
# django-csp types a view as taking the request only; this one also takes the slug
@csp_replace({"frame-ancestors": settings.CAIRN_WIDGET_FRAME_ANCESTORS})  # type: ignore[arg-type]
@csrf_exempt  # embedded on member sites, where our CSRF cookie is third-party and often blocked
@require_http_methods(["GET", "POST"])
def widget(request: HttpRequest, petition_slug: str) -> HttpResponse:
    """An embeddable page (for an iframe on a member's site): the count and the form."""
    petition = _petition(petition_slug)
    ref = request.GET.get("ref", "")[:16]
    signed = False
    if request.method == "POST":
        form, code = _sign(request, petition, channel="widget")
        signed = bool(code)
    else:
        form = SignForm(initial={"ref": ref, "channel": "widget"})
    return render(
        request,
        "petitions/widget.html",
        {
            "petition": petition,
            "form": form,
            "signed": signed,
            "count": services.current_count(petition),
            "accepting": petition.accepts_signatures(),
        },
        status=422 if form.errors else 200,
    )


@require_GET
def counts_json(request: HttpRequest, petition_slug: str) -> JsonResponse:
    """Public counts only: total, integrity summary and postal areas, never a signer."""
    petition = _petition(petition_slug)
    summary = selectors.public_integrity_summary(petition=petition)
    return JsonResponse(
        {
            "petition": petition.slug,
            "title": petition.title,
            "status": petition.status,
            "count": services.current_count(petition),
            "integrity": {
                "confirmed": summary.confirmed,
                "pending": summary.pending,
                "invalidated": summary.invalidated,
            },
            "regions": {
                s.label: s.count for s in selectors.public_regional_counts(petition=petition)
            },
        }
    )


@require_GET
def counts_csv(request: HttpRequest, petition_slug: str) -> HttpResponse:
    petition = _petition(petition_slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{petition.slug}-counts.csv"'
    writer = csv.writer(response)
    writer.writerow(["postal_area", "signatures"])
    for share in selectors.public_regional_counts(petition=petition):
        writer.writerow([share.label, share.count])  # labels are "US 462": never formulas
    return response
