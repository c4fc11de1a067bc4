"""Pages of people at a million rows: a count kept for a minute, deep pages read backwards.

- `COUNT(*)` over a coalition of a million people takes tens to hundreds of milliseconds
  (benchmarks/people_list.py); the count of a query is kept in the cache for `COUNT_SECONDS`, keyed
  by the coalition, whom the viewer may see, the filter and the coalition's latest change (a new,
  changed or newly tagged person makes a new key, so the count follows edits at once).
- `OFFSET` walks every row it skips: a page past the middle is read in the reverse order with the
  smaller offset from the end, then turned around. Every sort key ends with the primary key (a
  total order), so both directions give the same rows. Deep in the list, the page's ids are read
  first through the sort's index alone (on PostgreSQL the name index includes the names for
  that: migration 0006), then the 50 rows by id.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from cairn.coalitions.models import Coalition, StaffMember

from . import selectors
from .models import Person

COUNT_SECONDS = 60
# From this many rows skipped on, a page reads its ids alone first (a deferred join).
DEFERRED_FROM = 1000


def count_key(*, coalition: Coalition, staff: StaffMember | None, criteria: dict[str, Any]) -> str:
    """The cache key of a list's count: what it counts, and the coalition's latest change."""
    latest = (
        Person.objects.for_coalition(coalition)
        .order_by("-modified_at", "-pk")
        .values_list("modified_at", "pk")
        .first()
    )
    parts = [
        coalition.pk,
        selectors.visibility_scope(coalition=coalition, staff=staff),
        criteria,
        [latest[0].isoformat(), latest[1]] if latest else None,
    ]
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return f"people:count:{digest}"


class PeoplePaginator(Paginator):
    """A Paginator whose count may come from the cache, and whose deep pages read backwards."""

    def __init__(
        self, object_list: QuerySet[Person], per_page: int, *, cache_key: str | None = None
    ) -> None:
        super().__init__(object_list, per_page)
        self.people = object_list  # typed: the base class sees any sequence
        self.cache_key = cache_key

    @cached_property
    def count(self) -> int:
        if self.cache_key is None:
            return self.people.count()
        counted = cache.get(self.cache_key)
        if counted is None:
            counted = self.people.count()
            cache.set(self.cache_key, counted, COUNT_SECONDS)
        return int(counted)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if not self.people.ordered:
            return super().page(number)
        if bottom <= self.count // 2:
            return Page(self._rows(self.people, bottom, top), number, self)
        rows = self._rows(self.people.reverse(), self.count - top, self.count - bottom)
        return Page(rows[::-1], number, self)

    @staticmethod
    def _rows(people: QuerySet[Person], start: int, stop: int) -> list[Person]:
        """The rows `start:stop` of `people`. Far from the start, the ids are read first, alone
        (the index holds them: no table row is read for the ones skipped), then their rows."""
        if start < DEFERRED_FROM:
            return list(people[start:stop])
        ids = list(people.values_list("pk", flat=True)[start:stop])
        by_id = {person.pk: person for person in people.filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]
