"""Reads of forms and submissions, always scoped by the coalition (and, for the people behind
submissions, by what the staff member may see: `people.selectors.visible_people`)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, QuerySet

from cairn.coalitions.models import Coalition, StaffMember
from cairn.people import selectors as people_selectors

from .models import Form, FormLink, Submission


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def forms(*, coalition: Coalition) -> QuerySet[Form]:
    return (
        Form.objects.for_coalition(coalition)
        .select_related("owner__organization", "campaign")
        .annotate(submission_count=Count("submissions"))
    )


def form(*, coalition: Coalition, form_id: int) -> Form | None:
    return forms(coalition=coalition).filter(pk=form_id).first()


def public_form(*, form_uuid: uuid.UUID) -> Form | None:
    """A form the public may see: open or closed (a closed form says so), never a draft."""
    return (
        Form.objects.filter(uuid=form_uuid)
        .exclude(status=Form.Status.DRAFT)
        .select_related("coalition")
        .first()
    )


def links(*, form: Form) -> QuerySet[FormLink]:
    return (
        FormLink.objects.for_coalition(form.coalition_id)
        .filter(form=form)
        .select_related("membership__organization")
    )


def link_counts(*, form: Form) -> dict[int, int]:
    """Submissions each tracked link brought, by link id."""
    rows = (
        Submission.objects.for_coalition(form.coalition_id)
        .filter(form=form, link__isnull=False)
        .values("link")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["link"]: row["n"] for row in rows}


def member_counts(*, form: Form) -> list[dict[str, Any]]:
    """Submissions per member organization credited (None: nobody), most first."""
    rows = (
        Submission.objects.for_coalition(form.coalition_id)
        .filter(form=form)
        .values("referring_membership", "referring_membership__organization__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "referring_membership")
    )
    return [
        {
            "membership": r["referring_membership"],
            "name": r["referring_membership__organization__name"],
            "n": r["n"],
        }
        for r in rows
    ]


def submissions(*, form: Form, staff: StaffMember | None) -> QuerySet[Submission]:
    """The form's submissions whose person `staff` may see (erased ones have no person)."""
    visible = people_selectors.visible_people(coalition=form.coalition, staff=staff)
    return (
        Submission.objects.for_coalition(form.coalition_id)
        .filter(form=form, person__in=visible)
        .select_related("person", "referring_membership__organization", "link")
        .prefetch_related("person__emails")
        .order_by("-created_at", "-pk")
    )


def total_submissions(*, form: Form) -> int:
    return Submission.objects.for_coalition(form.coalition_id).filter(form=form).count()


# --- the API -------------------------------------------------------------------------------------


def api_forms(*, coalition: Coalition) -> QuerySet[Form]:
    return (
        Form.objects.for_coalition(coalition)
        .annotate(submission_count=Count("submissions"))
        .select_related("created_by")
        .order_by("pk")
    )


def api_form(*, coalition: Coalition, public_id: str) -> Form | None:
    value = parse_uuid(public_id)
    if value is None:
        return None
    return api_forms(coalition=coalition).filter(uuid=value).first()


def api_submissions(*, coalition: Coalition) -> QuerySet[Submission]:
    return (
        Submission.objects.for_coalition(coalition).select_related("form", "person").order_by("pk")
    )


def api_submission(*, rows: QuerySet[Submission], public_id: str) -> Submission | None:
    value = parse_uuid(public_id)
    if value is None:
        return None
    return rows.filter(uuid=value).first()
