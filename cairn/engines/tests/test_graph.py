"""The graph engine against published values, and its properties."""

from __future__ import annotations

import itertools

import igraph as ig  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.engines.graph import (
    GraphData,
    betweenness,
    communities,
    constraint_and_effective_size,
    next_hops,
    pagerank,
    path,
    reach,
    shortest_paths_to,
)


def karate() -> GraphData:
    """Zachary's karate club (1977) as igraph ships it, members numbered 1–34, ties unweighted."""
    edges = ig.Graph.Famous("Zachary").get_edgelist()
    return GraphData(list(range(1, 35)), [(a + 1, b + 1, 1.0, False) for a, b in edges])


def test_karate_club_pagerank_matches_published_values() -> None:
    # PageRank with damping 0.85 of Zachary's karate club, as published (e.g. networkx's
    # pagerank of karate_club_graph without weights; Brandes & Erlebach, Network Analysis):
    # member 34: 0.1009, 1: 0.0970, 33: 0.0717, 3: 0.0571, 2: 0.0529
    values = pagerank(karate())
    published = {34: 0.1009, 1: 0.0970, 33: 0.0717, 3: 0.0571, 2: 0.0529}
    assert {m: round(values[m], 4) for m in published} == published
    assert sum(values.values()) == pytest.approx(1.0)


def test_karate_club_betweenness_matches_published_values() -> None:
    # Betweenness of Zachary's karate club as published (Newman, Networks, and every package's
    # reference output): member 1: 231.0714, 34: 160.5516, 33: 76.6905, 3: 75.8508,
    # 32: 73.0095 shortest paths between unordered pairs. The engine gives the share of ordered
    # pairs, which for undirected ties is the same count over (n-1)(n-2)/2 = 528 pairs.
    result = betweenness(karate())
    assert result.method == "exact"
    assert result.error is None
    published = {1: 231.0714, 34: 160.5516, 33: 76.6905, 3: 75.8508, 32: 73.0095}
    assert {m: round(result.values[m] * 528, 4) for m in published} == published


BORGATTI = [
    ("A", "B", 2),
    ("A", "F", 3),
    ("A", "G", 5),
    ("A", "E", 2),
    ("E", "G", 8),
    ("F", "G", 3),
    ("B", "G", 4),
    ("B", "D", 1),
    ("D", "G", 3),
    ("G", "C", 10),
]


def borgatti(*, weighted: bool) -> tuple[GraphData, dict[str, int]]:
    ids = {name: i for i, name in enumerate("ABCDEFG")}
    edges = [(ids[a], ids[b], float(w) if weighted else 1.0, False) for a, b, w in BORGATTI]
    return GraphData(list(ids.values()), edges), ids


def test_structural_holes_match_the_published_worked_example() -> None:
    # Borgatti, "Structural Holes: Unpacking Burt's Redundancy Measures", Connections 20(1),
    # 1997 (analytictech.com/connections/v20(1)/holes.htm): the 7-node ego network worked there;
    # effective size A 2.50, G 4.67, C 1 as worked in the article; Burt's constraint of the same
    # network G 0.400, A 0.595, C 1 unweighted and G 0.299, A 0.795 with the tie weights, as
    # computed with UCINET and checked by hand in networkx's test suite (test_structuralholes).
    graph, ids = borgatti(weighted=False)
    holes = constraint_and_effective_size(graph)
    assert {n: round(holes[ids[n]].effective_size or 0, 2) for n in "AGC"} == {
        "A": 2.50,
        "G": 4.67,
        "C": 1.00,
    }
    assert {n: round(holes[ids[n]].constraint or 0, 3) for n in "AGC"} == {
        "A": 0.595,
        "G": 0.400,
        "C": 1.000,
    }
    weighted, ids = borgatti(weighted=True)
    holes = constraint_and_effective_size(weighted)
    assert {n: round(holes[ids[n]].constraint or 0, 3) for n in "AG"} == {"A": 0.795, "G": 0.299}


