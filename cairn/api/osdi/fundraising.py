"""OSDI fundraising pages and donations, as Action Network serves them, with the record
donation helper.

- A fundraising page's id is its uuid. `POST /fundraising_pages` creates one (`title`, optional
  `origin_system`, `description`, `currency`) and, like `POST /petitions`, opens it: the token
  acts for the coalition's stewards (`"cairn:status": "draft"` keeps it a draft, which takes no
  gifts). `PUT /fundraising_pages/{id}` changes the given fields. `total_donations` and
  `total_amount` count the page's raised gifts from the rows (what its thermometer shows).
- `POST /fundraising_pages/{id}/donations` is the record donation helper for a gift the client took
  elsewhere (Action Network's API donations never charge anyone either). The donor is `person` (OSDI
  person fields, found or created through `upsert_person`; `add_tags` adds known tags) or an
  `osdi:person` link; the amount is the sum of `recipients[].amount`; `payment`'s method (a check,
  cash; anything else reached the fund as a transfer) and reference number are kept; `created_date`
  is when the money came (the donation's date). It is recorded by the fundraising service that
  records a steward's cheque — raised at once, posted to the pooled fund's ledger — and never
  charges a card. `action_network:recurrence` is kept on the donation (`recurring: true` records
  it as an installment of a monthly gift taken elsewhere, and it reads back as sent; Cairn runs no
  subscription for it: its own monthly gifts are card subscriptions started on its pages), and so
  is `action_network:referrer_data.referrer` (the referral code, up to 32 characters).
- A retried POST records nothing new: with the same `Idempotency-Key` header (kept with the
  donation for good, not only for the API's 24 hours) or the same foreign identifier in
  `identifiers` (`"<system>:<id>"`), it returns the first donation. Without either, each POST is
  a new gift, as on Action Network (a person may give twice).
- Donations listed are those whose money arrived (succeeded, refunded, disputed: the last two are
  `voided`, with `credited_amount` and `cairn:status`), never an unfinished checkout; under a
  page, under a person, and all of the coalition's at `/donations`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import Field, StringConstraints

from cairn.api.auth import coalition_of, token_creator, token_of
from cairn.coalitions.models import Coalition, StaffMember
from cairn.coalitions.policy import Action, allows
from cairn.fundraising import selectors, services
from cairn.fundraising.models import Donation, FundraisingPage, Provider, Recurrence
from cairn.ledger.services import LedgerError
from cairn.people import services as people_services
from cairn.people.models import Person

from . import hal
from .body import parse_payload, request_body
from .errors import ApiError, not_found
from .filters import DATES, FilterField, Kind, apply_filter
from .idempotency import HEADER as IDEMPOTENCY_HEADER
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

router = Router(tags=["fundraising"])

PAGE_FILTERS = {**DATES, "title": FilterField("title", Kind.TEXT)}
DONATION_FILTERS = dict(DATES)

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Money = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]
Currency = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{3}$")]
# How a payment's `method` is recorded; any other method (a card taken elsewhere) reached the fund
# as a transfer from the client's processor.
METHODS = {
    "check": Donation.OfflineMethod.CHEQUE,
    "cheque": Donation.OfflineMethod.CHEQUE,
    "bank transfer": Donation.OfflineMethod.BANK_TRANSFER,
    "bank_transfer": Donation.OfflineMethod.BANK_TRANSFER,
    "eft": Donation.OfflineMethod.BANK_TRANSFER,
    "ach": Donation.OfflineMethod.BANK_TRANSFER,
    "cash": Donation.OfflineMethod.CASH,
}
METHOD_NAMES: dict[str, str] = {
    Donation.OfflineMethod.CHEQUE: "Check",
    Donation.OfflineMethod.BANK_TRANSFER: "Bank Transfer",
    Donation.OfflineMethod.CASH: "Cash",
}
VOIDED = {Donation.Status.REFUNDED, Donation.Status.DISPUTED}
# Donations whose money arrived (an unfinished or failed checkout is not a donation).
LISTED = {Donation.Status.SUCCEEDED, *VOIDED}


# --- shapes --------------------------------------------------------------------------------------


class PageIn(Lenient):
    """A fundraising page's fields (Action Network's names); a field left out changes nothing."""

    title: Short | None = None
    name: Short | None = None  # Action Network's administrative title: the title if none given
    description: Text | None = None
    origin_system: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None
    ) = None
    currency: Currency | None = Field(None, description="ISO 4217; fixed once it has donations.")
    status: Literal["draft", "open", "closed"] | None = Field(
        None,
        alias="cairn:status",
        description="On create, `open` by default (takes gifts at once); `draft` takes none.",
    )


class RecipientIn(Lenient):
    display_name: Short = ""
    amount: Money | Annotated[int, Field(ge=0)]


class PaymentIn(Lenient):
    method: Short = ""
    reference_number: Short = ""


class RecurrenceIn(Lenient):
    recurring: bool = False
    period: Short = ""


class ReferrerIn(Lenient):
    source: Short = ""
    referrer: Short = ""
    website: Short = ""


class DonorLinkIn(Lenient):
    person: LinkIn | None = Field(None, alias="osdi:person")


class DonationIn(Lenient):
    """The record donation helper: the donor as `person` or an `osdi:person` link."""

    identifiers: list[Short] | None = Field(None, max_length=20)
    person: PersonIn | None = None
    links: DonorLinkIn | None = Field(None, alias="_links")
    recipients: list[RecipientIn] = Field(default_factory=list, max_length=20)
    payment: PaymentIn | None = None
    recurrence: RecurrenceIn | None = Field(None, alias="action_network:recurrence")
    referrer_data: ReferrerIn | None = Field(None, alias="action_network:referrer_data")
    created_date: Short | None = None
    add_tags: list[Short] | None = Field(None, max_length=100)


PageLinks = links_model("FundraisingPageLinks", "osdi:donations", "osdi:record_donation_helper")


class PageOut(ResourceOut):
    origin_system: str
    name: str
    title: str
    description: str
    browser_url: str | None
    currency: str
    total_donations: int
    total_amount: str
    goal: str | None = Field(None, alias="cairn:goal")
    status: str = Field(alias="cairn:status", description="`draft`, `open` or `closed`")
    links: PageLinks = Field(alias="_links")  # type: ignore[valid-type]


class RecipientOut(Schema):
    display_name: str
    amount: str


class PaymentOut(Schema):
    method: str
    reference_number: str
    authorization_stored: bool


class RecurrenceOut(Schema):
    recurring: bool
    period: str | None = None


class ReferrerOut(Schema):
    source: str
    referrer: str


class DonationLinks(Schema):
    self_: Link = Field(alias="self")
    page: Link = Field(alias="osdi:fundraising_page")
    person: Link | None = Field(None, alias="osdi:person")


class DonationOut(ResourceOut):
    origin_system: str
    amount: str
    currency: str
    recipients: list[RecipientOut]
    payment: PaymentOut
    voided: bool
    credited_amount: str
    recurrence: RecurrenceOut = Field(alias="action_network:recurrence")
    referrer_data: ReferrerOut = Field(alias="action_network:referrer_data")
    person_id: str | None = Field(None, alias="action_network:person_id")
    page_id: str = Field(alias="action_network:fundraising_page_id")
    status: str = Field(alias="cairn:status", description="`succeeded`, `refunded` or `disputed`")
    links: DonationLinks = Field(alias="_links")


PagesCollection = collection_model("FundraisingPages", "osdi:fundraising_pages", PageOut)
DonationsCollection = collection_model("Donations", "osdi:donations", DonationOut)


# --- reads ---------------------------------------------------------------------------------------


def _pages(coalition: Coalition) -> QuerySet[FundraisingPage]:
    return selectors.pages(coalition).order_by("-created_at", "-pk")


def _donations(coalition: Coalition) -> QuerySet[Donation]:
    """The coalition's donations whose money arrived, newest first."""
    return (
        Donation.objects.for_coalition(coalition)
        .filter(status__in=LISTED)
        .select_related("page", "person")
        .order_by("-created_at", "-pk")
    )


