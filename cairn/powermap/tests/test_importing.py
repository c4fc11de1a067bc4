"""Power map import: Kumu-style CSV pairs and workbooks, GraphML and GEXF as Gephi writes them;
the bad-file corpus (each problem by file, line, column and reason; nothing changes); re-imports
update instead of duplicating; the task-queue path."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cairn.coalitions.models import Coalition, Sector
from cairn.powermap import importing
from cairn.powermap.importing import Upload, import_map, read_files
from cairn.powermap.models import (
    PositionChange,
    Relationship,
    Stakeholder,
    StakeholderTag,
)

TODAY = dt.date(2026, 6, 1)

ELEMENTS = """\
Label,Type,Sector,Position,Influence,Description,Tags,Website,ID
Grace Okafor,Person,Faith,Supportive,60,Pastor of First Baptist,clergy|east side,,p-okafor
Riverside Foundation,Organization,Philanthropy,Neutral,70,Funds community health,funder,https://riverside.example.org,o-riverside
Sen. Ada Byrne,Person,Government,Skeptical,90,Chairs the health committee,,,p-byrne
Metro Courier,Organization,Media,,40,,,,
"""
CONNECTIONS = """\
From,To,Type,Direction,Weight,Evidence,Source URL,Date
p-okafor,Riverside Foundation,Sits on the board of,directed,2,Board list in the 2025 annual report,https://riverside.example.org/board,2025-03-01
o-riverside,p-byrne,funds,,3,Campaign finance filing,,2025-10-12
Metro Courier,Sen. Ada Byrne,covers,,,,,
Grace Okafor,Sen. Ada Byrne,personal tie,undirected,1,Same congregation,,
"""


def kumu(elements: str = ELEMENTS, connections: str = CONNECTIONS) -> list[Upload]:
    return [
        Upload("elements.csv", elements.encode()),
        Upload("connections.csv", connections.encode()),
    ]


def snapshot(coalition: Coalition) -> dict[str, Any]:
    """Everything an import could change, to assert that a refused one changed nothing."""
    return {
        "stakeholders": sorted(
            Stakeholder.objects.for_coalition(coalition).values_list(
                "name", "kind", "sector", "position", "influence", "description", "external_id"
            )
        ),
        "relationships": sorted(
            Relationship.objects.for_coalition(coalition).values_list(
                "source__name", "target__name", "kind", "weight", "evidence"
            )
        ),
        "positions": PositionChange.objects.for_coalition(coalition).count(),
        "tags": sorted(StakeholderTag.objects.for_coalition(coalition).values_list("name")),
        "tagged": Stakeholder.tags.through.objects.filter(stakeholder__coalition=coalition).count(),
    }


# --- reading (no database) -----------------------------------------------------------------------


def test_kumu_csv_pair_reads_every_field() -> None:
    # when
    parsed = read_files(kumu(), today=TODAY)
    # then
    assert parsed.problems == []
    okafor = parsed.elements[0]
    assert (okafor.name, okafor.kind, okafor.sector, okafor.position, okafor.influence) == (
        "Grace Okafor",
        "person",
        Sector.FAITH,
        "supportive",
        60,
    )
    assert okafor.tags == ("clergy", "east side")
    assert okafor.external_id == "p-okafor"
    board = parsed.connections[0]
    assert (board.kind, board.weight, board.observed_on) == (
        "board_seat",
        Decimal("2.00"),
        dt.date(2025, 3, 1),
    )
    assert [c.kind for c in parsed.connections] == [
        "board_seat",
        "funds",
        "covers",
        "personal_tie",
    ]


def test_headers_are_case_insensitive_and_cairn_names_work() -> None:
    elements = (
        "NAME,kind,SECTOR,stance,external_id\nAna,person,labour,-1,a\nBo,office,Government,+2,b\n"
    )
    connections = "source,target,KIND,strength,notes\na,b,votes on,0.5,Hearing record\n"
    parsed = read_files(kumu(elements, connections), today=TODAY)
    assert parsed.problems == []
    assert [(e.sector, e.position) for e in parsed.elements] == [
        (Sector.LABOR, "skeptical"),
        (Sector.GOVERNMENT, "champion"),
    ]
    assert parsed.connections[0].weight == Decimal("0.50")


BAD_FILES = [
    pytest.param(
        "Label,Type\nAna,Alien\n",
        None,
        ("elements.csv", 2, "Type", "'Alien' is not a kind of stakeholder we know"),
        id="unknown-kind",
    ),
    pytest.param(
        "Label,Sector\nAna,Astrology\n",
        None,
        ("elements.csv", 2, "Sector", "'Astrology' is not a sector we know"),
        id="unknown-sector",
    ),
    pytest.param(
        "Label,Type\nAna,Person\n,Person\n",
        None,
        ("elements.csv", 3, "Label", "a name is required"),
        id="missing-name",
    ),
    pytest.param(
        "Label,ID\nAna,x1\nBo,x1\n",
        None,
        ("elements.csv", 3, "ID", "same ID 'x1' as line 2"),
        id="duplicate-id",
    ),
    pytest.param(
        "Label\nAna\nANA\n",
        None,
        ("elements.csv", 3, "Label", "same name as line 2"),
        id="duplicate-name",
    ),
    pytest.param(
        "Label\nAna\nBo\n",
        "From,To,Type\nAna,Nobody,funds\n",
        ("connections.csv", 2, "To", "'Nobody' is no element of the file"),
        id="dangling-connection",
    ),
    pytest.param(
        "Label\nAna\nBo\n",
        "From,To,Type,Weight\nAna,Bo,funds,heavy\n",
        ("connections.csv", 2, "Weight", "'heavy' is not a number"),
        id="bad-weight",
    ),
    pytest.param(
        "Label\nAna\nBo\n",
        "From,To,Type,Weight\nAna,Bo,funds,11\n",
        ("connections.csv", 2, "Weight", "11 is outside 0.1–10"),
        id="weight-out-of-range",
    ),
    pytest.param(
        "Label\nAna\nBo\n",
        "From,To,Type,Date\nAna,Bo,funds,2025-02-30\n",
        ("connections.csv", 2, "Date", "'2025-02-30' is not a date"),
        id="bad-date",
    ),
    pytest.param(
        "Label\nAna\nBo\n",
        "From,To,Type\nAna,Bo,friendship?\n",
        ("connections.csv", 2, "Type", "'friendship?' is not a relationship type we know"),
        id="unknown-relationship-type",
    ),
    pytest.param(
        "Label\nAna\nBo\n",
        "From,To,Type\nAna,Bo,funds\nAna,Bo,Funds\n",
        ("connections.csv", 3, "", "the same 'funds' connection as line 2"),
        id="duplicate-connection",
    ),
    pytest.param(
        "Label\nAna\nBo\n",
        "From,To,Type\nAna,Bo,ally\nBo,Ana,allied with\n",
        ("connections.csv", 3, "", "the same 'allied with' connection as line 2"),
        id="undirected-duplicate-reversed",
    ),
    pytest.param(
        "Label\nAna\nBo\n",
        "From,To,Type,Direction\nAna,Bo,funds,undirected\n",
        ("connections.csv", 2, "Direction", "a 'funds' tie has a direction"),
        id="undirected-funding",
    ),
    pytest.param(
        'Label,Description\nAna,=HYPERLINK("http://evil")\n',
        None,
        ("elements.csv", 2, "Description", "looks like a spreadsheet formula"),
        id="formula",
    ),
    pytest.param(
        "Label,Held by\nAna,Nobody's Union\n",
        None,
        ("elements.csv", 2, "Held by", "is not a member organization of this coalition"),
        id="unknown-holder",
    ),
    pytest.param(
        "Label,Influence\nAna,high\n",
        None,
        ("elements.csv", 2, "Influence", "'high' is not a whole number from 0 to 100"),
        id="bad-influence",
    ),
    pytest.param(
        "Label\nAna\n",
        "From,To,Type\nAna,Ana,funds\n",
        ("connections.csv", 2, "To", "connects a stakeholder to itself"),
        id="self-loop",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("elements", "connections", "expected"), BAD_FILES)
def test_bad_files_list_the_problem_and_change_nothing(
    coalition: Coalition,
    stakeholder_factory: Any,
    elements: str,
    connections: str | None,
    expected: tuple[str, int, str, str],
) -> None:
    # given a map with one stakeholder already
    stakeholder_factory(coalition, name="Existing Org")
    before = snapshot(coalition)
    uploads = [Upload("elements.csv", elements.encode())]
    if connections is not None:
        uploads.append(Upload("connections.csv", connections.encode()))
    # when
    result = import_map(coalition=coalition, uploads=uploads, by=None, today=TODAY)
    # then
    where, line, column, reason = expected
    assert not result.applied
    assert result.problem_count >= 1
    problem = result.problems[0]
    assert (problem.where, problem.line, problem.column) == (where, line, column), result.problems
    assert reason in problem.reason
    assert snapshot(coalition) == before


@pytest.mark.django_db
def test_every_problem_is_listed_not_only_the_first(coalition: Coalition) -> None:
    elements = "Label,Type,Sector\nAna,Alien,Faith\n,Person,Faith\nBo,Person,Astrology\n"
    connections = "From,To,Type,Weight,Date\nAna,Bo,funds,0,\nAna,Bo,nope,,yesterday\n"
    result = import_map(coalition=coalition, uploads=kumu(elements, connections), by=None)
    assert [(p.where, p.line, p.column) for p in result.problems] == [
        ("connections.csv", 2, "Weight"),
        ("connections.csv", 3, "Type"),
        ("connections.csv", 3, "Date"),
        ("elements.csv", 2, "Type"),
        ("elements.csv", 3, "Label"),
        ("elements.csv", 4, "Sector"),
    ]
    assert Stakeholder.objects.for_coalition(coalition).count() == 0


def test_a_connection_to_a_bad_row_is_not_reported_twice() -> None:
    parsed = read_files(
        kumu("Label,Sector\nAna,Astrology\nBo,Faith\n", "From,To,Type\nAna,Bo,funds\n"),
        today=TODAY,
    )
    assert [p.column for p in parsed.problems] == ["Sector"]


# --- XML -----------------------------------------------------------------------------------------

GEPHI_GRAPHML = b"""<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<key attr.name="label" attr.type="string" for="node" id="label"/>
<key attr.name="Sector" attr.type="string" for="node" id="sector"/>
<key attr.name="Weight" attr.type="double" for="edge" id="weight"/>
<key attr.name="Type" attr.type="string" for="edge" id="type"/>
<key attr.name="r" attr.type="int" for="node" id="r"/>
<graph edgedefault="directed">
<node id="0"><data key="label">Ana</data><data key="sector">faith</data>
<data key="r">12</data></node>
<node id="1"><data key="label">Bo</data><data key="sector">media</data></node>
<node id="2"/>
<edge id="0" source="0" target="1"><data key="weight">2.0</data><data key="type">funds</data></edge>
<edge id="1" source="1" target="2"><data key="type">covers</data></edge>
</graph>
</graphml>
"""


@pytest.mark.django_db
def test_graphml_as_gephi_writes_it_imports(coalition: Coalition) -> None:
    result = import_map(
        coalition=coalition, uploads=[Upload("gephi.graphml", GEPHI_GRAPHML)], by=None
    )
    assert result.applied, result.problems
    names = dict(Stakeholder.objects.for_coalition(coalition).values_list("name", "sector"))
    # a node without a label is named by its id, as Gephi shows it
    assert names == {"Ana": Sector.FAITH, "Bo": Sector.MEDIA, "2": Sector.OTHER}
    funds = Relationship.objects.for_coalition(coalition).get(kind="funds")
    assert (funds.source.name, funds.target.name, funds.weight) == ("Ana", "Bo", Decimal("2"))
    assert funds.evidence.startswith("Imported from gephi.graphml on ")


GEXF = b"""<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">
  <graph defaultedgetype="undirected">
    <attributes class="node"><attribute id="0" title="sector" type="string"/></attributes>
    <attributes class="edge"><attribute id="0" title="kind" type="string"/></attributes>
    <nodes>
      <node id="a" label="Ana"><attvalues><attvalue for="0" value="labor"/></attvalues>
        <viz:color r="1" g="2" b="3"/></node>
      <node id="b" label="Bo"/>
    </nodes>
    <edges>
      <edge id="e" source="a" target="b" weight="4"><attvalues>
        <attvalue for="0" value="ally"/></attvalues></edge>
      <edge id="f" source="b" target="a" label="funds"/>
      <edge id="g" source="b" target="zz" label="funds" weight="99"/>
    </edges>
  </graph>
