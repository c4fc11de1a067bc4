"""Giving through the fake Stripe: a donation changes only on a verified webhook, once."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from cairn.coalitions.models import Membership
from cairn.fundraising import selectors, services
from cairn.fundraising.models import (
    Donation,
    FundraisingPage,
    ProviderEvent,
    Recurrence,
    RecurringGift,
)
from cairn.fundraising.providers.base import InvalidSignature
from cairn.fundraising.providers.fake_stripe import FakeStripe, sign
from cairn.fundraising.services import EventResult, FundraisingError
from cairn.ledger.models import LedgerTransaction

from .conftest import donor

Deliver = Callable[[], list[EventResult]]
Status = Donation.Status


def _ledger(page: FundraisingPage) -> list[str]:
    return sorted(LedgerTransaction.objects.filter(fund=page.fund).values_list("source", flat=True))


def _balance(page: FundraisingPage, key_prefix: str) -> Decimal:
    from cairn.ledger.models import Entry

    total = Decimal(0)
    for e in Entry.objects.filter(fund=page.fund).select_related("debit", "credit"):
        if e.credit.key.startswith(key_prefix):
            total += e.amount
        if e.debit.key.startswith(key_prefix):
            total -= e.amount
    return total


def test_a_retried_start_returns_the_first_donation_and_checkout(
    page: FundraisingPage, fake_stripe: FakeStripe
) -> None:
    # given
    first = services.start_donation(
        page=page, person=donor(), amount="25", idempotency_key="k-1", cover_fee=True
    )
    # when
    again = services.start_donation(
        page=page, person=donor(), amount="25", idempotency_key="k-1", cover_fee=True
    )
    # then
    assert first.created
    assert not again.created
    assert again.donation.pk == first.donation.pk
    assert (
        again.redirect_url
        == first.redirect_url
        == fake_stripe.sessions[first.donation.provider_checkout_id]["url"]
    )
    assert Donation.objects.filter(page=page).count() == 1
    assert first.donation.status == Status.PENDING
    assert first.donation.fee_amount == Decimal("1.06")
    assert fake_stripe.sessions[first.donation.provider_checkout_id]["amount_total"] == 2606


def test_paid_checkout_succeeds_once_and_posts_to_the_ledger(
    page: FundraisingPage, fake_stripe: FakeStripe, deliver: Deliver
) -> None:
    # given
    start = services.start_donation(page=page, person=donor(), amount="50", idempotency_key="k")
    # when
    events = fake_stripe.complete_checkout(start.donation.provider_checkout_id)
    results = deliver()
    again = services.handle_provider_event(
        provider="stripe", payload=events[0][0], signature=events[0][1]
    )
    # then
    donation = Donation.objects.get(pk=start.donation.pk)
    assert donation.status == Status.SUCCEEDED
    assert donation.provider_payment_id.startswith("pi_")
    assert [r.created for r in results] == [True]
    assert not again.created
    assert ProviderEvent.objects.count() == 1
    assert _ledger(page) == [f"donation:{donation.pk}:succeeded"]
    assert _balance(page, "donations:") == Decimal("50")
    assert selectors.thermometer(page).raised == Decimal("50")
    assert len(mail.outbox) == 1
    assert donation.receipt_number in mail.outbox[0].subject


def test_a_forged_or_stale_webhook_changes_nothing(
    page: FundraisingPage, fake_stripe: FakeStripe
) -> None:
    start = services.start_donation(page=page, person=donor(), amount="50", idempotency_key="k")
    payload, _ = fake_stripe.complete_checkout(start.donation.provider_checkout_id)[0]
    with pytest.raises(InvalidSignature):
        services.handle_provider_event(
            provider="stripe", payload=payload, signature=sign(payload, "whsec_wrong")
        )
    with pytest.raises(InvalidSignature):  # replayed outside the 5-minute tolerance
        services.handle_provider_event(
            provider="stripe",
            payload=payload,
            signature=sign(payload, fake_stripe.webhook_secret, timestamp=1_000_000),
        )
    assert Donation.objects.get(pk=start.donation.pk).status == Status.PENDING
    assert not ProviderEvent.objects.exists()


def test_the_form_amount_is_checked(page: FundraisingPage) -> None:
    for amount in ("0", "-5", "abc", "10.001", "NaN", "0.50"):
        with pytest.raises(FundraisingError):
            services.start_donation(
                page=page, person=donor(), amount=amount, idempotency_key=amount
            )
    assert not Donation.objects.exists()


def test_a_refund_is_recorded_when_the_provider_confirms_it(
    page: FundraisingPage, fake_stripe: FakeStripe, deliver: Deliver
) -> None:
    # given a paid 40 with 1.55 fee covered
    start = services.start_donation(
        page=page, person=donor(), amount="40", idempotency_key="k", cover_fee=True
    )
    fake_stripe.complete_checkout(start.donation.provider_checkout_id)
    deliver()
    donation = Donation.objects.get(pk=start.donation.pk)
    # when a partial refund, then the rest
    result = services.refund_donation(donation=donation, by=None, amount="10")
    assert result.pending
    assert Donation.objects.get(pk=donation.pk).status == Status.SUCCEEDED
    deliver()
    partly = Donation.objects.get(pk=donation.pk)
    services.refund_donation(donation=partly, by=None)
    deliver()
    deliver()  # nothing left
    # then
    refunded = Donation.objects.get(pk=donation.pk)
    assert refunded.status == Status.REFUNDED
    assert refunded.refunded_amount == refunded.total
    assert partly.refunded_amount == Decimal("10")
    assert partly.status == Status.SUCCEEDED
    assert _balance(page, "donations:") == Decimal("0")
    assert _balance(page, "processor:") == Decimal("0")
    assert selectors.thermometer(page).raised == Decimal("0")
    assert len(_ledger(page)) == 3
    with pytest.raises(FundraisingError):
        services.refund_donation(donation=refunded, by=None)


def test_a_dispute_reverses_and_a_won_dispute_restores(
    page: FundraisingPage, fake_stripe: FakeStripe, deliver: Deliver
) -> None:
    start = services.start_donation(page=page, person=donor(), amount="30", idempotency_key="k")
    fake_stripe.complete_checkout(start.donation.provider_checkout_id)
    deliver()
    payment = Donation.objects.get(pk=start.donation.pk).provider_payment_id
    fake_stripe.dispute(payment)
    deliver()
    assert Donation.objects.get(pk=start.donation.pk).status == Status.DISPUTED
    assert selectors.thermometer(page).raised == 0
    assert _balance(page, "donations:") == 0
    [(payload, sig)] = [fake_stripe.event("charge.dispute.closed", {
        "id": "dp_x", "object": "dispute", "payment_intent": payment, "status": "won"
    }, deliver=False)]  # fmt: skip
    services.handle_provider_event(provider="stripe", payload=payload, signature=sig)
    assert Donation.objects.get(pk=start.donation.pk).status == Status.SUCCEEDED
    assert _balance(page, "donations:") == Decimal("30")


def test_monthly_gift_renews_fails_with_a_reminder_and_is_cancelled_by_its_link(
    page: FundraisingPage,
    fake_stripe: FakeStripe,
    deliver: Deliver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a monthly gift paid at checkout
    start = services.start_donation(
        page=page, person=donor(), amount="15", recurrence=Recurrence.MONTHLY, idempotency_key="m"
    )
    fake_stripe.complete_checkout(start.donation.provider_checkout_id)
    deliver()
    gift = RecurringGift.objects.get()
    assert gift.status == RecurringGift.Status.ACTIVE
    assert gift.provider_subscription_id
    # when a month is paid, the next fails
    fake_stripe.renew_subscription(gift.provider_subscription_id)
    fake_stripe.fail_invoice(gift.provider_subscription_id)
    deliver()
    # then
    gift.refresh_from_db()
    assert gift.status == RecurringGift.Status.PAST_DUE
    assert gift.failed_payments == 1
    statuses = sorted(Donation.objects.filter(recurring_gift=gift).values_list("status", flat=True))
    assert statuses == [Status.FAILED, Status.SUCCEEDED, Status.SUCCEEDED]
    assert selectors.thermometer(page).raised == Decimal("30")
    reminder = mail.outbox[-1]
    assert "could not be collected" in reminder.subject
    token = reminder.body.split("/give/manage/")[1].split("/")[0]
    assert selectors.gift_from_token(token) == gift
    # the link expires: 400 days on, the same token names nothing
    later = time.time() + selectors.MANAGE_MAX_AGE.total_seconds() + 60
    with monkeypatch.context() as patched:
        patched.setattr("django.core.signing.time.time", lambda: later)
        assert selectors.gift_from_token(token) is None
    assert selectors.gift_from_token(token) == gift
    # when the donor changes the amount, then cancels through the link
    services.change_recurring_amount(gift=gift, amount="20")
    price = fake_stripe.subscriptions[gift.provider_subscription_id]["items"]["data"][0]["price"]
    assert price["unit_amount"] == 2000
    services.cancel_recurring(gift=selectors.gift_from_token(token) or gift)
    deliver()
    gift.refresh_from_db()
    assert gift.status == RecurringGift.Status.CANCELLED
    assert gift.cancelled_at is not None
    assert fake_stripe.subscriptions[gift.provider_subscription_id]["status"] == "canceled"
    assert selectors.gift_from_token(token) is None  # the old link is revoked


def test_an_expired_checkout_fails_the_donation(
    page: FundraisingPage, fake_stripe: FakeStripe, deliver: Deliver
) -> None:
    start = services.start_donation(page=page, person=donor(), amount="5", idempotency_key="e")
    fake_stripe.expire_checkout(start.donation.provider_checkout_id)
    deliver()
    assert Donation.objects.get(pk=start.donation.pk).status == Status.FAILED
    assert _ledger(page) == []


def test_offline_gift_is_posted_at_once_with_a_receipt_and_refunded_by_a_steward(
    page: FundraisingPage, membership_factory: Callable[..., Membership]
) -> None:
    services.save_receipt_settings(
        coalition=page.coalition, legal_name="Bed Now Fund Inc.", tax_id="EIN 12-3456789"
    )
    member = membership_factory(page.coalition)
    first = services.record_offline_donation(
        page=page,
        person=donor("cheque@example.org"),
        amount="120.00",
        method="cheque",
        by=None,
        idempotency_key="cheque-1041",
        reference="Cheque 1041",
        host_membership=member,
    )
    again = services.record_offline_donation(
        page=page,
        person=donor("cheque@example.org"),
        amount="120.00",
        method="cheque",
        by=None,
        idempotency_key="cheque-1041",
    )
    assert first.created
    assert not again.created
    assert again.donation.pk == first.donation.pk
    assert first.donation.status == Status.SUCCEEDED
    assert _balance(page, "donations:") == Decimal("120.00")
    receipt = mail.outbox[-1].body
    assert "Bed Now Fund Inc." in receipt
    assert "EIN 12-3456789" in receipt
    assert "Cheque" in receipt
    services.refund_donation(donation=first.donation, by=None)
    assert Donation.objects.get(pk=first.donation.pk).status == Status.REFUNDED
    assert _balance(page, "donations:") == Decimal("0")


def test_hosts_shares_stay_within_100_percent_and_referrals_credit_the_host(
    page: FundraisingPage,
    membership_factory: Callable[..., Membership],
    fake_stripe: FakeStripe,
    deliver: Deliver,
) -> None:
    a, b = membership_factory(page.coalition), membership_factory(page.coalition)
    host_a = services.set_host(page=page, membership=a, share="60")
    services.set_host(page=page, membership=b, share="40")
    with pytest.raises(FundraisingError):
        services.set_host(page=page, membership=b, share="41")
    start = services.start_donation(
        page=page, person=donor(), amount="100", idempotency_key="r", referrer=host_a.ref_code
    )
    fake_stripe.complete_checkout(start.donation.provider_checkout_id)
    deliver()
    # a donor's own link passes the host's credit on
    second = services.start_donation(
        page=page,
        person=donor("b@example.org"),
        amount="10",
        idempotency_key="r2",
        referrer=start.donation.ref_code,
    )
    assert start.donation.host_membership == a
    assert second.donation.host_membership == a
    shares = {s.host.membership: s for s in selectors.host_shares(page)}
    assert shares[a].share_amount == Decimal("60.00")
    assert shares[a].brought == Decimal("100")
    assert shares[b].share_amount == Decimal("40.00")


def test_a_closed_page_or_a_monthly_gift_where_none_is_allowed_is_refused(
    page_factory: Callable[..., FundraisingPage], fake_stripe: FakeStripe
) -> None:
    closed = page_factory(title="Closed", status=FundraisingPage.Status.CLOSED)
    once = page_factory(title="Once", monthly_allowed=False)
    with pytest.raises(FundraisingError):
        services.start_donation(page=closed, person=donor(), amount="5", idempotency_key="a")
    with pytest.raises(FundraisingError):
        services.start_donation(
            page=once, person=donor(), amount="5", recurrence="monthly", idempotency_key="b"
        )
    assert not Donation.objects.exists()


def test_event_payload_is_stored_as_sent(
    page: FundraisingPage, fake_stripe: FakeStripe, deliver: Deliver
) -> None:
    start = services.start_donation(page=page, person=donor(), amount="5", idempotency_key="p")
    [(payload, _)] = fake_stripe.complete_checkout(start.donation.provider_checkout_id)
    deliver()
    event = ProviderEvent.objects.get()
    assert event.payload == json.loads(payload)
    assert event.donation_id == start.donation.pk
    assert event.coalition_id == page.coalition_id
    assert event.outcome == "succeeded"


def test_a_late_delivery_keeps_the_providers_date_in_the_ledger(
    page: FundraisingPage, fake_stripe: FakeStripe, deliver: Deliver
) -> None:
    # given a gift paid three days ago whose webhook is only delivered now (Stripe retries)
    start = services.start_donation(page=page, person=donor(), amount="9", idempotency_key="late")
    paid_at = timezone.now() - dt.timedelta(days=3)
    fake_stripe.complete_checkout(start.donation.provider_checkout_id, at=int(paid_at.timestamp()))
    # when
    deliver()
    # then
    donation = Donation.objects.get(pk=start.donation.pk)
    assert donation.succeeded_at is not None
    assert abs((donation.succeeded_at - paid_at).total_seconds()) < 1
    posted = LedgerTransaction.objects.get(fund=page.fund)
    assert posted.occurred_on == timezone.localdate(paid_at)


def test_card_payments_need_keys_or_the_fake(monkeypatch: pytest.MonkeyPatch) -> None:
    from cairn.fundraising.providers import ProviderError, card_provider

    monkeypatch.setenv("CAIRN_PAYMENTS", "stripe")
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    with pytest.raises(ProviderError):
        card_provider()
    monkeypatch.setenv("CAIRN_PAYMENTS", "off")
    with pytest.raises(ProviderError):
        card_provider()
