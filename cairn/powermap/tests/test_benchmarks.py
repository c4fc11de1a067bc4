"""The power map's benchmarks run end to end on tiny inputs (their figures are for humans)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_database  # a subprocess on its own SQLite file: once is enough

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


def run(script: str, *args: str) -> list[str]:
    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(BENCHMARKS / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_the_power_map_benchmark_runs_on_a_small_map() -> None:
    lines = run(
        "powermap.py",
        *("--stakeholders", "300", "--relationships", "1200", "--members", "4"),
        *("--targets", "3", "--recomputes", "1", "--requests", "1"),
    )
    text = "\n".join(lines)
    assert lines[0].startswith("power map benchmark — sqlite ")
    assert "created 293 + updated 7 stakeholders, 1,200 relationships" in text
    assert "run 1: " in text
    assert "300 nodes, 1,200 edges; betweenness exact" in text
    assert "figure rows stored: 300" in text
    assert text.count("(target p95 < 300 ms)") == 2


def test_the_graph_libraries_benchmark_runs_on_a_small_graph() -> None:
    lines = run(
        "graph_libraries.py",
        *("--nodes", "400", "--edges", "1600", "--repeats", "1", "--exact-nodes", "100"),
        *("--error-nodes", "300", "--error-pivots", "64"),
    )
    text = "\n".join(lines)
    for operation in ("PageRank (weighted)", "Burt's constraint", "communities: Louvain"):
        assert operation in text
    assert "sampled betweenness on 300 nodes" in text
    assert "total" in text
