"""The acceptance suite's fixtures: a live Cairn server (started by scripts/acceptance.sh), its
token, and read-only access to its throwaway SQLite database to check what the clients did.

Runs in .venv-acceptance, which has the real clients and no Django: the database is read with
sqlite3 and Cairn's table names.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator

import pytest

BASE_URL = os.environ.get("CAIRN_ACCEPTANCE_URL", "")
TOKEN = os.environ.get("CAIRN_ACCEPTANCE_TOKEN", "")
DATABASE = os.environ.get("CAIRN_ACCEPTANCE_DB", "")


def pytest_configure(config: pytest.Config) -> None:
    if not (BASE_URL and TOKEN and DATABASE):
        raise pytest.UsageError(
            "Run the acceptance suite with scripts/acceptance.sh (it starts the server)."
        )


@pytest.fixture(scope="session")
def base_url() -> str:
    return BASE_URL  # e.g. http://127.0.0.1:PORT/api/v2, without a trailing slash


@pytest.fixture(scope="session")
def token() -> str:
    return TOKEN


class Database:
    """Read-only queries on the server's database."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)

    def rows(self, sql: str, *params: object) -> list[tuple]:
        return self.connection.execute(sql, params).fetchall()

    def value(self, sql: str, *params: object) -> object:
        rows = self.rows(sql, *params)
        return rows[0][0] if rows else None

    def person(self, public_id: str) -> dict | None:
        """A person by their public id, with emails, phones and tag names."""
        key = uuid.UUID(public_id).hex  # Django keeps UUIDs as 32 hex digits on SQLite
        row = self.rows(
            "SELECT id, given_name, family_name, custom_fields, created_at, modified_at"
            " FROM people_person WHERE uuid = ?",
            key,
        )
        if not row:
            return None
        pk, given, family, custom, created, modified = row[0]
        return {
            "given_name": given,
            "family_name": family,
            "custom_fields": custom,
            "created_at": created,
            "modified_at": modified,
            "emails": [
                r[0]
                for r in self.rows(
                    "SELECT address FROM people_emailaddress WHERE person_id = ? ORDER BY id", pk
                )
            ],
            "phones": [
                r[0]
                for r in self.rows(
                    "SELECT number FROM people_phonenumber WHERE person_id = ? ORDER BY id", pk
                )
            ],
            "tags": sorted(
                r[0]
                for r in self.rows(
                    "SELECT t.name FROM people_tagging g JOIN people_tag t ON t.id = g.tag_id"
                    " WHERE g.person_id = ?",
                    pk,
                )
            ),
        }

    def people_with_email(self, address: str) -> int:
        return int(
            self.value(  # type: ignore[arg-type]
                "SELECT count(DISTINCT person_id) FROM people_emailaddress WHERE canonical = ?",
                address.lower(),
            )
        )


@pytest.fixture(scope="session")
def db() -> Iterator[Database]:
    database = Database(DATABASE)
    yield database
    database.connection.close()


@pytest.fixture
def unique() -> str:
    """A prefix that keeps one test's names and emails apart from another's."""
    return uuid.uuid4().hex[:8]


def an_id(resource: dict) -> str:
    return next(i for i in resource["identifiers"] if i.startswith("action_network:")).split(":")[1]
