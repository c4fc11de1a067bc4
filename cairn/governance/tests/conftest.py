"""Fixtures for decisions: a coalition with active members, each with an organizer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership, Role, StaffMember
from cairn.governance import services
from cairn.governance.models import Proposal


@dataclass
class Assembly:
    coalition: Coalition
    steward: StaffMember
    members: list[Membership]
    organizers: list[StaffMember]  # organizers[i] acts for members[i]


@pytest.fixture
def assembly_factory(
    coalition_factory: Any,
    membership_factory: Callable[..., Membership],
    staff_factory: Callable[..., StaffMember],
) -> Callable[..., Assembly]:
    def make(members: int = 4) -> Assembly:
        coalition = coalition_factory()
        steward = staff_factory(coalition, Role.STEWARD)
        memberships = [membership_factory(coalition) for _ in range(members)]
        organizers = [staff_factory(coalition, Role.ORGANIZER, membership=m) for m in memberships]
        return Assembly(coalition, steward, memberships, organizers)

    return make


@pytest.fixture
def assembly(assembly_factory: Callable[..., Assembly]) -> Assembly:
    return assembly_factory()


@pytest.fixture
def open_proposal() -> Callable[..., Proposal]:
    def make(
        group: Assembly,
        template: str = "consent",
        *,
        options: tuple[str, ...] = (),
        days: int = 7,
        **kwargs: Any,
    ) -> Proposal:
        proposal = services.create_proposal(
            coalition=group.coalition,
            template=template,
            title=f"Adopt {template}",
            closes_at=timezone.now() + dt.timedelta(days=days),
            created_by=group.steward.user,
            options=[services.OptionInput(label=o) for o in options],
            **kwargs,
        )
        return services.open_proposal(proposal=proposal, by=group.steward.user)

    return make
