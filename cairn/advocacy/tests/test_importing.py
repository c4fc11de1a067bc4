"""District tables: imported from a postal-code CSV and GeoJSON; a bad table is refused whole,
with every problem's line (or feature) and reason."""

from __future__ import annotations

import json

import pytest

from cairn.advocacy import geometry, importing, services
from cairn.advocacy.importing import Upload
from cairn.advocacy.models import District, DistrictTable, PostalCode
from cairn.coalitions.models import Coalition

from .conftest import GEOJSON, POSTAL_CSV, geojson, square

pytestmark = pytest.mark.django_db


def test_a_clean_table_is_imported(coalition: Coalition) -> None:
    result = importing.import_districts(
        coalition=coalition,
        name="Senate",
        by=None,
        postal_csv=Upload("zips.csv", POSTAL_CSV),
        geojson=Upload("d.geojson", GEOJSON),
    )
    assert result.ok
    assert (result.districts, result.postal_codes) == (2, 5)
    assert dict(District.objects.values_list("key", "name")) == {
        "SD-1": "District SD-1",
        "SD-2": "District SD-2",
    }
    one = District.objects.get(key="SD-1")
    assert (one.min_lon, one.min_lat, one.max_lon, one.max_lat) == (-87.0, 39.0, -86.0, 40.0)


def test_bad_csv_lists_every_line_and_reason_and_writes_nothing(coalition: Coalition) -> None:
    bad = (
        b"zip;district\n"
        b"46201;SD-1\n"
        b";SD-1\n"  # line 3: no code
        b"46202;\n"  # line 4: no district
        b"4@;SD-2\n"  # line 5: not a postal code
        b"46201;SD-1\n"  # line 6: repeats line 2
        b"=HYPERLINK(1);SD-3\n"  # line 7: formula
    )
    result = importing.import_districts(
        coalition=coalition, name="Bad", by=None, postal_csv=Upload("bad.csv", bad)
    )
    assert not result.ok
    assert result.table is None
    assert [str(p) for p in result.problems] == [
        "bad.csv, line 3, zip: is empty",
        "bad.csv, line 4, district: is empty",
        "bad.csv, line 5, zip: “4@” is not a postal code (3 to 10 letters or digits)",
        "bad.csv, line 6, zip: 46201 → SD-1 repeats line 2",
        "bad.csv, line 7, zip: looks like a spreadsheet formula",
    ]
    assert not DistrictTable.objects.exists()
    assert not PostalCode.objects.exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ["e.csv: the file is empty"]),
        (
            b"code,area\n1,2\n",
            [
                "e.csv, line 1: no postal code column (name one “postal_code” or “zip”)",
                "e.csv, line 1: no district column (name one “district”)",
            ],
        ),
        (b"zip,district\n", ["e.csv: the file has a header but no rows"]),
    ],
)
def test_unusable_csv(coalition: Coalition, data: bytes, expected: list[str]) -> None:
    result = importing.import_districts(
        coalition=coalition, name="E", by=None, postal_csv=Upload("e.csv", data)
    )
    assert [str(p) for p in result.problems] == expected


def test_bad_geojson_lists_every_feature_and_reason(coalition: Coalition) -> None:
    open_ring = [[[0, 0], [1, 0], [1, 1], [0, 1]]]
    data = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"district": "A"},
                    "geometry": {"type": "Polygon", "coordinates": square(0, 0)},
                },
                {
                    "type": "Feature",
                    "properties": {},
                    "geometry": {"type": "Polygon", "coordinates": square(2, 0)},
                },
                {
                    "type": "Feature",
                    "properties": {"district": "B"},
                    "geometry": {"type": "Polygon", "coordinates": open_ring},
                },
                {
                    "type": "Feature",
                    "properties": {"district": "C"},
                    "geometry": {"type": "Point", "coordinates": [0, 0]},
                },
                {
                    "type": "Feature",
                    "properties": {"district": "D"},
                    "geometry": {"type": "Polygon", "coordinates": square(39, 200)},
                },
                {
                    "type": "Feature",
                    "properties": {"district": "A"},
                    "geometry": {"type": "Polygon", "coordinates": square(5, 5)},
                },
            ],
        }
    ).encode()
    result = importing.import_districts(
        coalition=coalition, name="G", by=None, geojson=Upload("g.geojson", data)
    )
    assert [str(p) for p in result.problems] == [
        "g.geojson, feature 1, properties: no district key (one of: district, key, district_id, "
        "id, DISTRICT, GEOID, District)",
        "g.geojson, feature 2, geometry: a ring does not end where it starts",
        "g.geojson, feature 3, geometry: is a Point, not a Polygon or MultiPolygon",
        "g.geojson, feature 4, geometry: latitude 200 is outside −90…90 (are longitude and "
        "latitude swapped?)",
        "g.geojson, feature 5, district: district “A” is also feature 0",
    ]
    assert not DistrictTable.objects.exists()


def test_geojson_that_is_not_json(coalition: Coalition) -> None:
    result = importing.import_districts(
        coalition=coalition, name="G", by=None, geojson=Upload("g.geojson", b'{"type":\n  oops}')
    )
    assert [str(p) for p in result.problems] == [
        "g.geojson, line 2: is not JSON (Expecting value, column 3)"
    ]


def test_reimport_replaces_the_table_whole(coalition: Coalition) -> None:
    first = importing.import_districts(
        coalition=coalition, name="T", by=None, postal_csv=Upload("a.csv", POSTAL_CSV)
    )
    assert first.table is not None
    again = importing.import_districts(
        coalition=coalition,
        name="T",
        by=None,
        geojson=Upload("b.geojson", geojson(("X", square(0, 0)))),
        table=first.table,
    )
    assert again.ok
    assert list(District.objects.values_list("key", flat=True)) == ["X"]
    assert not PostalCode.objects.exists()
    assert [d.key for d in services.districts_for(table=first.table, lat=0.5, lon=0.5)] == ["X"]


def test_point_in_polygon_with_a_hole() -> None:
    outline = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    shape = [[outline, hole]]
    assert geometry.in_shape(1, 1, shape)
    assert not geometry.in_shape(5, 5, shape)
    assert geometry.in_shape(4, 5, shape)  # on the hole's edge: inside the district
    assert geometry.in_shape(10, 5, shape)  # on the outline
    assert not geometry.in_shape(11, 5, shape)
