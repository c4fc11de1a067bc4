"""Reads of the power map. Every selector takes the coalition (or a row of it) explicitly.

- `stakeholders(coalition, *, sector, position, tag, kind, search)`: a filtered queryset, in name
  order; `stakeholder_page(...)` pages it (50 a page).
- `stakeholder(coalition, pk)`: one stakeholder with what its page shows, or None.
- `relationships_of(stakeholder)`: its ties both ways, each with the other end and the evidence.
- `position_history(stakeholder)`: its position changes, newest first, with who recorded them.
- `subgraph(coalition, *, sector=(), position=(), tag=(), kind=(), around=None, depth=1,
  limit=2000, include=()) -> SubGraph(nodes, edges, total, truncated)`: the bounded part of the
  graph a map shows — never the whole graph. Each filter is a value or a collection of values
  (empty: all). `around` keeps the stakeholders within `depth` ties of one stakeholder; `include`
  ids are always kept (a highlighted path). Nodes are kept by closeness to `around`, then
  influence; edges are those between kept nodes (at most `EDGES_PER_NODE` × limit). Nodes are
  dicts with id, name, kind, sector, position, influence, organization_id, decision_maker_id,
  held_by_id; edges dicts with id, source_id, target_id, kind, weight.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet

from cairn.campaigns.models import DecisionTarget
from cairn.coalitions.models import Coalition, Membership

from .models import (
    DIRECTED_KINDS,
    FigureRun,
    PositionChange,
    Relationship,
    Stakeholder,
    StakeholderFigure,
    StakeholderMerge,
    StakeholderTag,
)

PAGE_SIZE = 50
SUBGRAPH_LIMIT = 2_000
EDGES_PER_NODE = 5
NODE_FIELDS = (
    "id",
    "name",
    "kind",
    "sector",
    "position",
    "influence",
    "organization_id",
    "decision_maker_id",
    "held_by_id",
)
EDGE_FIELDS = ("id", "source_id", "target_id", "kind", "weight")

Filter = str | Collection[str] | None


def _values(value: Filter) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if v]


def stakeholders(
    coalition: Coalition,
    *,
    sector: Filter = None,
    position: Filter = None,
    tag: Filter = None,
    kind: Filter = None,
    search: str = "",
) -> QuerySet[Stakeholder]:
    """The coalition's stakeholders matching every filter given (a tag by name), name order."""
    rows = Stakeholder.objects.for_coalition(coalition)
    if sectors := _values(sector):
        rows = rows.filter(sector__in=sectors)
    if positions := _values(position):
        rows = rows.filter(position__in=positions)
    if kinds := _values(kind):
        rows = rows.filter(kind__in=kinds)
    if tags := _values(tag):
        tag_ids = StakeholderTag.objects.for_coalition(coalition).filter(_name_in(tags))
        rows = rows.filter(tags__in=tag_ids).distinct()
    if search.strip():
        words = search.split()
        for word in words[:5]:
            rows = rows.filter(Q(name__icontains=word) | Q(description__icontains=word))
    return rows.order_by("name", "pk")


def _name_in(names: Iterable[str]) -> Q:
    query = Q(pk__in=[])
    for name in names:
        query |= Q(name__iexact=name)
    return query


def stakeholder_page(
    coalition: Coalition,
    *,
    filters: dict[str, str] | None = None,
    page: str | int | None = 1,
    per_page: int = PAGE_SIZE,
) -> Page[Stakeholder]:
    """A page of `stakeholders(coalition, **filters)`, with their tags and holder."""
    rows = (
        stakeholders(coalition, **(filters or {}))
        .select_related("held_by__organization")
        .prefetch_related("tags")
    )
    return Paginator(rows, per_page).get_page(page)


