"""Reads of the narrative domain; every one takes the coalition (or a row that carries it)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncWeek

from cairn.campaigns.models import Campaign, Measurement, Objective
from cairn.coalitions.models import Coalition, Membership

from . import document, outcomes
from .models import (
    Approval,
    ContentEvent,
    ContentItem,
    FlagDismissal,
    Framework,
    FrameworkVersion,
    ReachReport,
    ReviewComment,
    TrackedLink,
)

VStatus = FrameworkVersion.Status


def frameworks(*, coalition: Coalition) -> QuerySet[Framework]:
    return Framework.objects.for_coalition(coalition).select_related("campaign").order_by("pk")


def framework(*, coalition: Coalition, pk: int) -> Framework | None:
    return frameworks(coalition=coalition).filter(pk=pk).first()


def versions(*, framework: Framework) -> QuerySet[FrameworkVersion]:
    return (
        FrameworkVersion.objects.for_coalition(framework.coalition_id)
        .filter(framework=framework)
        .select_related("created_by")
        .order_by("-number")
    )


def version(*, framework: Framework, number: int) -> FrameworkVersion | None:
    return versions(framework=framework).filter(number=number).first()


def adopted(*, framework: Framework) -> FrameworkVersion | None:
    return versions(framework=framework).filter(status=VStatus.ADOPTED).first()


def draft(*, framework: Framework) -> FrameworkVersion | None:
    return versions(framework=framework).filter(status=VStatus.DRAFT).first()


def objectives(*, coalition: Coalition) -> QuerySet[Objective]:
    return (
        Objective.objects.for_coalition(coalition)
        .select_related("campaign")
        .order_by("campaign__name", "statement")
    )


@dataclass(frozen=True, slots=True)
class Figure:
    objective_id: int
    statement: str
    unit: str
    baseline: Decimal
    latest: Decimal | None
    measured_on: dt.date | None

    @property
    def text(self) -> str:
        def fmt(v: Decimal) -> str:
            return f"{v.normalize():f}"

        if self.latest is None:
            return f"{fmt(self.baseline)} (no measurement yet)"
        return f"{fmt(self.baseline)} → {fmt(self.latest)}"


def figures(*, coalition: Coalition | int, ids: set[int]) -> dict[int, Figure]:
    """Each cited objective's baseline and latest approved measurement (live, never copied)."""
    if not ids:
        return {}
    rows = Objective.objects.for_coalition(coalition).filter(pk__in=ids)
    latest: dict[int, tuple[Decimal, dt.date]] = {}
    for m in (
        Measurement.objects.for_coalition(coalition)
        .filter(objective_id__in=ids, review=Measurement.Review.APPROVED)
        .order_by("objective_id", "-on", "-pk")
        .values("objective_id", "value", "on")
    ):
        latest.setdefault(m["objective_id"], (m["value"], m["on"]))
    return {
        o.pk: Figure(
            objective_id=o.pk,
            statement=o.statement,
            unit=o.unit,
            baseline=o.baseline_value,
            latest=latest.get(o.pk, (None, None))[0],
            measured_on=latest.get(o.pk, (None, None))[1],
        )
        for o in rows
    }


@dataclass(frozen=True, slots=True)
class PointView:
    text: str
    figure: Figure | None


@dataclass(frozen=True, slots=True)
class PillarView:
    id: str
    name: str
    key_messages: list[dict[str, Any]]
    proof_points: list[PointView]


@dataclass(frozen=True, slots=True)
class VersionView:
    """A version's content as a page shows it, proof points with their live figures."""

    version: FrameworkVersion
    fields: list[tuple[str, str]]
    pillars: list[PillarView]
    terms_use: list[str]
    terms_avoid: list[str]
    audiences: list[str]
    messengers: list[str]


def version_view(v: FrameworkVersion) -> VersionView:
    content = v.content if isinstance(v.content, dict) else {}
    live = figures(coalition=v.coalition_id, ids=document.objective_ids(content))
    pillars = []
    for p in content.get("pillars", []) or []:
        points = []
        for point in p.get("proof_points", []) or []:
            objective = point.get("objective_id") if isinstance(point, dict) else None
            points.append(PointView(document.point_text(point), live.get(objective or -1)))
        pillars.append(
            PillarView(
                id=str(p.get("id", "")),
                name=str(p.get("name", "")),
                key_messages=list(p.get("key_messages", []) or []),
                proof_points=points,
            )
        )
    return VersionView(
        version=v,
        fields=[
            (document.FIELD_LABELS[name], document.text_of(content.get(name, "")))
            for name in document.TEXT_FIELDS
            if document.text_of(content.get(name, "")).strip()
        ],
        pillars=pillars,
        terms_use=[str(t) for t in content.get("terms_use", []) or []],
        terms_avoid=[document.term_text(t) for t in content.get("terms_avoid", []) or []],
        audiences=[document.audience_text(a) for a in content.get("audiences", []) or []],
        messengers=[str(m) for m in content.get("messengers", []) or []],
    )


