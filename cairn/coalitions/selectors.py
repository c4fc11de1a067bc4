"""Reads of the coalitions domain. Every selector takes the coalition explicitly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cairn.accounts.models import User
from cairn.engines.commitments import (
    CommitmentFacts,
    MemberSummary,
    Total,
    fulfilment,
    is_overdue,
    summarize_commitments,
)

from .models import (
    Coalition,
    Commitment,
    Delivery,
    Invitation,
    Membership,
    MembershipStatusChange,
    Organization,
    Sector,
    StaffMember,
)


def staff_roles_for_user(*, user: User) -> QuerySet[StaffMember]:
    """The coalitions a user has a role in (the only cross-coalition read, and it is the user's)."""
    return StaffMember.objects.filter(user=user).select_related(
        "coalition", "membership__organization"
    )


def staff_in_coalition(*, slug: str, user: User) -> StaffMember | None:
    """The user's role in the coalition with this slug; None if they have none (or it is absent)."""
    if not user.is_authenticated:
        return None
    return (
        StaffMember.objects.select_related("coalition", "membership__organization", "user")
        .filter(coalition__slug=slug, user=user)
        .first()
    )


def memberships(*, coalition: Coalition) -> QuerySet[Membership]:
    return (
        Membership.objects.for_coalition(coalition)
        .select_related("organization")
        .annotate(staff_count=Count("staff", distinct=True))
        .order_by("organization__name")
    )


def membership(*, coalition: Coalition, pk: int) -> Membership | None:
    return (
        Membership.objects.for_coalition(coalition)
        .select_related("organization")
        .filter(pk=pk)
        .first()
    )


def organization(*, coalition: Coalition, pk: int) -> Organization | None:
    return (
        Organization.objects.for_coalition(coalition)
        .select_related("membership")
        .filter(pk=pk)
        .first()
    )


def status_history(
    *, coalition: Coalition, membership: Membership
) -> QuerySet[MembershipStatusChange]:
    return (
        MembershipStatusChange.objects.for_coalition(coalition)
        .filter(membership=membership)
        .select_related("changed_by")
    )


def staff(*, coalition: Coalition, membership: Membership | None = None) -> QuerySet[StaffMember]:
    rows = StaffMember.objects.for_coalition(coalition).select_related(
        "user", "membership__organization"
    )
    if membership is not None:
        rows = rows.filter(membership=membership)
    return rows


def staff_member(*, coalition: Coalition, pk: int) -> StaffMember | None:
    return staff(coalition=coalition).filter(pk=pk).first()


def open_invitations(*, coalition: Coalition) -> QuerySet[Invitation]:
    return (
        Invitation.objects.for_coalition(coalition)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("membership__organization", "invited_by")
    )


def invitation(*, coalition: Coalition, pk: int) -> Invitation | None:
    return Invitation.objects.for_coalition(coalition).filter(pk=pk).first()


_ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))


def commitments(
    *, coalition: Coalition, membership: Membership | None = None, include_withdrawn: bool = False
) -> QuerySet[Commitment]:
    """Commitments with `delivered` (the sum of their deliveries) annotated."""
    rows = (
        Commitment.objects.for_coalition(coalition)
        .select_related("membership__organization")
        .annotate(delivered=Coalesce(Sum("deliveries__quantity"), _ZERO))
    )
    if membership is not None:
        rows = rows.filter(membership=membership)
    if not include_withdrawn:
        rows = rows.filter(withdrawn_at__isnull=True)
    return rows


def commitment(*, coalition: Coalition, pk: int) -> Commitment | None:
    return commitments(coalition=coalition, include_withdrawn=True).filter(pk=pk).first()


@dataclass(frozen=True, slots=True)
class CommitmentRow:
    """A commitment with what was delivered against it, as pages show it."""

    commitment: Commitment
    delivered: Decimal
    share: float
    overdue: bool

    @property
    def done(self) -> bool:
        return self.delivered >= self.commitment.quantity

    @property
    def percent(self) -> int:
        return round(self.share * 100)