def stakeholder(coalition: Coalition, pk: int | str) -> Stakeholder | None:
    """One stakeholder of the coalition (None for another coalition's or a missing one)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        Stakeholder.objects.for_coalition(coalition)
        .select_related("held_by__organization", "organization", "decision_maker", "created_by")
        .prefetch_related("tags")
        .filter(pk=pk)
        .first()
    )


def stakeholders_by_ids(coalition: Coalition, ids: Iterable[int]) -> dict[int, Stakeholder]:
    return {s.pk: s for s in Stakeholder.objects.for_coalition(coalition).filter(pk__in=list(ids))}


def relationship(coalition: Coalition, pk: int | str) -> Relationship | None:
    """One relationship of the coalition, with both ends (None for another coalition's)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        Relationship.objects.for_coalition(coalition)
        .select_related("source", "target", "recorded_by")
        .filter(pk=pk)
        .first()
    )


def _touching(coalition: Coalition | int, stakeholder_id: int) -> Q:
    """The ties from or to a stakeholder, as ids read from the (coalition, source) and
    (coalition, target) indexes: SQLite plans `source = x OR target = x` as a walk over every tie
    of the coalition (320 ms for a stakeholder's page at 250,000 ties)."""
    ties = Relationship.objects.for_coalition(coalition).order_by()
    out = ties.filter(source_id=stakeholder_id).values("pk")
    into = ties.filter(target_id=stakeholder_id).values("pk")
    return Q(pk__in=out.union(into, all=True))


def relationships(
    coalition: Coalition, *, kind: Filter = None, stakeholder_id: int | None = None
) -> QuerySet[Relationship]:
    """The coalition's relationships (of a kind, touching a stakeholder), oldest first."""
    rows = Relationship.objects.for_coalition(coalition).select_related("source", "target")
    if kinds := _values(kind):
        rows = rows.filter(kind__in=kinds)
    if stakeholder_id is not None:
        rows = rows.filter(_touching(coalition, stakeholder_id))
    return rows.order_by("pk")


@dataclass(frozen=True, slots=True)
class Tie:
    """A relationship seen from one stakeholder: `outgoing` when it is the source of a directed
    tie (an undirected tie reads the same from both ends)."""

    relationship: Relationship
    other: Stakeholder
    outgoing: bool
    directed: bool

    @property
    def phrase(self) -> str:
        label = self.relationship.get_kind_display().lower()
        if not self.directed or self.outgoing:
            return label
        return f"{label} (by)"


def relationships_of(stakeholder: Stakeholder, *, limit: int | None = None) -> list[Tie]:
    """The stakeholder's ties both ways, with the evidence, by kind then the other's name (the
    `limit` strongest when given: a hub of a large map may have thousands)."""
    rows = (
        Relationship.objects.for_coalition(stakeholder.coalition_id)
        .filter(_touching(stakeholder.coalition_id, stakeholder.pk))
        .select_related("source", "target", "recorded_by")
        .order_by("-weight", "pk")
    )
    ties = [
        Tie(
            relationship=r,
            other=r.target if r.source_id == stakeholder.pk else r.source,
            outgoing=r.source_id == stakeholder.pk,
            directed=r.kind in DIRECTED_KINDS,
        )
        for r in (rows[:limit] if limit is not None else rows)
    ]
    return sorted(ties, key=lambda t: (not t.outgoing, t.relationship.kind, t.other.name.lower()))


def relationship_count(stakeholder: Stakeholder) -> int:
    return (
        Relationship.objects.for_coalition(stakeholder.coalition_id)
        .filter(_touching(stakeholder.coalition_id, stakeholder.pk))
        .count()
    )


def possible_duplicates(stakeholder: Stakeholder, *, limit: int = 5) -> list[Stakeholder]:
    """Other stakeholders whose names look like this one's ("Mercy Health" and "Mercy Health
    System"): those sharing one of its two longest words, most alike first."""
    words = sorted(
        {w.strip(".,'’()").lower() for w in stakeholder.name.split()}, key=len, reverse=True
    )
    words = [w for w in words if len(w) >= 4][:2]
    if not words:
        return []
    query = Q(pk__in=[])
    for word in words:
        query |= Q(name__icontains=word)
    candidates = list(
        Stakeholder.objects.for_coalition(stakeholder.coalition_id)
        .filter(query)
        .exclude(pk=stakeholder.pk)
        .order_by("-influence", "pk")[:50]
    )
    name = stakeholder.name.lower()

    def alike(other: Stakeholder) -> float:
        return SequenceMatcher(None, name, other.name.lower()).ratio()

    ranked = sorted(candidates, key=lambda o: (-alike(o), o.name.lower()))
    return [o for o in ranked if alike(o) >= 0.5][:limit]


