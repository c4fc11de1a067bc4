"""`cairn import-people FILE --coalition SLUG`: the console script as a user runs it (a process of
its own, on a database of its own), and the same entry point in-process for its error paths."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cairn import cli
from cairn.people.models import Person

from .test_importing import GOOD, csv_bytes

CAIRN = str(Path(sys.executable).with_name("cairn"))
BENCHMARK = Path(__file__).resolve().parents[3] / "benchmarks" / "import_people.py"


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CAIRN_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [CAIRN, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.mark.own_database  # a subprocess on its own SQLite file: once is enough
def test_the_console_script_imports_a_file_with_progress(tmp_path: Path) -> None:
    # given a fresh database holding one coalition, and a file
    assert run("migrate", "--verbosity", "0", data_dir=tmp_path).returncode == 0
    create = (
        "from cairn.coalitions.models import Coalition; import datetime as dt; "
        "Coalition.objects.create(name='C', slug='c', mission='m', horizon_title='h', "
        "horizon_start=dt.date(2026, 1, 1), horizon_end=dt.date(2026, 12, 31))"
    )
    assert run("shell", "-c", create, data_dir=tmp_path).returncode == 0
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(GOOD, "bo@example.org,Bo,,,,,,,"))
    # when
    result = run("import-people", str(path), "--coalition", "c", data_dir=tmp_path)
    # then it prints the mapping, its progress and the outcome, and the people are in
    assert result.returncode == 0, result.stderr
    assert "Email Address → email" in result.stdout
    assert "importing: 2 of 2 rows (100%)" in result.stdout
    assert "Done: 2 created, 0 updated, 0 skipped." in result.stdout
    with sqlite3.connect(tmp_path / "cairn.sqlite3") as db:
        (people,) = db.execute("select count(*) from people_person").fetchone()
        (job,) = db.execute("select status, file from people_importjob").fetchall()
    assert people == 2
    assert job == ("done", "")  # the stored copy of the file is deleted
    # and a file with a bad row exits non-zero, names the row and changes nothing
    path.write_bytes(csv_bytes("carla@example.org,Carla,,,,,,,", "nope,,,,,,,,"))
    result = run("import-people", str(path), "--coalition", "c", data_dir=tmp_path)
    assert result.returncode == 1
    assert "line 3, Email Address: 'nope' is not an email" in result.stderr
    assert "1 row has errors; nothing was imported" in result.stderr
    with sqlite3.connect(tmp_path / "cairn.sqlite3") as db:
        (people,) = db.execute("select count(*) from people_person").fetchone()
    assert people == 2


def test_the_entry_point_maps_the_hyphenated_command(monkeypatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(cli, "run_django", lambda argv: seen.append(list(argv)))
    cli.main(["import-people", "people.csv", "--coalition", "c"])
    assert seen == [["cairn", "import_people", "people.csv", "--coalition", "c"]]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"coalition": "nowhere"}, "No coalition with the slug 'nowhere'."),
        ({"source": "Nobody"}, "No member organization named 'Nobody'."),
        ({"mapping": '{"First Name": "given_name"}'}, "Missing required column"),
        ({"mapping": "[1]"}, "--mapping must be an object"),
    ],
)
def test_the_command_explains_what_it_cannot_do(coalition, tmp_path, options, message):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(GOOD))
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_people", str(path), **{"coalition": coalition.slug, **options})
    assert Person.objects.count() == 0


@pytest.mark.own_database
def test_the_benchmark_runs_on_a_small_file(tmp_path: Path) -> None:
    # a smoke test: the benchmark's own command, 200 rows, SQLite
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(BENCHMARK), "--rows", "200"],
        env={**env, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "csv: 200 rows" in result.stdout
    assert "Done: 200 created, 0 updated, 0 skipped." in result.stdout
    assert "rows/s" in result.stdout
    assert "peak memory:" in result.stdout
    assert "ratio import / raw:" in result.stdout
