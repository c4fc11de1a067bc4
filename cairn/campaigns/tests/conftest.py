"""Campaign factories: a campaign with one objective per direction, built through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone

from cairn.campaigns import services
from cairn.campaigns.models import Campaign, Direction, Objective
from cairn.coalitions.models import Coalition


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def campaign_factory(db: None) -> Callable[..., Campaign]:
    def make(coalition: Coalition, *, name: str = "Fund the beds") -> Campaign:
        return services.create_campaign(
            coalition=coalition,
            name=name,
            theory_of_change="If we show the cost, they fund the beds.",
            starts_on=days(-100),
            ends_on=days(200),
            created_by=None,
        )

    return make


@pytest.fixture
def objective_factory(db: None) -> Callable[..., Objective]:
    def make(campaign: Campaign, *, direction: str = Direction.UP, **kw: object) -> Objective:
        up = direction == Direction.UP
        fields: dict[str, object] = {
            "statement": "More beds" if up else "Faster help",
            "metric": "Beds per 100,000" if up else "Median response time",
            "unit": "beds" if up else "minutes",
            "direction": direction,
            "baseline_value": Decimal("10") if up else Decimal("20"),
            "baseline_on": days(-90),
            "baseline_source": "State census",
            "target_value": Decimal("20") if up else Decimal("10"),
            "deadline": days(100),
            **kw,
        }
        return services.add_objective(campaign=campaign, **fields)  # type: ignore[arg-type]

    return make


@pytest.fixture
def campaign(coalition: Coalition, campaign_factory: Callable[..., Campaign]) -> Campaign:
    return campaign_factory(coalition)
