"""The database itself refuses an unbalanced or cross-fund entry — raw SQL, no Python between —
on SQLite and on PostgreSQL (CI runs this file on both)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from cairn.coalitions.models import Coalition
from cairn.ledger import accounts, services
from cairn.ledger.models import Account, Fund, LedgerTransaction

pytestmark = pytest.mark.django_db


@dataclass
class World:
    fund: Fund
    other_fund: Fund  # same coalition, another fund
    foreign_fund: Fund  # another coalition
    cash: Account
    gifts: Account
    other_cash: Account
    tx: LedgerTransaction
    other_tx: LedgerTransaction


@pytest.fixture
def world(coalition: Coalition, coalition_factory: Any, give: Callable[..., Any]) -> World:
    fund = services.ensure_fund(coalition=coalition, name="Pooled fund")
    other = services.ensure_fund(coalition=coalition, name="Other fund")
    foreign = services.ensure_fund(coalition=coalition_factory(), name="Pooled fund")
    return World(
        fund=fund,
        other_fund=other,
        foreign_fund=foreign,
        cash=accounts.cash(fund),
        gifts=accounts.donations(fund),
        other_cash=accounts.cash(other),
        tx=give("10.00", "a"),
        other_tx=give("10.00", "b", other),
    )


def insert_entry(
    *, coalition: int, fund: int, tx: int, debit: int | None, credit: int | None, amount: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_entry (coalition_id, fund_id, transaction_id, debit_id, credit_id,"
            " amount, memo) VALUES (%s, %s, %s, %s, %s, %s, '')",
            [coalition, fund, tx, debit, credit, amount],
        )


def refused(sql: Callable[[], None]) -> bool:
    try:
        with transaction.atomic():
            sql()
    except IntegrityError:
        return True
    return False


def entry(w: World, **changes: Any) -> Callable[[], None]:
    values = {
        "coalition": w.fund.coalition_id,
        "fund": w.fund.pk,
        "tx": w.tx.pk,
        "debit": w.cash.pk,
        "credit": w.gifts.pk,
        "amount": "5.00",
    }
    return lambda: insert_entry(**{**values, **changes})


def test_a_well_formed_raw_entry_is_accepted(world: World) -> None:
    # the control: what the refusals below change is the only thing wrong with them
    assert not refused(entry(world))


@pytest.mark.parametrize(
    ("case", "changes"),
    [
        ("zero amount", lambda w: {"amount": "0"}),
        ("negative amount", lambda w: {"amount": "-5.00"}),
        ("one-sided (no credit account)", lambda w: {"credit": None}),
        ("one-sided (no debit account)", lambda w: {"debit": None}),
        ("from an account to itself", lambda w: {"credit": w.cash.pk}),
        ("debit account of another fund", lambda w: {"debit": w.other_cash.pk}),
        ("credit account of another fund", lambda w: {"credit": w.other_cash.pk}),
        ("transaction of another fund", lambda w: {"tx": w.other_tx.pk}),
        (
            "entry and accounts moved to another fund",
            lambda w: {"fund": w.other_fund.pk, "tx": w.other_tx.pk},
        ),
        ("another coalition", lambda w: {"coalition": w.foreign_fund.coalition_id}),
    ],
)
def test_the_database_refuses_a_bad_entry(
    world: World, case: str, changes: Callable[[World], dict[str, Any]]
) -> None:
    assert refused(entry(world, **changes(world))), case


def test_the_database_refuses_moving_an_entry_or_an_account_to_another_fund(world: World) -> None:
    entry_id = world.tx.entries.get().pk
    with connection.cursor() as cursor:

        def move_entry() -> None:
            cursor.execute(
                "UPDATE ledger_entry SET debit_id = %s WHERE id = %s",
                [world.other_cash.pk, entry_id],
            )

        def move_account() -> None:
            cursor.execute(
                "UPDATE ledger_account SET fund_id = %s WHERE id = %s",
                [world.other_fund.pk, world.cash.pk],
            )

        def move_transaction() -> None:
            cursor.execute(
                "UPDATE ledger_ledgertransaction SET fund_id = %s WHERE id = %s",
                [world.other_fund.pk, world.tx.pk],
            )

        assert refused(move_entry)
        assert refused(move_account)
        assert refused(move_transaction)


def test_the_database_keeps_a_funds_currency_and_coalition(world: World) -> None:
    with connection.cursor() as cursor:
        assert refused(
            lambda: cursor.execute(
                "UPDATE ledger_fund SET currency = 'EUR' WHERE id = %s", [world.fund.pk]
            )
        )
        assert refused(
            lambda: cursor.execute(
                "UPDATE ledger_fund SET coalition_id = %s WHERE id = %s",
                [world.foreign_fund.coalition_id, world.fund.pk],
            )
        )
        assert refused(
            lambda: cursor.execute(
                "UPDATE ledger_fund SET currency = 'ABC' WHERE id = %s", [world.other_fund.pk]
            )
        )
    world.fund.refresh_from_db()
    assert world.fund.currency == "USD"


def test_the_database_refuses_an_account_or_transaction_in_another_coalitions_fund(
    world: World,
) -> None:
    foreign = world.foreign_fund
    with connection.cursor() as cursor:
        assert refused(
            lambda: cursor.execute(
                "INSERT INTO ledger_account (coalition_id, fund_id, key, name, type, purpose,"
                " created_at) VALUES (%s, %s, 'x', 'x', 'asset', '', CURRENT_TIMESTAMP)",
                [world.fund.coalition_id, foreign.pk],
            )
        )
        assert refused(
            lambda: cursor.execute(
                "INSERT INTO ledger_ledgertransaction (uuid, coalition_id, fund_id, occurred_on,"
                " description, source, created_at) VALUES"
                " ('0f0f0f0f0f0f4f0f8f0f0f0f0f0f0f0f', %s, %s, '2026-03-01', 'x', 'x',"
                " CURRENT_TIMESTAMP)",
                [world.fund.coalition_id, foreign.pk],
            )
        )
        # a reversal in another fund than the transaction it reverses
        assert refused(
            lambda: cursor.execute(
                "INSERT INTO ledger_ledgertransaction (uuid, coalition_id, fund_id, occurred_on,"
                " description, source, reverses_id, created_at) VALUES"
                " ('1f0f0f0f0f0f4f0f8f0f0f0f0f0f0f0f', %s, %s, '2026-03-01', 'x', 'y', %s,"
                " CURRENT_TIMESTAMP)",
                [world.fund.coalition_id, world.other_fund.pk, world.tx.pk],
            )
        )
