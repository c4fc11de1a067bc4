"""Coalition B's fundraising for the tenant walker: a page (opened, given to, then back to a
draft, so that its public pages and widget answer 404 too), a co-host with a share, offline gifts
(one refunded), a monthly card gift through the local fake of Stripe (on 127.0.0.1) with its
signed webhooks stored as provider events, the receipt's legal fields, and the ids of the app's
routes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cairn.fundraising import providers, services
from cairn.fundraising.models import (
    Donation,
    FundraisingPage,
    Host,
    ProviderEvent,
    ReceiptSettings,
    Recurrence,
    RecurringGift,
)
from cairn.fundraising.providers.fake_stripe import FakeStripe
from cairn.people.services import EmailInput, PersonData

from . import Context

MODELS = [FundraisingPage, Host, Donation, RecurringGift, ProviderEvent, ReceiptSettings]


def rows(ctx: Context) -> dict[str, Any]:
    services.save_receipt_settings(
        coalition=ctx.coalition, legal_name=ctx.secret, tax_id=ctx.secret, address=ctx.secret
    )
    page = services.create_page(
        coalition=ctx.coalition,
        title=f"{ctx.secret} beds fund",
        by=None,
        description=ctx.secret,
        goal=Decimal(5000),
        status=FundraisingPage.Status.OPEN,
    )
    host = services.set_host(page=page, membership=ctx.member, share=Decimal(50))
    person = PersonData(given_name=ctx.secret, emails=[EmailInput("zebra.gift@example.org")])
    gift = services.record_offline_donation(
        page=page,
        person=person,
        amount="75",
        method="cheque",
        by=None,
        idempotency_key="zebra-cheque",
        reference=ctx.secret,
        host_membership=ctx.member,
        show_on_wall=True,
        wall_name=ctx.secret,
    ).donation
    refunded = services.record_offline_donation(
        page=page,
        person=person,
        amount="20",
        method="bank_transfer",
        by=None,
        idempotency_key="zebra-transfer",
        reference=ctx.secret,
    ).donation
    services.refund_donation(donation=refunded, by=None)
    fake = FakeStripe(webhook_secret="whsec_tenant_walker").start()  # loopback only
    try:
        with providers.using_fake(fake):
            monthly = services.start_donation(
                page=page,
                person=person,
                amount="15",
                recurrence=Recurrence.MONTHLY,
                idempotency_key="zebra-monthly",
                referrer="zebra",
            ).donation
            for payload, signature in fake.complete_checkout(
                monthly.provider_checkout_id, deliver=False
            ):
                services.handle_provider_event(
                    provider="stripe", payload=payload, signature=signature
                )
    finally:
        fake.stop()
    assert RecurringGift.objects.filter(coalition=ctx.coalition).exists()
    assert ProviderEvent.objects.filter(coalition=ctx.coalition).exists()
    page = services.update_page(page=page, status=FundraisingPage.Status.DRAFT)
    for key, value in {
        "share": "10",
        "method": "cheque",
        "amount": "10",
        "given_name": "Hijacker",
        "idempotency_key": "walker-key",
        "currency": "USD",
        "minimum_amount": "1",
        "fee_cover_rate": "0",
        "fee_cover_fixed": "0",
        "legal_name": "Hijacked",
        "number_prefix": "H-",
        "status": "open",
    }.items():
        ctx.post_data.setdefault(key, value)
    return {
        "page_id": page.pk,
        "page_slug": page.slug,
        "host_id": host.pk,
        "donation_id": gift.pk,
        "donation_uuid": gift.uuid,
    }
