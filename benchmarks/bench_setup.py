"""What the in-process benchmarks share: Django set up on a throwaway database with production
settings (a settings module written into the run's work directory), and throwaway PostgreSQL
databases created and dropped by name."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django(work: Path, database_url: str, *, module: str, settings: str) -> None:
    """Django set up with `settings` (Python text) saved as `module` in `work`, on `database_url`
    (SQLite in `work` when empty)."""
    (work / f"{module}.py").write_text(settings)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": module,
        "CAIRN_SECRET_KEY": "benchmark-only-" + "x" * 50,
        "CAIRN_DATA_DIR": str(work),
        "CAIRN_ALLOWED_HOSTS": "testserver",
        "CAIRN_SSL_REDIRECT": "0",
        "CAIRN_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    os.environ.clear()
    os.environ.update(env)
    sys.path[:0] = [str(work), str(ROOT)]
    import django

    django.setup()


def _pg_params(url: str) -> tuple[dict[str, Any], str]:
    import dj_database_url

    config = dj_database_url.parse(url)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    return params, str(config["NAME"])


def create_pg_database(url: str, *, prefix: str) -> str:
    """A new database `<prefix>_<pid>` on the server of `url`; returns the URL that points at it."""
    import psycopg

    params, _ = _pg_params(url)
    throwaway = f"{prefix}_{os.getpid()}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{throwaway}"')
        conn.execute(f'CREATE DATABASE "{throwaway}"')
    base, _, _ = url.rpartition("/")
    query = url.partition("?")[2]
    return f"{base}/{throwaway}" + (f"?{query}" if query else "")


def drop_pg_database(url: str) -> None:
    import psycopg

    params, name = _pg_params(url)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
