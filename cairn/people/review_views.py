"""A steward's answer to a name review: keep the stored name, or use the one a record gave."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cairn.coalitions.access import Tenant, coalition_view, found
from cairn.coalitions.policy import Action

from . import services
from .models import NameReview


def name_reviews(tenant: Tenant) -> QuerySet[NameReview]:
    """The coalition's open name reviews, newest first, with their person."""
    return NameReview.objects.for_coalition(tenant.coalition).select_related("person")


@coalition_view(Action.MANAGE_PEOPLE)
@require_POST
def resolve_name(request: HttpRequest, tenant: Tenant, review_id: int) -> HttpResponse:
    review = found(name_reviews(tenant).filter(pk=review_id).first())
    use_new_name = request.POST.get("use") == "new"
    person = services.resolve_name_review(review=review, use_new_name=use_new_name)
    messages.success(
        request, f"{person} is now called {review.name}." if use_new_name else f"Kept {person}."
    )
    return redirect("people:duplicates", tenant.coalition.slug)
