"""Reads of the ledger: balances, entries, income by source, spending by line, a member's
contributions. Every selector takes the fund (or the coalition) explicitly.

Balances are sums of entries computed by the database (never a stored running total, so they
cannot drift); each is in the account's normal direction (`cairn.engines.ledger.signed_balance`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum

from cairn.coalitions.models import Coalition, Membership
from cairn.engines import ledger as math
from cairn.governance.models import Outcome

from .models import Account, AccountType, Entry, Fund, LedgerTransaction

ZERO = Decimal(0)


def funds(coalition: Coalition) -> QuerySet[Fund]:
    return Fund.objects.for_coalition(coalition).order_by("name", "pk")


def public_funds(coalition: Coalition) -> QuerySet[Fund]:
    return funds(coalition).filter(public=True)


def public_fund(*, coalition_slug: str, fund_slug: str) -> Fund | None:
    """A fund its stewards made public, by its coalition's slug and its own (public pages)."""
    return (
        Fund.objects.filter(public=True, coalition__slug=coalition_slug, slug=fund_slug)
        .select_related("coalition")
        .first()
    )


def fund_by_slug(coalition: Coalition, slug: str, *, public_only: bool = False) -> Fund | None:
    rows = public_funds(coalition) if public_only else funds(coalition)
    return rows.filter(slug=slug).first()


def _sums(fund: Fund) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    rows = Entry.objects.filter(fund=fund)
    c = fund.currency
    debits = {
        r["debit"]: math.exact(r["total"], c)
        for r in rows.values("debit").annotate(total=Sum("amount")).order_by()
    }
    credits = {
        r["credit"]: math.exact(r["total"], c)
        for r in rows.values("credit").annotate(total=Sum("amount")).order_by()
    }
    return debits, credits


def balance(account: Account) -> Decimal:
    """The account's balance in its normal direction (assets and expenses: debits − credits)."""
    currency = Fund.objects.values_list("currency", flat=True).get(pk=account.fund_id)
    debits = Entry.objects.filter(debit=account).aggregate(t=Sum("amount"))["t"]
    credits = Entry.objects.filter(credit=account).aggregate(t=Sum("amount"))["t"]
    return math.signed_balance(
        account.type, math.exact(debits, currency), math.exact(credits, currency)
    )


@dataclass(frozen=True)
class AccountBalance:
    account: Account
    debits: Decimal
    credits: Decimal
    balance: Decimal


def balances(fund: Fund) -> list[AccountBalance]:
    """Every account of the fund with its totals, in chart order (two grouped queries)."""
    debits, credits = _sums(fund)
    return [
        AccountBalance(
            account=a,
            debits=debits.get(a.pk, ZERO),
            credits=credits.get(a.pk, ZERO),
            balance=math.signed_balance(a.type, debits.get(a.pk, ZERO), credits.get(a.pk, ZERO)),
        )
        for a in Account.objects.filter(fund=fund).select_related("membership__organization")
    ]


def accounts(fund: Fund) -> QuerySet[Account]:
    return Account.objects.filter(fund=fund)


def account_by_id(fund: Fund, account_id: int) -> Account | None:
    return Account.objects.filter(fund=fund, pk=account_id).first()


def entries(
    fund: Fund,
    *,
    account: Account | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Entry]:
    """The fund's entries, newest first, with their transaction, accounts and decision."""
    rows = Entry.objects.filter(fund=fund)
    if account is not None:
        rows = rows.filter(Q(debit=account) | Q(credit=account))
    if since is not None:
        rows = rows.filter(transaction__occurred_on__gte=since)
    if until is not None:
        rows = rows.filter(transaction__occurred_on__lte=until)
    return rows.select_related(
        "transaction__decision__proposal", "debit", "credit", "transaction__reverses"
    ).order_by("-transaction__occurred_on", "-transaction_id", "pk")


def transactions(fund: Fund) -> QuerySet[LedgerTransaction]:
    """The fund's transactions, newest first, each with its entries (and their accounts), its
    decision and what it reverses: three queries for a page of them."""
    return (
        LedgerTransaction.objects.filter(fund=fund)
        .select_related("decision__proposal", "reverses", "reversed_by")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=Entry.objects.select_related("debit", "credit").order_by("pk"),
            )
        )
        .order_by("-occurred_on", "-pk")
    )


def decisions(fund: Fund) -> list[Outcome]:
    """The governance outcomes behind the fund's transactions, newest first."""
    ids = LedgerTransaction.objects.filter(fund=fund, decision__isnull=False).values("decision")
    return list(
        Outcome.objects.filter(pk__in=ids).select_related("proposal").order_by("-recorded_at")
    )


def entries_for_export(fund: Fund) -> QuerySet[Entry]:
    """Every entry, oldest first, for the CSV (iterated in chunks)."""
    return (
        Entry.objects.filter(fund=fund)
        .select_related(
            "transaction__decision__proposal", "transaction__reverses", "debit", "credit"
        )
        .order_by("transaction__occurred_on", "transaction_id", "pk")
    )


def membership_in(coalition: Coalition, membership_id: int) -> Membership | None:
    return (
        Membership.objects.for_coalition(coalition)
        .select_related("organization")
        .filter(pk=membership_id)
        .first()
    )


