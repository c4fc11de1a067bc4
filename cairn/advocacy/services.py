"""Use cases of letter and call campaigns: the only code that writes their tables (the district
import writes through `importing.import_districts`, under the same rules).

- create_advocacy_campaign / update_advocacy_campaign: a campaign belongs to its coalition's
  campaign and member organization only; its description is stored sanitized (nh3); a letter not
  given is drafted from the coalition's adopted narrative (the ask and the core message).
- add_target / update_target / remove_target: a decision-maker is a target of a campaign once (a
  unique constraint); a target with deliveries is not removed.
- targets_for: the campaign's at-large targets plus those of the supporter's district, found from
  the district given, else the postal code, else the point (lat/lon) in the district polygons; a
  lookup that finds no district, or a postal code split between districts, is refused with the
  districts to pick from.
- record_outreach: **idempotent**. The supporter is found or created by `upsert_person` (never a
  second matcher); one outreach per (campaign, supporter, action) and one delivery per
  (campaign, supporter, target, action), both kept by unique constraints with get_or_create, so
  a retry (or 200 parallel ones) returns the first outreach with `created=False` and adds only
  deliveries to targets that had none. An email is enqueued (on commit) only for a delivery just
  created. Rate limit: outreaches per IP and hour, counted from our own rows (a count then an
  insert: a burst of parallel requests may pass the limit by a few).
- send_delivery (the task's body): an email is sent **at most once**: a conditional UPDATE
  (queued → sending) elects one sender among any number of task runs; a worker that dies after
  claiming leaves the delivery in "sending" (never resent automatically, visible to staff).
  A refused recipient is recorded as a bounce, any other error as a failure.
- record_bounce: a bounce (from the mail server, or reported by staff) is recorded once.
- create_print_batch / mark_batch_delivered: a printed letter is in one batch at most (a
  conditional UPDATE claims the letters not yet in one).
- record_call_report: a supporter reports how a call went (answered, voicemail…, the position
  heard), once; a later report replaces it.
- correct_outreach: an outreach's subject or letter changes only while none of its deliveries has
  left (the deliveries are locked, so a sender waits and sends the corrected text); after, it is
  refused (OutreachSent) and what was sent stays as it was.
- log_office_reply: a reply is kept with its target; a reply carrying a position records it
  through `cairn.campaigns.services` (the campaign's dashboard shows the change).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from cairn.accounts.models import User
from cairn.campaigns import services as campaign_services
from cairn.campaigns.models import Campaign, DecisionMaker, DecisionTarget, Position
from cairn.coalitions.models import Coalition, Membership
from cairn.people.models import Person
from cairn.people.services import PersonData, record_activity, upsert_person
from cairn.petitions.templatetags.petitions import rich_html

from . import geometry
from .importing import normalize_postal_code
from .models import (
    Action,
    AdvocacyCampaign,
    AdvocacyTarget,
    Delivery,
    District,
    DistrictTable,
    OfficeReply,
    Outreach,
    PrintBatch,
)

SUBJECT_MAX = 200
BODY_MAX = 10_000


class AdvocacyError(Exception):
    """A use case refused: the message is safe to show to the user."""


class RateLimited(AdvocacyError):
    """Too many outreaches from one network in the last hour."""


class DistrictNotFound(AdvocacyError):
    """No district of the campaign's table holds that postal code or place."""


class AmbiguousDistrict(AdvocacyError):
    """A postal code split between districts: the supporter picks theirs among `districts`."""

    def __init__(self, message: str, *, districts: list[District]) -> None:
        super().__init__(message)
        self.districts = districts


# --- campaigns ----------------------------------------------------------------------------------

CAMPAIGN_FIELDS = frozenset(
    {
        "campaign",
        "owner",
        "description",
        "kind",
        "letter_subject",
        "letter_body",
        "call_script",
        "status",
        "origin_system",
        "district_table",
        "hourly_limit_per_ip",
        "framework_version",
    }
)


@dataclass(frozen=True, slots=True)
class LetterDraft:
    subject: str
    body: str
    version: Any  # narrative.FrameworkVersion | None


