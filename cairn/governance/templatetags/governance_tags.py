"""`{% decisions_behind obj as rows %}`: any page can show the decisions that authorized `obj`."""

from __future__ import annotations

from django import template
from django.db import models

from cairn.governance import selectors
from cairn.governance.models import Authorization

register = template.Library()


@register.simple_tag
def decisions_behind(obj: models.Model) -> list[Authorization]:
    return list(selectors.decisions_behind(obj))


@register.inclusion_tag("governance/_decisions_behind.html")
def decision_links(obj: models.Model) -> dict[str, object]:
    """A short list of links to the outcomes that authorized `obj` (nothing when none did)."""
    return {"rows": list(selectors.decisions_behind(obj))}


@register.filter
def event_label(event: str) -> str:
    """A log event in words ("vote_changed" → "Vote changed")."""
    return selectors.EVENT_LABELS.get(event, event)
