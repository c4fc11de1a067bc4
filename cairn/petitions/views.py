"""Staff pages of petitions: drafting, co-signing, moderation, outcomes, integrity and exports.

Thin: load with a selector, check the policy, call one service, render.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from cairn.accounts.models import User
from cairn.campaigns import selectors as campaign_selectors
from cairn.coalitions.access import Tenant, coalition_view, found
from cairn.coalitions.models import Membership
from cairn.coalitions.policy import Action

from . import lifecycle, selectors, services
from .forms import (
    ConfirmForm,
    InvalidateForm,
    LimitsForm,
    ListEntryForm,
    NetworkReviewForm,
    PetitionForm,
    RejectForm,
    SponsorForm,
    TextForm,
    UpdateForm,
)
from .lifecycle import Step
from .models import Invalidation, ListEntry, Petition, PetitionUpdate
from .services import Criteria, PetitionData, PetitionError


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - coalition views require a signed-in user
    return user


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _load(tenant: Tenant, petition_id: int, action: Action | None = None) -> Petition:
    petition = found(selectors.petition(coalition=tenant.coalition, pk=petition_id))
    if action is not None:
        tenant.require(action, membership=petition.owner)
    return petition


def _owners(tenant: Tenant) -> QuerySet[Membership]:
    rows = (
        Membership.objects.for_coalition(tenant.coalition)
        .filter(status=Membership.Status.ACTIVE)
        .select_related("organization")
    )
    if tenant.allows(Action.MODERATE_PETITIONS):
        return rows
    # The policy decides: an organizer drafts for its own organization, a viewer for none (even
    # a viewer who belongs to a member organization).
    own = rows.filter(pk=tenant.staff.membership_id or 0).first()
    if own is None or not tenant.allows(Action.MANAGE_PETITIONS, membership=own):
        return rows.none()
    return rows.filter(pk=own.pk)


def _back(tenant: Tenant, petition: Petition) -> HttpResponse:
    return redirect("petitions:detail", tenant.coalition.slug, petition.pk)


@coalition_view(Action.VIEW)
def petition_list(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    petitions = list(selectors.petitions_for_staff(coalition=tenant.coalition))
    counts = selectors.counts_for(petitions)
    return render(
        request,
        "petitions/staff_list.html",
        tenant.context(
            nav_current="petitions",
            rows=[(p, counts[p.pk]) for p in petitions],
            can_create=_owners(tenant).exists(),
        ),
    )


def _data(form: PetitionForm) -> PetitionData:
    d = form.cleaned_data
    return PetitionData(
        title=d["title"],
        background=d["background"],
        details=d["details"],
        targets=d["targets"],
        campaign=d["campaign"],
        deadline=d["deadline"],
        thresholds=d["thresholds"],
        sponsors_required=d["sponsors_required"],
    )


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def new_petition(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    owners = _owners(tenant)
    if not owners.exists():
        return HttpResponse(status=403)
    form = PetitionForm(
        request.POST or None,
        owners=owners,
        campaigns=campaign_selectors.campaign_choices(coalition=tenant.coalition),
    )
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data["owner"]
        tenant.require(Action.MANAGE_PETITIONS, membership=owner)
        try:
            petition = services.create_petition(
                owner=owner, data=_data(form), created_by=_user(request)
            )
        except PetitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Draft saved.")
            return _back(tenant, petition)
    return render(
        request,
        "petitions/staff_form.html",
        tenant.context(nav_current="petitions", form=form, title="New petition"),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def edit_petition(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id, Action.MANAGE_PETITIONS)
    form = PetitionForm(
        request.POST or None,
        owners=Membership.objects.filter(pk=petition.owner_id),
        campaigns=campaign_selectors.campaign_choices(coalition=tenant.coalition),
        initial=PetitionForm.initial_for(petition),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_petition(petition=petition, data=_data(form), changed_by=_user(request))
        except PetitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Draft saved.")
            return _back(tenant, petition)
    return render(
        request,
        "petitions/staff_form.html",
        tenant.context(
            nav_current="petitions", form=form, title=f"Edit “{petition}”", petition=petition
        ),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
def detail(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id)
    steward = tenant.allows(Action.MODERATE_PETITIONS)
    manage = tenant.allows(Action.MANAGE_PETITIONS, membership=petition.owner)
    sponsorable = _sponsorable(tenant, petition)
    return render(
        request,
        "petitions/staff_detail.html",
        tenant.context(
            nav_current="petitions",
            petition=petition,
            view=selectors.public_view(petition=petition),
            integrity=selectors.integrity_summary(petition=petition),
            sponsor_shares=selectors.sponsor_shares(petition=petition) if steward else [],
            channels=selectors.channel_shares(petition=petition),
            regions=selectors.regional_counts(petition=petition)[:10],
            alerts=selectors.alerts(petition=petition)[:10] if steward else [],
            steward=steward,
            manage=manage,
            sponsor_form=SponsorForm(memberships=sponsorable) if sponsorable.exists() else None,
            reject_form=RejectForm(),
            steps={
                step.value
                for step in lifecycle.allowed_steps(petition, manage=manage, moderate=steward)
            },
            history=lifecycle.history(petition) if manage or steward else [],
            ref_code=(
                services.member_ref_code(tenant.staff.membership) if tenant.staff.membership else ""
            ),
            Status=Petition.Status,
        ),
    )


def _sponsorable(tenant: Tenant, petition: Petition) -> QuerySet[Membership]:
    rows = (
        Membership.objects.for_coalition(tenant.coalition)
        .filter(status=Membership.Status.ACTIVE)
        .exclude(pk=petition.owner_id)
        .exclude(pk__in=petition.sponsorships.values("membership_id"))
        .select_related("organization")
    )
    if petition.status not in {
        Petition.Status.DRAFT,
        Petition.Status.AWAITING_SPONSORS,
        Petition.Status.IN_MODERATION,
    }:
        return rows.none()
    if tenant.allows(Action.MODERATE_PETITIONS):
        return rows
    return rows.filter(pk=tenant.staff.membership_id or 0)


def _act(
    request: HttpRequest,
    tenant: Tenant,
    petition: Petition,
    do: Callable[[], object],
    done: str,
) -> HttpResponse:
    try:
        do()
    except PetitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return _back(tenant, petition)


@coalition_view(Action.VIEW)
@require_POST
def submit(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id, Action.MANAGE_PETITIONS)
    return _act(
        request, tenant, petition, lambda: services.submit_petition(petition=petition), "Submitted."
    )


@coalition_view(Action.VIEW)
@require_POST
def sponsor(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id)
    form = SponsorForm(request.POST, memberships=_sponsorable(tenant, petition))
    if not form.is_valid():
        messages.error(request, "Choose an organization that may co-sign.")
        return _back(tenant, petition)
    membership = form.cleaned_data["membership"]
    tenant.require(Action.SPONSOR_PETITION, membership=membership)
    return _act(
        request,
        tenant,
        petition,
        lambda: services.sponsor_petition(
            petition=petition, membership=membership, signed_by=_user(request)
        ),
        f"{membership.organization} co-signed.",
    )


@coalition_view(Action.MODERATE_PETITIONS)
@require_POST
def open_(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id)
    return _act(
        request, tenant, petition, lambda: services.open_petition(petition=petition), "Opened."
    )


@coalition_view(Action.MODERATE_PETITIONS)
@require_POST
def reject(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a reason and explain it.")
        return _back(tenant, petition)
    hiding = form.cleaned_data["reason"] in Petition.HIDING_REASONS
    asking = _ask_first(
        request,
        tenant,
        petition,
        Step.REJECT,
        consequence=(
            "A rejection is final: the petition never opens. "
            + (
                "For this reason its page disappears from the public entirely."
                if hiding
                else "Its page tells the public why it was not accepted."
            )
        ),
        answer=f"Reason: {dict(Petition.RejectionReason.choices)[form.cleaned_data['reason']]}. "
        f"{form.cleaned_data['text']}",
    )
    if asking is not None:
        return asking
    return _act(
        request,
        tenant,
        petition,
        lambda: services.reject_petition(
            petition=petition, reason=form.cleaned_data["reason"], text=form.cleaned_data["text"]
        ),
        "Rejected.",
    )


@coalition_view(Action.VIEW)
@require_POST
def close(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id, Action.MANAGE_PETITIONS)
    asking = _ask_first(
        request,
        tenant,
        petition,
        Step.CLOSE,
        consequence=(
            "It stops taking signatures at once. Confirmation links already sent still count "
            "for 24 hours. If this is a mistake you can reopen it, as long as its deadline has "
            "not passed."
        ),
    )
    if asking is not None:
        return asking
    return _act(
        request,
        tenant,
        petition,
        lambda: services.close_petition(petition=petition, by=_user(request)),
        "Closed. Reopen it below if that was a mistake.",
    )


@coalition_view(Action.VIEW)
@require_POST
def reopen(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id, Action.MANAGE_PETITIONS)
    reason = _text(request)
    return _act(
        request,
        tenant,
        petition,
        lambda: services.reopen_petition(petition=petition, by=_user(request), reason=reason),
        "Reopened: it takes signatures again.",
    )


CONFIRM_TITLES = {
    Step.REJECT: "Reject “{}”?",
    Step.CLOSE: "Close “{}”?",
    Step.VICTORY: "Declare “{}” won?",
}
CONFIRM_BUTTONS = {
    Step.REJECT: "Reject for good",
    Step.CLOSE: "Close the petition",
    Step.VICTORY: "Declare victory",
}


def _ask_first(
    request: HttpRequest,
    tenant: Tenant,
    petition: Petition,
    step: Step,
    *,
    consequence: str,
    answer: str = "",
) -> HttpResponse | None:
    """None when the POST confirms `step`; otherwise a page that asks (a form, so it works
    without JavaScript), carrying what was typed. A state that does not allow the step is
    refused at once, without asking."""
    if petition.status not in lifecycle.FROM[step]:
        messages.error(
            request, f"A petition that is {petition.get_status_display().lower()} cannot be that."
        )
        return _back(tenant, petition)
    if ConfirmForm(request.POST).is_valid():
        return None
    carried = [
        (name, value)
        for name, value in request.POST.items()
        if name not in {"csrfmiddlewaretoken", "confirmed"}
    ]
    return render(
        request,
        "petitions/staff_confirm.html",
        tenant.context(
            nav_current="petitions",
            petition=petition,
            step=step.value,
            title=CONFIRM_TITLES[step].format(petition.title),
            consequence=consequence,
            answer=answer,
            carried=carried,
            button=CONFIRM_BUTTONS[step],
        ),
    )


def _text(request: HttpRequest) -> str:
    form = TextForm(request.POST)
    return form.cleaned_data["text"] if form.is_valid() else ""


@coalition_view(Action.MODERATE_PETITIONS)
@require_POST
def take_down(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id)
    text = _text(request)
    return _act(
        request,
        tenant,
        petition,
        lambda: services.take_down_petition(petition=petition, reason=text),
        "Taken down.",
    )


@coalition_view(Action.MODERATE_PETITIONS)
@require_POST
def restore(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id)
    return _act(
        request, tenant, petition, lambda: services.restore_petition(petition=petition), "Restored."
    )


@coalition_view(Action.VIEW)
@require_POST
def victory(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id, Action.MANAGE_PETITIONS)
    text = _text(request)
    if not text.strip():
        messages.error(request, "A victory needs a statement.")
        return _back(tenant, petition)
    asking = _ask_first(
        request,
        tenant,
        petition,
        Step.VICTORY,
        consequence=(
            "The petition closes for good and its page shows your statement. This cannot be undone."
        ),
        answer=f"Statement: {text}",
    )
    if asking is not None:
        return asking
    return _act(
        request,
        tenant,
        petition,
        lambda: services.declare_victory(petition=petition, statement=text),
        "Victory declared.",
    )


@coalition_view(Action.VIEW)
@require_POST
def delivery(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id, Action.MANAGE_PETITIONS)
    return _act(
        request,
        tenant,
        petition,
        lambda: services.record_delivery(petition=petition),
        "Delivery recorded: the response clock runs.",
    )


@coalition_view(Action.VIEW)
@require_POST
def response(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id, Action.MANAGE_PETITIONS)
    text = _text(request)
    return _act(
        request,
        tenant,
        petition,
        lambda: services.record_response(petition=petition, text=text),
        "Response recorded.",
    )


# --- integrity -----------------------------------------------------------------------------------


def _criteria(form: InvalidateForm) -> Criteria:
    d = form.cleaned_data
    return Criteria(
        email=d["email"] or "",
        domain=d["domain"] or "",
        ip=d["ip"] or "",
        since=d["since"],
        until=d["until"],
    )


@coalition_view(Action.MODERATE_PETITIONS)
@require_http_methods(["GET", "POST"])
def integrity(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    """Preview how many signatures the criteria match; invalidate them on confirmation."""
    petition = _load(tenant, petition_id)
    form = InvalidateForm(request.POST or None)
    preview: int | None = None
    if request.method == "POST" and form.is_valid():
        criteria = _criteria(form)
        if criteria.is_empty():
            form.add_error(None, "Give at least one criterion.")
        elif "run" in request.POST:
            try:
                done = services.invalidate_signatures(
                    petition=petition,
                    criteria=criteria,
                    reason=form.cleaned_data["reason"],
                    by=_user(request),
                )
            except PetitionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d signature invalidated.",
                        "%(n)d signatures invalidated.",
                        done.affected,
                    )
                    % {"n": done.affected},
                )
                return redirect("petitions:integrity", tenant.coalition.slug, petition.pk)
        else:
            preview = services.matching_signatures(petition=petition, criteria=criteria).count()
    return render(
        request,
        "petitions/staff_integrity.html",
        tenant.context(
            nav_current="petitions",
            petition=petition,
            form=form,
            preview=preview,
            integrity=selectors.integrity_summary(petition=petition),
            invalidations=selectors.invalidations(petition=petition),
            alerts=selectors.alerts(petition=petition),
            held=selectors.held_by_network(petition=petition),
            clearances=selectors.clearances(petition=petition)[:50],
        ),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.MODERATE_PETITIONS)
@require_POST
def review_network(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    """Clear or invalidate the signatures held for review from one network (IP address)."""
    petition = _load(tenant, petition_id)
    form = NetworkReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("petitions:integrity", tenant.coalition.slug, petition.pk)
    ip = form.cleaned_data["ip"]
    if form.cleaned_data["decision"] == "clear":
        cleared = services.clear_network(petition=petition, ip=ip, by=_user(request))
        n = cleared.affected if cleared else 0
        messages.success(
            request,
            ngettext(
                "%(n)d signature from %(ip)s cleared: it counts once confirmed.",
                "%(n)d signatures from %(ip)s cleared: they count once confirmed.",
                n,
            )
            % {"n": n, "ip": ip},
        )
    else:
        done = services.invalidate_network(
            petition=petition, ip=ip, reason=form.cleaned_data["reason"], by=_user(request)
        )
        messages.success(
            request,
            ngettext(
                "%(n)d held signature from %(ip)s invalidated.",
                "%(n)d held signatures from %(ip)s invalidated.",
                done.affected,
            )
            % {"n": done.affected, "ip": ip},
        )
    return redirect("petitions:integrity", tenant.coalition.slug, petition.pk)


@coalition_view(Action.MODERATE_PETITIONS)
@require_POST
def undo_invalidation(
    request: HttpRequest, tenant: Tenant, petition_id: int, invalidation_id: int
) -> HttpResponse:
    petition = _load(tenant, petition_id)
    invalidation = found(
        Invalidation.objects.for_coalition(tenant.coalition)
        .filter(petition=petition, pk=invalidation_id)
        .first()
    )
    try:
        services.undo_invalidation(invalidation=invalidation)
    except PetitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Invalidation undone.")
    return redirect("petitions:integrity", tenant.coalition.slug, petition.pk)


@coalition_view(Action.MODERATE_PETITIONS)
@require_http_methods(["GET", "POST"])
def lists(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """Allow and block lists, and the coalition's signing limits."""
    limits = services.limits_for(tenant.coalition)
    entry_form = ListEntryForm(request.POST if "value" in request.POST else None)
    limits_form = LimitsForm(
        request.POST if "burst" in request.POST else None,
        initial={
            "burst": limits.burst,
            "sustained": limits.sustained,
            "hard": limits.hard,
            "trending": limits.trending,
        },
    )
    if request.method == "POST":
        try:
            if entry_form.is_bound and entry_form.is_valid():
                services.set_list_entry(coalition=tenant.coalition, **entry_form.cleaned_data)
                messages.success(request, "List updated.")
                return redirect("petitions:lists", tenant.coalition.slug)
            if limits_form.is_bound and limits_form.is_valid():
                services.set_limits(coalition=tenant.coalition, **limits_form.cleaned_data)
                messages.success(request, "Limits saved.")
                return redirect("petitions:lists", tenant.coalition.slug)
        except PetitionError as error:
            messages.error(request, str(error))
    return render(
        request,
        "petitions/staff_lists.html",
        tenant.context(
            nav_current="petitions",
            entries=selectors.list_entries(coalition=tenant.coalition),
            entry_form=entry_form,
            limits_form=limits_form,
        ),
        status=422 if entry_form.errors or limits_form.errors else 200,
    )