def _by_uuid(rows: QuerySet[Any], public_id: str) -> Any:
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        return None
    return rows.filter(uuid=key).first()


def find_page(coalition: Coalition, public_id: str) -> FundraisingPage:
    page = _by_uuid(_pages(coalition), public_id)
    if page is None:
        raise not_found("fundraising page", public_id)
    return page  # type: ignore[no-any-return]


def find_donation(rows: QuerySet[Donation], public_id: str) -> Donation:
    donation = _by_uuid(rows, public_id)
    if donation is None:
        raise not_found("donation", public_id)
    return donation  # type: ignore[no-any-return]


# --- rendering -----------------------------------------------------------------------------------


def _money(amount: Decimal | None) -> str:
    return f"{(amount or Decimal(0)):.2f}"


def render_page(request: HttpRequest, page: FundraisingPage) -> dict[str, Any]:
    browser_url = None
    if page.status != FundraisingPage.Status.DRAFT:
        path = reverse("fundraising_public:page", kwargs={"page_slug": page.slug})
        browser_url = request.build_absolute_uri(path)
    totals = selectors.thermometer(page)  # what the page's thermometer shows
    return hal.resource(
        request,
        public_id=page.uuid,
        created=page.created_at,
        modified=page.modified_at,
        self_path=("fundraising_pages", page.uuid),
        links={
            "osdi:donations": ("fundraising_pages", page.uuid, "donations"),
            "osdi:record_donation_helper": ("fundraising_pages", page.uuid, "donations"),
        },
        fields={
            "origin_system": page.origin_system,
            "name": page.title,
            "title": page.title,
            "description": page.description,
            "browser_url": browser_url,
            "currency": page.currency,
            "total_donations": totals.donations,
            "total_amount": _money(totals.raised),
            "cairn:goal": _money(page.goal) if page.goal is not None else None,
            "cairn:status": page.status,
        },
    )


