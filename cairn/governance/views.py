"""Decision pages. Thin: load with a selector, check the policy, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.coalitions.access import Tenant, coalition_view, found, is_htmx, signed_in_user
from cairn.coalitions.models import Role, StaffMember
from cairn.coalitions.policy import Action, may_vote
from cairn.engines.tally import Availability

from . import authorizable, methods, selectors, services
from .forms import (
    AuthorizationForm,
    BallotFormError,
    OutcomeForm,
    ProposalForm,
    ReopenForm,
    TemplateForm,
    ballot_from_post,
    proposal_initial,
)
from .models import DecisionTemplate, Method, Proposal
from .services import GovernanceError


def _proposal(tenant: Tenant, proposal_id: int) -> Proposal:
    """The proposal, caught up with the clock (closed if its deadline passed)."""
    proposal = found(selectors.proposal(coalition=tenant.coalition, pk=proposal_id))
    if services.is_due(proposal):
        proposal = services.advance_proposal(proposal=proposal)
    return proposal


@coalition_view(Action.VIEW)
@require_GET
def decisions(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    services.advance_due_proposals(coalition=tenant.coalition)  # closes what is past its deadline
    return render(
        request,
        "governance/decisions.html",
        tenant.context(
            nav_current="decisions",
            decisions=selectors.decisions(coalition=tenant.coalition, staff=tenant.staff),
        ),
    )


def _proposal_form(
    request: HttpRequest, tenant: Tenant, templates: list[DecisionTemplate], **kwargs: Any
) -> ProposalForm:
    return ProposalForm(
        request.POST or None,
        templates=templates,
        staff=StaffMember.objects.for_coalition(tenant.coalition)
        .exclude(role=Role.VIEWER)
        .select_related("user"),
        **kwargs,
    )


def _method_of(chosen: str, templates: list[DecisionTemplate]) -> str:
    if chosen in methods.SHIPPED_BY_KEY:
        return methods.SHIPPED_BY_KEY[chosen].method
    return next((t.method for t in templates if f"c{t.pk}" == chosen), "")


def _terms(form: ProposalForm, method: str) -> dict[str, Any]:
    """The service arguments the proposal form holds, for drafting or editing."""
    data = form.cleaned_data
    return {
        "title": data["title"],
        "body": data["body"],
        "closes_at": data["closes_at"],
        "options": form.option_inputs(method),
        "electorate": data["electorate"],
        "named_voters": list(data["named_voters"] or []),
        "anonymous": data["anonymous"],
        "results_visibility": data["results_visibility"],
        "reason_required": data["reason_required"] or None,
        "quorum_percent": data["quorum_percent"],
        "config": form.config(method),
    }


def _open_as_asked(request: HttpRequest, form: ProposalForm, proposal: Proposal) -> None:
    data = form.cleaned_data
    if data["opens_at"] and data["opens_at"] > timezone.now():
        services.schedule_proposal(
            proposal=proposal, opens_at=data["opens_at"], by=signed_in_user(request)
        )
    elif data["open_now"] or data["opens_at"]:
        services.open_proposal(proposal=proposal, by=signed_in_user(request))


@coalition_view(Action.MANAGE_DECISIONS)
@require_http_methods(["GET", "POST"])
def new_proposal(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    templates = list(DecisionTemplate.objects.for_coalition(tenant.coalition))
    form = _proposal_form(request, tenant, templates)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["template"]
        try:
            with transaction.atomic():
                proposal = services.create_proposal(
                    coalition=tenant.coalition,
                    template=chosen,
                    created_by=signed_in_user(request),
                    **_terms(form, _method_of(chosen, templates)),
                )
                _open_as_asked(request, form, proposal)
        except (GovernanceError, ValueError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{proposal} created.")
            return redirect("governance:proposal", tenant.coalition.slug, proposal.pk)
    return render(
        request,
        "governance/proposal_form.html",
        tenant.context(nav_current="decisions", form=form),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.MANAGE_DECISIONS)
@require_http_methods(["GET", "POST"])
def edit_proposal(request: HttpRequest, tenant: Tenant, proposal_id: int) -> HttpResponse:
    """Change a draft (or a scheduled proposal) before it opens; its template stays."""
    row = _proposal(tenant, proposal_id)
    if row.status not in services.NOT_OPENED:
        messages.error(request, "Only a proposal that has not opened can be edited.")
        return redirect("governance:proposal", tenant.coalition.slug, row.pk)
    templates = list(DecisionTemplate.objects.for_coalition(tenant.coalition))
    form = _proposal_form(
        request,
        tenant,
        templates,
        initial=proposal_initial(
            row,
            selectors.options(proposal=row),
            list(row.named_voters.values_list("staff_id", flat=True)),
        ),
    )
    form.fields["template"].disabled = True  # the method and its rule are the proposal's own
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                row = services.update_proposal(
                    proposal=row, by=signed_in_user(request), **_terms(form, row.method)
                )
                _open_as_asked(request, form, row)
        except (GovernanceError, ValueError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{row} saved.")
            return redirect("governance:proposal", tenant.coalition.slug, row.pk)
    return render(
        request,
        "governance/proposal_form.html",
        tenant.context(nav_current="decisions", form=form, proposal=row),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.MANAGE_DECISIONS)
@require_POST
def delete_proposal(request: HttpRequest, tenant: Tenant, proposal_id: int) -> HttpResponse:
    row = _proposal(tenant, proposal_id)
    try:
        services.delete_proposal(proposal=row, by=signed_in_user(request))
    except GovernanceError as error:
        messages.error(request, str(error))
        return redirect("governance:proposal", tenant.coalition.slug, row.pk)
    messages.success(request, f"“{row.title}” deleted.")
    return redirect("governance:decisions", tenant.coalition.slug)


def _proposal_context(
    request: HttpRequest,
    tenant: Tenant,
    proposal: Proposal,
    *,
    vote_error: str = "",
    outcome_form: OutcomeForm | None = None,
    reopen_form: ReopenForm | None = None,
) -> dict[str, Any]:
    eligibility = selectors.eligibility_for(proposal=proposal, staff=tenant.staff)
    can_vote = eligibility is not None and may_vote(
        tenant.staff, membership=eligibility.membership, named_staff=eligibility.staff
    )
    has_voted = bool(eligibility and eligibility.voted_at)
    visible = selectors.results_visible(proposal=proposal, has_voted=has_voted)
    options = selectors.options(proposal=proposal)
    standing = selectors.standing_vote(proposal=proposal, eligibility=eligibility)
    manage = tenant.allows(Action.MANAGE_DECISIONS)
    outcome = selectors.outcome(proposal=proposal)
    return tenant.context(
        nav_current="decisions",
        proposal=proposal,
        options=options,
        positions=selectors.rule_for(proposal).positions
        if proposal.method == Method.PROPOSAL
        else (),
        eligibility=eligibility,
        can_vote=can_vote and proposal.accepts_votes(),
        has_voted=has_voted,
        standing=standing,
        ranks=_ranks(standing.ballot if standing else {}, options),
        vote_error=vote_error,
        results=selectors.results(proposal=proposal) if visible else None,
        results_visible=visible,
        named_votes=selectors.named_votes(proposal=proposal) if visible else [],
        manage=manage,
        outcome=outcome,
        authorizations=selectors.authorizations(outcome=outcome) if outcome else [],
        outcome_form=outcome_form
        or (
            OutcomeForm(initial=_outcome_initial(outcome))
            if manage and proposal.is_closed
            else None
        ),
        reopen_form=reopen_form
        or (ReopenForm() if manage and proposal.is_closed and not proposal.anonymous else None),
        history=selectors.proposal_log(proposal=proposal),
        dots=int(proposal.config.get("dots", methods.DEFAULT_DOTS)),
        score_range=range(
            int(proposal.config.get("min_score", 0)), int(proposal.config.get("max_score", 5)) + 1
        ),
        availability=[(a.value, a.value.capitalize()) for a in Availability],
        now=timezone.now(),
    )


def _outcome_initial(outcome: Any) -> dict[str, Any]:
    if outcome is None:
        return {}
    return {
        "statement": outcome.statement,
        "next_steps": outcome.next_steps,
        "responsible": outcome.responsible,
        "review_on": outcome.review_on,
    }


def _ranks(ballot: dict[str, Any], options: list[Any]) -> list[tuple[Any, Any]]:
    """Options in the voter's standing order (ranked first), each with its rank or None."""
    ranking = list(ballot.get("ranking", []))
    by_key = {o.key: o for o in options}
    ranked = [(by_key[k], i) for i, k in enumerate(ranking, start=1) if k in by_key]
    rest = [(o, None) for o in options if o.key not in ranking]
    return ranked + rest


