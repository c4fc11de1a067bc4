"""A delivery past its pledge is not taken silently: the page warns and asks why, and the reason is
kept with the delivery."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.coalitions import services
from cairn.coalitions.models import Delivery
from cairn.coalitions.services import DeliveryExceedsPledge


def deliver(commitment, quantity, reason=""):
    return services.record_delivery(
        commitment=commitment,
        quantity=Decimal(quantity),
        delivered_on=timezone.localdate(),
        recorded_by=None,
        excess_reason=reason,
    )


@pytest.fixture
def pledge_of_five(coalition, membership_factory, commitment_factory):
    member = membership_factory(coalition)
    return commitment_factory(member, kind="expertise", quantity=5, unit="hours")


def test_a_delivery_far_past_the_pledge_is_refused_without_a_reason(pledge_of_five):
    with pytest.raises(DeliveryExceedsPledge) as refused:
        deliver(pledge_of_five, 999_999)
    assert str(refused.value) == (
        "This brings the delivered total to 999,999.00 hours against a pledge of 5.00 hours. "
        "Check the quantity; if it is right, say why it exceeds the pledge."
    )
    assert not Delivery.objects.exists()


def test_the_total_so_far_counts(pledge_of_five):
    deliver(pledge_of_five, 4)
    with pytest.raises(DeliveryExceedsPledge):
        deliver(pledge_of_five, 2)
    assert list(Delivery.objects.values_list("quantity", flat=True)) == [Decimal("4.00")]


def test_a_delivery_up_to_the_pledge_needs_no_reason_and_keeps_none(pledge_of_five):
    delivery = deliver(pledge_of_five, 5, reason="not needed")
    assert (delivery.quantity, delivery.excess_reason) == (Decimal("5.00"), "")


def test_a_surplus_with_a_reason_is_recorded_with_it(pledge_of_five):
    delivery = deliver(pledge_of_five, 8, reason="  Three extra   hours of legal review ")
    delivery.refresh_from_db()
    assert (delivery.quantity, delivery.excess_reason) == (
        Decimal("8.00"),
        "Three extra hours of legal review",
    )


def test_the_page_warns_and_asks_for_a_reason_then_keeps_it(client, steward, pledge_of_five):
    client.force_login(steward.user)
    url = reverse("coalitions:record_delivery", args=[steward.coalition.slug, pledge_of_five.pk])
    today = timezone.localdate().isoformat()
    # when a steward records 999,999 hours against a pledge of 5 (through htmx)
    warned = client.post(url, {"quantity": "999999", "delivered_on": today}, HTTP_HX_REQUEST="true")
    # then the panel comes back (422) with the warning and a visible reason field; nothing saved
    assert warned.status_code == 422
    body = warned.content.decode()
    assert "against a pledge of 5.00 hours" in body
    assert 'type="text" name="excess_reason"' in body
    assert 'value="999999"' in body  # what they typed is kept, to correct or confirm
    assert not Delivery.objects.exists()
    # when they give a reason
    kept = client.post(
        url,
        {"quantity": "7", "delivered_on": today, "excess_reason": "Two extra hours given"},
        HTTP_HX_REQUEST="true",
    )
    # then the delivery is recorded with its reason, which the panel shows
    assert kept.status_code == 200
    assert list(Delivery.objects.values_list("quantity", "excess_reason")) == [
        (Decimal("7.00"), "Two extra hours given")
    ]
    assert "Over the pledge" in kept.content.decode()
    assert "Two extra hours given" in kept.content.decode()


def test_an_ordinary_delivery_shows_no_reason_field(client, steward, pledge_of_five):
    client.force_login(steward.user)
    page = client.get(
        reverse("coalitions:commitment", args=[steward.coalition.slug, pledge_of_five.pk])
    ).content.decode()
    assert 'type="hidden" name="excess_reason"' in page
    assert 'type="text" name="excess_reason"' not in page


def test_withdrawing_a_pledge_asks_first(client, steward, pledge_of_five):
    client.force_login(steward.user)
    url = reverse(
        "coalitions:withdraw_commitment", args=[steward.coalition.slug, pledge_of_five.pk]
    )
    # when the Withdraw button is pressed, a page asks and nothing changes
    asked = client.post(url)
    assert asked.status_code == 200
    assert 'data-confirm="withdraw"' in asked.content.decode()
    pledge_of_five.refresh_from_db()
    assert pledge_of_five.withdrawn_at is None
    # when they confirm, the pledge is withdrawn
    done = client.post(url, {"confirmed": "yes"})
    assert done.status_code == 302
    pledge_of_five.refresh_from_db()
    assert pledge_of_five.withdrawn_at is not None
