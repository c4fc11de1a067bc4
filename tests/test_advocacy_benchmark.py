"""The outreach benchmark runs end to end (for about a second a phase, on SQLite only) and its
checks hold: every redirect of the letter form made one outreach, one delivery and one queued
email per target, every redirect of the durable floor one row. Its figures are for humans
(benchmarks/README.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_database  # a subprocess on its own SQLite file: once is enough

ROOT = Path(__file__).resolve().parents[1]


def test_the_outreach_benchmark_runs_and_its_checks_hold() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # SQLite only
    env["CAIRN_WORKERS"] = "2"
    done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [
            sys.executable,
            str(ROOT / "benchmarks" / "advocacy.py"),
            "--seconds",
            "1",
            "--concurrency",
            "4",
            "--processes",
            "2",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for phase in ("minimal", "durable", "outreach"):
        assert re.search(rf"^\s*{phase}: +[\d,]+ requests +[\d.]+ req/s +p50", out, re.M), out
    assert re.search(r"ratios: outreach / minimal \d+%, outreach / durable \d+%", out), out
    counted = re.search(
        r"outreaches: ([\d,]+) rows for ([\d,]+) redirects; ([\d,]+) deliveries and ([\d,]+) "
        r"queued emails for 1 target",
        out,
    )
    assert counted, out
    rows, redirects, deliveries, emails = (int(n.replace(",", "")) for n in counted.groups())
    assert rows == redirects == deliveries == emails > 0
    floor = re.search(r"durable floor: ([\d,]+) rows for ([\d,]+) redirects", out)
    assert floor, out
    assert floor.group(1) == floor.group(2) != "0"
