"""Concurrent writers in separate processes, released together by a barrier: the database keeps
one tie per kind, one stakeholder per member organization and one merge of a duplicate. Runs on
SQLite (IMMEDIATE transactions) and on PostgreSQL (unique constraints, row locks)."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from cairn.powermap import services
from cairn.powermap.models import Relationship, Stakeholder, StakeholderMerge
from cairn.powermap.services import PowermapError

pytestmark = pytest.mark.django_db(transaction=True)
WORKERS = 6


def _run(work: Callable[[int], object], index: int, barrier: Any, results: Any) -> None:
    connections.close_all()  # never share the parent's connection across a fork
    barrier.wait(timeout=30)
    try:
        work(index)
        results.put("ok")
    except PowermapError:
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


def test_the_same_alliance_recorded_at_once_from_both_ends_is_kept_once(
    coalition, stakeholder_factory
):
    a, b = stakeholder_factory(coalition), stakeholder_factory(coalition)
    outcomes = race(
        lambda i: services.add_relationship(
            source=a if i % 2 else b,
            target=b if i % 2 else a,
            kind="allied_with",
            evidence=f"Letter {i}",
            by=None,
        )
    )
    assert outcomes == ["ok"] + ["refused"] * (WORKERS - 1)
    assert Relationship.objects.count() == 1


def test_a_member_organizations_stakeholder_is_made_once(coalition, membership_factory):
    organization = membership_factory(coalition, name="Harbor House").organization
    outcomes = race(
        lambda i: services.ensure_stakeholder_for_organization(organization=organization)
    )
    assert outcomes == ["ok"] * WORKERS
    assert Stakeholder.objects.filter(organization=organization).count() == 1
    assert Stakeholder.objects.count() == 1


def test_a_duplicate_merged_by_several_stewards_at_once_is_merged_once(
    coalition, stakeholder_factory, relationship_factory
):
    kept, copy, funder = (stakeholder_factory(coalition) for _ in range(3))
    relationship_factory(funder, copy, "funds")
    outcomes = race(lambda i: services.merge_stakeholders(kept=kept, duplicate=copy, by=None))
    assert outcomes == ["ok"] + ["refused"] * (WORKERS - 1)
    assert StakeholderMerge.objects.count() == 1
    assert list(Relationship.objects.values_list("source_id", "target_id")) == [
        (funder.pk, kept.pk)
    ]
