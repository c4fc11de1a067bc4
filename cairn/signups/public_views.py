"""The public page of a form: a supporter answers it, without an account or any script.

A POST carries the page's one-time key, so a double-submitted form makes one submission; an
address over the hourly limit is refused with 429 (counted from our own rows by the service).
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cairn.accounts.forms import client_ip
from cairn.people.services import AddressInput, EmailInput, PeopleError, PersonData, PhoneInput

from . import selectors, services
from .forms import SubmissionForm
from .models import Form


def share_url(request: HttpRequest, form: Form, code: str) -> str:
    path = reverse("signups_public:form", kwargs={"form_uuid": form.uuid})
    return request.build_absolute_uri(f"{path}?ref={code}")


@require_http_methods(["GET", "POST"])
def form_page(request: HttpRequest, form_uuid: uuid.UUID) -> HttpResponse:
    form = selectors.public_form(form_uuid=form_uuid)
    if form is None:
        raise Http404("No such form.")
    context = {"form_row": form, "form_coalition": form.coalition}
    if not form.is_open:
        return render(request, "signups/public_form.html", context)
    if request.method != "POST":
        entry = SubmissionForm(form=form, initial={"ref": request.GET.get("ref", "")[:64]})
        return render(request, "signups/public_form.html", {**context, "entry": entry})
    entry = SubmissionForm(request.POST, form=form)
    status = 422
    if entry.is_valid():
        data = entry.cleaned_data
        person = PersonData(
            given_name=data["given_name"],
            family_name=data["family_name"],
            emails=[EmailInput(data["email"])],
            phones=[PhoneInput(data["phone"])] if data["phone"] else [],
            addresses=[AddressInput(postal_code=data["postal_code"])]
            if data["postal_code"]
            else [],
        )
        try:
            result = services.submit_form(
                form=form,
                person=person,
                answers=entry.answers(),
                consent=bool(data.get("consent")),
                referrer=data["ref"],
                source="web",
                idempotency_key=data["key"],
                ip=client_ip(request),
            )
        except services.RateLimited as error:
            entry.add_error(None, str(error))
            status = 429
        except services.SubmissionRefused as error:
            for key, reason in error.errors.items():
                name = "consent" if key == "consent" else f"q_{key}"
                entry.add_error(name if name in entry.fields else None, reason)
            if not error.errors:
                entry.add_error(None, str(error))
        except PeopleError as error:
            entry.add_error(None, str(error))
        else:
            thanks = {
                **context,
                "submission": result.submission,
                "created": result.created,
                "share_url": share_url(request, form, result.submission.ref_code),
            }
            return render(request, "signups/public_thanks.html", thanks)
    return render(request, "signups/public_form.html", {**context, "entry": entry}, status=status)
