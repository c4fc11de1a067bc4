"""The donation benchmark runs end to end (for about a second a phase, on SQLite) and its checks
hold: every redirect made one donation and one checkout session, every webhook answered 200 one
succeeded donation and one ledger transaction. Its figures are for humans (benchmarks/README.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_database  # a subprocess on its own SQLite file: once is enough

ROOT = Path(__file__).resolve().parents[1]


def test_the_donation_benchmark_runs_and_its_checks_hold() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # SQLite only
    env["CAIRN_WORKERS"] = "2"
    done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [
            sys.executable,
            str(ROOT / "benchmarks" / "donate.py"),
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
    for phase in ("minimal", "insert", "donate", "insert-event", "webhook"):
        assert re.search(rf"^\s*{phase}: +[\d,]+ requests", out, re.M), out
    assert re.search(r"ratios: donate / minimal \d+%, donate / insert \d+%; webhook", out), out
    counted = re.search(
        r"donations: ([\d,]+) rows for ([\d,]+) redirects, ([\d,]+) checkout sessions; "
        r"([\d,]+) succeeded and ([\d,]+) ledger transactions for ([\d,]+) webhooks",
        out,
    )
    assert counted, out
    rows, redirects, sessions, succeeded, posted, answered = (
        int(n.replace(",", "")) for n in counted.groups()
    )
    assert rows == redirects == sessions > 0
    assert succeeded == posted == answered > 0
