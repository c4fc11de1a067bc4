"""The demo's letter campaign: "Tell your state senator" to the seed's state legislative leaders.

A district table (the Riverbend region's postal codes and two senate districts drawn as GeoJSON
shapes), the senators by district and the House leaders at large; a few hundred of the demo's
supporters wrote over the last weeks (their letters emailed, or printed for the Speaker's office,
which takes no email), some called and reported how it went; the offices' replies are logged,
and one of them moved the Majority Leader's position, which the campaign dashboard shows.

Everything goes through the services; emails go through a local mail connection that sends
nothing out. Loading it twice creates nothing new.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from cairn.campaigns.demo import CAMPAIGN_NAME
from cairn.campaigns.models import Campaign, DecisionMaker, Position, PositionChange
from cairn.coalitions.models import Coalition, Membership
from cairn.people.models import Person
from cairn.people.services import EmailInput, PersonData

from . import importing, services
from .models import AdvocacyCampaign, AdvocacyTarget, Delivery, OfficeReply

TITLE = "Tell your state senator: fund crisis beds"
OUTREACHES = 320
CALLS = 40
SEED = 15

# postal code → senate district (the people demo's Riverbend places)
POSTAL_DISTRICTS = {
    "46201": "SD-14",
    "46202": "SD-14",
    "46205": "SD-14",
    "46218": "SD-14",
    "46226": "SD-22",
    "46229": "SD-22",
    "46235": "SD-22",
    "46240": "SD-22",
    "46241": "SD-22",
    "46250": "SD-22",
}
DISTRICT_NAMES = {"SD-14": "Senate District 14", "SD-22": "Senate District 22"}
# lon/lat boxes around Riverbend: the west half is district 14, the east half district 22
SHAPES = {
    "SD-14": [
        [[-86.35, 39.60], [-86.10, 39.60], [-86.10, 40.00], [-86.35, 40.00], [-86.35, 39.60]]
    ],
    "SD-22": [
        [[-86.10, 39.60], [-85.85, 39.60], [-85.85, 40.00], [-86.10, 40.00], [-86.10, 39.60]]
    ],
}
# decision-maker → (district, office email, office phone, office address)
OFFICES = {
    "Sen. Linda Castellanos": (
        "SD-14",
        "castellanos.office@senate.example",
        "+1 317 555 0114",
        "State House, Room 314\n200 W Washington St\nRiverbend, IN 46204",
    ),
    "Sen. Patricia Holloway": (
        "SD-22",
        "holloway.office@senate.example",
        "+1 317 555 0122",
        "State House, Room 222\n200 W Washington St\nRiverbend, IN 46204",
    ),
    "Rep. Gerald Manning": (
        "",
        "manning.office@house.example",
        "+1 317 555 0131",
        "State House, Room 131\n200 W Washington St\nRiverbend, IN 46204",
    ),
    "Rep. Howard Kessler": (
        "",
        "",  # the Speaker's office takes letters on paper only: they are printed
        "+1 317 555 0100",
        "Office of the Speaker\n200 W Washington St\nRiverbend, IN 46204",
    ),
}
CALL_SCRIPT = (
    "Hello, my name is ___ and I live in ___. I'm calling to ask the senator to put recurring "
    "funding for psychiatric crisis beds and mobile crisis teams in this year's budget. People "
    "in crisis wait days in emergency rooms for a bed. Can I count on the senator's support?"
)
# (decision-maker, days ago, medium, summary, position or "")
REPLIES = (
    (
        "Sen. Linda Castellanos",
        12,
        "email",
        "Thanked constituents; she is carrying the crisis-bed amendment in committee.",
        "",
    ),
    (
        "Rep. Gerald Manning",
        9,
        "phone",
        "Staff said the chair has read the boarding-cost figures and the letters are logged.",
        "",
    ),
    (
        "Rep. Howard Kessler",
        6,
        "letter",
        "Form letter: the Speaker is reviewing all budget requests; no new recurring spending.",
        "",
    ),
    (
        "Sen. Patricia Holloway",
        3,
        "email",
        "After hearing from her district, the Majority Leader will support the crisis-bed line "
        "and schedule the amendment for a floor vote.",
        Position.COMMITTED,
    ),
)


@dataclass(frozen=True, slots=True)
class AdvocacyLoad:
    advocacy_campaign: AdvocacyCampaign
    created: bool


def _supporters(coalition: Coalition, count: int) -> list[tuple[str, str, dt.datetime]]:
    """(email, postal code, when they joined) of the demo's supporters in the Riverbend postal
    codes."""
    rows = (
        Person.objects.for_coalition(coalition)
        .filter(addresses__postal_code__in=list(POSTAL_DISTRICTS), emails__isnull=False)
        .values_list("pk", "emails__address", "addresses__postal_code", "created_at")
        .order_by("pk")
    )
    seen: dict[int, tuple[str, str, dt.datetime]] = {}
    for pk, email, code, joined in rows.iterator():
        seen.setdefault(pk, (email, code, joined))
        if len(seen) >= count:
            break
    return list(seen.values())


@transaction.atomic
def load_demo_advocacy(
    coalition: Coalition,
    *,
    now: dt.datetime | None = None,
    letters: int = OUTREACHES,
    calls: int = CALLS,
) -> AdvocacyLoad:
    """Load the demo letter campaign when it is missing; return it."""
    existing = AdvocacyCampaign.objects.for_coalition(coalition).filter(title=TITLE).first()
    if existing is not None:
        return AdvocacyLoad(advocacy_campaign=existing, created=False)
    now = now or timezone.now()
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    csv_rows = "zip,district,district_name\n" + "".join(
        f"{code},{key},{DISTRICT_NAMES[key]}\n" for code, key in POSTAL_DISTRICTS.items()
    )
    geojson = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"district": key, "name": DISTRICT_NAMES[key]},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
                for key, (ring,) in SHAPES.items()
            ],
        }
    )
    table = importing.import_districts(
        coalition=coalition,
        name="State Senate districts (Riverbend)",
        by=None,
        postal_csv=importing.Upload("riverbend-senate-zips.csv", csv_rows.encode()),
        geojson=importing.Upload("riverbend-senate.geojson", geojson.encode()),
    ).table
    campaign = Campaign.objects.for_coalition(coalition).filter(name=CAMPAIGN_NAME).first()
    members = list(
        Membership.objects.for_coalition(coalition)
        .filter(status=Membership.Status.ACTIVE)
        .order_by("pk")
    )
    advocacy = services.create_advocacy_campaign(
        coalition=coalition,
        title=TITLE,
        by=None,
        campaign=campaign,
        owner=members[0] if members else None,
        description=(
            "People in a mental-health crisis wait days in emergency rooms for a bed. Your "
            "state senator and the House leaders decide this year's budget: ask them to fund "
            "psychiatric crisis beds and mobile crisis teams."
        ),
        kind=AdvocacyCampaign.Kind.BOTH,
        call_script=CALL_SCRIPT,
        status=AdvocacyCampaign.Status.OPEN,
        district_table=table,
    )
    targets: dict[str, AdvocacyTarget] = {}
    for name, (district, email, phone, address) in OFFICES.items():
        maker = DecisionMaker.objects.for_coalition(coalition).filter(name=name).first()
        if maker is None:
            continue
        targets[name] = services.add_target(
            advocacy_campaign=advocacy,
            decision_maker=maker,
            district=district,
            office_email=email,
            office_phone=phone,
            office_address=address,
        )
    supporters = _supporters(coalition, letters + calls)
    refs = [f"m-{m.pk}" for m in members[:4]] + [""] * 4
    for n, (email, code, joined) in enumerate(supporters):
        when = now - dt.timedelta(days=rng.uniform(0.5, 28), minutes=n)
        if when <= joined:  # one who joined since wrote after joining
            when = joined + (now - joined) * rng.uniform(0.1, 0.9)
        services.record_outreach(
            advocacy_campaign=advocacy,
            person=PersonData(emails=[EmailInput(email)]),
            postal_code=code,
            referrer=rng.choice(refs),
            source="demo",
            action="call" if n >= letters else "letter",
            now=when,
        )
    # the emails: sent through a connection that keeps them in memory (nothing leaves the
    # machine); the tasks queued on commit later find them sent and send nothing
    connection = get_connection("django.core.mail.backends.locmem.EmailBackend")
    queued = Delivery.objects.filter(advocacy_campaign=advocacy, status=Delivery.Status.QUEUED)
    for pk in queued.values_list("pk", flat=True):
        services.send_delivery(delivery_id=pk, connection=connection)
    first_bounce = (
        Delivery.objects.filter(advocacy_campaign=advocacy, status=Delivery.Status.SENT)
        .order_by("pk")
        .first()
    )
    if first_bounce is not None:
        services.record_bounce(
            coalition=coalition,
            delivery=first_bounce,
            reason="550 5.1.1 Mailbox full (reported by the office's mail server)",
        )
    if Delivery.objects.filter(advocacy_campaign=advocacy, status=Delivery.Status.TO_PRINT):
        batch = services.create_print_batch(advocacy_campaign=advocacy, by=None)
        services.mark_batch_delivered(batch=batch)
    results = ("answered", "answered", "voicemail", "voicemail", "no_answer")
    heard = ("", "", Position.SUPPORTIVE, Position.UNDECIDED)
    made = Delivery.objects.filter(advocacy_campaign=advocacy, channel=Delivery.Channel.CALL)
    for call in made.order_by("pk")[: calls * 2 // 3]:
        result = rng.choice(results)
        services.record_call_report(
            delivery=call,
            result=result,
            position_heard=rng.choice(heard) if result == "answered" else "",
        )
    for name, days, medium, summary, position in REPLIES:
        if name in targets:
            received = now - dt.timedelta(days=days)
            reply = services.log_office_reply(
                target=targets[name],
                received_on=timezone.localdate(received),
                medium=medium,
                summary=summary,
                position=position if advocacy.campaign_id else "",
                by=None,
            )
            # logged the day it came, and so the position it moved (not the day of the load)
            OfficeReply.objects.filter(pk=reply.pk).update(logged_at=received)
            if reply.position_change_id is not None:
                PositionChange.objects.filter(pk=reply.position_change_id).update(
                    recorded_at=received
                )
    return AdvocacyLoad(advocacy_campaign=advocacy, created=True)
