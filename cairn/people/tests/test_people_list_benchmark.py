"""The people list benchmark runs end to end on a tiny input (its figures are for humans)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_database  # a subprocess on its own SQLite file: once is enough

BENCHMARK = Path(__file__).resolve().parents[3] / "benchmarks" / "people_list.py"


def test_the_benchmark_runs_on_a_small_coalition() -> None:
    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(BENCHMARK), "--people", "300", "--requests", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("people list benchmark — sqlite ")
    assert lines[0].endswith(", 300 people")
    assert "USING INDEX person_name_sort" in result.stdout
    assert "USING INDEX people_address_postal_prefix" in result.stdout
    by_page = {line[:34].strip(): line[34:].split() for line in lines if line[:1].isalpha()}
    # the columns: cold, p50, p95, queries, people, rows shown, COUNT ms
    assert by_page["newest first, page 1"][4:6] == ["300", "50"]
    assert by_page["sorted by name, last page"][4:6] == ["300", "50"]  # page 6 of 6
    assert by_page["postal code prefix 123"][4] == "1"  # of the codes 10000 + 48271 n mod 30000
    assert by_page["organizer (10% share), by name"][4:6] == ["30", "30"]
