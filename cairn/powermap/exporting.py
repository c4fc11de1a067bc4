"""Export a power map: GraphML, GEXF 1.3 (Gephi), a Kumu-style XLSX workbook and CSV files.

- Every format carries the same fields the importer reads, under names it recognizes, so an
  export imports again into the same graph (stakeholders by name and external ID, their kind,
  sector, position, influence, description, tags, website, member holding the relationship;
  relationships with type, weight, evidence, source URL, date). The position *history* is not
  exported: a re-import into another coalition starts the history at the exported position.
- GraphML nodes are `s<id>`, edges `r<id>`; the stakeholder's own imported ID travels in an
  `external_id` attribute (blank when it has none), so the node ids never become external IDs.
- GEXF follows the 1.3 schema (namespace http://gexf.net/1.3, `viz` colors by position and
  sizes by influence when asked), which Gephi opens.
- XLSX: an Elements and a Connections sheet with Kumu's column names. Every text cell is written
  as a string cell, never a formula (openpyxl would turn "=…" into one).
- CSV: the same two sheets as two files, every cell neutralized as the supporter export does
  (`cairn.people.exporting.neutralize`: a leading apostrophe before = + - @ tab CR); the
  importer strips that apostrophe again.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.utils import timezone

from cairn.coalitions.models import Coalition, Sector
from cairn.people.exporting import SafeCsvWriter

from .models import (
    UNDIRECTED_KINDS,
    Relationship,
    RelationshipKind,
    Stakeholder,
    StakeholderKind,
    StakeholderPosition,
)

ELEMENT_HEADER = (
    "Label",
    "Type",
    "Sector",
    "Position",
    "Position date",
    "Influence",
    "Description",
    "Tags",
    "Website",
    "ID",
    "Held by",
)
CONNECTION_HEADER = (
    "From",
    "To",
    "Type",
    "Direction",
    "Weight",
    "Evidence",
    "Source URL",
    "Date",
)
# viz colors (r, g, b) by position: red to green, grey when unknown
POSITION_COLORS: dict[str, tuple[int, int, int]] = {
    StakeholderPosition.OPPOSED: (200, 40, 40),
    StakeholderPosition.SKEPTICAL: (230, 140, 50),
    StakeholderPosition.NEUTRAL: (150, 150, 150),
    StakeholderPosition.SUPPORTIVE: (120, 190, 90),
    StakeholderPosition.CHAMPION: (30, 140, 60),
    StakeholderPosition.UNKNOWN: (200, 200, 200),
}
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Node:
    pk: int
    name: str
    kind: str
    sector: str
    position: str
    position_on: dt.date | None
    influence: int
    description: str
    website: str
    external_id: str
    held_by: str
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Edge:
    pk: int
    source: int
    target: int
    kind: str
    weight: Decimal
    evidence: str
    source_url: str
    observed_on: dt.date | None

    @property
    def directed(self) -> bool:
        return self.kind not in UNDIRECTED_KINDS


@dataclass(frozen=True, slots=True)
class MapData:
    coalition: Coalition
    nodes: list[Node]
    edges: list[Edge]

    def names(self) -> dict[int, str]:
        return {node.pk: node.name for node in self.nodes}


def map_data(coalition: Coalition) -> MapData:
    """The coalition's stakeholders and relationships as plain rows (three queries)."""
    tags: dict[int, list[str]] = {}
    through = Stakeholder.tags.through
    for sid, name in (
        through.objects.filter(stakeholder__coalition=coalition)
        .order_by("stakeholdertag__name")
        .values_list("stakeholder_id", "stakeholdertag__name")
    ):
        tags.setdefault(sid, []).append(name)
    nodes = [
        Node(
            pk=row["pk"],
            name=row["name"],
            kind=row["kind"],
            sector=row["sector"],
            position=row["position"],
            position_on=row["position_on"],
            influence=row["influence"],
            description=row["description"],
            website=row["website"],
            external_id=row["external_id"],
            held_by=row["held_by__organization__name"] or "",
            tags=tuple(tags.get(row["pk"], ())),
        )
        for row in Stakeholder.objects.for_coalition(coalition)
        .order_by("pk")
        .values(
            "pk",
            "name",
            "kind",
            "sector",
            "position",
            "position_on",
            "influence",
            "description",
            "website",
            "external_id",
            "held_by__organization__name",
        )
        .iterator(chunk_size=5000)
    ]
    edges = [
        Edge(
            pk=row[0],
            source=row[1],
            target=row[2],
            kind=row[3],
            weight=row[4],
            evidence=row[5],
            source_url=row[6],
            observed_on=row[7],
        )
        for row in Relationship.objects.for_coalition(coalition)
        .order_by("pk")
        .values_list(
            "pk",
            "source_id",
            "target_id",
            "kind",
            "weight",
            "evidence",
            "source_url",
            "observed_on",
        )
        .iterator(chunk_size=5000)
    ]
    return MapData(coalition=coalition, nodes=nodes, edges=edges)


