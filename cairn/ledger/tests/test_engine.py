"""The pure ledger engine (cairn.engines.ledger), and the ban on floats in the ledger's code and
tests."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from cairn.engines import ledger as engine

ROOT = Path(__file__).resolve().parents[3]
FLOAT_ON_PURPOSE = "# float on purpose"


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("12.34", "USD", Decimal("12.34")),
        (Decimal("12.340"), "USD", Decimal("12.340")),
        (5, "JPY", Decimal(5)),
        ("1.234", "KWD", Decimal("1.234")),
        ("0.0001", "CLF", Decimal("0.0001")),
    ],
)
def test_to_amount_keeps_exact_decimals(value: object, currency: str, expected: Decimal) -> None:
    assert engine.to_amount(value, currency) == expected


@pytest.mark.parametrize(
    ("value", "currency", "message"),
    [
        (float("12.5"), "USD", "never a float"),  # float on purpose
        ("0.001", "USD", "2 decimal places"),
        ("1.5", "JPY", "0 decimal places"),
        ("0", "USD", "positive"),
        ("-1", "USD", "positive"),
        ("NaN", "USD", "positive"),
        ("abc", "USD", "Not an amount"),
        (True, "USD", "Not an amount"),
        ("1", "XYZ", "ISO 4217"),
        ("100000000000", "USD", "too large"),
    ],
)
def test_to_amount_refuses(value: object, currency: str, message: str) -> None:
    with pytest.raises(engine.LedgerMathError, match=message):
        engine.to_amount(value, currency)


def test_minor_units_at_the_provider_boundary() -> None:
    assert engine.to_minor_units(Decimal("12.34"), "USD") == 1234
    assert engine.to_minor_units(Decimal(500), "JPY") == 500
    assert engine.to_minor_units(Decimal("1.005"), "BHD") == 1005
    assert engine.from_minor_units(1234, "USD") == Decimal("12.34")
    assert engine.from_minor_units(1005, "BHD") == Decimal("1.005")


def test_format_amount() -> None:
    assert engine.format_amount(Decimal("1234.5"), "USD") == "1,234.50 USD"
    assert engine.format_amount(Decimal(1500), "JPY") == "1,500 JPY"


def test_balances_follow_each_accounts_normal_side() -> None:
    legs = [
        engine.Leg("cash", "gifts", Decimal("100.00")),
        engine.Leg("spent", "cash", Decimal("30.00")),
        engine.Leg("designated", "allocated", Decimal("50.00")),
        engine.Leg("allocated", "designated", Decimal("30.00")),
    ]
    types = {
        "cash": "asset",
        "gifts": "income",
        "spent": "expense",
        "allocated": "liability",
        "designated": "equity",
    }
    assert engine.balances(legs, types) == {
        "cash": Decimal(70),
        "gifts": Decimal(100),
        "spent": Decimal(30),
        "allocated": Decimal(20),
        "designated": Decimal(-20),
    }
    check = engine.check(legs, types)
    assert check.balanced
    assert check.debit_side == check.credit_side == Decimal(100)


def test_validate_legs_refuses_a_transfer_to_itself_and_an_empty_transaction() -> None:
    with pytest.raises(engine.LedgerMathError, match="two different accounts"):
        engine.validate_legs([engine.Leg("a", "a", Decimal(1))], "USD")
    with pytest.raises(engine.LedgerMathError, match="at least one"):
        engine.validate_legs([], "USD")


def test_allocate_splits_to_the_cent_and_sums_exactly() -> None:
    parts = engine.allocate(
        Decimal("100.00"), {"a": Decimal(1), "b": Decimal(1), "c": Decimal(1)}, "USD"
    )
    assert parts == {"a": Decimal("33.34"), "b": Decimal("33.33"), "c": Decimal("33.33")}
    assert sum(parts.values()) == Decimal("100.00")
    assert engine.allocate(Decimal(0), {"a": Decimal(1)}, "USD") == {"a": Decimal(0)}


def test_the_iso_table() -> None:
    assert len(engine.ISO_4217) > 150
    assert {"USD", "EUR", "JPY", "KWD", "GBP"} <= engine.ISO_4217
    assert all(len(code) == 3 and code.isupper() for code in engine.ISO_4217)
    assert set(engine.MINOR_UNITS) <= engine.ISO_4217


def test_no_float_in_the_ledgers_code_or_tests() -> None:
    """Floats are banned: no float literal, no float() call, in the ledger's app, its engine or
    its tests, except a line that says it tests the refusal (`# float on purpose`)."""
    files = [*(ROOT / "cairn" / "ledger").rglob("*.py"), ROOT / "cairn" / "engines" / "ledger.py"]
    offenders = []
    for path in files:
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Constant | ast.Call):
                continue
            is_float = (isinstance(node, ast.Constant) and type(node.value) is float) or (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "float"
            )
            if is_float and FLOAT_ON_PURPOSE not in lines[node.lineno - 1]:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert len(files) > 10
    assert offenders == []
