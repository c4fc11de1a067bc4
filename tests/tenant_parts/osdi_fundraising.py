"""The OSDI API's fundraising routes (cairn/api/osdi/fundraising.py) for the tenant walker: the
uuid of B's fundraising page, which the fundraising part made (it gives `donation_uuid`, B's
cheque, and the people routes' `person_id` comes from the walker). Rows are read here, never
written."""

from __future__ import annotations

from typing import Any

from cairn.fundraising.models import FundraisingPage

from . import Context

MODELS: list[type[Any]] = []  # the fundraising part snapshots B's pages and donations


def rows(ctx: Context) -> dict[str, Any]:
    page = FundraisingPage.objects.for_coalition(ctx.coalition).order_by("pk").first()
    assert page is not None, "the fundraising part makes B's page first"
    return {"fundraising_page_uuid": page.uuid}
