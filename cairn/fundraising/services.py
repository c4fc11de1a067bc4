"""Use cases of fundraising: the only code that writes its tables.

Pages and hosts:
- create_page / update_page: a page's slug is unique; its fund is the coalition's fund in the
  page's currency (`ledger.ensure_fund`); description sanitized; suggested amounts positive.
- set_host / remove_host: a member organization hosts a page once; shares are 0–100 % each and
  at most 100 % together (checked under the page's lock).
- save_receipt_settings: the legal fields printed on receipts, one row per coalition.
Giving:
- start_donation: one donation per (coalition, idempotency key), by INSERT … ON CONFLICT; a retry
  returns the first donation and its checkout address. The donor is found or created through
  `people.upsert_person`. The checkout is asked of the provider outside our transaction with a
  key derived from our row (`Donation.provider_key`), so the provider makes one session however
  many times we ask.
- record_offline_donation: a steward's cheque, bank transfer or cash: succeeded and posted to the
  ledger at once (the steward is the verification); idempotent by its key too.
- handle_provider_event: verify the signature (the provider's library), INSERT the event ON
  CONFLICT DO NOTHING and lock it; an event already processed changes nothing. Its updates are
  applied in the same transaction as the ledger postings (`accounting`, by source), so a crash
  loses or doubles nothing: the provider retries, and the retry applies it once.
  A donation's status changes only here (and for offline gifts by a steward).
- refund_donation: a card refund is asked of the provider (keyed by the refunded total); the
  donation changes when the provider's `charge.refunded` arrives. An offline refund is recorded at
  once. Never more than was charged (a CHECK constraint).
- cancel_recurring / change_recurring_amount: the provider first, then our row; a signed link
  (`manage_token`) lets the donor do it without an account; a new nonce revokes old links.
- failed monthly payment: the gift is past due and the donor gets a reminder with the link.
- receipts: a succeeded donation gets a number and an email with the coalition's legal fields.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import nh3
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from cairn.accounts.models import User
from cairn.campaigns.models import Campaign
from cairn.coalitions.models import Coalition, Membership
from cairn.people import services as people
from cairn.people.services import PersonData

from . import accounting, money, tasks
from .models import (
    Donation,
    FundraisingPage,
    Host,
    Provider,
    ProviderEvent,
    ReceiptSettings,
    Recurrence,
    RecurringGift,
)
from .providers import card_payments_enabled, provider_named
from .providers.base import CheckoutRequest, PaymentUpdate, UpdateKind
from .selectors import MANAGE_SALT

MAX_KEY_LENGTH = 100
MAX_AMOUNT = Decimal("1000000")

Status = Donation.Status
GiftStatus = RecurringGift.Status


class FundraisingError(Exception):
    """A use case refused: the message is safe to show."""


@dataclass(frozen=True, slots=True)
class DonationStart:
    donation: Donation
    created: bool
    redirect_url: str


@dataclass(frozen=True, slots=True)
class EventResult:
    event: ProviderEvent
    created: bool  # False: a copy of an event already processed (nothing changed)
    outcome: str


@dataclass(frozen=True, slots=True)
class RefundResult:
    donation: Donation
    requested: Decimal
    pending: bool  # True: the provider confirms it by webhook


# --- pages ---------------------------------------------------------------------------------------

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "blockquote",
}


def sanitize(html: str) -> str:
    return nh3.clean(html or "", tags=ALLOWED_TAGS, link_rel="noopener noreferrer nofollow")


def parse_amount(value: Any, *, currency: str = "USD", field: str = "amount") -> Decimal:
    """A positive Decimal in the currency's minor unit, or FundraisingError."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as error:
        raise FundraisingError(f"The {field} must be a number.") from error
    if not amount.is_finite() or amount <= 0:
        raise FundraisingError(f"The {field} must be more than zero.")
    if amount > MAX_AMOUNT:
        raise FundraisingError(f"The {field} is too large.")
    if money.quantize(amount, currency) != amount:
        raise FundraisingError(f"The {field} has more decimals than {currency} allows.")
    return amount


def _suggested(values: Sequence[Any], currency: str) -> list[str]:
    amounts = sorted({parse_amount(v, currency=currency, field="suggested amount") for v in values})
    return [str(a) for a in amounts][:8]


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "give"
    slug, n = base, 1
    while FundraisingPage.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


