"""The message check's result as the pages and the approval use it.

`cairn.narrative.checking.check_draft` (N1's bridge to the engine) returns flags
`{kind, start, end, message, detail}` and `pillars`, `has_ask`, `checked_with`,
`contradiction_checked`. Here each flag gets the text it covers, whether it blocks approval,
and whether a reviewer dismissed it (kind + the covered text's hash, `models.span_hash`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .models import span_hash

# Flags that must be fixed or dismissed (with a reason) before an item is approved. Not a
# contradiction: it is found by wording rules whose precision on drafts they were not written for
# is low (no NLI model of known origin ships in a package, see ../shared/NLP.md), so it is shown
# as a suggestion for the reviewer to weigh; nor an off-message draft that makes the ask (a post
# that only asks, "Call your senator: pass SB 412", says what the coalition asks for).
BLOCKING = frozenset(
    {"off_message", "contradiction", "avoided_term", "missing_ask", "too_long", "figure_mismatch"}
)
SUGGESTIONS = frozenset({"contradiction"})
LABELS = {
    "off_message": "Off message",
    "pillar": "Pillar",
    "contradiction": "Possible contradiction (a suggestion)",
    "avoided_term": "Avoided term",
    "missing_ask": "No ask",
    "too_long": "Too long for the channel",
    "reading_grade": "Reading grade",
    "figure_mismatch": "Figure disagrees with the data",
}


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


@dataclass(frozen=True, slots=True)
class Flag:
    kind: str
    start: int
    end: int
    message: str
    detail: Any
    text: str
    key: str  # span hash: what a dismissal names
    blocking: bool
    dismissed: bool = False
    dismissal_reason: str = ""

    @property
    def label(self) -> str:
        if makes_the_ask_only(self.kind, self.detail):
            return "No pillar (makes the ask)"
        return LABELS.get(self.kind, self.kind.replace("_", " ").capitalize())

    @property
    def note(self) -> str:
        """Why a flag of a blocking kind does not block here."""
        if self.kind in SUGGESTIONS:
            return (
                "Found by wording rules, not a language model: a reviewer weighs it; it does "
                "not block approval."
            )
        if makes_the_ask_only(self.kind, self.detail):
            return (
                "The draft makes the ask, so this does not block approval; a sentence from a "
                "pillar would give the reader a reason to act."
            )
        return ""

    @property
    def has_span(self) -> bool:
        return self.end > self.start

    @property
    def suggestion(self) -> bool:
        """Shown for the reviewer to weigh; it does not block approval."""
        return not self.blocking and self.kind in SUGGESTIONS


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    flags: tuple[int, ...] = ()  # indexes into Result.flags of the flags covering it
    kinds: tuple[str, ...] = ()  # their kinds, undismissed ones first

    @property
    def marked(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True, slots=True)
class Result:
    text: str
    flags: list[Flag]
    pillars: list[str]
    has_ask: bool
    checked_with: str
    contradiction_checked: bool
    version_id: int | None
    version_number: int | None
    version_adopted: bool
    segments: list[Segment] = field(default_factory=list)
    problem: str = ""  # why the text could not be checked (no version, a malformed draft)
    names: dict[str, str] = field(default_factory=dict)  # pillar id → its name in the version

    @property
    def pillar_names(self) -> list[str]:
        """The pillars covered, by the names the framework gives them."""
        return [self.names.get(p, p) for p in self.pillars]

    @property
    def open_blocking(self) -> list[Flag]:
        return [f for f in self.flags if f.blocking and not f.dismissed]

    @property
    def main_pillar(self) -> str:
        """The pillar the text serves most: the largest sum of its sentences' scores for it."""
        totals: dict[str, float] = {}
        for f in self.flags:
            if f.kind == "pillar" and isinstance(f.detail, Mapping) and f.detail.get("pillar"):
                pid = str(f.detail["pillar"])
                totals[pid] = totals.get(pid, 0.0) + float(f.detail.get("score") or 0.0)
        if totals:
            return max(sorted(totals), key=lambda pid: totals[pid])
        return self.pillars[0] if self.pillars else ""

    @property
    def visible(self) -> list[Flag]:
        return [f for f in self.flags if f.kind != "pillar"]

    def summary(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        dismissed: list[dict[str, str]] = []
        for f in self.flags:
            counts[f.kind] = counts.get(f.kind, 0) + 1
            if f.dismissed:
                dismissed.append({"kind": f.kind, "text": f.text, "reason": f.dismissal_reason})
        # what the reviewer approved as it was: suggestions and notes that do not block
        accepted = [
            {"kind": f.kind, "text": f.text}
            for f in self.visible
            if not f.blocking and not f.dismissed
        ]
        return {
            "flags": counts,
            "dismissed": dismissed,
            "accepted": accepted,
            "pillars": list(self.pillars),
            "has_ask": self.has_ask,
            "checked_with": self.checked_with,
            "contradiction_checked": self.contradiction_checked,
        }


def makes_the_ask_only(kind: str, detail: Any) -> bool:
    """An off-message flag on a draft that makes the ask: it says what the coalition asks for,
    without a pillar's argument (a note for the writer, not a block)."""
    return (
        kind == "off_message" and isinstance(detail, Mapping) and bool(detail.get("makes_the_ask"))
    )


def blocks(kind: str, detail: Any) -> bool:
    """Whether a flag must be fixed or dismissed before approval."""
    if kind in SUGGESTIONS or makes_the_ask_only(kind, detail):
        return False
    return kind in BLOCKING


def segments(text: str, flags: list[Flag]) -> list[Segment]:
    """The text cut at every flag boundary, each piece with the flags covering it."""
    cuts = {0, len(text)}
    for f in flags:
        if f.has_span and f.kind != "pillar":
            cuts.update({max(0, min(f.start, len(text))), max(0, min(f.end, len(text)))})
    points = sorted(cuts)
    out: list[Segment] = []
    for a, b in itertools.pairwise(points):
        if a == b:
            continue
        covering = tuple(
            i
            for i, f in enumerate(flags)
            if f.has_span and f.kind != "pillar" and f.start <= a and b <= f.end
        )
        kinds = tuple(
            dict.fromkeys(
                [flags[i].kind for i in covering if not flags[i].dismissed]
                + [flags[i].kind for i in covering if flags[i].dismissed]
            )
        )
        out.append(Segment(text[a:b], covering, kinds))
    return out


def build(
    *,
    text: str,
    problem: str = "",
    raw: Any,
    dismissals: Mapping[tuple[str, str], str],
    version_id: int | None,
    version_number: int | None,
    version_adopted: bool,
    names: Mapping[str, str] | None = None,
) -> Result:
    """The engine's raw result with spans, blocking and dismissals applied."""
    flags: list[Flag] = []
    raw_flags: Iterable[Any] = _get(raw, "flags", []) or []
    for raw_flag in raw_flags:
        kind = str(_get(raw_flag, "kind", ""))
        start = int(_get(raw_flag, "start", 0) or 0)
        end = int(_get(raw_flag, "end", 0) or 0)
        covered = text[start:end] if 0 <= start <= end <= len(text) else ""
        key = span_hash(covered)
        reason = dismissals.get((kind, key))
        detail = _get(raw_flag, "detail", None)
        flags.append(
            Flag(
                kind=kind,
                start=start,
                end=end,
                message=str(_get(raw_flag, "message", "")),
                detail=detail,
                text=covered,
                key=key,
                blocking=blocks(kind, detail),
                dismissed=reason is not None,
                dismissal_reason=reason or "",
            )
        )
    flags.sort(key=lambda f: (f.start, f.end, f.kind))
    return Result(
        text=text,
        flags=flags,
        pillars=[
            str(_get(p, "id", "")) if not isinstance(p, str) else p
            for p in (_get(raw, "pillars", []) or [])
        ],
        has_ask=bool(_get(raw, "has_ask", False)),
        checked_with=str(_get(raw, "checked_with", "") or ""),
        contradiction_checked=bool(_get(raw, "contradiction_checked", False)),
        version_id=version_id,
        version_number=version_number,
        version_adopted=version_adopted,
        segments=segments(text, flags),
        problem=problem,
        names=dict(names or {}),
    )
