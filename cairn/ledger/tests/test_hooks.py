"""Coalitions' delivery hooks (cairn/coalitions/hooks.py) and the ledger's: a funding delivery
becomes a member contribution in the same transaction; a hook that fails undoes the delivery."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from cairn.coalitions import hooks
from cairn.coalitions import services as coalition_services
from cairn.coalitions.models import Coalition, Delivery
from cairn.ledger.models import Fund, LedgerTransaction

pytestmark = pytest.mark.django_db


def test_a_funding_delivery_in_a_unit_that_is_not_a_currency_posts_nothing(
    coalition: Coalition, membership_factory: Any, commitment_factory: Any
) -> None:
    member = membership_factory(coalition)
    commitment_factory(member, quantity=100, unit="dollars", delivered=40)
    assert Delivery.objects.for_coalition(coalition).count() == 1
    assert not Fund.objects.for_coalition(coalition).exists()


def test_a_eur_delivery_opens_a_eur_fund_beside_the_usd_one(
    coalition: Coalition, membership_factory: Any, commitment_factory: Any
) -> None:
    member = membership_factory(coalition)
    commitment_factory(member, quantity=100, unit="USD", delivered=40)
    commitment_factory(member, quantity=100, unit="eur", delivered=25)
    funds = {f.name: f.currency for f in Fund.objects.for_coalition(coalition)}
    assert funds == {"Pooled fund": "USD", "Pooled fund (EUR)": "EUR"}


def test_a_hook_that_fails_undoes_the_delivery(
    coalition: Coalition, membership_factory: Any, commitment_factory: Any
) -> None:
    member = membership_factory(coalition)
    commitment = commitment_factory(member, quantity=100)

    def broken(delivery: Delivery) -> None:
        raise RuntimeError("the books are closed")

    hooks.register_delivery_hook("test-broken", broken)
    try:
        with pytest.raises(RuntimeError):
            coalition_services.record_delivery(
                commitment=commitment,
                quantity=Decimal(10),
                delivered_on=timezone.localdate(),
                recorded_by=None,
            )
    finally:
        hooks._HOOKS.pop("test-broken")
    assert not Delivery.objects.for_coalition(coalition).exists()
    assert not LedgerTransaction.objects.for_coalition(coalition).exists()
