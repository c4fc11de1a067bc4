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
- `betweenness(graph, *, exact_up_to=EXACT_BETWEENNESS_MAX_NODES, pivots=..., seed=0) ->
  Betweenness(values, method, sample_size, error)`: shortest-path betweenness with path length
  1 / weight (a strong tie is a short step); exact up to `exact_up_to` nodes, beyond that
  estimated from `pivots` random source nodes (igraph's subset betweenness, scaled by n/k) with
  its error stated.
- `shortest_paths_to(graph, targets) -> dict[int, dict[int, Hop]]`: for each node, for each
  target it can reach along the edges, the path length and the next node on one shortest path;
  `path(hops, source, target) -> list[int]` walks them.
- `reach(graph, targets) -> dict[int, float]`: in [0, 1], the mean over targets of
  1 / (1 + d(node, target)) (0 when unreachable); adding a tie never lowers it.
- `constraint_and_effective_size(graph) -> dict[int, StructuralHoles]`: Burt's constraint
  (weighted) and effective size, on the ties taken both ways.
- `communities(graph, *, seed=0) -> dict[int, int]`: Leiden (modularity) on the ties taken both
  ways; community 0 is the largest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EXACT_BETWEENNESS_MAX_NODES = 5_000  # set from benchmarks/graph_libraries.py


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