def draft_letter(*, coalition: Coalition, campaign: Campaign | None = None) -> LetterDraft:
    """A letter drafted from the adopted narrative (the campaign's framework first, then the
    coalition-wide one): the core message, then the ask."""
    from cairn.narrative.document import text_of
    from cairn.narrative.models import FrameworkVersion

    adopted = FrameworkVersion.objects.for_coalition(coalition).filter(
        status=FrameworkVersion.Status.ADOPTED
    )
    version = None
    if campaign is not None:
        version = adopted.filter(framework__campaign=campaign).order_by("-adopted_at").first()
    if version is None:
        version = adopted.filter(framework__campaign__isnull=True).order_by("-adopted_at").first()
    if version is None:
        version = adopted.order_by("-adopted_at").first()
    content = version.content if version is not None and isinstance(version.content, dict) else {}
    core = text_of(content.get("core_message", "")).strip()
    ask = text_of(content.get("ask", "")).strip()
    subject = (ask or (campaign.name if campaign else "") or "A message from your constituent")[
        :SUBJECT_MAX
    ]
    paragraphs = ["Dear {target},", "I am writing to you as your constituent."]
    paragraphs += [p for p in (core, ask) if p]
    paragraphs += ["Thank you for your time.", "Sincerely,\n{name}"]
    return LetterDraft(subject=subject, body="\n\n".join(paragraphs), version=version)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "letters"
    return f"{base}-{secrets.token_hex(3)}"


