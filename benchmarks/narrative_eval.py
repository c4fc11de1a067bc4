"""How well Cairn's message check agrees with a communications lead, and how fast it is.

    .venv/bin/python benchmarks/narrative_eval.py                    # both sets, every figure
    .venv/bin/python benchmarks/narrative_eval.py --sets housing     # one set
    .venv/bin/python benchmarks/narrative_eval.py --skip-latency --skip-command
    .venv/bin/python benchmarks/narrative_eval.py --score-output OUT.jsonl --sets mental_health
        # score lines that `cairn narrative-check` (or any other checker) printed for that set

The evaluation sets are under benchmarks/narrative_eval/<set>/ (framework.json, drafts.jsonl;
their README says how they were written and labelled). The checker is scored by its output in
the `cairn narrative-check` contract, one JSON line per draft:
`{"id", "pillars", "contradicts", "avoided_terms", "has_ask"}` (+ `"off_message"`; when a
checker gives none, a draft with no pillar counts as off-message). Rows printed:

- the engine in-process (`cairn.engines.narrative.check_text`), with the backend the install
  picks (`CAIRN_TEXT_EMBEDDER=auto`), then, through the command, with each backend named by
  --also (default: wordllama and the lexical fallback; one that is not installed is reported);
- the `cairn narrative-check` command (a child process), compared line by line with the
  in-process output (they must agree);
- a keyword-overlap baseline written here, for comparison.

For each: precision, recall and F1 per flag kind — off-message (drafts), pillars (micro over
(draft, pillar) pairs), contradiction ((draft, key message) pairs), avoided terms ((draft,
term) pairs), missing ask (drafts without the ask) — per set and overall, against the targets.

Then the cost, each figure the median of --repeats child processes, one thread each: import and
model load time and the resident memory after load (VmRSS/VmHWM from /proc/self/status), the
full check of a fresh ~300-word draft against the demo framework (6 pillars x 4 key messages)
and the re-check after one sentence of an already-checked draft changed (p50/p95 of --runs).
The drafts timed are built from sentences of the demo set, every sentence new to the process,
so no cached sentence vector helps the full check; the edit brings one new sentence.
"""

from __future__ import annotations

import os

# One thread, set before numpy (and anything that loads it) is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402 - after the thread settings above
import json  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SETS_DIR = Path(__file__).resolve().parent / "narrative_eval"
DEFAULT_SETS = ("mental_health", "housing")
LATENCY_SET = "mental_health"  # 6 pillars x 4 key messages
LATENCY_WORDS = 300

CHANNELS = frozenset(
    {"social", "email", "press_release", "op_ed", "talking_points", "video_script"}
)
LABEL_KEYS = ("pillars", "off_message", "contradicts", "avoided_terms", "has_ask")
MIN_WORDS, MAX_WORDS = 20, 400

KINDS = ("off_message", "pillars", "contradiction", "avoided_terms", "missing_ask")
KIND_NAMES = {
    "off_message": "off-message",
    "pillars": "pillars (micro)",
    "contradiction": "contradiction",
    "avoided_terms": "avoided terms",
    "missing_ask": "missing ask",
}


# --- the sets -------------------------------------------------------------------------------


@dataclass
class EvalSet:
    name: str
    framework_path: Path
    drafts_path: Path
    framework: dict[str, Any]
    drafts: list[dict[str, Any]]

    @property
    def pillar_ids(self) -> list[str]:
        return [p["id"] for p in self.framework.get("pillars", [])]

    @property
    def key_message_ids(self) -> list[str]:
        return [k["id"] for p in self.framework.get("pillars", []) for k in p["key_messages"]]

    @property
    def avoid_terms(self) -> list[str]:
        return [term_of(t) for t in self.framework.get("terms_avoid", [])]


def term_of(entry: Any) -> str:
    """An avoided term as written in the framework (a string or `{"term", "replacement"}`)."""
    return str(entry["term"]) if isinstance(entry, dict) else str(entry)


def set_dir(name: str) -> Path:
    path = Path(name)
    return path if path.is_dir() else SETS_DIR / name


