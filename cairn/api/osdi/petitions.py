"""OSDI petitions and signatures, with the record-signature helper.

- A petition's id is its row id. `POST /petitions` creates it and, by default, publishes it: the
  token acts for the coalition's stewards, who moderate, so the petition is open and takes
  signatures at once (`"status": "draft"` keeps it a draft instead; a token whose creator can no
  longer moderate leaves it in moderation). Its owner is the token creator's member organization,
  else the coalition's first active member organization.
- `PUT /petitions/{id}` follows the petitions service's edit rule: a draft changes freely; after
  it, `description` and `target` may be corrected (each change kept as a revision naming the
  token), `title` and `petition_text` only until the first signature. A refused change is 409
  with `{"error", "rule", "refused"}` and changes nothing.
- `POST /petitions/{id}/signatures` is the record-signature helper: `person` (OSDI person fields,
  merged into the CRM like `POST /people`) or an `osdi:person` link, optional `comments`,
  `referrer_data` and `add_tags`. The client collected the signature and the token vouches for it,
  so it is confirmed and counted at once, without a confirmation email. One signature per petition
  and canonical email: a retried POST returns the first signature (200), never a second.
- Signatures listed are the ones that count (confirmed, not invalidated), the same number as the
  petition's `total_signatures`; under a petition and under a person.

Petitions and signatures have no modification timestamp of their own: a petition's
`modified_date` is its last change of state, a signature's its confirmation.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from cairn.api.auth import coalition_of, token_creator, token_of
from cairn.coalitions.models import Coalition, Membership, StaffMember
from cairn.coalitions.policy import Action, allows
from cairn.people import services as people_services
from cairn.people.models import Person
from cairn.petitions import selectors, services
from cairn.petitions.models import Petition, Signature

from . import hal
from .body import parse_payload, request_body
from .errors import ApiError, not_found
from .filters import FilterField, Kind, apply_filter
from .pagination import CollectionQuery, paginate
from .people import find_person, person_data, person_from_href
from .schemas import (
    ERRORS,
    Lenient,
    Link,
    LinkIn,
    PersonIn,
    ResourceOut,
    Short,
    collection_model,
    links_model,
)

router = Router(tags=["petitions"])

PETITION_FILTERS = {
    "created_date": FilterField("created_at", Kind.DATETIME),
    "modified_date": FilterField("status_changed_at", Kind.DATETIME),
    "title": FilterField("title", Kind.TEXT),
    "status": FilterField("status", Kind.TEXT),
}
SIGNATURE_FILTERS = {
    "created_date": FilterField("created_at", Kind.DATETIME),
    "modified_date": FilterField("confirmed_at", Kind.DATETIME),
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)]


# --- shapes --------------------------------------------------------------------------------------


class TargetIn(Lenient):
    name: Short
    title: Short = ""


class PetitionIn(Lenient):
    """A petition's fields (Action Network's names); a field left out changes nothing."""

    title: Short | None = None
    description: Text | None = None
    petition_text: Text | None = None
    # Action Network sends `[{"name": …}]`; Parsons passes on whatever it was given.
    target: Short | Annotated[list[TargetIn | Short], Field(max_length=50)] | None = None
    status: Literal["draft", "open"] | None = Field(
        None, description="On create only: `draft` keeps it a draft; by default it opens."
    )


class ReferrerIn(Lenient):
    source: Short = ""
    referrer: Short = ""
    website: Short = ""


class SignerLinkIn(Lenient):
    """A signature's `_links`: the signer's `osdi:person` unless the person comes inline (a
    client may send other links, or an empty `_links`, beside an inline person)."""

    person: LinkIn | None = Field(None, alias="osdi:person")


class SignatureIn(Lenient):
    """The record-signature helper: the signer as `person` or as an `osdi:person` link."""

    person: PersonIn | None = None
    links: SignerLinkIn | None = Field(None, alias="_links")
    comments: Comment | None = None
    referrer_data: ReferrerIn | None = None
    add_tags: list[Short] | None = Field(None, max_length=100)


class SignatureUpdateIn(Lenient):
    comments: Comment | None = None


class TargetOut(Schema):
    name: str
    title: str


PetitionLinks = links_model("PetitionLinks", "osdi:signatures", "osdi:record_signature_helper")


class PetitionOut(ResourceOut):
    title: str
    description: str
    petition_text: str
    target: list[TargetOut]
    status: str
    total_signatures: int
    browser_url: str | None
    links: PetitionLinks = Field(alias="_links")  # type: ignore[valid-type]


class SignatureLinks(Schema):
    self_: Link = Field(alias="self")
    petition: Link = Field(alias="osdi:petition")
    person: Link | None = Field(None, alias="osdi:person")


class SignatureOut(ResourceOut):
    comments: str
    status: str = Field(description="`confirmed`, `pending` or `invalidated`")
    links: SignatureLinks = Field(alias="_links")


class FrozenOut(Schema):
    error: str
    rule: str
    refused: list[str] = Field(description="The fields that may not change now")


# The petition's fields by their OSDI names, for the refusal of a change.
OSDI_NAMES = {"background": "description", "details": "petition_text", "targets": "target"}

PetitionsCollection = collection_model("Petitions", "osdi:petitions", PetitionOut)
SignaturesCollection = collection_model("Signatures", "osdi:signatures", SignatureOut)


# --- rendering -----------------------------------------------------------------------------------


def render_petition(request: HttpRequest, petition: Petition) -> dict[str, Any]:
    browser_url = None
    if not petition.hidden:
        path = reverse("petitions_public:petition", kwargs={"petition_slug": petition.slug})
        browser_url = request.build_absolute_uri(path)
    return hal.resource(
        request,
        public_id=petition.pk,
        created=petition.created_at,
        modified=max(petition.created_at, petition.status_changed_at),
        self_path=("petitions", petition.pk),
        links={
            "osdi:signatures": ("petitions", petition.pk, "signatures"),
            "osdi:record_signature_helper": ("petitions", petition.pk, "signatures"),
        },
        fields={
            "title": petition.title,
            "description": petition.background,
            "petition_text": petition.details,
            "target": [
                {"name": str(t.get("name", "")), "title": str(t.get("title", ""))}
                for t in petition.targets or []
                if isinstance(t, dict)
            ],
            "status": petition.status,
            "total_signatures": services.current_count(petition),
            "browser_url": browser_url,
        },
    )


def _signature_status(signature: Signature) -> str:
    if signature.invalidated_at is not None:
        return "invalidated"
    return "confirmed" if signature.confirmed_at is not None else "pending"


def render_signature(request: HttpRequest, signature: Signature) -> dict[str, Any]:
    links: dict[str, tuple[object, ...]] = {"osdi:petition": ("petitions", signature.petition_id)}
    if signature.person is not None:
        links["osdi:person"] = ("people", signature.person.uuid)
    return hal.resource(
        request,
        public_id=signature.pk,
        created=signature.created_at,
        modified=max(signature.created_at, signature.confirmed_at or signature.created_at),
        self_path=("petitions", signature.petition_id, "signatures", signature.pk),
        links=links,
        fields={"comments": signature.comment, "status": _signature_status(signature)},
    )


# --- lookups and permissions ---------------------------------------------------------------------


def find_petition(coalition: Coalition, public_id: str) -> Petition:
    petition = selectors.api_petition(coalition=coalition, public_id=public_id)
    if petition is None:
        raise not_found("petition", public_id)
    return petition


def find_signature(rows: QuerySet[Signature], public_id: str) -> Signature:
    signature = selectors.api_signature(rows=rows, public_id=public_id)
    if signature is None:
        raise not_found("signature", public_id)
    return signature


def _actor(request: HttpRequest) -> StaffMember | None:
    """Whom a write acts as: `token_creator` (None: the site operator's token, which acts as the
    coalition's stewards)."""
    return token_creator(request)


def _may(staff: StaffMember | None, action: Action, membership: Membership | None) -> bool:
    return staff is None or allows(staff, action, membership=membership)


def _require(request: HttpRequest, petition: Petition) -> StaffMember | None:
    staff = _actor(request)
    if not _may(staff, Action.MANAGE_PETITIONS, petition.owner):
        raise ApiError(403, "This token may not change this petition.")
    return staff


def _owner(coalition: Coalition, staff: StaffMember | None) -> Membership:
    if staff is not None and staff.membership is not None:
        return staff.membership
    owner = (
        Membership.objects.for_coalition(coalition)
        .filter(status=Membership.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    if owner is None:
        raise ApiError(400, "The coalition has no member organization to own a petition.")
    return owner


def _targets(target: str | list[TargetIn | str] | None) -> list[dict[str, str]]:
    items = [target] if isinstance(target, str) else target or []
    return [
        {"name": t, "title": ""} if isinstance(t, str) else {"name": t.name, "title": t.title}
        for t in items
    ]


def _petition_data(payload: PetitionIn, current: Petition | None = None) -> services.PetitionData:
    """The service's input: given fields replace, fields left out keep their value."""
    title = payload.title if payload.title is not None else (current.title if current else "")
    return services.PetitionData(
        title=title,
        background=_given(payload.description, current.background if current else ""),
        details=_given(payload.petition_text, current.details if current else ""),
        targets=_targets(payload.target) if payload.target is not None else _kept_targets(current),
        campaign=current.campaign if current else None,
        deadline=current.deadline if current else None,
        thresholds=current.thresholds if current else (),
        sponsors_required=current.sponsors_required if current else 0,
    )


def _given(value: str | None, current: str) -> str:
    return current if value is None else value


def _kept_targets(current: Petition | None) -> list[dict[str, str]]:
    return [t for t in (current.targets if current else []) if isinstance(t, dict)]


# --- petitions -----------------------------------------------------------------------------------


@router.get(
    "/petitions",
    response={200: PetitionsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="List petitions",
)
def list_petitions(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = selectors.api_petitions(coalition=coalition_of(request))
    return paginate(
        request,
        apply_filter(rows, query.filter, PETITION_FILTERS),
        rel="osdi:petitions",
        render=lambda p: render_petition(request, p),
        query=query,
    )


@router.post(
    "/petitions",
    response={200: PetitionOut, **ERRORS},
    by_alias=True,
    summary="Create a petition (open at once, or a draft with `status: draft`)",
    openapi_extra=request_body(PetitionIn),
)
def create_petition(request: HttpRequest) -> dict[str, Any]:
    coalition = coalition_of(request)
    payload = parse_payload(request, PetitionIn)
    if not payload.title:
        raise ApiError(400, "A petition needs a title: the ask.")
    staff = _actor(request)
    owner = _owner(coalition, staff)
    if not _may(staff, Action.MANAGE_PETITIONS, owner):
        raise ApiError(403, "This token may not create petitions.")
    data = _petition_data(payload)
    created_by = staff.user if staff is not None else None
    if payload.status == "draft":
        petition = services.create_petition(owner=owner, data=data, created_by=created_by)
    else:
        petition = services.launch_petition(
            owner=owner,
            data=data,
            created_by=created_by,
            approve=_may(staff, Action.MODERATE_PETITIONS, owner),
        )
    return render_petition(request, find_petition(coalition, str(petition.pk)))


@router.get(
    "/petitions/{petition_id}",
    response={200: PetitionOut, **ERRORS},
    by_alias=True,
    summary="A petition",
)
def get_petition(request: HttpRequest, petition_id: str) -> dict[str, Any]:
    return render_petition(request, find_petition(coalition_of(request), petition_id))


@router.put(
    "/petitions/{petition_id}",
    response={200: PetitionOut, 409: FrozenOut, **ERRORS},
    by_alias=True,
    summary=(
        "Update a petition: given fields replace. After its draft, description and target may "
        "be corrected; title and petition_text only until the first signature (else 409)"
    ),
    openapi_extra=request_body(PetitionIn),
)
def update_petition(request: HttpRequest, petition_id: str) -> Any:
    coalition = coalition_of(request)
    petition = find_petition(coalition, petition_id)
    payload = parse_payload(request, PetitionIn)
    staff = _require(request, petition)
    token = token_of(request)
    try:
        services.update_petition(
            petition=petition,
            data=_petition_data(payload, petition),
            changed_by=staff.user if staff is not None else None,
            via=f"API token “{token.name}” ({token.prefix}…)",
        )
    except services.PetitionFrozen as refused:
        body = {
            "error": str(refused),
            "rule": refused.rule,
            "refused": [OSDI_NAMES.get(name, name) for name in refused.fields],
        }
        return Status(409, body)
    return render_petition(request, find_petition(coalition, petition_id))


# --- signatures ----------------------------------------------------------------------------------


@router.get(
    "/petitions/{petition_id}/signatures",
    response={200: SignaturesCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The signatures of a petition (those that count)",
)
def list_signatures(
    request: HttpRequest, petition_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    petition = find_petition(coalition, petition_id)
    rows = selectors.api_signatures(coalition=coalition).filter(petition=petition)
    return paginate(
        request,
        apply_filter(rows, query.filter, SIGNATURE_FILTERS),
        rel="osdi:signatures",
        render=lambda s: render_signature(request, s),
        query=query,
    )


def _signer(coalition: Coalition, payload: SignatureIn) -> tuple[Person, str]:
    """The signer (merged into the CRM when given as fields) and the email they signed with."""
    if payload.person is not None:
        data = person_data(payload.person)
        if not data.emails:
            raise ApiError(400, "A signature needs the signer's email address.")
        person = people_services.upsert_person(
            coalition=coalition,
            data=data,
            add_tags=payload.add_tags or (),
            subscription_source="api",
        ).person
        return person, data.emails[0].address
    link = payload.links.person if payload.links is not None else None
    if link is None:
        raise ApiError(400, "A signature needs `person` or an `osdi:person` link in `_links`.")
    person = person_from_href(coalition, link.href)
    email = next(iter(sorted(person.emails.all(), key=lambda e: not e.primary)), None)
    if email is None:
        raise ApiError(400, "This person has no email address to sign with.")
    if payload.add_tags:
        people_services.upsert_person(
            coalition=coalition,
            data=people_services.PersonData(emails=[people_services.EmailInput(email.address)]),
            add_tags=payload.add_tags,
        )
    return person, email.address


@router.post(
    "/petitions/{petition_id}/signatures",
    response={200: SignatureOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="Record-signature helper: a collected signature, confirmed at once; never twice",
    openapi_extra=request_body(SignatureIn),
)
def record_signature(request: HttpRequest, petition_id: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    petition = find_petition(coalition, petition_id)
    payload = parse_payload(request, SignatureIn)
    _require(request, petition)
    # One transaction: a refused signature leaves no new person behind either.
    with transaction.atomic():
        person, email = _signer(coalition, payload)
        address = next(iter(sorted(person.addresses.all(), key=lambda a: not a.primary)), None)
        referrer = payload.referrer_data or ReferrerIn()
        result = services.record_collected_signature(
            petition=petition,
            person=person,
            signer=services.SignerData(
                name=f"{person.given_name} {person.family_name}",
                email=email,
                postal_code=address.postal_code if address else "",
                country=address.country if address else "",
                comment=payload.comments or "",
                ref=referrer.referrer,
                channel=referrer.source,
            ),
        )
    signature = Signature.objects.select_related("person").get(pk=result.signature.pk)
    return render_signature(request, signature)


@router.get(
    "/petitions/{petition_id}/signatures/{signature_id}",
    response={200: SignatureOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="A signature",
)
def get_signature(request: HttpRequest, petition_id: str, signature_id: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    petition = find_petition(coalition, petition_id)
    rows = selectors.api_signatures(coalition=coalition).filter(petition=petition)
    return render_signature(request, find_signature(rows, signature_id))


@router.put(
    "/petitions/{petition_id}/signatures/{signature_id}",
    response={200: SignatureOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="Update a signature's comments (nothing else of a signature changes)",
    openapi_extra=request_body(SignatureUpdateIn),
)
def update_signature(request: HttpRequest, petition_id: str, signature_id: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    petition = find_petition(coalition, petition_id)
    rows = selectors.api_signatures(coalition=coalition).filter(petition=petition)
    signature = find_signature(rows, signature_id)
    payload = parse_payload(request, SignatureUpdateIn)
    _require(request, petition)
    if payload.comments is not None:
        services.update_signature_comment(signature=signature, comment=payload.comments)
    return render_signature(request, find_signature(rows, signature_id))


@router.get(
    "/people/{person_id}/signatures",
    response={200: SignaturesCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The signatures of a person",
)
def list_person_signatures(
    request: HttpRequest, person_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    person = find_person(coalition, person_id)
    rows = selectors.api_signatures(coalition=coalition).filter(person=person)
    return paginate(
        request,
        apply_filter(rows, query.filter, SIGNATURE_FILTERS),
        rel="osdi:signatures",
        render=lambda s: render_signature(request, s),
        query=query,
    )


@router.get(
    "/people/{person_id}/signatures/{signature_id}",
    response={200: SignatureOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="A signature of a person",
)
def get_person_signature(request: HttpRequest, person_id: str, signature_id: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    person = find_person(coalition, person_id)
    rows = selectors.api_signatures(coalition=coalition).filter(person=person)
    return render_signature(request, find_signature(rows, signature_id))