PAGE_FIELDS = frozenset(
    {
        "title",
        "description",
        "goal",
        "currency",
        "suggested_amounts",
        "minimum_amount",
        "monthly_allowed",
        "fee_cover_rate",
        "fee_cover_fixed",
        "donor_wall",
        "status",
        "campaign",
        "origin_system",
    }
)


def _clean_page_fields(
    coalition: Coalition, fields: dict[str, Any], currency: str
) -> dict[str, Any]:
    unknown = set(fields) - PAGE_FIELDS
    if unknown:
        raise FundraisingError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    clean = dict(fields)
    if "title" in clean:
        clean["title"] = " ".join(str(clean["title"]).split())[:200]
        if not clean["title"]:
            raise FundraisingError("A page needs a title.")
    if "description" in clean:
        clean["description"] = sanitize(str(clean["description"]))
    if clean.get("goal") not in (None, ""):
        clean["goal"] = parse_amount(clean["goal"], currency=currency, field="goal")
    elif "goal" in clean:
        clean["goal"] = None
    if "suggested_amounts" in clean:
        clean["suggested_amounts"] = _suggested(clean["suggested_amounts"] or [], currency)
    if "minimum_amount" in clean:
        clean["minimum_amount"] = parse_amount(
            clean["minimum_amount"], currency=currency, field="minimum"
        )
    for name in ("fee_cover_rate", "fee_cover_fixed"):
        if name in clean:
            value = Decimal(str(clean[name] or 0))
            if value < 0 or (name == "fee_cover_rate" and value >= 50):
                raise FundraisingError("The fee cover must be between 0 and 50 %.")
            clean[name] = value
    if "status" in clean and clean["status"] not in FundraisingPage.Status.values:
        raise FundraisingError("Unknown status.")
    campaign = clean.get("campaign")
    if isinstance(campaign, Campaign) and campaign.coalition_id != coalition.pk:
        raise FundraisingError("The campaign belongs to another coalition.")
    return clean


@transaction.atomic
def create_page(
    *,
    coalition: Coalition,
    title: str,
    by: User | None,
    currency: str = "USD",
    slug: str = "",
    **fields: Any,
) -> FundraisingPage:
    """A new page (a draft unless `status` says otherwise) with its fund in its currency."""
    currency = currency.upper().strip()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise FundraisingError("The currency must be an ISO 4217 code such as USD.")
    clean = _clean_page_fields(coalition, {"title": title, **fields}, currency)
    clean.pop("currency", None)
    page = FundraisingPage(
        coalition=coalition,
        currency=currency,
        slug=slugify(slug)[:80] if slug else _unique_slug(title),
        created_by=by,
        **clean,
    )
    page.fund = accounting.fund_for(page)
    page.save()
    return page


@transaction.atomic
def update_page(*, page: FundraisingPage, **fields: Any) -> FundraisingPage:
    """Change a page's fields; its currency is fixed once it has donations."""
    page = FundraisingPage.objects.select_for_update().get(pk=page.pk)
    currency = str(fields.get("currency") or page.currency).upper()
    if currency != page.currency and page.donations.exists():
        raise FundraisingError("The currency cannot change once a page has donations.")
    clean = _clean_page_fields(page.coalition, fields, currency)
    for name, value in clean.items():
        setattr(page, name, value)
    page.currency = currency
    if currency != page.fund.currency:
        page.fund = accounting.fund_for(
            FundraisingPage(coalition=page.coalition, currency=currency)
        )
    page.modified_at = timezone.now()
    page.save()
    return page


@transaction.atomic
def set_host(*, page: FundraisingPage, membership: Membership, share: Decimal | str) -> Host:
    """Add or change a co-host; all hosts' shares together stay within 100 %."""
    if membership.coalition_id != page.coalition_id:
        raise FundraisingError("Only a member organization of the coalition can host.")
    share = Decimal(str(share))
    if share < 0 or share > 100:
        raise FundraisingError("A share is between 0 and 100 %.")
    FundraisingPage.objects.select_for_update().get(pk=page.pk)  # one writer of shares at a time
    others = Host.objects.filter(page=page).exclude(membership=membership).aggregate(
        s=Sum("share")
    )["s"] or Decimal(0)
    if others + share > 100:
        raise FundraisingError(f"The hosts' shares would add up to {others + share} %, over 100 %.")
    host, created = Host.objects.get_or_create(
        page=page, membership=membership, defaults={"coalition": page.coalition, "share": share}
    )
    if not created and host.share != share:
        host.share = share
        host.save(update_fields=["share"])
    return host


