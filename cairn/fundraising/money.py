"""Money at the provider boundary: Decimal amounts in, a provider's integer minor units out.

Cairn keeps every amount as a Decimal in the currency's major unit; only a payment provider's API
speaks minor units (cents, öre), and only through these two functions. No floats anywhere.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 currencies without a minor unit that Stripe accepts (its "zero-decimal" list).
ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
     "XAF", "XOF", "XPF"}
)  # fmt: skip


def exponent(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL else 2


def quantize(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded (half up) to the currency's minor unit."""
    return amount.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    """Decimal major units → the provider's integer minor units (exact after `quantize`)."""
    return int(quantize(amount, currency).scaleb(exponent(currency)))


def from_minor(units: int, currency: str) -> Decimal:
    return Decimal(int(units)).scaleb(-exponent(currency))


def fee_for(amount: Decimal, *, rate_percent: Decimal, fixed: Decimal, currency: str) -> Decimal:
    """What a donor adds to cover the processing fee so that `amount` arrives in full:
    (amount + fixed) / (1 - rate) - amount, rounded up to the minor unit."""
    if rate_percent <= 0 and fixed <= 0:
        return Decimal(0)
    rate = rate_percent / Decimal(100)
    gross = (amount + fixed) / (Decimal(1) - rate)
    step = Decimal(1).scaleb(-exponent(currency))
    fee = gross - amount
    return (fee / step).to_integral_value(rounding="ROUND_CEILING") * step