def test_constraint_of_a_star_and_a_closed_triad() -> None:
    # Burt (1992): the centre of a star of n unlinked contacts has constraint 1/n; a closed triad
    # of equal ties 2 × (1/2 + 1/4)² = 1.125; an isolated node has none
    star = GraphData(list(range(5)), [(0, i, 1.0, False) for i in range(1, 5)])
    triad = GraphData([0, 1, 2, 9], [(0, 1, 1.0, False), (1, 2, 1.0, True), (2, 0, 1.0, False)])
    assert constraint_and_effective_size(star)[0].constraint == pytest.approx(0.25)
    assert constraint_and_effective_size(star)[0].effective_size == pytest.approx(4.0)
    holes = constraint_and_effective_size(triad)
    assert holes[0].constraint == pytest.approx(1.125)
    assert holes[9].constraint is None
    assert holes[9].effective_size is None


def test_paths_follow_the_ties_direction_and_prefer_strong_ties() -> None:
    # 1 -> 2 -> 4 (weights 1, 1: length 2) and 1 -> 3 -> 4 (weights 4, 4: length 0.5)
    graph = GraphData(
        [1, 2, 3, 4, 5],
        [(1, 2, 1.0, True), (2, 4, 1.0, True), (1, 3, 4.0, True), (3, 4, 4.0, True)],
    )
    hops = shortest_paths_to(graph, [4])
    assert path(hops, 1, 4) == [1, 3, 4]
    assert hops[1][4].distance == pytest.approx(0.5)
    assert path(hops, 4, 1) == []
    assert path(hops, 5, 4) == []
    assert reach(graph, [4]) == pytest.approx({1: 1 / 1.5, 2: 0.5, 3: 1 / 1.25, 4: 1.0, 5: 0.0})


def test_sampled_betweenness_states_its_method_sample_and_error() -> None:
    graph = karate()
    sampled = betweenness(graph, exact_up_to=10, pivots=16, seed=3)
    assert sampled.method == "sampled"
    assert sampled.sample_size == 16
    assert sampled.error is not None
    assert 0 < sampled.error < 1
    # the estimate is unbiased: averaged over many seeds it approaches the exact values
    exact = betweenness(graph).values
    runs = [betweenness(graph, exact_up_to=10, pivots=16, seed=s).values for s in range(40)]
    mean_top = sum(r[1] for r in runs) / len(runs)
    assert mean_top == pytest.approx(exact[1], rel=0.1)
    # as many pivots as nodes is the exact computation
    assert betweenness(graph, exact_up_to=10, pivots=34).method == "exact"


def test_communities_split_two_cliques_joined_by_one_tie() -> None:
    left = list(itertools.combinations(range(6), 2))
    right = list(itertools.combinations(range(10, 16), 2))
    edges = [(a, b, 1.0, False) for a, b in left + right] + [(0, 10, 1.0, True)]
    found = communities(GraphData([*range(6), *range(10, 16)], edges))
    assert {found[n] for n in range(6)} != {found[n] for n in range(10, 16)}
    assert len({found[n] for n in range(6)}) == 1
    assert len({found[n] for n in range(10, 16)}) == 1
    assert found == communities(GraphData([*range(6), *range(10, 16)], edges))


WEIGHTS = st.sampled_from([0.5, 1.0, 2.0, 4.0])  # exact binary lengths: ties are ties


@st.composite
def graphs(draw: st.DrawFn, min_nodes: int = 2) -> GraphData:
    n = draw(st.integers(min_nodes, 12))
    edges = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), WEIGHTS, st.booleans()),
            max_size=3 * n,
        )
    )
    return GraphData(list(range(n)), [e for e in edges if e[0] != e[1]])


@settings(max_examples=60, deadline=None)
@given(graph=graphs(), data=st.data())
def test_figures_do_not_depend_on_the_nodes_names_or_order(
    graph: GraphData, data: st.DataObject
) -> None:
    # given the same graph with its nodes renamed and listed, and its edges given, in another order
    order = data.draw(st.permutations(graph.nodes))
    name = {node: 1000 + 7 * position for position, node in enumerate(order)}
    edges = data.draw(st.permutations(graph.edges))
    renamed = GraphData(
        [name[n] for n in reversed(order)], [(name[a], name[b], w, d) for a, b, w, d in edges]
    )
    target = data.draw(st.sampled_from(graph.nodes))
    # then every figure of a node is the figure of its new name
    for before, after in (
        (pagerank(graph), pagerank(renamed)),
        (betweenness(graph).values, betweenness(renamed).values),
        (reach(graph, [target]), reach(renamed, [name[target]])),
    ):
        assert {name[n]: v for n, v in before.items()} == pytest.approx(after, abs=1e-9)
    holes, renamed_holes = (
        constraint_and_effective_size(graph),
        constraint_and_effective_size(renamed),
    )
    for node in graph.nodes:
        a, b = holes[node], renamed_holes[name[node]]
        assert (a.constraint is None) == (b.constraint is None)
        if a.constraint is not None and b.constraint is not None:
            assert a.constraint == pytest.approx(b.constraint)
            assert a.effective_size == pytest.approx(b.effective_size)