def remove_host(*, host: Host) -> None:
    Host.objects.filter(pk=host.pk).delete()


@transaction.atomic
def save_receipt_settings(
    *, coalition: Coalition, legal_name: str, **fields: Any
) -> ReceiptSettings:
    allowed = {"tax_id", "address", "statement", "number_prefix"}
    if set(fields) - allowed:
        raise FundraisingError("Unknown receipt fields.")
    if not legal_name.strip():
        raise FundraisingError("Receipts need the legal name.")
    row, _ = ReceiptSettings.objects.update_or_create(
        coalition=coalition,
        defaults={"legal_name": legal_name.strip(), "modified_at": timezone.now(), **fields},
    )
    return row


# --- giving --------------------------------------------------------------------------------------


def _attribution(page: FundraisingPage, referrer: str) -> Membership | None:
    """The member organization a referral code credits: a host's code, or the host that a
    referring donor's own gift credited."""
    code = referrer.strip()[:32]
    if not code:
        return None
    host = Host.objects.filter(page=page, ref_code=code).select_related("membership").first()
    if host is not None:
        return host.membership
    referring = (
        Donation.objects.for_coalition(page.coalition_id)
        .filter(ref_code=code)
        .select_related("host_membership")
        .first()
    )
    return referring.host_membership if referring is not None else None


def _check_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise FundraisingError("The request needs an idempotency key (at most 100 characters).")
    return key


def _existing(coalition_id: int, key: str) -> Donation | None:
    return (
        Donation.objects.for_coalition(coalition_id)
        .filter(idempotency_key=key)
        .select_related("page", "recurring_gift")
        .first()
    )


def _email_of(person: PersonData) -> str:
    for email in person.emails:
        if email.address.strip():
            return email.address.strip()
    return ""


def site_url() -> str:
    return str(settings.CAIRN_SITE_URL).rstrip("/")


def start_donation(
    *,
    page: FundraisingPage,
    person: PersonData,
    amount: Decimal | str,
    recurrence: str = Recurrence.ONE_OFF,
    cover_fee: bool = False,
    idempotency_key: str,
    referrer: str = "",
    show_on_wall: bool = False,
    wall_name: str = "",
    source: str = "",
    origin_system: str = "Cairn",
    created_at: dt.datetime | None = None,
) -> DonationStart:
    """A pending donation and its checkout address; a retry with the same key returns the first
    donation and the same address, never a second row or a second checkout."""
    key = _check_key(idempotency_key)
    donation = _existing(page.coalition_id, key)
    created = False
    if donation is None:
        donation, created = _insert_donation(
            page=page,
            person=person,
            amount=amount,
            recurrence=recurrence,
            cover_fee=cover_fee,
            key=key,
            referrer=referrer,
            show_on_wall=show_on_wall,
            wall_name=wall_name,
            source=source,
            origin_system=origin_system,
            created_at=created_at,
        )
    if donation.page_id != page.pk:
        raise FundraisingError("This idempotency key was used for another page.")
    if donation.provider != Provider.STRIPE:
        raise FundraisingError("This idempotency key was used for an offline gift.")
    return DonationStart(donation=donation, created=created, redirect_url=_checkout(donation))


def _validate_gift(
    page: FundraisingPage, amount: Decimal | str, recurrence: str
) -> tuple[Decimal, str]:
    if not page.accepts_donations:
        raise FundraisingError("This page does not take donations now.")
    if recurrence not in Recurrence.values:
        raise FundraisingError("A gift is one-off or monthly.")
    if recurrence == Recurrence.MONTHLY and not page.monthly_allowed:
        raise FundraisingError("This page does not take monthly gifts.")
    value = parse_amount(amount, currency=page.currency)
    if value < page.minimum_amount:
        raise FundraisingError(f"The smallest gift is {page.minimum_amount} {page.currency}.")
    return value, recurrence


