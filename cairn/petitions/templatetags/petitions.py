from __future__ import annotations

import re

import nh3
from django import template
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Tags that load something from elsewhere when the page is shown: an <img> in petition text
# would fetch a third-party image (and tell its owner who reads the petition) for every signer.
# The coalition has no media library of its own, so petition text shows no images at all.
LOADING_TAGS = frozenset({"img", "area", "map"})
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS) - LOADING_TAGS
_TAG_NAMES = "|".join(sorted(nh3.ALLOWED_TAGS, key=len, reverse=True))
# Something that is really markup: an allowed tag's opening or closing, not "waits < 1 hour".
_MARKUP = re.compile(rf"</?(?:{_TAG_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE)
# Markup that makes its own paragraphs; text without any is given paragraphs from blank lines.
_BLOCKS = re.compile(
    r"</?(?:p|div|ul|ol|li|dl|h[1-6]|blockquote|pre|table|figure|article|aside|details"
    r"|header|footer|section|hr|br)\b",
    re.IGNORECASE,
)


def rich_html(text: str) -> str:
    """Petition text as sanitized HTML with the same paragraphs whether it is plain or marked up.

    Plain text (a `<` that starts no tag included) is escaped and split into paragraphs at blank
    lines; text with inline markup only is split the same way, its markup kept; text with its
    own paragraphs (block tags) is kept as written. nh3 sanitizes the result in every case.
    """
    if not text:
        return ""
    if _MARKUP.search(text) is None:
        html = linebreaks(escape(text))
    elif _BLOCKS.search(text) is None:
        html = linebreaks(text, autoescape=False)
    else:
        html = text
    return nh3.clean(html, tags=set(ALLOWED_TAGS))


@register.filter
def rich(text: str) -> SafeString:
    """Petition text as safe HTML (see rich_html)."""
    return mark_safe(rich_html(text))  # noqa: S308 - sanitized by nh3 in rich_html