@coalition_view(Action.VIEW)
@require_GET
def proposal(request: HttpRequest, tenant: Tenant, proposal_id: int) -> HttpResponse:
    row = _proposal(tenant, proposal_id)
    return render(request, "governance/proposal.html", _proposal_context(request, tenant, row))


@coalition_view(Action.VIEW)
@require_GET
def results(request: HttpRequest, tenant: Tenant, proposal_id: int) -> HttpResponse:
    """The live results panel (htmx polls it while the proposal is open)."""
    row = _proposal(tenant, proposal_id)
    return render(request, "governance/_results.html", _proposal_context(request, tenant, row))


@coalition_view(Action.VIEW)
@require_POST
def vote(request: HttpRequest, tenant: Tenant, proposal_id: int) -> HttpResponse:
    row = _proposal(tenant, proposal_id)
    eligibility = selectors.eligibility_for(proposal=row, staff=tenant.staff)
    if eligibility is None or not may_vote(
        tenant.staff, membership=eligibility.membership, named_staff=eligibility.staff
    ):
        return render(
            request,
            "governance/_vote_panel.html",
            _proposal_context(
                request, tenant, row, vote_error="You are not eligible to vote here."
            ),
            status=403,
        )
    error = ""
    try:
        ballot = ballot_from_post(row, selectors.options(proposal=row), request.POST)
        services.cast_vote(
            proposal=row,
            staff=tenant.staff,
            ballot=ballot,
            reason=request.POST.get("reason", ""),
        )
    except (GovernanceError, BallotFormError) as problem:
        error = str(problem)
    if not error and not is_htmx(request):
        messages.success(request, "Your vote is recorded.")
        return redirect("governance:proposal", tenant.coalition.slug, row.pk)
    if not is_htmx(request):
        template = "governance/proposal.html"
    else:  # a recorded vote is a new history entry: swap it in out of band with the panel
        template = "governance/_vote_panel.html" if error else "governance/_vote_response.html"
    response = render(
        request,
        template,
        _proposal_context(request, tenant, row, vote_error=error),
        status=422 if error else 200,
    )
    if not error:
        response["HX-Trigger"] = "vote-cast"  # the live results panel refreshes itself
    return response


