"""A coalition's phone region is set in its settings form (an ISO code libphonenumber knows), and
numbers without a country code are read in it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cairn.coalitions.models import Coalition
from cairn.people import services


def settings_form(coalition: Coalition, **changes: str) -> dict[str, str]:
    data = {
        "name": coalition.name,
        "mission": coalition.mission,
        "horizon_title": coalition.horizon_title,
        "horizon_start": coalition.horizon_start.isoformat(),
        "horizon_end": coalition.horizon_end.isoformat(),
        "charter": coalition.charter,
        "default_region": coalition.default_region,
    }
    return {**data, **changes}


def test_a_steward_sets_the_phone_region_and_numbers_follow_it(client, coalition, steward):
    client.force_login(steward.user)
    response = client.post(
        reverse("coalitions:settings", args=[coalition.slug]),
        settings_form(coalition, default_region="no"),
    )
    assert response.status_code == 302
    coalition.refresh_from_db()
    assert coalition.default_region == "NO"
    person = services.upsert_person(
        coalition=coalition,
        data=services.PersonData(phones=[services.PhoneInput("900 31 676")]),
    ).person
    assert list(person.phones.values_list("number", "as_typed")) == [("+4790031676", "900 31 676")]


@pytest.mark.parametrize("region", ["XX", "Norway"])
def test_an_unknown_region_is_refused_and_nothing_changes(client, coalition, steward, region):
    client.force_login(steward.user)
    response = client.post(
        reverse("coalitions:settings", args=[coalition.slug]),
        settings_form(coalition, default_region=region, name="Renamed"),
    )
    assert response.status_code == 422
    coalition.refresh_from_db()
    assert (coalition.name, coalition.default_region) != ("Renamed", region)
    assert coalition.default_region == ""


def test_the_demo_coalition_reads_numbers_as_american(db):
    from django.utils import timezone

    from cairn.coalitions import demo

    coalition = demo._Loader(today=timezone.localdate()).coalition()
    assert coalition.default_region == "US"
