"""The ledger in the JSON API, read-only: the token's coalition's funds (with their balance,
income by source and spending by line), their accounts with balances, and every entry, as HAL
resources in the style of cairn.api.osdi (coalition-scoped tokens, OSDI collections, JSON errors).

Mounted with `api.add_router("", cairn.ledger.api.router)` in cairn/api/osdi/api.py. A fund is
addressed by its uuid; another coalition's fund is a 404, never a 403. Amounts are JSON strings
("1234.50") with the fund's ISO 4217 currency beside them, so no client parses money as a float.
Writes go through the services that fundraising, budgets and commitments call, never this API.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from cairn.api.auth import coalition_of
from cairn.api.osdi import hal
from cairn.api.osdi.errors import not_found
from cairn.api.osdi.pagination import CollectionQuery, paginate
from cairn.api.osdi.schemas import ERRORS
from cairn.coalitions.models import Coalition
from cairn.engines.ledger import minor_units

from . import selectors
from .models import Account, Entry, Fund, LedgerTransaction

router = Router(tags=["ledger"])

_GET: dict[str, Any] = {"response": {200: dict[str, Any], **ERRORS}, "exclude_unset": True}


class EntryQuery(CollectionQuery):
    since: dt.date | None = Field(None, description="Entries on or after this day (YYYY-MM-DD).")
    until: dt.date | None = Field(None, description="Entries on or before this day.")
    account: str | None = Field(
        None, max_length=120, description="Only entries to or from the account with this key."
    )


def _money(amount: Decimal, currency: str) -> str:
    return str(amount.quantize(Decimal(1).scaleb(-minor_units(currency))))


def find_fund(coalition: Coalition, public_id: str) -> Fund:
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        raise not_found("fund", public_id) from None
    row = selectors.funds(coalition).filter(uuid=key).first()
    if row is None:
        raise not_found("fund", public_id)
    return row


def _account(row: Account) -> dict[str, Any]:
    return {"key": row.key, "name": row.name, "type": row.type}


def render_fund(request: HttpRequest, row: Fund, *, detail: bool = False) -> dict[str, Any]:
    summary = selectors.fund_summary(row)
    c = row.currency
    fields: dict[str, Any] = {
        "name": row.name,
        "slug": row.slug,
        "currency": c,
        "description": row.description,
        "public": row.public,
        "balance": _money(summary.balance, c),
        "income": _money(summary.income, c),
        "spent": _money(summary.spent, c),
        "allocated": _money(summary.allocated, c),
        "available": _money(summary.available, c),
        "balanced": bool(summary.check and summary.check.balanced),
    }
    if detail:
        fields["income_by_source"] = [
            {
                "label": line.label,
                "account": line.account.key if line.account else None,
                "amount": _money(line.amount, c),
            }
            for line in summary.income_lines
        ]
        fields["spending_by_line"] = [
            {
                "label": line.label,
                "account": line.account.key if line.account else None,
                "amount": _money(line.amount, c),
            }
            for line in summary.spending_lines
        ]
    path = ("funds", row.uuid)
    return hal.resource(
        request,
        public_id=row.uuid,
        created=row.created_at,
        modified=row.created_at,
        self_path=path,
        links={"cairn:entries": (*path, "entries"), "cairn:accounts": (*path, "accounts")},
        fields=fields,
    )


def _transaction(tx: LedgerTransaction) -> dict[str, Any]:
    decision = tx.decision
    return {
        "id": str(tx.uuid),
        "occurred_on": tx.occurred_on.isoformat(),
        "description": tx.description,
        "source": tx.source,
        "reverses": str(tx.reverses.uuid) if tx.reverses is not None else None,
        "decision": (
            {
                "id": str(decision.uuid),
                "proposal_id": decision.proposal_id,
                "title": decision.proposal.title,
                "statement": decision.statement,
            }
            if decision is not None
            else None
        ),
    }


def render_entry(request: HttpRequest, row: Entry, fund: Fund) -> dict[str, Any]:
    tx = row.transaction
    return hal.resource(
        request,
        public_id=row.pk,
        created=tx.created_at,
        modified=tx.created_at,
        self_path=("funds", fund.uuid, "entries", row.pk),
        links={"cairn:fund": ("funds", fund.uuid)},
        fields={
            "transaction": _transaction(tx),
            "debit": _account(row.debit),
            "credit": _account(row.credit),
            "amount": _money(row.amount, fund.currency),
            "currency": fund.currency,
            "memo": row.memo,
        },
    )


@router.get("/funds", **_GET, summary="List the coalition's funds with their balances")
def list_funds(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    coalition = coalition_of(request)
    return paginate(
        request,
        selectors.funds(coalition),
        rel="cairn:funds",
        render=lambda f: render_fund(request, f),
        query=query,
    )


@router.get(
    "/funds/{fund_id}",
    **_GET,
    summary="A fund: balance, income by source, spending by line",
)
def get_fund(request: HttpRequest, fund_id: str) -> dict[str, Any]:
    return render_fund(request, find_fund(coalition_of(request), fund_id), detail=True)


@router.get("/funds/{fund_id}/accounts", **_GET, summary="A fund's accounts with their balances")
def list_accounts(request: HttpRequest, fund_id: str) -> dict[str, Any]:
    fund = find_fund(coalition_of(request), fund_id)
    c = fund.currency
    return {
        "currency": c,
        "accounts": [
            {
                **_account(row.account),
                "debits": _money(row.debits, c),
                "credits": _money(row.credits, c),
                "balance": _money(row.balance, c),
            }
            for row in selectors.balances(fund)
        ],
        "_links": {"self": hal.link(request, "funds", fund.uuid, "accounts")},
    }


@router.get(
    "/funds/{fund_id}/entries",
    **_GET,
    summary="A fund's entries (one transfer each), newest first, with their decisions",
)
def list_entries(request: HttpRequest, fund_id: str, query: Query[EntryQuery]) -> dict[str, Any]:
    fund = find_fund(coalition_of(request), fund_id)
    account = None
    if query.account:
        account = selectors.accounts(fund).filter(key=query.account).first()
        if account is None:
            raise not_found("account", query.account)
    rows = selectors.entries(fund, account=account, since=query.since, until=query.until)
    return paginate(
        request,
        rows,
        rel="cairn:entries",
        render=lambda e: render_entry(request, e, fund),
        query=query,
    )


@router.get("/funds/{fund_id}/entries/{ledger_entry_id}", **_GET, summary="One entry of a fund")
def get_entry(request: HttpRequest, fund_id: str, ledger_entry_id: str) -> dict[str, Any]:
    fund = find_fund(coalition_of(request), fund_id)
    pk = int(ledger_entry_id) if ledger_entry_id.isdigit() and len(ledger_entry_id) < 19 else None
    row = None if pk is None else selectors.entries(fund).filter(pk=pk).first()
    if row is None:
        raise not_found("entry", ledger_entry_id)
    return render_entry(request, row, fund)