def _transition(request: HttpRequest, tenant: Tenant, row: Proposal, action: str) -> HttpResponse:
    try:
        if action == "open":
            services.open_proposal(proposal=row, by=signed_in_user(request))
            messages.success(request, "Open for votes.")
        elif action == "close":
            services.close_proposal(proposal=row, by=signed_in_user(request))
            messages.success(request, "Voting closed.")
    except GovernanceError as error:
        messages.error(request, str(error))
    return redirect("governance:proposal", tenant.coalition.slug, row.pk)


@coalition_view(Action.MANAGE_DECISIONS)
@require_POST
def open_proposal(request: HttpRequest, tenant: Tenant, proposal_id: int) -> HttpResponse:
    return _transition(request, tenant, _proposal(tenant, proposal_id), "open")


@coalition_view(Action.MANAGE_DECISIONS)
@require_POST
def close_proposal(request: HttpRequest, tenant: Tenant, proposal_id: int) -> HttpResponse:
    return _transition(request, tenant, _proposal(tenant, proposal_id), "close")


@coalition_view(Action.MANAGE_DECISIONS)
@require_POST
def reopen_proposal(request: HttpRequest, tenant: Tenant, proposal_id: int) -> HttpResponse:
    row = _proposal(tenant, proposal_id)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_proposal(
                proposal=row, closes_at=form.cleaned_data["closes_at"], by=signed_in_user(request)
            )
        except GovernanceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Reopened with a new deadline.")
            return redirect("governance:proposal", tenant.coalition.slug, row.pk)
    return render(
        request,
        "governance/proposal.html",
        _proposal_context(request, tenant, row, reopen_form=form),
        status=422,
    )


@coalition_view(Action.MANAGE_DECISIONS)
@require_POST
def record_outcome(request: HttpRequest, tenant: Tenant, proposal_id: int) -> HttpResponse:
    row = _proposal(tenant, proposal_id)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.record_outcome(
                proposal=row, recorded_by=signed_in_user(request), **form.cleaned_data
            )
        except GovernanceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Outcome recorded.")
            return redirect("governance:proposal", tenant.coalition.slug, row.pk)
    return render(
        request,
        "governance/proposal.html",
        _proposal_context(request, tenant, row, outcome_form=form),
        status=422,
    )