@transaction.atomic
def _insert_donation(
    *,
    page: FundraisingPage,
    person: PersonData,
    amount: Decimal | str,
    recurrence: str,
    cover_fee: bool,
    key: str,
    referrer: str,
    show_on_wall: bool,
    wall_name: str,
    source: str,
    origin_system: str,
    created_at: dt.datetime | None = None,
) -> tuple[Donation, bool]:
    value, recurrence = _validate_gift(page, amount, recurrence)
    if not card_payments_enabled():
        raise FundraisingError("Card gifts are not set up on this site.")
    email = _email_of(person)
    if not email:
        raise FundraisingError("A donation needs an email address for its receipt.")
    fee = (
        money.fee_for(
            value,
            rate_percent=page.fee_cover_rate,
            fixed=page.fee_cover_fixed,
            currency=page.currency,
        )
        if cover_fee
        else Decimal(0)
    )
    supporter = people.upsert_person(
        coalition=page.coalition,
        data=person,
        source_action=source or f"donation:{page.slug}",
        source_referral=referrer[:200],
    ).person
    donation = Donation(
        coalition_id=page.coalition_id,
        page=page,
        person=supporter,
        email=email,
        amount=value,
        fee_amount=fee,
        currency=page.currency,
        recurrence=recurrence,
        provider=Provider.STRIPE,
        idempotency_key=key,
        referrer=referrer.strip()[:32],
        host_membership=_attribution(page, referrer),
        show_on_wall=bool(show_on_wall and page.donor_wall),
        wall_name=" ".join(wall_name.split())[:100],
        origin_system=origin_system[:100],
        created_at=created_at or timezone.now(),
    )
    # INSERT … ON CONFLICT (coalition, idempotency_key) DO NOTHING: a concurrent retry that won
    # the race leaves our insert a no-op, and we read its row.
    Donation.objects.bulk_create([donation], ignore_conflicts=True)
    stored = Donation.objects.select_related("page", "recurring_gift").get(
        coalition_id=page.coalition_id, idempotency_key=key
    )
    created = stored.uuid == donation.uuid
    if created and recurrence == Recurrence.MONTHLY:
        gift = RecurringGift.objects.create(
            created_at=stored.created_at,
            coalition_id=page.coalition_id,
            page=page,
            person=supporter,
            email=email,
            amount=value,
            fee_amount=fee,
            currency=page.currency,
        )
        Donation.objects.filter(pk=stored.pk).update(recurring_gift=gift)
        stored.recurring_gift = gift
    return stored, created


def _checkout(donation: Donation) -> str:
    """The donation's checkout address, asked of the provider once (by our row's key)."""
    if donation.checkout_url:
        return donation.checkout_url
    if donation.status != Status.PENDING:
        return thanks_url(donation)
    page = donation.page
    page_url = site_url() + reverse("fundraising_public:page", kwargs={"page_slug": page.slug})
    provider = provider_named(donation.provider)
    checkout = provider.start_checkout(
        CheckoutRequest(
            reference=str(donation.uuid),
            amount_minor=money.to_minor(donation.total, donation.currency),
            currency=donation.currency,
            monthly=donation.recurrence == Recurrence.MONTHLY,
            description=f"{page.title} ({page.coalition.name})",
            email=donation.email,
            success_url=thanks_url(donation),
            cancel_url=page_url,
            idempotency_key=donation.provider_key,
        )
    )
    Donation.objects.filter(pk=donation.pk, checkout_url="").update(
        provider_checkout_id=checkout.checkout_id, checkout_url=checkout.url
    )
    donation.provider_checkout_id, donation.checkout_url = checkout.checkout_id, checkout.url
    return checkout.url


def thanks_url(donation: Donation) -> str:
    return site_url() + reverse(
        "fundraising_public:thanks",
        kwargs={"page_slug": donation.page.slug, "donation_uuid": donation.uuid},
    )


