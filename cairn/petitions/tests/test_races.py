"""200 signing requests at once, from separate processes released by a barrier (threads in one
process would hide races), many with the same email spelled differently. Runs on SQLite
(IMMEDIATE transactions) and PostgreSQL: exactly one signature per canonical email, and the
public count equals a recount."""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter
from typing import Any

import pytest
from django.core import mail
from django.db import connections
from django.test import Client, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from cairn.engines.emails import canonical_email
from cairn.petitions import services, tasks
from cairn.petitions.models import Petition, Signature

from .conftest import links

pytestmark = pytest.mark.django_db(transaction=True)

PROCESSES = 25
REQUESTS_EACH = 8  # 25 x 8 = 200 requests
PEOPLE = 40
SPELLINGS = (
    "Ana.Lima{n}@gmail.com",
    "analima{n}+petition@gmail.com",
    "ANALIMA{n}@GOOGLEMAIL.COM",
    " analima{n}@gmail.com ",
    "a.n.a.lima{n}+x@gmail.com",
)


def requests_of(worker: int) -> list[tuple[str, str]]:
    """(email, ip) for each request of one worker: 200 in all, 5 spellings of 40 people."""
    result = []
    for k in range(REQUESTS_EACH):
        index = worker * REQUESTS_EACH + k
        person, spelling = index % PEOPLE, index // PEOPLE
        result.append((SPELLINGS[spelling].format(n=person), f"10.0.{worker}.{k + 1}"))
    return result


def _worker(worker: int, slug: str, barrier: Any, results: Any) -> None:
    connections.close_all()  # never share the parent's connection across a fork
    mail.outbox = []
    client = Client()
    statuses: Counter[str] = Counter()
    try:
        barrier.wait(timeout=60)
        for email, ip in requests_of(worker):
            response = client.post(
                reverse("petitions_public:sign", kwargs={"petition_slug": slug}),
                {"name": "Ana Lima", "email": email, "postal_code": "46201", "country": "US"},
                REMOTE_ADDR=ip,
            )
            statuses[f"sign {response.status_code}"] += 1
        # every link this process received is clicked twice: once counts, once "already"
        for message in list(mail.outbox):
            for path in links(message):
                for _ in range(2):
                    statuses[f"confirm {client.get(path).status_code}"] += 1
        results.put(dict(statuses))
    except Exception as error:
        results.put({f"error: {error!r}": 1})
    finally:
        connections.close_all()


def sign_in_parallel(petition: Petition) -> Counter[str]:
    """200 requests at once, with 40 people each spelling their email 5 ways: the outcomes."""
    context = mp.get_context("fork")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    connections.close_all()
    processes = [
        context.Process(target=_worker, args=(n, petition.slug, barrier, results))
        for n in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes: Counter[str] = Counter()
    for _ in processes:
        outcomes.update(results.get(timeout=180))
    for process in processes:
        process.join(timeout=30)
    return outcomes


def test_two_hundred_parallel_signatures_leave_one_per_canonical_email(petition):
    # given an open petition
    assert petition.status == Petition.Status.OPEN
    # when 200 requests sign it at once, with 40 people each spelling their email 5 ways
    outcomes = sign_in_parallel(petition)
    # then every request was answered (a redirect to the thank-you page), none failed
    assert outcomes["sign 302"] == PROCESSES * REQUESTS_EACH, outcomes
    assert not [key for key in outcomes if key.startswith("error")], outcomes
    # and there is exactly one signature per canonical email
    rows = list(Signature.objects.filter(petition=petition))
    canonicals = Counter(row.canonical_email for row in rows)
    assert len(rows) == PEOPLE
    assert set(canonicals.values()) == {1}
    assert set(canonicals) == {canonical_email(SPELLINGS[0].format(n=n)) for n in range(PEOPLE)}
    # and each link counted once: the count equals a recount
    assert outcomes["confirm 200"] == 2 * PEOPLE
    assert services.current_count(petition) == PEOPLE
    assert services.recount_petition(petition=petition) == (PEOPLE, PEOPLE)


def test_with_database_tasks_each_new_signature_queues_its_email_once(petition):
    """The production task backend: on PostgreSQL the signing statement writes the task row."""
    # given the database task backend (the workers inherit the setting when forked)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        # when 200 requests sign at once
        outcomes = sign_in_parallel(petition)
    # then all were answered, one signature per canonical email
    assert outcomes["sign 302"] == PROCESSES * REQUESTS_EACH, outcomes
    rows = list(Signature.objects.filter(petition=petition))
    assert len(rows) == PEOPLE
    # and exactly one "new signature" email task per signature, naming it by its referral code
    new = DBTaskResult.objects.filter(
        task_path=tasks.send_new_signature_confirmation.module_path
    ).values_list("args_kwargs", flat=True)
    assert sorted(args["args"][0] for args in new) == sorted(row.ref_code for row in rows)
