"""The bridge from the power map's rows to the graph engine (`cairn.engines.graph`).

- `request_recompute(coalition)`: every graph write (P1's services, the importer) calls it inside
  its transaction. It marks the coalition's graph as changed and, on commit, enqueues one
  recompute task. Requests coalesce: many writes in one transaction register one callback, and
  while a run is queued and not yet started no second run is enqueued (the queued run will read
  the graph as it is when it starts). A run that was claimed more than `STALE_QUEUE` ago and never
  started (a lost worker) no longer blocks a new one.
- `recompute_figures(coalition)`, `latest_figures`, `path_to_target`, `prospects_for_campaign`,
  `diversity`: see their docstrings (they land with the figures models).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from cairn.coalitions.models import Coalition

STALE_QUEUE = dt.timedelta(minutes=15)


def request_recompute(coalition: Coalition) -> None:
    """Mark the coalition's graph changed and enqueue its recompute once the transaction commits.

    Calling it many times in one transaction registers one callback; outside a transaction the
    callback runs at once (Django's on_commit semantics)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _savepoints, func, _robust in connection.run_on_commit:
            if (
                isinstance(func, partial)
                and func.func is _mark_changed_and_enqueue
                and func.args == (coalition.pk,)
            ):
                return
    transaction.on_commit(partial(_mark_changed_and_enqueue, coalition.pk))


def _mark_changed_and_enqueue(coalition_id: int) -> None:
    try:
        from .models import GraphState  # type: ignore[attr-defined,import-not-found,unused-ignore]
        from .tasks import recompute_figures_task  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # until the figures models land (second migration): nothing to store
        return
    now = timezone.now()
    state = GraphState.objects.filter(coalition_id=coalition_id)
    if not state.update(changed_at=now):
        try:
            with transaction.atomic():
                GraphState.objects.create(coalition_id=coalition_id, changed_at=now)
        except IntegrityError:  # another writer created it first
            state.update(changed_at=now)
    claimed = state.filter(queued_at__isnull=True).update(queued_at=now) or state.filter(
        queued_at__lt=now - STALE_QUEUE
    ).update(queued_at=now)
    if claimed:
        recompute_figures_task.enqueue(coalition_id)
