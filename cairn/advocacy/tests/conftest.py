"""Fixtures of the advocacy tests: a campaign with at-large and district targets, a district table
imported from a postal-code CSV and GeoJSON squares."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from cairn.advocacy import importing, services
from cairn.advocacy.models import AdvocacyCampaign, AdvocacyTarget
from cairn.campaigns import services as campaign_services
from cairn.coalitions.models import Coalition
from cairn.people.services import EmailInput, PersonData

POSTAL_CSV = b"""zip,district,district_name
46201,SD-1,Senate District 1
46202,SD-1,Senate District 1
46203,SD-2,Senate District 2
46204,SD-1,Senate District 1
46204,SD-2,Senate District 2
"""


def square(x: float, y: float, size: float = 1.0) -> list[list[list[float]]]:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def geojson(*features: tuple[str, Any]) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"district": key, "name": f"District {key}"},
                    "geometry": {"type": "Polygon", "coordinates": coordinates},
                }
                for key, coordinates in features
            ],
        }
    ).encode()


GEOJSON = geojson(("SD-1", square(-87.0, 39.0)), ("SD-2", square(-86.0, 39.0)))


def person(email: str, given: str = "Ana", family: str = "Lima") -> PersonData:
    return PersonData(given_name=given, family_name=family, emails=[EmailInput(address=email)])


def make_campaign(coalition: Coalition, **fields: Any) -> AdvocacyCampaign:
    """An open letter campaign: the leader at large, one senator per district."""
    result = importing.import_districts(
        coalition=coalition,
        name="Senate districts",
        by=None,
        postal_csv=importing.Upload("zips.csv", POSTAL_CSV),
        geojson=importing.Upload("districts.geojson", GEOJSON),
    )
    assert result.ok, result.problems
    campaign = campaign_services.create_campaign(
        coalition=coalition,
        name="Fund crisis beds",
        theory_of_change="Senators fund beds when constituents ask.",
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        ends_on=timezone.localdate() + dt.timedelta(days=90),
        created_by=None,
    )
    fields.setdefault("status", AdvocacyCampaign.Status.OPEN)
    fields.setdefault("kind", AdvocacyCampaign.Kind.BOTH)
    advocacy = services.create_advocacy_campaign(
        coalition=coalition,
        title="Tell your state senator",
        by=None,
        district_table=result.table,
        campaign=campaign,
        **fields,
    )
    for name, district, email in (
        ("Pat Leader", "", "leader@senate.example"),
        ("Sam One", "SD-1", "one@senate.example"),
        ("Kim Two", "SD-2", ""),
    ):
        dm = campaign_services.add_decision_maker(
            coalition=coalition, name=name, title="Senator", body="State Senate"
        )
        services.add_target(
            advocacy_campaign=advocacy,
            decision_maker=dm,
            district=district,
            office_email=email,
            office_phone="+1 317 555 0100",
            office_address="200 W Washington St",
        )
    return advocacy


@pytest.fixture
def advocacy(coalition: Coalition) -> AdvocacyCampaign:
    return make_campaign(coalition)


def target(advocacy: AdvocacyCampaign, name: str) -> AdvocacyTarget:
    return AdvocacyTarget.objects.get(advocacy_campaign=advocacy, decision_maker__name=name)
