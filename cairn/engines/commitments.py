"""Pledged versus delivered: how far each member has kept its resource commitments.

Quantities of different units cannot be added, so totals are kept per (kind, unit). A member's
fulfilment is the mean, over its commitments, of delivered / pledged capped at 1: delivering double
on one pledge does not excuse missing another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class CommitmentFacts:
    member: Hashable
    kind: str
    unit: str
    pledged: Decimal
    delivered: Decimal
    due_date: dt.date


@dataclass(slots=True)
class Total:
    kind: str
    unit: str
    pledged: Decimal = ZERO
    delivered: Decimal = ZERO

    @property
    def share(self) -> float:
        return fulfilment(self.pledged, self.delivered)


@dataclass(slots=True)
class MemberSummary:
    member: Hashable
    totals: list[Total] = field(default_factory=list)
    commitments: int = 0
    fulfilled: int = 0
    overdue: int = 0
    fulfilment: float = 0.0

    @property
    def open(self) -> int:
        return self.commitments - self.fulfilled


def fulfilment(pledged: Decimal, delivered: Decimal) -> float:
    """Share of a pledge delivered, in [0, 1]."""
    if pledged <= ZERO:
        return 1.0
    return float(min(delivered / pledged, Decimal(1)))


def is_overdue(facts: CommitmentFacts, today: dt.date) -> bool:
    return facts.due_date < today and facts.delivered < facts.pledged


def summarize_commitments(
    commitments: Iterable[CommitmentFacts], today: dt.date
) -> dict[Hashable, MemberSummary]:
    """Per member: totals per (kind, unit), counts fulfilled and overdue, mean fulfilment."""
    summaries: dict[Hashable, MemberSummary] = {}
    totals: dict[tuple[Hashable, str, str], Total] = {}
    shares: dict[Hashable, list[float]] = {}
    for facts in commitments:
        summary = summaries.setdefault(facts.member, MemberSummary(member=facts.member))
        key = (facts.member, facts.kind, facts.unit)
        if key not in totals:
            totals[key] = Total(kind=facts.kind, unit=facts.unit)
            summary.totals.append(totals[key])
        total = totals[key]
        total.pledged += facts.pledged
        total.delivered += facts.delivered
        summary.commitments += 1
        summary.fulfilled += facts.delivered >= facts.pledged
        summary.overdue += is_overdue(facts, today)
        shares.setdefault(facts.member, []).append(fulfilment(facts.pledged, facts.delivered))
    for member, summary in summaries.items():
        member_shares = shares[member]
        summary.fulfilment = sum(member_shares) / len(member_shares)
        summary.totals.sort(key=lambda t: (t.kind, t.unit))
    return summaries
