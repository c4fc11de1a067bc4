"""Public fundraising pages: the page with its thermometer and form, the donation's thank-you
page, the embeddable widget, the donor's manage link, and the provider's webhook endpoint.

Thin: a selector loads the page (drafts are 404), a form parses, one service acts. The form
carries a hidden idempotency key made when it was rendered: a double click or a retried POST
returns the first donation's checkout, never a second donation. Starting donations is limited
per address (CAIRN_DONATE_PER_IP_PER_HOUR, counted in the cache the deployment has). The
webhook is csrf-exempt and refuses anything whose signature does not verify.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cairn.accounts.forms import client_ip
from cairn.coalitions.access import is_htmx
from cairn.people.services import EmailInput, PeopleError, PersonData

from . import selectors, services
from .forms import DonateForm, ManageGiftForm, new_key
from .models import FundraisingPage, RecurringGift
from .providers import card_payments_enabled, checkout_origin
from .providers.base import InvalidSignature, ProviderError
from .services import FundraisingError

_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
RATE_WINDOW_SECONDS = 3600


def _code(value: str) -> str:
    return value if _CODE.fullmatch(value) else ""


def _page(slug: str) -> FundraisingPage:
    page = selectors.public_page(slug)
    if page is None:
        raise Http404("No such page.")
    return page


def _over_limit(request: HttpRequest, page: FundraisingPage) -> bool:
    """Count one donation start for this address; True once over the hourly limit."""
    limit = int(getattr(settings, "CAIRN_DONATE_PER_IP_PER_HOUR", 30))
    key = f"fundraising:starts:{page.pk}:{client_ip(request)}"
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        count = 1
    return count > limit


def _allow_checkout(response: HttpResponse) -> HttpResponse:
    """Widen this response's CSP form-action to the provider's checkout origin only: the donate
    form posts to us and we redirect to the checkout, which the browser checks against the
    form-action of the page that holds the form."""
    origin = checkout_origin()
    if origin:
        response._csp_update = {"form-action": [origin]}  # type: ignore[attr-defined]
    return response


def _context(page: FundraisingPage, form: DonateForm, **extra: Any) -> dict[str, Any]:
    return {
        "page": page,
        "form": form,
        "thermometer": selectors.thermometer(page),
        "wall": selectors.donor_wall(page),
        "accepting": page.accepts_donations and card_payments_enabled(),
        "suggested": page.suggested_amounts,
        **extra,
    }


@never_cache
@require_GET
def page(request: HttpRequest, page_slug: str) -> HttpResponse:
    page = _page(page_slug)
    ref = _code(request.GET.get("ref", ""))
    initial: dict[str, Any] = {"idempotency_key": new_key(), "ref": ref}
    amount = request.GET.get("amount", "")
    if re.fullmatch(r"\d{1,7}(\.\d{1,2})?", amount):
        initial["amount"] = amount
    if request.GET.get("monthly") == "1":
        initial["monthly"] = True
    form = DonateForm(initial=initial, page=page)
    share_url = request.build_absolute_uri(reverse("fundraising_public:page", args=[page.slug]))
    return _allow_checkout(
        render(
            request,
            "fundraising/public_page.html",
            _context(page, form, share_url=share_url, ref=ref),
        )
    )


@never_cache
@require_POST
def donate(request: HttpRequest, page_slug: str) -> HttpResponse:
    page = _page(page_slug)
    form = DonateForm(request.POST, page=page)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        if _over_limit(request, page):
            form.add_error(None, "Too many gifts from your network just now: try again later.")
            status = 429
        else:
            try:
                start = services.start_donation(
                    page=page,
                    person=PersonData(
                        given_name=data["given_name"],
                        family_name=data.get("family_name") or None,
                        emails=[EmailInput(data["email"], primary=True)],
                    ),
                    amount=data["amount"],
                    recurrence=form.recurrence,
                    cover_fee=bool(data.get("cover_fee")),
                    idempotency_key=data["idempotency_key"],
                    referrer=_code(data.get("ref", "")),
                    show_on_wall=bool(data.get("show_on_wall")),
                    wall_name=form.wall_name_or_initials() if data.get("show_on_wall") else "",
                )
            except (FundraisingError, PeopleError) as error:
                form.add_error(None, str(error))
            except ProviderError as error:
                form.add_error(None, f"{error} Please try again in a moment.")
                status = 503
            else:
                if is_htmx(request):
                    return HttpResponseClientRedirect(start.redirect_url)
                return _allow_checkout(redirect(start.redirect_url))
    return _allow_checkout(
        render(request, "fundraising/public_page.html", _context(page, form), status=status)
    )


@never_cache
@require_GET
def thanks(request: HttpRequest, page_slug: str, donation_uuid: Any) -> HttpResponse:
    page = _page(page_slug)
    donation = selectors.donation_for_thanks(page, donation_uuid)
    if donation is None:
        raise Http404("No such donation.")
    share_url = request.build_absolute_uri(
        reverse("fundraising_public:page", args=[page.slug])
        + "?"
        + urlencode({"ref": donation.ref_code})
    )
    return render(
        request,
        "fundraising/thanks.html",
        {
            "page": page,
            "donation": donation,
            "share_url": share_url,
            "thermometer": selectors.thermometer(page),
        },
    )


@xframe_options_exempt
@require_GET
def widget(request: HttpRequest, page_slug: str) -> HttpResponse:
    """An embeddable card (an iframe on a member's site): the thermometer and amount buttons
    that open the page with that amount (and the member's referral code) in a new tab."""
    page = _page(page_slug)
    ref = _code(request.GET.get("ref", ""))
    base = reverse("fundraising_public:page", args=[page.slug])
    links = [
        (amount, f"{base}?{urlencode({'amount': amount, **({'ref': ref} if ref else {})})}")
        for amount in page.suggested_amounts
    ]
    response = render(
        request,
        "fundraising/widget.html",
        {
            "page": page,
            "thermometer": selectors.thermometer(page),
            "links": links,
            "page_url": f"{base}?{urlencode({'ref': ref})}" if ref else base,
            "accepting": page.accepts_donations and card_payments_enabled(),
        },
    )
    response["Cache-Control"] = "public, max-age=30"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The donor's page for a monthly gift, reached by the signed link in their emails."""
    gift = selectors.gift_from_token(token)
    if gift is None:
        return render(request, "fundraising/manage_invalid.html", status=404)
    form = ManageGiftForm(initial={"amount": gift.amount})
    notice, status = "", 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                gift = services.cancel_recurring(gift=gift)
                notice = "Your monthly gift is cancelled. Thank you for your support."
            else:
                form = ManageGiftForm(request.POST)
                if form.is_valid():
                    gift = services.change_recurring_amount(
                        gift=gift, amount=form.cleaned_data["amount"]
                    )
                    notice = f"From next month you give {gift.amount} {gift.currency}."
                else:
                    status = 422
        except (FundraisingError, ProviderError) as error:
            form.add_error(None, str(error))
            status = 422
    return render(
        request,
        "fundraising/manage.html",
        {
            "gift": gift,
            "form": form,
            "notice": notice,
            "active": gift.status in {RecurringGift.Status.ACTIVE, RecurringGift.Status.PAST_DUE},
        },
        status=status,
    )


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events: 400 unless the signature verifies; 200 once stored and applied (or a
    copy of one already applied); 500 lets Stripe retry after a failure of ours."""
    signature = request.META.get("HTTP_STRIPE_SIGNATURE", "")
    if not signature:
        return JsonResponse({"error": "signature required"}, status=400)
    try:
        result = services.handle_provider_event(
            provider="stripe", payload=request.body, signature=signature
        )
    except InvalidSignature:
        return JsonResponse({"error": "invalid signature"}, status=400)
    except ProviderError as error:
        return JsonResponse({"error": str(error)}, status=400)
    except DatabaseError:
        return JsonResponse({"error": "try again"}, status=500)
    return JsonResponse({"received": True, "duplicate": not result.created})
