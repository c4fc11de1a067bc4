"""Reads of fundraising beyond a `.filter()`: every one takes the coalition (or a page of it).

The thermometer is computed from donation rows (never a stored counter): a succeeded gift counts
its amount, less what of it was refunded (the donor's fee cover is given back first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from cairn.coalitions.models import Coalition

from .models import Donation, FundraisingPage, Host, RecurringGift

MANAGE_SALT = "cairn.fundraising.manage"
MANAGE_MAX_AGE = dt.timedelta(days=400)  # a link in a year's receipts still works

Status = Donation.Status
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))


def pages(coalition: Coalition) -> QuerySet[FundraisingPage]:
    return FundraisingPage.objects.for_coalition(coalition).select_related("campaign", "fund")


def page(*, coalition: Coalition, pk: int) -> FundraisingPage | None:
    return pages(coalition).filter(pk=pk).first()


def public_page(slug: str) -> FundraisingPage | None:
    """An open or closed page by its slug (drafts are not public)."""
    return (
        FundraisingPage.objects.select_related("coalition", "fund")
        .filter(slug=slug)
        .exclude(status=FundraisingPage.Status.DRAFT)
        .first()
    )


def _gift_part_refunded() -> Case:
    # The refunded amount minus the fee cover (given back first), never below zero.
    return Case(
        When(refunded_amount__gt=F("fee_amount"), then=F("refunded_amount") - F("fee_amount")),
        default=ZERO,
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


@dataclass(frozen=True, slots=True)
class Thermometer:
    raised: Decimal
    goal: Decimal | None
    donations: int
    donors: int
    monthly_donors: int

    @property
    def percent(self) -> int:
        if not self.goal:
            return 0
        return min(100, int(self.raised * 100 / self.goal))


def thermometer(page: FundraisingPage) -> Thermometer:
    """Raised so far from the page's succeeded donations (one aggregate query)."""
    row = Donation.objects.filter(page=page, status=Status.SUCCEEDED).aggregate(
        gifts=Coalesce(Sum("amount"), ZERO),
        refunded=Coalesce(Sum(_gift_part_refunded()), ZERO),
        donations=Count("pk"),
        donors=Count("person", distinct=True),
        monthly=Count("recurring_gift", distinct=True),
    )
    return Thermometer(
        raised=Decimal(row["gifts"]) - Decimal(row["refunded"]),
        goal=page.goal,
        donations=int(row["donations"]),
        donors=int(row["donors"]),
        monthly_donors=int(row["monthly"]),
    )


def donor_wall(page: FundraisingPage, *, limit: int = 30) -> list[dict[str, Any]]:
    """The latest donors who chose to be shown (names only, never amounts or emails)."""
    if not page.donor_wall:
        return []
    rows = (
        Donation.objects.filter(page=page, status=Status.SUCCEEDED, show_on_wall=True)
        .exclude(wall_name="")
        .order_by("-succeeded_at", "-pk")
        .values("wall_name", "succeeded_at", "recurrence")[:limit]
    )
    return [dict(row) for row in rows]


@dataclass(frozen=True, slots=True)
class HostShare:
    host: Host
    share_amount: Decimal  # the host's share (%) of what the page raised
    brought: Decimal  # raised by donations its referral links brought
    donations: int


def host_shares(page: FundraisingPage) -> list[HostShare]:
    """Each co-host's share of the raised amount and what its own links brought (for stewards)."""
    raised = thermometer(page).raised
    brought: dict[int, dict[str, Any]] = {
        int(row["host_membership"]): dict(row)
        for row in Donation.objects.filter(page=page, status=Status.SUCCEEDED)
        .exclude(host_membership=None)
        .values("host_membership")
        .annotate(brought=Sum("amount"), n=Count("pk"))
    }
    result = []
    for host in page.hosts.select_related("membership__organization").order_by("pk"):
        found: dict[str, Any] = brought.get(host.membership_id, {})
        result.append(
            HostShare(
                host=host,
                share_amount=(raised * host.share / 100).quantize(Decimal("0.01")),
                brought=Decimal(found.get("brought") or 0),
                donations=int(found.get("n") or 0),
            )
        )
    return result


def donations(page: FundraisingPage, *, status: str = "", query: str = "") -> QuerySet[Donation]:
    rows = Donation.objects.filter(page=page).select_related(
        "person", "host_membership__organization", "recurring_gift"
    )
    if status:
        rows = rows.filter(status=status)
    if query:
        rows = rows.filter(
            Q(email__icontains=query)
            | Q(wall_name__icontains=query)
            | Q(person__given_name__icontains=query)
            | Q(person__family_name__icontains=query)
            | Q(offline_reference__icontains=query)
        )
    return rows.order_by("-created_at", "-pk")


def donation(*, page: FundraisingPage, pk: int) -> Donation | None:
    return Donation.objects.filter(page=page, pk=pk).select_related("page").first()


def donation_for_thanks(page: FundraisingPage, donation_uuid: Any) -> Donation | None:
    return (
        Donation.objects.filter(page=page, uuid=donation_uuid)
        .select_related("recurring_gift")
        .first()
    )


def gift_from_token(token: str) -> RecurringGift | None:
    """The monthly gift a signed manage link names, unless revoked (a new nonce) or expired."""
    try:
        gift_uuid, nonce = signing.loads(token, salt=MANAGE_SALT, max_age=MANAGE_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        RecurringGift.objects.select_related("page", "coalition")
        .filter(uuid=gift_uuid, nonce=nonce)
        .first()
    )
