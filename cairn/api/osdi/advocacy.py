"""OSDI advocacy campaigns and outreaches (Action Network's shapes), with the record-outreach
helper.

- An advocacy campaign's id is its uuid. `POST /advocacy_campaigns` creates one through the
  advocacy service: `title` (required), `description`, `targets` and `origin_system` as Action
  Network names them, and Cairn's own `kind` (`letter`, `call`, `both`), `status` (`draft`,
  `open`, `closed`; a token's campaign opens at once unless it says `draft`), `letter_subject`,
  `letter_body` (drafted from the coalition's adopted narrative when left out) and
  `call_script`. A target is a decision-maker by `name` (or `given_name` and `family_name`) with
  an optional `title`, and Cairn's `district` and office contacts (`office_email`,
  `office_phone`, `office_address`): the coalition's decision-maker of that name, created when
  missing. `PUT` changes the given fields; targets given are added (or their details updated),
  never removed here.
- `POST /advocacy_campaigns/{id}/outreaches` is the record-outreach helper: `person` (OSDI person
  fields, merged into the CRM like `POST /people`) or an `osdi:person` link, `targets` (names of
  the campaign's targets; left out, the supporter's district decides them from their postal
  code, or Cairn's `district`), `subject`, `message`, `type` (`email` for a letter, `phone` for a
  call), `add_tags` and `referrer_data`. It goes through the same service as the public letter
  form, but, as in Action Network, an outreach posted over the API is a record of one made
  elsewhere: it is counted, its deliveries are marked done, and no office is emailed (a sync
  tool replaying old outreaches writes to nobody). Cairn's `deliver: true` asks for delivery:
  the letter goes to each target's office once, ever. A retried POST returns the first
  outreach (200), never a second letter.
- An outreach lists its `targets` (Action Network's `title`, `given_name`, `family_name`, and the
  full `name`); its `type` is `email`, `postal mail` (a letter printed for hand delivery) or
  `phone`. `PUT` corrects its `subject` or `message` while none of its letters has left (they go
  out corrected); once one has, 409 says so and nothing changes. Outreaches keep no modification
  time: `modified_date` is their creation.
- Under a person: `/people/{id}/outreaches`.

Every read is scoped by the token's coalition; an id of another coalition is a 404.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from cairn.advocacy import services
from cairn.advocacy.models import (
    Action as OutreachAction,
)
from cairn.advocacy.models import (
    AdvocacyCampaign,
    AdvocacyTarget,
    Delivery,
    Outreach,
)
from cairn.api.auth import coalition_of
from cairn.campaigns import services as campaign_services
from cairn.campaigns.models import DecisionMaker
from cairn.coalitions.models import Coalition, Membership, StaffMember
from cairn.coalitions.policy import Action

from . import hal
from .body import parse_payload, request_body
from .errors import ApiError, not_found
from .events import actor, intake_person, may, public_url, uuid_row
from .filters import DATES, FilterField, Kind, apply_filter
from .pagination import CollectionQuery, paginate
from .people import find_person, person_from_href
from .petitions import ReferrerIn, SignerLinkIn
from .schemas import ERRORS, EmailText, Lenient, Link, PersonIn, ResourceOut, Short
from .schemas import collection_model as collection

router = Router(tags=["advocacy campaigns"])

# Who may run letter and call campaigns through the API.
MANAGE = Action.MANAGE_ADVOCACY

ADVOCACY_FILTERS = {
    **DATES,
    "title": FilterField("title", Kind.TEXT),
    "status": FilterField("status", Kind.TEXT),
}
# An outreach does not change once recorded: its modification is its creation.
OUTREACH_FILTERS = {
    "created_date": FilterField("created_at", Kind.DATETIME),
    "modified_date": FilterField("created_at", Kind.DATETIME),
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Letter = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]
District = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]


# --- shapes --------------------------------------------------------------------------------------


class TargetIn(Lenient):
    """A decision-maker: `name`, or `given_name` and `family_name` (Action Network's)."""

    name: Short | None = None
    given_name: Short | None = None
    family_name: Short | None = None
    title: Short | None = None
    district: District | None = None
    office_email: EmailText | None = None
    office_phone: Phone | None = None
    office_address: Annotated[str, StringConstraints(max_length=1_000)] | None = None

    def full_name(self) -> str:
        if self.name:
            return self.name
        return " ".join(p for p in (self.given_name, self.family_name) if p).strip()


# A form or query string with one `targets=<name>` sends it as text, not a list.
Targets = Annotated[list[TargetIn | Short], Field(max_length=100)] | Short


class AdvocacyCampaignIn(Lenient):
    """An advocacy campaign's fields; on PUT a field left out changes nothing."""

    title: Short | None = None
    name: Short | None = Field(None, description="Action Network's administrative title.")
    description: Text | None = None
    targets: Targets | None = None
    origin_system: Short | None = None
    kind: Literal["letter", "call", "both"] | None = None
    status: Literal["draft", "open", "closed"] | None = Field(
        None, description="On create, `open` unless `draft` is asked for."
    )
    letter_subject: Short | None = None
    letter_body: Letter | None = None
    call_script: Text | None = None


class OutreachIn(Lenient):
    """The record-outreach helper: the supporter as `person` or as an `osdi:person` link."""

    person: PersonIn | None = None
    links: SignerLinkIn | None = Field(None, alias="_links")
    targets: Targets | None = None
    subject: Short | None = None
    message: Letter | None = None
    type: Literal["email", "phone", "postal mail"] | None = Field(
        None, description="`phone` records a call; otherwise a letter."
    )
    district: District | None = Field(None, description="Cairn: the supporter's district key.")
    add_tags: list[Short] | None = Field(None, max_length=100)
    referrer_data: ReferrerIn | None = None
    deliver: bool = Field(
        False,
        description=(
            "Cairn: `true` delivers the letter as the public form does (emailed to each "
            "target's office once, or queued for printing; a call joins the call list). Left "
            "out, the outreach is a record of one made elsewhere, as Action Network treats "
            "outreaches posted over its API: counted in the tallies, its deliveries marked "
            "done, and no office is written to."
        ),
    )


class OutreachUpdateIn(Lenient):
    subject: Short | None = None
    message: Letter | None = None


class TargetOut(Schema):
    name: str
    title: str
    given_name: str
    family_name: str


class AdvocacyCampaignLinks(Schema):
    self_: Link = Field(alias="self")
    outreaches: Link = Field(alias="osdi:outreaches")
    record_outreach_helper: Link = Field(alias="osdi:record_outreach_helper")


class AdvocacyCampaignOut(ResourceOut):
    origin_system: str
    title: str
    description: str
    browser_url: str | None
    targets: list[TargetOut]
    total_outreaches: int
    status: str
    kind: str
    letter_subject: str
    letter_body: str
    call_script: str
    links: AdvocacyCampaignLinks = Field(alias="_links")


class OutreachReferrerOut(Schema):
    source: str
    referrer: str


class OutreachLinks(Schema):
    self_: Link = Field(alias="self")
    advocacy_campaign: Link = Field(alias="osdi:advocacy_campaign")
    person: Link | None = Field(None, alias="osdi:person")


class OutreachOut(ResourceOut):
    type: str = Field(description="`email`, `postal mail` or `phone`")
    subject: str
    message: str
    targets: list[TargetOut]
    referrer_data: OutreachReferrerOut = Field(alias="action_network:referrer_data")
    links: OutreachLinks = Field(alias="_links")


class RefusedOut(Schema):
    error: str


AdvocacyCampaignsCollection = collection(
    "AdvocacyCampaigns", "osdi:advocacy_campaigns", AdvocacyCampaignOut
)
OutreachesCollection = collection("Outreaches", "osdi:outreaches", OutreachOut)


# --- reads ---------------------------------------------------------------------------------------


def advocacy_campaigns_of(coalition: Coalition) -> QuerySet[AdvocacyCampaign]:
    targets = AdvocacyTarget.objects.select_related("decision_maker")
    return (
        AdvocacyCampaign.objects.for_coalition(coalition)
        .annotate(n_outreaches=Count("outreaches"))
        .prefetch_related(Prefetch("targets", queryset=targets))
        .order_by("created_at", "pk")
    )


def outreaches_of(coalition: Coalition) -> QuerySet[Outreach]:
    deliveries = Delivery.objects.select_related("target__decision_maker").order_by("pk")
    return (
        Outreach.objects.for_coalition(coalition)
        .select_related("advocacy_campaign", "person")
        .prefetch_related(Prefetch("deliveries", queryset=deliveries))
        .order_by("created_at", "pk")
    )


def find_advocacy_campaign(coalition: Coalition, public_id: str) -> AdvocacyCampaign:
    campaign = uuid_row(advocacy_campaigns_of(coalition), public_id)
    if campaign is None:
        raise not_found("advocacy campaign", public_id)
    return campaign


def find_outreach(rows: QuerySet[Outreach], public_id: str) -> Outreach:
    outreach = uuid_row(rows, public_id)
    if outreach is None:
        raise not_found("outreach", public_id)
    return outreach


# --- rendering -----------------------------------------------------------------------------------


def render_target(decision_maker: DecisionMaker) -> dict[str, str]:
    # Action Network splits a name; Cairn keeps it whole: the last word is the family name.
    given, _, family = decision_maker.name.rpartition(" ")
    return {
        "name": decision_maker.name,
        "title": decision_maker.title,
        "given_name": given,
        "family_name": family,
    }


def render_advocacy_campaign(request: HttpRequest, campaign: AdvocacyCampaign) -> dict[str, Any]:
    total = getattr(campaign, "n_outreaches", None)
    if total is None:
        total = campaign.outreaches.count()
    return hal.resource(
        request,
        public_id=campaign.uuid,
        created=campaign.created_at,
        modified=max(campaign.created_at, campaign.modified_at),
        self_path=("advocacy_campaigns", campaign.uuid),
        links={
            "osdi:outreaches": ("advocacy_campaigns", campaign.uuid, "outreaches"),
            "osdi:record_outreach_helper": ("advocacy_campaigns", campaign.uuid, "outreaches"),
        },
        fields={
            "origin_system": campaign.origin_system,
            "title": campaign.title,
            "description": campaign.description,
            "browser_url": (
                public_url(request, "advocacy_public:write", advocacy_slug=campaign.slug)
                if campaign.status != AdvocacyCampaign.Status.DRAFT
                else None
            ),
            "targets": [render_target(t.decision_maker) for t in campaign.targets.all()],
            "total_outreaches": total,
            "status": campaign.status,
            "kind": campaign.kind,
            "letter_subject": campaign.letter_subject,
            "letter_body": campaign.letter_body,
            "call_script": campaign.call_script,
        },
    )


def _outreach_type(outreach: Outreach, deliveries: list[Delivery]) -> str:
    if outreach.action == OutreachAction.CALL:
        return "phone"
    if deliveries and all(d.channel == Delivery.Channel.PRINT for d in deliveries):
        return "postal mail"
    return "email"


def render_outreach(request: HttpRequest, outreach: Outreach) -> dict[str, Any]:
    campaign = outreach.advocacy_campaign
    deliveries = list(outreach.deliveries.all())
    links: dict[str, tuple[object, ...]] = {
        "osdi:advocacy_campaign": ("advocacy_campaigns", campaign.uuid)
    }
    if outreach.person is not None:
        links["osdi:person"] = ("people", outreach.person.uuid)
    return hal.resource(
        request,
        public_id=outreach.uuid,
        created=outreach.created_at,
        modified=outreach.created_at,
        self_path=("advocacy_campaigns", campaign.uuid, "outreaches", outreach.uuid),
        links=links,
        fields={
            "type": _outreach_type(outreach, deliveries),
            "subject": outreach.subject,
            "message": outreach.body,
            "targets": [render_target(d.target.decision_maker) for d in deliveries],
            "action_network:referrer_data": {
                "source": outreach.source,
                "referrer": outreach.referrer,
            },
        },
    )


# --- writes --------------------------------------------------------------------------------------


def _target_item(item: TargetIn | str) -> TargetIn:
    return TargetIn(name=item) if isinstance(item, str) else item


def _items(targets: list[TargetIn | str] | str | None) -> list[TargetIn | str]:
    if targets is None:
        return []
    return [targets] if isinstance(targets, str) else list(targets)


def _add_targets(campaign: AdvocacyCampaign, targets: list[TargetIn | str]) -> None:
    for given in targets:
        item = _target_item(given)
        name = item.full_name()
        if not name:
            raise ApiError(400, "A target needs a name (or a given_name and a family_name).")
        decision_maker = campaign_services.add_decision_maker(
            coalition=campaign.coalition, name=name, title=item.title or ""
        )
        current = AdvocacyTarget.objects.filter(
            advocacy_campaign=campaign, decision_maker=decision_maker
        ).first()
        services.add_target(
            advocacy_campaign=campaign,
            decision_maker=decision_maker,
            district=_kept(item.district, current.district if current else ""),
            office_email=_kept(item.office_email, current.office_email if current else ""),
            office_phone=_kept(item.office_phone, current.office_phone if current else ""),
            office_address=_kept(item.office_address, current.office_address if current else ""),
        )


def _kept(value: str | None, current: str) -> str:
    return current if value is None else value


def _campaign_fields(payload: AdvocacyCampaignIn) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in (
        "description",
        "origin_system",
        "kind",
        "status",
        "letter_subject",
        "letter_body",
        "call_script",
    ):
        value = getattr(payload, name)
        if value is not None:
            fields[name] = value
    return fields


def _owner(staff: StaffMember | None) -> Membership | None:
    return staff.membership if staff is not None else None


def _decision_makers(campaign: AdvocacyCampaign, targets: list[TargetIn | str]) -> list[Any]:
    """The campaign's targets named by an outreach (by name, case-insensitively)."""
    by_name = {t.decision_maker.name.lower(): t.decision_maker for t in campaign.targets.all()}
    chosen = []
    for given in targets:
        name = _target_item(given).full_name()
        found = by_name.get(name.lower())
        if found is None:
            raise ApiError(400, f"{name[:200]!r} is not a target of this advocacy campaign.")
        chosen.append(found)
    return chosen


def _postal_code(coalition: Coalition, payload: OutreachIn) -> str:
    """The supporter's postal code, which finds their district in the campaign's district table:
    the one sent with them, else the one the CRM has."""
    if payload.person is not None:
        codes = [str(a.postal_code).strip() for a in payload.person.postal_addresses or []]
    elif payload.links is not None and payload.links.person is not None:
        person = person_from_href(coalition, payload.links.person.href)
        addresses = sorted(person.addresses.all(), key=lambda a: not a.primary)
        codes = [a.postal_code for a in addresses]
    else:
        codes = []
    return next((code for code in codes if code), "")


# --- advocacy campaigns --------------------------------------------------------------------------


@router.get(
    "/advocacy_campaigns",
    response={200: AdvocacyCampaignsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="List advocacy campaigns (letters and calls)",
)
def list_advocacy_campaigns(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = advocacy_campaigns_of(coalition_of(request))
    return paginate(
        request,
        apply_filter(rows, query.filter, ADVOCACY_FILTERS),
        rel="osdi:advocacy_campaigns",
        render=lambda c: render_advocacy_campaign(request, c),
        query=query,
    )


@router.post(
    "/advocacy_campaigns",
    response={200: AdvocacyCampaignOut, **ERRORS},
    by_alias=True,
    summary="Create an advocacy campaign (open at once unless `status: draft`)",
    openapi_extra=request_body(AdvocacyCampaignIn),
)
def create_advocacy_campaign(request: HttpRequest) -> dict[str, Any]:
    coalition = coalition_of(request)
    payload = parse_payload(request, AdvocacyCampaignIn)
    title = payload.title or payload.name
    if not title:
        raise ApiError(400, "An advocacy campaign needs a title.")
    staff = actor(request)
    if not may(staff, MANAGE):
        raise ApiError(403, "This token may not create advocacy campaigns.")
    fields = _campaign_fields(payload)
    fields.setdefault("status", AdvocacyCampaign.Status.OPEN)
    with transaction.atomic():
        campaign = services.create_advocacy_campaign(
            coalition=coalition,
            title=title,
            by=staff.user if staff is not None else None,
            owner=_owner(staff),
            **fields,
        )
        _add_targets(campaign, _items(payload.targets))
    return render_advocacy_campaign(request, find_advocacy_campaign(coalition, str(campaign.uuid)))


@router.get(
    "/advocacy_campaigns/{advocacy_campaign_uuid}",
    response={200: AdvocacyCampaignOut, **ERRORS},
    by_alias=True,
    summary="An advocacy campaign",
)
def get_advocacy_campaign(request: HttpRequest, advocacy_campaign_uuid: str) -> dict[str, Any]:
    campaign = find_advocacy_campaign(coalition_of(request), advocacy_campaign_uuid)
    return render_advocacy_campaign(request, campaign)


@router.put(
    "/advocacy_campaigns/{advocacy_campaign_uuid}",
    response={200: AdvocacyCampaignOut, **ERRORS},
    by_alias=True,
    summary="Update an advocacy campaign: given fields change, given targets are added",
    openapi_extra=request_body(AdvocacyCampaignIn),
)
def update_advocacy_campaign(request: HttpRequest, advocacy_campaign_uuid: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    campaign = find_advocacy_campaign(coalition, advocacy_campaign_uuid)
    payload = parse_payload(request, AdvocacyCampaignIn)
    if not may(actor(request), MANAGE):
        raise ApiError(403, "This token may not change advocacy campaigns.")
    fields = _campaign_fields(payload)
    title = payload.title if payload.title is not None else payload.name
    if title is not None:
        fields["title"] = title
    with transaction.atomic():
        if fields:
            services.update_advocacy_campaign(advocacy_campaign=campaign, **fields)
        _add_targets(campaign, _items(payload.targets))
    return render_advocacy_campaign(
        request, find_advocacy_campaign(coalition, advocacy_campaign_uuid)
    )


# --- outreaches ----------------------------------------------------------------------------------


def _list_outreaches(
    request: HttpRequest, rows: QuerySet[Outreach], query: CollectionQuery
) -> dict[str, Any]:
    return paginate(
        request,
        apply_filter(rows, query.filter, OUTREACH_FILTERS),
        rel="osdi:outreaches",
        render=lambda o: render_outreach(request, o),
        query=query,
    )


@router.get(
    "/advocacy_campaigns/{advocacy_campaign_uuid}/outreaches",
    response={200: OutreachesCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The outreaches (letters and calls) of an advocacy campaign",
)
def list_outreaches(
    request: HttpRequest, advocacy_campaign_uuid: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    campaign = find_advocacy_campaign(coalition, advocacy_campaign_uuid)
    return _list_outreaches(
        request, outreaches_of(coalition).filter(advocacy_campaign=campaign), query
    )


@router.post(
    "/advocacy_campaigns/{advocacy_campaign_uuid}/outreaches",
    response={200: OutreachOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="Record-outreach helper: a letter (or call) to the targets, once per supporter",
    openapi_extra=request_body(OutreachIn),
)
def record_outreach(request: HttpRequest, advocacy_campaign_uuid: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    campaign = find_advocacy_campaign(coalition, advocacy_campaign_uuid)
    payload = parse_payload(request, OutreachIn)
    if not may(actor(request), MANAGE):
        raise ApiError(403, "This token may not record outreaches.")
    referrer = payload.referrer_data or ReferrerIn()
    decision_makers = _decision_makers(campaign, _items(payload.targets))
    # One transaction: a refused outreach leaves no new person behind either.
    with transaction.atomic():
        data = intake_person(
            coalition, payload.person, payload.links, payload.add_tags, what="An outreach"
        )
        try:
            result = services.record_outreach(
                advocacy_campaign=campaign,
                person=data,
                targets=decision_makers or None,
                district=payload.district or "",
                postal_code=_postal_code(coalition, payload) if campaign.district_table_id else "",
                subject=payload.subject or "",
                body=payload.message or "",
                referrer=referrer.referrer,
                source=referrer.source or "api",
                action=OutreachAction.CALL if payload.type == "phone" else OutreachAction.LETTER,
                deliver=payload.deliver,
            )
        except services.AmbiguousDistrict as split:
            keys = ", ".join(d.key for d in split.districts)
            raise ApiError(
                400, f"{split} Send the supporter's `district`, one of: {keys}."
            ) from split
    rows = outreaches_of(coalition)
    return render_outreach(request, find_outreach(rows, str(result.outreach.uuid)))


@router.get(
    "/advocacy_campaigns/{advocacy_campaign_uuid}/outreaches/{outreach_uuid}",
    response={200: OutreachOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="An outreach",
)
def get_outreach(
    request: HttpRequest, advocacy_campaign_uuid: str, outreach_uuid: str
) -> dict[str, Any]:
    coalition = coalition_of(request)
    campaign = find_advocacy_campaign(coalition, advocacy_campaign_uuid)
    rows = outreaches_of(coalition).filter(advocacy_campaign=campaign)
    return render_outreach(request, find_outreach(rows, outreach_uuid))


@router.put(
    "/advocacy_campaigns/{advocacy_campaign_uuid}/outreaches/{outreach_uuid}",
    response={200: OutreachOut, 409: RefusedOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="Correct an outreach's subject or message until it has left (then 409)",
    openapi_extra=request_body(OutreachUpdateIn),
)
def update_outreach(request: HttpRequest, advocacy_campaign_uuid: str, outreach_uuid: str) -> Any:
    coalition = coalition_of(request)
    campaign = find_advocacy_campaign(coalition, advocacy_campaign_uuid)
    rows = outreaches_of(coalition).filter(advocacy_campaign=campaign)
    outreach = find_outreach(rows, outreach_uuid)
    payload = parse_payload(request, OutreachUpdateIn)
    if not may(actor(request), MANAGE):
        raise ApiError(403, "This token may not change outreaches.")
    if payload.subject is not None or payload.message is not None:
        try:
            services.correct_outreach(
                outreach=outreach, subject=payload.subject, body=payload.message
            )
        except services.OutreachSent as refused:
            return Status(409, {"error": str(refused)})
    return render_outreach(request, find_outreach(rows, outreach_uuid))


@router.get(
    "/people/{person_id}/outreaches",
    response={200: OutreachesCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The outreaches of a person",
)
def list_person_outreaches(
    request: HttpRequest, person_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    person = find_person(coalition, person_id)
    return _list_outreaches(request, outreaches_of(coalition).filter(person=person), query)


@router.get(
    "/people/{person_id}/outreaches/{outreach_uuid}",
    response={200: OutreachOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="An outreach of a person",
)
def get_person_outreach(request: HttpRequest, person_id: str, outreach_uuid: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    person = find_person(coalition, person_id)
    rows = outreaches_of(coalition).filter(person=person)
    return render_outreach(request, find_outreach(rows, outreach_uuid))
