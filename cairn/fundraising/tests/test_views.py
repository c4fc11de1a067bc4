"""Fundraising pages in the browser's terms: the public page and its form (a double POST makes
one donation), the webhook endpoint (signature required), thanks, widget, the donor's manage
link, and the staff pages with their permissions."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from cairn.coalitions.models import Coalition, Membership, Role, StaffMember
from cairn.fundraising import services
from cairn.fundraising.models import Donation, FundraisingPage, Host, RecurringGift
from cairn.fundraising.providers.fake_stripe import FakeStripe, sign
from cairn.fundraising.providers.stripe import StripeProvider

from .conftest import donor

pytestmark = pytest.mark.django_db
Status = Donation.Status


def public(page: FundraisingPage, name: str = "page") -> str:
    return reverse(f"fundraising_public:{name}", kwargs={"page_slug": page.slug})


def staff(page: FundraisingPage, name: str) -> str:
    return reverse(f"fundraising:{name}", args=[page.coalition.slug, page.pk])


def gift(key: str, **extra: str) -> dict[str, str]:
    return {
        "amount_choice": "25",
        "amount": "",
        "given_name": "Ana",
        "family_name": "Lima",
        "email": "ana@example.org",
        "show_on_wall": "on",
        "idempotency_key": key,
        **extra,
    }


def webhook(client: Client, payload: bytes, signature: str | None) -> int:
    headers = {"Stripe-Signature": signature} if signature is not None else {}
    return client.post(
        reverse("fundraising_public:stripe_webhook"),
        payload,
        content_type="application/json",
        headers=headers,
    ).status_code


def test_a_visitor_gives_and_the_thermometer_moves_on_the_webhook(
    client: Client, page: FundraisingPage, fake_stripe: FakeStripe
) -> None:
    # given the page with its form and a hidden key
    html = client.get(public(page) + "?ref=zz").content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html)
    assert key
    assert 'name="amount_choice" value="25"' in html
    assert "0.00 USD</strong> raised" in html
    # when the form is sent twice (a double click)
    first = client.post(public(page, "donate"), gift(key[1]))
    second = client.post(public(page, "donate"), gift(key[1]))
    # then one donation, and both answers go to the same checkout
    donation = Donation.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == donation.checkout_url
    assert donation.wall_name == "Ana L."
    assert donation.status == Status.PENDING
    thanks = services.thanks_url(donation).removeprefix("http://testserver")
    assert 'data-donation-status="pending"' in client.get(thanks).content.decode()
    # when the provider's webhook arrives (twice), then it succeeds once
    [(payload, signature)] = fake_stripe.complete_checkout(donation.provider_checkout_id)
    fake_stripe.take_outbox()
    assert webhook(client, payload, signature) == 200
    assert webhook(client, payload, signature) == 200
    assert Donation.objects.get().status == Status.SUCCEEDED
    page_html = client.get(public(page)).content.decode()
    assert "25.00 USD</strong> raised" in page_html
    assert "Ana L." in page_html
    assert 'data-donation-status="succeeded"' in client.get(thanks).content.decode()


def test_the_page_and_donate_answers_allow_only_the_checkout_origin_as_form_action(
    client: Client, page: FundraisingPage, fake_stripe: FakeStripe
) -> None:
    # the browser applies form-action to the redirect after the POST: the page holding the form
    # and the donate answer allow the provider's checkout origin, and nothing else beyond 'self'
    def form_action(response: Any) -> str:
        policy = response["Content-Security-Policy"]
        return next(p.strip() for p in policy.split(";") if "form-action" in p)

    origin = fake_stripe.url.rstrip("/")
    assert form_action(client.get(public(page))) == f"form-action 'self' {origin}"
    html = client.get(public(page)).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html)
    assert key
    answer = client.post(public(page, "donate"), gift(key[1]))
    assert answer.status_code == 302
    assert answer["Location"].startswith(origin + "/")
    assert form_action(answer) == f"form-action 'self' {origin}"
    # other pages keep form-action 'self'
    assert form_action(client.get(public(page, "widget"))) == "form-action 'self'"
    assert StripeProvider(secret_key="sk", webhook_secret="wh").checkout_origin() == (
        "https://checkout.stripe.com"
    )


def test_the_webhook_refuses_a_missing_or_wrong_signature(
    client: Client, page: FundraisingPage, fake_stripe: FakeStripe
) -> None:
    start = services.start_donation(page=page, person=donor(), amount="5", idempotency_key="w")
    [(payload, _)] = fake_stripe.complete_checkout(start.donation.provider_checkout_id)
    assert webhook(client, payload, None) == 400
    assert webhook(client, payload, sign(payload, "whsec_forged")) == 400
    assert webhook(client, payload + b" ", sign(payload, fake_stripe.webhook_secret)) == 400
    assert Donation.objects.get().status == Status.PENDING


def test_a_bad_amount_shows_the_form_again(client: Client, page: FundraisingPage) -> None:
    response = client.post(public(page, "donate"), gift("k", amount_choice="", amount="0"))
    assert response.status_code == 422
    assert not Donation.objects.exists()


@override_settings(CAIRN_DONATE_PER_IP_PER_HOUR=2)
def test_starting_gifts_is_rate_limited_per_address(client: Client, page: FundraisingPage) -> None:
    codes = [client.post(public(page, "donate"), gift(f"k{i}")).status_code for i in range(3)]
    assert codes == [302, 302, 429]
    assert Donation.objects.count() == 2


def test_a_draft_page_is_not_public(
    client: Client, page_factory: Callable[..., FundraisingPage]
) -> None:
    draft = page_factory(title="Draft", status=FundraisingPage.Status.DRAFT)
    assert client.get(public(draft)).status_code == 404
    assert client.post(public(draft, "donate"), gift("k")).status_code == 404


def test_the_widget_can_be_embedded_and_links_with_the_referral_code(
    client: Client, page: FundraisingPage
) -> None:
    response = client.get(public(page, "widget") + "?ref=host1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert f"/give/{page.slug}/?amount=25&amp;ref=host1" in html


def test_the_donor_changes_then_cancels_a_monthly_gift_by_the_emailed_link(
    client: Client, page: FundraisingPage, fake_stripe: FakeStripe, deliver: Callable[[], object]
) -> None:
    start = services.start_donation(
        page=page, person=donor(), amount="10", recurrence="monthly", idempotency_key="m"
    )
    fake_stripe.complete_checkout(start.donation.provider_checkout_id)
    deliver()
    link = re.search(r"http://\S+/give/manage/\S+/", str(mail.outbox[-1].body))
    assert link, mail.outbox[-1].body
    url = link[0].removeprefix("http://127.0.0.1:8000").removeprefix("http://testserver")
    assert client.post(url, {"action": "change", "amount": "12"}).status_code == 200
    assert RecurringGift.objects.get().amount == Decimal("12")
    assert "cancelled" in client.post(url, {"action": "cancel"}).content.decode()
    assert RecurringGift.objects.get().status == RecurringGift.Status.CANCELLED
    assert client.get(url).status_code == 404  # the link is revoked


def _login(client: Client, staff_member: StaffMember) -> None:
    client.force_login(staff_member.user)


def test_a_steward_sets_up_a_page_hosts_records_an_offline_gift_and_refunds_it(
    client: Client,
    steward: StaffMember,
    coalition: Coalition,
    membership_factory: Callable[..., Membership],
    fake_stripe: FakeStripe,
) -> None:
    _login(client, steward)
    base = reverse("fundraising:list", args=[coalition.slug])
    assert client.get(base).status_code == 200
    response = client.post(
        reverse("fundraising:new", args=[coalition.slug]),
        {
            "title": "Beds now",
            "description": "<p>Give</p><script>x()</script>",
            "goal": "5000",
            "currency": "usd",
            "suggested_amounts": "50, 10, 25",
            "minimum_amount": "1",
            "monthly_allowed": "on",
            "fee_cover_rate": "2.9",
            "fee_cover_fixed": "0.30",
            "donor_wall": "on",
            "status": "open",
        },
    )
    page = FundraisingPage.objects.get()
    assert response.status_code == 302
    assert page.suggested_amounts == ["10", "25", "50"]
    assert "<script>" not in page.description
    assert page.fund.currency == "USD"
    member = membership_factory(coalition, name="Harbor House")
    assert (
        client.post(staff(page, "hosts"), {"membership": member.pk, "share": "60"}).status_code
        == 302
    )
    assert "Harbor House" in client.get(staff(page, "detail")).content.decode()
    key = re.search(
        r'name="idempotency_key" value="(\w+)"', client.get(staff(page, "offline")).content.decode()
    )
    assert key
    entry = {"given_name": "Ole", "family_name": "Berg", "email": "ole@example.org",
             "amount": "200", "method": "cheque", "reference": "No. 1041",
             "idempotency_key": key[1]}  # fmt: skip
    assert client.post(staff(page, "offline"), entry).status_code == 302
    assert client.post(staff(page, "offline"), entry).status_code == 302  # the same key again
    donation = Donation.objects.get()
    assert "No. 1041" in client.get(staff(page, "donations")).content.decode()
    refund = reverse("fundraising:refund", args=[coalition.slug, page.pk, donation.pk])
    assert client.post(refund, {"amount": "50"}).status_code == 302
    assert Donation.objects.get().refunded_amount == Decimal("50")
    receipts = reverse("fundraising:receipts", args=[coalition.slug])
    assert (
        client.post(receipts, {"legal_name": "Beds Inc.", "number_prefix": "B-"}).status_code == 302
    )


def test_viewers_see_pages_but_not_donors_and_other_coalitions_see_nothing(
    client: Client,
    page: FundraisingPage,
    staff_factory: Callable[..., StaffMember],
    coalition_factory: Callable[[], Coalition],
) -> None:
    viewer = staff_factory(page.coalition, Role.VIEWER)
    _login(client, viewer)
    assert client.get(staff(page, "detail")).status_code == 200
    for name in ("donations", "offline", "hosts", "edit"):
        assert client.get(staff(page, name)).status_code == 403
    outsider = staff_factory(coalition_factory(), Role.STEWARD)
    _login(client, outsider)
    other = reverse("fundraising:detail", args=[outsider.coalition.slug, page.pk])
    assert client.get(other).status_code == 404
    assert Host.objects.count() == 0


def test_no_donor_is_named_in_public_without_opting_in(client: Client, page: FundraisingPage):
    from cairn.ledger import services as ledger

    fund = ledger.set_fund_public(fund=page.fund, public=True)
    for key, name, shown in [("k-hidden", "Quietperson", False), ("k-shown", "Proudperson", True)]:
        services.record_offline_donation(
            page=page,
            person=donor(f"{name.lower()}@example.org", given=name),
            amount="30",
            method="cheque",
            by=None,
            idempotency_key=key,
            show_on_wall=shown,
            wall_name=name,
        )
    fund_page = reverse("ledger_public:fund", args=[page.coalition.slug, fund.slug])
    csv = reverse("ledger_public:csv", args=[page.coalition.slug, fund.slug])
    for url in [public(page), public(page, "widget"), fund_page, csv]:
        response: Any = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        assert "Quietperson" not in text, url
        assert "quietperson@example.org" not in text, url
        assert "proudperson@example.org" not in text, url
    assert "Proudperson" in client.get(public(page)).content.decode()  # opted in, by the name given
