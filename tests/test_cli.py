"""The `cairn` console script, run as a user would: demo, worker and Django commands."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CAIRN = str(Path(sys.executable).with_name("cairn"))


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CAIRN_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [CAIRN, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("demo")
    first = run("demo", "--no-serve", "--port", "8123", "--supporters", "40", data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    assert "http://127.0.0.1:8123/" in first.stdout
    assert "steward@demo.cairn.test" in first.stdout
    assert "(loaded)" in first.stdout
    return data_dir


def test_demo_is_idempotent(demo_dir: Path) -> None:
    # when the demo is prepared a second time
    again = run("demo", "--no-serve", "--supporters", "40", data_dir=demo_dir)
    # then it says so and the database holds one demo coalition
    assert again.returncode == 0, again.stderr
    assert "(already loaded)" in again.stdout
    with sqlite3.connect(demo_dir / "cairn.sqlite3") as db:
        (count,) = db.execute("select count(*) from coalitions_coalition").fetchone()
    assert count == 1


def now() -> str:
    """The time as SQLite keeps it (UTC, as text): a task is due when its run_after is not later
    (django-tasks-db writes 9999-01-01 for "no time set")."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def test_worker_runs_the_queued_tasks(demo_dir: Path) -> None:
    # given the invitation emails the demo queued (the demo uses the database task backend)
    with sqlite3.connect(demo_dir / "cairn.sqlite3") as db:
        (queued,) = db.execute(
            "select count(*) from django_tasks_database_dbtaskresult where status = 'READY'"
            " and (run_after <= ? or run_after >= '9999-01-01')",
            (now(),),
        ).fetchone()
    assert queued > 0
    # when the worker runs once through the queue
    worker = run("worker", "--batch", "--no-startup-delay", "--no-reload", data_dir=demo_dir)
    # then every task ran successfully, and so did those they queued in turn (a checkpoint's email)
    assert worker.returncode == 0, worker.stderr
    with sqlite3.connect(demo_dir / "cairn.sqlite3") as db:
        rows = dict(
            db.execute(
                "select status, count(*) from django_tasks_database_dbtaskresult group by status"
            ).fetchall()
        )
    # but those queued for later (events' reminders wait for their hour)
    with sqlite3.connect(demo_dir / "cairn.sqlite3") as db:
        (due_left,) = db.execute(
            "select count(*) from django_tasks_database_dbtaskresult where status != 'SUCCESSFUL'"
            " and (run_after <= ? or run_after >= '9999-01-01')",
            (now(),),
        ).fetchone()
    assert due_left == 0
    assert set(rows) <= {"SUCCESSFUL", "READY"}
    assert rows["SUCCESSFUL"] >= queued


def test_django_commands_pass_through(demo_dir: Path) -> None:
    result = run("showmigrations", "coalitions", data_dir=demo_dir)
    assert result.returncode == 0, result.stderr
    assert "[X] 0001_initial" in result.stdout


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = run("--help", data_dir=tmp_path)
    assert result.returncode == 0
    for command in ("cairn demo", "cairn serve", "cairn worker"):
        assert command in result.stdout
