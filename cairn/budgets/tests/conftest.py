from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cairn.budgets import services
from cairn.coalitions.models import Coalition, Membership, Role, StaffMember
from cairn.governance import services as governance
from cairn.governance.models import Outcome
from cairn.ledger import accounts as ledger_accounts
from cairn.ledger import services as ledger
from cairn.ledger.models import Fund

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def receipt(name: str = "receipt.pdf", content: bytes = PDF, kind: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, content, content_type=kind)


def decide(coalition: Coalition, voters: list[StaffMember], *, position: str = "agree") -> Outcome:
    """A closed majority decision with its outcome: every voter casts `position`."""
    proposal = governance.create_proposal(
        coalition=coalition,
        template="majority",
        title=f"Spend ({position})",
        closes_at=timezone.now() + dt.timedelta(days=3),
        created_by=None,
    )
    proposal = governance.open_proposal(proposal=proposal, by=None, schedule_ticks=False)
    for staff in voters:
        governance.cast_vote(proposal=proposal, staff=staff, ballot={"position": position})
    governance.close_proposal(proposal=proposal, by=None)
    return governance.record_outcome(proposal=proposal, statement="Decided", recorded_by=None)


def contribute(fund: Fund, membership: Membership, amount: Decimal) -> None:
    """A member organization pays `amount` into the fund (what allocations draw on)."""
    ledger.post(
        fund=fund,
        source=f"test-contribution:{membership.pk}:{amount}",
        description=f"Contribution from {membership.organization.name}",
        occurred_on=timezone.localdate(),
        transfers=[
            ledger.Transfer(
                debit=ledger_accounts.cash(fund),
                credit=ledger_accounts.member_contributions(fund, membership),
                amount=amount,
            )
        ],
    )


@dataclass
class World:
    coalition: Coalition
    fund: Fund
    steward: StaffMember
    second_steward: StaffMember
    members: list[Membership]
    organizers: list[StaffMember]
    viewer: StaffMember


@pytest.fixture
def world(coalition: Coalition, membership_factory: Any, staff_factory: Any) -> World:
    members = [membership_factory(coalition, name=f"Member {i}") for i in range(1, 5)]
    organizers = [staff_factory(coalition, Role.ORGANIZER, membership=m) for m in members]
    fund = ledger.ensure_fund(coalition=coalition, currency="USD")
    contribute(fund, members[0], Decimal("5000.00"))
    return World(
        coalition=coalition,
        fund=fund,
        steward=staff_factory(coalition, Role.STEWARD),
        second_steward=staff_factory(coalition, Role.STEWARD),
        members=members,
        organizers=organizers,
        viewer=staff_factory(coalition, Role.VIEWER),
    )


def four_line_round(world: World) -> tuple[Any, dict[str, Any]]:
    """The engine's worked example as a round: budget 1,200.00, lines A 600, B 500, C 300, D 900;
    member 1 approves A C D, members 2 and 3 A D, member 4 B C D."""
    round_ = services.create_round(
        fund=world.fund, title="Spring budget", budget=Decimal("1200.00"), by=world.steward
    )
    lines = {
        name: services.propose_line(
            fund=world.fund,
            title=f"Line {name}",
            cost=Decimal(cost),
            by=world.steward,
            round=round_,
        )
        for name, cost in [("A", "600"), ("B", "500"), ("C", "300"), ("D", "900")]
    }
    round_ = services.open_round(round=round_, by=world.steward)
    for organizer, names in zip(world.organizers, ["ACD", "AD", "AD", "BCD"], strict=True):
        services.cast_ballot(round=round_, approved=[lines[n].pk for n in names], by=organizer)
    round_ = services.close_round(round=round_, by=world.steward)
    return round_, lines
