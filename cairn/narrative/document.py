"""The framework JSON a version stores: its validation and the diff between two versions.

Pure Python (no Django). The format is Cairn's framework export, read by the message check:

    {"core_message", "ask", "vision", "problem", "solution", "tone",
     "pillars": [{"id", "name", "key_messages": [{"id", "text"}],
                  "proof_points": [text | {"text", "objective_id", "value", "unit",
                                           "measured_on"}]}],
     "audiences": [{"name", "framing"}], "messengers": [text],
     "terms_use": [text], "terms_avoid": [text | {"term", "replacement"}]}
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TEXT_FIELDS = ("core_message", "ask", "vision", "problem", "solution", "tone")
# The ask may also be {"text", "objects": [text], "verbs": [text]} (see the engine's framework).
FIELD_LABELS = {
    "core_message": "Core message",
    "ask": "The ask",
    "vision": "Vision",
    "problem": "Problem",
    "solution": "Solution",
    "tone": "Tone",
    "terms_use": "Terms to use",
    "terms_avoid": "Terms to avoid",
    "messengers": "Messengers",
    "audiences": "Audiences",
}
MIN_PILLARS, MAX_PILLARS = 3, 6
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Problem:
    path: str  # "pillars[1].key_messages[0].text"
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}" if self.path else self.reason


def empty() -> dict[str, Any]:
    return {
        "core_message": "",
        "ask": "",
        "vision": "",
        "problem": "",
        "solution": "",
        "tone": "",
        "pillars": [],
        "audiences": [],
        "messengers": [],
        "terms_use": [],
        "terms_avoid": [],
    }


def slug(text: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]
    return value or "pillar"


def _text(value: Any) -> bool:
    return isinstance(value, str)


def validate(content: Any, *, complete: bool = False) -> list[Problem]:
    """What is wrong with `content` as a framework; `complete` also asks for what adoption
    needs (a core message, an ask, 3–6 pillars each with a key message)."""
    if not isinstance(content, Mapping):
        return [Problem("", "The framework must be a JSON object.")]
    problems: list[Problem] = []
    for name in TEXT_FIELDS:
        if name == "ask" and isinstance(content.get(name), Mapping):
            if not _text(content[name].get("text", "")):
                problems.append(Problem("ask.text", "must be text"))
            continue
        if name in content and not _text(content[name]):
            problems.append(Problem(name, "must be text"))
    pillars = content.get("pillars", [])
    if not isinstance(pillars, list):
        return [*problems, Problem("pillars", "must be a list")]
    pillar_ids: set[str] = set()
    message_ids: set[str] = set()
    for i, pillar in enumerate(pillars):
        at = f"pillars[{i}]"
        if not isinstance(pillar, Mapping):
            problems.append(Problem(at, "must be an object with id, name, key_messages"))
            continue
        pid = pillar.get("id")
        if not isinstance(pid, str) or not _ID.match(pid):
            problems.append(Problem(f"{at}.id", "must be lower-case letters, digits, - or _"))
        elif pid in pillar_ids:
            problems.append(Problem(f"{at}.id", f"'{pid}' is used by another pillar"))
        else:
            pillar_ids.add(pid)
        if not isinstance(pillar.get("name"), str) or not pillar.get("name", "").strip():
            problems.append(Problem(f"{at}.name", "a pillar needs a name"))
        messages = pillar.get("key_messages", [])
        if not isinstance(messages, list):
            problems.append(Problem(f"{at}.key_messages", "must be a list"))
            messages = []
        for j, message in enumerate(messages):
            mat = f"{at}.key_messages[{j}]"
            if not isinstance(message, Mapping):
                problems.append(Problem(mat, "must be an object with id and text"))
                continue
            mid = message.get("id")
            if not isinstance(mid, str) or not _ID.match(mid):
                problems.append(Problem(f"{mat}.id", "must be lower-case letters, digits, - or _"))
            elif mid in message_ids:
                problems.append(Problem(f"{mat}.id", f"'{mid}' is used by another key message"))
            else:
                message_ids.add(mid)
            if not isinstance(message.get("text"), str) or not message.get("text", "").strip():
                problems.append(Problem(f"{mat}.text", "a key message needs its text"))
        if complete and not messages:
            problems.append(Problem(f"{at}.key_messages", "a pillar needs a key message"))
        points = pillar.get("proof_points", [])
        if not isinstance(points, list):
            problems.append(Problem(f"{at}.proof_points", "must be a list"))
            points = []
        for j, point in enumerate(points):
            pat = f"{at}.proof_points[{j}]"
            if isinstance(point, str):
                continue
            if not isinstance(point, Mapping) or not isinstance(point.get("text"), str):
                problems.append(Problem(pat, "must be text or an object with text"))
                continue
            objective = point.get("objective_id")
            if objective is not None and not isinstance(objective, int):
                problems.append(Problem(f"{pat}.objective_id", "must be an objective's number"))
    for name in ("terms_use", "messengers"):
        values = content.get(name, [])
        if not isinstance(values, list) or not all(_text(v) for v in values):
            problems.append(Problem(name, "must be a list of text"))
    avoid = content.get("terms_avoid", [])
    if not isinstance(avoid, list):
        problems.append(Problem("terms_avoid", "must be a list"))
    else:
        for i, entry in enumerate(avoid):
            if isinstance(entry, str) and entry.strip():
                continue
            if (
                isinstance(entry, Mapping)
                and isinstance(entry.get("term"), str)
                and entry["term"].strip()
                and _text(entry.get("replacement", ""))
            ):
                continue
            problems.append(Problem(f"terms_avoid[{i}]", "must be a term or {term, replacement}"))
    audiences = content.get("audiences", [])
    if not isinstance(audiences, list) or not all(
        _text(a) or (isinstance(a, Mapping) and _text(a.get("name"))) for a in audiences
    ):
        problems.append(Problem("audiences", "must be a list of text or {name, framing}"))
    if complete:
        for name in ("core_message", "ask"):
            if not text_of(content.get(name, "")).strip():
                problems.append(Problem(name, f"{FIELD_LABELS[name].lower()} is required"))
        if not MIN_PILLARS <= len(pillars) <= MAX_PILLARS:
            problems.append(
                Problem(
                    "pillars",
                    f"a framework has {MIN_PILLARS} to {MAX_PILLARS} pillars (this one has "
                    f"{len(pillars)})",
                )
            )
    return problems


def objective_ids(content: Mapping[str, Any]) -> set[int]:
    """The objectives the proof points cite."""
    found: set[int] = set()
    for pillar in content.get("pillars", []) or []:
        for point in pillar.get("proof_points", []) or []:
            if isinstance(point, Mapping) and isinstance(point.get("objective_id"), int):
                found.add(point["objective_id"])
    return found


def text_of(value: Any) -> str:
    """A text field's text (the ask may be an object with its text)."""
    if isinstance(value, Mapping):
        return str(value.get("text", ""))
    return "" if value is None else str(value)