def render_donation(request: HttpRequest, donation: Donation) -> dict[str, Any]:
    page = donation.page
    links: dict[str, tuple[object, ...]] = {
        "osdi:fundraising_page": ("fundraising_pages", page.uuid)
    }
    person = donation.person
    if person is not None:
        links["osdi:person"] = ("people", person.uuid)
    if donation.provider == Provider.OFFLINE:
        method = METHOD_NAMES.get(donation.offline_method, "")
        reference = donation.offline_reference
    else:
        method, reference = "Credit Card", donation.provider_payment_id
    recurrence: dict[str, Any] = {"recurring": donation.recurrence == Recurrence.MONTHLY}
    if recurrence["recurring"]:
        recurrence["period"] = "Monthly"
    return hal.resource(
        request,
        public_id=donation.uuid,
        created=donation.created_at,
        modified=max(donation.created_at, donation.modified_at),
        self_path=("donations", donation.uuid),
        links=links,
        fields={
            "origin_system": donation.origin_system,
            "amount": _money(donation.amount),
            "currency": donation.currency,
            "recipients": [{"display_name": page.title, "amount": _money(donation.amount)}],
            "payment": {
                "method": method,
                "reference_number": reference,
                "authorization_stored": False,
            },
            "voided": donation.status in VOIDED,
            "credited_amount": _money(donation.refunded_amount),
            "action_network:recurrence": recurrence,
            "action_network:referrer_data": {"source": "", "referrer": donation.referrer},
            "action_network:person_id": str(person.uuid) if person is not None else None,
            "action_network:fundraising_page_id": str(page.uuid),
            "cairn:status": donation.status,
        },
    )


# --- writes: helpers -----------------------------------------------------------------------------


def _require(request: HttpRequest) -> StaffMember | None:
    """Whom a write acts as (None: the site operator's token, which acts as the stewards); a
    token whose creator may not manage the coalition's fundraising is refused."""
    staff = token_creator(request)
    if staff is not None and not allows(staff, Action.MANAGE_FUNDRAISING):
        raise ApiError(403, "This token may not manage fundraising.")
    return staff


def _amount(recipients: list[RecipientIn]) -> Decimal:
    total = Decimal(0)
    for recipient in recipients:
        try:
            value = Decimal(str(recipient.amount).strip())
        except InvalidOperation as error:
            raise ApiError(400, f"{recipient.amount!r} is not an amount.") from error
        if not value.is_finite() or value < 0:
            raise ApiError(400, f"{recipient.amount!r} is not an amount.")
        total += value
    if total <= 0:
        raise ApiError(400, "A donation needs recipients whose amounts add up to more than 0.")
    return total