def _check_fields(coalition_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - CAMPAIGN_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for name in ("campaign", "owner", "district_table", "framework_version"):
        row = fields.get(name)
        if row is not None and row.coalition_id != coalition_id:
            raise AdvocacyError(f"The {name.replace('_', ' ')} belongs to another coalition.")
    if "kind" in fields and fields["kind"] not in AdvocacyCampaign.Kind.values:
        raise AdvocacyError("Choose letters, calls or both.")
    if "status" in fields and fields["status"] not in AdvocacyCampaign.Status.values:
        raise AdvocacyError("Unknown status.")
    if "description" in fields:
        fields["description"] = rich_html(str(fields["description"] or ""))
    for name, limit in (("letter_subject", SUBJECT_MAX), ("letter_body", BODY_MAX)):
        if name in fields:
            fields[name] = str(fields[name] or "").strip()[:limit]
    return fields


@transaction.atomic
def create_advocacy_campaign(
    *, coalition: Coalition, title: str, by: User | None, **fields: Any
) -> AdvocacyCampaign:
    """A new campaign (a draft unless `status` says otherwise); without a letter, the letter is
    drafted from the adopted narrative."""
    if not title.strip():
        raise AdvocacyError("A campaign needs a title.")
    fields = _check_fields(coalition.pk, dict(fields))
    if not fields.get("letter_body") or not fields.get("letter_subject"):
        draft = draft_letter(coalition=coalition, campaign=fields.get("campaign"))
        if not fields.get("letter_body"):
            fields["letter_body"] = draft.body
            fields.setdefault("framework_version", draft.version)
        if not fields.get("letter_subject"):
            fields["letter_subject"] = draft.subject
    now = timezone.now()
    return AdvocacyCampaign.objects.create(
        coalition=coalition,
        slug=_unique_slug(title),
        title=title.strip()[:200],
        created_by=by,
        created_at=now,
        modified_at=now,
        **fields,
    )


@transaction.atomic
def update_advocacy_campaign(
    *, advocacy_campaign: AdvocacyCampaign, **fields: Any
) -> AdvocacyCampaign:
    """Change the given fields (and the title); others stay as they are."""
    title = fields.pop("title", None)
    fields = _check_fields(advocacy_campaign.coalition_id, dict(fields))
    row = AdvocacyCampaign.objects.select_for_update().get(pk=advocacy_campaign.pk)
    if title is not None:
        if not str(title).strip():
            raise AdvocacyError("A campaign needs a title.")
        row.title = str(title).strip()[:200]
    for name, value in fields.items():
        setattr(row, name, value)
    row.modified_at = timezone.now()
    row.save()
    return row


# --- targets ------------------------------------------------------------------------------------


@transaction.atomic
def add_target(
    *,
    advocacy_campaign: AdvocacyCampaign,
    decision_maker: DecisionMaker,
    district: str = "",
    office_email: str = "",
    office_phone: str = "",
    office_address: str = "",
) -> AdvocacyTarget:
    """Target a decision-maker (once per campaign; adding it again updates its details)."""
    if decision_maker.coalition_id != advocacy_campaign.coalition_id:
        raise AdvocacyError("The decision-maker belongs to another coalition.")
    target, _ = AdvocacyTarget.objects.update_or_create(
        advocacy_campaign=advocacy_campaign,
        decision_maker=decision_maker,
        defaults={
            "coalition_id": advocacy_campaign.coalition_id,
            "district": district.strip()[:64],
            "office_email": office_email.strip(),
            "office_phone": office_phone.strip()[:32],
            "office_address": office_address.strip(),
        },
    )
    return target


@transaction.atomic
def update_target(*, target: AdvocacyTarget, **fields: str) -> AdvocacyTarget:
    allowed = {"district", "office_email", "office_phone", "office_address"}
    if set(fields) - allowed:
        raise TypeError(f"Unknown fields: {', '.join(sorted(set(fields) - allowed))}")
    for name, value in fields.items():
        setattr(target, name, value.strip())
    target.save(update_fields=list(fields))
    return target


@transaction.atomic
def remove_target(*, target: AdvocacyTarget) -> None:
    if Delivery.objects.filter(target=target).exists():
        raise AdvocacyError("Supporters already wrote to this target: it stays on the campaign.")
    target.delete()


def districts_for(
    *,
    table: DistrictTable,
    postal_code: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> list[District]:
    """The districts of `table` holding the postal code (several for a split code), or else the
    point (lat/lon: the polygons whose bounding box holds it, then the exact test)."""
    if postal_code.strip():
        code = normalize_postal_code(postal_code)
        return list(
            District.objects.filter(table=table, postal_codes__code=code).distinct().order_by("key")
        )
    if lat is None or lon is None:
        return []
    candidates = District.objects.filter(
        table=table, min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
    ).order_by("key")
    return [d for d in candidates if geometry.in_shape(lon, lat, d.polygons)]


def targets_for(
    *,
    advocacy_campaign: AdvocacyCampaign,
    postal_code: str = "",
    district: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> list[AdvocacyTarget]:
    """The targets a supporter reaches: the at-large ones, plus those of their district (the one
    given, else found from the postal code, else from the point). Raises DistrictNotFound when a
    lookup was asked and found nothing, AmbiguousDistrict for a split postal code."""
    targets = AdvocacyTarget.objects.filter(advocacy_campaign=advocacy_campaign).select_related(
        "decision_maker"
    )
    key = district.strip()
    looked_up = bool(postal_code.strip()) or (lat is not None and lon is not None)
    if not key and looked_up:
        table = advocacy_campaign.district_table
        found = (
            districts_for(table=table, postal_code=postal_code, lat=lat, lon=lon)
            if table is not None
            else []
        )
        if not found:
            where = f"postal code {postal_code.strip()}" if postal_code.strip() else "that place"
            raise DistrictNotFound(f"We could not find the district of {where}.")
        if len(found) > 1:
            raise AmbiguousDistrict(
                "That postal code is split between districts: pick yours.", districts=found
            )
        key = found[0].key
    if key:
        if (
            advocacy_campaign.district_table_id is not None
            and not District.objects.filter(
                table_id=advocacy_campaign.district_table_id, key=key
            ).exists()
            and not targets.filter(district=key).exists()
        ):
            raise DistrictNotFound(f"There is no district “{key}”.")
        return [t for t in targets if t.district in {"", key}]
    return [t for t in targets if t.district == ""]


# --- outreaches ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutreachResult:
    outreach: Outreach
    created: bool


def _referring_membership(coalition_id: int, referrer: str) -> Membership | None:
    """The member organization a referral code credits: "m-<id>" (the petitions' member code),
    or a narrative tracked link's code made for a member."""
    code = referrer.strip()
    if not code:
        return None
    if code.startswith("m-") and code[2:].isdigit():
        return (
            Membership.objects.for_coalition(coalition_id)
            .filter(pk=int(code[2:]), status=Membership.Status.ACTIVE)
            .first()
        )
    from cairn.narrative.models import TrackedLink

    link = (
        TrackedLink.objects.for_coalition(coalition_id)
        .filter(code=code[:16], membership__isnull=False)
        .select_related("membership")
        .first()
    )
    return link.membership if link is not None else None


def _over_limit(campaign: AdvocacyCampaign, ip: str, now: dt.datetime) -> bool:
    limit = campaign.hourly_limit_per_ip
    if not ip or not limit:
        return False
    recent = Outreach.objects.filter(
        advocacy_campaign=campaign, ip=ip, created_at__gte=now - dt.timedelta(hours=1)
    )
    return recent.order_by()[:limit].count() >= limit


# An outreach recorded as made elsewhere (record_outreach(deliver=False)): each delivery's state.
_DONE_ELSEWHERE: dict[str, str] = {
    Delivery.Channel.EMAIL: Delivery.Status.SENT,
    Delivery.Channel.PRINT: Delivery.Status.DELIVERED,
    Delivery.Channel.CALL: Delivery.Status.CALLED,
}


def _done_elsewhere(delivery: Delivery) -> bool:
    """A delivery recorded as done elsewhere: its done state, never claimed by our sender, in
    no print batch, no call reported here."""
    return (
        delivery.status == _DONE_ELSEWHERE.get(delivery.channel)
        and delivery.claimed_at is None
        and delivery.batch_id is None
        and delivery.reported_at is None
    )


def _channel(action: str, target: AdvocacyTarget) -> tuple[str, str]:
    if action == Action.CALL:
        return Delivery.Channel.CALL, Delivery.Status.TO_CALL
    if target.office_email:
        return Delivery.Channel.EMAIL, Delivery.Status.QUEUED
    return Delivery.Channel.PRINT, Delivery.Status.TO_PRINT


def _campaign_targets(
    campaign: AdvocacyCampaign, decision_makers: Sequence[DecisionMaker]
) -> list[AdvocacyTarget]:
    ids = {dm.pk for dm in decision_makers}
    found = list(
        AdvocacyTarget.objects.filter(
            advocacy_campaign=campaign, decision_maker_id__in=ids
        ).select_related("decision_maker")
    )
    if len(found) != len(ids):
        raise AdvocacyError("Some of those decision-makers are not targets of this campaign.")
    return found


def record_outreach(
    *,
    advocacy_campaign: AdvocacyCampaign,
    person: PersonData,
    targets: list[DecisionMaker] | None = None,
    district: str = "",
    postal_code: str = "",
    subject: str = "",
    body: str = "",
    referrer: str = "",
    source: str = "",
    action: str = Action.LETTER,
    lat: float | None = None,
    lon: float | None = None,
    ip: str = "",
    now: dt.datetime | None = None,
    deliver: bool = True,
) -> OutreachResult:
    """Record a supporter's letter (or call) to their targets. Idempotent: one outreach per
    (campaign, supporter, action) and one delivery per target, ever; a retry returns the first
    outreach (`created=False`) and emails nobody again.

    `deliver=False` records an outreach made elsewhere (an API client syncing another tool's
    history): its deliveries are written as already done (an email sent, a printed letter
    delivered, a call made), so no office is emailed and nothing joins a print batch or a call
    list."""
    campaign = advocacy_campaign
    if campaign.status != AdvocacyCampaign.Status.OPEN:
        raise AdvocacyError("This campaign is not taking letters or calls now.")
    if action not in Action.values:
        raise AdvocacyError("Unknown action.")
    if action == Action.CALL and not campaign.takes_calls:
        raise AdvocacyError("This campaign takes letters, not calls.")
    if action == Action.LETTER and not campaign.takes_letters:
        raise AdvocacyError("This campaign takes calls, not letters.")
    if targets:
        chosen = _campaign_targets(campaign, targets)
    else:
        chosen = targets_for(
            advocacy_campaign=campaign,
            postal_code=postal_code,
            district=district,
            lat=lat,
            lon=lon,
        )
    if action == Action.CALL:
        chosen = [t for t in chosen if t.office_phone]
    if not chosen:
        raise AdvocacyError("No decision-maker of this campaign represents that district.")
    subject = (subject.strip() or campaign.letter_subject)[:SUBJECT_MAX]
    body = (body.strip() or campaign.letter_body)[:BODY_MAX]
    if action == Action.LETTER and not body.strip():
        raise AdvocacyError("The letter is empty.")
    membership = _referring_membership(campaign.coalition_id, referrer)
    now = now or timezone.now()
    with transaction.atomic():
        supporter = upsert_person(
            coalition=campaign.coalition,
            data=person,
            source_membership=membership,
            source_action=f"advocacy:{campaign.slug}"[:100],
            source_referral=referrer[:64],
            subscription_source=f"advocacy:{campaign.slug}"[:100],
        ).person
        existing = Outreach.objects.filter(
            advocacy_campaign=campaign, person=supporter, action=action
        ).first()
        if existing is None and _over_limit(campaign, ip, now):
            raise RateLimited("Too many letters from your network in the last hour. Try later.")
        outreach, created = Outreach.objects.get_or_create(
            advocacy_campaign=campaign,
            person=supporter,
            action=action,
            defaults={
                "coalition_id": campaign.coalition_id,
                "subject": subject,
                "body": body,
                "district": (district.strip() or _district_of(chosen))[:64],
                "postal_code": normalize_postal_code(postal_code)[:16],
                "referrer": referrer.strip()[:64],
                "referring_membership": membership,
                "source": source.strip()[:100],
                "ip": ip[:45],
                "created_at": now,
            },
        )
        new_emails: list[int] = []
        for target in chosen:
            channel, status = _channel(action, target)
            done: dict[str, Any] = {}
            if not deliver:
                status = _DONE_ELSEWHERE[channel]
                done = {"sent_at": now} if channel == Delivery.Channel.EMAIL else {}
            delivery, made = Delivery.objects.get_or_create(
                advocacy_campaign=campaign,
                person=supporter,
                target=target,
                action=action,
                defaults={
                    "coalition_id": campaign.coalition_id,
                    "outreach": outreach,
                    "channel": channel,
                    "status": status,
                    "created_at": now,
                    **done,
                },
            )
            if made and deliver and channel == Delivery.Channel.EMAIL:
                new_emails.append(delivery.pk)
        if created:
            names = ", ".join(t.decision_maker.name for t in chosen)
            record_activity(
                person=supporter,
                kind="advocacy",
                summary=f"{outreach.get_action_display()} to {names} ({campaign.title})",
                ref=str(outreach.uuid),
                occurred_at=now,
            )
        if new_emails:
            transaction.on_commit(lambda: _enqueue_emails(new_emails))
    return OutreachResult(outreach=outreach, created=created)


def _district_of(targets: Sequence[AdvocacyTarget]) -> str:
    return next((t.district for t in targets if t.district), "")


def _enqueue_emails(delivery_ids: list[int]) -> None:
    from .tasks import send_delivery_email

    for pk in delivery_ids:
        send_delivery_email.enqueue(pk)


# --- delivery -----------------------------------------------------------------------------------


def render_letter(delivery: Delivery) -> tuple[str, str]:
    """The subject and text of a delivery's letter, the target's and supporter's names filled in."""
    outreach = delivery.outreach
    person = outreach.person
    name = (
        " ".join(p for p in (person.given_name, person.family_name) if p)
        if person is not None
        else ""
    ) or "A constituent"
    dm = delivery.target.decision_maker
    values = {"target": dm.name, "title": dm.title, "name": name}

    def fill(text: str) -> str:
        return re.sub(r"\{(target|title|name)\}", lambda m: values[m.group(1)], text)

    subject = outreach.subject or delivery.advocacy_campaign.letter_subject
    return fill(subject or delivery.advocacy_campaign.title), fill(outreach.body)


def _supporter_email(person: Person | None) -> str:
    if person is None:
        return ""
    email = person.emails.order_by("-primary", "pk").first()
    return email.address if email is not None else ""


def send_delivery(*, delivery_id: int, connection: Any = None) -> bool:
    """Send one queued email, at most once: True when this call sent it. `connection`: another
    mail connection than the default (the demo's, which sends nothing out)."""
    from django.core.mail import EmailMessage

    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.QUEUED, channel=Delivery.Channel.EMAIL
    ).update(status=Delivery.Status.SENDING, claimed_at=now)
    if not claimed:
        return False  # sent, sending or settled by another run
    delivery = Delivery.objects.select_related(
        "outreach", "outreach__person", "target", "target__decision_maker", "advocacy_campaign"
    ).get(pk=delivery_id)
    subject, text = render_letter(delivery)
    domain = settings.CAIRN_SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "cairn"
    message_id = f"<advocacy-{delivery.pk}.{delivery.outreach.uuid}@{domain}>"
    reply_to = _supporter_email(delivery.outreach.person)
    message = EmailMessage(
        subject=subject,
        body=text,
        to=[delivery.target.office_email],
        reply_to=[reply_to] if reply_to else None,
        headers={"Message-ID": message_id, "X-Cairn-Delivery": str(delivery.pk)},
        connection=connection,
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.BOUNCED,
            bounced_at=timezone.now(),
            message_id=message_id,
            error=str(error)[:500],
        )
        return False
    except Exception as error:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, message_id=message_id, error=repr(error)[:500]
        )
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), message_id=message_id
    )
    return True