def position_history(stakeholder: Stakeholder) -> list[PositionChange]:
    """Its position changes, newest first."""
    return list(
        PositionChange.objects.for_coalition(stakeholder.coalition_id)
        .filter(stakeholder_id=stakeholder.pk)
        .select_related("recorded_by")
        .order_by("-on", "-pk")
    )


def tags(coalition: Coalition) -> QuerySet[StakeholderTag]:
    return StakeholderTag.objects.for_coalition(coalition).order_by("name")


def merges(coalition: Coalition, *, limit: int = 20) -> list[StakeholderMerge]:
    return list(
        StakeholderMerge.objects.for_coalition(coalition)
        .select_related("kept", "merged_by")
        .order_by("-merged_at", "-pk")[:limit]
    )


def stakeholders_with_history(coalition: Coalition) -> QuerySet[Stakeholder]:
    """Every stakeholder with its history prefetched (exports)."""
    return (
        Stakeholder.objects.for_coalition(coalition)
        .prefetch_related(
            "tags",
            Prefetch("position_changes", queryset=PositionChange.objects.order_by("on", "pk")),
        )
        .order_by("pk")
    )


# --- the map --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubGraph:
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    total: int  # stakeholders matching the filters (before the limit)
    truncated: bool  # some were left out (nodes over the limit, or edges over theirs)


def _neighbourhood(coalition: Coalition, center: int, depth: int, cap: int) -> dict[int, int]:
    """Stakeholder id → hops from `center`, breadth first, up to `depth` hops and `cap` ids."""
    seen = {center: 0}
    frontier = [center]
    ties = Relationship.objects.for_coalition(coalition)
    for hop in range(1, depth + 1):
        if not frontier or len(seen) >= cap:
            break
        found: list[int] = []
        for chunk_start in range(0, len(frontier), 500):
            chunk = frontier[chunk_start : chunk_start + 500]
            # two indexed reads joined by UNION ALL, not one OR: SQLite plans `source IN … OR
            # target IN …` as a walk over every tie of the coalition (26 ms at 250,000 ties,
            # against 0.4 ms for the union)
            pairs = (
                ties.filter(source_id__in=chunk)
                .order_by()
                .values_list("source_id", "target_id")
                .union(
                    ties.filter(target_id__in=chunk)
                    .order_by()
                    .values_list("source_id", "target_id"),
                    all=True,
                )
            )
            for source_id, target_id in pairs[: cap * EDGES_PER_NODE]:
                for node in (source_id, target_id):
                    if node not in seen:
                        seen[node] = hop
                        found.append(node)
        frontier = found
    return seen


def subgraph(
    coalition: Coalition,
    *,
    sector: Filter = None,
    position: Filter = None,
    tag: Filter = None,
    kind: Filter = None,
    around: int | None = None,
    depth: int = 1,
    limit: int = SUBGRAPH_LIMIT,
    include: Collection[int] = (),
) -> SubGraph:
    """At most `limit` stakeholders matching the filters and the ties between them."""
    limit = max(1, min(limit, SUBGRAPH_LIMIT * 5))
    rows = stakeholders(coalition, sector=sector, position=position, tag=tag, kind=kind)
    hops: dict[int, int] = {}
    if around is not None:
        hops = _neighbourhood(coalition, int(around), max(1, min(depth, 4)), limit * 10)
        rows = rows.filter(pk__in=list(hops))
    total = rows.count()
    fields = list(NODE_FIELDS)
    if hops:
        chosen = list(rows.values(*fields))
        chosen.sort(key=lambda n: (hops.get(n["id"], 99), -n["influence"], n["name"].lower()))
        chosen = chosen[:limit]
    else:
        chosen = list(rows.order_by("-influence", "name", "pk").values(*fields)[:limit])
    kept = {n["id"] for n in chosen}
    wanted = {int(i) for i in include} | ({int(around)} if around is not None else set())
    missing = wanted - kept
    if missing:
        extra = list(
            Stakeholder.objects.for_coalition(coalition).filter(pk__in=missing).values(*fields)
        )
        chosen += extra
        kept |= {n["id"] for n in extra}
    edge_cap = EDGES_PER_NODE * limit
    edges = list(
        Relationship.objects.for_coalition(coalition)
        .filter(source_id__in=kept, target_id__in=kept)
        .order_by("-weight", "pk")
        .values(*EDGE_FIELDS)[: edge_cap + 1]
    )
    truncated = total > len(kept - missing) or len(edges) > edge_cap
    return SubGraph(nodes=chosen, edges=edges[:edge_cap], total=total, truncated=truncated)


