"""Counted nouns for messages built outside templates: "1 entry", "2 entries"."""

from __future__ import annotations


def counted(n: int, one: str, many: str) -> str:
    """`n` with the noun that agrees with it, thousands separated ("1,204 entries")."""
    return f"{n:,} {one if n == 1 else many}"
