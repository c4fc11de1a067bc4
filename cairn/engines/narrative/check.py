"""The message check: a draft against a narrative framework.

    check_text(framework, text, channel=None) -> CheckResult

Every flag has a kind, a character span [start, end) into the draft, a plain sentence saying why,
and details. Kinds: `pillar` (coverage: this sentence supports that pillar), `off_message`,
`contradiction`, `avoided_term`, `missing_ask`, `too_long`, `reading_grade`, `figure_mismatch`.

How it decides (the measurements behind it are in ../shared/NLP.md; the evaluation figures in
benchmarks/narrative_eval.py):
- a sentence's score for a pillar is the best similarity between the sentence and the pillar's key
  messages and proof points: a blend of the embedding model's cosine and a lexical cosine whose
  words are weighted by how few pillars use them (the lexical one alone when no model is
  installed; MiniLM when installed, else wordllama). A sentence, one of its clauses (static
  embedders only), or the draft read as a whole supports the pillar
  it scores best when that score is clearly above what sentences about other things score
  against the pillar (calibrated per framework, see calibration.py). A sentence that makes the ask
  must score clearly above the ask itself; a pillar far weaker than the draft's strongest is
  dropped as a passing mention;
- off-message: the draft supports no pillar (the flag says which came closest, and whether the
  draft makes the ask);
- contradiction: negation and antonym rules on the sentences very close to a key message (and
  "X, not Y" key messages), for precision; `contradiction_checked` says whether any sentence was
  close enough to a key message to be checked. No NLI model is used: none of known origin ships
  in a package, and the rules' precision on independent drafts is low, so a contradiction is
  shown as a suggestion;
- avoided terms, the ask, figures, channel length and reading grade are rules.

The framework's own vectors are computed once per framework (cached by its content); sentences are
embedded through the shared in-process LRU of cairn.engines.similarity, so re-checking a draft after
one sentence changed embeds only that sentence. Pure Python: no Django.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import statistics
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from cairn.engines import similarity as sim

from .calibration import OFF_TOPIC_SENTENCES
from .framework import Framework, KeyMessage, Pillar, ProofPoint
from .rules import (
    AskMatcher,
    figure_disagreement,
    find_figures,
    polarity_flip,
    unit_stems,
)
from .terms import find_terms
from .text import Sentence, flesch_kincaid_grade, split_sentences, words

__all__ = [
    "CHANNEL_LIMITS",
    "CheckResult",
    "Checker",
    "Flag",
    "check_text",
    "checker_for",
]

CHANNEL_LIMITS: dict[str, int] = {
    "x": 280,
    "twitter": 280,
    "bluesky": 300,
    "mastodon": 500,
    "threads": 500,
    "sms": 160,
    "linkedin": 3000,
    "instagram": 2200,
    "facebook": 63206,
    "tiktok": 2200,
    "email_subject": 60,
}
CHANNEL_NAMES = {
    "x": "X",
    "twitter": "X (Twitter)",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "threads": "Threads",
    "sms": "an SMS",
    "linkedin": "LinkedIn",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "tiktok": "TikTok",
    "email_subject": "an email subject line",
}
_URL = re.compile(r"https?://\S+|www\.\S+")
_SUBJECT = re.compile(r"\s*subject:([^\n]*)", re.IGNORECASE)

# Weight of the embedding cosine in a sentence's score (the rest is the IDF-weighted lexical
# cosine). A pillar's threshold is the off-topic sentences' mean + Z standard deviations, never
# below the floor (the floors were chosen on the dev set in dev/, not on the evaluation set).
MODEL_WEIGHT = 0.6
# MiniLM's cosines are spread wider than wordllama's: it takes a smaller share (chosen on the dev
# set in dev/: pillar F1 .88 -> .91 at 0.5, off-message P .82 -> .81 and R .89 -> .94)
MODEL_WEIGHT_BY_BACKEND = {"all-MiniLM-L6-v2-int8": 0.5}
CLAUSES_OFF_FOR = frozenset({"all-MiniLM-L6-v2-int8"})
Z = 2.5
FLOOR_MODEL = 0.38
FLOOR_LEXICAL = 0.25
# A sentence or clause supports the pillars within MARGIN of its best one (0: one point each;
# a compound sentence makes two through its clauses).
MARGIN = 0.0
MIN_WORDS = 4  # shorter sentences ("Join us!") support no pillar alone
# A sentence that makes the ask counts for a pillar only ASK_MARGIN above the ask's own score.
ASK_MARGIN = 0.1
# A pillar far weaker than the draft's strongest (by DRAFT_MARGIN) is a passing mention.
DRAFT_MARGIN = 0.2
# Contradiction is checked only on sentences this close to a key message.
CONTRADICTION_FLOOR_MODEL = 0.55
CONTRADICTION_FLOOR_LEXICAL = 0.4
ROW_CACHE_SIZE = 4096  # sentences whose scores a prepared framework keeps


@dataclass(frozen=True)
class Flag:
    kind: str
    start: int
    end: int
    message: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckResult:
    flags: list[Flag]
    pillars: list[str]
    key_messages: list[str]
    contradicts: list[str]
    avoided_terms: list[str]
    has_ask: bool
    off_message: bool
    checked_with: str
    contradiction_checked: bool
    reading_grade: float | None
    length: int
    limit: int | None
    sentences: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        values = dict(data)
        values["flags"] = [Flag(**f) for f in data["flags"]]
        return cls(**values)


@dataclass(frozen=True)
class _Item:
    pillar: Pillar
    text: str
    key_message: KeyMessage | None
    proof_point: ProofPoint | None


def _fingerprint(framework: Framework) -> str:
    payload = json.dumps(asdict(framework), sort_keys=True, default=str)
    return hashlib.blake2b(payload.encode(), digest_size=16).hexdigest()


class Checker:
    """A framework prepared for checking: its vectors and calibrated thresholds, computed once."""

    def __init__(self, framework: Framework, embedder: sim.Embedder | None = None) -> None:
        self.framework = framework
        self.embedder = embedder or sim.get_embedder()
        self.lexical = isinstance(self.embedder, sim.LexicalEmbedder)
        self.model_weight = MODEL_WEIGHT_BY_BACKEND.get(self.embedder.name, MODEL_WEIGHT)
        # clauses scored apart: for the static embedders only (MiniLM reads a compound sentence
        # whole as well on the dev set, pillar F1 .91 either way, and embedding each clause
        # would double the time of a check: measured p50 588 ms with them on a 300-word draft)
        self.clauses = self.embedder.name not in CLAUSES_OFF_FOR
        self.items: list[_Item] = []
        for pillar in framework.pillars:
            for km in pillar.key_messages:
                self.items.append(_Item(pillar, km.text, km, None))
            for pp in pillar.proof_points:
                self.items.append(_Item(pillar, pp.text, None, pp))
        texts = [i.text for i in self.items]
        # Lexical vectors weighted by how few pillars use each word (an IDF over the pillars):
        # "child care" in every pillar of a child-care framework says nothing about which one.
        raw = [sim.lexical_vector(t) for t in texts]
        pillar_features: dict[str, set[str]] = {}
        for item, vec in zip(self.items, raw, strict=True):
            pillar_features.setdefault(item.pillar.id, set()).update(vec)
        n = max(1, len(pillar_features))
        df: dict[str, int] = {}
        for features in pillar_features.values():
            for key in features:
                df[key] = df.get(key, 0) + 1
        self.idf = {key: math.log(1 + n / count) for key, count in df.items()}
        self.idf_default = math.log(1 + n)
        self.item_lex = [self._weigh(v) for v in raw]
        self.item_vec = [] if self.lexical else sim.vectors(texts, self.embedder)
        self._rows: OrderedDict[str, list[float]] = OrderedDict()
        self._rows_lock = threading.Lock()
        self._pillar_memo: dict[int, tuple[list[float], dict[str, tuple[float, int]]]] = {}
        if not self.lexical:
            import numpy as np

            self._np = np
            self.item_mat = np.stack(self.item_vec)
        self.ask = AskMatcher(framework.ask) if framework.ask else None
        self.pillar_names = {p.id: p.name for p in framework.pillars}
        # only a sentence very close to a key message is checked against it: the rules are
        # reliable on near-restatements and unreliable beyond (measured: ../shared/NLP.md and
        # benchmarks/narrative_eval.py)
        self.contradiction_floor = (
            CONTRADICTION_FLOOR_LEXICAL if self.lexical else CONTRADICTION_FLOOR_MODEL
        )
        self.avoid = {t.term: t.replacement for t in framework.terms_avoid}
        self.figure_items = [
            (i, self._point_units(i.proof_point))
            for i in self.items
            if i.proof_point is not None
            and (i.proof_point.value is not None or find_figures(i.proof_point.text))
        ]
        self._calibrate()

    @staticmethod
    def _point_units(point: ProofPoint | None) -> set[str]:
        if point is None:
            return set()
        units = unit_stems(point.unit)
        for fig in find_figures(point.text):
            units |= fig.unit
        return units

    # -- scoring ----------------------------------------------------------------------------

    def _weigh(self, vec: dict[str, float]) -> dict[str, float]:
        idf, default = self.idf, self.idf_default
        out = {k: v * idf.get(k, default) for k, v in vec.items()}
        norm = math.sqrt(sum(v * v for v in out.values()))
        return {k: v / norm for k, v in out.items()} if norm else {}

    def _scores(self, texts: list[str]) -> list[list[float]]:
        """score[t][item] for each text and framework item; a sentence seen before (in this or
        an earlier draft) is not scored again."""
        with self._rows_lock:
            known = {t: self._rows[t] for t in texts if t in self._rows}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            lex = [self._weigh(sim.lexical_vector(t)) for t in missing]
            if self.lexical:
                model_rows = None
            else:
                vecs = self._np.stack(sim.vectors(missing, self.embedder))
                model_rows = self._np.clip(vecs @ self.item_mat.T, 0.0, None).tolist()
            for n, (text, lv) in enumerate(zip(missing, lex, strict=True)):
                lexical = [sim._sparse_cosine(lv, item_lv) for item_lv in self.item_lex]
                if model_rows is None:
                    row = lexical
                else:
                    row = [
                        self.model_weight * m + (1 - self.model_weight) * x
                        for m, x in zip(model_rows[n], lexical, strict=True)
                    ]
                known[text] = row
            with self._rows_lock:
                for text in missing:
                    self._rows[text] = known[text]
                while len(self._rows) > ROW_CACHE_SIZE:
                    self._rows.popitem(last=False)
        with self._rows_lock:
            for t in known:
                if t in self._rows:
                    self._rows.move_to_end(t)
        return [known[t] for t in texts]

    def _draft_row(self, texts: list[str]) -> list[float]:
        """Item scores of several sentences read together, built from their cached vectors (the
        model's vectors averaged by length, as its pooling does; word counts merged), so an
        edit of one sentence costs no new embedding of the whole draft."""
        merged: dict[str, float] = {}
        for text in texts:
            for key, value in sim.lexical_vector(text).items():
                merged[key] = merged.get(key, 0.0) + value
        lv = self._weigh(merged)
        lexical = [sim._sparse_cosine(lv, item_lv) for item_lv in self.item_lex]
        if self.lexical:
            return lexical
        np = self._np
        vecs = np.stack(sim.vectors(texts, self.embedder))
        weights = np.array([max(1, len(words(t))) for t in texts], dtype="float32")
        mean = (vecs * weights[:, None]).sum(axis=0)
        norm = float(np.linalg.norm(mean))
        model = np.clip(self.item_mat @ (mean / norm), 0.0, None).tolist() if norm else []
        if not model:
            return [(1 - self.model_weight) * x for x in lexical]
        return [
            self.model_weight * m + (1 - self.model_weight) * x
            for m, x in zip(model, lexical, strict=True)
        ]

    def _pillar_scores(self, row: list[float]) -> dict[str, tuple[float, int]]:
        """Each pillar's best (score, item index) in a row of item scores (remembered per row:
        rows are kept per sentence, so the same row object comes back for the same sentence)."""
        found = self._pillar_memo.get(id(row))
        if found is not None and found[0] is row:
            return found[1]
        best = self._best_per_pillar(row)
        if len(self._pillar_memo) > ROW_CACHE_SIZE:
            self._pillar_memo.clear()
        self._pillar_memo[id(row)] = (row, best)
        return best

    def _best_per_pillar(self, row: list[float]) -> dict[str, tuple[float, int]]:
        best: dict[str, tuple[float, int]] = {}
        for k, item in enumerate(self.items):
            pid = item.pillar.id
            if pid not in best or row[k] > best[pid][0]:
                best[pid] = (row[k], k)
        return best

    def _calibrate(self) -> None:
        """Each pillar's threshold: the off-topic sentences' mean score + Z standard deviations,
        never below the floor; and each pillar's score of the framework's own ask."""
        rows = self._scores(list(OFF_TOPIC_SENTENCES))
        floor = FLOOR_LEXICAL if self.lexical else FLOOR_MODEL
        self.thresholds: dict[str, float] = {}
        for pillar in self.framework.pillars:
            values = [self._pillar_scores(r)[pillar.id][0] for r in rows]
            mean, sd = statistics.fmean(values), statistics.pstdev(values)
            self.thresholds[pillar.id] = max(floor, mean + Z * sd)
        self.ask_scores: dict[str, float] = {}
        if self.framework.ask is not None:
            ask_row = self._pillar_scores(self._scores([self.framework.ask.text])[0])
            self.ask_scores = {pid: score for pid, (score, _) in ask_row.items()}

    # -- the check ---------------------------------------------------------------------------

    def check(self, text: str, channel: str | None = None, kind: str | None = None) -> CheckResult:
        """Check `text`; `channel` sets the length limit, `kind` "email" checks a first line
        "Subject: …" against the subject-line limit."""
        fw = self.framework
        sentences = split_sentences(text)
        flags: list[Flag] = []
        rows = self._scores([s.text for s in sentences]) if sentences else []

        # the ask
        ask_sentence: Sentence | None = None
        if self.ask is not None:
            found = self.ask.find([s.text for s in sentences])
            ask_sentence = None if found is None else sentences[found]
        has_ask = ask_sentence is not None
        # pillar coverage: a sentence, or one of its clauses, supports the pillars it scores
        # above their threshold and within MARGIN of its best pillar
        units = [[s.text, *(_clauses(s.text) if self.clauses else ())] for s in sentences]
        unit_rows = self._scores([u for group in units for u in group]) if sentences else []
        covered: dict[str, float] = {}
        key_messages: set[str] = set()
        sentence_info: list[dict[str, Any]] = []
        position = 0
        for s, row, group in zip(sentences, rows, units, strict=True):
            group_rows = unit_rows[position : position + len(group)]
            position += len(group)
            per_pillar = self._pillar_scores(row)
            support: dict[str, tuple[float, int]] = {}
            if len(words(s.text)) >= MIN_WORDS or len(sentences) == 1:
                for unit, unit_row in zip(group, group_rows, strict=True):
                    unit_scores = self._pillar_scores(unit_row)
                    top = max(v[0] for v in unit_scores.values())
                    # the ask is not a pillar: a sentence that makes it must score clearly above
                    # the framework's own ask to count for a pillar
                    makes_ask = self.ask is not None and (
                        self.ask.sentence_makes_ask(unit)
                        or (ask_sentence is not None and unit == ask_sentence.text)
                    )
                    for pid, (score, k) in unit_scores.items():
                        need = self.thresholds[pid]
                        if makes_ask:
                            need = max(need, self.ask_scores.get(pid, 0.0) + ASK_MARGIN)
                        passes = score >= need and score >= top - MARGIN
                        if passes and (pid not in support or score > support[pid][0]):
                            support[pid] = (score, k)
            for pid, (score, k) in support.items():
                covered[pid] = max(covered.get(pid, 0.0), score)
                item = self.items[k]
                if item.key_message is not None:
                    key_messages.add(item.key_message.id)
                flags.append(
                    Flag(
                        "pillar",
                        s.start,
                        s.end,
                        f"Supports the pillar “{item.pillar.name}”: close to "
                        f"“{_short(item.text)}”.",
                        {
                            "pillar": pid,
                            "key_message": item.key_message.id if item.key_message else None,
                            "matched": item.text,
                            "score": round(score, 3),
                            "threshold": round(self.thresholds[pid], 3),
                        },
                    )
                )
            sentence_info.append(
                {
                    "start": s.start,
                    "end": s.end,
                    "pillars": [p.id for p in fw.pillars if p.id in support],
                    "scores": {p: round(v[0], 3) for p, v in per_pillar.items()},
                }
            )
        # the draft as a whole: a story makes its point across sentences none of which is close
        # enough alone
        rest = [s.text for s in sentences if s is not ask_sentence]
        if len(rest) > 1:
            whole = self._best_per_pillar(self._draft_row(rest))
            top = max(v[0] for v in whole.values())
            for pid, (score, k) in whole.items():
                if pid in covered:
                    continue
                if score >= self.thresholds[pid] and score >= top - MARGIN:
                    covered[pid] = score
                    item = self.items[k]
                    if item.key_message is not None:
                        key_messages.add(item.key_message.id)
                    flags.append(
                        Flag(
                            "pillar",
                            0,
                            len(text),
                            f"As a whole, the draft supports the pillar “{item.pillar.name}”: "
                            f"close to “{_short(item.text)}”.",
                            {
                                "pillar": pid,
                                "key_message": item.key_message.id if item.key_message else None,
                                "matched": item.text,
                                "score": round(score, 3),
                                "threshold": round(self.thresholds[pid], 3),
                            },
                        )
                    )
        # a pillar far weaker than the draft's strongest is a passing mention, not its point
        if covered:
            strongest = max(covered.values())
            weak = {pid for pid, score in covered.items() if score < strongest - DRAFT_MARGIN}
            for pid in weak:
                del covered[pid]
            if weak:
                flags = [
                    f for f in flags if not (f.kind == "pillar" and f.detail["pillar"] in weak)
                ]
        pillars = [p.id for p in fw.pillars if p.id in covered]

        if self.ask is not None and not has_ask and text.strip():
            flags.append(
                Flag(
                    "missing_ask",
                    0,
                    len(text),
                    f"The draft does not make the ask: “{_short(self.ask.ask.text)}”.",
                    {"ask": self.ask.ask.text},
                )
            )

        # off-message
        # off-message: the draft supports no pillar (what the framework's evaluation labels mean
        # by it); how near it came is in the detail, for the reviewer
        off_message = bool(text.strip()) and not pillars
        if off_message:
            near = max(
                (
                    (score - self.thresholds[pid], pid)
                    for r in rows
                    for pid, (score, _) in self._pillar_scores(r).items()
                ),
                default=(-1.0, ""),
            )
            flags.append(
                Flag(
                    "off_message",
                    0,
                    len(text),
                    "No sentence supports a pillar of the framework"
                    + (
                        f" (the closest, “{self.pillar_names[near[1]]}”, falls short)."
                        if near[1]
                        else "."
                    ),
                    {
                        "closest_pillar": near[1] or None,
                        "below_threshold_by": round(-near[0], 3),
                        "makes_the_ask": has_ask,
                    },
                )
            )

        # contradiction
        contradicts: list[str] = []
        checked = False
        for k, item in enumerate(self.items):
            km = item.key_message
            if km is None:
                continue
            candidates = sorted(
                (
                    (row[k], s)
                    for s, row in zip(sentences, rows, strict=True)
                    if row[k] >= max(self.thresholds[item.pillar.id], self.contradiction_floor)
                ),
                key=lambda pair: -pair[0],
            )[:3]
            for score, s in candidates:
                checked = True
                evidence = polarity_flip(s.text, km.text)
                if evidence is not None:
                    if km.id not in contradicts:
                        contradicts.append(km.id)
                    flags.append(
                        Flag(
                            "contradiction",
                            s.start,
                            s.end,
                            f"This sentence may say the opposite of the key message "
                            f"“{_short(km.text)}” (a suggestion: check the wording).",
                            {"key_message": km.id, "score": round(score, 3), **evidence},
                        )
                    )
                    break

        # avoided terms
        avoided: list[str] = []
        for hit in find_terms(text, list(self.avoid)):
            if hit.term not in avoided:
                avoided.append(hit.term)
            replacement = self.avoid.get(hit.term, "")
            flags.append(
                Flag(
                    "avoided_term",
                    hit.start,
                    hit.end,
                    f"“{hit.found}” is a term the framework avoids"
                    + (f"; say “{replacement}” instead." if replacement else "."),
                    {"term": hit.term, "found": hit.found, "replacement": replacement},
                )
            )

        # figures
        flags.extend(self._figure_flags(sentences))

        # channel length
        limit, length = self._length(text, channel)
        if limit is not None and length > limit:
            name = CHANNEL_NAMES.get((channel or "").lower(), channel or "")
            over = length - limit
            flags.append(
                Flag(
                    "too_long",
                    _cut_at(text, limit, channel),
                    len(text),
                    f"{length} characters is {over} over the limit of {limit} for {name}.",
                    {"channel": channel, "length": length, "limit": limit},
                )
            )
        subject = _SUBJECT.match(text) if (kind or "").lower() == "email" else None
        if subject is not None:
            subject_limit = self.framework.channels.get(
                "email_subject", CHANNEL_LIMITS["email_subject"]
            )
            line = subject.group(1).strip()
            if len(line) > subject_limit:
                at = subject.start(1) + (len(subject.group(1)) - len(subject.group(1).lstrip()))
                flags.append(
                    Flag(
                        "too_long",
                        at + subject_limit,
                        at + len(line),
                        f"The subject line has {len(line)} characters; inboxes cut it after "
                        f"about {subject_limit}.",
                        {"channel": "email_subject", "length": len(line), "limit": subject_limit},
                    )
                )

        # reading grade
        grade = flesch_kincaid_grade(text)
        if grade is not None and len(words(text)) >= 20 and grade > fw.reading_grade_max:
            hardest = max(sentences, key=lambda s: flesch_kincaid_grade(s.text) or 0.0)
            flags.append(
                Flag(
                    "reading_grade",
                    hardest.start,
                    hardest.end,
                    f"Reading grade {grade:.1f} is above the framework's target of "
                    f"{fw.reading_grade_max:g}: shorter sentences and plainer words help "
                    f"(the hardest sentence is marked).",
                    {"grade": round(grade, 1), "target": fw.reading_grade_max},
                )
            )

        flags.sort(key=lambda f: (f.start, f.end, f.kind))
        return CheckResult(
            flags=flags,
            pillars=pillars,
            key_messages=sorted(key_messages),
            contradicts=contradicts,
            avoided_terms=avoided,
            has_ask=has_ask,
            off_message=off_message,
            checked_with=self.embedder.name,
            contradiction_checked=checked,
            reading_grade=None if grade is None else round(grade, 1),
            length=length,
            limit=limit,
            sentences=sentence_info,
        )

    def _figure_flags(self, sentences: list[Sentence]) -> list[Flag]:
        if not self.figure_items:
            return []
        flags = []
        for s in sentences:
            figures = find_figures(s.text)
            if not figures:
                continue
            lex = sim.lexical_vector(s.text)
            for fig in figures:
                # same unit words, and a rate only against a rate ("beds per 100,000" ≠ "beds")
                candidates = [
                    (i, u)
                    for i, u in self.figure_items
                    if (fig.unit - {"/"}) & u and ("/" in fig.unit) == ("/" in u)
                ]
                if not candidates:
                    continue
                # the proof point this figure cites: the one sharing its unit whose words the
                # sentence shares most
                scored = [
                    (sim._sparse_cosine(lex, sim.lexical_vector(i.text)), i) for i, _ in candidates
                ]
                score, item = max(scored, key=lambda pair: pair[0])
                if item.proof_point is None:
                    continue
                # a live objective figure has a declared unit; a figure only in a proof point's
                # text needs the sentence to be about the same thing (not an anecdote's "2 days")
                if score < (0.15 if item.proof_point.value is not None else 0.3):
                    continue
                why = figure_disagreement(fig, item.proof_point, s.text)
                if why is None:
                    continue
                flags.append(
                    Flag(
                        "figure_mismatch",
                        s.start + fig.start,
                        s.start + fig.end,
                        f"“{fig.text.strip()}” disagrees with the data: {why}.",
                        {
                            "stated": fig.value,
                            "comparator": fig.comparator or None,
                            "proof_point": item.proof_point.text,
                            "latest": item.proof_point.value,
                            "unit": item.proof_point.unit,
                            "measured_on": item.proof_point.measured_on.isoformat()
                            if item.proof_point.measured_on
                            else None,
                            "objective_id": item.proof_point.objective_id,
                        },
                    )
                )
        return flags

    def _length(self, text: str, channel: str | None) -> tuple[int | None, int]:
        if not channel:
            return None, len(text)
        key = channel.lower().replace("-", "_").replace(" ", "_")
        limit = self.framework.channels.get(key, CHANNEL_LIMITS.get(key))
        if key in {"x", "twitter"}:
            # X counts every link as 23 characters
            return limit, len(_URL.sub("x" * 23, text))
        if key == "email_subject":
            return limit, len(text.strip())
        return limit, len(text)


def _cut_at(text: str, limit: int, channel: str | None) -> int:
    """Where the text passes the limit (in the draft's own characters)."""
    if (channel or "").lower() not in {"x", "twitter"}:
        return min(limit, len(text))
    counted = 0
    pos = 0
    for url in _URL.finditer(text):
        if counted + (url.start() - pos) >= limit:
            break
        counted += url.start() - pos + 23
        pos = url.end()
        if counted >= limit:
            return url.start()
    return min(len(text), pos + max(0, limit - counted))


_CLAUSE = re.compile(r"\s*(?:;|:|—|–|,\s*(?:and|but|while|so|because|which|as)\b|\band\b)\s*")


@lru_cache(maxsize=16384)
def _clauses(sentence: str) -> tuple[str, ...]:
    """The clauses of a compound sentence (each of MIN_WORDS words or more), or none."""
    parts = tuple(p for p in _CLAUSE.split(sentence) if len(words(p)) >= MIN_WORDS)
    return parts if len(parts) > 1 else ()


def _short(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


_CHECKERS: OrderedDict[tuple[str, str], Checker] = OrderedDict()
_CHECKERS_LOCK = threading.Lock()
# a framework object's content fingerprint, kept with the object (ids are reused once it is gone)
_FINGERPRINTS: OrderedDict[int, tuple[Framework, str]] = OrderedDict()


def checker_for(framework: Framework) -> Checker:
    """The prepared checker for this framework (its vectors computed once per content)."""
    embedder = sim.get_embedder()
    with _CHECKERS_LOCK:
        known = _FINGERPRINTS.get(id(framework))
    if known is not None and known[0] is framework:
        fingerprint = known[1]
    else:
        fingerprint = _fingerprint(framework)
        with _CHECKERS_LOCK:
            _FINGERPRINTS[id(framework)] = (framework, fingerprint)
            while len(_FINGERPRINTS) > 256:
                _FINGERPRINTS.popitem(last=False)
    key = (fingerprint, embedder.name)
    with _CHECKERS_LOCK:
        found = _CHECKERS.get(key)
        if found is not None:
            _CHECKERS.move_to_end(key)
            return found
    checker = Checker(framework, embedder)
    with _CHECKERS_LOCK:
        _CHECKERS[key] = checker
        while len(_CHECKERS) > 32:
            _CHECKERS.popitem(last=False)
    return checker


def check_text(
    framework: Framework, text: str, channel: str | None = None, kind: str | None = None
) -> CheckResult:
    """Check one draft against the framework (see the module docstring)."""
    return checker_for(framework).check(text, channel, kind)