@transaction.atomic
def record_bounce(
    *, coalition: Coalition, reason: str, delivery: Delivery | None = None, message_id: str = ""
) -> Delivery:
    """Mark an email delivery bounced (found by row or by its Message-ID), once."""
    rows = Delivery.objects.for_coalition(coalition).filter(channel=Delivery.Channel.EMAIL)
    if delivery is not None:
        rows = rows.filter(pk=delivery.pk)
    elif message_id.strip():
        rows = rows.filter(message_id=message_id.strip())
    else:
        raise AdvocacyError("Say which letter bounced.")
    row = rows.select_for_update().first()
    if row is None:
        raise AdvocacyError("No such letter.")
    if row.status != Delivery.Status.BOUNCED:
        row.status = Delivery.Status.BOUNCED
        row.bounced_at = timezone.now()
        row.error = (reason.strip() or "Bounced")[:500]
        row.save(update_fields=["status", "bounced_at", "error"])
    return row


@transaction.atomic
def create_print_batch(*, advocacy_campaign: AdvocacyCampaign, by: User | None) -> PrintBatch:
    """Gather every letter waiting to be printed into a new batch (each letter in one batch)."""
    batch = PrintBatch.objects.create(
        coalition_id=advocacy_campaign.coalition_id,
        advocacy_campaign=advocacy_campaign,
        created_by=by,
    )
    moved = Delivery.objects.filter(
        advocacy_campaign=advocacy_campaign,
        channel=Delivery.Channel.PRINT,
        status=Delivery.Status.TO_PRINT,
        batch__isnull=True,
    ).update(batch=batch, status=Delivery.Status.PRINTED)
    if not moved:
        raise AdvocacyError("No letters are waiting to be printed.")
    return batch


