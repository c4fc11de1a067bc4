"""Double-entry arithmetic for the pooled fund's ledger, in pure Python (no ORM): ISO 4217
currencies and their minor units, amount validation, and balances from a list of transfers.

A transfer moves `amount` (a positive Decimal) from its credit account to its debit account, so
every transfer balances by construction: the sum of all debits equals the sum of all credits.
An account's *normal* balance follows its type: asset and expense accounts grow with debits,
liability, equity and income accounts with credits. The accounting equation

    assets + expenses = liabilities + equity + income

holds for any set of transfers; `check` verifies it and that each account's balance equals the
sum of its own entries (the ledger's own selectors are checked against this engine in tests).

Money is Decimal throughout; floats are refused wherever an amount enters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

AccountType = Literal["asset", "liability", "equity", "income", "expense"]
DEBIT_NORMAL: frozenset[str] = frozenset({"asset", "expense"})
CREDIT_NORMAL: frozenset[str] = frozenset({"liability", "equity", "income"})


def _codes(text: str) -> list[str]:
    return text.split()


# ISO 4217 (list one, current codes with minor units; precious metals, testing codes and funds
# without minor units left out). Every code has 2 minor units unless listed below.
ISO_4217 = frozenset(
    _codes(
        """
        AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
        BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP
        ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR
        ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
        MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
        PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC
        SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND
        VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
        """
    )
)
MINOR_UNITS: Mapping[str, int] = {
    **dict.fromkeys(
        _codes("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"), 0
    ),
    **dict.fromkeys(_codes("BHD IQD JOD KWD LYD OMR TND"), 3),
    **dict.fromkeys(_codes("CLF UYW"), 4),
}
# The database stores amounts with this many decimal places (enough for every code above).
STORED_PLACES = 4
# SQLite keeps a decimal column's value as a 64-bit float (NUMERIC affinity), exact to 15
# significant digits: 11 integer digits and 4 places round-trip exactly on both databases.
MAX_AMOUNT = Decimal("99999999999.9999")


class LedgerMathError(ValueError):
    """An amount or a currency the ledger cannot hold."""


def is_currency(code: str) -> bool:
    return code in ISO_4217


def minor_units(currency: str) -> int:
    if currency not in ISO_4217:
        raise LedgerMathError(f"{currency!r} is not an ISO 4217 currency code.")
    return MINOR_UNITS.get(currency, 2)


def to_amount(value: object, currency: str) -> Decimal:
    """A positive amount in `currency`, exactly as given: never rounded, never a float. An amount
    finer than the currency's minor unit (0.001 USD, 1.5 JPY) is refused, not rounded."""
    if isinstance(value, float):
        raise LedgerMathError("Money is never a float; pass a Decimal or a string.")
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise LedgerMathError(f"Not an amount: {value!r}.")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation as error:
        raise LedgerMathError(f"Not an amount: {value!r}.") from error
    if not amount.is_finite() or amount <= 0:
        raise LedgerMathError("An amount must be a positive number.")
    if amount > MAX_AMOUNT:
        raise LedgerMathError("That amount is too large for the ledger.")
    places = minor_units(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise LedgerMathError(f"{currency} has {places} decimal places; {amount} has more.")
    return amount


def to_minor_units(amount: Decimal, currency: str) -> int:
    """The integer count of minor units a payment provider expects (12.34 USD -> 1234)."""
    return int(to_amount(amount, currency).scaleb(minor_units(currency)))


def from_minor_units(units: int, currency: str) -> Decimal:
    """A provider's integer minor units back to a Decimal amount (1234 USD -> 12.34)."""
    if isinstance(units, bool) or not isinstance(units, int):
        raise LedgerMathError(f"Not a count of minor units: {units!r}.")
    return Decimal(units).scaleb(-minor_units(currency))


def exact(total: Decimal | None, currency: str) -> Decimal:
    """A database sum of amounts, to the currency's minor unit: sums of exact minor units are
    exact minor units, and SQLite's float arithmetic leaves noise far below one (at totals
    under 10^12, and 10^11 is the largest single amount)."""
    places = minor_units(currency) if currency in ISO_4217 else STORED_PLACES
    return (total or Decimal(0)).quantize(Decimal(1).scaleb(-places))


def format_amount(amount: Decimal, currency: str) -> str:
    """`1,234.50 USD` with the currency's own decimal places (never float formatting)."""
    places = minor_units(currency) if currency in ISO_4217 else 2
    quantized = amount.quantize(Decimal(1).scaleb(-places))
    return f"{quantized:,.{places}f} {currency}"


@dataclass(frozen=True)
class Leg:
    """One transfer as plain data: `amount` moves from `credit` to `debit` (account keys)."""

    debit: str
    credit: str
    amount: Decimal


def validate_legs(legs: Iterable[Leg], currency: str) -> list[Leg]:
    """The transfers of one transaction, each with two different accounts and a valid positive
    amount. (The database enforces the same; this gives a readable error first.)"""
    checked = []
    for leg in legs:
        if leg.debit == leg.credit:
            raise LedgerMathError("A transfer needs two different accounts.")
        checked.append(Leg(leg.debit, leg.credit, to_amount(leg.amount, currency)))
    if not checked:
        raise LedgerMathError("A transaction needs at least one transfer.")
    return checked


def signed_balance(account_type: str, debits: Decimal, credits: Decimal) -> Decimal:
    """An account's balance in its normal direction."""
    if account_type in DEBIT_NORMAL:
        return debits - credits
    if account_type in CREDIT_NORMAL:
        return credits - debits
    raise LedgerMathError(f"Unknown account type {account_type!r}.")


def balances(legs: Iterable[Leg], types: Mapping[str, str]) -> dict[str, Decimal]:
    """Every account's normal balance after `legs` (accounts without legs are 0)."""
    debits: dict[str, Decimal] = defaultdict(Decimal)
    credits: dict[str, Decimal] = defaultdict(Decimal)
    for leg in legs:
        debits[leg.debit] += leg.amount
        credits[leg.credit] += leg.amount
    return {key: signed_balance(kind, debits[key], credits[key]) for key, kind in types.items()}


@dataclass(frozen=True)
class Check:
    debits: Decimal
    credits: Decimal
    debit_side: Decimal  # assets + expenses
    credit_side: Decimal  # liabilities + equity + income

    @property
    def balanced(self) -> bool:
        return self.debits == self.credits and self.debit_side == self.credit_side


def check(legs: Iterable[Leg], types: Mapping[str, str]) -> Check:
    """Total debits against total credits, and the accounting equation over `types`' accounts."""
    legs = list(legs)
    totals = balances(legs, types)
    debit_side = sum((v for k, v in totals.items() if types[k] in DEBIT_NORMAL), Decimal(0))
    credit_side = sum((v for k, v in totals.items() if types[k] in CREDIT_NORMAL), Decimal(0))
    return Check(
        debits=sum((leg.amount for leg in legs), Decimal(0)),
        credits=sum((leg.amount for leg in legs), Decimal(0)),
        debit_side=debit_side,
        credit_side=credit_side,
    )


def allocate(total: Decimal, weights: Mapping[str, Decimal], currency: str) -> dict[str, Decimal]:
    """Split `total` among `weights` in proportion, rounded down to the currency's minor unit,
    the remaining minor units handed out by largest remainder (ties by key), so the parts sum to
    `total` exactly. Used for "what a member's contributions paid for"."""
    if isinstance(total, float):
        raise LedgerMathError("Money is never a float.")
    weight_sum = sum(weights.values(), Decimal(0))
    if weight_sum <= 0 or total <= 0:
        return dict.fromkeys(weights, Decimal(0))
    unit = Decimal(1).scaleb(-minor_units(currency))
    exact = {k: total * w / weight_sum for k, w in weights.items()}
    parts = {
        k: (v / unit).to_integral_value(rounding="ROUND_FLOOR") * unit for k, v in exact.items()
    }
    left = int(((total - sum(parts.values(), Decimal(0))) / unit).to_integral_value())
    order = sorted(exact, key=lambda k: (-(exact[k] - parts[k]), k))
    for key in order[: max(left, 0)]:
        parts[key] += unit
    return parts