def load_set(name: str) -> EvalSet:
    """Read a set's framework and drafts (no validation: see validate_set)."""
    folder = set_dir(name)
    framework_path, drafts_path = folder / "framework.json", folder / "drafts.jsonl"
    framework = json.loads(framework_path.read_text(encoding="utf-8"))
    drafts = []
    for number, line in enumerate(drafts_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            drafts.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise SystemExit(f"{drafts_path}:{number}: not JSON ({error.msg})") from error
    return EvalSet(folder.name, framework_path, drafts_path, framework, drafts)


def validate_set(es: EvalSet) -> list[str]:
    """Every problem with the set, as 'file:line: reason' (empty when the set is sound)."""
    problems: list[str] = []
    fw, where = es.framework, str(es.framework_path)
    for key in ("core_message", "ask", "pillars", "terms_use", "terms_avoid"):
        if key not in fw:
            problems.append(f"{where}: no '{key}'")
    pillar_ids, km_ids = es.pillar_ids, es.key_message_ids
    for kind, ids in (("pillar", pillar_ids), ("key message", km_ids)):
        if len(ids) != len(set(ids)):
            problems.append(f"{where}: {kind} ids are not unique")
    for pillar in fw.get("pillars", []):
        if not pillar.get("key_messages") or not all(k.get("text") for k in pillar["key_messages"]):
            problems.append(f"{where}: pillar {pillar.get('id')!r} has a key message without text")
    terms = es.avoid_terms
    if len({t.casefold() for t in terms}) != len(terms):
        problems.append(f"{where}: avoided terms repeat")
    seen: set[str] = set()
    for number, draft in enumerate(es.drafts, 1):
        at = f"{es.drafts_path}:{number}"
        if set(draft) != {"id", "text", "channel", "labels"}:
            problems.append(f"{at}: keys {sorted(draft)} (want id, text, channel, labels)")
            continue
        if not isinstance(draft["id"], str) or not draft["id"]:
            problems.append(f"{at}: the id is not a non-empty string")
        elif draft["id"] in seen:
            problems.append(f"{at}: id {draft['id']!r} repeats")
        seen.add(str(draft["id"]))
        words = len(str(draft["text"]).split())
        if not MIN_WORDS <= words <= MAX_WORDS:
            problems.append(f"{at}: {words} words (want {MIN_WORDS}-{MAX_WORDS})")
        if draft["channel"] not in CHANNELS:
            problems.append(f"{at}: unknown channel {draft['channel']!r}")
        labels = draft["labels"]
        if not isinstance(labels, dict) or set(labels) != set(LABEL_KEYS):
            problems.append(f"{at}: labels must have exactly {', '.join(LABEL_KEYS)}")
            continue
        for key in ("off_message", "has_ask"):
            if not isinstance(labels[key], bool):
                problems.append(f"{at}: labels.{key} is not true/false")
        for key, known in (
            ("pillars", pillar_ids),
            ("contradicts", km_ids),
            ("avoided_terms", terms),
        ):
            values = labels[key]
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                problems.append(f"{at}: labels.{key} is not a list of strings")
                continue
            if len(values) != len(set(values)):
                problems.append(f"{at}: labels.{key} repeats a value")
            for value in values:
                if value not in known:
                    problems.append(f"{at}: labels.{key}: {value!r} is not in the framework")
        if labels["off_message"] is True and labels["pillars"]:
            problems.append(f"{at}: off-message but supports pillars {labels['pillars']}")
        if labels["off_message"] is False and not labels["pillars"]:
            problems.append(f"{at}: on-message but supports no pillar")
    return problems


# --- predictions and scores -----------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """One draft's outcome in the terms the labels use."""

    pillars: frozenset[str]
    off_message: bool
    contradicts: frozenset[str]
    avoided_terms: frozenset[str]
    has_ask: bool


def verdict_from_labels(labels: dict[str, Any]) -> Verdict:
    return Verdict(
        pillars=frozenset(labels["pillars"]),
        off_message=bool(labels["off_message"]),
        contradicts=frozenset(labels["contradicts"]),
        avoided_terms=frozenset(labels["avoided_terms"]),
        has_ask=bool(labels["has_ask"]),
    )


def verdict_from_output(line: dict[str, Any], terms: Sequence[str]) -> Verdict:
    """A line of checker output (the command's contract) as a Verdict. Avoided terms are matched
    to the framework's spelling case-insensitively; an unknown term stays (a false alarm)."""
    for key, kind in (
        ("pillars", list),
        ("contradicts", list),
        ("avoided_terms", list),
        ("has_ask", bool),
    ):
        if not isinstance(line.get(key), kind):
            raise ValueError(f"draft {line.get('id')!r}: '{key}' missing or not a {kind.__name__}")
    spelled = {t.casefold(): t for t in terms}
    pillars = frozenset(str(p) for p in line["pillars"])
    off = line.get("off_message")
    return Verdict(
        pillars=pillars,
        off_message=bool(off) if isinstance(off, bool) else not pillars,
        contradicts=frozenset(str(k) for k in line["contradicts"]),
        avoided_terms=frozenset(
            spelled.get(str(t).casefold(), str(t)) for t in line["avoided_terms"]
        ),
        has_ask=bool(line["has_ask"]),
    )


def parse_output(text: str, es: EvalSet) -> dict[str, Verdict]:
    """Checker output (JSON lines) for a set: one line per draft of the set, nothing else."""
    verdicts: dict[str, Verdict] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ValueError(f"output line {number}: not JSON ({error.msg})") from error
        if not isinstance(line, dict) or "id" not in line:
            raise ValueError(f"output line {number}: not an object with an id")
        verdicts[str(line["id"])] = verdict_from_output(line, es.avoid_terms)
    wanted = {d["id"] for d in es.drafts}
    if set(verdicts) != wanted:
        missing, extra = sorted(wanted - set(verdicts)), sorted(set(verdicts) - wanted)
        raise ValueError(
            f"output ids differ from the set: missing {missing[:5]}, extra {extra[:5]}"
        )
    return verdicts


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: Iterable[Any], predicted: Iterable[Any]) -> None:
        g, p = set(gold), set(predicted)
        self.tp += len(g & p)
        self.fp += len(p - g)
        self.fn += len(g - p)

    def __iadd__(self, other: Counts) -> Counts:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        return self

    @property
    def precision(self) -> float:
        # nothing flagged: no false alarm, precision 1 (recall says what was missed)
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(gold: dict[str, Verdict], predicted: dict[str, Verdict]) -> dict[str, Counts]:
    """Counts per flag kind; positives: off-message drafts, (draft, pillar) pairs, (draft, key
    message) pairs, (draft, term) pairs, drafts without the ask."""
    counts = {kind: Counts() for kind in KINDS}
    for draft_id, g in gold.items():
        p = predicted[draft_id]
        counts["off_message"].add([draft_id] * g.off_message, [draft_id] * p.off_message)
        counts["pillars"].add(g.pillars, p.pillars)
        counts["contradiction"].add(g.contradicts, p.contradicts)
        counts["avoided_terms"].add(g.avoided_terms, p.avoided_terms)
        counts["missing_ask"].add([draft_id] * (not g.has_ask), [draft_id] * (not p.has_ask))
    return counts