@transaction.atomic
def mark_batch_delivered(*, batch: PrintBatch) -> PrintBatch:
    """The batch was handed in: its letters count as delivered (once)."""
    locked = PrintBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.delivered_at is None:
        locked.delivered_at = timezone.now()
        locked.save(update_fields=["delivered_at"])
        Delivery.objects.filter(batch=locked).update(status=Delivery.Status.DELIVERED)
    return locked


@transaction.atomic
def record_call_report(
    *, delivery: Delivery, result: str, position_heard: str = "", notes: str = ""
) -> Delivery:
    """How a call went; a later report of the same call replaces the earlier one."""
    if delivery.channel != Delivery.Channel.CALL:
        raise AdvocacyError("Only a call has a call report.")
    if result not in Delivery.CallResult.values:
        raise AdvocacyError("Say how the call went.")
    if position_heard and position_heard not in Position.values:
        raise AdvocacyError("Unknown position.")
    delivery.status = Delivery.Status.CALLED
    delivery.call_result = result
    delivery.position_heard = position_heard
    delivery.call_notes = notes.strip()[:2000]
    delivery.reported_at = timezone.now()
    delivery.save(
        update_fields=["status", "call_result", "position_heard", "call_notes", "reported_at"]
    )
    return delivery


# --- replies ------------------------------------------------------------------------------------


