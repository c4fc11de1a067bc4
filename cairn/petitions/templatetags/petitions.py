from __future__ import annotations

import nh3
from django import template
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def rich(text: str) -> SafeString:
    """Petition text as safe HTML: plain paragraphs, or user HTML sanitized with nh3."""
    if not text:
        return mark_safe("")
    html = text if "<" in text else linebreaks(escape(text))
    return mark_safe(nh3.clean(html))  # noqa: S308 - sanitized by nh3 just above