@coalition_view(Action.MANAGE_DECISIONS)
@require_http_methods(["GET", "POST"])
def decision_templates(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """The shipped templates and the coalition's own; stewards add their own here."""
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template = services.create_template(
                coalition=tenant.coalition,
                name=data["name"],
                description=data["description"],
                method=data["method"],
                base_rule=data["base_rule"] if data["method"] == Method.PROPOSAL else "",
                quorum_percent=data["quorum_percent"],
                config={"requirements": data["requirements"]} if data["requirements"] else {},
            )
        except GovernanceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Template “{template}” added.")
            return redirect("governance:templates", tenant.coalition.slug)
    return render(
        request,
        "governance/templates.html",
        tenant.context(
            nav_current="decisions",
            form=form,
            shipped=methods.SHIPPED,
            own=DecisionTemplate.objects.for_coalition(tenant.coalition),
        ),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
@require_GET
def ballots_blt(request: HttpRequest, tenant: Tenant, proposal_id: int) -> HttpResponse:
    """The ranked-choice ballots as a BLT file, once results may be seen."""
    row = _proposal(tenant, proposal_id)
    eligibility = selectors.eligibility_for(proposal=row, staff=tenant.staff)
    has_voted = bool(eligibility and eligibility.voted_at)
    if row.method != Method.RANKED_CHOICE or not selectors.results_visible(
        proposal=row, has_voted=has_voted
    ):
        return HttpResponse("No ballots to export.", status=404, content_type="text/plain")
    response = HttpResponse(selectors.blt(proposal=row), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="proposal-{row.pk}.blt"'
    return response


@coalition_view(Action.MANAGE_DECISIONS)
@require_GET
def decision_log(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """Stewards re-compute the hash chain and see the first broken link, if any."""
    return render(
        request,
        "governance/log.html",
        tenant.context(
            nav_current="decisions",
            verification=selectors.verify_log(coalition=tenant.coalition),
            vote_problems=selectors.votes_match_log(coalition=tenant.coalition),
            entries=selectors.log_entries(coalition=tenant.coalition).order_by("-seq")[:200],
        ),
    )


@login_required
@require_GET
def awaiting(request: HttpRequest) -> HttpResponse:
    """Every open proposal, in all the user's coalitions, that waits for their organization."""
    return render(
        request,
        "governance/awaiting.html",
        {"awaiting": selectors.awaiting_user(user=signed_in_user(request))},
    )


@coalition_view(Action.VIEW)
@require_GET
def checkpoints(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """Signed checkpoints of the log, for every member to download and keep; stewards publish
    one now or rotate the signing key here."""
    return render(
        request,
        "governance/checkpoints.html",
        tenant.context(
            nav_current="decisions",
            checkpoints=selectors.checkpoints(coalition=tenant.coalition)[:100],
            keys=selectors.signing_keys(coalition=tenant.coalition),
            manage=tenant.allows(Action.MANAGE_DECISIONS),
        ),
    )


@coalition_view(Action.MANAGE_DECISIONS)
@require_POST
def publish_checkpoint(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    try:
        row = services.publish_checkpoint(coalition=tenant.coalition)
    except GovernanceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Checkpoint of entry {row.seq} signed and sent to the members.")
    return redirect("governance:checkpoints", tenant.coalition.slug)


@coalition_view(Action.MANAGE_DECISIONS)
@require_POST
def rotate_signing_key(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    key = services.rotate_signing_key(coalition=tenant.coalition, by=signed_in_user(request))
    messages.success(
        request, f"New signing key {key.key_id}; the old keys still verify their checkpoints."
    )
    return redirect("governance:checkpoints", tenant.coalition.slug)


@coalition_view(Action.VIEW)
@require_GET
def checkpoint_file(request: HttpRequest, tenant: Tenant, seq: int) -> HttpResponse:
    row = found(selectors.checkpoint(coalition=tenant.coalition, seq=seq))
    response = HttpResponse(
        selectors.checkpoint_document(row).to_json(), content_type="application/json"
    )
    name = f"{tenant.coalition.slug}-log-{row.seq}.checkpoint.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def authorizations(request: HttpRequest, tenant: Tenant, proposal_id: int) -> HttpResponse:
    """What a decision authorized; stewards link one more of the coalition's rows to it."""
    row = _proposal(tenant, proposal_id)
    outcome = selectors.outcome(proposal=row)
    manage = tenant.allows(Action.MANAGE_DECISIONS)
    form = (
        AuthorizationForm(request.POST or None, choices=authorizable.choices(tenant.coalition))
        if manage and outcome is not None
        else None
    )
    if request.method == "POST":
        tenant.require(Action.MANAGE_DECISIONS)
        if form is None:
            messages.error(request, "Record the outcome first: an outcome is what authorizes.")
            return redirect("governance:authorizations", tenant.coalition.slug, row.pk)
        if form.is_valid():
            target = authorizable.resolve(tenant.coalition, form.cleaned_data["target"])
            if target is None or outcome is None:
                form.add_error("target", "Choose one of this coalition's rows.")
            else:
                try:
                    services.authorize(
                        outcome=outcome, target=target, note=form.cleaned_data["note"]
                    )
                except GovernanceError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, f"This decision now authorizes {target}.")
                    return redirect("governance:authorizations", tenant.coalition.slug, row.pk)
    return render(
        request,
        "governance/authorizations.html",
        tenant.context(
            nav_current="decisions",
            proposal=row,
            outcome=outcome,
            authorized=selectors.authorized(outcome=outcome) if outcome else [],
            form=form,
        ),
        status=422 if form is not None and form.errors else 200,
    )
