"""The ledger as CSV: one line per entry, every cell neutralized against spreadsheet formulas
(the project's `SafeCsvWriter`). The public file leaves out the internal source keys."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from cairn.engines.ledger import minor_units
from cairn.people.exporting import SafeCsvWriter

from . import selectors
from .models import Entry, Fund

HEADER = [
    "date",
    "transaction",
    "description",
    "debit_account",
    "credit_account",
    "amount",
    "currency",
    "decision",
    "reverses",
]
STAFF_HEADER = [*HEADER, "source", "debit_key", "credit_key"]


def _row(entry: Entry, fund: Fund, *, staff: bool) -> list[object]:
    tx = entry.transaction
    decision = tx.decision.proposal.title if tx.decision is not None else ""
    row: list[object] = [
        tx.occurred_on.isoformat(),
        tx.uuid,
        tx.description,
        entry.debit.name,
        entry.credit.name,
        entry.amount.quantize(_unit(fund)),
        fund.currency,
        decision,
        tx.reverses.uuid if tx.reverses is not None else "",
    ]
    if staff:
        row += [tx.source, entry.debit.key, entry.credit.key]
    return row


def _unit(fund: Fund) -> Decimal:
    return Decimal(1).scaleb(-minor_units(fund.currency))


def csv_lines(fund: Fund, *, staff: bool) -> Iterator[str]:
    writer = SafeCsvWriter()
    yield writer.row(STAFF_HEADER if staff else HEADER)
    for entry in selectors.entries_for_export(fund).iterator(chunk_size=2000):
        yield writer.row(_row(entry, fund, staff=staff))


def filename(fund: Fund) -> str:
    return f"{fund.coalition.slug}-{fund.slug}-ledger.csv"