def pillar_names(v: FrameworkVersion | None) -> dict[str, str]:
    if v is None or not isinstance(v.content, dict):
        return {}
    return {str(p.get("id")): str(p.get("name")) for p in v.content.get("pillars", []) or []}


# --- content ----------------------------------------------------------------------------------


def items(
    *,
    campaign: Campaign,
    state: str = "",
    kind: str = "",
    membership_id: int | None = None,
) -> QuerySet[ContentItem]:
    rows = (
        ContentItem.objects.for_coalition(campaign.coalition_id)
        .filter(campaign=campaign)
        .select_related("membership__organization", "author")
        .order_by("-updated_at", "-pk")
    )
    if state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    if membership_id is not None:
        rows = rows.filter(membership_id=membership_id)
    return rows


def state_counts(*, campaign: Campaign) -> dict[str, int]:
    rows = (
        ContentItem.objects.for_coalition(campaign.coalition_id)
        .filter(campaign=campaign)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["state"]: r["n"] for r in rows}


def item(*, coalition: Coalition, pk: int) -> ContentItem | None:
    return (
        ContentItem.objects.for_coalition(coalition)
        .select_related("campaign", "framework", "membership__organization", "author")
        .filter(pk=pk)
        .first()
    )


def comments(*, item: ContentItem) -> QuerySet[ReviewComment]:
    return (
        ReviewComment.objects.for_coalition(item.coalition_id)
        .filter(item=item)
        .select_related("author")
    )


def events(*, item: ContentItem) -> QuerySet[ContentEvent]:
    return (
        ContentEvent.objects.for_coalition(item.coalition_id).filter(item=item).select_related("by")
    )


def approvals(*, item: ContentItem) -> QuerySet[Approval]:
    return (
        Approval.objects.for_coalition(item.coalition_id)
        .filter(item=item)
        .select_related("version", "approved_by")
    )


def dismissals(*, item: ContentItem) -> QuerySet[FlagDismissal]:
    return (
        FlagDismissal.objects.for_coalition(item.coalition_id)
        .filter(item=item)
        .select_related("by")
    )


def members(*, coalition: Coalition) -> QuerySet[Membership]:
    return (
        Membership.objects.for_coalition(coalition)
        .filter(status=Membership.Status.ACTIVE)
        .select_related("organization")
    )


# --- the message kit ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KitLink:
    petition_title: str
    petition_slug: str
    channel: str  # "c-<code>"
    membership_id: int | None

    def query(self) -> str:
        ref = f"ref=m-{self.membership_id}&" if self.membership_id else ""
        return f"{ref}ch={self.channel}"


@dataclass(frozen=True, slots=True)
class KitItem:
    item: ContentItem
    pillar: str
    links: list[KitLink] = field(default_factory=list)


def kit(*, campaign: Campaign, membership: Membership | None) -> list[KitItem]:
    """Approved and published items of the campaign, each with the tracked links of
    `membership` (None: the coalition's own links)."""
    rows = list(
        ContentItem.objects.for_coalition(campaign.coalition_id)
        .filter(
            campaign=campaign,
            state__in=[ContentItem.State.APPROVED, ContentItem.State.PUBLISHED],
        )
        .select_related("membership__organization", "framework")
        .order_by("kind", "channel", "title")
    )
    links: dict[int, list[KitLink]] = defaultdict(list)
    for link in (
        TrackedLink.objects.for_coalition(campaign.coalition_id)
        .filter(item__in=rows, membership=membership, petition__isnull=False)
        .select_related("petition")
        .order_by("pk")
    ):
        assert link.petition is not None  # noqa: S101 - filtered above
        links[link.item_id].append(
            KitLink(link.petition.title, link.petition.slug, link.channel, link.membership_id)
        )
    names: dict[int, dict[str, str]] = {}
    result = []
    for row in rows:
        if row.framework_id not in names:
            names[row.framework_id] = pillar_names(adopted(framework=row.framework))
        result.append(
            KitItem(row, names[row.framework_id].get(row.pillar, row.pillar), links[row.pk])
        )
    # grouped by pillar (items without one last), then as ordered above
    return sorted(result, key=lambda k: (not k.pillar, k.pillar))