@transaction.atomic
def log_office_reply(
    *,
    target: AdvocacyTarget,
    received_on: dt.date,
    medium: str,
    summary: str,
    by: User | None,
    position: str = "",
) -> OfficeReply:
    """Keep an office's reply; a reply that shows a position records it on the campaign's
    decision target (created when the decision-maker was not yet one), dated the reply's day."""
    if medium not in OfficeReply.Medium.values:
        raise AdvocacyError("Say how the reply came.")
    if not summary.strip():
        raise AdvocacyError("Summarize the reply.")
    if received_on > timezone.localdate():
        raise AdvocacyError("A reply is logged once it is received, not in advance.")
    if position and position not in Position.values:
        raise AdvocacyError("Unknown position.")
    campaign = target.advocacy_campaign
    change = None
    if position:
        if campaign.campaign is None:
            raise AdvocacyError(
                "Link this letter campaign to a campaign to record positions on its dashboard."
            )
        evidence = f"{OfficeReply.Medium(medium).label} reply to “{campaign.title}”: {summary}"
        decision_target = DecisionTarget.objects.filter(
            campaign=campaign.campaign, decision_maker=target.decision_maker
        ).first()
        try:
            if decision_target is None:
                decision_target = campaign_services.add_target(
                    campaign=campaign.campaign,
                    decision_maker=target.decision_maker,
                    position=position,
                    on=received_on,
                    evidence=evidence,
                    recorded_by=by,
                )
                change = decision_target.latest_change
            else:
                change = campaign_services.record_position(
                    target=decision_target,
                    position=position,
                    on=received_on,
                    evidence=evidence,
                    by=by,
                )
        except campaign_services.CampaignError as error:
            raise AdvocacyError(str(error)) from error
    return OfficeReply.objects.create(
        coalition_id=target.coalition_id,
        advocacy_campaign=campaign,
        target=target,
        received_on=received_on,
        medium=medium,
        summary=summary.strip(),
        position=position,
        position_change=change,
        logged_by=by,
    )


