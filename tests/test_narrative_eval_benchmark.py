"""The message-check evaluation sets are sound and the benchmark scores them (its figures are for
humans: benchmarks/narrative_eval.py)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.own_database  # no database at all: once is enough

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "narrative_eval.py"


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("narrative_eval_benchmark", BENCHMARK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.mark.parametrize(("name", "at_least"), [("mental_health", 200), ("housing", 100)])
def test_every_line_of_the_set_is_valid(bench: ModuleType, name: str, at_least: int) -> None:
    es = bench.load_set(name)
    assert bench.validate_set(es) == []
    assert len(es.drafts) >= at_least
    labels = [d["labels"] for d in es.drafts]
    # a realistic share of off-message drafts, and every kind of flag present to be found
    assert 0.18 <= sum(lab["off_message"] for lab in labels) / len(labels) <= 0.30
    for key in ("contradicts", "avoided_terms"):
        assert sum(bool(lab[key]) for lab in labels) >= 15
    assert 15 <= sum(lab["has_ask"] for lab in labels) < len(labels)
    assert sum(len(d["text"].split()) >= 250 for d in es.drafts) >= 5


def test_the_demo_framework_has_six_pillars_of_four_key_messages(bench: ModuleType) -> None:
    es = bench.load_set("mental_health")
    assert [len(p["key_messages"]) for p in es.framework["pillars"]] == [4] * 6


def test_validation_names_the_line_and_the_reason(bench: ModuleType) -> None:
    es = bench.load_set("housing")
    es.drafts = [json.loads(json.dumps(d)) for d in es.drafts[:3]]
    es.drafts[1]["labels"]["contradicts"] = ["transit-9"]
    es.drafts[2]["id"] = es.drafts[0]["id"]
    problems = bench.validate_set(es)
    assert problems == [
        f"{es.drafts_path}:2: labels.contradicts: 'transit-9' is not in the framework",
        f"{es.drafts_path}:3: id 'h-001' repeats",
    ]


def test_scores_count_pairs_per_flag_kind(bench: ModuleType) -> None:
    es = bench.load_set("mental_health")
    es.drafts = es.drafts[:20]
    gold = bench.gold_of(es)
    perfect = bench.score(gold, gold)
    assert all(c.fp == 0 and c.fn == 0 for c in perfect.values())
    # when one on-message draft is answered with no pillar, a wrong key message and no ask
    draft = next(d for d in es.drafts if d["labels"]["pillars"] and d["labels"]["has_ask"])
    g = gold[draft["id"]]
    wrong = bench.Verdict(frozenset(), True, frozenset({"acc-4"}), g.avoided_terms, False)
    counts = bench.score(gold, {**gold, draft["id"]: wrong})
    # then each kind counts exactly that miss
    assert (counts["pillars"].fn, counts["pillars"].fp) == (len(g.pillars), 0)
    assert (counts["off_message"].fp, counts["contradiction"].fp) == (1, 1)
    assert counts["missing_ask"].fp == 1
    assert counts["avoided_terms"].fp == 0
    assert bench.target("missing_ask", counts["missing_ask"]) == (False, "P = R = 1.0")


def test_checker_output_is_read_by_the_command_contract(bench: ModuleType) -> None:
    es = bench.load_set("mental_health")
    es.drafts = es.drafts[:2]
    first, second = (d["id"] for d in es.drafts)
    lines = [
        {"id": first, "pillars": [], "contradicts": [], "avoided_terms": ["CRAZY"], "has_ask": 0},
    ]
    with pytest.raises(ValueError, match="'has_ask' missing or not a bool"):
        bench.parse_output("\n".join(json.dumps(line) for line in lines), es)
    lines[0]["has_ask"] = False
    with pytest.raises(ValueError, match="missing \\['mh-002'\\]"):
        bench.parse_output(json.dumps(lines[0]), es)
    lines.append({"id": second, "pillars": ["beds"], "contradicts": [], "avoided_terms": []})
    lines[1]["has_ask"] = True
    verdicts = bench.parse_output("\n".join(json.dumps(line) for line in lines), es)
    # no off_message given: no pillar means off-message; terms take the framework's spelling
    assert verdicts[first].off_message
    assert verdicts[first].avoided_terms == {"crazy"}
    assert not verdicts[second].off_message
    assert verdicts[second].has_ask


def test_the_engine_and_the_baseline_answer_every_draft(bench: ModuleType) -> None:
    es = bench.load_set("housing")
    es.drafts = es.drafts[:4]
    engine = {
        line["id"]: bench.verdict_from_output(line, es.avoid_terms)
        for line in bench.engine_output(es)
    }
    baseline = bench.baseline_check(es)
    assert set(engine) == set(baseline) == {d["id"] for d in es.drafts}


def test_the_benchmark_prints_its_figures() -> None:
    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [
            sys.executable,
            str(BENCHMARK),
            *("--limit", "6", "--runs", "3", "--repeats", "1"),
            *("--skip-command", "--also"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("message check evaluation: mental_health (6 drafts, 6 pillars x 4 key")
    assert "engine in-process, " in out
    assert "BASELINE: keyword overlap" in out
    assert out.count("overall       pillars (micro)") == 2
    assert "full check       p50" in out
    assert "one-sentence edit p50" in out
