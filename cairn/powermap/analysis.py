"""The bridge from the power map's rows to the graph engines (`cairn.engines.graph`,
`cairn.engines.diversity`, `cairn.engines.prospects`): recompute, store and read the figures.

- `request_recompute(coalition)`: every graph write (P1's services, the importer) calls it inside
  its transaction. It marks the coalition's graph as changed and, on commit, enqueues one
  recompute task. Requests coalesce: many writes in one transaction register one callback, and
  while a run is queued and not yet started no second run is enqueued (the queued run reads the
  graph as it is when it starts; a write during a run queues the next one). A run claimed more
  than `STALE_QUEUE` ago that never started (a lost worker) no longer blocks a new one.
- `recompute_figures(coalition)`: reads the graph in bulk (three `values_list` queries), runs
  the engines, stores one `FigureRun` and a `StakeholderFigure` per stakeholder (bulk insert);
  records when, how long, how betweenness was computed (exact, or sampled with its error) and,
  on failure, the error. Keeps the last `KEEP_RUNS` runs.
- `latest_figures`, `figures_state` (what a page says about when figures were computed),
  `path_to_target`, `prospects_for_campaign`, `diversity`: reads.

The graph: every stakeholder is a node; every relationship an edge of its weight, directed
except the undirected kinds. A campaign's targets are the stakeholders of its decision-makers
(`DecisionTarget`). The coalition's members are the stakeholders of organizations whose
membership is active; a member's activity is 1 + the decisions it voted in + the commitment
deliveries it recorded, over the last `ACTIVITY_DAYS` days.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, FloatField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from cairn.engines import diversity as diversity_engine
from cairn.engines import graph as graph_engine
from cairn.engines.prospects import Candidate, ProspectRanking, Route, rank_prospects

from .models import (
    POSITION_SCORE,
    UNDIRECTED_KINDS,
    FigureRun,
    GraphState,
    Relationship,
    Stakeholder,
    StakeholderFigure,
    StakeholderKind,
    StakeholderPosition,
)

if TYPE_CHECKING:
    from cairn.campaigns.models import Campaign
    from cairn.coalitions.models import Coalition

STALE_QUEUE = dt.timedelta(minutes=15)
KEEP_RUNS = 2
ACTIVITY_DAYS = 365
MAX_PATH = 64  # longer next-hop chains are not followed (a path is never this long on a map)
SHORTLIST = 300  # candidates whose mission is compared (the highest possible scores)


def request_recompute(coalition: Coalition) -> None:
    """Mark the coalition's graph changed and enqueue its recompute once the transaction commits.

    Calling it many times in one transaction registers one callback; outside a transaction the
    callback runs at once (Django's on_commit semantics)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _savepoints, func, _robust in connection.run_on_commit:
            if (
                isinstance(func, partial)
                and func.func is _mark_changed_and_enqueue
                and func.args == (coalition.pk,)
            ):
                return
    transaction.on_commit(partial(_mark_changed_and_enqueue, coalition.pk))


def _mark_changed(coalition_id: int, now: dt.datetime) -> None:
    state = GraphState.objects.filter(coalition_id=coalition_id)
    if not state.update(changed_at=now):
        try:
            with transaction.atomic():
                GraphState.objects.create(coalition_id=coalition_id, changed_at=now)
        except IntegrityError:  # another writer created it first
            state.update(changed_at=now)


def _mark_changed_and_enqueue(coalition_id: int) -> None:
    from .tasks import recompute_figures_task

    now = timezone.now()
    _mark_changed(coalition_id, now)
    state = GraphState.objects.filter(coalition_id=coalition_id)
    claimed = state.filter(queued_at__isnull=True).update(queued_at=now) or state.filter(
        queued_at__lt=now - STALE_QUEUE
    ).update(queued_at=now)
    if claimed:
        recompute_figures_task.enqueue(coalition_id)


# --- reading the graph -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    graph: graph_engine.GraphData
    sector: dict[int, str]
    targets: dict[int, list[int]]  # campaign id → target stakeholder ids
    members: dict[int, float]  # member stakeholder id → activity
    member_sectors: list[tuple[str, float]]  # (sector, activity), one per active member


def member_activity(coalition: Coalition) -> dict[int, tuple[int | None, str, float]]:
    """Active memberships: membership id → (its stakeholder id or None, sector, activity)."""
    from cairn.coalitions.models import Delivery, Membership
    from cairn.governance.models import Eligibility

    since = timezone.now() - dt.timedelta(days=ACTIVITY_DAYS)
    rows = Membership.objects.for_coalition(coalition).filter(status=Membership.Status.ACTIVE)
    members: dict[int, tuple[int | None, str, float]] = {
        pk: (stakeholder, sector, 1.0)
        for pk, stakeholder, sector in rows.values_list(
            "pk", "organization__stakeholder", "organization__sector"
        )
    }
    votes = (
        Eligibility.objects.for_coalition(coalition)
        .filter(membership__in=list(members), voted_at__gte=since)
        .values("membership_id")
        .annotate(n=Count("pk"))
        .values_list("membership_id", "n")
    )
    deliveries = (
        Delivery.objects.for_coalition(coalition)
        .filter(commitment__membership__in=list(members), delivered_on__gte=since.date())
        .values("commitment__membership_id")
        .annotate(n=Count("pk"))
        .values_list("commitment__membership_id", "n")
    )
    for membership_id, n in [*votes, *deliveries]:
        stakeholder, sector, activity = members[membership_id]
        members[membership_id] = (stakeholder, sector, activity + n)
    return members


def read_graph(coalition: Coalition) -> Snapshot:
    """The coalition's graph and what the figures need, in a fixed number of queries."""
    from cairn.campaigns.models import DecisionTarget

    sector = dict(Stakeholder.objects.for_coalition(coalition).values_list("pk", "sector"))
    # the weight read as a float by the database (no Decimal per row: 0.8 s at 250,000 rows)
    edges = [
        (source, target, weight, kind not in UNDIRECTED_KINDS)
        for source, target, weight, kind in Relationship.objects.for_coalition(coalition)
        .annotate(w=Cast("weight", FloatField()))
        .values_list("source_id", "target_id", "w", "kind")
    ]
    targets: dict[int, list[int]] = {}
    for campaign_id, stakeholder_id in (
        DecisionTarget.objects.for_coalition(coalition)
        .filter(decision_maker__stakeholder__isnull=False)
        .values_list("campaign_id", "decision_maker__stakeholder")
        .order_by("campaign_id", "decision_maker__stakeholder")
    ):
        targets.setdefault(campaign_id, []).append(stakeholder_id)
    activity = member_activity(coalition)
    members = {s: a for s, _, a in activity.values() if s is not None and s in sector}
    return Snapshot(
        graph=graph_engine.GraphData(sorted(sector), edges),
        sector=sector,
        targets=targets,
        members=members,
        member_sectors=[(sec, a) for _, sec, a in activity.values()],
    )


# --- recompute ---------------------------------------------------------------------------------


Timings = dict[str, tuple[float, float]]


@contextmanager
def _step(timings: Timings | None, name: str) -> Iterator[None]:
    """Record the (wall, CPU) seconds of one step of a recompute in `timings`, if given."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        if timings is not None:
            timings[name] = (time.perf_counter() - wall, time.process_time() - cpu)


def recompute_figures(coalition: Coalition, *, timings: Timings | None = None) -> FigureRun:
    """Compute and store the coalition's figures; a failure is recorded on the run (and raised).

    `timings`, when given, receives each step's (wall, CPU) seconds (benchmarks/powermap.py)."""
    from .services import ensure_stakeholders_for_coalition

    # Before the queue flag is cleared, so stakeholders made here do not queue another run.
    ensure_stakeholders_for_coalition(coalition=coalition)
    state, _ = GraphState.objects.get_or_create(coalition=coalition)
    GraphState.objects.filter(pk=state.pk).update(queued_at=None)
    run = FigureRun.objects.create(
        coalition=coalition,
        requested_at=state.queued_at,
        graph_changed_at=state.changed_at,
        started_at=timezone.now(),
    )
    start = time.perf_counter()
    try:
        _compute(coalition, run, timings)
    except Exception as exc:
        run.status = FigureRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.duration_ms = round((time.perf_counter() - start) * 1000)
        run.save(update_fields=["status", "error", "duration_ms"])
        raise
    run.duration_ms = round((time.perf_counter() - start) * 1000)
    FigureRun.objects.filter(pk=run.pk).update(duration_ms=run.duration_ms)
    return run


def _compute(coalition: Coalition, run: FigureRun, timings: Timings | None = None) -> None:
    with _step(timings, "read the graph"):
        snap = read_graph(coalition)
    with _step(timings, "igraph forms"):
        graph = graph_engine.prepare(snap.graph)  # the igraph forms, built once for every figure
        graph.arcs, graph.undirected  # noqa: B018 - built here, so each step times itself only
    with _step(timings, "PageRank"):
        pagerank = graph_engine.pagerank(graph)
    with _step(timings, "betweenness"):
        betweenness = graph_engine.betweenness(graph)
    with _step(timings, "constraint, effective size"):
        holes = graph_engine.constraint_and_effective_size(graph)
    with _step(timings, "communities"):
        community = graph_engine.communities(graph)
    with _step(timings, "paths, reach"):
        every_target = sorted({t for ts in snap.targets.values() for t in ts})
        found = graph_engine.next_hops(graph, every_target)
        row_of = {t: j for j, t in enumerate(found.targets)}
        closeness = np.where(np.isfinite(found.distance), 1.0 / (1.0 + found.distance), 0.0)
        reach = {}
        for cid, ts in snap.targets.items():
            wanted = list(dict.fromkeys(ts))
            rows_j = [row_of[t] for t in wanted if t in row_of]
            reach[cid] = (
                closeness[rows_j].sum(axis=0) / len(wanted)
                if wanted
                else np.zeros(len(graph.nodes))
            )
    with _step(timings, "echo chamber, diversity"):
        own = {sec for sec, _ in snap.member_sectors}
        campaigns = {}
        for cid, ts in snap.targets.items():
            routes = [found.path(m, t) for m in snap.members for t in ts if m != t]
            echo = diversity_engine.echo_chamber(routes, snap.sector, own)
            campaigns[str(cid)] = {
                "targets": ts,
                "echo_chamber": echo.share,
                "echo_inside": echo.inside,
                "echo_pairs": echo.pairs,
            }
        sectors = diversity_engine.sector_diversity(snap.member_sectors)
    with _step(timings, "figure rows"):
        rows = _figure_rows(
            coalition.pk, run.pk, graph, found, reach, pagerank, betweenness, holes, community
        )
    with _step(timings, "write"), transaction.atomic():
        _insert_figures(rows)
        run.status = FigureRun.Status.DONE
        run.computed_at = timezone.now()
        run.node_count = len(graph.nodes)
        run.edge_count = len(snap.graph.edges)
        run.betweenness_method = betweenness.method
        run.betweenness_sample_size = betweenness.sample_size
        run.betweenness_error = betweenness.error
        run.diversity = {
            "shares": sectors.shares,
            "shannon": sectors.shannon,
            "effective_sectors": sectors.effective_sectors,
            "gini_simpson": sectors.gini_simpson,
            "members": len(snap.member_sectors),
        }
        run.campaigns = campaigns
        run.save()
        old = list(
            FigureRun.objects.for_coalition(coalition)
            .filter(Q(status=FigureRun.Status.DONE) | Q(status=FigureRun.Status.FAILED))
            .order_by("-started_at", "-pk")
            .values_list("pk", flat=True)[KEEP_RUNS:]
        )
        if old:
            StakeholderFigure.objects.filter(run_id__in=old).delete()
            FigureRun.objects.filter(pk__in=old).delete()


def _figure_rows(
    coalition_id: int,
    run_id: int,
    graph: graph_engine.Prepared,
    found: graph_engine.NextHops,
    reach: dict[int, np.ndarray],
    pagerank: dict[int, float],
    betweenness: graph_engine.Betweenness,
    holes: dict[int, graph_engine.StructuralHoles],
    community: dict[int, int],
) -> list[tuple[int | float | str | None, ...]]:
    """One row per node in FIGURE_COLUMNS' order, the JSON columns encoded here: `reach`
    {campaign id: reach} where positive, `paths` {target id: [distance, next node id or null]}
    for each target the node reaches (both rounded to 6 places, as json.dumps writes them)."""
    nodes = graph.nodes
    # per target, each node's '"target": [distance, next]' or None, from the arrays
    entries: list[list[str | None]] = []
    for j, target in enumerate(found.targets):
        distances = np.round(found.distance[j], 6).tolist()
        after = found.next[j].tolist()
        entries.append(
            [
                None if d == math.inf else f'"{target}": [{d!r}, {"null" if k < 0 else nodes[k]}]'
                for d, k in zip(distances, after, strict=True)
            ]
        )
    by_campaign = [(str(cid), r.tolist(), np.round(r, 6).tolist()) for cid, r in reach.items()]
    rows: list[tuple[int | float | str | None, ...]] = []
    for i, node in enumerate(nodes):
        hole = holes[node]
        reach_json = ", ".join(
            f'"{c}": {rounded[i]!r}' for c, r, rounded in by_campaign if r[i] > 0
        )
        paths_json = ", ".join(e[i] for e in entries if e[i] is not None)  # type: ignore[misc]
        rows.append(
            (
                coalition_id,
                run_id,
                node,
                pagerank[node],
                betweenness.values[node],
                hole.constraint,
                hole.effective_size,
                community[node],
                "{" + reach_json + "}",
                "{" + paths_json + "}",
            )
        )
    return rows


FIGURE_COLUMNS = (
    "coalition_id",
    "run_id",
    "stakeholder_id",
    "pagerank",
    "betweenness",
    "constraint",
    "effective_size",
    "community",
    "reach",
    "paths",
)


def _insert_figures(rows: Sequence[tuple[int | float | str | None, ...]]) -> None:
    """Insert figure rows (tuples in FIGURE_COLUMNS' order, JSON already encoded): by COPY on
    PostgreSQL (executemany there took 2.2 s of wall time at 50,000 rows), by executemany in
    batches on SQLite; no model instance per row (bulk_create cost seconds)."""
    quote = connection.ops.quote_name
    table = quote(StakeholderFigure._meta.db_table)
    names = ", ".join(quote(c) for c in FIGURE_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        values = ", ".join(["%s"] * len(FIGURE_COLUMNS))
        sql = f"INSERT INTO {table} ({names}) VALUES ({values})"  # noqa: S608 - our own names
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


# --- reads -------------------------------------------------------------------------------------


def latest_figures(coalition: Coalition) -> FigureRun | None:
    """The last completed run of the coalition's figures, or None."""
    return (
        FigureRun.objects.for_coalition(coalition)
        .filter(status=FigureRun.Status.DONE)
        .order_by("-computed_at", "-pk")
        .first()
    )


@dataclass(frozen=True, slots=True)
class FiguresState:
    run: FigureRun | None
    computed_at: dt.datetime | None
    changed_since: bool  # the graph changed after the run read it
    queued: bool  # a recompute is queued or running

    @property
    def summary(self) -> str:
        """One line for a page: when the figures were computed, and whether they are stale."""
        if self.run is None or self.computed_at is None:
            return "Figures not computed yet" + (" (computing now)." if self.queued else ".")
        when = timezone.localtime(self.computed_at).strftime("%Y-%m-%d %H:%M")
        text = f"Figures computed {when}"
        if self.run.betweenness_method == FigureRun.Betweenness.SAMPLED:
            error = self.run.betweenness_error or 0.0
            text += (
                f" (betweenness sampled from {self.run.betweenness_sample_size} sources, "
                f"about ±{error:.0%})"
            )
        if self.changed_since:
            text += "; the map changed since" + (", recomputing." if self.queued else ".")
        else:
            text += "."
        return text


def figures_state(coalition: Coalition) -> FiguresState:
    """What the pages say about the figures: when computed, and whether the map changed since."""
    run = latest_figures(coalition)
    state = GraphState.objects.filter(coalition=coalition).first()
    changed = state.changed_at if state else None
    changed_since = changed is not None and (
        run is None or run.graph_changed_at is None or changed > run.graph_changed_at
    )
    queued = bool(state and state.queued_at) or (
        FigureRun.objects.for_coalition(coalition)
        .filter(status=FigureRun.Status.RUNNING, started_at__gte=timezone.now() - STALE_QUEUE)
        .exists()
    )
    return FiguresState(run, run.computed_at if run else None, changed_since, queued)


def _walk(run: FigureRun, sources: Iterable[int], target: int) -> dict[int, list[int]]:
    """The stored shortest paths from each source to `target` (one query per step, all sources
    together); a source without a stored path is left out."""
    key = str(target)
    routes = {s: [s] for s in sources}
    ends = {s: s for s in routes}
    done: dict[int, list[int]] = {}
    for _ in range(MAX_PATH):
        if not ends:
            break
        # the whole (small: one entry per target) JSON: a key transform on a numeric key
        # would read as an array index
        nexts = dict(
            StakeholderFigure.objects.filter(
                run=run, coalition_id=run.coalition_id, stakeholder_id__in=set(ends.values())
            ).values_list("stakeholder_id", "paths")
        )
        for source, node in list(ends.items()):
            hop = (nexts.get(node) or {}).get(key)
            if node == target:
                done[source] = routes[source]
                del ends[source]
            elif not hop or hop[1] is None:
                del ends[source]
            else:
                routes[source].append(int(hop[1]))
                ends[source] = int(hop[1])
    return done


def path_to_target(coalition: Coalition, source_id: int, target_id: int) -> list[int]:
    """Stakeholder ids of a shortest path from source to target (both included), [] when there
    is none. From the latest figures when the target is a campaign's target; otherwise computed
    now from the graph."""
    ids = set(
        Stakeholder.objects.for_coalition(coalition)
        .filter(pk__in=[source_id, target_id])
        .values_list("pk", flat=True)
    )
    if ids != {source_id, target_id}:
        return []
    if source_id == target_id:
        return [source_id]
    run = latest_figures(coalition)
    if run is not None and any(target_id in c["targets"] for c in run.campaigns.values()):
        return _walk(run, [source_id], target_id).get(source_id, [])
    graph = read_graph(coalition).graph
    return graph_engine.path(
        graph_engine.shortest_paths_to(graph, [target_id]), source_id, target_id
    )


def _routes(run: FigureRun, candidates: list[int], nearest: dict[int, int]) -> dict[int, Route]:
    """Each candidate's stored path to its nearest target, with names and the ties used."""
    by_target: dict[int, list[int]] = {}
    for candidate in candidates:
        by_target.setdefault(nearest[candidate], []).append(candidate)
    paths: dict[int, list[int]] = {}
    for target, sources in by_target.items():
        paths.update(_walk(run, sources, target))
    nodes = {n for p in paths.values() for n in p}
    info = {
        pk: (name, kind)
        for pk, name, kind in Stakeholder.objects.filter(
            coalition_id=run.coalition_id, pk__in=nodes
        ).values_list("pk", "name", "kind")
    }
    steps = {(p[i], p[i + 1]) for p in paths.values() for i in range(len(p) - 1)}
    tie: dict[tuple[int, int], tuple[float, str]] = {}
    for source, target, weight, kind in Relationship.objects.filter(
        coalition_id=run.coalition_id, source_id__in=nodes, target_id__in=nodes
    ).values_list("source_id", "target_id", "weight", "kind"):
        ways = [(source, target)]
        if kind in UNDIRECTED_KINDS:
            ways.append((target, source))
        for way in ways:
            if way in steps and (way not in tie or float(weight) > tie[way][0]):
                tie[way] = (float(weight), kind)
    routes = {}
    for candidate, p in paths.items():
        if len(p) < 2 or any((p[i], p[i + 1]) not in tie for i in range(len(p) - 1)):
            continue  # the map changed since the figures: the stored path no longer exists
        routes[candidate] = Route(
            nodes=tuple(p),
            names=tuple(info[n][0] for n in p),
            ties=tuple(tie[(p[i], p[i + 1])][1] for i in range(len(p) - 1)),
            persons=tuple(info[n][1] == StakeholderKind.PERSON for n in p),
        )
    return routes


def prospects_for_campaign(campaign: Campaign, *, limit: int = 3) -> ProspectRanking:
    """The campaign's best prospects (see `cairn.engines.prospects`) from the latest figures.

    Candidates: organizations on the map that are not opposed, not the campaign's targets, not
    a member, invited or prospective organization of the coalition (a former member may be), and
    in no sector an active member has. The `SHORTLIST` with the highest possible score
    (reach × the best alignment their position allows) are compared by mission."""
    from cairn.coalitions.models import Membership

    coalition = campaign.coalition
    run = latest_figures(coalition)
    if run is None:
        return ProspectRanking([], "the map's figures have not been computed yet", 0, 0)
    targets = run.campaigns.get(str(campaign.pk), {}).get("targets", [])
    activity = member_activity(coalition)
    member_sectors = [(sector, a) for _, sector, a in activity.values()]
    taken = {sector for sector, _ in member_sectors}
    candidates = (
        Stakeholder.objects.for_coalition(coalition)
        .filter(kind=StakeholderKind.ORGANIZATION)
        .exclude(position=StakeholderPosition.OPPOSED)
        .exclude(sector__in=taken)
        .exclude(pk__in=targets)
        .exclude(
            Q(organization__membership__isnull=False)
            & ~Q(organization__membership__status=Membership.Status.LEFT)
        )
    )
    rows = list(candidates.values_list("pk", "name", "sector", "position"))
    if not targets or not rows:
        return rank_prospects(
            candidates=[Candidate(r[0], r[1], r[2], r[2], None, "") for r in rows],
            reach={},
            routes={},
            member_activity=member_sectors,
            coalition_mission=coalition.mission,
            targets=len(targets),
            limit=limit,
        )
    figures = dict(
        StakeholderFigure.objects.filter(
            run=run, coalition_id=coalition.pk, stakeholder_id__in=[r[0] for r in rows]
        ).values_list("stakeholder_id", "paths")
    )
    reach: dict[int, float] = {}
    nearest: dict[int, int] = {}
    for pk, paths in figures.items():
        to_targets = [(d, int(t)) for t, (d, _n) in paths.items() if int(t) in targets]
        if to_targets:
            nearest[pk] = min(to_targets)[1]
            reach[pk] = sum(1.0 / (1.0 + d) for d, _ in to_targets) / len(targets)

    def bound(row: tuple[int, str, str, str]) -> float:
        score = POSITION_SCORE[row[3]]
        position = 0.5 if score is None else (score + 2) / 4
        return reach.get(row[0], 0.0) * (position + 1) / 2

    shortlist = sorted((r for r in rows if r[0] in reach), key=lambda r: (-bound(r), r[0]))
    shortlist = shortlist[:SHORTLIST]
    labels = dict(Stakeholder._meta.get_field("sector").flatchoices)
    missions = dict(
        Stakeholder.objects.filter(pk__in=[r[0] for r in shortlist]).values_list(
            "pk", "description"
        )
    )
    chosen = [
        Candidate(pk, name, sec, str(labels.get(sec, sec)), POSITION_SCORE[pos], missions[pk])
        for pk, name, sec, pos in shortlist
    ]
    routes = _routes(run, [c.id for c in chosen], nearest)
    return rank_prospects(
        candidates=chosen or [Candidate(r[0], r[1], r[2], r[2], None, "") for r in rows],
        reach=reach,
        routes=routes,
        member_activity=member_sectors,
        coalition_mission=coalition.mission,
        targets=len(targets),
        limit=limit,
    )


@dataclass(frozen=True, slots=True)
class CoalitionDiversity:
    sectors: diversity_engine.SectorDiversity  # now, from the active members' activity
    echo_chambers: dict[int, diversity_engine.EchoChamber]  # campaign id → from the figures
    computed_at: dt.datetime | None  # of the echo chambers


def diversity(coalition: Coalition) -> CoalitionDiversity:
    """Sector diversity of the active members (weighted by activity) and, per campaign, the
    echo-chamber figure of the latest run (see `cairn.engines.diversity`)."""
    activity = member_activity(coalition)
    sectors = diversity_engine.sector_diversity((s, a) for _, s, a in activity.values())
    run = latest_figures(coalition)
    echoes = {}
    if run is not None:
        for cid, figures in run.campaigns.items():
            echoes[int(cid)] = diversity_engine.EchoChamber(
                figures.get("echo_chamber"),
                figures.get("echo_inside", 0),
                figures.get("echo_pairs", 0),
            )
    return CoalitionDiversity(sectors, echoes, run.computed_at if run else None)


def path_from_members(
    coalition: Coalition, run: FigureRun | None, target: int, member_ids: Iterable[int]
) -> list[int]:
    """The shortest path to `target` from the nearest active member of the coalition."""
    members = sorted(member_ids)
    if not members:
        return []
    if target in members:
        return [target]
    stored = run is not None and any(target in c["targets"] for c in run.campaigns.values())
    if run is not None and stored:
        # each member's stored distance to the target: one query, then one path
        # (the whole `paths` object: a lookup of the digit key would read a JSON array index)
        stored_paths = (
            StakeholderFigure.objects.for_coalition(coalition)
            .filter(run=run, stakeholder_id__in=members)
            .values_list("stakeholder_id", "paths")
        )
        key = str(target)
        reachable = [(paths[key][0], pk) for pk, paths in stored_paths if key in paths]
        if not reachable:
            return []
        return path_to_target(coalition, min(reachable)[1], target)
    # a target the figures do not follow (or none yet): one search over the graph as it is
    graph = read_graph(coalition).graph
    hops = graph_engine.shortest_paths_to(graph, [target])
    reachable = [(hops[m][target].distance, m) for m in members if target in hops.get(m, {})]
    if not reachable:
        return []
    return graph_engine.path(hops, min(reachable)[1], target)
