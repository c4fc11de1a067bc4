"""Likely duplicate supporters: the same phone number, or a similar name at the same postal code.

Blocking keeps this near-linear: only records sharing a phone number or a postal code are
compared, and names are compared with difflib's ratio on a normalized form (case, accents,
punctuation and word order ignored). Canonical emails need no check: the database already
holds at most one person per canonical email.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations

NAME_SIMILARITY = 0.85
MAX_BLOCK = 200  # a postal code shared by more people than this is too coarse to compare within


@dataclass(frozen=True, slots=True)
class PersonKey:
    id: Hashable
    name: str
    phones: Sequence[str] = ()
    postal_codes: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    a: Hashable
    b: Hashable
    reasons: tuple[str, ...] = field(default=())


def normalized_name(name: str) -> str:
    """Lower case, no accents or punctuation, words sorted: "Lopes, Ána" → "ana lopes"."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(sorted(letters.lower().split()))


def name_similarity(a: str, b: str) -> float:
    """Similarity of two names in [0, 1], after normalization."""
    left, right = normalized_name(a), normalized_name(b)
    if not left or not right:
        return 0.0
    return SequenceMatcher(None, left, right).ratio()


def find_duplicates(people: Iterable[PersonKey]) -> list[DuplicatePair]:
    """Pairs of likely duplicates with their reasons, each pair once, ordered by id."""
    records = {p.id: p for p in people}
    by_phone: dict[str, list[Hashable]] = defaultdict(list)
    by_postal: dict[str, list[Hashable]] = defaultdict(list)
    for person in records.values():
        for phone in set(person.phones):
            if phone:
                by_phone[phone].append(person.id)
        for code in set(person.postal_codes):
            key = code.replace(" ", "").upper()
            if key:
                by_postal[key].append(person.id)
    reasons: dict[tuple[Hashable, Hashable], list[str]] = defaultdict(list)

    def pair(a: Hashable, b: Hashable) -> tuple[Hashable, Hashable]:
        return (a, b) if str(a) < str(b) else (b, a)

    for phone, ids in by_phone.items():
        for a, b in combinations(ids, 2):
            reasons[pair(a, b)].append(f"same phone {phone}")
    for code, ids in by_postal.items():
        if len(ids) > MAX_BLOCK:
            continue
        for a, b in combinations(ids, 2):
            score = name_similarity(records[a].name, records[b].name)
            if score >= NAME_SIMILARITY:
                reasons[pair(a, b)].append(f"similar name ({score:.0%}) at postal code {code}")
    return [
        DuplicatePair(a=a, b=b, reasons=tuple(r))
        for (a, b), r in sorted(
            reasons.items(), key=lambda item: (str(item[0][0]), str(item[0][1]))
        )
    ]
