"""Avoided terms: every inflection of every word, whole words only, multi-word terms, any case.

"suffers from" also finds "suffered from" and "suffering from"; "commits suicide" finds "committed
suicide"; "crazy" finds "crazier"; "mentally ill" finds "mentally-ill". A word inside another word
("addict" in "addiction"? — that is a different word) is not a match: plain substring matching gave
false alarms in the measurements of ../shared/NLP.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["TermHit", "find_terms", "term_pattern"]

_CONSONANTS = "bcdfghjklmnpqrstvwxz"


def _base_forms(word: str) -> set[str]:
    """The word and the bases it may be an inflection of (so a term written 'suffers' or
    'committed' still finds 'suffer' and 'commits')."""
    w = word.lower()
    bases = {w}
    if len(w) > 4 and w.endswith("ies"):
        bases.add(w[:-3] + "y")
    if len(w) > 4 and w.endswith("ied"):
        bases.add(w[:-3] + "y")
    if len(w) > 3 and w.endswith("es") and w[-3] in "sxzh":
        bases.add(w[:-2])
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        bases.add(w[:-1])
    for suffix in ("ing", "ed"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            stem = w[: -len(suffix)]
            bases.add(stem)
            bases.add(stem + "e")
            if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] in _CONSONANTS:
                bases.add(stem[:-1])
    return bases


def _word_pattern(word: str) -> str:
    alternatives: set[str] = set()
    for base in _base_forms(word):
        if not re.fullmatch(r"[a-z]+", base):
            alternatives.add(re.escape(base))
            continue
        forms = {
            base,
            base + "s",
            base + "es",
            base + "ed",
            base + "ing",
            base + "er",
            base + "ers",
        }
        forms |= {base + "est", base + "'s", base + "’s"}
        if base.endswith("y") and len(base) > 2 and base[-2] in _CONSONANTS:
            root = base[:-1]
            forms |= {root + "ies", root + "ied", root + "ier", root + "iest", root + "ily"}
        if base.endswith("e"):
            root = base[:-1]
            forms |= {root + "ing", base + "d", base + "r", base + "st", base + "rs"}
        short_vowel = len(base) >= 3 and base[-2] in "aeiou" and base[-3] not in "aeiou"
        if short_vowel and base[-1] in _CONSONANTS and base[-1] not in "wxy":
            doubled = base + base[-1]
            forms |= {doubled + "ed", doubled + "ing", doubled + "er", doubled + "est"}
        alternatives |= {re.escape(f) for f in forms}
    return "(?:" + "|".join(sorted(alternatives, key=len, reverse=True)) + ")"


@lru_cache(maxsize=1024)
def term_pattern(term: str) -> re.Pattern[str]:
    """A compiled pattern for `term` and its inflections, whole words, any case; the words of a
    multi-word term may be separated by spaces, hyphens or a line break."""
    parts = [p for p in re.split(r"[\s\-‐–]+", term.strip()) if p]
    body = r"[\s\-‐–]+".join(_word_pattern(p) for p in parts)
    return re.compile(r"(?<![\w'’])" + body + r"(?![\w])", re.IGNORECASE)


@dataclass(frozen=True)
class TermHit:
    term: str
    start: int
    end: int
    found: str


def find_terms(text: str, terms: list[str]) -> list[TermHit]:
    """Every use of each term in `text`, in reading order; a longer term wins an overlap."""
    hits: list[TermHit] = []
    for term in sorted(terms, key=len, reverse=True):
        for match in term_pattern(term).finditer(text):
            if any(h.start < match.end() and match.start() < h.end for h in hits):
                continue
            hits.append(TermHit(term=term, start=match.start(), end=match.end(), found=match[0]))
    return sorted(hits, key=lambda h: h.start)