def target(kind: str, c: Counts) -> tuple[bool, str]:
    """Whether the counts meet issue 14's target for the kind, and the target in words."""
    if kind == "off_message":
        return c.recall >= 0.85 and c.precision >= 0.80, "R >= 0.85 at P >= 0.80"
    if kind == "pillars":
        return c.f1 >= 0.80, "F1 >= 0.80"
    if kind == "contradiction":
        return c.precision >= 0.70 and c.recall >= 0.60, "P >= 0.70, R >= 0.60"
    return c.precision == 1.0 and c.recall == 1.0, "P = R = 1.0"


def gold_of(es: EvalSet) -> dict[str, Verdict]:
    return {d["id"]: verdict_from_labels(d["labels"]) for d in es.drafts}


# --- the checkers ---------------------------------------------------------------------------

STOP = frozenset(
    """a an and are as at be been but by can do does for from had has have he her his how i if
    in into is it its more most much no not of on once one only or our out over so than that the
    their them then there these they this those to too up us was we were what when where which
    who why will with without you your every each any all about after before should must need
    needs""".split()  # noqa: SIM905 - a word list reads better as text
)
NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "rarely",
        "hardly",
        "isn't",
        "aren't",
        "don't",
        "doesn't",
        "won't",
        "can't",
        "cannot",
        "nothing",
    }
)
ASK_VERBS = frozenset(
    {"call", "tell", "ask", "urge", "email", "write", "sign", "contact", "vote", "join", "testify"}
)
WORD = re.compile(r"[a-z][a-z'\-]*")
SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(text) if s and s.strip()]


