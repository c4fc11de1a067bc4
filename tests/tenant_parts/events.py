"""Coalition B's events for the tenant walker: a lobby day (event campaign) with an event hosted
by B's member, a shift, an RSVP question, an attendance checked in and one waiting; then the lobby
day goes back to a draft, so every public page of its event (page, RSVP, ticket, QR code, .ics)
and the coalition's public list answer 404 or leave it out too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cairn.events import services
from cairn.events.models import Attendance, Event, EventCampaign, RsvpQuestion, Shift
from cairn.events.services import QuestionData
from cairn.people.services import EmailInput, PersonData

from . import Context

MODELS = [EventCampaign, Event, Shift, RsvpQuestion, Attendance]


def rows(ctx: Context) -> dict[str, Any]:
    day = services.create_event_campaign(
        coalition=ctx.coalition,
        title=f"{ctx.secret} lobby day",
        by=None,
        description=ctx.secret,
        host_toolkit=ctx.secret,
    )
    event = services.create_event(
        coalition=ctx.coalition,
        title=f"{ctx.secret} capitol visit",
        starts_at=timezone.now() + dt.timedelta(days=10),
        time_zone="America/New_York",
        by=None,
        event_campaign=day,
        host=ctx.member,
        venue=ctx.secret,
        capacity=1,
    )
    shift = services.add_shift(event=event, title=ctx.secret, starts_at=event.starts_at)
    services.set_rsvp_questions(event=event, questions=[QuestionData(label=ctx.secret)])
    going = services.rsvp(
        event=event,
        person=PersonData(given_name=ctx.secret, emails=[EmailInput("zebra.event@example.org")]),
        answers={},
    ).attendance
    services.rsvp(
        event=event,
        person=PersonData(given_name=ctx.secret, emails=[EmailInput("zebra.wait@example.org")]),
    )
    services.check_in(attendance=going, by=None)
    services.update_event_campaign(event_campaign=day, status=EventCampaign.Status.DRAFT)
    ctx.post_data.setdefault("given_name", "Intruder")
    ctx.post_data.setdefault("start_time", "10:00")
    ctx.post_data.setdefault("date", "2027-01-01")
    ctx.post_data.setdefault("weeks", "2")
    # a search that finds B's waiting attendee by email (its page would then show the secret
    # name); never the secret itself, which search boxes elsewhere echo back
    ctx.post_data.setdefault("q", "zebra.wait@example.org")
    return {
        "event_id": event.pk,
        "event_campaign_id": day.pk,
        "shift_id": shift.pk,
        "attendance_id": going.pk,
        "event_slug": event.slug,
        "campaign_slug": day.slug,
        "coalition_slug": ctx.coalition.slug,
        "code": services.attendance_code(going),
        # the OSDI routes (cairn/api/osdi/events.py, event_campaigns.py)
        "event_uuid": event.uuid,
        "attendance_uuid": going.uuid,
        "event_campaign_uuid": day.uuid,
    }
