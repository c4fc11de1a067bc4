"""networkx vs igraph vs rustworkx on a power-map-like graph, and the sampled betweenness' error.

    .venv/bin/python benchmarks/graph_libraries.py                  # 50,000 nodes, 250,000 edges
    .venv/bin/python benchmarks/graph_libraries.py --nodes 2000 --edges 10000 --repeats 1  # quick

The graph (`generate`, seeded, also used by benchmarks/powermap.py): nodes in --communities
communities of power-law sizes, each with a dominant sector (70 % of its nodes; 12 sectors);
Chung–Lu power-law degrees (Pareto fitness, exponent 1.2, capped); 80 % of the edges inside the
source's community; no duplicate pair; weights log-normal rounded to 0.1 and clipped to 0.1–10;
80 % of the edges directed, the rest undirected (stored once, a tie both ways).

What it prints, in one run:

1. **Libraries side by side** — each operation's median wall time over --repeats runs (an
   operation whose first run takes more than --slow seconds is run once, marked `1×`), and its
   time relative to networkx (`nx/x`: how many times faster than networkx). Operations:
   building the graph from edge lists; weighted PageRank; betweenness from --pivots sources
   (the same sources for every library: igraph's `sources=`, networkx's
   `betweenness_centrality_subset`); exact betweenness on a graph of --exact-nodes nodes from the
   same generator (networkx's only on request, --nx-exact: it takes minutes); Burt's constraint;
   effective size; communities (igraph Leiden and Louvain, networkx Louvain); distances from every
   node to --targets targets. rustworkx has no weighted betweenness, no constraint, no effective
   size and no community detection: `—`.
2. **Sampled betweenness** (`cairn.engines.graph.betweenness`) on a graph of --error-nodes nodes
   where exact values are computed: for several pivot counts, the median over 3 seeds of the
   time, the true relative error (‖estimate − exact‖₂ / ‖exact‖₂), the error the engine states
   (from its 4 batches of pivots), and the overlap of the 100 highest nodes.
3. **The engine's full figures** at --nodes/--edges (PageRank, betweenness as the engine
   chooses, paths and reach to --targets targets, constraint and effective size, communities):
   each one's median time and the total (target < 10 s at 50,000/250,000).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECTORS = 12


def generate(
    nodes: int, edges: int, *, communities: int = 400, seed: int = 7
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(source, target, weight, directed, sector) arrays of a seeded power-map-like graph."""
    rng = np.random.default_rng(seed)
    communities = max(1, min(communities, nodes // 10))
    sizes = rng.pareto(1.5, communities) + 1
    community = rng.choice(communities, size=nodes, p=sizes / sizes.sum())
    dominant = rng.integers(0, SECTORS, communities)
    sector = np.where(rng.random(nodes) < 0.7, dominant[community], rng.integers(0, SECTORS, nodes))
    fitness = np.minimum(rng.pareto(1.2, nodes) + 1, 5 * nodes**0.5)
    p = fitness / fitness.sum()
    order = np.argsort(community, kind="stable")
    starts = np.searchsorted(community[order], np.arange(communities))
    ends = np.searchsorted(community[order], np.arange(communities), side="right")
    seen: set[tuple[int, int]] = set()
    sources: list[int] = []
    targets: list[int] = []
    max_pairs = nodes * (nodes - 1) // 2
    edges = min(edges, max_pairs)
    while len(sources) < edges:
        k = int((edges - len(sources)) * 1.3) + 100
        s = rng.choice(nodes, size=k, p=p)
        anywhere = rng.choice(nodes, size=k, p=p)
        c = community[s]
        local = order[starts[c] + (rng.random(k) * (ends[c] - starts[c])).astype(np.int64)]
        t = np.where(rng.random(k) < 0.8, local, anywhere)
        for a, b in zip(s.tolist(), t.tolist(), strict=True):
            key = (a, b) if a < b else (b, a)
            if a == b or key in seen:
                continue
            seen.add(key)
            sources.append(a)
            targets.append(b)
            if len(sources) == edges:
                break
    m = len(sources)
    weight = np.clip(np.round(rng.lognormal(0.0, 0.8, m), 1), 0.1, 10.0)
    directed = rng.random(m) < 0.8
    return np.array(sources), np.array(targets), weight, directed, sector


def graph_data(src: np.ndarray, dst: np.ndarray, weight: np.ndarray, directed: np.ndarray) -> Any:
    from cairn.engines.graph import GraphData

    n = int(max(src.max(), dst.max())) + 1 if len(src) else 0
    return GraphData(
        list(range(n)),
        list(zip(src.tolist(), dst.tolist(), weight.tolist(), directed.tolist(), strict=True)),
    )


def arcs(src: np.ndarray, dst: np.ndarray, weight: np.ndarray, directed: np.ndarray) -> Any:
    """Directed arcs: a directed edge once, an undirected one both ways."""
    und = ~directed
    a = np.concatenate([src, dst[und]])
    b = np.concatenate([dst, src[und]])
    w = np.concatenate([weight, weight[und]])
    return a, b, w


def timed(fn: Callable[[], Any], repeats: int, slow: float) -> tuple[float, int, Any]:
    """Median wall seconds over `repeats` (once if the first run exceeds `slow`)."""
    times: list[float] = []
    result: Any = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        if times[0] > slow:
            break
    return statistics.median(times), len(times), result


def timed_in_child(
    fn: Callable[[], Any], repeats: int, slow: float, timeout: float
) -> tuple[float, int]:
    """`timed` in a forked child (it shares the graphs), given up after `timeout` seconds:
    then (inf, 1), printed as "> timeout"."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:
        seconds, runs, _ = timed(fn, repeats, slow)
        send.send((seconds, runs))

    process = ctx.Process(target=child)
    process.start()
    ready = receive.poll(timeout)
    result = receive.recv() if ready else (math.inf, 1)
    process.join(0 if not ready else None)
    if process.is_alive():
        process.kill()
        process.join()
    return result


def compare_libraries(args: argparse.Namespace) -> None:
    import igraph as ig
    import networkx as nx
    import rustworkx as rx

    n = args.nodes
    src, dst, weight, directed, _ = generate(n, args.edges)
    a, b, w = arcs(src, dst, weight, directed)
    length = 1.0 / w
    rng = np.random.default_rng(1)
    pivots = sorted(rng.choice(n, size=args.pivots, replace=False).tolist())
    targets = rng.choice(n, size=args.targets, replace=False).tolist()
    a_l, b_l, w_l, len_l = a.tolist(), b.tolist(), w.tolist(), length.tolist()
    es, ed, ew = src.tolist(), dst.tolist(), weight.tolist()
    print(
        f"graph: {n:,} nodes, {len(src):,} edges ({int(directed.sum()):,} directed), "
        f"{len(a):,} arcs; {args.pivots} pivots, {args.targets} targets\n"
    )

    def build_nx() -> Any:
        g = nx.DiGraph()
        g.add_nodes_from(range(n))
        g.add_weighted_edges_from(zip(a_l, b_l, w_l, strict=True))
        for *_, d in g.edges(data=True):
            d["length"] = 1.0 / d["weight"]
        return g

    def build_nx_undirected() -> Any:
        g = nx.Graph()
        g.add_nodes_from(range(n))
        g.add_weighted_edges_from(zip(es, ed, ew, strict=True))
        return g

    def build_ig() -> Any:
        return ig.Graph(
            n=n,
            edges=list(zip(a_l, b_l, strict=True)),
            directed=True,
            edge_attrs={"weight": w_l, "length": len_l},
        )

    def build_ig_undirected() -> Any:
        return ig.Graph(n=n, edges=list(zip(es, ed, strict=True)), edge_attrs={"weight": ew})

    def build_rx() -> Any:
        g = rx.PyDiGraph()
        g.add_nodes_from(range(n))
        g.add_edges_from(list(zip(a_l, b_l, w_l, strict=True)))
        return g

    rows: list[tuple[str, dict[str, tuple[float, int] | None]]] = []
    slow, reps = args.slow, args.repeats

    def run(name: str, nx_fn: Any, ig_fn: Any, rx_fn: Any) -> None:
        row: dict[str, tuple[float, int] | None] = {}
        for lib, fn in (("networkx", nx_fn), ("igraph", ig_fn), ("rustworkx", rx_fn)):
            if fn is None:
                row[lib] = None
                continue
            if lib == "networkx":
                seconds, runs = timed_in_child(fn, reps, slow, args.nx_timeout)
            else:
                seconds, runs, _ = timed(fn, reps, slow)
            row[lib] = (seconds, runs)
        rows.append((name, row))
        print_row(name, row, args.nx_timeout)

    print(f"{'operation':<34}{'networkx':>14}{'igraph':>22}{'rustworkx':>22}")
    run("build (directed, weighted)", build_nx, build_ig, build_rx)
    gnx, gig, grx = build_nx(), build_ig(), build_rx()
    unx, uig = build_nx_undirected(), build_ig_undirected()
    uig.simplify(combine_edges={"weight": "sum"})
    run(
        "PageRank (weighted)",
        lambda: nx.pagerank(gnx, weight="weight"),
        lambda: gig.pagerank(weights="weight"),
        lambda: rx.pagerank(grx, weight_fn=float),
    )
    run(
        f"betweenness, {args.pivots} pivots",
        lambda: nx.betweenness_centrality_subset(
            gnx, sources=pivots, targets=list(range(n)), weight="length"
        ),
        lambda: gig.betweenness(weights="length", sources=pivots),
        None,  # rustworkx: exact and unweighted only
    )
    es_n, ed_n, ew_n, dir_n, _ = generate(args.exact_nodes, args.exact_nodes * 5)
    ea, eb, ew_ = arcs(es_n, ed_n, ew_n, dir_n)
    small_nx = nx.DiGraph()
    small_nx.add_nodes_from(range(args.exact_nodes))
    for u, v, x in zip(ea.tolist(), eb.tolist(), ew_.tolist(), strict=True):
        small_nx.add_edge(u, v, length=1.0 / x)
    small_ig = ig.Graph(
        n=args.exact_nodes,
        edges=list(zip(ea.tolist(), eb.tolist(), strict=True)),
        directed=True,
        edge_attrs={"length": (1.0 / ew_).tolist()},
    )
    small_rx = rx.PyDiGraph()
    small_rx.add_nodes_from(range(args.exact_nodes))
    small_rx.add_edges_from_no_data(list(zip(ea.tolist(), eb.tolist(), strict=True)))
    run(
        f"betweenness exact, {args.exact_nodes:,} nodes",
        (lambda: nx.betweenness_centrality(small_nx, weight="length")) if args.nx_exact else None,
        lambda: small_ig.betweenness(weights="length"),
        lambda: rx.digraph_betweenness_centrality(small_rx),  # unweighted: not comparable
    )
    run(
        "Burt's constraint (weighted)",
        lambda: nx.constraint(unx, weight="weight"),
        lambda: uig.constraint(weights="weight"),
        None,
    )
    run(
        "effective size",
        lambda: nx.effective_size(unx),
        lambda: [
            k - (k - 1) * c
            for k, c in zip(
                uig.degree(), uig.transitivity_local_undirected(mode="zero"), strict=True
            )
        ],
        None,
    )
    run(
        "communities: Leiden (igraph)",
        None,
        lambda: uig.community_leiden(objective_function="modularity", weights="weight"),
        None,
    )
    run(
        "communities: Louvain",
        lambda: nx.community.louvain_communities(unx, weight="weight", seed=1),
        lambda: uig.community_multilevel(weights="weight"),
        None,
    )

    def nx_paths() -> Any:
        reverse = gnx.reverse(copy=False)
        return [nx.single_source_dijkstra_path_length(reverse, t, weight="length") for t in targets]

    def ig_paths() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return gig.distances(source=targets, weights="length", mode="in")

    def rx_paths() -> Any:
        reverse = grx.copy()
        reverse.reverse()
        return [
            rx.digraph_dijkstra_shortest_path_lengths(reverse, t, edge_cost_fn=lambda x: 1.0 / x)
            for t in targets
        ]

    run(f"distances to {args.targets} targets", nx_paths, ig_paths, rx_paths)
    pr_nx = nx.pagerank(gnx, weight="weight", tol=1e-10)
    pr_ig = gig.pagerank(weights="weight")
    print(
        "\nagreement: PageRank igraph vs networkx (tol 1e-10), max |Δ| = "
        f"{max(abs(pr_nx[i] - pr_ig[i]) for i in range(n)):.2e}"
    )
    cons_ig = uig.constraint(weights="weight")
    cons_nx = nx.constraint(unx, weight="weight")
    diffs = [abs(cons_nx[i] - cons_ig[i]) for i in range(n) if unx.degree(i) > 0]
    print(f"agreement: constraint igraph vs networkx, max |Δ| = {max(diffs):.2e}\n")


def print_row(
    name: str, row: dict[str, tuple[float, int] | None], args_timeout: float = math.inf
) -> None:
    base = row.get("networkx")
    cells = []
    for lib in ("networkx", "igraph", "rustworkx"):
        value = row.get(lib)
        if value is None:
            cells.append(f"{'—':>14}" if lib == "networkx" else f"{'—':>22}")
            continue
        seconds, runs = value
        if math.isinf(seconds):
            cells.append(f"{'> timeout':>14}")
            continue
        text = f"{seconds:8.3f} s" + (" 1×" if runs == 1 and lib == "networkx" else "   ")
        if lib != "networkx":
            ratio = " " * 9
            if base and math.isinf(base[0]):
                ratio = f"(>{args_timeout / seconds:5.0f}×)"
            elif base:
                ratio = f"({base[0] / seconds:6.1f}×)"
            text = f"{seconds:8.3f} s {ratio}"
            cells.append(f"{text:>22}")
        else:
            cells.append(f"{text:>14}")
    print(f"{name:<34}{''.join(cells)}", flush=True)


def sampled_error(args: argparse.Namespace) -> None:
    from cairn.engines.graph import betweenness

    n = args.error_nodes
    src, dst, weight, directed, _ = generate(n, n * 5)
    graph = graph_data(src, dst, weight, directed)
    start = time.perf_counter()
    exact = betweenness(graph, exact_up_to=n)
    exact_seconds = time.perf_counter() - start
    truth = np.array([exact.values[i] for i in range(n)])
    top = set(np.argsort(-truth)[:100].tolist())
    print(
        f"sampled betweenness on {n:,} nodes / {len(src):,} edges "
        f"(exact: {exact_seconds:.1f} s); median of 3 seeds"
    )
    print(
        f"{'pivots':>7}{'time':>10}{'true error':>13}{'stated error':>15}"
        f"{'top-1% error':>15}{'top-100 overlap':>18}"
    )
    top_1 = np.argsort(-truth)[: max(1, n // 100)]
    for pivots in args.error_pivots:
        stats = []
        for seed in range(3):
            start = time.perf_counter()
            est = betweenness(graph, exact_up_to=0, pivots=pivots, seed=seed)
            seconds = time.perf_counter() - start
            values = np.array([est.values[i] for i in range(n)])
            true_error = float(np.linalg.norm(values - truth) / np.linalg.norm(truth))
            overlap = len(top & set(np.argsort(-values)[:100].tolist())) / 100
            top_error = float(
                np.linalg.norm(values[top_1] - truth[top_1]) / np.linalg.norm(truth[top_1])
            )
            stats.append((seconds, true_error, est.error or 0.0, top_error, overlap))
        med = [statistics.median(s[i] for s in stats) for i in range(5)]
        print(
            f"{pivots:>7}{med[0]:>9.2f}s{med[1]:>12.1%}{med[2]:>14.1%}{med[3]:>14.1%}"
            f"{med[4]:>17.0%}",
            flush=True,
        )
    print()


def engine_figures(args: argparse.Namespace) -> None:
    from cairn.engines import graph as engine

    src, dst, weight, directed, _ = generate(args.nodes, args.edges)
    graph = graph_data(src, dst, weight, directed)
    rng = np.random.default_rng(2)
    targets = rng.choice(args.nodes, size=args.targets, replace=False).tolist()
    prepared: list[Any] = []

    def prepare() -> None:
        p = engine.prepare(graph)
        _ = (p.summed, p.lengths, p.undirected)  # built now, not by the first figure
        prepared.append(p)

    steps: list[tuple[str, Callable[[], Any]]] = [
        ("prepare (igraph forms, once)", prepare),
        ("pagerank", lambda: engine.pagerank(prepared[-1])),
        ("betweenness", lambda: engine.betweenness(prepared[-1])),
        (
            "paths + reach",
            lambda: engine.reach_from(engine.shortest_paths_to(prepared[-1], targets), targets),
        ),
        ("constraint + effective size", lambda: engine.constraint_and_effective_size(prepared[-1])),
        ("communities", lambda: engine.communities(prepared[-1])),
    ]
    print(f"engine figures at {args.nodes:,} nodes / {len(src):,} edges, {args.targets} targets")
    print(f"  {'':<30}{'wall':>10}{'CPU':>10}   (median of {args.repeats})")
    total = total_cpu = 0.0
    for name, fn in steps:
        walls, cpus = [], []
        for _ in range(args.repeats):
            started, cpu = time.perf_counter(), time.process_time()
            result = fn()
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        seconds, cpu_seconds = statistics.median(walls), statistics.median(cpus)
        total += seconds
        total_cpu += cpu_seconds
        extra = ""
        if name == "betweenness":
            extra = f"  ({result.method}"
            if result.method == "sampled":
                extra += f", {result.sample_size} pivots, stated error {result.error:.1%}"
            extra += ")"
        print(f"  {name:<30}{seconds:8.3f} s{cpu_seconds:8.3f} s{extra}", flush=True)
    print(f"  {'total':<30}{total:8.3f} s{total_cpu:8.3f} s  (target < 10 s)")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"  load average now (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=50_000)
    parser.add_argument("--edges", type=int, default=250_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slow", type=float, default=20.0)
    parser.add_argument("--pivots", type=int, default=32)
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--exact-nodes", type=int, default=3_000)
    parser.add_argument("--nx-exact", action="store_true")
    parser.add_argument("--nx-timeout", type=float, default=300.0)
    parser.add_argument("--error-nodes", type=int, default=10_000)
    parser.add_argument("--error-pivots", type=int, nargs="+", default=[64, 200, 400, 1000])
    parser.add_argument("--skip", choices=["libraries", "error", "engine"], nargs="*", default=[])
    args = parser.parse_args()
    if "libraries" not in args.skip:
        compare_libraries(args)
    if "error" not in args.skip:
        sampled_error(args)
    if "engine" not in args.skip:
        engine_figures(args)


if __name__ == "__main__":
    main()
