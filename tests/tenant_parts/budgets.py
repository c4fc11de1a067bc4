"""Coalition B's budgets for the tenant walker: a members' round that was voted, decided and
adopted (allocations in the ledger), a line allocated directly, an approved expense and one
awaiting approval with receipts, and a supporters' round left in draft (so its public ballot
page answers 404 too)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cairn.budgets import services
from cairn.budgets.models import (
    Allocation,
    Ballot,
    BudgetLine,
    BudgetSettings,
    Electorate,
    Expense,
    ExpenseApproval,
    Receipt,
    Round,
)
from cairn.governance import services as governance
from cairn.ledger import accounts as ledger_accounts
from cairn.ledger import services as ledger

from . import Context

MODELS = [
    BudgetSettings,
    Round,
    BudgetLine,
    Ballot,
    Allocation,
    Expense,
    ExpenseApproval,
    Receipt,
]

PDF = b"%PDF-1.4\n% zebra receipt\n%%EOF\n"


def _decision(ctx: Context) -> Any:
    proposal = governance.create_proposal(
        coalition=ctx.coalition,
        template="majority",
        title=f"{ctx.secret} spending",
        closes_at=timezone.now() + dt.timedelta(days=3),
        created_by=None,
    )
    proposal = governance.open_proposal(proposal=proposal, by=None, schedule_ticks=False)
    governance.cast_vote(proposal=proposal, staff=ctx.organizer, ballot={"position": "agree"})
    governance.close_proposal(proposal=proposal, by=None)
    return governance.record_outcome(proposal=proposal, statement=ctx.secret, recorded_by=None)


def rows(ctx: Context) -> dict[str, Any]:
    fund = ledger.ensure_fund(coalition=ctx.coalition, currency="USD", name=f"{ctx.secret} fund")
    ledger.post(  # B's member pays into the fund: the allocations below draw on it
        fund=fund,
        source=f"tenant-contribution:{ctx.member.pk}",
        description=f"{ctx.secret} contribution",
        occurred_on=timezone.localdate(),
        transfers=[
            ledger.Transfer(
                debit=ledger_accounts.cash(fund),
                credit=ledger_accounts.member_contributions(fund, ctx.member),
                amount=Decimal("2000"),
            )
        ],
    )
    services.set_expense_approvals(coalition=ctx.coalition, approvals=1, by=ctx.steward)
    round_ = services.create_round(
        fund=fund, title=f"{ctx.secret} round", budget="1000", by=ctx.steward
    )
    first = services.propose_line(
        fund=fund,
        title=f"{ctx.secret} buses",
        cost="600",
        by=ctx.organizer,
        round=round_,
        description=ctx.secret,
    )
    services.propose_line(
        fund=fund, title=f"{ctx.secret} flyers", cost="300", by=ctx.steward, round=round_
    )
    services.open_round(round=round_, by=ctx.steward)
    services.cast_ballot(round=round_, approved=[first.pk], by=ctx.organizer)
    services.close_round(round=round_, by=ctx.steward)
    services.adopt_round(round=round_, outcome=_decision(ctx), by=ctx.steward)

    direct = services.propose_line(
        fund=fund, title=f"{ctx.secret} hall", cost="200", by=ctx.organizer
    )
    services.allocate_directly(line=direct, outcome=_decision(ctx), by=ctx.steward)

    def receipt() -> SimpleUploadedFile:
        return SimpleUploadedFile(f"{ctx.secret}.pdf", PDF, content_type="application/pdf")

    paid = services.submit_expense(
        line=first,
        amount="120",
        description=f"{ctx.secret} coach",
        payee=ctx.secret,
        incurred_on=timezone.localdate(),
        receipts=[receipt()],
        by=ctx.organizer,
    )
    services.approve_expense(expense=paid, by=ctx.steward)
    pending = services.submit_expense(
        line=first,
        amount="50",
        description=f"{ctx.secret} snacks",
        payee=ctx.secret,
        incurred_on=timezone.localdate(),
        receipts=[receipt()],
        by=ctx.organizer,
    )
    supporters = services.create_round(
        fund=fund,
        title=f"{ctx.secret} supporters' round",
        budget="100",
        by=ctx.steward,
        electorate=Electorate.SUPPORTERS,
    )
    for key, value in {
        "budget": "1",
        "cost": "1",
        "amount": "1",
        "payee": "hijacked",
        "expense_approvals": "3",
        "rule": "greedy",
        "days": "1",
        "lines": str(first.pk),
        "given_name": "hijacked",
    }.items():
        ctx.post_data.setdefault(key, value)
    return {
        "budget_round_id": round_.pk,
        "budget_line_id": direct.pk,
        "budget_expense_id": pending.pk,
        "budget_receipt_id": pending.receipts.get().pk,
        "budget_round_uuid": supporters.uuid,
        # the read-only JSON API's parameters (cairn/budgets/api.py)
        "line_id": direct.pk,
        "round_id": round_.pk,
        "expense_id": pending.pk,
    }