@coalition_view(Action.MODERATE_PETITIONS)
@require_POST
def remove_entry(request: HttpRequest, tenant: Tenant, entry_id: int) -> HttpResponse:
    entry = found(ListEntry.objects.for_coalition(tenant.coalition).filter(pk=entry_id).first())
    services.remove_list_entry(entry=entry)
    messages.success(request, "Entry removed.")
    return redirect("petitions:lists", tenant.coalition.slug)


# --- exports, delivery packet, updates ------------------------------------------------------------


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


EXPORT_FIELDS = [
    "name",
    "email",
    "postal_code",
    "country",
    "comment",
    "consent_updates",
    "consent_share",
    "created_at",
    "confirmed_at",
    "invalidated_at",
    "channel",
    "member",
    "ip",
]


def _export_rows(petition: Petition) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "email": s.email,
            "postal_code": s.postal_code,
            "country": s.country,
            "comment": s.comment,
            "consent_updates": s.consent_updates,
            "consent_share": s.consent_share,
            "created_at": s.created_at.isoformat(),
            "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else "",
            "invalidated_at": s.invalidated_at.isoformat() if s.invalidated_at else "",
            "channel": s.channel,
            "member": (s.referring_membership.organization.name if s.referring_membership else ""),
            "ip": s.ip,
        }
        for s in selectors.signatures_for_export(petition=petition)
    ]


