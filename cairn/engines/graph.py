"""Graph figures of a power map, computed by igraph (no Django; plain inputs, plain outputs).

The input is a `GraphData`: node ids (ints, e.g. stakeholder pks) and edges
`(source, target, weight, directed)`. A directed edge says "source acts on target" (funds, sits
on the board of, employs, regulates, votes on, covers…); an undirected one (allied with, personal
tie) is a tie both ways. The weight (0.1–10, default 1) is the tie's strength. Parallel edges
between the same two nodes are allowed (two kinds of tie): their weights add up for PageRank,
constraint and communities, and the strongest one counts for path lengths.

Public functions (each returns a dict keyed by node id, every node present):

- `pagerank(graph, *, damping=0.85) -> dict[int, float]`: weighted PageRank along the edges'
  direction (undirected ties both ways); sums to 1.
- `betweenness(graph, *, exact_up_to=EXACT_BETWEENNESS_MAX_NODES, pivots=None, seed=0) ->
  Betweenness(values, method, sample_size, error)`: shortest-path betweenness with path length
  1 / weight (a strong tie is a short step); exact up to `exact_up_to` nodes, beyond that
  estimated from `pivots` random source nodes (igraph's subset betweenness, scaled by n/k) with
  its error stated.
- `shortest_paths_to(graph, targets) -> dict[int, dict[int, Hop]]`: for each node, for each
  target it can reach along the edges, the path length and the next node on one shortest path;
  `path(hops, source, target) -> list[int]` walks them; `reach_from(hops, targets)`.
- `next_hops(graph, targets) -> NextHops`: the same for every node in arrays (one Dijkstra call
  from all the targets; no object per node and target), with `.path(source, target)`.
- `reach(graph, targets) -> dict[int, float]`: in [0, 1], the mean over targets of
  1 / (1 + d(node, target)) (0 when unreachable); adding a tie never lowers it.
- `constraint_and_effective_size(graph) -> dict[int, StructuralHoles]`: Burt's constraint
  (weighted) and effective size, on the ties taken both ways.
- `communities(graph, *, seed=0) -> dict[int, int]`: Leiden (modularity) on the ties taken both
  ways; community 0 is the largest.

Each accepts the `GraphData` or `prepare(graph)`: the igraph forms built once, for computing
several figures of one graph.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import igraph as ig  # type: ignore[import-untyped]
import numpy as np

# Exact betweenness costs O(n·m): ~1 s at 3,000 nodes and 15,000 edges, ~13 minutes at 50,000
# and 250,000 (benchmarks/graph_libraries.py). Beyond 3,000 nodes it is estimated from pivots:
# as many as BETWEENNESS_WORK arc visits allow (one pivot visits every arc once), at least
# MIN_PIVOTS. The budget keeps betweenness under ~40 % of the 10 s a full recompute may take:
# 132 pivots at 50,000 nodes / 250,000 edges (300,000 arcs), ~3.5 s of one core (25–30 ms a
# pivot), stated error ~42 % on the whole vector (196 pivots gave 35 % for 5–6 s; the error
# grows as 1/sqrt(pivots)).
EXACT_BETWEENNESS_MAX_NODES = 3_000
BETWEENNESS_WORK = 40_000_000
MIN_PIVOTS = 64
BATCHES = 4


@dataclass(frozen=True, slots=True)
class GraphData:
    nodes: list[int]
    edges: list[tuple[int, int, float, bool]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Betweenness:
    values: dict[int, float]
    method: Literal["exact", "sampled"]
    sample_size: int | None  # pivots used when sampled
    error: float | None  # estimated relative error of the sampled values (None when exact)


@dataclass(frozen=True, slots=True)
class Hop:
    distance: float
    next: int | None  # None at the target itself


@dataclass(frozen=True, slots=True)
class StructuralHoles:
    constraint: float | None  # None for an isolated node
    effective_size: float | None


class Prepared:
    """A graph's igraph forms, built once and shared when several figures are computed
    (`prepare(graph)`); every public function accepts one in place of the `GraphData`."""

    def __init__(self, graph: GraphData) -> None:
        self.data = graph
        self.nodes = list(dict.fromkeys(graph.nodes))
        self.index = {node: i for i, node in enumerate(self.nodes)}
        # self-loops, non-positive weights and edges to unknown nodes are dropped (numpy: no
        # Python tuple per edge)
        table = np.array(graph.edges, dtype=float).reshape(len(graph.edges), 4)
        ids = np.asarray(self.nodes, dtype=float)
        order = np.argsort(ids, kind="stable")
        ends = []
        known = np.ones(len(table), dtype=bool)
        for column in (0, 1):
            at = np.minimum(np.searchsorted(ids[order], table[:, column]), max(0, len(ids) - 1))
            found = ids[order][at] == table[:, column] if len(ids) else known & False
            known &= found
            ends.append(order[at] if len(ids) else at)
        keep = known & (table[:, 0] != table[:, 1]) & (table[:, 2] > 0)
        self.source = np.asarray(ends[0][keep], dtype=np.int64)
        self.target = np.asarray(ends[1][keep], dtype=np.int64)
        self.weight = table[keep, 2]
        self.directed = table[keep, 3].astype(bool)

    @staticmethod
    def _combine(
        a: np.ndarray, b: np.ndarray, w: np.ndarray, n: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Parallel arcs a→b merged, in (a, b) order: (tails, heads, summed weights, max weights).
        numpy instead of igraph's simplify: one sort, no Python lists of 300,000 pairs."""
        key = a * n + b
        order = np.argsort(key, kind="stable")
        key, w = key[order], w[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
        unique = key[starts]
        if len(key) == 0:
            empty = np.empty(0, dtype=float)
            return unique, unique, empty, empty
        return (
            unique // n,
            unique % n,
            np.add.reduceat(w, starts),
            np.maximum.reduceat(w, starts),
        )

    @functools.cached_property
    def _arcs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Arcs: a directed edge once, an undirected one both ways, parallel arcs merged:
        (tails, heads, summed weights, strongest weights)."""
        both = ~self.directed
        a = np.concatenate([self.source, self.target[both]])
        b = np.concatenate([self.target, self.source[both]])
        w = np.concatenate([self.weight, self.weight[both]])
        return self._combine(a, b, w, len(self.nodes))

    @functools.cached_property
    def arcs(self) -> ig.Graph:
        """The directed graph of arcs, built once: `weight` = the parallel ties' weights added
        (PageRank), `length` = 1 / the strongest tie's weight (paths, betweenness)."""
        tails, heads, summed, strongest = self._arcs
        return ig.Graph(
            n=len(self.nodes),
            edges=list(zip(tails.tolist(), heads.tolist(), strict=True)),  # fastest form
            directed=True,
            edge_attrs={"weight": summed.tolist(), "length": (1.0 / strongest).tolist()},
        )

    @property
    def summed(self) -> ig.Graph:
        """The arcs, read with `weight` (parallel ties' weights added)."""
        return self.arcs

    @property
    def lengths(self) -> ig.Graph:
        """The arcs, read with `length` = 1 / the strongest tie's weight."""
        return self.arcs

    @functools.cached_property
    def arc_ends(self) -> tuple[np.ndarray, np.ndarray]:
        """(tails, heads) of the arcs, as index arrays."""
        tails, heads, _, _ = self._arcs
        return tails, heads

    @functools.cached_property
    def arc_length(self) -> np.ndarray:
        _, _, _, strongest = self._arcs
        return 1.0 / strongest

    @functools.cached_property
    def undirected(self) -> ig.Graph:
        """Every tie taken both ways, once per pair of nodes, the weights between them added."""
        low = np.minimum(self.source, self.target)
        high = np.maximum(self.source, self.target)
        tails, heads, summed, _ = self._combine(low, high, self.weight, len(self.nodes))
        return ig.Graph(
            n=len(self.nodes),
            edges=list(zip(tails.tolist(), heads.tolist(), strict=True)),  # fastest form
            directed=False,
            edge_attrs={"weight": summed.tolist()},
        )


Graph = GraphData | Prepared


def prepare(graph: Graph) -> Prepared:
    return graph if isinstance(graph, Prepared) else Prepared(graph)


def pagerank(graph: Graph, *, damping: float = 0.85) -> dict[int, float]:
    """Weighted PageRank (igraph's PRPACK) along the edges' direction, parallel ties' weights
    added; a node without out-ties passes its rank to every node (as networkx does). Sums to 1."""
    prepared = prepare(graph)
    nodes = prepared.nodes
    if not nodes:
        return {}
    values = prepared.summed.pagerank(weights="weight", damping=damping, directed=True)
    return dict(zip(nodes, (float(v) for v in values), strict=True))


def betweenness(
    graph: Graph,
    *,
    exact_up_to: int = EXACT_BETWEENNESS_MAX_NODES,
    pivots: int | None = None,
    seed: int = 0,
) -> Betweenness:
    """Shortest-path betweenness, path length = Σ 1/weight along the edges' direction.

    Normalized: the share of the ordered pairs (s, t) of other nodes whose shortest paths pass
    through the node, i.e. divided by (n−1)(n−2); on a graph of undirected ties this equals
    networkx's normalized betweenness. Exact (igraph, Brandes' algorithm) up to `exact_up_to`
    nodes. Beyond it, estimated from `pivots` source nodes (by default as many as
    `BETWEENNESS_WORK` arc visits allow, at least `MIN_PIVOTS`) drawn at random without replacement
    (igraph's subset betweenness from those sources, scaled by n/k: Brandes & Pich 2007's
    unbiased pivot estimator). The pivots are drawn as `BATCHES` equal batches; the stated
    `error` is the relative standard error of the whole vector estimated from the spread between
    the batches: sqrt(Σ_v se_v²) / sqrt(Σ_v b_v²), se_v = sd(batch estimates of v) / sqrt(BATCHES)
    (benchmarks/graph_libraries.py compares it with the true error against exact values).
    """
    prepared = prepare(graph)
    nodes = prepared.nodes
    n = len(nodes)
    if n < 3:
        return Betweenness(dict.fromkeys(nodes, 0.0), "exact", None, None)
    g = prepared.lengths
    scale = 1.0 / ((n - 1) * (n - 2))
    if pivots is None:
        pivots = max(MIN_PIVOTS, BETWEENNESS_WORK // max(1, g.ecount()))
    if n <= exact_up_to or pivots >= n:
        raw = g.betweenness(directed=True, weights="length")
        values = {node: float(v) * scale for node, v in zip(nodes, raw, strict=True)}
        return Betweenness(values, "exact", None, None)
    per_batch = max(1, pivots // BATCHES)
    k = per_batch * BATCHES
    rng = np.random.default_rng(seed)
    sources = rng.choice(n, size=k, replace=False)
    batches = np.empty((BATCHES, n))
    for b in range(BATCHES):
        chosen = sources[b * per_batch : (b + 1) * per_batch].tolist()
        batches[b] = g.betweenness(directed=True, weights="length", sources=chosen)
    batches *= scale * n / per_batch
    estimate = batches.mean(axis=0)
    se = batches.std(axis=0, ddof=1) / math.sqrt(BATCHES)
    norm = float(np.sqrt((estimate**2).sum()))
    error = float(np.sqrt((se**2).sum())) / norm if norm > 0 else 0.0
    values = {node: float(v) for node, v in zip(nodes, estimate, strict=True)}
    return Betweenness(values, "sampled", k, error)


@dataclass(frozen=True, slots=True)
class NextHops:
    """Shortest paths to some targets in array form (`next_hops`): for target j (its node id
    `targets[j]`) and node index i (`nodes[i]`), `distance[j, i]` (inf when it cannot reach
    the target) and `next[j, i]`, the index of the next node on one shortest path (-1 at the
    target itself and when unreachable)."""

    nodes: list[int]
    targets: list[int]
    distance: np.ndarray  # (targets, nodes) float
    next: np.ndarray  # (targets, nodes) int64

    index: dict[int, int]  # node id → index

    def path(self, source: int, target: int) -> list[int]:
        """Node ids of a shortest path from source to target (both included); [] when none."""
        i = self.index.get(source)
        if target not in self.targets or i is None:
            return []
        j = self.targets.index(target)
        if not np.isfinite(self.distance[j, i]):
            return []
        route = [i]
        while self.next[j, route[-1]] >= 0 and len(route) <= len(self.nodes):
            route.append(int(self.next[j, route[-1]]))
        return [self.nodes[k] for k in route]


def next_hops(graph: Graph, targets: Iterable[int]) -> NextHops:
    """`shortest_paths_to` in array form, for every node at once: one igraph Dijkstra call from
    all the targets along reversed arcs, then the next node from each node by one vectorized
    Bellman step per target. Targets that are not nodes of the graph are left out."""
    prepared = prepare(graph)
    nodes, index = prepared.nodes, prepared.index
    wanted = [t for t in dict.fromkeys(targets) if t in index]
    n = len(nodes)
    if not wanted:
        return NextHops(nodes, [], np.empty((0, n)), np.empty((0, n), dtype=np.int64), index)
    g = prepared.lengths
    tail, head = prepared.arc_ends
    length = prepared.arc_length
    sources = [index[t] for t in wanted]
    # d(v, target) for every v and every target, in one call
    dist = np.asarray(g.distances(source=sources, weights="length", mode="in"), dtype=float)
    nxt = np.full((len(wanted), n), -1, dtype=np.int64)
    # the arcs are sorted by (tail, head): each node's out-arcs are one run
    runs = np.flatnonzero(np.r_[True, tail[1:] != tail[:-1]]) if len(tail) else tail
    run_of_arc = np.cumsum(np.r_[False, tail[1:] != tail[:-1]]) if len(tail) else tail
    for j, t in enumerate(sources):
        d = dist[j]
        # the next node from v is the head u of an arc v→u minimizing length + d(u): by
        # Bellman's equation that minimum is d(v), and d(u) < d(v) since lengths are positive,
        # so following next hops always ends at the target (ties: the smallest node index, the
        # first of the run's arcs reaching the minimum)
        via = length + d[head]
        if not len(via):
            continue
        best = np.minimum.reduceat(via, runs)
        hit = np.flatnonzero(via == best[run_of_arc])
        first = np.ones(len(hit), dtype=bool)
        first[1:] = run_of_arc[hit[1:]] != run_of_arc[hit[:-1]]
        hit = hit[first]
        v, u = tail[hit], head[hit]
        keep = (v != t) & np.isfinite(d[v])
        nxt[j, v[keep]] = u[keep]
    return NextHops(nodes, wanted, dist, nxt, index)


def shortest_paths_to(graph: Graph, targets: Iterable[int]) -> dict[int, dict[int, Hop]]:
    """For each node, for each target it reaches along the edges (directed ones in their
    direction, undirected both ways): the length of a shortest path (Σ 1/weight, the strongest
    of parallel ties) and the next node on one such path. A target reaches itself at 0.
    Targets that are not nodes of the graph are ignored. (`next_hops` gives the same in arrays,
    without a `Hop` per node and target.)"""
    found = next_hops(graph, targets)
    nodes = found.nodes
    hops: dict[int, dict[int, Hop]] = {node: {} for node in nodes}
    node_ids = np.asarray(nodes, dtype=object)
    for j, target in enumerate(found.targets):
        d, nxt = found.distance[j], found.next[j]
        v = np.flatnonzero(np.isfinite(d) & (nxt >= 0))
        for node, distance, after in zip(
            node_ids[v].tolist(), d[v].tolist(), node_ids[nxt[v]].tolist(), strict=True
        ):
            hops[node][target] = Hop(distance, after)
        hops[target][target] = Hop(0.0, None)
    return hops


def path(hops: dict[int, dict[int, Hop]], source: int, target: int) -> list[int]:
    """The nodes of a shortest path from source to target (both included); [] when none."""
    route = [source]
    node = source
    while node != target:
        hop = hops.get(node, {}).get(target)
        if hop is None or hop.next is None or len(route) > len(hops):
            return []
        node = hop.next
        route.append(node)
    return route


def reach_from(hops: dict[int, dict[int, Hop]], targets: Iterable[int]) -> dict[int, float]:
    """`reach` from already computed paths (see `reach`)."""
    wanted = list(dict.fromkeys(targets))
    if not wanted:
        return dict.fromkeys(hops, 0.0)
    out: dict[int, float] = {}
    for node, by_target in hops.items():
        total = 0.0
        for target in wanted:
            hop = by_target.get(target)
            if hop is not None:
                total += 1.0 / (1.0 + hop.distance)
        out[node] = total / len(wanted)
    return out


def reach(graph: Graph, targets: Iterable[int]) -> dict[int, float]:
    """How close a node is to the targets, in [0, 1]: the mean over the targets of
    1 / (1 + d), d the shortest path length to the target (Σ 1/weight along the edges'
    direction; a weight-1 tie is a step of 1, a weight-10 tie a step of 0.1), 0 for a target it
    cannot reach. A target scores 1 for itself. Adding a tie, or strengthening one, can only
    shorten paths, so it never lowers anyone's reach. Targets not in the graph count as
    unreachable (they lower every node's reach alike)."""
    targets = list(dict.fromkeys(targets))
    return reach_from(shortest_paths_to(graph, targets), targets)


def constraint_and_effective_size(graph: Graph) -> dict[int, StructuralHoles]:
    """Burt's (1992) structural holes, every tie taken both ways (weights of ties between the
    same two nodes added).

    - constraint (igraph): c_i = Σ_j (p_ij + Σ_q p_iq p_qj)², p_ij = w_ij / Σ_k w_ik;
      high when a node's contacts are few and tied to each other (no structural hole to
      broker); 1/n for the centre of a star of n, 1.125 in a closed triad;
    - effective size: the number of contacts minus their redundancy, counting ties (not
      their weights): n − 2t/n for n contacts with t ties among them (Borgatti 1997's form of
      Burt's measure, which networkx also uses for unweighted graphs), from igraph's degree and
      local transitivity.

    Both are None for an isolated node.
    """
    prepared = prepare(graph)
    nodes = prepared.nodes
    if not nodes:
        return {}
    g = prepared.undirected
    constraint = g.constraint(weights="weight")
    degree = g.degree()
    transitivity = g.transitivity_local_undirected(mode="zero")
    out: dict[int, StructuralHoles] = {}
    for node, c, k, cc in zip(nodes, constraint, degree, transitivity, strict=True):
        if k == 0:
            out[node] = StructuralHoles(None, None)
        else:
            out[node] = StructuralHoles(float(c), float(k - (k - 1) * cc))
    return out


def communities(graph: Graph, *, seed: int = 0) -> dict[int, int]:
    """Communities by igraph's Leiden algorithm optimizing weighted modularity, every tie taken
    both ways. Numbered by size (0 the largest; ties by smallest node id); seeded, so the same
    graph in the same order gives the same communities."""
    prepared = prepare(graph)
    nodes = prepared.nodes
    if not nodes:
        return {}
    g = prepared.undirected
    ig.set_random_number_generator(random.Random(seed))  # noqa: S311 - seeded community search, not security
    try:
        membership = g.community_leiden(
            objective_function="modularity", weights="weight", n_iterations=2
        ).membership
    finally:
        ig.set_random_number_generator(random)
    members: dict[int, list[int]] = {}
    for node, label in zip(nodes, membership, strict=True):
        members.setdefault(label, []).append(node)
    ordered = sorted(members.values(), key=lambda group: (-len(group), min(group)))
    return {node: number for number, group in enumerate(ordered) for node in group}
