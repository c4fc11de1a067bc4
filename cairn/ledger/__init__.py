"""The pooled fund's double-entry ledger (app label `ledger`).

Why not django-hordak. Hordak (evaluated at its repository's head, 2.0.1.dev0, March 2026) is
the obvious library, and it puts the balance in the database — but only on PostgreSQL (and
partly MariaDB/MySQL): its `check_leg` balance trigger and its other constraints are PL/pgSQL
and MySQL procedures created in migrations that skip every other vendor, and its documentation
says "Other databases (e.g. SQLite) are unsupported. This is due to the database constraints we
apply to ensure data integrity." Cairn's default database is SQLite, so on the default install
hordak's ledger would balance only as long as Python behaves. It also brings django-mptt and
django-money (py-moneyed) for features we do not need.

Our schema gives the same guarantee on both databases without a deferred balance trigger: each
`Entry` row is one *transfer* (debit account, credit account, one amount), so a transaction of
any number of rows balances by construction. What is left for the database to refuse:

- a non-positive amount or a transfer from an account to itself: CHECK constraints (both);
- an entry whose accounts or transaction belong to another fund, or a fund/account/transaction
  of another coalition: on PostgreSQL composite foreign keys — (fund_id, debit_id) references
  account (fund_id, id), and so on — declarative, race-free and checked on every insert and
  update; on SQLite, which cannot add a foreign key to an existing table, BEFORE INSERT/UPDATE
  triggers raising ABORT (a fund's or an account's fund never changes, so reading it in the
  trigger cannot race);
- changing a fund's currency once it has entries: a trigger on both.

(Migration 0002 creates these. A later migration that remakes a ledger table on SQLite drops its
triggers; the raw-SQL refusal tests in `tests/test_database_guards.py` would then fail.)
"""
