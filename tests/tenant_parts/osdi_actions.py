"""The OSDI API's advocacy routes (cairn/api/osdi/advocacy.py) for the tenant walker: the uuids
of B's letter campaign and of a letter in it, which the advocacy part made (events' part gives
the events routes' uuids). Rows are read here, never written."""

from __future__ import annotations

from typing import Any

from cairn.advocacy.models import AdvocacyCampaign, Outreach

from . import Context

MODELS: list[type[Any]] = []  # the advocacy part snapshots B's campaigns and outreaches


def rows(ctx: Context) -> dict[str, Any]:
    campaign = AdvocacyCampaign.objects.for_coalition(ctx.coalition).order_by("pk").first()
    assert campaign is not None, "the advocacy part makes B's campaign first"
    outreach = (
        Outreach.objects.for_coalition(ctx.coalition)
        .filter(advocacy_campaign=campaign)
        .order_by("pk")
        .first()
    )
    assert outreach is not None, "the advocacy part makes B's letter first"
    return {"advocacy_campaign_uuid": campaign.uuid, "outreach_uuid": outreach.uuid}
