"""Scores the check on the developer's own examples (drafts.jsonl beside this file).

    python -m cairn.engines.narrative.dev.evaluate [--lexical] [-v]

These are tuning examples, not the held-out evaluation (benchmarks/narrative_eval.py scores that).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).parent


def out(*parts: object) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lexical", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.lexical:
        os.environ["CAIRN_TEXT_EMBEDDER"] = "lexical"
    from cairn.engines.narrative.check import check_text
    from cairn.engines.narrative.framework import load_framework

    frameworks = {p.stem: load_framework(p.read_text()) for p in HERE.glob("*.json")}
    counts: dict[str, list[int]] = {}

    def add(kind: str, gold: set[str], got: set[str]) -> None:
        for key in (kind, f"{kind} [{current}]"):
            tp, fp, fn = counts.setdefault(key, [0, 0, 0])
            counts[key] = [tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)]

    for line in (HERE / "drafts.jsonl").read_text().splitlines():
        d = json.loads(line)
        current = d["framework"]
        r = check_text(frameworks[d["framework"]], d["text"])
        add("pillar", set(d["pillars"]), set(r.pillars))
        add("contradiction", set(d["contradicts"]), set(r.contradicts))
        add("avoided_term", set(d["avoided_terms"]), set(r.avoided_terms))
        add("ask", {"x"} if d["has_ask"] else set(), {"x"} if r.has_ask else set())
        add("off_message", {"x"} if d["off_message"] else set(), {"x"} if r.off_message else set())
        wrong = (
            set(d["pillars"]) != set(r.pillars)
            or set(d["contradicts"]) != set(r.contradicts)
            or d["has_ask"] != r.has_ask
            or d["off_message"] != r.off_message
            or set(d["avoided_terms"]) != set(r.avoided_terms)
        )
        if args.verbose and wrong:
            out(d["id"], "gold", d["pillars"], d["contradicts"], d["has_ask"], d["off_message"])
            out("   got", r.pillars, r.contradicts, r.has_ask, r.off_message)
            for s in r.sentences:
                out("   ", s["scores"], d["text"][s["start"] : s["end"]][:60])
    out("checked with", r.checked_with)
    for kind, (tp, fp, fn) in sorted(counts.items()):
        p = tp / (tp + fp) if tp + fp else 1.0
        rc = tp / (tp + fn) if tp + fn else 1.0
        out(f"{kind:28} P {p:.2f} R {rc:.2f} (tp {tp} fp {fp} fn {fn})")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