@transaction.atomic
def record_offline_donation(
    *,
    page: FundraisingPage,
    person: PersonData,
    amount: Decimal | str,
    method: str,
    by: User | None,
    idempotency_key: str,
    reference: str = "",
    received_at: dt.datetime | None = None,
    host_membership: Membership | None = None,
    show_on_wall: bool = False,
    wall_name: str = "",
    recurrence: str = Recurrence.ONE_OFF,
    referrer: str = "",
) -> DonationStart:
    """A cheque, bank transfer or cash gift a steward received: succeeded and in the ledger at
    once; the same key again returns the first entry. `recurrence` says whether it is one
    installment of a monthly gift taken elsewhere (recorded as told: Cairn runs no subscription
    for it); `referrer` is the referral code the client reports."""
    key = _check_key(idempotency_key)
    existing = _existing(page.coalition_id, key)
    if existing is not None:
        return DonationStart(donation=existing, created=False, redirect_url="")
    if method not in Donation.OfflineMethod.values:
        raise FundraisingError("Choose how the gift came: cheque, bank transfer or cash.")
    if page.status == FundraisingPage.Status.DRAFT:
        raise FundraisingError("Publish the page before recording gifts to it.")
    if recurrence not in Recurrence.values:
        raise FundraisingError("A gift is one-off or monthly.")
    value = parse_amount(amount, currency=page.currency)
    if host_membership is not None and host_membership.coalition_id != page.coalition_id:
        raise FundraisingError("The credited member belongs to another coalition.")
    # A cheque may come without an email: the gift is recorded, the supporter base left alone.
    supporter = (
        people.upsert_person(
            coalition=page.coalition, data=person, source_action=f"donation:{page.slug}"
        ).person
        if _email_of(person) or person.phones
        else None
    )
    now = timezone.now()
    donation = Donation(
        coalition_id=page.coalition_id,
        page=page,
        person=supporter,
        email=_email_of(person),
        amount=value,
        currency=page.currency,
        provider=Provider.OFFLINE,
        offline_method=method,
        offline_reference=reference.strip()[:200],
        recurrence=recurrence,
        referrer=referrer.strip()[:32],
        idempotency_key=key,
        host_membership=host_membership,
        show_on_wall=bool(show_on_wall and page.donor_wall),
        wall_name=" ".join(wall_name.split())[:100],
        recorded_by=by,
        status=Status.SUCCEEDED,
        succeeded_at=received_at or now,
        created_at=received_at or now,
    )
    Donation.objects.bulk_create([donation], ignore_conflicts=True)
    stored = Donation.objects.select_related("page", "page__fund").get(
        coalition_id=page.coalition_id, idempotency_key=key
    )
    created = stored.uuid == donation.uuid
    if created:
        _succeeded(stored)
    return DonationStart(donation=stored, created=created, redirect_url="")


def _succeeded(donation: Donation) -> None:
    """Post to the ledger, number the receipt and send it (on commit)."""
    accounting.post_succeeded(donation)
    prefix = (
        ReceiptSettings.objects.filter(coalition_id=donation.coalition_id)
        .values_list("number_prefix", flat=True)
        .first()
    )
    donation.receipt_number = f"{prefix or 'R-'}{donation.coalition_id}-{donation.pk:07d}"
    Donation.objects.filter(pk=donation.pk).update(receipt_number=donation.receipt_number)
    if donation.email:
        pk = donation.pk
        transaction.on_commit(lambda: tasks.send_receipt.enqueue(pk))


# --- provider events -----------------------------------------------------------------------------


def handle_provider_event(*, provider: str, payload: bytes, signature: str) -> EventResult:
    """Verify a webhook, store it once and apply it once (InvalidSignature: nothing stored)."""
    verified = provider_named(provider).verify_event(payload, signature)
    with transaction.atomic():
        ProviderEvent.objects.bulk_create(
            [
                ProviderEvent(
                    provider=provider,
                    event_id=verified.event_id,
                    type=verified.type[:100],
                    payload=verified.payload,
                )
            ],
            ignore_conflicts=True,
        )
        event = ProviderEvent.objects.select_for_update().get(
            provider=provider, event_id=verified.event_id
        )
        if event.processed_at is not None:
            return EventResult(event=event, created=False, outcome=event.outcome)
        outcomes: list[str] = []
        for update in verified.updates:
            outcome, donation = _apply(update)
            outcomes.append(outcome)
            if donation is not None:
                event.donation, event.coalition_id = donation, donation.coalition_id
        event.outcome = "; ".join(outcomes)[:200]
        event.processed_at = timezone.now()
        event.save(update_fields=["outcome", "processed_at", "donation", "coalition"])
        return EventResult(event=event, created=True, outcome=event.outcome)


