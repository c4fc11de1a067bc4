"""Power map export: GraphML, GEXF, Kumu-style XLSX and CSV each import again into the same graph;
GEXF has the 1.3 shape Gephi opens (networkx reads it); formula cells stay inert."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from cairn.coalitions.models import Coalition, Sector
from cairn.powermap import exporting
from cairn.powermap.importing import Upload, import_map
from cairn.powermap.models import Relationship, Stakeholder

ELEMENTS = """\
Label,Type,Sector,Position,Position date,Influence,Description,Tags,Website,ID,Held by
Grace Okafor,Person,Faith,Supportive,2025-04-02,60,"Pastor, says: beds now",clergy|east side,,\
p-okafor,
Riverside Foundation,Organization,Philanthropy,Neutral,,70,'=HYPERLINK(1),funder,\
https://riverside.example.org,,Harbor House
Sen. Ada Byrne,Office,Government,Opposed,,90,Chairs <health> & human services,,,p-byrne,
Metro Courier,Organization,Media,,,40,,,,,
"""
CONNECTIONS = """\
From,To,Type,Direction,Weight,Evidence,Source URL,Date
p-okafor,Riverside Foundation,board seat,,2.5,Board list,https://riverside.example.org/board,2025-03-01
Riverside Foundation,p-byrne,funds,,3,Filing,,
Metro Courier,Sen. Ada Byrne,covers,,,,,
Sen. Ada Byrne,Grace Okafor,personal tie,,1,Same congregation,,
"""


def graph_of(coalition: Coalition) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """The map as comparable sets: stakeholders with their fields, ties by names."""
    nodes = {
        (
            s.name,
            s.kind,
            s.sector,
            s.position,
            s.influence,
            s.description,
            s.website,
            s.external_id,
            s.held_by.organization.name if s.held_by else "",
            tuple(sorted(t.name for t in s.tags.all())),
        )
        for s in Stakeholder.objects.for_coalition(coalition).prefetch_related("tags")
    }
    ties = set()
    for r in Relationship.objects.for_coalition(coalition).select_related("source", "target"):
        ends = (r.source.name, r.target.name)
        if not r.is_directed:
            ends = tuple(sorted(ends))  # type: ignore[assignment]
        ties.add((*ends, r.kind, r.weight, r.evidence, r.source_url, r.observed_on))
    return nodes, ties


@pytest.fixture
def mapped(coalition: Coalition, membership_factory: Any) -> Coalition:
    membership_factory(coalition, name="Harbor House", sector=Sector.COMMUNITY)
    result = import_map(
        coalition=coalition,
        uploads=[
            Upload("elements.csv", ELEMENTS.encode()),
            Upload("connections.csv", CONNECTIONS.encode()),
        ],
        by=None,
    )
    assert result.applied, result.problems
    return coalition


@pytest.fixture
def empty(coalition_factory: Any, membership_factory: Any) -> Coalition:
    other: Coalition = coalition_factory()
    membership_factory(other, name="Harbor House", sector=Sector.COMMUNITY)
    return other


def _import(coalition: Coalition, *uploads: Upload) -> None:
    result = import_map(coalition=coalition, uploads=list(uploads), by=None)
    assert result.applied, result.problems


def test_graphml_round_trip_gives_the_same_graph(mapped: Coalition, empty: Coalition) -> None:
    # when
    document = "".join(exporting.graphml_chunks(exporting.map_data(mapped))).encode()
    _import(empty, Upload("map.graphml", document))
    # then
    assert graph_of(empty) == graph_of(mapped)
    assert len(graph_of(mapped)[0]) == 5  # four imported, one member organization
    # and into the same coalition it changes nothing
    again = import_map(coalition=mapped, uploads=[Upload("map.graphml", document)], by=None)
    assert (again.stakeholders_created, again.stakeholders_updated) == (0, 0)
    assert (again.relationships_created, again.relationships_updated) == (0, 0)


def test_graphml_declares_every_key_it_uses(mapped: Coalition) -> None:
    document = "".join(exporting.graphml_chunks(exporting.map_data(mapped)))
    root = ET.fromstring(document)  # noqa: S314 - our own output
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = {k.get("id"): k.get("for") for k in root.iterfind("g:key", ns)}
    for element in ("node", "edge"):
        for item in root.iterfind(f"g:graph/g:{element}", ns):
            assert {keys[d.get("key")] for d in item.iterfind("g:data", ns)} == {element}
    undirected = root.findall("g:graph/g:edge[@directed='false']", ns)
    assert len(undirected) == 1  # the personal tie; the graph's default is directed


def test_gexf_has_the_13_shape_and_opens_in_networkx(mapped: Coalition) -> None:
    document = "".join(exporting.gexf_chunks(exporting.map_data(mapped)))
    root = ET.fromstring(document)  # noqa: S314 - our own output
    ns = {"g": "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}
    assert root.tag == "{http://gexf.net/1.3}gexf"
    assert root.get("version") == "1.3"
    graph_el = root.find("g:graph", ns)
    assert graph_el is not None
    assert graph_el.get("defaultedgetype") == "directed"
    titles = {a.get("title") for a in root.iterfind("g:graph/g:attributes/g:attribute", ns)}
    assert {"sector", "position", "kind", "evidence"} <= titles
    assert len(root.findall("g:graph/g:nodes/g:node/viz:color", ns)) == 5
    # every attvalue names a declared attribute of its class; mutual ties are the undirected ones
    declared = {
        (group.get("class"), a.get("id"))
        for group in root.iterfind("g:graph/g:attributes", ns)
        for a in group.iterfind("g:attribute", ns)
    }
    for cls in ("node", "edge"):
        for item in root.iterfind(f"g:graph/g:{cls}s/g:{cls}", ns):
            for value in item.iterfind("g:attvalues/g:attvalue", ns):
                assert (cls, value.get("for")) in declared
    edges = root.findall("g:graph/g:edges/g:edge", ns)
    assert sorted(str(e.get("type")) for e in edges) == [
        "directed",
        "directed",
        "directed",
        "mutual",
    ]
    assert all(float(e.get("weight") or 0) > 0 for e in edges)


def test_gexf_imports_again_into_the_same_graph(mapped: Coalition, empty: Coalition) -> None:
    document = "".join(exporting.gexf_chunks(exporting.map_data(mapped))).encode()
    _import(empty, Upload("map.gexf", document))
    assert graph_of(empty) == graph_of(mapped)


def test_xlsx_round_trip_and_text_is_never_a_formula(mapped: Coalition, empty: Coalition) -> None:
    from openpyxl import load_workbook

    data = exporting.xlsx_bytes(exporting.map_data(mapped))
    book = load_workbook(io.BytesIO(data), read_only=True)
    elements = book["Elements"]
    header = [c.value for c in next(elements.iter_rows())]
    assert header[:3] == ["Label", "Type", "Sector"]
    cells = [c for row in elements.iter_rows() for c in row if c.value == "=HYPERLINK(1)"]
    assert [c.data_type for c in cells] == ["s"]
    book.close()
    _import(empty, Upload("map.xlsx", data))
    assert graph_of(empty) == graph_of(mapped)


def test_csv_pair_is_neutralized_and_round_trips(mapped: Coalition, empty: Coalition) -> None:
    data = exporting.map_data(mapped)
    elements = "".join(exporting.csv_chunks(exporting.element_rows(data), exporting.ELEMENT_HEADER))
    connections = "".join(
        exporting.csv_chunks(exporting.connection_rows(data), exporting.CONNECTION_HEADER)
    )
    assert ",'=HYPERLINK(1)," in elements
    _import(
        empty,
        Upload("elements.csv", elements.encode()),
        Upload("connections.csv", connections.encode()),
    )
    assert graph_of(empty) == graph_of(mapped)


# --- the export pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt", ["map.graphml", "map.gexf", "map.xlsx", "elements.csv", "connections.csv"]
)
def test_a_viewer_downloads_every_format(
    client: Any, mapped: Coalition, staff_factory: Any, fmt: str
) -> None:
    viewer = staff_factory(mapped, "viewer")
    client.force_login(viewer.user)
    page = client.get(f"/c/{mapped.slug}/powermap/export/")
    assert page.status_code == 200
    assert f"/c/{mapped.slug}/powermap/export/{fmt}" in page.content.decode()
    response = client.get(f"/c/{mapped.slug}/powermap/export/{fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="{mapped.slug}-')
    body = response.content if fmt == "map.xlsx" else b"".join(response.streaming_content)
    assert b"Sen. Ada Byrne" in body or fmt == "map.xlsx"
    if fmt == "map.xlsx":
        assert body.startswith(b"PK")


def test_exports_of_another_coalition_are_not_found(
    client: Any, mapped: Coalition, empty: Coalition, staff_factory: Any
) -> None:
    outsider = staff_factory(empty, "steward")
    client.force_login(outsider.user)
    assert client.get(f"/c/{mapped.slug}/powermap/export/map.graphml").status_code == 404
    assert client.get(f"/c/{empty.slug}/powermap/export/map.pdf").status_code == 404
    own = client.get(f"/c/{empty.slug}/powermap/export/map.graphml")
    assert b"Sen. Ada Byrne" not in b"".join(own.streaming_content)
