"""Prospect ranking: the factors, the greedy spread across sectors, and reasons from real paths."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.engines.graph import GraphData, path, reach_from, shortest_paths_to
from cairn.engines.prospects import Candidate, Route, describe_route, rank_prospects


def no_similarity(query: str, docs: Sequence[str]) -> list[float]:
    return [0.0 for _ in docs]


def route(*nodes: tuple[int, str, bool], ties: Sequence[str]) -> Route:
    return Route(
        nodes=tuple(n for n, _, _ in nodes),
        names=tuple(name for _, name, _ in nodes),
        ties=tuple(ties),
        persons=tuple(p for _, _, p in nodes),
    )


def test_the_reason_reads_the_path() -> None:
    r = route(
        (1, "St Mark's", False),
        (2, "Health Trust", False),
        (3, "Sen. Ruiz", True),
        (4, "Health Committee", False),
        ties=["board_seat", "funds", "member_of"],
    )
    assert describe_route(r) == (
        "sits on the board of Health Trust, which funds Sen. Ruiz, "
        "who is a member of Health Committee"
    )


def test_score_is_the_product_and_the_list_spreads_across_sectors() -> None:
    # given three candidates, two of them faith; the coalition has health members only
    candidates = [
        Candidate(1, "St Mark's", "faith", "Faith", 2, "beds for everyone"),
        Candidate(2, "Temple Beth", "faith", "Faith", 2, "beds for everyone"),
        Candidate(3, "Teachers Union", "labor", "Labor", 2, "beds for everyone"),
    ]
    routes = {
        c.id: route((c.id, c.name, False), (9, "Chair", True), ties=["funds"]) for c in candidates
    }
    ranking = rank_prospects(
        candidates=candidates,
        reach={1: 0.5, 2: 0.45, 3: 0.3},
        routes=routes,
        member_activity=[("health", 1.0), ("health", 3.0)],
        coalition_mission="beds for everyone",
        targets=1,
        similarities=lambda q, docs: [1.0 if d == q else 0.0 for d in docs],
    )
    # then St Mark's first (0.5 × 1 × 1). With health 4 and faith 2 (a newcomer weighs the mean
    # activity, 2), Gini–Simpson is 16/36; a new sector would raise it to 40/64, faith again to
    # 32/64: Temple Beth's score 0.45 × (1/2 − 4/9) / (5/8 − 4/9) = 0.138 < the union's 0.3 × 1
    # × 1. Third, after labor (2) joined too: 24/64 → new sector 28/100, faith again 36/100:
    # novelty (0.64 − 0.625) / (0.72 − 0.625) = 3/19
    first, second, third = ranking.prospects
    assert [p.name for p in ranking.prospects] == ["St Mark's", "Teachers Union", "Temple Beth"]
    assert (first.reach, first.alignment, first.novelty, first.score) == (0.5, 1.0, 1.0, 0.5)
    assert (second.novelty, second.alignment, second.score) == (1.0, 1.0, 0.3)
    assert third.novelty == pytest.approx(3 / 19)
    for p in ranking.prospects:
        assert p.score == pytest.approx(p.reach * p.alignment * p.novelty)
    assert first.reason == "St Mark's funds Chair; would be the first faith member."
    assert third.reason == (
        "Temple Beth funds Chair; would be the second faith member, after the prospect above."
    )
    assert ranking.too_thin is None


def test_too_thin_says_why() -> None:
    one = [Candidate(1, "A", "faith", "Faith", None, "")]
    kwargs = {
        "member_activity": [("health", 1.0)],
        "coalition_mission": "",
        "similarities": no_similarity,
    }
    no_targets = rank_prospects(candidates=one, reach={}, routes={}, targets=0, **kwargs)  # type: ignore[arg-type]
    assert no_targets.too_thin == "the campaign has no decision-maker on the map to reach yet"
    nobody = rank_prospects(candidates=[], reach={}, routes={}, targets=1, **kwargs)  # type: ignore[arg-type]
    assert nobody.too_thin == "no organization outside the coalition's sectors is on the map yet"
    no_path = rank_prospects(candidates=one, reach={}, routes={}, targets=1, **kwargs)  # type: ignore[arg-type]
    assert no_path.too_thin == (
        "none of the 1 organizations outside the coalition's sectors has a recorded tie "
        "leading to the campaign's decision-makers"
    )
    r = {1: route((1, "A", False), (9, "Chair", True), ties=["funds"])}
    few = rank_prospects(candidates=one, reach={1: 0.5}, routes=r, targets=1, **kwargs)  # type: ignore[arg-type]
    assert [p.name for p in few.prospects] == ["A"]
    assert few.prospects[0].reason == (
        "A funds Chair; would be the first faith member (position unknown)."
    )
    assert few.too_thin == (
        "only 1 of the 1 organizations outside the coalition's sectors has a recorded tie "
        "leading to the campaign's decision-makers (at least 3 are needed to rank)"
    )


KINDS = ["funds", "board_seat", "employs", "member_of", "allied_with", "personal_tie"]
SECTORS = ["faith", "labor", "media", "academia"]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_ranking_explains_itself(data: st.DataObject) -> None:
    # given a random map: node 0 is the target, edges of random kinds
    n = data.draw(st.integers(3, 12))
    raw = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.integers(0, n - 1),
                st.sampled_from([0.5, 1.0, 2.0]),
                st.sampled_from(KINDS),
            ),
            max_size=3 * n,
        )
    )
    undirected = {"allied_with", "personal_tie"}
    edges = [(a, b, w, k) for a, b, w, k in raw if a != b]
    graph = GraphData(list(range(n)), [(a, b, w, k not in undirected) for a, b, w, k in edges])
    hops = shortest_paths_to(graph, [0])
    reach = reach_from(hops, [0])
    names = {i: f"Stakeholder {i}" for i in range(n)}
    # the strongest tie for each step a path may take (what cairn.powermap.analysis does)
    tie: dict[tuple[int, int], tuple[float, str]] = {}
    for a, b, w, k in edges:
        for step in [(a, b), (b, a)] if k in undirected else [(a, b)]:
            if step not in tie or w > tie[step][0]:
                tie[step] = (w, k)
    routes = {}
    for node in range(1, n):
        p = path(hops, node, 0)
        if p:
            routes[node] = Route(
                tuple(p),
                tuple(names[x] for x in p),
                tuple(tie[(p[i], p[i + 1])][1] for i in range(len(p) - 1)),
                tuple(False for _ in p),
            )
    candidates = [
        Candidate(i, names[i], SECTORS[i % 4], SECTORS[i % 4].title(), i % 5 - 2, "")
        for i in range(1, n)
    ]
    ranking = rank_prospects(
        candidates=candidates,
        reach=reach,
        routes=routes,
        member_activity=[("health", 1.0)],
        coalition_mission="",
        targets=1,
        similarities=no_similarity,
        limit=3,
    )
    # then every ranked prospect's reason names a real path, step by step, and its factors
    # multiply to its score
    for prospect in ranking.prospects:
        assert prospect.score == pytest.approx(
            prospect.reach * prospect.alignment * prospect.novelty
        )
        nodes = prospect.route.nodes
        assert nodes[0] == prospect.id
        assert nodes[-1] == 0
        for i in range(len(nodes) - 1):
            assert (nodes[i], nodes[i + 1]) in tie
            assert tie[(nodes[i], nodes[i + 1])][1] == prospect.route.ties[i]
        position = 0
        for name in prospect.route.names:
            found = prospect.reason.find(name, position)
            assert found >= position, (name, prospect.reason)
            position = found + len(name)
    scores = [p.score for p in ranking.prospects]
    # a zero is never a recommendation: the list stops short and says why
    assert len(ranking.prospects) <= min(3, len(routes))
    assert all(s > 0 for s in scores)
    full = len(ranking.prospects) == min(3, len(routes))
    assert (ranking.too_thin is None) == (len(routes) >= 3 and full)


def test_a_candidate_that_adds_nothing_is_not_recommended():
    # given two candidates of one sector: the second adds no sector, and neither shares the mission
    # nor leans our way, so after the first the second scores zero
    from cairn.engines.prospects import Candidate, Route, rank_prospects

    def route(cid: int) -> Route:
        return Route(
            nodes=(cid, 99),
            names=(f"org {cid}", "the chair"),
            ties=("funds",),
            persons=(False, True),
        )

    candidates = [
        Candidate(
            id=1, name="A", sector="faith", sector_label="Faith", position_score=2, mission=""
        ),
        Candidate(
            id=2, name="B", sector="faith", sector_label="Faith", position_score=-2, mission=""
        ),
        Candidate(
            id=3, name="C", sector="faith", sector_label="Faith", position_score=-2, mission=""
        ),
    ]
    # when
    ranking = rank_prospects(
        candidates=candidates,
        reach={1: 0.5, 2: 0.5, 3: 0.5},
        routes={c.id: route(c.id) for c in candidates},
        member_activity=[("health_care", 1.0)],
        coalition_mission="",
        targets=1,
        similarities=lambda q, docs: [0.0] * len(docs),
    )
    # then
    assert [p.id for p in ranking.prospects] == [1]
    assert all(p.score > 0 for p in ranking.prospects)
    assert ranking.too_thin is not None
    assert ranking.too_thin.startswith("only 1 of the 3")