# --- the narrative pulse -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PulseRow:
    pillar: str
    name: str
    items: int
    reach: int
    signatures: int
    supporters: int
    weeks: list[tuple[dt.date, int, int]]  # (week, reach, signatures)

    @property
    def rate(self) -> str:
        return f"{100 * self.signatures / self.reach:.1f} %" if self.reach else "—"


def _code_to_item(coalition: Coalition) -> dict[str, int]:
    return {
        f"{outcomes.CHANNEL_PREFIX}{code}": item_id
        for code, item_id in TrackedLink.objects.for_coalition(coalition).values_list(
            "code", "item_id"
        )
    }


def item_outcomes(
    *, coalition: Coalition, campaign: Campaign | None = None
) -> dict[int, dict[str, int]]:
    """Per item: signatures and new supporters its links brought."""
    codes = _code_to_item(coalition)
    result: dict[int, dict[str, int]] = defaultdict(lambda: {"signatures": 0, "supporters": 0})
    for key, rows in (
        ("signatures", outcomes.content_signatures(coalition)),
        ("supporters", outcomes.content_supporters(coalition)),
    ):
        if campaign is not None:
            rows = rows.filter(petition__campaign=campaign)
        for row in rows.values("channel").annotate(n=Count("pk")).order_by():
            item_id = codes.get(row["channel"])
            if item_id is not None:
                result[item_id][key] += row["n"]
    return dict(result)


def pulse(*, campaign: Campaign) -> list[PulseRow]:
    """Per pillar of the campaign's content: items, reach, signatures and new supporters, with
    weekly reach and signatures."""
    coalition = campaign.coalition
    published = list(
        ContentItem.objects.for_coalition(coalition)
        .filter(
            campaign=campaign, state__in=[ContentItem.State.PUBLISHED, ContentItem.State.RETIRED]
        )
        .values("pk", "pillar", "framework_id")
    )
    pillar_of = {row["pk"]: row["pillar"] or "" for row in published}
    names: dict[str, str] = {}
    for fw in Framework.objects.for_coalition(coalition).filter(
        pk__in={row["framework_id"] for row in published}
    ):
        names.update(pillar_names(adopted(framework=fw)))
    reach_total: dict[str, int] = defaultdict(int)
    reach_weeks: dict[tuple[str, dt.date], int] = defaultdict(int)
    for row in (
        ReachReport.objects.for_coalition(coalition)
        .filter(item_id__in=pillar_of)
        .annotate(week=TruncWeek("on"))
        .values("item_id", "week")
        .annotate(n=Sum("impressions"))
        .order_by()
    ):
        pillar = pillar_of[row["item_id"]]
        reach_total[pillar] += row["n"] or 0
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        reach_weeks[(pillar, week)] += row["n"] or 0
    codes = {k: v for k, v in _code_to_item(coalition).items() if v in pillar_of}
    signature_total: dict[str, int] = defaultdict(int)
    signature_weeks: dict[tuple[str, dt.date], int] = defaultdict(int)
    for row in (
        outcomes.content_signatures(coalition)
        .filter(channel__in=list(codes))
        .annotate(week=TruncWeek("confirmed_at"))
        .values("channel", "week")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        pillar = pillar_of[codes[row["channel"]]]
        signature_total[pillar] += row["n"]
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        signature_weeks[(pillar, week)] += row["n"]
    supporters: dict[str, int] = defaultdict(int)
    for row in (
        outcomes.content_supporters(coalition)
        .filter(channel__in=list(codes))
        .values("channel")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        supporters[pillar_of[codes[row["channel"]]]] += row["n"]
    item_counts: dict[str, int] = defaultdict(int)
    for pillar in pillar_of.values():
        item_counts[pillar] += 1
    weeks = sorted({w for _, w in reach_weeks} | {w for _, w in signature_weeks})
    rows = [
        PulseRow(
            pillar=p,
            name=names.get(p, p or "No pillar"),
            items=item_counts[p],
            reach=reach_total[p],
            signatures=signature_total[p],
            supporters=supporters[p],
            weeks=[(w, reach_weeks[(p, w)], signature_weeks[(p, w)]) for w in weeks],
        )
        for p in item_counts
    ]
    return sorted(rows, key=lambda r: (-r.signatures, r.name))
