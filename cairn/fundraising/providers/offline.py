"""Offline gifts: cheques, bank transfers and cash that a steward records by hand.

There is no processor to ask: the steward's entry is the verification (who recorded it is kept on
the donation), a refund is money the steward sent back, and no webhook ever comes.
"""

from __future__ import annotations

import secrets

from .base import Checkout, CheckoutRequest, ProviderError, VerifiedEvent


class OfflineProvider:
    name = "offline"

    def checkout_origin(self) -> str:
        return ""  # no browser checkout

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        raise ProviderError("Offline gifts are recorded by a steward, not paid online.")

    def refund(self, *, payment_id: str, amount_minor: int, idempotency_key: str) -> str:
        return f"offline-refund-{secrets.token_hex(6)}"

    def cancel_subscription(self, *, subscription_id: str, idempotency_key: str) -> None:
        return None

    def change_subscription_amount(
        self,
        *,
        subscription_id: str,
        item_id: str,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
    ) -> None:
        raise ProviderError("Offline gifts have no monthly subscription to change.")

    def verify_event(self, payload: bytes, signature: str) -> VerifiedEvent:
        raise ProviderError("Offline gifts have no webhooks.")
