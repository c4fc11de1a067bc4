"""The payment provider interface: what the fundraising services ask of a provider.

A provider starts a checkout (one-off or monthly), refunds a payment, cancels or changes a
subscription, and turns a webhook request into a verified, provider-neutral `PaymentUpdate`
list. Amounts cross this boundary in integer minor units (`cairn.fundraising.money`); the
services keep Decimal. A provider never writes our tables: the services apply its updates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class ProviderError(Exception):
    """The provider refused or could not be reached: the message is safe to show."""


class InvalidSignature(ProviderError):
    """A webhook whose signature does not verify: nothing is stored or applied."""


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    reference: str  # our donation's uuid: comes back in every event about it
    amount_minor: int  # what the donor is charged (the gift plus any fee covered)
    currency: str
    monthly: bool
    description: str
    email: str
    success_url: str
    cancel_url: str
    idempotency_key: str  # derived from our row (Donation.provider_key)


@dataclass(frozen=True, slots=True)
class Checkout:
    checkout_id: str
    url: str


class UpdateKind(StrEnum):
    CHECKOUT_PAID = "checkout_paid"  # a one-off payment or a subscription's first month paid
    CHECKOUT_EXPIRED = "checkout_expired"  # the donor never paid
    INVOICE_PAID = "invoice_paid"  # a later month of a subscription paid
    INVOICE_FAILED = "invoice_failed"  # a month's payment failed
    REFUNDED = "refunded"  # a payment (partly) refunded
    DISPUTED = "disputed"  # a chargeback opened
    DISPUTE_WON = "dispute_won"  # the chargeback closed in our favour
    SUBSCRIPTION_CANCELLED = "subscription_cancelled"
    IGNORED = "ignored"  # an event type we do not act on


@dataclass(frozen=True, slots=True)
class PaymentUpdate:
    kind: UpdateKind
    reference: str = ""  # our donation uuid when the event carries it (metadata)
    checkout_id: str = ""
    payment_id: str = ""
    subscription_id: str = ""
    customer_id: str = ""
    invoice_id: str = ""
    amount_minor: int = 0  # paid, refunded (cumulative) or disputed
    currency: str = ""
    occurred_at: int = 0  # when the provider says it happened (Unix time; 0: unknown, now)


@dataclass(frozen=True, slots=True)
class VerifiedEvent:
    event_id: str
    type: str
    payload: dict[str, Any]
    updates: list[PaymentUpdate] = field(default_factory=list)


class PaymentProvider(Protocol):
    name: str

    def checkout_origin(self) -> str:
        """The origin (scheme://host[:port]) of the page `start_checkout` sends the donor to, ""
        when there is none: the donate form's Content-Security-Policy form-action allows it."""
        ...

    def start_checkout(self, request: CheckoutRequest) -> Checkout: ...

    def refund(self, *, payment_id: str, amount_minor: int, idempotency_key: str) -> str: ...

    def cancel_subscription(self, *, subscription_id: str, idempotency_key: str) -> None: ...

    def change_subscription_amount(
        self,
        *,
        subscription_id: str,
        item_id: str,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
    ) -> None: ...

    def verify_event(self, payload: bytes, signature: str) -> VerifiedEvent: ...
