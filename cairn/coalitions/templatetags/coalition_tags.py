from __future__ import annotations

from django import template

from cairn.coalitions.models import Commitment

register = template.Library()


@register.filter
def kind_label(kind: str) -> str:
    """The display name of a commitment kind ("staff_time" → "Staff time")."""
    try:
        return str(Commitment.Kind(kind).label)
    except ValueError:
        return kind