def _locked(**lookup: Any) -> Donation | None:
    return (
        Donation.objects.select_for_update(of=("self",))
        .select_related("page", "page__fund", "recurring_gift")
        .filter(**lookup)
        .order_by("pk")
        .first()
    )


def _apply(update: PaymentUpdate) -> tuple[str, Donation | None]:
    K = UpdateKind
    # When the provider says it happened: a delivery retried days later keeps the original time.
    at = (
        dt.datetime.fromtimestamp(update.occurred_at, tz=dt.UTC)
        if update.occurred_at
        else timezone.now()
    )
    on = timezone.localdate(at)
    if update.kind == K.CHECKOUT_PAID:
        return _checkout_paid(update, at)
    if update.kind == K.CHECKOUT_EXPIRED:
        donation = _find_checkout(update)
        if donation is None:
            return "unknown checkout", None
        if donation.status == Status.PENDING:
            _set_status(donation, Status.FAILED)
            if donation.recurring_gift is not None:
                _gift_status(donation.recurring_gift, GiftStatus.CANCELLED)
            return "checkout expired", donation
        return f"checkout expired, already {donation.status}", donation
    if update.kind in {K.INVOICE_PAID, K.INVOICE_FAILED}:
        return _invoice(update, at)
    if update.kind == K.REFUNDED:
        return _refunded(update, on)
    if update.kind == K.DISPUTED:
        donation = _locked(provider_payment_id=update.payment_id) if update.payment_id else None
        if donation is None:
            return "unknown payment", None
        if donation.status != Status.SUCCEEDED:
            return f"dispute on a {donation.status} donation", donation
        accounting.post_dispute(donation, donation.total - donation.refunded_amount, on)
        _set_status(donation, Status.DISPUTED)
        return "disputed", donation
    if update.kind == K.DISPUTE_WON:
        donation = _locked(provider_payment_id=update.payment_id) if update.payment_id else None
        if donation is None or donation.status != Status.DISPUTED:
            return "dispute closed", donation
        accounting.post_dispute_won(donation, donation.total - donation.refunded_amount, on)
        _set_status(donation, Status.SUCCEEDED)
        return "dispute won", donation
    if update.kind == K.SUBSCRIPTION_CANCELLED:
        gift = (
            RecurringGift.objects.select_for_update()
            .filter(provider_subscription_id=update.subscription_id)
            .first()
            if update.subscription_id
            else None
        )
        if gift is None:
            return "unknown subscription", None
        _gift_status(gift, GiftStatus.CANCELLED)
        return "monthly gift cancelled", None
    return "ignored", None


def _find_checkout(update: PaymentUpdate) -> Donation | None:
    if update.reference:
        donation = _locked(uuid=update.reference) if _is_uuid(update.reference) else None
        if donation is not None:
            return donation
    if update.checkout_id:
        return _locked(provider_checkout_id=update.checkout_id)
    return None


def _is_uuid(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F-]{32,36}", value))


def _set_status(donation: Donation, status: str, **fields: Any) -> None:
    donation.status = status
    donation.modified_at = timezone.now()
    for name, value in fields.items():
        setattr(donation, name, value)
    donation.save(update_fields=["status", "modified_at", *fields])


def _gift_status(gift: RecurringGift, status: str, **fields: Any) -> None:
    gift.status = status
    gift.modified_at = timezone.now()
    if status == GiftStatus.CANCELLED and gift.cancelled_at is None:
        gift.cancelled_at = gift.modified_at
        fields.setdefault("cancelled_at", gift.cancelled_at)
    for name, value in fields.items():
        setattr(gift, name, value)
    gift.save(update_fields=["status", "modified_at", *fields])


