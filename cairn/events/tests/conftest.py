"""Fixtures of the events tests: a coalition with a host member, and an event maker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership
from cairn.events import services
from cairn.events.models import Event
from cairn.people.services import EmailInput, PersonData


def person(n: int | str, given: str = "Ana") -> PersonData:
    return PersonData(
        given_name=f"{given}{n}",
        family_name="Lima",
        emails=[EmailInput(address=f"ana{n}@example.org", primary=True)],
    )


@pytest.fixture
def host(coalition: Coalition, membership_factory: Callable[..., Membership]) -> Membership:
    return membership_factory(coalition, name="Tenants United")


@pytest.fixture
def event_factory(coalition: Coalition, host: Membership) -> Callable[..., Event]:
    def make(**fields: Any) -> Event:
        fields.setdefault("title", "Lobby day")
        fields.setdefault("starts_at", timezone.now() + dt.timedelta(days=7))
        fields.setdefault("time_zone", "America/New_York")
        fields.setdefault("host", host)
        return services.create_event(
            coalition=fields.pop("coalition", coalition), by=None, **fields
        )

    return make