# --- the map page's reads -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Landmarks:
    """The coalition's member organizations and its campaigns' targets on the map, read once a
    request: the path's ends, the "around" choices and the map's rings."""

    members: list[tuple[int, str]]  # (stakeholder id, name) of active member organizations
    targets: list[tuple[int, str]]  # (stakeholder id, name) of decision-makers campaigns target

    @property
    def member_ids(self) -> set[int]:
        return {pk for pk, _name in self.members}

    @property
    def target_ids(self) -> set[int]:
        return {pk for pk, _name in self.targets}


def landmarks(coalition: Coalition) -> Landmarks:
    """The coalition's active members and its campaigns' targets on the map."""
    # ids first, then the stakeholders by their one-to-one keys (unique indexes: a few rows read,
    # where a subquery had the database scan every stakeholder of the coalition)
    organizations = list(
        Membership.objects.for_coalition(coalition)
        .filter(status=Membership.Status.ACTIVE)
        .order_by()
        .values_list("organization_id", flat=True)
    )
    makers = list(
        DecisionTarget.objects.for_coalition(coalition)
        .order_by()
        .values_list("decision_maker_id", flat=True)
        .distinct()
    )
    rows = (
        Stakeholder.objects.filter(
            Q(organization_id__in=organizations) | Q(decision_maker_id__in=makers)
        )
        .filter(coalition_id=coalition.pk)
        .order_by("name")
        .values_list("pk", "name", "organization_id", "decision_maker_id")
    )
    members: list[tuple[int, str]] = []
    targets: list[tuple[int, str]] = []
    wanted_organizations, wanted_makers = set(organizations), set(makers)
    for pk, name, organization_id, maker_id in rows:
        if organization_id in wanted_organizations:
            members.append((pk, name))
        if maker_id in wanted_makers:
            targets.append((pk, name))
    return Landmarks(members=members, targets=targets)


def stakeholder_choice(coalition: Coalition, raw: str | None) -> list[tuple[int, str]]:
    """The stakeholder a GET parameter names, when it is one of this coalition's."""
    if not raw or not raw.isdigit():
        return []
    return list(
        Stakeholder.objects.for_coalition(coalition).filter(pk=int(raw)).values_list("pk", "name")
    )


def tag_names(coalition: Coalition) -> list[str]:
    """The coalition's tag names, for the map's filter."""
    return list(
        StakeholderTag.objects.for_coalition(coalition)
        .order_by("name")
        .values_list("name", flat=True)
    )


def pageranks(run: FigureRun | None, ids: list[int]) -> dict[int, float]:
    """The PageRank of these stakeholders in a figure run (none without a run)."""
    if run is None or not ids:
        return {}
    rows = (
        StakeholderFigure.objects.for_coalition(run.coalition_id)
        .filter(run=run, stakeholder_id__in=ids)
        .order_by()  # the model's ordering would join and sort the stakeholders for nothing
    )
    return dict(rows.values_list("stakeholder_id", "pagerank"))


def tags_of(ids: list[int]) -> dict[int, list[str]]:
    """Each stakeholder's tag names (the ids come from a coalition-scoped read)."""
    through = Stakeholder.tags.through.objects.filter(stakeholder_id__in=ids)
    tags: dict[int, list[str]] = {}
    for stakeholder_id, name in through.values_list("stakeholder_id", "stakeholdertag__name"):
        tags.setdefault(stakeholder_id, []).append(name)
    return tags