def transaction_by_uuid(fund: Fund, uuid: str) -> LedgerTransaction | None:
    return transactions(fund).filter(uuid=uuid).first()


@dataclass(frozen=True)
class Line:
    """One row of an Open Collective-style summary: a label and an amount."""

    label: str
    amount: Decimal
    account: Account | None = None


def _group(label_of: dict[str, str], rows: list[AccountBalance]) -> list[Line]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[label_of.get(row.account.key, row.account.name)] += row.balance
    return sorted(
        (Line(label, amount) for label, amount in totals.items() if amount),
        key=lambda line: (-line.amount, line.label),
    )


def income_by_source(fund: Fund, rows: list[AccountBalance] | None = None) -> list[Line]:
    """Income per income account (each member organization, each fundraising page, …), net of
    refunds and disputes (their reversals), largest first."""
    rows = balances(fund) if rows is None else rows
    return [
        Line(r.account.name, r.balance, r.account)
        for r in sorted(rows, key=lambda r: (-r.balance, r.account.name))
        if r.account.type == AccountType.INCOME and r.balance
    ]


def spending_by_line(fund: Fund, rows: list[AccountBalance] | None = None) -> list[Line]:
    """Money spent per expense account (each budget line, fees…), largest first."""
    rows = balances(fund) if rows is None else rows
    return [
        Line(r.account.name, r.balance, r.account)
        for r in sorted(rows, key=lambda r: (-r.balance, r.account.name))
        if r.account.type == AccountType.EXPENSE and r.balance
    ]


@dataclass(frozen=True)
class FundSummary:
    fund: Fund
    balance: Decimal  # cash and other assets held
    allocated: Decimal  # earmarked by decisions, not yet spent (liabilities)
    available: Decimal  # balance − allocated
    income: Decimal
    spent: Decimal
    income_lines: list[Line] = field(default_factory=list)
    spending_lines: list[Line] = field(default_factory=list)
    check: math.Check | None = None


def fund_summary(fund: Fund) -> FundSummary:
    """The public page's figures, from the entries in three queries."""
    rows = balances(fund)

    def total(kind: str) -> Decimal:
        return sum((r.balance for r in rows if r.account.type == kind), ZERO)

    debit_sum = sum((r.debits for r in rows), ZERO)
    credit_sum = sum((r.credits for r in rows), ZERO)
    check = math.Check(
        debits=debit_sum,
        credits=credit_sum,
        debit_side=total(AccountType.ASSET) + total(AccountType.EXPENSE),
        credit_side=total(AccountType.LIABILITY)
        + total(AccountType.EQUITY)
        + total(AccountType.INCOME),
    )
    held, allocated = total(AccountType.ASSET), total(AccountType.LIABILITY)
    return FundSummary(
        fund=fund,
        balance=held,
        allocated=allocated,
        available=held - allocated,
        income=total(AccountType.INCOME),
        spent=total(AccountType.EXPENSE),
        income_lines=income_by_source(fund, rows),
        spending_lines=spending_by_line(fund, rows),
        check=check,
    )


@dataclass(frozen=True)
class MemberFundShare:
    fund: Fund
    contributed: Decimal
    share: Decimal  # of the fund's income, 0..1
    paid_for: list[Line]  # spending by line × share, largest remainder to the minor unit


@dataclass(frozen=True)
class MemberContributions:
    membership: Membership
    entries: list[Entry]
    funds: list[MemberFundShare]


def member_contributions(membership: Membership) -> MemberContributions:
    """What a member organization put into each of its coalition's funds, and what that paid for:
    money is fungible, so each line's spending is attributed in proportion to the member's share
    of the fund's income (stated on the page)."""
    member_accounts = Account.objects.filter(
        coalition_id=membership.coalition_id, membership=membership
    ).select_related("fund")
    account_ids = [a.pk for a in member_accounts]
    rows = list(
        Entry.objects.filter(Q(debit_id__in=account_ids) | Q(credit_id__in=account_ids))
        .select_related("transaction__decision__proposal", "fund", "debit", "credit")
        .order_by("-transaction__occurred_on", "-transaction_id")
    )
    shares = []
    for fund in sorted({a.fund for a in member_accounts}, key=lambda f: f.pk):
        fund_rows = balances(fund)
        mine = sum((r.balance for r in fund_rows if r.account.membership_id == membership.pk), ZERO)
        income = sum((r.balance for r in fund_rows if r.account.type == AccountType.INCOME), ZERO)
        share = (mine / income) if income > 0 and mine > 0 else ZERO
        spending = spending_by_line(fund, fund_rows)
        spent = sum((line.amount for line in spending), ZERO)
        attributed = math.allocate(
            min(spent * share, spent).quantize(
                Decimal(1).scaleb(-math.minor_units(fund.currency)), rounding="ROUND_FLOOR"
            ),
            {str(i): line.amount for i, line in enumerate(spending)},
            fund.currency,
        )
        shares.append(
            MemberFundShare(
                fund=fund,
                contributed=mine,
                share=share,
                paid_for=[
                    Line(line.label, attributed[str(i)], line.account)
                    for i, line in enumerate(spending)
                    if attributed[str(i)]
                ],
            )
        )
    return MemberContributions(membership=membership, entries=rows, funds=shares)
