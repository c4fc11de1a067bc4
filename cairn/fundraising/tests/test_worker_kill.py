"""A web worker killed with SIGKILL in the middle of a webhook loses and doubles nothing.

The worker is a separate process (forked from the test, so it starts in milliseconds) serving the
real application over HTTP; it receives Stripe's signed `checkout.session.completed` for a
pending donation and is stopped dead at one of three points, then a fresh worker gets the event
again (Stripe redelivers an event that got no 2xx answer) and a third copy after it:

- `stored`: the event row is inserted and locked, nothing applied yet (uncommitted);
- `ledger`: the donation is marked succeeded and its ledger transaction written (uncommitted);
- `answered`: everything committed, the worker dies before it answers.

After the restart the donation changed state exactly once (the event's outcome is the first
application's, "succeeded"), the pooled fund holds exactly one balanced transaction for it, and
there is one event row. Before the restart, the first two points left no trace at all (the
transaction died with the worker). Runs on SQLite and, with DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.urls import reverse

from cairn.fundraising import accounting, providers, services
from cairn.fundraising.models import Donation, FundraisingPage, ProviderEvent
from cairn.fundraising.providers.fake_stripe import FakeStripe
from cairn.ledger.models import Entry, LedgerTransaction
from cairn.people.services import EmailInput, PersonData

pytestmark = pytest.mark.django_db(transaction=True)

POINTS = ("stored", "ledger", "answered")


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _pause(reached: Any) -> None:
    reached.send("paused")
    while True:  # until SIGKILL
        time.sleep(60)


def _worker(point: str | None, ready: Any) -> None:
    """A web worker: the application over HTTP on a free port; with `point`, it stops there."""
    connections.close_all()  # never share the parent's connection across a fork
    if point == "stored":
        apply = services._apply

        def paused_apply(update: Any) -> Any:
            _pause(ready)
            return apply(update)

        services._apply = paused_apply
    elif point == "ledger":
        post_succeeded = accounting.post_succeeded

        def paused_post(donation: Donation) -> Any:
            result = post_succeeded(donation)
            _pause(ready)
            return result

        accounting.post_succeeded = paused_post
    elif point == "answered":
        handle = services.handle_provider_event

        def paused_handle(**kwargs: Any) -> Any:
            result = handle(**kwargs)
            _pause(ready)
            return result

        services.handle_provider_event = paused_handle
    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=_Quiet)
    ready.send(server.server_address[1])
    server.serve_forever()


class Worker:
    def __init__(self, point: str | None = None) -> None:
        context = mp.get_context("fork")
        self.parent, child = context.Pipe()
        connections.close_all()
        self.process = context.Process(target=_worker, args=(point, child), daemon=True)
        self.process.start()
        if not self.parent.poll(30):
            raise AssertionError("the worker did not start")
        self.port = int(self.parent.recv())

    def post(self, path: str, payload: bytes, signature: str, timeout: float = 30) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Content-Type": "application/json", "Stripe-Signature": signature}
            conn.request("POST", path, body=payload, headers=headers)
            return conn.getresponse().status
        finally:
            conn.close()

    def kill(self) -> None:
        os.kill(self.process.pid or 0, signal.SIGKILL)
        self.process.join(timeout=30)

    def stop(self) -> None:
        if self.process.is_alive():
            self.kill()


@pytest.fixture
def fake(settings) -> Iterator[FakeStripe]:
    settings.CAIRN_PAYMENTS = "fake"
    settings.CAIRN_SITE_URL = "http://testserver"
    fake = FakeStripe(webhook_secret="whsec_kill_test").start()
    providers.use_fake(fake)
    yield fake
    providers.use_fake(None)
    fake.stop()


@pytest.fixture
def paid(coalition, fake) -> dict[str, tuple[Donation, bytes, str]]:
    """For each kill point, a pending card donation whose donor has just paid, and the event
    Stripe sends about it."""
    page = services.create_page(
        coalition=coalition, title="Beds", by=None, status=FundraisingPage.Status.OPEN
    )
    events = {}
    for point in POINTS:
        start = services.start_donation(
            page=page,
            person=PersonData(given_name="Ana", emails=[EmailInput(f"{point}@example.org")]),
            amount=Decimal("25.00"),
            idempotency_key=f"kill-test-{point}",
        )
        (payload, signature), *_ = fake.complete_checkout(
            start.donation.provider_checkout_id, deliver=False
        )
        events[point] = (start.donation, payload, signature)
    return events


def _ledger(donation: Donation) -> list[tuple[str, Decimal]]:
    rows = LedgerTransaction.objects.filter(source__startswith=f"donation:{donation.pk}:")
    return [
        (t.source, sum((e.amount for e in Entry.objects.filter(transaction=t)), Decimal(0)))
        for t in rows
    ]


def _kill_at(point: str, path: str, payload: bytes, signature: str) -> None:
    """A worker gets the event and is killed at `point` (kill -9: no cleanup, no answer)."""
    doomed = Worker(point)
    try:
        sender = threading.Thread(
            target=_ignore_errors, args=(doomed.post, path, payload, signature), daemon=True
        )
        sender.start()
        assert doomed.parent.poll(60), f"the worker never reached {point}"
        assert doomed.parent.recv() == "paused"
        doomed.kill()
        sender.join(timeout=30)
    finally:
        doomed.stop()


def test_a_worker_killed_mid_webhook_loses_and_doubles_nothing(paid):
    path = reverse("fundraising_public:stripe_webhook")
    for point in POINTS:
        donation, payload, signature = paid[point]
        # given a worker killed at `point` while it processes the event
        _kill_at(point, path, payload, signature)
        if point != "answered":
            # then what it had begun died with it: nothing half-written
            donation.refresh_from_db()
            assert donation.status == Donation.Status.PENDING, point
            event_id = json.loads(payload)["id"]
            assert not ProviderEvent.objects.filter(event_id=event_id).exists(), point
            assert _ledger(donation) == [], point
        # when Stripe redelivers to a restarted worker, and once more after that
        fresh = Worker()
        try:
            assert fresh.post(path, payload, signature) == 200, point
            assert fresh.post(path, payload, signature) == 200, point
        finally:
            fresh.stop()
        # then the donation changed once, and the fund holds it once
        donation.refresh_from_db()
        assert donation.status == Donation.Status.SUCCEEDED, point
        event = ProviderEvent.objects.get(donation=donation)
        assert event.processed_at is not None
        assert event.outcome == "succeeded", point  # the first application's, not a repeat's
        assert _ledger(donation) == [(f"donation:{donation.pk}:succeeded", Decimal("25.00"))]
    assert ProviderEvent.objects.count() == len(POINTS)
    assert Donation.objects.count() == len(POINTS)


def _ignore_errors(post: Any, *args: Any) -> None:
    with contextlib.suppress(OSError):  # the worker died: the connection resets, as Stripe sees
        post(*args)