def audience_text(audience: Any) -> str:
    if isinstance(audience, Mapping):
        framing = audience.get("framing", "")
        return f"{audience.get('name', '')}: {framing}" if framing else str(audience.get("name"))
    return str(audience)


def point_text(point: Any) -> str:
    return point if isinstance(point, str) else str(point.get("text", ""))


def term_text(entry: Any) -> str:
    if isinstance(entry, str):
        return entry
    replacement = entry.get("replacement", "")
    return f"{entry.get('term', '')} → {replacement}" if replacement else str(entry.get("term"))


# --- the diff ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    where: str  # "Core message", "Pillar 'Beds' › key message beds-now"
    change: str  # "added", "removed", "changed"
    before: str
    after: str
    words: list[tuple[str, str]]  # (op, text) with op in "same", "removed", "added"


def _words(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.split(), after.split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("added", " ".join(b[j1:j2])))
    return out


def _change(where: str, before: str, after: str) -> Change | None:
    if before == after:
        return None
    kind = "added" if not before else "removed" if not after else "changed"
    return Change(where, kind, before, after, _words(before, after))


def _list_changes(where: str, before: list[str], after: list[str]) -> list[Change]:
    changes = [Change(where, "removed", v, "", []) for v in before if v not in after]
    changes += [Change(where, "added", "", v, []) for v in after if v not in before]
    return changes


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """What changed from `old` to `new`: each text field, each pillar (matched by id), each key
    message (by id), proof points and term lists (as sets, in order)."""
    changes: list[Change] = []
    for name in TEXT_FIELDS:
        c = _change(FIELD_LABELS[name], text_of(old.get(name, "")), text_of(new.get(name, "")))
        if c:
            changes.append(c)
    old_pillars = {p.get("id"): p for p in old.get("pillars", []) or []}
    new_pillars = {p.get("id"): p for p in new.get("pillars", []) or []}
    for pid in [*old_pillars, *(p for p in new_pillars if p not in old_pillars)]:
        before, after = old_pillars.get(pid), new_pillars.get(pid)
        label = f"Pillar '{(after or before or {}).get('name', pid)}'"
        if before is None or after is None:
            kind = "added" if before is None else "removed"
            body = (after or before or {}).get("name", "")
            changes.append(
                Change(label, kind, body if after is None else "", body if after else "", [])
            )
            if after is None:
                continue
        before = before or {}
        c = _change(f"{label} › name", str(before.get("name", "")), str(after.get("name", "")))
        if c and before:
            changes.append(c)
        old_messages = {m.get("id"): m for m in before.get("key_messages", []) or []}
        new_messages = {m.get("id"): m for m in after.get("key_messages", []) or []}
        for mid in [*old_messages, *(m for m in new_messages if m not in old_messages)]:
            c = _change(
                f"{label} › key message {mid}",
                str(old_messages.get(mid, {}).get("text", "")),
                str(new_messages.get(mid, {}).get("text", "")),
            )
            if c:
                changes.append(c)
        changes += _list_changes(
            f"{label} › proof points",
            [point_text(p) for p in before.get("proof_points", []) or []],
            [point_text(p) for p in after.get("proof_points", []) or []],
        )
    for name in ("terms_use", "terms_avoid", "messengers"):
        changes += _list_changes(
            FIELD_LABELS[name],
            [term_text(t) for t in old.get(name, []) or []],
            [term_text(t) for t in new.get(name, []) or []],
        )
    changes += _list_changes(
        FIELD_LABELS["audiences"],
        [audience_text(a) for a in old.get("audiences", []) or []],
        [audience_text(a) for a in new.get("audiences", []) or []],
    )
    return changes
