"""The ledger's use cases: the only code that writes funds, accounts and transactions.

- `ensure_fund`: a coalition's fund by name, created once (unique slug per coalition); its
  currency is fixed.
- `fund_for_currency`: the fund that takes a coalition's money in a currency (created if none).
- `account`: a fund's account by key, created once (unique key per fund); an existing key keeps
  its type.
- `post`: one balanced transaction of transfers, idempotent by (fund, source): a retry, however
  concurrent, returns the first transaction and writes nothing.
- `reverse`: a transaction that undoes another (every transfer swapped), at most once.
- `describe_fund`, `set_fund_public`: a fund's description; publish or withdraw its page.

Every amount is a Decimal in the fund's currency, never finer than its minor unit (the engine
refuses floats). The database refuses what Python might let through (see `ledger/__init__.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from cairn.accounts.models import User
from cairn.campaigns.models import Campaign
from cairn.coalitions.models import Coalition, Membership
from cairn.engines import ledger as math
from cairn.governance.models import Outcome

from .models import Account, AccountType, Entry, Fund, LedgerTransaction

DEFAULT_FUND_NAME = "Pooled fund"
RESERVED_SLUGS = frozenset({"members"})


class LedgerError(Exception):
    """A posting the ledger refuses (the message says why, for the person who asked)."""


@dataclass(frozen=True)
class Transfer:
    """`amount` leaves `credit` and arrives in `debit` (both accounts of the posting's fund)."""

    debit: Account
    credit: Account
    amount: Decimal
    memo: str = ""


@dataclass(frozen=True)
class PostResult:
    transaction: LedgerTransaction
    created: bool


def ensure_fund(
    *,
    coalition: Coalition,
    currency: str = "USD",
    name: str = DEFAULT_FUND_NAME,
    public: bool | None = None,
    description: str = "",
) -> Fund:
    """The coalition's fund called `name`, created once; asking for it in another currency than
    the one it has is an error, never a silent conversion."""
    currency = currency.strip().upper()
    if not math.is_currency(currency):
        raise LedgerError(f"{currency!r} is not an ISO 4217 currency code.")
    name = " ".join(name.split())[:120]
    slug = slugify(name)[:80]
    if not slug:
        raise LedgerError("A fund needs a name.")
    if slug in RESERVED_SLUGS:  # the staff pages' own addresses (/c/<slug>/funds/members/…)
        slug = f"{slug}-fund"
    defaults = {"name": name, "currency": currency, "description": description.strip()}
    if public is not None:
        defaults["public"] = public  # type: ignore[assignment]
    # get_or_create inserts in a savepoint and reads the winner's row if a concurrent creator
    # hits the unique (coalition, slug) first.
    fund, _ = Fund.objects.get_or_create(coalition=coalition, slug=slug, defaults=defaults)
    if fund.currency != currency:
        raise LedgerError(f"{fund.name} keeps its money in {fund.currency}, not {currency}.")
    return fund


def fund_for_currency(*, coalition: Coalition, currency: str) -> Fund:
    """The fund that takes the coalition's money in `currency`: its pooled fund when that is in
    the currency, else its oldest fund in it, else a new "Pooled fund" ("Pooled fund (EUR)" when
    a pooled fund in another currency exists)."""
    currency = currency.strip().upper()
    if not math.is_currency(currency):
        raise LedgerError(f"{currency!r} is not an ISO 4217 currency code.")
    funds = Fund.objects.for_coalition(coalition).filter(currency=currency)
    fund = funds.filter(slug=slugify(DEFAULT_FUND_NAME)).first() or funds.order_by("pk").first()
    if fund is not None:
        return fund
    pooled = Fund.objects.for_coalition(coalition).filter(slug=slugify(DEFAULT_FUND_NAME))
    name = f"{DEFAULT_FUND_NAME} ({currency})" if pooled.exists() else DEFAULT_FUND_NAME
    return ensure_fund(coalition=coalition, currency=currency, name=name)


def account(
    *,
    fund: Fund,
    key: str,
    name: str,
    type: str,
    membership: Membership | None = None,
    campaign: Campaign | None = None,
    purpose: str = "",
) -> Account:
    """The fund's account `key`, created once; an existing key with another type is an error."""
    if type not in AccountType.values:
        raise LedgerError(f"Unknown account type {type!r}.")
    if membership is not None and membership.coalition_id != fund.coalition_id:
        raise LedgerError("That member organization belongs to another coalition.")
    if campaign is not None and campaign.coalition_id != fund.coalition_id:
        raise LedgerError("That campaign belongs to another coalition.")
    key = key.strip()[:120]
    if not key:
        raise LedgerError("An account needs a key.")
    row, _ = Account.objects.get_or_create(  # unique (fund, key); safe under a race
        fund=fund,
        key=key,
        defaults={
            "coalition_id": fund.coalition_id,
            "name": " ".join(name.split())[:200] or key,
            "type": type,
            "membership": membership,
            "campaign": campaign,
            "purpose": purpose.strip()[:120],
        },
    )
    if row.type != type:
        raise LedgerError(f"Account {key} is an {row.type} account, not {type}.")
    return row


@transaction.atomic
def post(
    *,
    fund: Fund,
    source: str,
    description: str,
    occurred_on: dt.date,
    transfers: list[Transfer],
    decision: Outcome | None = None,
    by: User | None = None,
    reverses: LedgerTransaction | None = None,
) -> PostResult:
    """Record one transaction of `transfers` in `fund`, once per `source`: a second call with
    the same source (sequential or concurrent) returns the first transaction, created=False,
    whatever its arguments."""
    source = source.strip()
    if not source or len(source) > 200:
        raise LedgerError("A posting needs a source key of at most 200 characters.")
    existing = LedgerTransaction.objects.filter(fund=fund, source=source).first()
    if existing is not None:
        return PostResult(existing, created=False)
    legs = _checked(fund, transfers)
    if decision is not None and decision.coalition_id != fund.coalition_id:
        raise LedgerError("That decision belongs to another coalition.")
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the outer transaction usable
            tx = LedgerTransaction.objects.create(
                coalition_id=fund.coalition_id,
                fund=fund,
                occurred_on=occurred_on,
                description=" ".join(description.split())[:300],
                source=source,
                decision=decision,
                reverses=reverses,
                recorded_by=by,
            )
    except IntegrityError:
        # Another writer posted the same source (unique (fund, source)) or reversed the same
        # transaction (unique reverses) between our read and our insert.
        existing = LedgerTransaction.objects.filter(fund=fund, source=source).first()
        if existing is not None:
            return PostResult(existing, created=False)
        if reverses is not None:
            raise LedgerError("That transaction was already reversed.") from None
        raise
    Entry.objects.bulk_create(
        Entry(
            coalition_id=fund.coalition_id,
            fund=fund,
            transaction=tx,
            debit=transfer.debit,
            credit=transfer.credit,
            amount=leg.amount,
            memo=transfer.memo.strip()[:200],
        )
        for transfer, leg in zip(transfers, legs, strict=True)
    )
    return PostResult(tx, created=True)


@transaction.atomic
def reverse(
    *,
    transaction: LedgerTransaction,  # the plan's keyword (shadows django.db.transaction here)
    source: str,
    description: str,
    occurred_on: dt.date | None = None,
    by: User | None = None,
    decision: Outcome | None = None,
) -> PostResult:
    """Undo `transaction` with a new one whose transfers go the other way (a refund, a dispute,
    a withdrawn allocation), idempotent by `source`; a transaction is reversed at most once, and
    a reversal is never itself reversed."""
    original = transaction
    fund = original.fund
    existing = LedgerTransaction.objects.filter(fund=fund, source=source.strip()).first()
    if existing is not None:
        return PostResult(existing, created=False)
    if original.reverses_id is not None:
        raise LedgerError("A reversal cannot itself be reversed; post a new transaction.")
    if LedgerTransaction.objects.filter(reverses=original).exists():
        raise LedgerError("That transaction was already reversed.")
    transfers = [
        Transfer(debit=e.credit, credit=e.debit, amount=e.amount, memo=e.memo)
        for e in original.entries.select_related("debit", "credit").order_by("pk")
    ]
    return post(
        fund=fund,
        source=source,
        description=description,
        occurred_on=occurred_on or original.occurred_on,
        transfers=transfers,
        decision=decision if decision is not None else original.decision,
        by=by,
        reverses=original,
    )


def describe_fund(*, fund: Fund, description: str) -> Fund:
    """Change the fund's public description (its name, slug and currency stay)."""
    fund.description = description.strip()[:2000]
    fund.save(update_fields=["description"])
    return fund


def set_fund_public(*, fund: Fund, public: bool) -> Fund:
    """Publish or withdraw the fund's public page (its ledger, income and spending)."""
    Fund.objects.filter(pk=fund.pk).update(public=public)
    fund.public = public
    return fund


def _checked(fund: Fund, transfers: list[Transfer]) -> list[math.Leg]:
    for transfer in transfers:
        for side in (transfer.debit, transfer.credit):
            if side.fund_id != fund.pk:
                raise LedgerError(f"Account {side.key} belongs to another fund.")
    try:
        return math.validate_legs(
            [math.Leg(str(t.debit.pk), str(t.credit.pk), t.amount) for t in transfers],
            fund.currency,
        )
    except math.LedgerMathError as error:
        raise LedgerError(str(error)) from None
