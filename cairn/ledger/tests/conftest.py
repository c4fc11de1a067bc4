"""Fixtures of the ledger's tests: a coalition's fund with its standard accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from cairn.coalitions.models import Coalition
from cairn.ledger import accounts, services
from cairn.ledger.models import Fund, LedgerTransaction

DAY = dt.date(2026, 3, 1)


@pytest.fixture
def fund(coalition: Coalition) -> Fund:
    return services.ensure_fund(coalition=coalition, currency="USD", name="Pooled fund")


@pytest.fixture
def give(fund: Fund) -> Callable[..., LedgerTransaction]:
    """Post a gift of `amount` into the fund's donations (cash ← donations)."""

    def make(amount: str, source: str, target: Fund | None = None) -> LedgerTransaction:
        into = target or fund
        return services.post(
            fund=into,
            source=source,
            description=f"Gift {source}",
            occurred_on=DAY,
            transfers=[
                services.Transfer(
                    debit=accounts.cash(into),
                    credit=accounts.donations(into),
                    amount=Decimal(amount),
                )
            ],
        ).transaction

    return make