@coalition_view(Action.MODERATE_PETITIONS)
def export_csv(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{petition.slug}-signatures.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_FIELDS)
    for row in _export_rows(petition):
        writer.writerow([_cell(row[f]) for f in EXPORT_FIELDS])
    return response


@coalition_view(Action.MODERATE_PETITIONS)
def export_json(request: HttpRequest, tenant: Tenant, petition_id: int) -> JsonResponse:
    petition = _load(tenant, petition_id)
    return JsonResponse(
        {"petition": petition.slug, "signatures": _export_rows(petition)},
        json_dumps_params={"ensure_ascii": False},
    )


@coalition_view(Action.VIEW)
def packet(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    """A printable page for the targets: the ask, the count, regions and signers' comments."""
    petition = _load(tenant, petition_id, Action.MANAGE_PETITIONS)
    return render(
        request,
        "petitions/packet.html",
        tenant.context(
            petition=petition,
            view=selectors.public_view(petition=petition),
            regions=selectors.regional_counts(petition=petition),
            comments=selectors.comments(petition=petition)[:500],
            today=timezone.localdate(),
        ),
    )


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def updates(request: HttpRequest, tenant: Tenant, petition_id: int) -> HttpResponse:
    """Compose an update, preview it, then send it through the task queue."""
    petition = _load(tenant, petition_id, Action.MANAGE_PETITIONS)
    form = UpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            update = services.compose_update(
                petition=petition, by=_user(request), **form.cleaned_data
            )
        except PetitionError as error:
            form.add_error(None, str(error))
        else:
            return redirect("petitions:update", tenant.coalition.slug, petition.pk, update.pk)
    return render(
        request,
        "petitions/staff_updates.html",
        tenant.context(
            nav_current="petitions",
            petition=petition,
            form=form,
            updates=petition.updates.all(),
            recipients=services.update_recipients(petition).count(),
        ),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def update(request: HttpRequest, tenant: Tenant, petition_id: int, update_id: int) -> HttpResponse:
    petition = _load(tenant, petition_id, Action.MANAGE_PETITIONS)
    row = found(
        PetitionUpdate.objects.for_coalition(tenant.coalition)
        .filter(petition=petition, pk=update_id)
        .first()
    )
    if request.method == "POST":
        try:
            sent = services.send_update(update=row, site_url=_site(request))
        except PetitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "Update queued for %(n)d signer.",
                    "Update queued for %(n)d signers.",
                    sent.recipients,
                )
                % {"n": sent.recipients},
            )
        return redirect("petitions:updates", tenant.coalition.slug, petition.pk)
    return render(
        request,
        "petitions/staff_update_preview.html",
        tenant.context(
            nav_current="petitions",
            petition=petition,
            update=row,
            recipients=services.update_recipients(petition).count(),
        ),
    )
