"""200 retries of one POST with one `Idempotency-Key` at once, from separate processes released by a
barrier (threads in one process would hide races). Runs on SQLite (IMMEDIATE transactions) and
PostgreSQL: the work is done once — one answer is fresh, every other is its replay, byte for byte,
or a clear 409 "in progress" — and one row exists."""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter
from typing import Any

import pytest
from django.db import connections

from cairn.api import services as api_services
from cairn.api.models import IdempotencyKey
from cairn.people.models import EmailAddress, Person
from cairn.petitions.models import Petition, Signature

from .conftest import OsdiClient

pytestmark = pytest.mark.django_db(transaction=True)

PROCESSES = 40
REQUESTS_EACH = 5  # 40 x 5 = 200 retries, the first 40 at the same instant
KEY = "retry-3f1c2a"


def _worker(token: str, path: str, body: dict[str, Any], barrier: Any, results: Any) -> None:
    connections.close_all()  # never share the parent's connection across a fork
    client = OsdiClient(token)
    answers: list[tuple[int, bool, bytes]] = []
    try:
        barrier.wait(timeout=60)
        for _ in range(REQUESTS_EACH):
            response = client.post(path, body, headers={"Idempotency-Key": KEY})
            replayed = response.get("Idempotent-Replayed") == "true"
            answers.append((response.status_code, replayed, response.content))
        results.put(answers)
    except Exception as error:
        results.put([(-1, False, repr(error).encode())])
    finally:
        connections.close_all()


def retry_in_parallel(token: str, path: str, body: dict[str, Any]) -> list[tuple[int, bool, bytes]]:
    """The 200 answers: (status, replayed?, body)."""
    context = mp.get_context("fork")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    connections.close_all()
    processes = [
        context.Process(target=_worker, args=(token, path, body, barrier, results))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    answers: list[tuple[int, bool, bytes]] = []
    for _ in processes:
        answers.extend(results.get(timeout=300))
    for process in processes:
        process.join(timeout=30)
    return answers


def assert_done_once(answers: list[tuple[int, bool, bytes]]) -> None:
    outcomes = Counter((status, replayed) for status, replayed, _ in answers)
    assert len(answers) == PROCESSES * REQUESTS_EACH
    # exactly one answer did the work; every other 200 is its replay, byte for byte
    assert outcomes[(200, False)] == 1, outcomes
    assert set(outcomes) <= {(200, False), (200, True), (409, False)}, outcomes
    fresh = next(body for status, replayed, body in answers if status == 200 and not replayed)
    assert {body for status, _, body in answers if status == 200} == {fresh}
    # and a retry that found the first still at work and waited too long was told so
    busy = {body for status, _, body in answers if status == 409}
    assert len(busy) <= 1
    assert IdempotencyKey.objects.get().status_code == 200


@pytest.fixture
def token(coalition) -> str:
    return api_services.create_token(coalition=coalition, name="race", created_by=None).raw


def test_two_hundred_retries_of_a_signup_make_one_person(token):
    # given a signup of someone new
    body = {
        "person": {
            "given_name": "Ana",
            "family_name": "Lima",
            "email_addresses": [{"address": "ana@example.org"}],
            "custom_fields": {"shirt": "S"},
        },
        "add_tags": [],
    }
    # when 200 retries with one key arrive at once
    answers = retry_in_parallel(token, "/api/v2/people", body)
    # then the work was done once and one person exists
    assert_done_once(answers)
    assert Person.objects.count() == 1
    assert EmailAddress.objects.count() == 1


def test_two_hundred_retries_of_a_signature_make_one_signature(
    token, coalition, membership_factory
):
    # given an open petition
    membership_factory(coalition, name="Owner")
    pid = OsdiClient(token).post("/api/v2/petitions", {"title": "Race"}).json()["identifiers"][0]
    pid = pid.split(":", 1)[1]
    body = {
        "person": {"given_name": "Bo", "email_addresses": [{"address": "bo@example.org"}]},
        "comments": "Fund them",
    }
    # when 200 retries of one signature with one key arrive at once
    answers = retry_in_parallel(token, f"/api/v2/petitions/{pid}/signatures", body)
    # then the work was done once: one person, one signature
    assert_done_once(answers)
    assert Signature.objects.filter(petition_id=pid).count() == 1
    assert Person.objects.count() == 1


def test_two_hundred_retries_of_a_petition_make_one_petition(token, coalition, membership_factory):
    """Creating a petition is not idempotent by itself: only the key keeps this to one."""
    membership_factory(coalition, name="Owner")
    answers = retry_in_parallel(token, "/api/v2/petitions", {"title": "Fund 40 beds"})
    assert_done_once(answers)
    assert Petition.objects.count() == 1