</gexf>
"""


def test_gexf_problems_carry_their_lines() -> None:
    parsed = read_files([Upload("map.gexf", GEXF)], today=TODAY)
    assert [(p.line, p.column, p.reason) for p in parsed.problems] == [
        (15, "weight", "99 is outside 0.1–10"),
    ]


@pytest.mark.django_db
def test_gexf_imports_with_undirected_default_for_undirected_types_only(
    coalition: Coalition,
) -> None:
    data = GEXF.replace(b'<edge id="g" source="b" target="zz" label="funds" weight="99"/>', b"")
    result = import_map(coalition=coalition, uploads=[Upload("map.gexf", data)], by=None)
    assert result.applied, result.problems
    ties = {
        (r.source.name, r.target.name, r.kind, r.weight)
        for r in Relationship.objects.for_coalition(coalition).select_related("source", "target")
    }
    ana = Stakeholder.objects.for_coalition(coalition).get(name="Ana")
    bo = Stakeholder.objects.for_coalition(coalition).get(name="Bo")
    first, second = sorted([ana, bo], key=lambda s: s.pk)
    assert ties == {
        (first.name, second.name, "allied_with", Decimal("4")),
        # the graph's default says undirected, but funding has a direction: read as written
        ("Bo", "Ana", "funds", Decimal("1")),
    }


@pytest.mark.parametrize(
    ("document", "line", "reason"),
    [
        pytest.param(
            b"<graphml>\n<graph>\n<node id='a'>\n</graph>\n</graphml>",
            4,
            "malformed XML: mismatched tag",
            id="malformed",
        ),
        pytest.param(
            b'<?xml version="1.0"?>\n<!DOCTYPE g [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<graphml>&b;</graphml>',
            2,
            "refused: the document declares entities",
            id="entity-expansion",
        ),
        pytest.param(
            b'<?xml version="1.0"?>\n<!DOCTYPE g [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            b"<graphml><graph><node id='&x;'/></graph></graphml>",
            2,
            "refused: the document declares entities",
            id="external-entity",
        ),
        pytest.param(b"<html><body/></html>", 1, "is not a GraphML or GEXF document", id="html"),
    ],
)
def test_unsafe_or_malformed_xml_is_refused_with_its_line(
    document: bytes, line: int, reason: str
) -> None:
    parsed = read_files([Upload("map.graphml", document)], today=TODAY)
    assert parsed.elements == []
    assert parsed.connections == []
    assert parsed.problems[0].line == line
    assert reason in parsed.problems[0].reason


# --- XLSX ----------------------------------------------------------------------------------------


def workbook(elements: list[list[Any]], connections: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Elements"
    for row in elements:
        sheet.append(row)
    other = book.create_sheet("Connections")
    for row in connections:
        other.append(row)
    book.create_sheet("Notes").append(["Anything", "else"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_kumu_workbook_imports(coalition: Coalition) -> None:
    data = workbook(
        [["Label", "Type", "Influence"], ["Ana", "Person", 70], ["Bo", "Organization", None]],
        [
            ["From", "To", "Type", "Weight", "Date"],
            ["Ana", "Bo", "member of", 2, dt.datetime(2025, 1, 5)],  # noqa: DTZ001 - a cell
        ],
    )
    result = import_map(coalition=coalition, uploads=[Upload("map.xlsx", data)], by=None)
    assert result.applied, result.problems
    tie = Relationship.objects.for_coalition(coalition).get()
    assert (tie.kind, tie.weight, tie.observed_on) == ("member_of", Decimal(2), dt.date(2025, 1, 5))
    assert Stakeholder.objects.for_coalition(coalition).get(name="Ana").influence == 70


def test_workbook_formula_cells_are_problems_with_their_sheet_and_row() -> None:
    data = workbook([["Label", "Influence"], ["Ana", "=10*7"]], [])
    parsed = read_files([Upload("map.xlsx", data)], today=TODAY)
    assert [str(p) for p in parsed.problems] == [
        "map.xlsx, sheet 'Elements', line 2, Influence: is a formula (=10*7): paste its value "
        "instead"
    ]


def test_a_zip_bomb_is_not_opened() -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(importing.MapImportError, match="zip bomb"):
        read_files([Upload("map.xlsx", buffer.getvalue())], today=TODAY)


# --- writing -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_kumu_sample_imports_with_evidence_tags_and_positions(
    coalition: Coalition, user_factory: Any, relationship_factory: Any
) -> None:
    # given
    user = user_factory(full_name="Rosa Steward")
    # when
    result = import_map(coalition=coalition, uploads=kumu(), by=user, today=TODAY)
    # then
    assert result.applied
    assert result.problems == []
    assert (result.stakeholders_created, result.relationships_created) == (4, 4)
    okafor = Stakeholder.objects.for_coalition(coalition).get(external_id="p-okafor")
    assert okafor.origin == Stakeholder.Origin.IMPORTED
    assert okafor.created_by == user
    assert sorted(t.name for t in okafor.tags.all()) == ["clergy", "east side"]
    assert (okafor.position, okafor.position_on) == ("supportive", TODAY)
    change = okafor.position_changes.get()
    assert change.evidence == (
        "Imported from elements.csv, connections.csv on 2026-06-01 by Rosa Steward."
    )
    courier = Stakeholder.objects.for_coalition(coalition).get(name="Metro Courier")
    assert (courier.position, courier.influence) == ("unknown", 40)
    covers = Relationship.objects.for_coalition(coalition).get(kind="covers")
    assert covers.evidence == change.evidence
    assert covers.weight == Decimal(1)
    tie = Relationship.objects.for_coalition(coalition).get(kind="personal_tie")
    assert tie.source_id < tie.target_id  # undirected: stored once, lower id first
    # the ids the bulk insert took came from the table's sequence: the services go on after them
    later = relationship_factory(okafor, courier, "opposes")
    assert later.pk > max(Relationship.objects.exclude(pk=later.pk).values_list("pk", flat=True))


@pytest.mark.django_db
def test_reimport_updates_instead_of_duplicating(coalition: Coalition) -> None:
    # given
    import_map(coalition=coalition, uploads=kumu(), by=None, today=TODAY)
    first = snapshot(coalition)
    # when the same file comes again
    again = import_map(coalition=coalition, uploads=kumu(), by=None, today=TODAY)
    # then nothing new
    assert (again.stakeholders_created, again.stakeholders_updated) == (0, 0)
    assert (again.relationships_created, again.relationships_updated) == (0, 0)
    assert again.stakeholders_unchanged == 4
    assert again.relationships_unchanged == 4
    assert snapshot(coalition) == first
    # when a changed file comes: renamed by ID, new position, new weight, one more tie
    elements = ELEMENTS.replace(
        "Sen. Ada Byrne,Person,Government,Skeptical", "Senator Ada Byrne,Person,Government,Champion"
    )
    connections = CONNECTIONS.replace("funds,,3,", "funds,,5,") + (
        "Metro Courier,Riverside Foundation,opposes,,,Editorial of 3 May,,\n"
    )
    changed = import_map(
        coalition=coalition, uploads=kumu(elements, connections), by=None, today=TODAY
    )
    # then
    assert changed.applied, changed.problems
    assert (changed.stakeholders_created, changed.stakeholders_updated) == (0, 1)
    assert (changed.relationships_created, changed.relationships_updated) == (1, 1)
    byrne = Stakeholder.objects.for_coalition(coalition).get(external_id="p-byrne")
    assert (byrne.name, byrne.position) == ("Senator Ada Byrne", "champion")
    assert list(byrne.position_changes.values_list("position", flat=True)) == [
        "skeptical",
        "champion",
    ]
    assert Stakeholder.objects.for_coalition(coalition).count() == 4
    assert Relationship.objects.for_coalition(coalition).get(kind="funds").weight == 5


@pytest.mark.django_db
def test_rows_match_existing_stakeholders_by_name_case_insensitively(
    coalition: Coalition, stakeholder_factory: Any, membership_factory: Any
) -> None:
    # given a member organization (it has its stakeholder) and a hand-made stakeholder
    membership_factory(coalition, name="Harbor House", sector=Sector.COMMUNITY)
    made = stakeholder_factory(coalition, name="Metro Courier", sector=Sector.MEDIA)
    # when
    result = import_map(
        coalition=coalition,
        uploads=kumu(
            "Label,Type,Sector,Description,Held by\n"
            "metro courier,Organization,Media,Daily paper,harbor house\n"
            "HARBOR HOUSE,Organization,Community,Peer support,\n",
            "From,To,Type\nMetro Courier,Harbor House,covers\n",
        ),
        by=None,
    )
    # then
    assert result.applied, result.problems
    assert (result.stakeholders_created, result.stakeholders_updated) == (0, 2)
    made.refresh_from_db()
    assert (made.name, made.description, made.held_by.organization.name) == (
        "metro courier",
        "Daily paper",
        "Harbor House",
    )
    assert Stakeholder.objects.for_coalition(coalition).count() == 2


@pytest.mark.django_db
def test_an_id_of_one_stakeholder_with_the_name_of_another_is_a_problem(
    coalition: Coalition,
) -> None:
    import_map(coalition=coalition, uploads=kumu(), by=None, today=TODAY)
    before = snapshot(coalition)
    result = import_map(
        coalition=coalition,
        uploads=[Upload("elements.csv", b"Label,ID\nMetro Courier,p-okafor\n")],
        by=None,
    )
    assert [(p.line, p.column) for p in result.problems] == [(2, "Label")]
    assert "ID 'p-okafor' is 'Grace Okafor' on the map" in result.problems[0].reason
    assert snapshot(coalition) == before


@pytest.mark.django_db
def test_connections_alone_can_join_stakeholders_already_on_the_map(coalition: Coalition) -> None:
    # given
    import_map(coalition=coalition, uploads=kumu(), by=None, today=TODAY)
    # when a connections file names them by name (any case) and by ID
    result = import_map(
        coalition=coalition,
        uploads=[
            Upload(
                "more.csv",
                b'From,To,Type,Evidence\nmetro courier,p-okafor,covers,"Profile, 12 Jan"\n',
            )
        ],
        by=None,
    )
    # then
    assert result.applied
    assert result.relationships_created == 1
    tie = Relationship.objects.for_coalition(coalition).get(
        kind="covers", target__name="Grace Okafor"
    )
    assert (tie.source.name, tie.evidence) == ("Metro Courier", "Profile, 12 Jan")


@pytest.mark.django_db
def test_dry_run_counts_and_keeps_nothing(coalition: Coalition) -> None:
    result = import_map(coalition=coalition, uploads=kumu(), by=None, dry_run=True)
    assert result.dry_run
    assert not result.applied
    assert (result.stakeholders_created, result.relationships_created) == (4, 4)
    assert Stakeholder.objects.for_coalition(coalition).count() == 0


@pytest.mark.django_db
def test_import_task_reads_stored_files_and_deletes_them(coalition: Coalition) -> None:
    stored = [
        default_storage.save("powermap-imports/e.csv", ContentFile(ELEMENTS.encode())),
        default_storage.save("powermap-imports/c.csv", ContentFile(CONNECTIONS.encode())),
    ]
    files = [[stored[0], "elements.csv"], [stored[1], "connections.csv"]]
    result = importing.import_map_task.call(coalition.pk, None, files)
    assert result["applied"]
    assert result["stakeholders_created"] == 4
    assert not any(default_storage.exists(name) for name in stored)
    assert importing.ImportResult.from_dict(result).relationships_created == 4


# --- the import page -----------------------------------------------------------------------------


def _upload_files(elements: str = ELEMENTS, connections: str = CONNECTIONS) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "file": SimpleUploadedFile("elements.csv", elements.encode(), "text/csv"),
        "connections": SimpleUploadedFile("connections.csv", connections.encode(), "text/csv"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed"), [("steward", True), ("organizer", True), ("viewer", False)]
)
def test_stewards_and_organizers_import_viewers_may_not(
    client: Any,
    coalition: Coalition,
    staff_factory: Any,
    membership_factory: Any,
    role: str,
    allowed: bool,
) -> None:
    # given
    member = membership_factory(coalition)
    staff = staff_factory(coalition, role, membership=member if role == "organizer" else None)
    client.force_login(staff.user)
    url = f"/c/{coalition.slug}/powermap/import/"
    before = snapshot(coalition)
    # when
    page = client.get(url)
    posted = client.post(url, {**_upload_files(), "action": "import"})
    # then
    if allowed:
        assert page.status_code == 200
        assert posted.status_code == 200
        assert Stakeholder.objects.for_coalition(coalition).filter(name="Grace Okafor").exists()
    else:
        assert (page.status_code, posted.status_code) == (403, 403)
        assert snapshot(coalition) == before


@pytest.mark.django_db
def test_the_page_lists_every_problem_by_file_line_and_column(
    client: Any, coalition: Coalition, steward: Any
) -> None:
    client.force_login(steward.user)
    before = snapshot(coalition)
    response = client.post(
        f"/c/{coalition.slug}/powermap/import/",
        {
            **_upload_files(
                connections=CONNECTIONS
                + "Nobody,p-byrne,funds,,,,,\np-okafor,p-byrne,funds,,11,,,\n"
            ),
            "action": "import",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Nothing was imported" in body
    assert "2 problems in elements.csv, connections.csv" in body
    assert '<td data-label="Line" class="num">6</td>' in body
    assert "&#x27;Nobody&#x27; is no element of the file" in body
    assert "11 is outside 0.1–10" in body
    assert snapshot(coalition) == before


@pytest.mark.django_db
def test_check_only_shows_the_counts_and_keeps_nothing(
    client: Any, coalition: Coalition, steward: Any
) -> None:
    client.force_login(steward.user)
    response = client.post(
        f"/c/{coalition.slug}/powermap/import/", {**_upload_files(), "action": "check"}
    )
    assert response.status_code == 200
    assert "Checked: nothing kept" in response.content.decode()
    assert Stakeholder.objects.for_coalition(coalition).count() == 0


@pytest.mark.django_db
def test_a_large_upload_goes_through_the_task_queue(
    client: Any,
    coalition: Coalition,
    steward: Any,
    coalition_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    from django_tasks_db.models import DBTaskResult

    # given a queue that keeps results (the database backend) and a tiny inline limit
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(importing, "INLINE_MAX_BYTES", 10)
    client.force_login(steward.user)
    # when
    posted = client.post(
        f"/c/{coalition.slug}/powermap/import/", {**_upload_files(), "action": "import"}
    )
    # then the page follows the queued task
    assert posted.status_code == 302
    waiting = client.get(posted["Location"])
    assert waiting.status_code == 200
    assert "imported in the background" in waiting.content.decode()
    assert Stakeholder.objects.for_coalition(coalition).count() == 0
    # and another coalition's steward does not find it
    other = coalition_factory()
    result_id = posted["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert client.get(f"/c/{other.slug}/powermap/import/{result_id}/").status_code == 404
    # when a worker runs it (as db_worker does, without closing the test's connection)
    row = DBTaskResult.objects.get(pk=result_id)
    row.claim("test-worker")
    queued = row.task_result
    row.set_successful(row.task.call(*queued.args, **queued.kwargs))
    done = client.get(posted["Location"])
    assert done.status_code == 200
    assert "Imported" in done.content.decode()
    assert Stakeholder.objects.for_coalition(coalition).count() == 4
    # and a large "check only" is queued too, and keeps nothing
    checked = client.post(
        f"/c/{coalition.slug}/powermap/import/",
        {**_upload_files(ELEMENTS.replace("Metro Courier", "Metro Daily")), "action": "check"},
    )
    assert "checked in the background" in client.get(checked["Location"]).content.decode()


@pytest.mark.django_db
def test_a_malformed_graphml_changes_nothing(
    coalition: Coalition, stakeholder_factory: Any
) -> None:
    stakeholder_factory(coalition, name="Existing Org")
    before = snapshot(coalition)
    broken = GEPHI_GRAPHML.replace(b"</graph>", b"</grph>")
    result = import_map(coalition=coalition, uploads=[Upload("gephi.graphml", broken)], by=None)
    assert [(p.where, p.line) for p in result.problems] == [("gephi.graphml", 15)]  # </grph>
    assert "malformed XML" in result.problems[0].reason
    assert snapshot(coalition) == before


# --- the command line ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_imports_or_lists_problems_and_fails(
    coalition: Coalition, tmp_path: Any
) -> None:
    from django.core.management import CommandError, call_command

    elements = tmp_path / "elements.csv"
    connections = tmp_path / "connections.csv"
    elements.write_text(ELEMENTS)
    connections.write_text(CONNECTIONS + "Nobody,p-byrne,funds,,,,,\n")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 problem; nothing was imported"):
        call_command(
            "import_powermap",
            str(elements),
            str(connections),
            coalition=coalition.slug,
            stderr=errors,
        )
    assert errors.getvalue().startswith("connections.csv, line 6, From: 'Nobody' is no element")
    assert Stakeholder.objects.for_coalition(coalition).count() == 0
    connections.write_text(CONNECTIONS)
    out = io.StringIO()
    call_command(
        "import_powermap", str(elements), str(connections), coalition=coalition.slug, stdout=out
    )
    assert out.getvalue().startswith(
        "elements.csv, connections.csv: created 4 stakeholders (0 updated, 0 unchanged) and "
        "4 relationships (0 updated, 0 unchanged)."
    )
