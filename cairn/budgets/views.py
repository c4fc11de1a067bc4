"""Pages of budgets: lines and their money, participatory budgeting rounds (ballot, results side
by side, adoption by a decision), expenses with receipts and their approval.

Thin: load with a selector, check the policy, call one service, render. Every role sees the
pages (`Action.VIEW`); writes check their own action in the services too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.accounts.forms import client_ip
from cairn.coalitions.access import Tenant, coalition_view, found
from cairn.coalitions.policy import Action
from cairn.governance.models import Outcome
from cairn.governance.selectors import decisions_behind

from . import selectors, services
from .forms import (
    BallotForm,
    ExpenseForm,
    LineForm,
    OutcomeForm,
    ProposeForm,
    ReceiptForm,
    RejectForm,
    RoundForm,
    SettingsForm,
    StandaloneLineForm,
    SupporterBallotForm,
)
from .models import BudgetLine, Expense, Round
from .services import BudgetError


def _context(tenant: Tenant, **extra: Any) -> dict[str, Any]:
    return tenant.context(nav_current="budgets", **extra)


def _fund_choices(tenant: Tenant) -> list[tuple[int, str]]:
    return [(f.pk, str(f)) for f in selectors.funds(tenant.coalition)]


def _outcome_choices(tenant: Tenant) -> list[tuple[int, str]]:
    return [
        (o.pk, f"{o.proposal.title} ({o.recorded_at:%d %b %Y})")
        for o in selectors.passed_outcomes(tenant.coalition)[:100]
    ]


def _round(tenant: Tenant, budget_round_id: int) -> Round:
    return found(selectors.round_(tenant.coalition, budget_round_id))


def _line(tenant: Tenant, budget_line_id: int) -> BudgetLine:
    return found(selectors.line(tenant.coalition, budget_line_id))


def _expense(tenant: Tenant, budget_expense_id: int) -> Expense:
    return found(selectors.expense(tenant.coalition, budget_expense_id))


def _outcome(tenant: Tenant, pk: int | None) -> Outcome | None:
    return selectors.passed_outcomes(tenant.coalition).filter(pk=pk or 0).first()


# --- home -----------------------------------------------------------------------------------------


@coalition_view(Action.VIEW)
def index(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    # A decision may have adopted a round or allocated a line on governance's own page.
    services.apply_decisions(coalition=tenant.coalition)
    funds = _fund_choices(tenant)
    return render(
        request,
        "budgets/index.html",
        _context(
            tenant,
            lines=list(selectors.lines(tenant.coalition)),
            rounds=list(selectors.rounds(tenant.coalition)),
            expenses=list(
                selectors.expenses(tenant.coalition).filter(status=Expense.Status.SUBMITTED)
            ),
            funds=funds,
            round_form=RoundForm(funds=funds),
            line_form=StandaloneLineForm(funds=funds),
            settings_form=SettingsForm(
                initial={
                    "expense_approvals": services.settings_for(tenant.coalition).expense_approvals
                }
            ),
        ),
    )


@coalition_view(Action.MANAGE_BUDGETS)
@require_POST
def new_round(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = RoundForm(request.POST, funds=_fund_choices(tenant))
    if not form.is_valid():
        messages.error(request, "Give the round a fund, a title and a budget.")
        return redirect("budgets:index", tenant.coalition.slug)
    fund = found(selectors.fund(tenant.coalition, form.cleaned_data["fund"]))
    try:
        row = services.create_round(
            fund=fund,
            title=form.cleaned_data["title"],
            budget=form.cleaned_data["budget"],
            electorate=form.cleaned_data["electorate"],
            max_approvals=form.cleaned_data["max_approvals"],
            description=form.cleaned_data["description"],
            by=tenant.staff,
        )
    except BudgetError as error:
        messages.error(request, str(error))
        return redirect("budgets:index", tenant.coalition.slug)
    messages.success(request, "Round created: propose its budget lines, then open the ballots.")
    return redirect("budgets:round", tenant.coalition.slug, row.pk)


@coalition_view(Action.PROPOSE_BUDGET_LINES)
@require_POST
def new_line(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = StandaloneLineForm(request.POST, funds=_fund_choices(tenant))
    if not form.is_valid():
        messages.error(request, "Give the line a fund, a title and a cost.")
        return redirect("budgets:index", tenant.coalition.slug)
    fund = found(selectors.fund(tenant.coalition, form.cleaned_data["fund"]))
    try:
        row = services.propose_line(
            fund=fund,
            title=form.cleaned_data["title"],
            cost=form.cleaned_data["cost"],
            description=form.cleaned_data["description"],
            by=tenant.staff,
        )
    except BudgetError as error:
        messages.error(request, str(error))
        return redirect("budgets:index", tenant.coalition.slug)
    messages.success(request, "Line proposed: a decision allocates it.")
    return redirect("budgets:line", tenant.coalition.slug, row.pk)


@coalition_view(Action.MANAGE_BUDGETS)
@require_POST
def budget_settings(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.set_expense_approvals(
                coalition=tenant.coalition,
                approvals=form.cleaned_data["expense_approvals"],
                by=tenant.staff,
            )
        except BudgetError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Saved: how many stewards approve an expense.")
    else:
        messages.error(request, "Choose 1, 2 or 3 approvals.")
    return redirect("budgets:index", tenant.coalition.slug)


# --- rounds ---------------------------------------------------------------------------------------


@coalition_view(Action.VIEW)
def round_detail(request: HttpRequest, tenant: Tenant, budget_round_id: int) -> HttpResponse:
    services.apply_decisions(coalition=tenant.coalition)
    row = _round(tenant, budget_round_id)
    proposal_outcome = (
        Outcome.objects.for_coalition(tenant.coalition)
        .filter(proposal_id=row.proposal_id, proposal__passed=True)
        .first()
        if row.proposal_id
        else None
    )
    return render(
        request,
        "budgets/round.html",
        _context(
            tenant,
            round=row,
            lines=list(selectors.round_lines(row)),
            line_form=LineForm(),
            propose_form=ProposeForm(initial={"rule": row.proposed_rule or "equal_shares"}),
            outcome_form=OutcomeForm(
                outcomes=_outcome_choices(tenant),
                initial={"rule": row.proposed_rule or "equal_shares"},
            ),
            proposal_outcome=proposal_outcome,
            my_ballot=selectors.ballot_of(row, tenant.staff.membership),
            decisions=list(decisions_behind(row)),
            allocations=list(selectors.allocations(tenant.coalition).filter(round=row)),
        ),
    )


@coalition_view(Action.PROPOSE_BUDGET_LINES)
@require_POST
def round_new_line(request: HttpRequest, tenant: Tenant, budget_round_id: int) -> HttpResponse:
    row = _round(tenant, budget_round_id)
    form = LineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the line a title and a cost.")
    else:
        try:
            services.propose_line(
                fund=row.fund,
                round=row,
                title=form.cleaned_data["title"],
                cost=form.cleaned_data["cost"],
                description=form.cleaned_data["description"],
                by=tenant.staff,
            )
        except BudgetError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Line added to the round.")
    return redirect("budgets:round", tenant.coalition.slug, row.pk)


def _round_step(
    request: HttpRequest, tenant: Tenant, budget_round_id: int, step: str
) -> HttpResponse:
    row = _round(tenant, budget_round_id)
    try:
        if step == "open":
            services.open_round(round=row, by=tenant.staff)
            messages.success(request, "Ballots are open.")
        else:
            services.close_round(round=row, by=tenant.staff)
            messages.success(request, "Ballots are closed: compare the results, then decide.")
    except BudgetError as error:
        messages.error(request, str(error))
    return redirect("budgets:round", tenant.coalition.slug, row.pk)


@coalition_view(Action.MANAGE_BUDGETS)
@require_POST
def open_round(request: HttpRequest, tenant: Tenant, budget_round_id: int) -> HttpResponse:
    return _round_step(request, tenant, budget_round_id, "open")


@coalition_view(Action.MANAGE_BUDGETS)
@require_POST
def close_round(request: HttpRequest, tenant: Tenant, budget_round_id: int) -> HttpResponse:
    return _round_step(request, tenant, budget_round_id, "close")


@coalition_view(Action.VIEW)
def ballot(request: HttpRequest, tenant: Tenant, budget_round_id: int) -> HttpResponse:
    row = _round(tenant, budget_round_id)
    lines = list(selectors.round_lines(row))
    choices = [(line.pk, line.title) for line in lines]
    mine = selectors.ballot_of(row, tenant.staff.membership)
    form = BallotForm(
        request.POST or None,
        choices=choices,
        initial={"lines": mine.approved if mine else []},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.cast_ballot(
                    round=row, approved=form.cleaned_data["lines"], by=tenant.staff
                )
            except BudgetError as error:
                messages.error(request, str(error))
                status = 422
            else:
                messages.success(request, "Your organization's ballot is recorded.")
                return redirect("budgets:round", tenant.coalition.slug, row.pk)
        else:
            status = 422
    return render(
        request,
        "budgets/ballot.html",
        _context(tenant, round=row, lines=lines, form=form, my_ballot=mine),
        status=status,
    )


@coalition_view(Action.VIEW)
def results(request: HttpRequest, tenant: Tenant, budget_round_id: int) -> HttpResponse:
    row = _round(tenant, budget_round_id)
    return render(
        request,
        "budgets/results.html",
        _context(tenant, round=row, results=selectors.results(row)),
    )


@coalition_view(Action.MANAGE_BUDGETS)
@require_POST
def propose_adoption(request: HttpRequest, tenant: Tenant, budget_round_id: int) -> HttpResponse:
    row = _round(tenant, budget_round_id)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a result and how many days the decision takes.")
        return redirect("budgets:round", tenant.coalition.slug, row.pk)
    try:
        proposal = services.propose_adoption(
            round=row,
            rule=form.cleaned_data["rule"],
            by=tenant.staff,
            closes_at=timezone.now() + dt.timedelta(days=form.cleaned_data["days"]),
        )
    except BudgetError as error:
        messages.error(request, str(error))
        return redirect("budgets:round", tenant.coalition.slug, row.pk)
    messages.success(request, "The decision is drafted: open it for the members' votes.")
    return redirect("governance:proposal", tenant.coalition.slug, proposal.pk)


@coalition_view(Action.MANAGE_BUDGETS)
@require_POST
def adopt(request: HttpRequest, tenant: Tenant, budget_round_id: int) -> HttpResponse:
    row = _round(tenant, budget_round_id)
    form = OutcomeForm(request.POST, outcomes=_outcome_choices(tenant))
    outcome = _outcome(tenant, form.cleaned_data["outcome"]) if form.is_valid() else None
    if outcome is None:
        messages.error(request, "Choose the passed decision that adopts this result.")
        return redirect("budgets:round", tenant.coalition.slug, row.pk)
    try:
        services.adopt_round(
            round=row, outcome=outcome, by=tenant.staff, rule=form.cleaned_data["rule"] or None
        )
    except BudgetError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Adopted: the allocations are in the ledger.")
    return redirect("budgets:round", tenant.coalition.slug, row.pk)


# --- lines and expenses -----------------------------------------------------------------------


@coalition_view(Action.VIEW)
def line_detail(request: HttpRequest, tenant: Tenant, budget_line_id: int) -> HttpResponse:
    row = _line(tenant, budget_line_id)
    may_spend = tenant.allows(Action.MANAGE_BUDGETS) or (
        tenant.allows(Action.SUBMIT_EXPENSES) and row.proposed_for_id == tenant.staff.membership_id
    )
    return render(
        request,
        "budgets/line.html",
        _context(
            tenant,
            line=row,
            money=services.line_money(row),
            expenses=list(selectors.expenses(tenant.coalition).filter(line=row)),
            allocation=selectors.allocations(tenant.coalition).filter(line=row).first(),
            decisions=list(decisions_behind(row)),
            expense_form=ExpenseForm(),
            outcome_form=OutcomeForm(outcomes=_outcome_choices(tenant)),
            may_spend=may_spend,
        ),
    )


@coalition_view(Action.MANAGE_BUDGETS)
@require_POST
def allocate(request: HttpRequest, tenant: Tenant, budget_line_id: int) -> HttpResponse:
    row = _line(tenant, budget_line_id)
    form = OutcomeForm(request.POST, outcomes=_outcome_choices(tenant))
    outcome = _outcome(tenant, form.cleaned_data["outcome"]) if form.is_valid() else None
    if outcome is None:
        messages.error(request, "Choose the passed decision that allocates this line.")
    else:
        try:
            services.allocate_directly(line=row, outcome=outcome, by=tenant.staff)
        except BudgetError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Allocated: the allocation is in the ledger.")
    return redirect("budgets:line", tenant.coalition.slug, row.pk)


@coalition_view(Action.PROPOSE_BUDGET_LINES)
@require_POST
def withdraw(request: HttpRequest, tenant: Tenant, budget_line_id: int) -> HttpResponse:
    row = _line(tenant, budget_line_id)
    try:
        services.withdraw_line(line=row, by=tenant.staff)
    except BudgetError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Line withdrawn.")
    return redirect("budgets:line", tenant.coalition.slug, row.pk)


@coalition_view(Action.SUBMIT_EXPENSES)
@require_POST
def submit_expense(request: HttpRequest, tenant: Tenant, budget_line_id: int) -> HttpResponse:
    row = _line(tenant, budget_line_id)
    form = ExpenseForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(
                request,
                f"{label}: {' '.join(str(e) for e in errors)}"
                if label
                else " ".join(str(e) for e in errors),
            )
        return redirect("budgets:line", tenant.coalition.slug, row.pk)
    try:
        expense = services.submit_expense(
            line=row,
            amount=form.cleaned_data["amount"],
            description=form.cleaned_data["description"],
            payee=form.cleaned_data["payee"],
            incurred_on=form.cleaned_data["incurred_on"],
            receipts=[form.cleaned_data["receipt"]],
            by=tenant.staff,
        )
    except BudgetError as error:
        messages.error(request, str(error))
        return redirect("budgets:line", tenant.coalition.slug, row.pk)
    messages.success(request, "Expense submitted: a steward approves it.")
    return redirect("budgets:expense", tenant.coalition.slug, expense.pk)


@coalition_view(Action.VIEW)
def expense_detail(request: HttpRequest, tenant: Tenant, budget_expense_id: int) -> HttpResponse:
    row = _expense(tenant, budget_expense_id)
    return render(
        request,
        "budgets/expense.html",
        _context(
            tenant,
            expense=row,
            receipts=list(row.receipts.all()),
            approvals=list(row.approvals.select_related("approver")),
            needed=services.settings_for(tenant.coalition).expense_approvals,
            receipt_form=ReceiptForm(),
            reject_form=RejectForm(),
            own=row.submitted_by_id == request.user.pk,
        ),
    )


@coalition_view(Action.MANAGE_BUDGETS)
@require_POST
def approve(request: HttpRequest, tenant: Tenant, budget_expense_id: int) -> HttpResponse:
    row = _expense(tenant, budget_expense_id)
    try:
        done = services.approve_expense(expense=row, by=tenant.staff)
    except BudgetError as error:
        messages.error(request, str(error))
    else:
        if done.status == Expense.Status.APPROVED:
            messages.success(request, "Approved and paid: the expense is in the ledger.")
        else:
            messages.success(request, "Your approval is recorded; it needs another steward's.")
    return redirect("budgets:expense", tenant.coalition.slug, row.pk)


@coalition_view(Action.MANAGE_BUDGETS)
@require_POST
def reject(request: HttpRequest, tenant: Tenant, budget_expense_id: int) -> HttpResponse:
    row = _expense(tenant, budget_expense_id)
    form = RejectForm(request.POST)
    try:
        services.reject_expense(
            expense=row, by=tenant.staff, reason=form.data.get("reason", "") or ""
        )
    except BudgetError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Expense rejected.")
    return redirect("budgets:expense", tenant.coalition.slug, row.pk)


@coalition_view(Action.SUBMIT_EXPENSES)
@require_POST
def add_receipt(request: HttpRequest, tenant: Tenant, budget_expense_id: int) -> HttpResponse:
    row = _expense(tenant, budget_expense_id)
    form = ReceiptForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a receipt file.")
    else:
        try:
            services.add_receipt(expense=row, upload=form.cleaned_data["receipt"], by=tenant.staff)
        except BudgetError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Receipt attached.")
    return redirect("budgets:expense", tenant.coalition.slug, row.pk)


@coalition_view(Action.VIEW)
def receipt(request: HttpRequest, tenant: Tenant, budget_receipt_id: int) -> HttpResponse:
    """A receipt's file, to the coalition's staff only (a 404 for anyone else: the decorator).
    Receipts are at most 5 MB, so the file is read whole."""
    row = found(selectors.receipt(tenant.coalition, budget_receipt_id))
    with row.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type=row.content_type)
    safe_name = "".join(c for c in row.original_name if c.isalnum() or c in "._- ")[:100]
    response["Content-Disposition"] = f'inline; filename="{safe_name or "receipt"}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- supporters' public ballot ------------------------------------------------------------------

PUBLIC_BALLOTS_PER_ADDRESS = 20  # an hour, per round and address (the deployment's cache)


def _over_ballot_limit(request: HttpRequest, row: Round) -> bool:
    """Count one ballot POST for this address (behind the deployment's trusted proxies, as the
    other public forms count it); True once over the hourly limit."""
    key = f"budgets:ballots:{row.pk}:{client_ip(request)}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) > PUBLIC_BALLOTS_PER_ADDRESS
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)
        return False


def public_ballot(request: HttpRequest, budget_round_uuid: Any) -> HttpResponse:
    row = selectors.public_round(budget_round_uuid)
    if row is None:
        raise Http404("No such ballot.")
    lines = list(selectors.round_lines(row))
    form = SupporterBallotForm(request.POST or None, choices=[(ln.pk, ln.title) for ln in lines])
    status, done = 200, False
    if request.method == "POST":
        if _over_ballot_limit(request, row):
            messages.error(request, "Too many ballots from here; try again in an hour.")
            status = 429
        elif form.is_valid():
            try:
                services.cast_supporter_ballot(
                    round=row,
                    email=form.cleaned_data["email"],
                    given_name=form.cleaned_data["given_name"],
                    family_name=form.cleaned_data["family_name"],
                    approved=form.cleaned_data["lines"],
                )
            except BudgetError as error:
                messages.error(request, str(error))
                status = 422
            else:
                done = True
        else:
            status = 422
    return render(
        request,
        "budgets/public_ballot.html",
        {"round": row, "lines": lines, "form": form, "done": done, "open": row.status == "open"},
        status=status,
    )