def _checkout_paid(update: PaymentUpdate, at: dt.datetime) -> tuple[str, Donation | None]:
    donation = _find_checkout(update)
    if donation is None:
        return "unknown checkout", None
    if donation.status not in {Status.PENDING, Status.FAILED}:
        return f"already {donation.status}", donation
    note = "succeeded"
    paid = money.from_minor(update.amount_minor, donation.currency) if update.amount_minor else None
    if paid is not None and paid != donation.total:
        note = f"succeeded (paid {paid}, expected {donation.total})"
    _set_status(
        donation,
        Status.SUCCEEDED,
        provider_payment_id=update.payment_id or donation.provider_payment_id,
        provider_checkout_id=update.checkout_id or donation.provider_checkout_id,
        succeeded_at=at,
    )
    gift = donation.recurring_gift
    if gift is not None:
        _gift_status(
            gift,
            GiftStatus.ACTIVE,
            provider_subscription_id=update.subscription_id,
            provider_customer_id=update.customer_id,
        )
    _succeeded(donation)
    return note, donation


def _invoice(update: PaymentUpdate, at: dt.datetime) -> tuple[str, Donation | None]:
    gift = (
        RecurringGift.objects.select_for_update()
        .select_related("page")
        .filter(provider_subscription_id=update.subscription_id)
        .first()
        if update.subscription_id
        else None
    )
    if gift is None:
        return "unknown subscription", None
    paid = update.kind == UpdateKind.INVOICE_PAID
    amount = (
        money.from_minor(update.amount_minor, gift.currency) if update.amount_minor else gift.total
    )
    fee = min(gift.fee_amount, amount)
    now = timezone.now()
    row = Donation(
        coalition_id=gift.coalition_id,
        page=gift.page,
        person=gift.person,
        email=gift.email,
        amount=amount - fee if amount - fee > 0 else amount,
        fee_amount=fee if amount - fee > 0 else Decimal(0),
        currency=gift.currency,
        recurrence=Recurrence.MONTHLY,
        recurring_gift=gift,
        status=Status.SUCCEEDED if paid else Status.FAILED,
        provider=gift.provider,
        provider_payment_id=update.payment_id,
        idempotency_key=f"invoice:{update.invoice_id}"[:MAX_KEY_LENGTH],
        host_membership=_first_host_credit(gift),
        succeeded_at=at if paid else None,
    )
    Donation.objects.bulk_create([row], ignore_conflicts=True)
    donation = _locked(coalition_id=gift.coalition_id, idempotency_key=row.idempotency_key)
    if donation is None:  # pragma: no cover - the row was just inserted or already there
        raise FundraisingError("The monthly payment could not be recorded.")
    if donation.uuid != row.uuid:
        return "invoice already recorded", donation
    if paid:
        _gift_status(gift, GiftStatus.ACTIVE, failed_payments=0)
        _succeeded(donation)
        return "monthly payment succeeded", donation
    _gift_status(
        gift, GiftStatus.PAST_DUE, failed_payments=gift.failed_payments + 1, last_reminder_at=now
    )
    gift_pk = gift.pk
    transaction.on_commit(lambda: tasks.send_payment_reminder.enqueue(gift_pk))
    return "monthly payment failed, reminder sent", donation


def _first_host_credit(gift: RecurringGift) -> Membership | None:
    first = gift.donations.order_by("pk").select_related("host_membership").first()
    return first.host_membership if first is not None else None


def _refunded(update: PaymentUpdate, on: dt.date) -> tuple[str, Donation | None]:
    donation = _locked(provider_payment_id=update.payment_id) if update.payment_id else None
    if donation is None:
        return "unknown payment", None
    cumulative = money.from_minor(update.amount_minor, donation.currency)
    cumulative = min(cumulative, donation.total)
    delta = cumulative - donation.refunded_amount
    if delta <= 0 or donation.status not in {Status.SUCCEEDED, Status.REFUNDED}:
        return "refund already recorded", donation
    _record_refund(donation, delta, cumulative, on)
    return f"refunded {cumulative}", donation


def _record_refund(donation: Donation, delta: Decimal, cumulative: Decimal, on: dt.date) -> None:
    accounting.post_refund(donation, delta, cumulative, on)
    status = Status.REFUNDED if cumulative >= donation.total else donation.status
    _set_status(donation, status, refunded_amount=cumulative)


