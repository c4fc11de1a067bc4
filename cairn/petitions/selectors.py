"""Reads of petitions. Staff selectors take the coalition; public ones show only public states."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case, Count, Max, Min, Q, QuerySet, Sum, When
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership
from cairn.engines.thresholds import Progress, parse_thresholds, progress, response_clock_days

from .models import (
    Clearance,
    IntegrityAlert,
    Invalidation,
    ListEntry,
    Petition,
    PetitionCount,
    Signature,
    ThresholdCrossing,
)
from .services import public_count

Status = Petition.Status


def public_petitions(*, coalition_slug: str = "") -> QuerySet[Petition]:
    """Petitions the public may browse: open first, then won and closed."""
    rows = Petition.objects.filter(status__in=Petition.LISTED_STATES).select_related(
        "coalition", "owner__organization"
    )
    if coalition_slug:
        rows = rows.filter(coalition__slug=coalition_slug)
    rank = Case(When(status=Status.OPEN, then=0), When(status=Status.WON, then=1), default=2)
    return rows.order_by(rank, "-opened_at", "-pk")


def counts_for(petitions: list[Petition]) -> dict[int, int]:
    """The public counts of many petitions in one query."""
    rows = (
        PetitionCount.objects.filter(petition__in=petitions)
        .values("petition")
        .annotate(n=Sum("confirmed"))
    )
    counts = {row["petition"]: int(row["n"] or 0) for row in rows}
    return {p.pk: counts.get(p.pk, 0) for p in petitions}


# Public aggregates over all of a petition's signatures are cached this long (seconds): under
# load the page stays cheap; the count itself is always live (the counter shards).
PUBLIC_CACHE_SECONDS = 30


def public_integrity_summary(*, petition: Petition) -> IntegritySummary:
    """The public integrity summary: confirmed from the live counter, the rest cached briefly."""
    key = f"petitions:integrity:{petition.pk}"
    summary = cache.get(key)
    if summary is None:
        summary = integrity_summary(petition=petition)
        cache.set(key, summary, PUBLIC_CACHE_SECONDS)
    return IntegritySummary(
        confirmed=public_count(petition),
        pending=summary.pending,
        invalidated=summary.invalidated,
        held=summary.held,
    )


def public_regional_counts(*, petition: Petition) -> list[Share]:
    key = f"petitions:regions:{petition.pk}"
    regions = cache.get(key)
    if regions is None:
        regions = regional_counts(petition=petition)
        cache.set(key, regions, PUBLIC_CACHE_SECONDS)
    return list(regions)


def petition_for_public_page(*, slug: str) -> Petition | None:
    """The petition at this public address, unless the public may not see it."""
    rows = Petition.objects.select_related("coalition", "owner__organization").filter(slug=slug)
    petition = next(iter(rows.order_by()[:1]), None)  # unordered: the slug is unique
    if petition is None or petition.hidden:
        return None
    return petition


# The sign view looks its petition up on every POST: an open one is cached this long (seconds).
# The cached copy decides nothing: sign_petition reads the petition's state again in the
# statement that inserts, and a refused signature is answered from a fresh read.
SIGNING_CACHE_SECONDS = 5


def petition_for_signing(*, slug: str) -> Petition | None:
    """The open petition at this public address, possibly a few seconds old; else a fresh read."""
    key = f"petitions:signing:{slug}"
    cached = cache.get(key)
    if isinstance(cached, Petition):
        return cached
    # Without its coalition and owner: signing reads the petition's own fields only, and a
    # smaller pickle is cheaper on each of these reads (measured: a third of the cache's cost).
    petition = next(iter(Petition.objects.filter(slug=slug).order_by()[:1]), None)
    if petition is None or petition.hidden:
        return None
    if petition.status == Status.OPEN:
        cache.set(key, petition, SIGNING_CACHE_SECONDS)
    return petition


@dataclass(frozen=True, slots=True)
class PublicView:
    petition: Petition
    count: int
    progress: Progress
    crossings: list[ThresholdCrossing]
    clock_days: int | None
    clock_since: str  # "delivery" or "threshold"
    sponsors: list[Membership]


def public_view(*, petition: Petition, now: dt.datetime | None = None) -> PublicView:
    now = now or timezone.now()
    count = public_count(petition)
    crossings = list(ThresholdCrossing.objects.filter(petition=petition).order_by("count"))
    started = petition.delivered_at or (crossings[0].reached_at if crossings else None)
    return PublicView(
        petition=petition,
        count=count,
        progress=progress(count, parse_thresholds(petition.thresholds)),
        crossings=crossings,
        clock_days=response_clock_days(
            started_at=started, answered_at=petition.response_at, now=now
        ),
        clock_since="delivery" if petition.delivered_at else "threshold",
        sponsors=[
            s.membership for s in petition.sponsorships.select_related("membership__organization")
        ],
    )


def petitions_for_staff(*, coalition: Coalition) -> QuerySet[Petition]:
    return Petition.objects.for_coalition(coalition).select_related("owner__organization")


def petitions_for_campaign(*, coalition: Coalition, campaign_id: int) -> QuerySet[Petition]:
    """The coalition's petitions that serve one of its campaigns, in every state (staff pages);
    `counts_for` gives their confirmed counts."""
    return petitions_for_staff(coalition=coalition).filter(campaign_id=campaign_id)


def petition(*, coalition: Coalition, pk: int) -> Petition | None:
    return (
        Petition.objects.for_coalition(coalition)
        .select_related("coalition", "owner__organization")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True, slots=True)
class IntegritySummary:
    confirmed: int
    pending: int
    invalidated: int
    held: int = 0  # flagged over the IP limits, out of the count until cleared


def integrity_summary(*, petition: Petition) -> IntegritySummary:
    """Counted (confirmed, valid, not held), pending, invalidated and held signatures, counted
    from the rows (a held one is counted as held only)."""
    valid = Q(invalidated_at__isnull=True)
    totals = Signature.objects.filter(petition=petition).aggregate(
        confirmed=Count("pk", filter=valid & Q(confirmed_at__isnull=False, held=False)),
        pending=Count("pk", filter=valid & Q(confirmed_at__isnull=True, held=False)),
        invalidated=Count("pk", filter=Q(invalidated_at__isnull=False)),
        held=Count("pk", filter=valid & Q(held=True)),
    )
    return IntegritySummary(**{k: int(v or 0) for k, v in totals.items()})


def _counted(petition: Petition) -> QuerySet[Signature]:
    return Signature.objects.filter(
        petition=petition, confirmed_at__isnull=False, invalidated_at__isnull=True, held=False
    )


@dataclass(frozen=True, slots=True)
class HeldNetwork:
    ip: str
    held: int
    confirmed: int
    first: dt.datetime
    last: dt.datetime


def held_by_network(*, petition: Petition) -> list[HeldNetwork]:
    """The signatures held for review, by network (IP), the biggest first (stewards only)."""
    rows = (
        Signature.objects.filter(petition=petition, held=True, invalidated_at__isnull=True)
        .values("ip")
        .annotate(
            n=Count("pk"),
            confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
            first=Min("created_at"),
            last=Max("created_at"),
        )
        .order_by("-n", "ip")
    )
    return [HeldNetwork(r["ip"], r["n"], r["confirmed"], r["first"], r["last"]) for r in rows]


def clearances(*, petition: Petition) -> QuerySet[Clearance]:
    return Clearance.objects.filter(petition=petition).select_related("created_by")


@dataclass(frozen=True, slots=True)
class Share:
    label: str
    count: int
    percent: int


def _shares(rows: list[tuple[str, int]], total: int) -> list[Share]:
    return [Share(label, n, round(100 * n / total) if total else 0) for label, n in rows]


def sponsor_shares(*, petition: Petition) -> list[Share]:
    """Counted signatures by the member organization that brought them (stewards only)."""
    rows = (
        _counted(petition)
        .values("referring_membership__organization__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    pairs = [(r["referring_membership__organization__name"] or "No member", r["n"]) for r in rows]
    return _shares(pairs, sum(n for _, n in pairs))


def channel_shares(*, petition: Petition) -> list[Share]:
    rows = _counted(petition).values("channel").annotate(n=Count("pk")).order_by("-n")
    pairs = [(r["channel"] or "direct", r["n"]) for r in rows]
    return _shares(pairs, sum(n for _, n in pairs))


def top_referrers(*, petition: Petition, limit: int = 10) -> list[tuple[Signature, int]]:
    rows = (
        _counted(petition)
        .filter(referrer__isnull=False)
        .values("referrer")
        .annotate(n=Count("pk"))
        .order_by("-n")[:limit]
    )
    by_pk = Signature.objects.in_bulk([r["referrer"] for r in rows])
    return [(by_pk[r["referrer"]], r["n"]) for r in rows if r["referrer"] in by_pk]


def regional_counts(*, petition: Petition) -> list[Share]:
    """Counted signatures by postal area (never by address)."""
    rows = (
        _counted(petition)
        .values("postal_area")
        .annotate(n=Count("pk"))
        .order_by("-n", "postal_area")
    )
    pairs = [(r["postal_area"] or "Unknown", r["n"]) for r in rows]
    return _shares(pairs, sum(n for _, n in pairs))


def signatures_for_export(*, petition: Petition) -> QuerySet[Signature]:
    return (
        Signature.objects.filter(petition=petition)
        .select_related("referring_membership__organization")
        .order_by("created_at", "pk")
    )


def comments(*, petition: Petition) -> QuerySet[Signature]:
    return _counted(petition).exclude(comment="").order_by("created_at", "pk")


def list_entries(*, coalition: Coalition) -> QuerySet[ListEntry]:
    return ListEntry.objects.for_coalition(coalition)


def alerts(*, petition: Petition) -> QuerySet[IntegrityAlert]:
    return IntegrityAlert.objects.filter(petition=petition)


def invalidations(*, petition: Petition) -> QuerySet[Invalidation]:
    return Invalidation.objects.filter(petition=petition).select_related("created_by")


# --- the OSDI API: ids are the row ids (as text); a malformed id finds nothing -----------------


def _row_id(public_id: str) -> int | None:
    text = public_id.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def api_petitions(*, coalition: Coalition) -> QuerySet[Petition]:
    """Every petition of the coalition, oldest first (so pages stay put as new ones arrive)."""
    return Petition.objects.for_coalition(coalition).order_by("created_at", "pk")


def api_petition(*, coalition: Coalition, public_id: str) -> Petition | None:
    pk = _row_id(public_id)
    return None if pk is None else api_petitions(coalition=coalition).filter(pk=pk).first()


def api_signatures(*, coalition: Coalition) -> QuerySet[Signature]:
    """The signatures that count (confirmed, not invalidated), oldest first: what the public
    count says, and what the API shows. Pending ones are not supporters yet."""
    return (
        Signature.objects.for_coalition(coalition)
        .filter(confirmed_at__isnull=False, invalidated_at__isnull=True, held=False)
        .select_related("petition", "person")
        .order_by("created_at", "pk")
    )


def api_signature(*, rows: QuerySet[Signature], public_id: str) -> Signature | None:
    pk = _row_id(public_id)
    return None if pk is None else rows.filter(pk=pk).first()
