"""Public petition pages: the list, a petition, signing, thank-you, confirmation, widget.

Thin: a selector loads the petition (404 for anything the public may not see), a form parses,
one service acts. Signing answers the same way whatever happened to the email (new, re-sent or
already signed, held for review), so the page never tells a visitor whether an address signed.

The public reads a viral petition lives on — its page, the counts as JSON, the widget — are
cacheable: the same bytes for everyone (no user, no session, no CSRF token, no CSP nonce), kept
in Django's cache for CAIRN_PUBLIC_PAGE_SECONDS, with an ETag (a repeat gets 304) and
`Cache-Control: public, s-maxage=…, stale-while-revalidate=…` for a CDN or caching proxy. The
signing form fetches its CSRF token from `form_token` (uncached) through static/petitions/sign.js;
without JavaScript the first press of Sign gets the form back with a token (nothing signed).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from csp.decorators import csp_replace
from django.conf import settings
from django.core.cache import cache
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import parse_etags
from django.views.decorators.cache import never_cache
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
# A referral code or channel from a share link, as it may appear in a cache key and a form.
_CODE = re.compile(r"[A-Za-z0-9_-]{1,20}")


def _code(value: str, limit: int) -> str:
    return value if _CODE.fullmatch(value) and len(value) <= limit else ""


def _public_cache_control() -> str:
    seconds = getattr(settings, "CAIRN_PUBLIC_PAGE_SECONDS", 10)
    stale = getattr(settings, "CAIRN_PUBLIC_STALE_SECONDS", 60)
    # max-age=0: browsers ask again (cheaply, with the ETag); shared caches keep it `seconds`
    # and may serve it `stale` more seconds while they fetch a fresh copy.
    return f"public, max-age=0, s-maxage={seconds}, stale-while-revalidate={stale}"


def _cached(request: HttpRequest, key: str, build: Callable[[], HttpResponse]) -> HttpResponse:
    """The response `build` makes, kept in the cache under `key` with its ETag; 304 when the
    client has it. Only a 200 is kept; `build` must not read anything personal."""
    entry = cache.get(key)
    if entry is None:
        built = build()
        if built.status_code != 200:
            return built
        body = built.content
        etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
        entry = (etag, built["Content-Type"], body)
        cache.set(key, entry, getattr(settings, "CAIRN_PUBLIC_PAGE_SECONDS", 10))
    etag, content_type, body = entry
    response: HttpResponse
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = _public_cache_control()
    return response


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


def _sign_context(
    request: HttpRequest, petition: Petition, form: SignForm, *, with_token: bool = True
) -> dict[str, Any]:
    """`with_token`: the form carries its CSRF token (answers to a POST, never cached); the
    cached page's form leaves it empty, for sign.js to fill."""
    return {
        "view": selectors.public_view(petition=petition),
        "petition": petition,
        "form": form,
        "integrity": selectors.public_integrity_summary(petition=petition),
        "accepting": petition.accepts_signatures(),
        "with_token": with_token,
    }


@require_GET
def petition_page(request: HttpRequest, petition_slug: str) -> HttpResponse:
    """The petition, the same for everyone who follows the same link: cached (see above)."""
    ref, channel = _code(request.GET.get("ref", ""), 16), _code(request.GET.get("ch", ""), 20)

    def build() -> HttpResponse:
        petition = _petition(petition_slug)
        form = SignForm(initial={"ref": ref, "channel": channel})
        context = _sign_context(request, petition, form, with_token=False)
        return render(request, "petitions/public_petition.html", context)

    generation = services.public_page_generation(petition_slug)
    return _cached(request, f"petitions:page:{generation}:{petition_slug}:{ref}:{channel}", build)


@never_cache
@require_GET
def form_token(request: HttpRequest, petition_slug: str) -> JsonResponse:
    """The signing form's CSRF token (and its cookie), for sign.js: personal, never cached.
    Only for a petition the public may sign (the open one is cached: no query)."""
    petition = selectors.petition_for_signing(slug=petition_slug)
    if petition is None or petition.hidden:
        raise Http404("No such petition.")
    return JsonResponse({"token": get_token(request)})


# The sign view checks CSRF itself (it is exempt from the middleware's check) so that a missing
# token gets the form back, with a token, instead of a bare 403 page: the same check, run here.
_csrf = CsrfViewMiddleware(lambda request: HttpResponse())


def _csrf_refused(request: HttpRequest) -> bool:
    return _csrf.process_view(request, None, (), {}) is not None  # type: ignore[arg-type]


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


@csrf_exempt  # checked by _csrf_refused, as strictly as the middleware would
@require_POST
def sign(request: HttpRequest, petition_slug: str) -> HttpResponse:
    petition = selectors.petition_for_signing(slug=petition_slug)
    if petition is None or petition.hidden:
        raise Http404("No such petition.")
    template = "petitions/_sign_form.html" if request.htmx else "petitions/public_petition.html"  # type: ignore[attr-defined]
    if _csrf_refused(request):
        # No (valid) token: sign.js did not run, or the cookie expired. Nothing is signed; the
        # form comes back filled in, with a token, asking to press Sign again.
        petition = _petition(petition_slug)
        form = SignForm(initial=request.POST.dict())
        context = {**_sign_context(request, petition, form), "token_missing": True}
        response = render(request, template, context, status=403)
        add_never_cache_headers(response)
        return response
    form, ref = _sign(request, petition)
    if not ref:
        petition = _petition(petition_slug)  # a refusal shows the petition as it is now
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
    ref = _code(request.GET.get("ref", ""), 16)

    def build(form: SignForm | None = None, signed: bool = False) -> HttpResponse:
        petition = _petition(petition_slug)
        if form is None:
            form = SignForm(initial={"ref": ref, "channel": "widget"})
        return render(
            request,
            "petitions/widget.html",
            {
                "petition": petition,
                "form": form,
                "signed": signed,
                "count": services.public_count(petition),
                "accepting": petition.accepts_signatures(),
            },
            status=422 if form.errors else 200,
        )

    if request.method == "POST":
        form, code = _sign(request, _petition(petition_slug), channel="widget")
        return build(form, signed=bool(code))
    generation = services.public_page_generation(petition_slug)
    return _cached(request, f"petitions:widget:{generation}:{petition_slug}:{ref}", build)


@require_GET
def counts_json(request: HttpRequest, petition_slug: str) -> HttpResponse:
    """Public counts only: total, integrity summary and postal areas, never a signer. Cached
    (see above); a change to the count drops it in the process that made it."""

    def build() -> HttpResponse:
        petition = _petition(petition_slug)
        summary = selectors.public_integrity_summary(petition=petition)
        return JsonResponse(
            {
                "petition": petition.slug,
                "title": petition.title,
                "status": petition.status,
                "count": summary.confirmed,
                "integrity": {
                    "confirmed": summary.confirmed,
                    "pending": summary.pending,
                    "invalidated": summary.invalidated,
                    "held": summary.held,
                },
                "regions": {
                    s.label: s.count for s in selectors.public_regional_counts(petition=petition)
                },
            }
        )

    return _cached(request, services.counts_json_key(petition_slug), build)


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
