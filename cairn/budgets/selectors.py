"""Reads of budgets, each scoped by the coalition it is given."""

from __future__ import annotations

import uuid as uuid_lib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from cairn.coalitions.models import Coalition, Membership
from cairn.engines import budgeting
from cairn.engines import ledger as ledger_math
from cairn.governance.models import Outcome
from cairn.ledger.models import Fund

from . import services
from .models import ZERO, Allocation, Ballot, BudgetLine, Electorate, Expense, Receipt, Round

_MONEY = DecimalField(max_digits=18, decimal_places=4)


def funds(coalition: Coalition) -> QuerySet[Fund]:
    return Fund.objects.for_coalition(coalition).order_by("name", "pk")


def fund(coalition: Coalition, pk: int | str | None) -> Fund | None:
    if not pk:
        return None
    return Fund.objects.for_coalition(coalition).filter(pk=pk).first()


def lines(coalition: Coalition) -> QuerySet[BudgetLine]:
    """The coalition's lines with their money: allocated, paid and awaiting approval."""
    return (
        BudgetLine.objects.for_coalition(coalition)
        .select_related("fund", "round", "proposed_for__organization", "allocation")
        .annotate(
            paid=Coalesce(
                Sum("expenses__amount", filter=Q(expenses__status=Expense.Status.APPROVED)),
                Value(ZERO),
                output_field=_MONEY,
            ),
            pending=Coalesce(
                Sum("expenses__amount", filter=Q(expenses__status=Expense.Status.SUBMITTED)),
                Value(ZERO),
                output_field=_MONEY,
            ),
        )
        .order_by("pk")
    )


def line(coalition: Coalition, pk: int) -> BudgetLine | None:
    return lines(coalition).filter(pk=pk).first()


def rounds(coalition: Coalition) -> QuerySet[Round]:
    return (
        Round.objects.for_coalition(coalition)
        .select_related("fund", "proposal", "outcome__proposal")
        .annotate(
            line_count=Count("lines", distinct=True), ballot_count=Count("ballots", distinct=True)
        )
        .order_by("-created_at", "-pk")
    )


def round_(coalition: Coalition, pk: int) -> Round | None:
    return rounds(coalition).filter(pk=pk).first()


def public_round(round_uuid: uuid_lib.UUID) -> Round | None:
    """A supporters' round by its public address (not the coalition's pages)."""
    return (
        Round.objects.select_related("coalition", "fund")
        .filter(uuid=round_uuid, electorate=Electorate.SUPPORTERS)
        .exclude(status=Round.Status.DRAFT)
        .first()
    )


def round_lines(round_obj: Round) -> QuerySet[BudgetLine]:
    return (
        BudgetLine.objects.for_coalition(round_obj.coalition_id)
        .filter(round=round_obj)
        .exclude(status=BudgetLine.Status.WITHDRAWN)
        .select_related("proposed_for__organization")
        .order_by("pk")
    )


def ballot_of(round_obj: Round, membership: Membership | None) -> Ballot | None:
    if membership is None:
        return None
    return (
        Ballot.objects.for_coalition(round_obj.coalition_id)
        .filter(round=round_obj, voter_key=f"m{membership.pk}")
        .first()
    )


def expenses(coalition: Coalition) -> QuerySet[Expense]:
    return (
        Expense.objects.for_coalition(coalition)
        .select_related("line__fund", "submitted_by")
        .annotate(approval_count=Count("approvals", distinct=True))
        .order_by("-submitted_at", "-pk")
    )


def expense(coalition: Coalition, pk: int) -> Expense | None:
    return expenses(coalition).filter(pk=pk).first()


def receipt(coalition: Coalition, pk: int) -> Receipt | None:
    return Receipt.objects.for_coalition(coalition).filter(pk=pk).first()


def passed_outcomes(coalition: Coalition) -> QuerySet[Outcome]:
    """Recorded outcomes of passed decisions, newest first: the ones that may adopt spending."""
    return (
        Outcome.objects.for_coalition(coalition)
        .filter(proposal__passed=True)
        .select_related("proposal")
        .order_by("-recorded_at", "-pk")
    )


def allocations(coalition: Coalition) -> QuerySet[Allocation]:
    return (
        Allocation.objects.for_coalition(coalition)
        .select_related("line__fund", "outcome__proposal", "transaction", "round")
        .order_by("pk")
    )


# --- results, side by side ----------------------------------------------------------------------


@dataclass(frozen=True)
class RuleCell:
    funded: bool
    rank: int | None
    reason: str
    why: str


@dataclass(frozen=True)
class ResultRow:
    line: BudgetLine
    approvals: int
    cells: dict[str, RuleCell]


@dataclass(frozen=True)
class RuleSummary:
    rule: str
    label: str
    funded: list[BudgetLine]
    spent: Decimal
    unspent: Decimal
    share: Decimal


@dataclass(frozen=True)
class Results:
    voters: int
    rows: list[ResultRow]
    summaries: list[RuleSummary]


def results(round_obj: Round) -> Results:
    """Both rules' results of the round, line by line, with why each line won or lost."""
    election, by_key = services.election(round_obj)
    computed = budgeting.compute(election)
    fund_obj = round_obj.fund
    exponent = ledger_math.minor_units(fund_obj.currency)

    def money(value: Fraction) -> str:
        return ledger_math.format_amount(budgeting.to_amount(value, exponent), fund_obj.currency)

    rows = []
    for spec in election.lines:
        cells: dict[str, RuleCell] = {}
        approvals = 0
        for rule, result in computed.items():
            outcome = result.outcome(spec.key)
            approvals = outcome.approvals
            cells[rule.value] = RuleCell(
                funded=outcome.funded,
                rank=outcome.rank,
                reason=outcome.reason.value,
                why=budgeting.explain(outcome, result, money),
            )
        rows.append(ResultRow(line=by_key[spec.key], approvals=approvals, cells=cells))
    summaries = [
        RuleSummary(
            rule=rule.value,
            label=budgeting.RULE_LABELS[rule],
            funded=[by_key[k] for k in result.funded],
            spent=budgeting.to_amount(Fraction(result.spent), exponent),
            unspent=budgeting.to_amount(Fraction(result.unspent), exponent),
            share=budgeting.to_amount(result.share, exponent),
        )
        for rule, result in computed.items()
    ]
    return Results(voters=len(election.ballots), rows=rows, summaries=summaries)


def result_json(round_obj: Round) -> dict[str, Any]:
    """The results as plain JSON values (amounts as strings) for the API."""
    computed = results(round_obj)
    return {
        "voters": computed.voters,
        "rules": [
            {
                "rule": s.rule,
                "label": s.label,
                "funded": [line.pk for line in s.funded],
                "spent": str(s.spent),
                "unspent": str(s.unspent),
                "share_per_ballot": str(s.share),
            }
            for s in computed.summaries
        ],
        "lines": [
            {
                "line": row.line.pk,
                "title": row.line.title,
                "cost": str(row.line.cost.normalize()),
                "approvals": row.approvals,
                "results": {
                    rule: {
                        "funded": cell.funded,
                        "rank": cell.rank,
                        "reason": cell.reason,
                        "why": cell.why,
                    }
                    for rule, cell in row.cells.items()
                },
            }
            for row in computed.rows
        ],
    }