def commitment_row(row: Commitment, today: dt.date | None = None) -> CommitmentRow:
    """Wrap a commitment from `commitments()` (which annotates `delivered`)."""
    today = today or timezone.localdate()
    delivered: Decimal = row.delivered  # type: ignore[attr-defined]
    facts = CommitmentFacts(
        member=row.membership_id,
        kind=row.kind,
        unit=row.unit,
        pledged=row.quantity,
        delivered=delivered,
        due_date=row.due_date,
    )
    return CommitmentRow(
        commitment=row,
        delivered=delivered,
        share=fulfilment(row.quantity, delivered),
        overdue=row.withdrawn_at is None and is_overdue(facts, today),
    )


def commitment_rows(
    *, coalition: Coalition, membership: Membership | None = None, today: dt.date | None = None
) -> list[CommitmentRow]:
    today = today or timezone.localdate()
    rows = commitments(coalition=coalition, membership=membership)
    return [commitment_row(row, today) for row in rows]


def deliveries(*, coalition: Coalition, commitment: Commitment) -> QuerySet[Delivery]:
    return (
        Delivery.objects.for_coalition(coalition)
        .filter(commitment=commitment)
        .select_related("recorded_by")
    )


def commitment_summaries(
    *, coalition: Coalition, today: dt.date | None = None
) -> dict[Hashable, MemberSummary]:
    """Pledged versus delivered per membership id (open, non-withdrawn commitments)."""
    today = today or timezone.localdate()
    facts = [
        CommitmentFacts(
            member=row["membership_id"],
            kind=row["kind"],
            unit=row["unit"],
            pledged=row["quantity"],
            delivered=row["delivered"],
            due_date=row["due_date"],
        )
        for row in commitments(coalition=coalition).values(  # type: ignore[misc]
            "membership_id", "kind", "unit", "quantity", "delivered", "due_date"
        )
    ]
    return summarize_commitments(facts, today)


@dataclass(slots=True)
class SectorGroup:
    sector: str
    label: str
    members: list[Membership] = field(default_factory=list)


@dataclass(slots=True)
class Overview:
    coalition: Coalition
    days_left: int
    horizon_elapsed: float
    status_counts: dict[str, int]
    sectors: list[SectorGroup]
    missing_sectors: list[str]
    summaries: dict[Hashable, MemberSummary]
    totals: list[Total]
    overdue: int


def coalition_overview(*, coalition: Coalition, today: dt.date | None = None) -> Overview:
    """What the coalition home shows: horizon, members by sector, pledged versus delivered."""
    today = today or timezone.localdate()
    members = list(memberships(coalition=coalition))
    counts = dict.fromkeys(Membership.Status.values, 0)
    groups: dict[str, SectorGroup] = {}
    for member in members:
        counts[member.status] += 1
        if member.status in {Membership.Status.LEFT, Membership.Status.PROSPECT}:
            continue
        sector = member.organization.sector
        group = groups.setdefault(sector, SectorGroup(sector=sector, label=Sector(sector).label))
        group.members.append(member)
    summaries = commitment_summaries(coalition=coalition, today=today)
    totals: dict[tuple[str, str], Total] = {}
    for summary in summaries.values():
        for total in summary.totals:
            overall = totals.setdefault((total.kind, total.unit), Total(total.kind, total.unit))
            overall.pledged += total.pledged
            overall.delivered += total.delivered
    return Overview(
        coalition=coalition,
        days_left=coalition.days_left(today),
        horizon_elapsed=coalition.horizon_elapsed_share(today),
        status_counts=counts,
        sectors=sorted(groups.values(), key=lambda g: (-len(g.members), g.label)),
        missing_sectors=[label for value, label in Sector.choices if value not in groups],
        summaries=summaries,
        totals=sorted(totals.values(), key=lambda t: (t.kind, t.unit)),
        overdue=sum(s.overdue for s in summaries.values()),
    )


def pending_staff_count(*, coalition: Coalition) -> int:
    return open_invitations(coalition=coalition).count()


def memberships_with_status(*, coalition: Coalition, statuses: set[str]) -> QuerySet[Membership]:
    return memberships(coalition=coalition).filter(Q(status__in=statuses))