def _stems(text: str) -> set[str]:
    return {w[:6] for w in WORD.findall(text.lower()) if len(w) >= 4 and w not in STOP}


def baseline_verdict(framework: dict[str, Any], text: str) -> Verdict:
    """Keyword overlap, for comparison: a sentence covers a pillar when it shares 3 word stems
    with the pillar's key messages and proof points; a sentence with a negation word sharing 4
    stems with a key message contradicts it; avoided terms by plain substring; the ask is a
    sentence with an action verb sharing 2 stems with the framework's ask."""
    sentences = split_sentences(text)
    stems = [_stems(s) for s in sentences]
    words = [set(WORD.findall(s.lower())) for s in sentences]
    pillars: set[str] = set()
    contradicts: set[str] = set()
    for pillar in framework["pillars"]:
        vocabulary = _stems(
            " ".join([pillar["name"], *(k["text"] for k in pillar["key_messages"])])
            + " "
            + " ".join(
                p if isinstance(p, str) else p.get("text", "")
                for p in pillar.get("proof_points", [])
            )
        )
        if any(len(s & vocabulary) >= 3 for s in stems):
            pillars.add(pillar["id"])
        for km in pillar["key_messages"]:
            km_stems = _stems(km["text"])
            for s, w in zip(stems, words, strict=True):
                if w & NEGATIONS and len(s & km_stems) >= 4:
                    contradicts.add(km["id"])
    lowered = text.lower()
    avoided = {t for t in (term_of(e) for e in framework["terms_avoid"]) if t.lower() in lowered}
    ask_stems = _stems(framework["ask"])
    has_ask = any(
        w & ASK_VERBS and len(s & ask_stems) >= 2 for s, w in zip(stems, words, strict=True)
    )
    return Verdict(
        frozenset(pillars), not pillars, frozenset(contradicts), frozenset(avoided), has_ask
    )


def baseline_check(es: EvalSet) -> dict[str, Verdict]:
    return {d["id"]: baseline_verdict(es.framework, d["text"]) for d in es.drafts}


def engine_output(es: EvalSet) -> list[dict[str, Any]]:
    """The engine in-process, each draft as the command would check it, as output lines."""
    from cairn.engines.narrative import check_text, load_framework

    framework = load_framework(es.framework_path.read_bytes())
    lines = []
    for d in es.drafts:
        r = check_text(framework, d["text"], channel=d["channel"])
        lines.append(
            {
                "id": d["id"],
                "pillars": r.pillars,
                "contradicts": r.contradicts,
                "avoided_terms": r.avoided_terms,
                "has_ask": r.has_ask,
                "off_message": r.off_message,
                "checked_with": r.checked_with,
            }
        )
    return lines


def drafts_for_checker(es: EvalSet, folder: Path) -> Path:
    """The set's drafts without their labels (what the checker may see: id, text, channel)."""
    path = folder / f"{es.name}.drafts.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for d in es.drafts:
            out.write(
                json.dumps({"id": d["id"], "text": d["text"], "channel": d["channel"]}) + "\n"
            )
    return path


def cairn_command() -> list[str]:
    script = Path(sys.executable).with_name("cairn")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from cairn.cli import main; main()"]


