"""Payment providers and how this deployment picks one (secrets come from the environment).

CAIRN_PAYMENTS:
- "stripe": real Stripe; STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set (and the
  webhook endpoint /give/webhooks/stripe/ registered in Stripe's dashboard).
- "fake" (the demo's default, and the tests'): a local fake of Stripe's API
  (`fake_stripe.FakeStripe`) started in this process on 127.0.0.1, or the one at
  CAIRN_STRIPE_API_BASE when set (run it alone with `python -m
  cairn.fundraising.providers.fake_stripe`); it posts signed webhooks to
  CAIRN_SITE_URL + /give/webhooks/stripe/. Nothing reaches the network.
- "" or "off": card gifts are not offered; stewards still record offline gifts.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from .base import PaymentProvider, ProviderError
from .fake_stripe import FakeStripe
from .offline import OfflineProvider
from .stripe import StripeProvider

FAKE_SECRET_KEY = "sk_test_cairn_fake"  # noqa: S105 (the local fake's key, not a secret)
FAKE_WEBHOOK_SECRET = "whsec_cairn_fake"  # noqa: S105 (the same)
WEBHOOK_PATH = "/give/webhooks/stripe/"

_lock = threading.Lock()
_fake: FakeStripe | None = None
_forced: str = ""  # "fake" while `using_fake` runs (the demo loader), whatever the settings


def mode() -> str:
    if _forced:
        return _forced
    return str(os.environ.get("CAIRN_PAYMENTS") or getattr(settings, "CAIRN_PAYMENTS", "")).lower()


@contextmanager
def using_fake(fake: FakeStripe) -> Iterator[FakeStripe]:
    """Card payments through `fake` for the duration (the demo loader's gifts), then as before."""
    global _fake, _forced
    with _lock:
        before = (_fake, _forced)
        _fake, _forced = fake, "fake"
    try:
        yield fake
    finally:
        with _lock:
            _fake, _forced = before


def card_payments_enabled() -> bool:
    return mode() in {"stripe", "fake"}


def local_fake() -> FakeStripe:
    """The in-process fake of this deployment (started on first use)."""
    global _fake
    with _lock:
        if _fake is None:
            site = str(getattr(settings, "CAIRN_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")
            _fake = FakeStripe(
                webhook_secret=FAKE_WEBHOOK_SECRET, webhook_url=site + WEBHOOK_PATH
            ).start()
        return _fake


def use_fake(fake: FakeStripe | None) -> None:
    """Tests: make `fake` the deployment's fake (None forgets it)."""
    global _fake
    with _lock:
        _fake = fake


def card_provider() -> PaymentProvider:
    """The card provider this deployment is set up for; ProviderError when there is none."""
    current = mode()
    if current == "stripe":
        return StripeProvider(
            secret_key=os.environ.get("STRIPE_SECRET_KEY", ""),
            webhook_secret=os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
            api_base=os.environ.get("CAIRN_STRIPE_API_BASE", ""),
        )
    if current == "fake":
        base = "" if _forced else os.environ.get("CAIRN_STRIPE_API_BASE", "")
        if base:
            return StripeProvider(
                secret_key=FAKE_SECRET_KEY,
                webhook_secret=os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_demo_fake"),
                api_base=base,
            )
        fake = local_fake()
        return StripeProvider(
            secret_key=FAKE_SECRET_KEY, webhook_secret=fake.webhook_secret, api_base=fake.api_base
        )
    raise ProviderError("Card gifts are not set up on this site.")


def checkout_origin() -> str:
    """The card provider's checkout origin ("" when card gifts are off or not set up): the
    public page and the donate view add it, and only it, to their CSP form-action, since the
    browser applies form-action to the redirect that follows the donate form's POST."""
    if not card_payments_enabled():
        return ""
    try:
        return card_provider().checkout_origin()
    except ProviderError:
        return ""


def provider_named(name: str) -> PaymentProvider:
    if name == "offline":
        return OfflineProvider()
    if name == "stripe":
        return card_provider()
    raise ProviderError(f"Unknown payment provider {name!r}.")
