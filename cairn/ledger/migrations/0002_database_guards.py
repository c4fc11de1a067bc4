"""The ledger's guarantees in the database itself, on both databases (see cairn/ledger/__init__.py).

PostgreSQL: composite foreign keys tie an entry's accounts, transaction and fund together, and a
fund to its coalition (checked on every insert and update, immediately, never deferred); a
trigger keeps a fund's currency fixed and its coalition fixed.

SQLite cannot add a foreign key to an existing table, so BEFORE INSERT / BEFORE UPDATE triggers
refuse the same rows with RAISE(ABORT) (an IntegrityError in Django), and forbid moving a fund,
an account or a transaction to another coalition or fund.
"""

from django.db import migrations

POSTGRESQL_FOREIGN_KEYS = [
    # (table, name, columns, referenced table, referenced columns)
    (
        "ledger_account",
        "ledger_account_fund_coalition",
        "coalition_id, fund_id",
        "ledger_fund",
        "coalition_id, id",
    ),
    (
        "ledger_ledgertransaction",
        "ledger_tx_fund_coalition",
        "coalition_id, fund_id",
        "ledger_fund",
        "coalition_id, id",
    ),
    (
        "ledger_ledgertransaction",
        "ledger_tx_reverses_same_fund",
        "fund_id, reverses_id",
        "ledger_ledgertransaction",
        "fund_id, id",
    ),
    (
        "ledger_entry",
        "ledger_entry_fund_coalition",
        "coalition_id, fund_id",
        "ledger_fund",
        "coalition_id, id",
    ),
    (
        "ledger_entry",
        "ledger_entry_tx_same_fund",
        "fund_id, transaction_id",
        "ledger_ledgertransaction",
        "fund_id, id",
    ),
    (
        "ledger_entry",
        "ledger_entry_debit_same_fund",
        "fund_id, debit_id",
        "ledger_account",
        "fund_id, id",
    ),
    (
        "ledger_entry",
        "ledger_entry_credit_same_fund",
        "fund_id, credit_id",
        "ledger_account",
        "fund_id, id",
    ),
]

POSTGRESQL_FUND_FIXED = """
CREATE FUNCTION ledger_fund_fixed() RETURNS trigger AS $$
BEGIN
    IF NEW.currency IS DISTINCT FROM OLD.currency THEN
        RAISE EXCEPTION 'ledger: a fund''s currency never changes' USING ERRCODE = '23000';
    END IF;
    IF NEW.coalition_id IS DISTINCT FROM OLD.coalition_id THEN
        RAISE EXCEPTION 'ledger: a fund never moves to another coalition' USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_fund_fixed BEFORE UPDATE ON ledger_fund
    FOR EACH ROW EXECUTE FUNCTION ledger_fund_fixed();
"""
POSTGRESQL_DROP_FUND_FIXED = """
DROP TRIGGER IF EXISTS ledger_fund_fixed ON ledger_fund;
DROP FUNCTION IF EXISTS ledger_fund_fixed();
"""

_ENTRY_MISMATCH = """
    (SELECT fund_id FROM ledger_account WHERE id = NEW.debit_id) IS NOT NEW.fund_id
    OR (SELECT fund_id FROM ledger_account WHERE id = NEW.credit_id) IS NOT NEW.fund_id
    OR (SELECT fund_id FROM ledger_ledgertransaction WHERE id = NEW.transaction_id)
        IS NOT NEW.fund_id
    OR (SELECT coalition_id FROM ledger_fund WHERE id = NEW.fund_id) IS NOT NEW.coalition_id
"""
_IN_FUND = "(SELECT coalition_id FROM ledger_fund WHERE id = NEW.fund_id) IS NOT NEW.coalition_id"
_REVERSES = (
    "(NEW.reverses_id IS NOT NULL AND (SELECT fund_id FROM ledger_ledgertransaction"
    " WHERE id = NEW.reverses_id) IS NOT NEW.fund_id)"
)


def _abort(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, 'ledger: {message}'); END;"


SQLITE_TRIGGERS = {
    "ledger_entry_same_fund_insert": f"""
        CREATE TRIGGER ledger_entry_same_fund_insert BEFORE INSERT ON ledger_entry
        FOR EACH ROW WHEN {_ENTRY_MISMATCH}
        {_abort("an entry''s accounts and transaction belong to its fund, of its coalition")}""",
    "ledger_entry_same_fund_update": f"""
        CREATE TRIGGER ledger_entry_same_fund_update BEFORE UPDATE ON ledger_entry
        FOR EACH ROW WHEN {_ENTRY_MISMATCH}
        {_abort("an entry''s accounts and transaction belong to its fund, of its coalition")}""",
    "ledger_account_in_fund_insert": f"""
        CREATE TRIGGER ledger_account_in_fund_insert BEFORE INSERT ON ledger_account
        FOR EACH ROW WHEN {_IN_FUND}
        {_abort("an account belongs to a fund of its coalition")}""",
    "ledger_account_fixed": f"""
        CREATE TRIGGER ledger_account_fixed BEFORE UPDATE ON ledger_account
        FOR EACH ROW WHEN NEW.fund_id IS NOT OLD.fund_id
            OR NEW.coalition_id IS NOT OLD.coalition_id
        {_abort("an account never moves to another fund")}""",
    "ledger_tx_in_fund_insert": f"""
        CREATE TRIGGER ledger_tx_in_fund_insert BEFORE INSERT ON ledger_ledgertransaction
        FOR EACH ROW WHEN {_IN_FUND} OR {_REVERSES}
        {_abort("a transaction belongs to a fund of its coalition")}""",
    "ledger_tx_fixed": f"""
        CREATE TRIGGER ledger_tx_fixed BEFORE UPDATE ON ledger_ledgertransaction
        FOR EACH ROW WHEN NEW.fund_id IS NOT OLD.fund_id
            OR NEW.coalition_id IS NOT OLD.coalition_id OR {_REVERSES}
        {_abort("a transaction never moves to another fund")}""",
    "ledger_fund_fixed": f"""
        CREATE TRIGGER ledger_fund_fixed BEFORE UPDATE ON ledger_fund
        FOR EACH ROW WHEN NEW.currency IS NOT OLD.currency
            OR NEW.coalition_id IS NOT OLD.coalition_id
        {_abort("a fund''s currency and coalition never change")}""",
}


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table, name, columns, target, target_columns in POSTGRESQL_FOREIGN_KEYS:
            schema_editor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({columns}) "
                f"REFERENCES {target} ({target_columns})"
            )
        schema_editor.execute(POSTGRESQL_FUND_FIXED)
    elif vendor == "sqlite":
        for sql in SQLITE_TRIGGERS.values():
            schema_editor.execute(sql)
    else:  # the guarantee is the point of the schema: never install without it
        raise NotImplementedError(f"The ledger's database guards are not written for {vendor}.")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP_FUND_FIXED)
        for table, name, *_ in reversed(POSTGRESQL_FOREIGN_KEYS):
            schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_funds_accounts_transactions_entries")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
