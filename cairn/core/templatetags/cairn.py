from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent(share: float | Decimal | None) -> int:
    """A share in [0, 1] as a whole percentage, clamped to [0, 100]."""
    if share is None:
        return 0
    return max(0, min(100, round(float(share) * 100)))


@register.filter
def bar_width(value: float | Decimal | str | None) -> int:
    """A percentage as the whole number of a `.pct-N` width class: rounded, clamped to [0, 100]."""
    try:
        number = float(value or 0)
    except (TypeError, ValueError):
        return 0
    return max(0, min(100, round(number)))


@register.filter
def quantity(value: Decimal | None) -> str:
    """A quantity without trailing zeros, with thousands separators: 1500.00 → "1,500"."""
    if value is None:
        return "0"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,.2f}"
