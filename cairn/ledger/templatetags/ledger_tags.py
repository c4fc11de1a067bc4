from __future__ import annotations

from decimal import Decimal

from django import template

from cairn.engines.ledger import format_amount

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str) -> str:
    """`1,234.50 USD`, with the currency's own decimal places."""
    return format_amount(value if value is not None else Decimal(0), currency)


@register.filter
def percent_of(value: Decimal, whole: Decimal) -> int:
    """A whole percentage of `whole` (0 when there is nothing), for bars."""
    if not whole or whole <= 0:
        return 0
    return max(0, min(100, int(value * 100 / whole)))
