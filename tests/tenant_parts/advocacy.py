"""Coalition B's letter and call campaigns for the tenant walker: a district table, a campaign
with targets, a letter (emailed and printed, in a print batch), a call with its report and an
office's reply; then the campaign goes back to a draft, so its public page answers 404 too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cairn.advocacy import importing, services
from cairn.advocacy.models import (
    AdvocacyCampaign,
    AdvocacyTarget,
    Delivery,
    District,
    DistrictTable,
    OfficeReply,
    Outreach,
    PostalCode,
    PrintBatch,
)
from cairn.campaigns import services as campaign_services
from cairn.people.services import EmailInput, PersonData

from . import Context

MODELS = [
    AdvocacyCampaign,
    AdvocacyTarget,
    DistrictTable,
    District,
    PostalCode,
    Outreach,
    Delivery,
    PrintBatch,
    OfficeReply,
]


def rows(ctx: Context) -> dict[str, Any]:
    table = importing.import_districts(
        coalition=ctx.coalition,
        name=f"{ctx.secret} districts",
        by=None,
        postal_csv=importing.Upload(
            "zebra.csv", f"zip,district,district_name\n97201,Z-1,{ctx.secret}\n".encode()
        ),
    ).table
    campaign = services.create_advocacy_campaign(
        coalition=ctx.coalition,
        title=f"{ctx.secret} letters",
        by=None,
        description=ctx.secret,
        letter_subject=ctx.secret,
        letter_body=f"Dear {{target}}, {ctx.secret}",
        call_script=ctx.secret,
        kind=AdvocacyCampaign.Kind.BOTH,
        status=AdvocacyCampaign.Status.OPEN,
        district_table=table,
        owner=ctx.member,
    )
    emailed = services.add_target(
        advocacy_campaign=campaign,
        decision_maker=campaign_services.add_decision_maker(
            coalition=ctx.coalition, name=f"{ctx.secret} Senator"
        ),
        district="Z-1",
        office_email="zebra.senator@example.org",
        office_phone="+1 503 555 0100",
    )
    services.add_target(
        advocacy_campaign=campaign,
        decision_maker=campaign_services.add_decision_maker(
            coalition=ctx.coalition, name=f"{ctx.secret} Leader"
        ),
        office_phone="+1 503 555 0101",
        office_address=ctx.secret,
    )
    supporter = PersonData(given_name=ctx.secret, emails=[EmailInput("zebra.letter@example.org")])
    services.record_outreach(advocacy_campaign=campaign, person=supporter, postal_code="97201")
    call = services.record_outreach(
        advocacy_campaign=campaign, person=supporter, district="Z-1", action="call"
    ).outreach
    call_delivery = Delivery.objects.filter(outreach=call).first()
    assert call_delivery is not None
    services.record_call_report(delivery=call_delivery, result="answered", notes=ctx.secret)
    batch = services.create_print_batch(advocacy_campaign=campaign, by=None)
    services.log_office_reply(
        target=emailed,
        received_on=timezone.localdate() - dt.timedelta(days=1),
        medium="email",
        summary=ctx.secret,
        by=None,
    )
    campaign = services.update_advocacy_campaign(
        advocacy_campaign=campaign, status=AdvocacyCampaign.Status.DRAFT
    )
    email_delivery = Delivery.objects.filter(target=emailed, channel="email").first()
    assert email_delivery is not None
    assert table is not None
    ctx.post_data.setdefault("summary", "hijacked")
    ctx.post_data.setdefault("medium", "letter")
    ctx.post_data.setdefault("received_on", "2026-01-02")
    ctx.post_data.setdefault("new_name", "hijacked")
    ctx.post_data.setdefault("hourly_limit_per_ip", "30")
    ctx.post_data.setdefault("given_name", "hijacked")
    return {
        "advocacy_id": campaign.pk,
        "advocacy_slug": campaign.slug,
        "advocacy_target_id": emailed.pk,
        "advocacy_delivery_id": email_delivery.pk,
        "print_batch_id": batch.pk,
        "district_table_id": table.pk,
        # the OSDI routes (cairn/api/osdi/advocacy.py) on these rows
        "advocacy_campaign_uuid": campaign.uuid,
        "outreach_uuid": call.uuid,
    }
