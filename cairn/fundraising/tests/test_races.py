"""200 retries of one donation and 200 copies of its webhook, from 8 processes released by a
barrier (cairn.core.testing.races.race), on SQLite (IMMEDIATE) and PostgreSQL: one donation, one
checkout session at the provider, one stored event, one ledger transaction."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cairn.core.testing.races import race
from cairn.fundraising import services
from cairn.fundraising.models import Donation, FundraisingPage, ProviderEvent
from cairn.fundraising.providers.fake_stripe import FakeStripe
from cairn.ledger.models import Entry, LedgerTransaction

from .conftest import donor

pytestmark = pytest.mark.django_db(transaction=True)


def test_200_retries_and_200_webhook_copies_leave_one_donation_and_one_entry(
    page: FundraisingPage, fake_stripe: FakeStripe
) -> None:
    # given the URLconf loaded once here: forked workers would each import every app's views
    reverse("fundraising_public:page", kwargs={"page_slug": page.slug})
    sessions_before = fake_stripe.created["checkout.session"]
    # when 200 retries of one donation race
    starts = race(
        lambda i: services.start_donation(
            page=page, person=donor(), amount="25", cover_fee=True, idempotency_key="retry-me"
        ),
        workers=8,
        rounds=25,
    )
    # then one donation and one checkout session at the provider
    assert starts == ["ok"] * 200
    donation = Donation.objects.get()
    assert fake_stripe.created["checkout.session"] - sessions_before == 1
    assert donation.checkout_url == fake_stripe.sessions[donation.provider_checkout_id]["url"]

    # when its webhook arrives 200 times at once
    [(payload, signature)] = fake_stripe.complete_checkout(
        donation.provider_checkout_id, deliver=False
    )
    copies = race(
        lambda i: services.handle_provider_event(
            provider="stripe", payload=payload, signature=signature
        ),
        workers=8,
        rounds=25,
    )
    # then one event applied once: one succeeded donation, one ledger transaction
    assert copies == ["ok"] * 200
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert ProviderEvent.objects.count() == 1
    assert list(LedgerTransaction.objects.values_list("source", flat=True)) == [
        f"donation:{donation.pk}:succeeded"
    ]
    assert Entry.objects.count() == 2  # the gift and the fee cover, in one transaction