# --- the supporter's link back (call reports) ---------------------------------------------------

_SALT = "cairn.advocacy.outreach"


def outreach_token(outreach: Outreach) -> str:
    """A signed token naming the outreach: the supporter's page for their call reports."""
    return signing.dumps(str(outreach.uuid), salt=_SALT, compress=True)


def outreach_from_token(token: str, *, max_age: int = 7 * 24 * 3600) -> Outreach | None:
    try:
        value = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return Outreach.objects.select_related("advocacy_campaign").filter(uuid=value).first()


# --- a letter corrected before it leaves (added by the OSDI helper for `PUT .../outreaches/{id}`)


class OutreachSent(AdvocacyError):
    """Some of the outreach's letters (or calls) have left: what was sent stays as it was."""


# Delivery states in which nothing has reached an office yet.
NOT_YET_SENT = frozenset(
    {Delivery.Status.QUEUED, Delivery.Status.TO_PRINT, Delivery.Status.TO_CALL}
)


@transaction.atomic
def correct_outreach(
    *, outreach: Outreach, subject: str | None = None, body: str | None = None
) -> Outreach:
    """Correct an outreach's subject or letter while none of its deliveries has left (queued
    emails, letters not yet printed, calls not yet made): they go out corrected. Once one has
    left, OutreachSent. An outreach recorded as made elsewhere (`deliver=False`) is a record:
    correcting it sends nothing, so it may always be corrected. The deliveries are locked, so
    a sender that claims one waits for the correction and sends the corrected letter."""
    deliveries = list(Delivery.objects.select_for_update().filter(outreach=outreach))
    if any(d.status not in NOT_YET_SENT and not _done_elsewhere(d) for d in deliveries):
        raise OutreachSent(
            "This outreach has already reached an office: what was sent stays as it was."
        )
    row = Outreach.objects.select_for_update().get(pk=outreach.pk)
    changed = []
    if subject is not None:
        row.subject = subject.strip()[:SUBJECT_MAX]
        changed.append("subject")
    if body is not None:
        if not body.strip() and row.action == Action.LETTER:
            raise AdvocacyError("The letter is empty.")
        row.body = body.strip()[:BODY_MAX]
        changed.append("body")
    if changed:
        row.save(update_fields=changed)
    return row
