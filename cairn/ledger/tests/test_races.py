"""Idempotent posting under a race: 8 processes × 25 rounds post the same source at once (the
200 retries of one webhook), and concurrent first uses of one fund and one account; the database
keeps one transaction, one entry, one fund and one account. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cairn.coalitions.models import Coalition
from cairn.core.testing.races import race
from cairn.ledger import accounts, services
from cairn.ledger.models import Account, Entry, Fund, LedgerTransaction

pytestmark = pytest.mark.django_db(transaction=True)


def test_200_concurrent_posts_of_one_source_leave_one_transaction(coalition: Coalition) -> None:
    # given: a fund whose accounts do not exist yet (first use races too)
    fund_id = services.ensure_fund(coalition=coalition, currency="EUR").pk

    def work(i: int) -> None:
        fund = Fund.objects.get(pk=fund_id)
        services.post(
            fund=fund,
            source="donation:7:succeeded",
            description=f"Gift (attempt {i})",
            occurred_on=dt.date(2026, 3, 1),
            transfers=[
                services.Transfer(
                    debit=accounts.cash(fund),
                    credit=accounts.donations(fund),
                    amount=Decimal("12.50"),
                )
            ],
        )

    # when
    outcomes = race(work, workers=8, rounds=25)
    # then
    assert outcomes == ["ok"] * 200
    assert LedgerTransaction.objects.filter(fund_id=fund_id).count() == 1
    entry = Entry.objects.get(fund_id=fund_id)
    assert entry.amount == Decimal("12.50")
    assert Account.objects.filter(fund_id=fund_id).count() == 2


def test_concurrent_first_uses_of_a_fund_make_one(coalition: Coalition) -> None:
    def work(i: int) -> None:
        services.ensure_fund(coalition=Coalition.objects.get(pk=coalition.pk), currency="USD")

    assert race(work, workers=8) == ["ok"] * 8
    assert Fund.objects.for_coalition(coalition).count() == 1
