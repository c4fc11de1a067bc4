"""Fixtures of the fundraising tests: one local fake of Stripe for the session, open pages, and
a helper that delivers the fake's signed webhooks to `handle_provider_event`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from cairn.coalitions.models import Coalition
from cairn.fundraising import services
from cairn.fundraising.models import FundraisingPage
from cairn.fundraising.providers import use_fake
from cairn.fundraising.providers.fake_stripe import FakeStripe
from cairn.fundraising.services import EventResult
from cairn.people.services import EmailInput, PersonData


@pytest.fixture(scope="session")
def fake_stripe_server() -> Iterator[FakeStripe]:
    fake = FakeStripe(webhook_secret="whsec_test_cairn").start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_stripe(
    fake_stripe_server: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeStripe]:
    """Card payments through the fake (events kept in its outbox for `deliver`)."""
    monkeypatch.setenv("CAIRN_PAYMENTS", "fake")
    monkeypatch.delenv("CAIRN_STRIPE_API_BASE", raising=False)
    fake_stripe_server.webhook_url = ""
    fake_stripe_server.take_outbox()
    use_fake(fake_stripe_server)
    yield fake_stripe_server
    use_fake(None)


@pytest.fixture(autouse=True)
def _on_commit_runs_at_once(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests run in a transaction that never commits: run on-commit work (emails) at once."""
    from django.db import transaction

    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def page_factory(coalition: Coalition) -> Callable[..., FundraisingPage]:
    def make(**fields: Any) -> FundraisingPage:
        fields.setdefault("status", FundraisingPage.Status.OPEN)
        fields.setdefault("goal", Decimal("10000"))
        fields.setdefault("suggested_amounts", ["10", "25", "50"])
        return services.create_page(
            coalition=fields.pop("coalition", coalition),
            title=fields.pop("title", "Fund 40 crisis beds"),
            by=None,
            **fields,
        )

    return make


@pytest.fixture
def page(page_factory: Callable[..., FundraisingPage], fake_stripe: FakeStripe) -> FundraisingPage:
    return page_factory()


def donor(email: str = "ana@example.org", given: str = "Ana") -> PersonData:
    return PersonData(given_name=given, family_name="Lima", emails=[EmailInput(email)])


@pytest.fixture
def deliver(fake_stripe: FakeStripe) -> Callable[[], list[EventResult]]:
    """Deliver every event waiting in the fake's outbox, in order."""

    def run() -> list[EventResult]:
        return [
            services.handle_provider_event(provider="stripe", payload=payload, signature=sig)
            for payload, sig in fake_stripe.take_outbox()
        ]

    return run
