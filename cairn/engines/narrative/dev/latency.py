"""CPU time and wall time of the check per ~300-word draft, one thread (developer's probe).

    python -m cairn.engines.narrative.dev.latency

benchmarks/narrative_eval.py reports wall-clock latency; on a shared machine that mostly measures
the queue for a core. This prints both, so the cost of the backend itself can be read: drafts
built from the dev drafts' sentences (each made new to the process) against the evaluation's
demo framework (6 pillars x 4 key messages), then one sentence changed, as while typing.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import json
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
FRAMEWORK = HERE.parents[3] / "benchmarks" / "narrative_eval" / "mental_health" / "framework.json"


def main() -> None:
    from cairn.engines.narrative import check_text, load_framework
    from cairn.engines.narrative.text import split_sentences

    fw = load_framework(FRAMEWORK.read_text())
    sentences = [
        s.text
        for line in (HERE / "drafts.jsonl").read_text().splitlines()
        for s in split_sentences(json.loads(line)["text"])
    ]
    rng = random.Random(1)  # noqa: S311 - a repeatable shuffle, not a secret
    result = check_text(fw, "Warm up the framework.")
    full: list[tuple[float, float]] = []
    edit: list[tuple[float, float]] = []
    count = 0
    for run in range(25):
        rng.shuffle(sentences)
        picked: list[str] = []
        words = 0
        for s in sentences:
            picked.append(f"{s.rstrip('.!?')} in round {run}{len(picked)}.")
            words += len(s.split())
            if words >= 300:
                break
        count = len(picked)
        for timings in (full, edit):
            draft = " ".join(picked)
            wall, cpu = time.perf_counter(), time.process_time()
            check_text(fw, draft)
            timings.append((time.perf_counter() - wall, time.process_time() - cpu))
            picked[len(picked) // 2] = f"Crisis teams reach people faster in edit {run}."

    def q(values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        return f"p50 {statistics.median(values) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"

    out = sys.stdout.write
    out(f"backend {result.checked_with}, {count} sentences a draft, one thread\n")
    for name, timings in (("full check", full), ("one-sentence edit", edit)):
        out(f"  {name:18} wall {q([w for w, _ in timings])}   CPU {q([c for _, c in timings])}\n")


if __name__ == "__main__":
    main()