# --- refunds and monthly gifts -------------------------------------------------------------------


def refund_donation(
    *, donation: Donation, by: User | None, amount: Decimal | str | None = None
) -> RefundResult:
    """Give back `amount` (all that is left by default). A card refund is asked of the provider
    and recorded when its webhook arrives; an offline refund is recorded at once."""
    with transaction.atomic():
        locked = _locked(pk=donation.pk)
        if locked is None:
            raise FundraisingError("No such donation.")
        if locked.status != Status.SUCCEEDED:
            raise FundraisingError("Only a succeeded donation can be refunded.")
        left = locked.total - locked.refunded_amount
        value = left if amount in (None, "") else parse_amount(amount, currency=locked.currency)
        if value > left:
            raise FundraisingError(f"At most {left} {locked.currency} is left to refund.")
        cumulative = locked.refunded_amount + value
        if locked.provider == Provider.OFFLINE:
            locked.recorded_by = by
            _record_refund(locked, value, cumulative, timezone.localdate())
            return RefundResult(donation=locked, requested=value, pending=False)
        if not locked.provider_payment_id:
            raise FundraisingError("The provider has not reported this payment yet.")
        Donation.objects.filter(pk=locked.pk).update(refund_requested_at=timezone.now())
    provider_named(locked.provider).refund(
        payment_id=locked.provider_payment_id,
        amount_minor=money.to_minor(value, locked.currency),
        idempotency_key=f"cairn-refund-{locked.uuid}-{money.to_minor(cumulative, locked.currency)}",
    )
    return RefundResult(donation=locked, requested=value, pending=True)


def cancel_recurring(*, gift: RecurringGift) -> RecurringGift:
    """Stop a monthly gift: the provider's subscription is cancelled first, then ours."""
    if gift.status == GiftStatus.CANCELLED:
        return gift
    if gift.provider_subscription_id:
        provider_named(gift.provider).cancel_subscription(
            subscription_id=gift.provider_subscription_id,
            idempotency_key=f"cairn-cancel-{gift.uuid}",
        )
    with transaction.atomic():
        locked = RecurringGift.objects.select_for_update().get(pk=gift.pk)
        if locked.status != GiftStatus.CANCELLED:
            _gift_status(locked, GiftStatus.CANCELLED, nonce=_new_nonce())
        return locked


def change_recurring_amount(*, gift: RecurringGift, amount: Decimal | str) -> RecurringGift:
    """A new monthly amount from the next month on (the fee cover keeps its share)."""
    if gift.status not in {GiftStatus.ACTIVE, GiftStatus.PAST_DUE}:
        raise FundraisingError("Only an active monthly gift can change.")
    value = parse_amount(amount, currency=gift.currency)
    page = gift.page
    if value < page.minimum_amount:
        raise FundraisingError(f"The smallest gift is {page.minimum_amount} {page.currency}.")
    fee = (
        money.fee_for(
            value,
            rate_percent=page.fee_cover_rate,
            fixed=page.fee_cover_fixed,
            currency=page.currency,
        )
        if gift.fee_amount > 0
        else Decimal(0)
    )
    provider_named(gift.provider).change_subscription_amount(
        subscription_id=gift.provider_subscription_id,
        item_id=gift.provider_item_id,
        amount_minor=money.to_minor(value + fee, gift.currency),
        currency=gift.currency,
        idempotency_key=f"cairn-change-{gift.uuid}-{money.to_minor(value + fee, gift.currency)}",
    )
    with transaction.atomic():
        locked = RecurringGift.objects.select_for_update().get(pk=gift.pk)
        locked.amount, locked.fee_amount, locked.modified_at = value, fee, timezone.now()
        locked.save(update_fields=["amount", "fee_amount", "modified_at"])
        return locked


def _new_nonce() -> str:
    from .models import new_nonce

    return new_nonce()


def manage_token(gift: RecurringGift) -> str:
    """The donor's signed link to change or cancel their monthly gift (no account needed)."""
    return signing.dumps([str(gift.uuid), gift.nonce], salt=MANAGE_SALT, compress=True)


def manage_url(gift: RecurringGift) -> str:
    return site_url() + reverse("fundraising_public:manage", kwargs={"token": manage_token(gift)})
