"""A letter is sent once under 200 parallel retries (8 processes × 25, released by a barrier),
on SQLite and PostgreSQL: one supporter, one outreach, one delivery and one email per office."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from cairn.advocacy import services
from cairn.advocacy.models import AdvocacyCampaign, Delivery, Outreach
from cairn.coalitions.models import Coalition
from cairn.core.testing.races import race
from cairn.people.models import Person

from .conftest import make_campaign, person

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_letter_is_sent_once_under_200_parallel_retries(
    coalition: Coalition, tmp_path: Path
) -> None:
    # given
    advocacy = make_campaign(coalition, hourly_limit_per_ip=0)

    def write(i: int) -> object:
        spelling = ("ana@example.org", "ANA@example.org", " ana@Example.org ")[i % 3]
        return services.record_outreach(
            advocacy_campaign=AdvocacyCampaign.objects.get(pk=advocacy.pk),
            person=person(spelling),
            postal_code="46201",
            body="Dear {target}, fund the beds.",
            source="race",
        )

    # when
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path),
    ):
        outcomes = race(write, workers=8, rounds=25)

    # then
    assert outcomes == ["ok"] * 200
    assert Person.objects.count() == 1
    assert Outreach.objects.count() == 1
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["sent", "sent"]
    sent = sorted(
        line
        for f in tmp_path.iterdir()
        for line in f.read_text().splitlines()
        if line.startswith("To: ")
    )
    assert sent == ["To: leader@senate.example", "To: one@senate.example"]
