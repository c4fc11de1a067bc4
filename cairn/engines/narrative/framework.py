"""The narrative framework: Cairn's documented JSON format, parsed into plain dataclasses.

The format accepts at least

    {"core_message": str, "ask": str,
     "pillars": [{"id": str, "name": str,
                  "key_messages": [{"id": str, "text": str}],
                  "proof_points": [str]}],
     "terms_use": [str], "terms_avoid": [str]}

and Cairn's extensions:

- `terms_avoid` entries may be `{"term": str, "replacement": str}`;
- a proof point may be `{"text", "id", "objective_id", "value", "unit", "measured_on"}` (the value
  is the objective's latest measurement when the framework is checked inside Cairn);
- the ask may be `{"text": str, "objects": [str], "verbs": [str]}` (what counts as the ask's object,
  e.g. "SB 412", "the Crisis Care Act"; which verbs make it a call to action);
- `vision`, `problem`, `solution` (str), `audiences` ([str | {"name", "framing"}]), `messengers`
  ([str]), `tone` (str), `reading_grade_max` (number, default 8), `channels` ({name: max length}).

Bad input raises `FrameworkError` naming where (JSON line and column, or the field's path) and why.
Pure Python: no Django.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Ask",
    "Audience",
    "AvoidTerm",
    "Framework",
    "FrameworkError",
    "KeyMessage",
    "Pillar",
    "ProofPoint",
    "load_framework",
    "parse_framework",
]

DEFAULT_READING_GRADE_MAX = 8.0


class FrameworkError(ValueError):
    """The framework JSON is malformed; the message says where and why."""


@dataclass(frozen=True)
class KeyMessage:
    id: str
    text: str


@dataclass(frozen=True)
class ProofPoint:
    text: str
    id: str = ""
    objective_id: int | None = None
    value: float | None = None
    unit: str = ""
    measured_on: dt.date | None = None


@dataclass(frozen=True)
class Pillar:
    id: str
    name: str
    key_messages: tuple[KeyMessage, ...]
    proof_points: tuple[ProofPoint, ...] = ()


@dataclass(frozen=True)
class AvoidTerm:
    term: str
    replacement: str = ""


@dataclass(frozen=True)
class Ask:
    text: str
    objects: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Audience:
    name: str
    framing: str = ""


@dataclass(frozen=True)
class Framework:
    core_message: str
    ask: Ask | None
    pillars: tuple[Pillar, ...]
    terms_use: tuple[str, ...] = ()
    terms_avoid: tuple[AvoidTerm, ...] = ()
    vision: str = ""
    problem: str = ""
    solution: str = ""
    audiences: tuple[Audience, ...] = ()
    messengers: tuple[str, ...] = ()
    tone: str = ""
    reading_grade_max: float = DEFAULT_READING_GRADE_MAX
    channels: dict[str, int] = field(default_factory=dict)

    def key_message(self, key_message_id: str) -> KeyMessage | None:
        for pillar in self.pillars:
            for km in pillar.key_messages:
                if km.id == key_message_id:
                    return km
        return None


def load_framework(text: str | bytes) -> Framework:
    """Parse framework JSON text; a syntax error names its line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FrameworkError(
            f"line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from exc
    return parse_framework(data)


def _str(data: dict[str, Any], key: str, path: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise FrameworkError(f"{path}{key}: required")
        return ""
    if not isinstance(value, str):
        raise FrameworkError(f"{path}{key}: must be a string, not {type(value).__name__}")
    if required and not value.strip():
        raise FrameworkError(f"{path}{key}: must not be empty")
    return value.strip()


def _list(data: dict[str, Any], key: str, path: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FrameworkError(f"{path}{key}: must be a list, not {type(value).__name__}")
    return value


def _str_list(data: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
    out = []
    for i, item in enumerate(_list(data, key, path)):
        if not isinstance(item, str) or not item.strip():
            raise FrameworkError(f"{path}{key}[{i}]: must be a non-empty string")
        out.append(item.strip())
    return tuple(out)


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise FrameworkError(f"{where}: must be a number")
    try:
        return float(value)
    except ValueError as exc:
        raise FrameworkError(f"{where}: must be a number, not {value!r}") from exc


def _proof_point(item: Any, where: str) -> ProofPoint:
    if isinstance(item, str):
        if not item.strip():
            raise FrameworkError(f"{where}: must not be empty")
        return ProofPoint(text=item.strip())
    if not isinstance(item, dict):
        raise FrameworkError(f"{where}: must be a string or an object with 'text'")
    text = _str(item, "text", where + ".", required=True)
    objective = item.get("objective_id")
    if objective is not None and (isinstance(objective, bool) or not isinstance(objective, int)):
        raise FrameworkError(f"{where}.objective_id: must be an integer")
    measured_on = None
    raw_date = item.get("measured_on")
    if raw_date is not None:
        if not isinstance(raw_date, str):
            raise FrameworkError(f"{where}.measured_on: must be a date YYYY-MM-DD")
        try:
            measured_on = dt.date.fromisoformat(raw_date[:10])
        except ValueError as exc:
            raise FrameworkError(
                f"{where}.measured_on: must be a date YYYY-MM-DD, not {raw_date!r}"
            ) from exc
    return ProofPoint(
        text=text,
        id=_str(item, "id", where + "."),
        objective_id=objective,
        value=_number(item.get("value"), f"{where}.value"),
        unit=_str(item, "unit", where + "."),
        measured_on=measured_on,
    )


def _ask(value: Any) -> Ask | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Ask(text=value.strip()) if value.strip() else None
    if not isinstance(value, dict):
        raise FrameworkError("ask: must be a string or an object with 'text'")
    return Ask(
        text=_str(value, "text", "ask.", required=True),
        objects=_str_list(value, "objects", "ask."),
        verbs=_str_list(value, "verbs", "ask."),
    )


def parse_framework(data: Any) -> Framework:
    """Framework from decoded JSON; raises FrameworkError for a missing or mistyped field."""
    if not isinstance(data, dict):
        raise FrameworkError("the framework must be a JSON object")
    pillars: list[Pillar] = []
    pillar_ids: set[str] = set()
    km_ids: set[str] = set()
    raw_pillars = _list(data, "pillars", "")
    if not raw_pillars:
        raise FrameworkError("pillars: at least one pillar is required")
    for i, raw in enumerate(raw_pillars):
        where = f"pillars[{i}]"
        if not isinstance(raw, dict):
            raise FrameworkError(f"{where}: must be an object")
        pid = raw.get("id")
        if isinstance(pid, int) and not isinstance(pid, bool):
            pid = str(pid)
        if not isinstance(pid, str) or not pid.strip():
            raise FrameworkError(f"{where}.id: required (a non-empty string)")
        if pid in pillar_ids:
            raise FrameworkError(f"{where}.id: {pid!r} is used by two pillars")
        pillar_ids.add(pid)
        kms: list[KeyMessage] = []
        for j, km in enumerate(_list(raw, "key_messages", where + ".")):
            kwhere = f"{where}.key_messages[{j}]"
            if isinstance(km, str):
                km = {"id": f"{pid}.{j + 1}", "text": km}
            if not isinstance(km, dict):
                raise FrameworkError(f"{kwhere}: must be an object with 'id' and 'text'")
            kid = km.get("id")
            if isinstance(kid, int) and not isinstance(kid, bool):
                kid = str(kid)
            if not isinstance(kid, str) or not kid.strip():
                raise FrameworkError(f"{kwhere}.id: required (a non-empty string)")
            if kid in km_ids:
                raise FrameworkError(f"{kwhere}.id: {kid!r} is used by two key messages")
            km_ids.add(kid)
            kms.append(KeyMessage(id=kid, text=_str(km, "text", kwhere + ".", required=True)))
        proofs = tuple(
            _proof_point(p, f"{where}.proof_points[{j}]")
            for j, p in enumerate(_list(raw, "proof_points", where + "."))
        )
        if not kms and not proofs:
            raise FrameworkError(f"{where}: needs at least one key message or proof point")
        name = _str(raw, "name", where + ".") or pid
        pillars.append(Pillar(id=pid, name=name, key_messages=tuple(kms), proof_points=proofs))

    avoid: list[AvoidTerm] = []
    for i, item in enumerate(_list(data, "terms_avoid", "")):
        where = f"terms_avoid[{i}]"
        if isinstance(item, str) and item.strip():
            avoid.append(AvoidTerm(term=item.strip()))
        elif isinstance(item, dict):
            avoid.append(
                AvoidTerm(
                    term=_str(item, "term", where + ".", required=True),
                    replacement=_str(item, "replacement", where + "."),
                )
            )
        else:
            raise FrameworkError(f"{where}: must be a string or {{'term', 'replacement'}}")

    audiences: list[Audience] = []
    for i, item in enumerate(_list(data, "audiences", "")):
        where = f"audiences[{i}]"
        if isinstance(item, str):
            audiences.append(Audience(name=item.strip()))
        elif isinstance(item, dict):
            audiences.append(
                Audience(
                    name=_str(item, "name", where + ".", required=True),
                    framing=_str(item, "framing", where + "."),
                )
            )
        else:
            raise FrameworkError(f"{where}: must be a string or {{'name', 'framing'}}")

    messengers = []
    for i, item in enumerate(_list(data, "messengers", "")):
        if isinstance(item, str):
            messengers.append(item.strip())
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            messengers.append(item["name"].strip())
        else:
            raise FrameworkError(f"messengers[{i}]: must be a string or {{'name'}}")

    grade = _number(data.get("reading_grade_max"), "reading_grade_max")
    channels_raw = data.get("channels") or {}
    if not isinstance(channels_raw, dict):
        raise FrameworkError("channels: must be an object {channel: maximum length}")
    channels: dict[str, int] = {}
    for name, limit in channels_raw.items():
        if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
            raise FrameworkError(f"channels.{name}: must be a positive integer")
        channels[str(name).lower()] = limit

    return Framework(
        core_message=_str(data, "core_message", ""),
        ask=_ask(data.get("ask")),
        pillars=tuple(pillars),
        terms_use=_str_list(data, "terms_use", ""),
        terms_avoid=tuple(avoid),
        vision=_str(data, "vision", ""),
        problem=_str(data, "problem", ""),
        solution=_str(data, "solution", ""),
        audiences=tuple(audiences),
        messengers=tuple(messengers),
        tone=_str(data, "tone", ""),
        reading_grade_max=grade if grade is not None else DEFAULT_READING_GRADE_MAX,
        channels=channels,
    )