def _received(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise ApiError(400, f"created_date {text!r} is not a date and time.") from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _idempotency_key(request: HttpRequest, payload: DonationIn) -> str:
    """The donation's own key, kept for good: from the client's Idempotency-Key (per token),
    else its first foreign identifier; without either, a new one (a new gift each time)."""
    header = request.headers.get(IDEMPOTENCY_HEADER)
    foreign = [
        i
        for i in payload.identifiers or []
        if ":" in i and not i.startswith(("action_network:", f"{hal.SYSTEM}:"))
    ]
    if header:
        seed = f"token:{token_of(request).pk}:{header}"
    elif foreign:
        seed = f"identifier:{foreign[0]}"
    else:
        return f"api:{uuid.uuid4().hex}"
    return "api:" + hashlib.sha256(seed.encode()).hexdigest()


def _donor(coalition: Coalition, payload: DonationIn) -> people_services.PersonData:
    """The donor's data for the service (which finds or creates them through upsert_person):
    the fields given, or the linked person's primary email."""
    if payload.person is not None:
        data = person_data(payload.person)
        if not data.emails and not data.phones:
            raise ApiError(400, "A donor needs an email address or a phone number.")
        return data
    link = payload.links.person if payload.links is not None else None
    if link is None:
        raise ApiError(400, "A donation needs `person` or an `osdi:person` link in `_links`.")
    person = person_from_href(coalition, link.href)
    email = next(iter(sorted(person.emails.all(), key=lambda e: not e.primary)), None)
    if email is None:
        raise ApiError(400, "This person has no email address to find them by.")
    return people_services.PersonData(emails=[people_services.EmailInput(email.address)])


def _page_fields(payload: PageIn) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    title = payload.title or payload.name
    if title is not None:
        fields["title"] = title
    for name in ("description", "origin_system", "status"):
        value = getattr(payload, name)
        if value is not None:
            fields[name] = value
    return fields


# --- fundraising pages ---------------------------------------------------------------------------


@router.get(
    "/fundraising_pages",
    response={200: PagesCollection, **ERRORS},
    by_alias=True,
    summary="List fundraising pages",
)
def list_pages(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = _pages(coalition_of(request))
    return paginate(
        request,
        apply_filter(rows, query.filter, PAGE_FILTERS),
        rel="osdi:fundraising_pages",
        render=lambda p: render_page(request, p),
        query=query,
    )


@router.post(
    "/fundraising_pages",
    response={200: PageOut, **ERRORS},
    by_alias=True,
    summary="Create a fundraising page (open at once, or a draft with `cairn:status: draft`)",
    openapi_extra=request_body(PageIn),
)
def create_page(request: HttpRequest) -> dict[str, Any]:
    coalition = coalition_of(request)
    payload = parse_payload(request, PageIn)
    staff = _require(request)
    fields = _page_fields(payload)
    title = fields.pop("title", "")
    if not title:
        raise ApiError(400, "A fundraising page needs a title.")
    fields.setdefault("origin_system", token_of(request).name[:100] or "API")
    fields.setdefault("status", FundraisingPage.Status.OPEN)
    try:
        page = services.create_page(
            coalition=coalition,
            title=title,
            by=staff.user if staff is not None else None,
            currency=payload.currency or "USD",
            **fields,
        )
    except LedgerError as error:  # a currency no fund can hold (not ISO 4217)
        raise ApiError(400, str(error)) from error
    return render_page(request, find_page(coalition, str(page.uuid)))


@router.get(
    "/fundraising_pages/{fundraising_page_uuid}",
    response={200: PageOut, **ERRORS},
    by_alias=True,
    summary="A fundraising page",
)
def get_page(request: HttpRequest, fundraising_page_uuid: str) -> dict[str, Any]:
    return render_page(request, find_page(coalition_of(request), fundraising_page_uuid))


@router.put(
    "/fundraising_pages/{fundraising_page_uuid}",
    response={200: PageOut, **ERRORS},
    by_alias=True,
    summary="Update a fundraising page: given fields replace",
    openapi_extra=request_body(PageIn),
)
def update_page(request: HttpRequest, fundraising_page_uuid: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    page = find_page(coalition, fundraising_page_uuid)
    payload = parse_payload(request, PageIn)
    _require(request)
    fields = _page_fields(payload)
    if payload.currency is not None:
        fields["currency"] = payload.currency
    if fields:
        try:
            services.update_page(page=page, **fields)
        except LedgerError as error:
            raise ApiError(400, str(error)) from error
    return render_page(request, find_page(coalition, fundraising_page_uuid))


# --- donations -----------------------------------------------------------------------------------


def _list(request: HttpRequest, rows: QuerySet[Donation], query: CollectionQuery) -> dict[str, Any]:
    return paginate(
        request,
        apply_filter(rows, query.filter, DONATION_FILTERS),
        rel="osdi:donations",
        render=lambda d: render_donation(request, d),
        query=query,
    )


@router.get(
    "/donations",
    response={200: DonationsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The coalition's donations (those whose money arrived)",
)
def list_donations(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    return _list(request, _donations(coalition_of(request)), query)


@router.get(
    "/donations/{donation_uuid}",
    response={200: DonationOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="A donation",
)
def get_donation(request: HttpRequest, donation_uuid: str) -> dict[str, Any]:
    return render_donation(request, find_donation(_donations(coalition_of(request)), donation_uuid))


@router.get(
    "/fundraising_pages/{fundraising_page_uuid}/donations",
    response={200: DonationsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The donations of a fundraising page",
)
def list_page_donations(
    request: HttpRequest, fundraising_page_uuid: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    page = find_page(coalition, fundraising_page_uuid)
    return _list(request, _donations(coalition).filter(page=page), query)


@router.post(
    "/fundraising_pages/{fundraising_page_uuid}/donations",
    response={200: DonationOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary=(
        "Record donation helper: a gift taken elsewhere, recorded at once (nothing is charged); "
        "a retry with the same Idempotency-Key or identifier returns the first"
    ),
    openapi_extra=request_body(DonationIn),
)
def record_donation(request: HttpRequest, fundraising_page_uuid: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    page = find_page(coalition, fundraising_page_uuid)
    payload = parse_payload(request, DonationIn)
    staff = _require(request)
    amount = _amount(payload.recipients)
    payment = payload.payment or PaymentIn()
    method = METHODS.get(payment.method.strip().lower(), Donation.OfflineMethod.BANK_TRANSFER)
    # One transaction: a refused donation leaves no new person or tag behind either.
    with transaction.atomic():
        result = services.record_offline_donation(
            page=page,
            person=_donor(coalition, payload),
            amount=amount,
            method=method,
            by=staff.user if staff is not None else None,
            idempotency_key=_idempotency_key(request, payload),
            reference=payment.reference_number,
            received_at=_received(payload.created_date),
            recurrence=(
                Recurrence.MONTHLY
                if payload.recurrence is not None and payload.recurrence.recurring
                else Recurrence.ONE_OFF
            ),
            referrer=payload.referrer_data.referrer if payload.referrer_data else "",
        )
        if payload.add_tags and result.donation.person is not None:
            _tag(coalition, result.donation.person, payload.add_tags)
    return render_donation(request, find_donation(_donations(coalition), str(result.donation.uuid)))


def _tag(coalition: Coalition, person: Person, names: list[str]) -> None:
    """Known tags only (Action Network ignores unknown names), through the people service."""
    email = next(iter(sorted(person.emails.all(), key=lambda e: not e.primary)), None)
    if email is None:
        return
    people_services.upsert_person(
        coalition=coalition,
        data=people_services.PersonData(emails=[people_services.EmailInput(email.address)]),
        add_tags=names,
    )


@router.get(
    "/fundraising_pages/{fundraising_page_uuid}/donations/{donation_uuid}",
    response={200: DonationOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="A donation of a fundraising page",
)
def get_page_donation(
    request: HttpRequest, fundraising_page_uuid: str, donation_uuid: str
) -> dict[str, Any]:
    coalition = coalition_of(request)
    page = find_page(coalition, fundraising_page_uuid)
    return render_donation(
        request, find_donation(_donations(coalition).filter(page=page), donation_uuid)
    )


@router.get(
    "/people/{person_id}/donations",
    response={200: DonationsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The donations of a person",
)
def list_person_donations(
    request: HttpRequest, person_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    person = find_person(coalition, person_id)
    return _list(request, _donations(coalition).filter(person=person), query)


@router.get(
    "/people/{person_id}/donations/{donation_uuid}",
    response={200: DonationOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="A donation of a person",
)
def get_person_donation(request: HttpRequest, person_id: str, donation_uuid: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    person = find_person(coalition, person_id)
    return render_donation(
        request, find_donation(_donations(coalition).filter(person=person), donation_uuid)
    )
