"""Concurrent writers in separate processes, released together by a barrier (threads in one
process would hide races). Runs on SQLite (IMMEDIATE transactions) and on PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from cairn.coalitions import services
from cairn.coalitions.models import Invitation, Organization, Role, StaffMember
from cairn.coalitions.services import CoalitionError

pytestmark = pytest.mark.django_db(transaction=True)
WORKERS = 8


def _race(work: Callable[[], object], barrier: Any, results: Any) -> None:
    connections.close_all()  # never share the parent's connection across a fork
    barrier.wait(timeout=30)
    try:
        work()
        results.put("ok")
    except CoalitionError:
        results.put("refused")
    except Exception as error:
        results.put(f"error: {error!r}")
    finally:
        connections.close_all()


def race(work: Callable[[], object]) -> list[str]:
    """Run `work` in WORKERS processes at once; return how each ended."""
    context = mp.get_context("fork")
    barrier, results = context.Barrier(WORKERS), context.Queue()
    connections.close_all()
    processes = [
        context.Process(target=_race, args=(work, barrier, results)) for _ in range(WORKERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    return sorted(results.get(timeout=5) for _ in processes)


def test_an_invitation_accepted_at_once_by_eight_processes_is_used_once(
    coalition, steward, user_factory
):
    # given one invitation and its invitee
    sent = services.invite_staff(
        coalition=coalition,
        email="racer@example.org",
        role=Role.VIEWER,
        invited_by=steward.user,
        site_url="http://testserver/",
    )
    invitee = user_factory(email="racer@example.org")
    # when eight processes accept it at the same moment
    outcomes = race(lambda: services.accept_invitation(invitation=sent.invitation, user=invitee))
    # then exactly one succeeded, the rest were refused cleanly
    assert outcomes == ["ok"] + ["refused"] * (WORKERS - 1)
    assert StaffMember.objects.filter(coalition=coalition, user=invitee).count() == 1
    assert Invitation.objects.get(pk=sent.invitation.pk).accepted_by == invitee


def test_the_same_organization_added_by_eight_processes_exists_once(coalition):
    # when eight stewards add "Harbor House" at the same moment, spelled differently
    outcomes = race(
        lambda: services.add_organization(
            coalition=coalition,
            name="Harbor House" if os.getpid() % 2 else "HARBOR HOUSE",
            sector="nonprofit",
            added_by=None,
        )
    )
    # then one organization exists and the others got a clear refusal, not an error
    assert outcomes == ["ok"] + ["refused"] * (WORKERS - 1)
    assert Organization.objects.for_coalition(coalition).count() == 1
