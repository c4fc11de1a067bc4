"""Stripe, through the official `stripe` library: Checkout Sessions for one-off gifts
(mode=payment) and monthly gifts (mode=subscription, a monthly price made inline), refunds,
subscription changes, and webhooks verified by `stripe.Webhook.construct_event`.

Every create call carries an Idempotency-Key derived from our own row, so a retried request never
charges twice. `api_base` points the library at the local fake (`fake_stripe.py`) in tests and
the demo; the secret key and webhook secret come from the environment (see `providers.config`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import stripe

from .base import (
    Checkout,
    CheckoutRequest,
    InvalidSignature,
    PaymentUpdate,
    ProviderError,
    UpdateKind,
    VerifiedEvent,
)

STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"  # where hosted Checkout sessions live

# The library logs every request at INFO: a demo load or a busy day would flood the console.
logging.getLogger("stripe").setLevel(logging.WARNING)


def _metadata_reference(obj: dict[str, Any]) -> str:
    metadata = obj.get("metadata") or {}
    return str(metadata.get("cairn_donation") or obj.get("client_reference_id") or "")


def _id(value: Any) -> str:
    """An expandable field: an id, or the object itself."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def updates_from_event(event: dict[str, Any]) -> list[PaymentUpdate]:
    """The provider-neutral meaning of a Stripe event (types we do not act on: IGNORED)."""
    type_ = str(event.get("type", ""))
    obj: dict[str, Any] = (event.get("data") or {}).get("object") or {}
    K = UpdateKind
    if type_ in {"checkout.session.completed", "checkout.session.async_payment_succeeded"}:
        if obj.get("payment_status") not in {"paid", "no_payment_required"}:
            return [PaymentUpdate(kind=K.IGNORED)]  # an async payment still on its way
        return [
            PaymentUpdate(
                kind=K.CHECKOUT_PAID,
                reference=_metadata_reference(obj),
                checkout_id=str(obj.get("id", "")),
                payment_id=_id(obj.get("payment_intent")),
                subscription_id=_id(obj.get("subscription")),
                customer_id=_id(obj.get("customer")),
                invoice_id=_id(obj.get("invoice")),
                amount_minor=int(obj.get("amount_total") or 0),
                currency=str(obj.get("currency", "")).upper(),
            )
        ]
    if type_ in {"checkout.session.expired", "checkout.session.async_payment_failed"}:
        return [
            PaymentUpdate(
                kind=K.CHECKOUT_EXPIRED,
                reference=_metadata_reference(obj),
                checkout_id=str(obj.get("id", "")),
            )
        ]
    if type_ in {"invoice.paid", "invoice.payment_failed"}:
        if type_ == "invoice.paid" and obj.get("billing_reason") == "subscription_create":
            return [PaymentUpdate(kind=K.IGNORED)]  # the first month: checkout.session.completed
        subscription = _id(obj.get("subscription")) or _id(
            ((obj.get("parent") or {}).get("subscription_details") or {}).get("subscription")
        )
        return [
            PaymentUpdate(
                kind=K.INVOICE_PAID if type_ == "invoice.paid" else K.INVOICE_FAILED,
                subscription_id=subscription,
                customer_id=_id(obj.get("customer")),
                invoice_id=str(obj.get("id", "")),
                payment_id=_id(obj.get("payment_intent")),
                amount_minor=int(obj.get("amount_paid") or obj.get("amount_due") or 0),
                currency=str(obj.get("currency", "")).upper(),
            )
        ]
    if type_ == "charge.refunded":
        return [
            PaymentUpdate(
                kind=K.REFUNDED,
                payment_id=_id(obj.get("payment_intent")),
                amount_minor=int(obj.get("amount_refunded") or 0),
                currency=str(obj.get("currency", "")).upper(),
            )
        ]
    if type_ == "charge.dispute.created":
        return [
            PaymentUpdate(
                kind=K.DISPUTED,
                payment_id=_id(obj.get("payment_intent")),
                amount_minor=int(obj.get("amount") or 0),
                currency=str(obj.get("currency", "")).upper(),
            )
        ]
    if type_ == "charge.dispute.closed":
        kind = K.DISPUTE_WON if obj.get("status") == "won" else K.IGNORED
        return [PaymentUpdate(kind=kind, payment_id=_id(obj.get("payment_intent")))]
    if type_ == "customer.subscription.deleted":
        return [
            PaymentUpdate(kind=K.SUBSCRIPTION_CANCELLED, subscription_id=str(obj.get("id", "")))
        ]
    return [PaymentUpdate(kind=K.IGNORED)]


