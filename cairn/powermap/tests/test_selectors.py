"""The power map's reads: filters, ties both ways, and the bounded subgraph the map draws."""

from __future__ import annotations

import pytest

from cairn.powermap import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def star(coalition, stakeholder_factory, relationship_factory):
    """A hub with five spokes (influence 10…50), a spoke's own neighbour, and another coalition's
    stakeholder of the same sector."""
    hub = stakeholder_factory(coalition, name="Hub", sector="government", influence=90)
    spokes = [
        stakeholder_factory(coalition, name=f"Spoke {n}", sector="faith", influence=10 * n)
        for n in range(1, 6)
    ]
    for spoke in spokes:
        relationship_factory(spoke, hub, "funds")
    far = stakeholder_factory(coalition, name="Far", sector="labor", influence=5, tags=("union",))
    relationship_factory(far, spokes[0], "member_of")
    return {"hub": hub, "spokes": spokes, "far": far}


def test_the_subgraph_keeps_the_most_influential_within_the_limit(coalition, star):
    # when three nodes are asked for
    graph = selectors.subgraph(coalition, limit=3)
    # then the three most influential come, with the ties between them, and it says so
    assert [n["name"] for n in graph.nodes] == ["Hub", "Spoke 5", "Spoke 4"]
    assert {(e["source_id"], e["target_id"]) for e in graph.edges} == {
        (star["spokes"][4].pk, star["hub"].pk),
        (star["spokes"][3].pk, star["hub"].pk),
    }
    assert (graph.total, graph.truncated) == (7, True)


def test_filters_and_always_included_ids(coalition, star):
    # when faith stakeholders are asked for, with the hub on a highlighted path
    graph = selectors.subgraph(coalition, sector="faith", include=[star["hub"].pk])
    # then the spokes and the hub come, and every spoke's tie to the hub
    assert {n["name"] for n in graph.nodes} == {f"Spoke {n}" for n in range(1, 6)} | {"Hub"}
    assert len(graph.edges) == 5
    assert (graph.total, graph.truncated) == (5, False)
    by_tag = selectors.subgraph(coalition, tag=["UNION"])
    assert [n["name"] for n in by_tag.nodes] == ["Far"]


def test_around_a_stakeholder_by_hops(coalition, star):
    one = selectors.subgraph(coalition, around=star["far"].pk, depth=1)
    two = selectors.subgraph(coalition, around=star["far"].pk, depth=2)
    assert {n["name"] for n in one.nodes} == {"Far", "Spoke 1"}
    assert {n["name"] for n in two.nodes} == {"Far", "Spoke 1", "Hub"}
    # nearest first, whatever their influence
    assert two.nodes[0]["name"] == "Far"


def test_the_subgraph_never_reaches_into_another_coalition(
    coalition, coalition_factory, star, stakeholder_factory, relationship_factory
):
    theirs = coalition_factory()
    foreign = stakeholder_factory(theirs, name="Foreign", sector="faith", influence=100)
    graph = selectors.subgraph(coalition, include=[foreign.pk], around=star["hub"].pk)
    assert "Foreign" not in {n["name"] for n in graph.nodes}
    assert "Foreign" not in {
        s.name for s in selectors.stakeholders(coalition, sector="faith", search="Foreign")
    }


def test_ties_both_ways_read_from_one_end(coalition, star, relationship_factory):
    relationship_factory(star["hub"], star["far"], "personal_tie")
    ties = selectors.relationships_of(star["hub"])
    incoming = [t for t in ties if t.directed and not t.outgoing]
    undirected = [t for t in ties if not t.directed]
    assert len(incoming) == 5
    assert [t.other.name for t in undirected] == ["Far"]


def test_ties_are_read_through_the_from_and_to_indexes_not_the_whole_coalition(coalition, star):
    """SQLite has no statistics here (nothing runs ANALYZE), so its plan is the same for five
    ties as for 250,000: a read of a few stakeholders' ties that walks the coalition's index
    (`coalition_id=?` alone) reads every tie of the coalition."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("the plan checked is SQLite's (PostgreSQL keeps statistics)")
    # when the map reads a neighbourhood and its ties, and a stakeholder's page its ties
    with CaptureQueriesContext(connection) as captured:
        selectors.subgraph(coalition, around=star["far"].pk, depth=2)
        selectors.subgraph(coalition, sector="faith")
        selectors.relationships_of(star["hub"], limit=300)
        selectors.relationship_count(star["hub"])
        list(selectors.relationships(coalition, stakeholder_id=star["hub"].pk))
    reads = [q["sql"] for q in captured.captured_queries if '"powermap_relationship"' in q["sql"]]
    assert len(reads) >= 5
    # then every search of the ties uses a stakeholder's id as well as the coalition's
    walks = []
    with connection.cursor() as cursor:
        for sql in reads:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            steps = [row[-1] for row in cursor.fetchall()]
            walks += [s for s in steps if "relationship" in s and s.endswith("(coalition_id=?)")]
            walks += [s for s in steps if s.startswith("SCAN") and "relationship" in s]
    assert walks == []
