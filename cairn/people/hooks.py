"""What other apps do when a person is merged or erased.

The people app owns supporters, but other apps keep rows about a person (a signature, a donation, an
attendance). Each registers its hooks here from its `AppConfig.ready`, so that a merge moves those
rows to the person kept and an erasure removes the personal data in them, without the people app
importing any of them. Hooks run inside the merge's or erasure's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Person


@dataclass(frozen=True)
class PersonHooks:
    name: str  # the key under which an erasure record counts what this app removed
    # (kept, merged) → rows moved from the merged person to the kept one
    merge: Callable[[Person, Person], int]
    # (person, their canonical emails) → rows whose personal data were removed
    erase: Callable[[Person, frozenset[str]], int]


_HOOKS: dict[str, PersonHooks] = {}


def register(hooks: PersonHooks) -> None:
    _HOOKS[hooks.name] = hooks


def registered() -> list[PersonHooks]:
    return list(_HOOKS.values())