class StripeProvider:
    name = "stripe"

    def __init__(self, *, secret_key: str, webhook_secret: str, api_base: str = "") -> None:
        if not secret_key or not webhook_secret:
            raise ProviderError("Card payments are not set up (no Stripe keys).")
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.api_base = api_base.rstrip("/")
        if api_base:
            stripe.api_base = self.api_base
        stripe.max_network_retries = 2  # the library resends with the same Idempotency-Key

    def checkout_origin(self) -> str:
        """The origin the donor's browser is sent to for paying: Stripe's hosted Checkout, or the
        local fake (which serves its checkout page beside its API)."""
        if self.api_base:
            parts = urlsplit(self.api_base)
            return f"{parts.scheme}://{parts.netloc}"
        return STRIPE_CHECKOUT_ORIGIN

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        price_data: dict[str, Any] = {
            "currency": request.currency.lower(),
            "unit_amount": request.amount_minor,
            "product_data": {"name": request.description[:250]},
        }
        if request.monthly:
            price_data["recurring"] = {"interval": "month"}
        params: dict[str, Any] = {
            "mode": "subscription" if request.monthly else "payment",
            "line_items": [{"price_data": price_data, "quantity": 1}],
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": request.reference,
            "metadata": {"cairn_donation": request.reference},
        }
        if request.email:
            params["customer_email"] = request.email
        if request.monthly:
            params["subscription_data"] = {"metadata": {"cairn_donation": request.reference}}
        else:
            params["payment_intent_data"] = {"metadata": {"cairn_donation": request.reference}}
        try:
            session = stripe.checkout.Session.create(
                api_key=self.secret_key, idempotency_key=request.idempotency_key, **params
            )
        except stripe.StripeError as error:
            raise ProviderError("The card processor could not start the payment.") from error
        return Checkout(checkout_id=str(session.id), url=str(session.url or ""))

    def refund(self, *, payment_id: str, amount_minor: int, idempotency_key: str) -> str:
        try:
            refund = stripe.Refund.create(
                api_key=self.secret_key,
                idempotency_key=idempotency_key,
                payment_intent=payment_id,
                amount=amount_minor,
            )
        except stripe.StripeError as error:
            raise ProviderError("The card processor refused the refund.") from error
        return str(refund.id)

    def cancel_subscription(self, *, subscription_id: str, idempotency_key: str) -> None:
        try:
            stripe.Subscription.cancel(
                subscription_id, api_key=self.secret_key, idempotency_key=idempotency_key
            )
        except stripe.InvalidRequestError as error:
            if getattr(error, "code", "") != "resource_missing":
                raise ProviderError("The card processor could not cancel the gift.") from error
        except stripe.StripeError as error:
            raise ProviderError("The card processor could not cancel the gift.") from error

    def change_subscription_amount(
        self,
        *,
        subscription_id: str,
        item_id: str,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
    ) -> None:
        try:
            subscription = stripe.Subscription.retrieve(subscription_id, api_key=self.secret_key)
            items = subscription["items"]["data"]
            item = item_id or (str(items[0]["id"]) if items else "")
            product = str(items[0]["price"]["product"]) if items else ""
            stripe.Subscription.modify(
                subscription_id,
                api_key=self.secret_key,
                idempotency_key=idempotency_key,
                items=[
                    {
                        "id": item,
                        "price_data": {
                            "currency": currency.lower(),
                            "unit_amount": amount_minor,
                            "product": product,
                            "recurring": {"interval": "month"},
                        },
                    }
                ],
                proration_behavior="none",
            )
        except stripe.StripeError as error:
            raise ProviderError("The card processor could not change the gift.") from error

    def verify_event(self, payload: bytes, signature: str) -> VerifiedEvent:
        try:
            stripe.Webhook.construct_event(payload, signature, self.webhook_secret)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise InvalidSignature("The webhook's signature does not verify.") from error
        event: dict[str, Any] = json.loads(payload)
        return VerifiedEvent(
            event_id=str(event["id"]),
            type=str(event.get("type", "")),
            payload=event,
            updates=[
                replace(update, occurred_at=int(event.get("created") or 0))
                for update in updates_from_event(event)
            ],
        )
