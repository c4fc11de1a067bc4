"""The migration that turns a petition's campaign text into a link to a campaign (0002)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cairn.campaigns import services as campaign_services
from cairn.campaigns.models import Campaign
from cairn.coalitions.models import Coalition, Membership
from cairn.petitions.models import Petition

BEFORE = [
    ("petitions", "0001_petitions"),
    ("campaigns", "0002_engagement_counters_and_feeds"),
]
AFTER = [("petitions", "0002_petition_campaign_link")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.fixture
def at_0001() -> Iterator[MigrationExecutor]:
    """The database with petitions at 0001; back at the latest migrations afterwards."""
    try:
        yield _migrate(BEFORE)
    finally:
        _migrate(_migrate([]).loader.graph.leaf_nodes())


def _campaign(coalition: Coalition, name: str) -> Campaign:
    return campaign_services.create_campaign(
        coalition=coalition,
        name=name,
        theory_of_change="If we show the cost, they fund the beds.",
        starts_on=coalition.horizon_start,
        ends_on=coalition.horizon_end,
        created_by=None,
    )


@pytest.mark.django_db(transaction=True)
def test_campaign_text_becomes_the_link_to_the_coalitions_campaign_of_that_name(
    at_0001: MigrationExecutor,
    coalition_factory: Callable[..., Coalition],
    membership_factory: Callable[..., Membership],
) -> None:
    # given two coalitions with a campaign of the same name, and petitions naming campaigns
    ours, theirs = coalition_factory(), coalition_factory()
    beds = _campaign(ours, "Fund the Beds")
    _campaign(theirs, "Fund the Beds")
    only_theirs = _campaign(theirs, "Mobile crisis teams")
    owner = membership_factory(ours, name="Harbor House")
    old = at_0001.loader.project_state(BEFORE).apps.get_model("petitions", "Petition")
    texts = {
        "same-name": "  fund the BEDS ",  # case and spaces ignored
        "no-match": "State budget vote",
        "other-coalition": only_theirs.name,  # a campaign of another coalition is never linked
        "empty": "",
    }
    for slug, text in texts.items():
        old.objects.create(
            coalition_id=ours.pk, owner_id=owner.pk, slug=slug, title=slug, campaign=text
        )

    # when the migration runs
    _migrate(AFTER)

    # then only the petition naming its own coalition's campaign is linked
    linked = dict(Petition.objects.values_list("slug", "campaign_id"))
    assert linked == {
        "same-name": beds.pk,
        "no-match": None,
        "other-coalition": None,
        "empty": None,
    }

    # and going back writes the linked campaign's name into the text
    before = _migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("petitions", "Petition")
    assert dict(before.objects.values_list("slug", "campaign")) == {
        "same-name": "Fund the Beds",
        "no-match": "",
        "other-coalition": "",
        "empty": "",
    }