def _clean(value: object) -> str:
    """Text that XML 1.0 can hold (control characters dropped)."""
    text = "" if value is None else str(value)
    return _XML_ILLEGAL.sub("", text)


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _weight(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --- GraphML -------------------------------------------------------------------------------------

_GRAPHML_NODE_KEYS = (
    ("label", "string"),
    ("kind", "string"),
    ("sector", "string"),
    ("position", "string"),
    ("position_on", "string"),
    ("influence", "int"),
    ("description", "string"),
    ("tags", "string"),
    ("website", "string"),
    ("external_id", "string"),
    ("held_by", "string"),
)
_GRAPHML_EDGE_KEYS = (
    ("kind", "string"),
    ("weight", "double"),
    ("evidence", "string"),
    ("source_url", "string"),
    ("observed_on", "string"),
)


def graphml_chunks(data: MapData) -> Iterator[str]:
    """A GraphML document, in pieces (a streamed download)."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    for name, kind in _GRAPHML_NODE_KEYS:
        yield (f'  <key id="n_{name}" for="node" attr.name="{name}" attr.type="{kind}"/>\n')
    for name, kind in _GRAPHML_EDGE_KEYS:
        key_id = "weight" if name == "weight" else f"e_{name}"
        yield f'  <key id="{key_id}" for="edge" attr.name="{name}" attr.type="{kind}"/>\n'
    yield f'  <graph id={quoteattr(_clean(data.coalition.slug))} edgedefault="directed">\n'
    for node in data.nodes:
        values = (
            ("label", node.name),
            ("kind", node.kind),
            ("sector", node.sector),
            ("position", node.position),
            ("position_on", _iso(node.position_on)),
            ("influence", node.influence),
            ("description", node.description),
            ("tags", "|".join(node.tags)),
            ("website", node.website),
            ("external_id", node.external_id),
            ("held_by", node.held_by),
        )
        cells = "".join(
            f'<data key="n_{name}">{escape(_clean(value))}</data>'
            for name, value in values
            if value != "" or name == "external_id"
        )
        yield f'    <node id="s{node.pk}">{cells}</node>\n'
    for edge in data.edges:
        edge_values: tuple[tuple[str, object], ...] = (
            ("e_kind", edge.kind),
            ("weight", _weight(edge.weight)),
            ("e_evidence", edge.evidence),
            ("e_source_url", edge.source_url),
            ("e_observed_on", _iso(edge.observed_on)),
        )
        cells = "".join(
            f'<data key="{key}">{escape(_clean(value))}</data>'
            for key, value in edge_values
            if value
        )
        directed = "" if edge.directed else ' directed="false"'
        yield (
            f'    <edge id="r{edge.pk}" source="s{edge.source}" target="s{edge.target}"'
            f"{directed}>{cells}</edge>\n"
        )
    yield "  </graph>\n</graphml>\n"


# --- GEXF ----------------------------------------------------------------------------------------

_GEXF_NODE_ATTRIBUTES = (
    ("kind", "string"),
    ("sector", "string"),
    ("position", "string"),
    ("position_on", "string"),
    ("influence", "integer"),
    ("description", "string"),
    ("tags", "string"),
    ("website", "string"),
    ("external_id", "string"),
    ("held_by", "string"),
)
_GEXF_EDGE_ATTRIBUTES = (
    ("kind", "string"),
    ("evidence", "string"),
    ("source_url", "string"),
    ("observed_on", "string"),
)


def gexf_chunks(data: MapData, *, viz: bool = True) -> Iterator[str]:
    """A GEXF 1.3 document, in pieces; `viz` adds colors by position and sizes by influence."""
    today = timezone.localdate().isoformat()
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        '<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n'
    )
    yield (
        f'  <meta lastmodifieddate="{today}"><creator>Cairn</creator>'
        f"<description>{escape(_clean(f'Power map of {data.coalition.name}'))}</description>"
        "</meta>\n"
    )
    yield '  <graph defaultedgetype="directed" mode="static">\n'
    yield '    <attributes class="node" mode="static">\n'
    for name, kind in _GEXF_NODE_ATTRIBUTES:
        yield f'      <attribute id="{name}" title="{name}" type="{kind}"/>\n'
    yield '    </attributes>\n    <attributes class="edge" mode="static">\n'
    for name, kind in _GEXF_EDGE_ATTRIBUTES:
        yield f'      <attribute id="{name}" title="{name}" type="{kind}"/>\n'
    yield "    </attributes>\n    <nodes>\n"
    for node in data.nodes:
        values = (
            ("kind", node.kind),
            ("sector", node.sector),
            ("position", node.position),
            ("position_on", _iso(node.position_on)),
            ("influence", node.influence),
            ("description", node.description),
            ("tags", "|".join(node.tags)),
            ("website", node.website),
            ("external_id", node.external_id),
            ("held_by", node.held_by),
        )
        cells = "".join(
            f'<attvalue for="{name}" value={quoteattr(_clean(value))}/>'
            for name, value in values
            if value != "" or name == "external_id"
        )
        extra = ""
        if viz:
            r, g, b = POSITION_COLORS.get(node.position, POSITION_COLORS["unknown"])
            size = 5 + node.influence / 5
            extra = f'<viz:color r="{r}" g="{g}" b="{b}"/><viz:size value="{size:.1f}"/>'
        yield (
            f'      <node id="s{node.pk}" label={quoteattr(_clean(node.name))}>'
            f"<attvalues>{cells}</attvalues>{extra}</node>\n"
        )
    yield "    </nodes>\n    <edges>\n"
    for edge in data.edges:
        edge_values: tuple[tuple[str, object], ...] = (
            ("kind", edge.kind),
            ("evidence", edge.evidence),
            ("source_url", edge.source_url),
            ("observed_on", _iso(edge.observed_on)),
        )
        cells = "".join(
            f'<attvalue for="{name}" value={quoteattr(_clean(value))}/>'
            for name, value in edge_values
            if value
        )
        # "mutual" (GEXF 1.3): both ways, inside a directed graph, as Gephi and networkx read it
        kind = "directed" if edge.directed else "mutual"
        yield (
            f'      <edge id="r{edge.pk}" source="s{edge.source}" target="s{edge.target}" '
            f'type="{kind}" weight="{_weight(edge.weight)}" '
            f"label={quoteattr(RelationshipKind(edge.kind).label)}>"
            f"<attvalues>{cells}</attvalues></edge>\n"
        )
    yield "    </edges>\n  </graph>\n</gexf>\n"


# --- Kumu-style sheets ---------------------------------------------------------------------------


def element_rows(data: MapData) -> Iterator[list[Any]]:
    for node in data.nodes:
        yield [
            node.name,
            StakeholderKind(node.kind).label,
            Sector(node.sector).label,
            StakeholderPosition(node.position).label,
            node.position_on,
            node.influence,
            node.description,
            "|".join(node.tags),
            node.website,
            node.external_id,
            node.held_by,
        ]


def connection_rows(data: MapData) -> Iterator[list[Any]]:
    names = data.names()
    for edge in data.edges:
        yield [
            names[edge.source],
            names[edge.target],
            RelationshipKind(edge.kind).label,
            "directed" if edge.directed else "undirected",
            edge.weight,
            edge.evidence,
            edge.source_url,
            edge.observed_on,
        ]


def csv_chunks(rows: Iterator[list[Any]], header: tuple[str, ...]) -> Iterator[str]:
    """A CSV file whose every cell is neutralized against formula injection."""
    writer = SafeCsvWriter()
    yield writer.row(header)
    for row in rows:
        yield writer.row(
            _iso(v) if isinstance(v, dt.date) else _weight(v) if isinstance(v, Decimal) else v
            for v in row
        )


def xlsx_bytes(data: MapData) -> bytes:
    """A Kumu-style workbook: Elements and Connections sheets; text cells are never formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for title, header, rows in (
        ("Elements", ELEMENT_HEADER, element_rows(data)),
        ("Connections", CONNECTION_HEADER, connection_rows(data)),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(list(header))
        for row in rows:
            cells = []
            for value in row:
                if isinstance(value, Decimal):
                    value = float(value)
                cell = WriteOnlyCell(
                    sheet, value=_clean(value) if isinstance(value, str) else value
                )
                if isinstance(value, str):
                    cell.data_type = "s"  # "=…" stays text: openpyxl would make it a formula
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(coalition: Coalition, suffix: str) -> str:
    return f"{coalition.slug}-power-map-{timezone.localdate().isoformat()}{suffix}"
