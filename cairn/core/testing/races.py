"""Concurrent writers in separate processes, released together by a barrier (threads in one
process would hide races). Works on SQLite (IMMEDIATE transactions) and on PostgreSQL; use it in
a test marked `django_db(transaction=True)`, so that the writers see committed rows.

    outcomes = race(lambda i: sign(...), workers=8, refusals=(PetitionError,))
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == 7

`work` gets the worker's index (0 … workers - 1). Each worker ends as "ok", "refused" (it raised
one of `refusals`, the domain's own error) or "error: …" (anything else, which a test should
treat as a failure). Large races (200 retries of one request) run in `workers` processes, each
calling `work` `rounds` times, so a 2-core machine is not asked to fork 200 processes.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from typing import Any

from django.db import connections


def _worker(
    work: Callable[[int], object],
    index: int,
    rounds: int,
    refusals: tuple[type[BaseException], ...],
    barrier: Any,
    results: Any,
) -> None:
    connections.close_all()  # never share the parent's connection across a fork
    barrier.wait(timeout=60)
    try:
        for round_ in range(rounds):
            try:
                work(index * rounds + round_)
                results.put("ok")
            except refusals:
                results.put("refused")
            except Exception as error:
                results.put(f"error: {error!r}")
    finally:
        connections.close_all()


def race(
    work: Callable[[int], object],
    *,
    workers: int = 8,
    rounds: int = 1,
    refusals: tuple[type[BaseException], ...] = (),
    timeout: float = 120,
) -> list[str]:
    """Run `work` `workers × rounds` times from `workers` processes at once; return how each
    call ended, sorted."""
    context = mp.get_context("fork")
    barrier, results = context.Barrier(workers), context.Queue()
    connections.close_all()
    processes = [
        context.Process(target=_worker, args=(work, i, rounds, refusals, barrier, results))
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=timeout) for _ in range(workers * rounds)]
    for process in processes:
        process.join(timeout=timeout)
    return sorted(outcomes)
