"""Concurrent voters in separate processes, released together by a barrier. Runs on SQLite
(IMMEDIATE transactions) and on PostgreSQL (row locks on the proposal and the log head)."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from cairn.coalitions.models import Role
from cairn.governance import selectors, services
from cairn.governance.models import LogEntry, Vote
from cairn.governance.services import GovernanceError

pytestmark = pytest.mark.django_db(transaction=True)
WORKERS = 8


def _run(work: Callable[[int], object], index: int, barrier: Any, results: Any) -> None:
    connections.close_all()  # never share the parent's connection across a fork
    barrier.wait(timeout=30)
    try:
        work(index)
        results.put("ok")
    except GovernanceError:
        results.put("refused")
    except Exception as error:
        results.put(f"error: {error!r}")
    finally:
        connections.close_all()


def race(work: Callable[[int], object]) -> list[str]:
    context = mp.get_context("fork")
    barrier, results = context.Barrier(WORKERS), context.Queue()
    connections.close_all()
    processes = [
        context.Process(target=_run, args=(work, i, barrier, results)) for i in range(WORKERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    return sorted(results.get(timeout=5) for _ in processes)


def _opened(group: Any, **kwargs: Any) -> Any:
    proposal = services.create_proposal(
        coalition=group.coalition,
        template="majority",
        title="Race",
        closes_at=timezone.now() + dt.timedelta(days=1),
        created_by=None,
        **kwargs,
    )
    return services.open_proposal(proposal=proposal, by=None, schedule_ticks=False)


def test_eight_organizers_of_one_organization_leave_one_vote(assembly_factory, staff_factory):
    # given one organization with eight organizers
    group = assembly_factory(members=2)
    organizers = [group.organizers[0]] + [
        staff_factory(group.coalition, Role.ORGANIZER, membership=group.members[0])
        for _ in range(WORKERS - 1)
    ]
    proposal = _opened(group)
    # when all eight vote at the same moment
    outcomes = race(
        lambda i: services.cast_vote(
            proposal=proposal,
            staff=organizers[i],
            ballot={"position": "agree" if i % 2 else "disagree"},
        )
    )
    # then the organization has one vote, changed seven times, and the log still verifies
    assert outcomes == ["ok"] * WORKERS
    vote = Vote.objects.get(proposal=proposal)
    assert vote.changes == WORKERS - 1
    assert selectors.results(proposal=proposal).voters == 1
    verification = selectors.verify_log(coalition=group.coalition)
    assert verification.ok
    assert verification.checked == 2 + WORKERS


def test_eight_organizations_voting_at_once_extend_one_unbroken_chain(assembly_factory):
    group = assembly_factory(members=WORKERS)
    proposal = _opened(group)
    outcomes = race(
        lambda i: services.cast_vote(
            proposal=proposal, staff=group.organizers[i], ballot={"position": "agree"}
        )
    )
    assert outcomes == ["ok"] * WORKERS
    seqs = list(
        LogEntry.objects.for_coalition(group.coalition)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == list(range(1, 2 + WORKERS + 1))
    assert selectors.verify_log(coalition=group.coalition).ok


def test_an_anonymous_ballot_cast_eight_times_at_once_counts_once(assembly_factory, staff_factory):
    group = assembly_factory(members=2)
    organizers = [group.organizers[0]] + [
        staff_factory(group.coalition, Role.ORGANIZER, membership=group.members[0])
        for _ in range(WORKERS - 1)
    ]
    proposal = _opened(group, anonymous=True)
    outcomes = race(
        lambda i: services.cast_vote(
            proposal=proposal, staff=organizers[i], ballot={"position": "agree"}
        )
    )
    assert outcomes == ["ok"] + ["refused"] * (WORKERS - 1)
    assert Vote.objects.filter(proposal=proposal).count() == 1
