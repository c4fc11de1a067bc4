"""Budgets in the JSON API, read only: budget lines with their money, participatory budgeting
rounds with both rules' results (why each line won or lost), and expenses (receipts are listed
by name and size; their files are served only on the coalition's pages, to its staff).

Mounted with `api.add_router("", cairn.budgets.api.router)` in cairn/api/osdi/api.py, as HAL
resources in the style of cairn.api.osdi (coalition-scoped tokens, OSDI collections, JSON
errors). Every read goes through a selector scoped by the token's coalition: another
coalition's line, round or expense is a 404. Amounts are strings (exact decimals).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from cairn.api.auth import coalition_of
from cairn.api.osdi import hal
from cairn.api.osdi.errors import not_found
from cairn.api.osdi.pagination import CollectionQuery, paginate
from cairn.api.osdi.schemas import ERRORS
from cairn.engines import ledger as ledger_math

from . import selectors, services
from .models import BudgetLine, Expense, Round

router = Router(tags=["budgets"])

_GET: dict[str, Any] = {"response": {200: dict[str, Any], **ERRORS}, "exclude_unset": True}


def _amount(value: Decimal, currency: str) -> str:
    """An exact amount at the currency's minor unit, as a string ("1200.00")."""
    return str(value.quantize(Decimal(1).scaleb(-ledger_math.minor_units(currency))))


def _pk(public_id: str) -> int | None:
    text = public_id.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def render_line(request: HttpRequest, row: BudgetLine) -> dict[str, Any]:
    money = services.line_money(row)
    allocation = getattr(row, "allocation", None)
    links: dict[str, tuple[object, ...]] = {}
    if row.round_id:
        links["cairn:budget_round"] = ("budget_rounds", row.round_id)
    return hal.resource(
        request,
        public_id=row.uuid,
        created=row.created_at,
        modified=row.created_at,
        self_path=("budget_lines", row.pk),
        links=links,
        fields={
            "id": row.pk,
            "title": row.title,
            "description": row.description,
            "fund": row.fund.name,
            "currency": row.fund.currency,
            "cost": _amount(row.cost, row.fund.currency),
            "status": row.status,
            "round": row.round_id,
            "proposed_by": row.proposed_for.organization.name if row.proposed_for else None,
            "allocated": _amount(money.allocated, row.fund.currency),
            "paid": _amount(money.paid, row.fund.currency),
            "awaiting_approval": _amount(money.pending, row.fund.currency),
            "remaining": _amount(money.available, row.fund.currency),
            "decision": (
                {"outcome": allocation.outcome_id, "proposal": allocation.outcome.proposal_id}
                if allocation is not None
                else None
            ),
        },
    )


def render_round(request: HttpRequest, row: Round, *, with_results: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": row.pk,
        "title": row.title,
        "description": row.description,
        "fund": row.fund.name,
        "currency": row.fund.currency,
        "budget": _amount(row.budget, row.fund.currency),
        "electorate": row.electorate,
        "max_approvals": row.max_approvals,
        "status": row.status,
        "ballots": getattr(row, "ballot_count", 0),
        "proposal": row.proposal_id,
        "proposed_rule": row.proposed_rule or None,
        "adopted_rule": row.adopted_rule or None,
        "outcome": row.outcome_id,
        "adopted_at": row.adopted_at.isoformat() if row.adopted_at else None,
    }
    if with_results and row.status != Round.Status.DRAFT:
        fields["results"] = selectors.result_json(row)
    return hal.resource(
        request,
        public_id=row.uuid,
        created=row.created_at,
        modified=row.adopted_at or row.closed_at or row.opened_at or row.created_at,
        self_path=("budget_rounds", row.pk),
        links={},
        fields=fields,
    )


def render_expense(request: HttpRequest, row: Expense) -> dict[str, Any]:
    return hal.resource(
        request,
        public_id=row.uuid,
        created=row.submitted_at,
        modified=row.decided_at or row.submitted_at,
        self_path=("budget_expenses", row.pk),
        links={"cairn:budget_line": ("budget_lines", row.line_id)},
        fields={
            "id": row.pk,
            "line": row.line_id,
            "amount": _amount(row.amount, row.line.fund.currency),
            "currency": row.line.fund.currency,
            "description": row.description,
            "payee": row.payee,
            "incurred_on": row.incurred_on.isoformat(),
            "status": row.status,
            "approvals": row.approvals.count(),
            "receipts": [
                {"name": r.original_name, "content_type": r.content_type, "size": r.size}
                for r in row.receipts.all()
            ],
            "ledger_transaction": str(row.transaction.uuid) if row.transaction else None,
        },
    )


@router.get("/budget_lines", **_GET, summary="The coalition's budget lines and their money")
def list_lines(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = selectors.lines(coalition_of(request))
    return paginate(
        request,
        rows,
        rel="cairn:budget_lines",
        render=lambda r: render_line(request, r),
        query=query,
    )


@router.get("/budget_lines/{line_id}", **_GET, summary="A budget line and its money")
def get_line(request: HttpRequest, line_id: str) -> dict[str, Any]:
    pk = _pk(line_id)
    row = None if pk is None else selectors.line(coalition_of(request), pk)
    if row is None:
        raise not_found("budget line", line_id)
    return render_line(request, row)


@router.get("/budget_rounds", **_GET, summary="The coalition's participatory budgeting rounds")
def list_rounds(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = selectors.rounds(coalition_of(request))
    return paginate(
        request,
        rows,
        rel="cairn:budget_rounds",
        render=lambda r: render_round(request, r, with_results=False),
        query=query,
    )


@router.get(
    "/budget_rounds/{round_id}",
    **_GET,
    summary="A round with the results of equal shares and greedy approval, line by line",
)
def get_round(request: HttpRequest, round_id: str) -> dict[str, Any]:
    pk = _pk(round_id)
    row = None if pk is None else selectors.round_(coalition_of(request), pk)
    if row is None:
        raise not_found("budget round", round_id)
    return render_round(request, row, with_results=True)


@router.get("/budget_expenses", **_GET, summary="Expenses against the budget lines")
def list_expenses(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = selectors.expenses(coalition_of(request)).select_related("transaction")
    return paginate(
        request,
        rows.prefetch_related("receipts"),
        rel="cairn:budget_expenses",
        render=lambda r: render_expense(request, r),
        query=query,
    )


@router.get("/budget_expenses/{expense_id}", **_GET, summary="An expense and its receipts")
def get_expense(request: HttpRequest, expense_id: str) -> dict[str, Any]:
    pk = _pk(expense_id)
    row = None if pk is None else selectors.expense(coalition_of(request), pk)
    if row is None:
        raise not_found("budget expense", expense_id)
    return render_expense(request, row)