def child_env(backend: str | None) -> dict[str, str]:
    """A child's environment: this checkout's cairn first (also when the installed one is another
    checkout's), the text backend when named."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if backend:
        env["CAIRN_TEXT_EMBEDDER"] = backend
    return env


def command_output(es: EvalSet, folder: Path, *, backend: str | None = None) -> tuple[str, float]:
    """`cairn narrative-check FRAMEWORK DRAFTS` in a child process: its stdout and wall time."""
    drafts = drafts_for_checker(es, folder)
    argv = [*cairn_command(), "narrative-check", str(es.framework_path), str(drafts), "--no-flags"]
    env = child_env(backend)
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        argv, capture_output=True, text=True, check=False, cwd=ROOT, env=env, timeout=900
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"cairn narrative-check exited {done.returncode}: {done.stderr[-400:]}")
    return done.stdout, elapsed


# --- printing -------------------------------------------------------------------------------


def print_scores(
    title: str, per_set: dict[str, dict[str, Counts]], out: Callable[[str], None]
) -> dict[str, Counts]:
    out(f"\n{title}")
    out(f"  {'set':<14}{'kind':<17}{'P':>6}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}   target")
    overall = {kind: Counts() for kind in KINDS}
    rows = list(per_set.items())
    for counts in per_set.values():
        for kind in KINDS:
            overall[kind] += counts[kind]
    if len(per_set) > 1:
        rows.append(("overall", overall))
    for name, counts in rows:
        for kind in KINDS:
            c = counts[kind]
            ok, wanted = target(kind, c)
            out(
                f"  {name:<14}{KIND_NAMES[kind]:<17}{c.precision:>6.2f}{c.recall:>7.2f}"
                f"{c.f1:>7.2f}{c.tp:>6}{c.fp:>5}{c.fn:>5}   {'PASS' if ok else 'MISS'} ({wanted})"
            )
    return overall


# --- cost: a child process per repeat ---------------------------------------------------------


def _proc_status() -> dict[str, float]:
    """VmRSS and VmHWM of this process in MB, from /proc/self/status (Linux)."""
    found: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return found


def latency_texts(es: EvalSet, count: int, words: int) -> tuple[list[str], list[str]]:
    """`count` drafts of about `words` words built from the set's sentences in order (each
    sentence used once), and `count` further unused sentences for the one-sentence edits."""
    pool: list[str] = []
    seen: set[str] = set()
    for d in es.drafts:
        if d["labels"]["off_message"]:
            continue
        for s in split_sentences(d["text"]):
            if len(s.split()) >= 6 and s not in seen and not s.startswith(("[", "-", "Subject")):
                seen.add(s)
                pool.append(s)
    texts: list[str] = []
    edits: list[str] = []
    cursor, lap = 0, 0
    while len(texts) < count:
        chunk: list[str] = []
        while sum(len(s.split()) for s in chunk) < words:
            if cursor == len(pool):  # pool used up: go round again with marked sentences
                cursor, lap = 0, lap + 1
            sentence = pool[cursor]
            chunk.append(sentence if lap == 0 else f"{sentence[:-1]} ({lap}).")
            cursor += 1
        texts.append(" ".join(chunk))
    for i in range(count):
        base = pool[(cursor + i) % len(pool)]
        edits.append(f"{base[:-1]} (edit {i}).")
    return texts, edits


def probe(runs: int) -> dict[str, Any]:
    """Run in a child: load, then time full checks and one-sentence edits; JSON to stdout."""
    before = _proc_status()
    started = time.perf_counter()
    from cairn.engines import similarity
    from cairn.engines.narrative import check_text, checker_for, load_framework

    imported = time.perf_counter()
    embedder = similarity.get_embedder()
    loaded = time.perf_counter()
    es = load_set(LATENCY_SET)
    framework = load_framework(es.framework_path.read_bytes())
    checker_for(framework)  # the framework's vectors, once per version
    prepared = time.perf_counter()
    after_load = _proc_status()
    texts, edits = latency_texts(es, runs + 1, LATENCY_WORDS)
    warm = texts.pop()  # first call paths (lazy imports), not timed
    check_text(framework, warm, channel="op_ed")
    full: list[float] = []
    edit: list[float] = []
    for text in texts:
        t0 = time.perf_counter()
        check_text(framework, text, channel="op_ed")
        full.append((time.perf_counter() - t0) * 1000)
    for i, text in enumerate(texts):
        sentences = split_sentences(text)
        sentences[len(sentences) // 2] = edits[i]  # one sentence rewritten, the rest as checked
        t0 = time.perf_counter()
        check_text(framework, " ".join(sentences), channel="op_ed")
        edit.append((time.perf_counter() - t0) * 1000)
    return {
        "backend": embedder.name,
        "import_s": imported - started,
        "load_s": loaded - imported,
        "prepare_s": prepared - loaded,
        "rss_before_mb": before.get("VmRSS"),
        "rss_after_load_mb": after_load.get("VmRSS"),
        "rss_end_mb": _proc_status().get("VmRSS"),
        "hwm_mb": _proc_status().get("VmHWM"),
        "words": statistics.median(len(t.split()) for t in texts),
        "full_ms": full,
        "edit_ms": edit,
    }


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def run_probes(runs: int, repeats: int, backend: str | None) -> list[dict[str, Any]]:
    env = child_env(backend)
    results = []
    for _ in range(repeats):
        done = subprocess.run(  # noqa: S603 - this script, fixed arguments
            [sys.executable, __file__, "--probe", "--runs", str(runs)],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            env=env,
            timeout=900,
        )
        if done.returncode != 0:
            raise RuntimeError(f"latency probe failed: {done.stderr[-400:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def print_cost(results: list[dict[str, Any]], out: Callable[[str], None]) -> None:
    def med(values: Iterable[float | None]) -> float:
        present = [v for v in values if v is not None]
        return statistics.median(present) if present else float("nan")

    full_p50 = med(statistics.median(r["full_ms"]) for r in results)
    full_p95 = med(percentile(r["full_ms"], 0.95) for r in results)
    edit_p50 = med(statistics.median(r["edit_ms"]) for r in results)
    edit_p95 = med(percentile(r["edit_ms"], 0.95) for r in results)
    runs = len(results[0]["full_ms"])
    out(
        f"  backend {results[0]['backend']}: {len(results)} processes x {runs} drafts of "
        f"~{med(r['words'] for r in results):.0f} words; medians over the processes"
    )
    out(
        f"    import {med(r['import_s'] for r in results):.2f} s, model load "
        f"{med(r['load_s'] for r in results):.2f} s, framework prepared "
        f"{med(r['prepare_s'] for r in results) * 1000:.0f} ms; RSS "
        f"{med(r['rss_before_mb'] for r in results):.0f} MB at start, "
        f"{med(r['rss_after_load_mb'] for r in results):.0f} MB after load, "
        f"{med(r['rss_end_mb'] for r in results):.0f} MB at the end (peak "
        f"{med(r['hwm_mb'] for r in results):.0f} MB)"
    )
    out(
        f"    full check       p50 {full_p50:7.1f} ms   p95 {full_p95:7.1f} ms   "
        f"{'PASS' if full_p95 < 300 else 'MISS'} (p95 < 300 ms)"
    )
    out(
        f"    one-sentence edit p50 {edit_p50:6.1f} ms   p95 {edit_p95:7.1f} ms   "
        f"{'PASS' if edit_p95 < 50 else 'MISS'} (p95 < 50 ms)"
    )


# --- main -----------------------------------------------------------------------------------


def checked_with(text: str) -> str:
    """The backend named by the first line of checker output ('' when none)."""
    for raw in text.splitlines():
        if raw.strip():
            return str(json.loads(raw).get("checked_with", ""))
    return ""


def compare(a: dict[str, Verdict], b: dict[str, Verdict]) -> list[str]:
    return [draft_id for draft_id in a if a[draft_id] != b.get(draft_id)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS))
    parser.add_argument("--limit", type=int, default=0, help="Only the first N drafts of each set.")
    parser.add_argument("--runs", type=int, default=40, help="Timed drafts per process.")
    parser.add_argument("--repeats", type=int, default=3, help="Processes for the cost figures.")
    parser.add_argument("--skip-engine", action="store_true")
    parser.add_argument(
        "--also",
        nargs="*",
        default=["wordllama", "lexical"],
        help="Other text backends to score and time (CAIRN_TEXT_EMBEDDER values).",
    )
    parser.add_argument("--skip-command", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--score-output", type=Path, help="Score this checker output instead.")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        sys.stdout.write(json.dumps(probe(args.runs)) + "\n")
        return 0

    out = print
    sets = [load_set(name) for name in args.sets]
    for es in sets:
        problems = validate_set(es)
        if problems:
            for problem in problems[:20]:
                out(problem)
            return 1
        if args.limit:
            es.drafts = es.drafts[: args.limit]
    described = ", ".join(
        f"{es.name} ({len(es.drafts)} drafts, {len(es.pillar_ids)} pillars x "
        f"{len(es.key_message_ids) // max(1, len(es.pillar_ids))} key messages)"
        for es in sets
    )
    out(f"message check evaluation: {described}")
    gold = {es.name: gold_of(es) for es in sets}

    if args.score_output:
        text = args.score_output.read_text(encoding="utf-8")
        print_scores(
            f"scored: {args.score_output}",
            {es.name: score(gold[es.name], parse_output(text, es)) for es in sets},
            out,
        )
        return 0

    engine: dict[str, dict[str, Verdict]] = {}
    backend = ""
    if not args.skip_engine:
        per_set = {}
        elapsed = 0.0
        for es in sets:
            started = time.perf_counter()
            lines = engine_output(es)
            elapsed += time.perf_counter() - started
            backend = str(lines[0]["checked_with"]) if lines else backend
            engine[es.name] = {
                str(line["id"]): verdict_from_output(line, es.avoid_terms) for line in lines
            }
            per_set[es.name] = score(gold[es.name], engine[es.name])
        total = sum(len(es.drafts) for es in sets)
        print_scores(
            f"engine in-process, {backend} "
            f"({total} drafts in {elapsed:.1f} s, first load included)",
            per_set,
            out,
        )

    with tempfile.TemporaryDirectory(prefix="narrative-eval-") as folder:
        if not args.skip_command:
            per_set = {}
            for es in sets:
                try:
                    text, elapsed = command_output(es, Path(folder))
                except RuntimeError as error:
                    out(f"\ncommand: {error}")
                    per_set = {}
                    break
                verdicts = parse_output(text, es)
                per_set[es.name] = score(gold[es.name], verdicts)
                if es.name in engine:
                    differ = compare(engine[es.name], verdicts)
                    agreement = (
                        f"agrees with in-process on all {len(es.drafts)} drafts"
                        if not differ
                        else f"DIFFERS from in-process on {len(differ)} drafts: {differ[:8]}"
                    )
                    out(
                        f"\ncommand on {es.name}: {elapsed:.1f} s wall (process start "
                        f"included); {agreement}"
                    )
            if per_set:
                print_scores("`cairn narrative-check` (the command's output)", per_set, out)
        for other in args.also:
            per_set = {}
            answered = ""
            for es in sets:
                try:
                    text, _ = command_output(es, Path(folder), backend=other)
                except RuntimeError as error:
                    out(f"\nCAIRN_TEXT_EMBEDDER={other}: {error}")
                    per_set = {}
                    break
                answered = checked_with(text) or answered
                per_set[es.name] = score(gold[es.name], parse_output(text, es))
            if answered and answered == backend:
                out(f"\nCAIRN_TEXT_EMBEDDER={other}: the same backend as above ({answered})")
            elif per_set:
                print_scores(
                    f"CAIRN_TEXT_EMBEDDER={other} (the command; checked with {answered})",
                    per_set,
                    out,
                )

    print_scores(
        "BASELINE: keyword overlap written in this script (for comparison; not Cairn's check)",
        {es.name: score(gold[es.name], baseline_check(es)) for es in sets},
        out,
    )

    if not args.skip_latency:
        out(
            f"\ncost per draft, one thread, against {LATENCY_SET}'s framework "
            f"(6 pillars x 4 key messages), in-process:"
        )
        timed = set()
        for other in [None, *args.also]:
            results = run_probes(args.runs, args.repeats, other)
            if results[0]["backend"] not in timed:
                timed.add(results[0]["backend"])
                print_cost(results, out)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