@settings(max_examples=80, deadline=None)
@given(graph=graphs(), data=st.data())
def test_adding_a_tie_never_lowers_anyones_reach(graph: GraphData, data: st.DataObject) -> None:
    targets = data.draw(st.lists(st.sampled_from(graph.nodes), min_size=1, max_size=3))
    source = data.draw(st.sampled_from(graph.nodes))
    toward = data.draw(st.sampled_from(targets))  # a tie toward a target…
    other = data.draw(st.sampled_from(graph.nodes))  # …or anywhere
    weight = data.draw(WEIGHTS)
    directed = data.draw(st.booleans())
    before = reach(graph, targets)
    for end in (toward, other):
        if end == source:
            continue
        after = reach(
            GraphData(graph.nodes, [*graph.edges, (source, end, weight, directed)]), targets
        )
        assert all(after[n] >= before[n] - 1e-12 for n in graph.nodes)
        assert all(0.0 <= after[n] <= 1.0 for n in graph.nodes)


@settings(max_examples=60, deadline=None)
@given(graph=graphs(), data=st.data())
def test_every_stored_path_is_a_chain_of_ties_as_long_as_its_distance(
    graph: GraphData, data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from(graph.nodes))
    strongest: dict[tuple[int, int], float] = {}
    for a, b, w, directed in graph.edges:
        for step in [(a, b)] if directed else [(a, b), (b, a)]:
            strongest[step] = max(w, strongest.get(step, 0.0))
    hops = shortest_paths_to(graph, [target])
    for node in graph.nodes:
        route = path(hops, node, target)
        if target not in hops[node]:
            assert route == []
            continue
        assert route[0] == node
        assert route[-1] == target
        steps = list(itertools.pairwise(route))
        assert all(step in strongest for step in steps)
        length = sum(1 / strongest[step] for step in steps)
        assert length == pytest.approx(hops[node][target].distance)


@settings(max_examples=60, deadline=None)
@given(graph=graphs(), data=st.data())
def test_next_hops_to_all_targets_at_once_match_each_target_alone(
    graph: GraphData, data: st.DataObject
) -> None:
    # given several targets (one not on the graph) and ties the engine must ignore: a self-loop,
    # a weightless tie, a tie to a node that is not on the graph
    targets = data.draw(st.lists(st.sampled_from(graph.nodes), min_size=1, max_size=4))
    a, b = graph.nodes[0], graph.nodes[-1]
    noisy = GraphData(
        graph.nodes, [*graph.edges, (a, a, 5.0, True), (a, b, 0.0, True), (a, 999, 5.0, False)]
    )
    # when the paths to every target are computed in one call
    found = next_hops(noisy, [*targets, 999])
    # then they are the paths computed one target at a time, on the graph without the noise
    assert found.targets == list(dict.fromkeys(targets))
    for target in found.targets:
        alone = shortest_paths_to(graph, [target])
        for node in graph.nodes:
            assert found.path(node, target) == path(alone, node, target)
            hop = alone[node].get(target)
            j = found.targets.index(target)
            if hop is None:
                assert found.distance[j, found.index[node]] == float("inf")
            else:
                assert found.distance[j, found.index[node]] == pytest.approx(hop.distance)
    # and the distances are Floyd–Warshall's over the strongest tie of each step
    inf = float("inf")
    d = {(u, v): 0.0 if u == v else inf for u in graph.nodes for v in graph.nodes}
    for u, v, w, directed in graph.edges:
        for step in [(u, v)] if directed else [(u, v), (v, u)]:
            d[step] = min(d[step], 1 / w)
    for k, u, v in itertools.product(graph.nodes, repeat=3):
        d[u, v] = min(d[u, v], d[u, k] + d[k, v])
    for j, target in enumerate(found.targets):
        for node in graph.nodes:
            assert found.distance[j, found.index[node]] == pytest.approx(d[node, target])
    assert pagerank(noisy) == pytest.approx(pagerank(graph))
