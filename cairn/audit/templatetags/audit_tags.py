"""How the audit's figures read on a page: shares as percentages, similarity to two places."""

from __future__ import annotations

from typing import Any

from django import template

from cairn.engines import audit as engine

register = template.Library()

_SHARES = {engine.DELIVERY, engine.PARTICIPATION, engine.RECIPROCITY}


def _format(factor: str, value: float | None) -> str:
    if value is None:
        return "—"
    if factor in _SHARES:
        return f"{round(100 * value)}%"
    if factor == engine.SIMILARITY:
        return f"{value:.2f}"
    return str(int(value))


@register.filter
def check_value(check: dict[str, Any]) -> str:
    return _format(check["factor"], check["value"])


@register.filter
def check_threshold(check: dict[str, Any]) -> str:
    factor = check["factor"]
    shown = _format(factor, check["threshold"])
    if factor == engine.ACTIVITY:
        return f"more than {shown}"
    if factor == engine.EVIDENCE:
        return f"at least {shown} of 3"
    return f"at least {shown}"


@register.filter
def check_outcome(check: dict[str, Any]) -> str:
    passed = check["passed"]
    if passed is None:
        return f"not measured{' (' + check['note'] + ')' if check.get('note') else ''}"
    return "met" if passed else "not met"


@register.filter
def class_label(value: str) -> str:
    return engine.CLASS_LABELS.get(value, value or "—")


@register.filter
def decided(check: dict[str, Any], decided_by: list[str]) -> bool:
    return check["factor"] in decided_by


@register.filter
def share(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)}%"


@register.filter
def rate(profile: Any, factor: str) -> float | None:
    value = profile.rate(factor)
    return None if value is None else float(value)


@register.filter
def factor_labels(decided_by: list[str]) -> str:
    """The factors that decided a class, as words ("Decisions voted in; Mission similarity")."""
    return "; ".join(engine.FACTOR_LABELS.get(key, key) for key in decided_by)
