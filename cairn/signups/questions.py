"""A form's questions (schema-lite) and the answers to them: pure Python, no ORM.

A question is `{"key": "volunteer", "label": "Can you volunteer?", "type": "checkbox",
"required": false, "choices": []}`; `type` is `text`, `choice` (one of `choices`) or `checkbox`
(yes or no). Keys are unique in a form and made from the label when none is given.
Answers are `{key: value}`: text is a string, a choice one of its choices, a checkbox a bool.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

TYPES = ("text", "choice", "checkbox")
MAX_QUESTIONS = 50
MAX_CHOICES = 50
MAX_LABEL = 300
MAX_ANSWER = 5000
TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "off", "n"})


class QuestionError(ValueError):
    """Questions that cannot be stored: the message says which and why."""


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    label: str
    type: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "type": self.type,
            "required": self.required,
            "choices": list(self.choices),
        }


@dataclass(slots=True)
class AnswerErrors(ValueError):
    """Answers refused: {question key: reason}."""

    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{key}: {reason}" for key, reason in self.errors.items())


def slug_key(label: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return key[:40] or "question"


def clean_questions(raw: Iterable[Mapping[str, Any]]) -> list[Question]:
    """Questions from their JSON (or a builder's rows), checked; rows without a label dropped."""
    questions: list[Question] = []
    seen: set[str] = set()
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            raise QuestionError(f"Question {position} is not an object.")
        label = str(item.get("label") or "").strip()
        if not label:
            continue
        if len(label) > MAX_LABEL:
            raise QuestionError(f"Question {position}'s label is longer than {MAX_LABEL}.")
        kind = str(item.get("type") or "text").strip().lower()
        if kind not in TYPES:
            raise QuestionError(f"Question {position}: the type must be one of {', '.join(TYPES)}.")
        raw_choices = item.get("choices") or []
        if isinstance(raw_choices, str):
            raw_choices = raw_choices.split(",")
        choices = tuple(dict.fromkeys(str(c).strip() for c in raw_choices if str(c).strip()))
        if kind == "choice" and not choices:
            raise QuestionError(f"Question {position} ({label}) is a choice without choices.")
        if len(choices) > MAX_CHOICES or any(len(c) > 200 for c in choices):
            raise QuestionError(f"Question {position} ({label}) has too many or too long choices.")
        key = slug_key(str(item.get("key") or "").strip() or label)
        base, n = key, 2
        while key in seen:
            key, n = f"{base}_{n}", n + 1
        seen.add(key)
        questions.append(
            Question(
                key=key,
                label=label,
                type=kind,
                required=_truthy(item.get("required", False)),
                choices=choices if kind == "choice" else (),
            )
        )
    if len(questions) > MAX_QUESTIONS:
        raise QuestionError(f"A form has at most {MAX_QUESTIONS} questions.")
    return questions


def from_json(fields: Any) -> list[Question]:
    """A stored form's questions (stored JSON was cleaned when it was saved)."""
    return clean_questions(fields if isinstance(fields, list) else [])


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE_WORDS


def clean_answers(
    questions: Iterable[Question], given: Mapping[str, Any], *, partial: bool = False
) -> dict[str, Any]:
    """The answers to keep: known keys only, each of its question's type; a missing required
    answer is refused unless `partial` (an update that leaves it as it was)."""
    errors: dict[str, str] = {}
    answers: dict[str, Any] = {}
    for question in questions:
        present = question.key in given
        value = given.get(question.key)
        if isinstance(value, list):  # a form field sent twice: the last one counts
            value = value[-1] if value else None
        if question.type == "checkbox":
            if value is None or (isinstance(value, str) and value.strip().lower() in FALSE_WORDS):
                checked = False
            elif isinstance(value, bool):
                checked = value
            elif isinstance(value, str | int) and str(value).strip().lower() in TRUE_WORDS:
                checked = True
            else:
                errors[question.key] = "Answer yes or no."
                continue
            if question.required and not checked and not (partial and not present):
                errors[question.key] = "This box must be ticked."
            elif present or not partial:
                answers[question.key] = checked
            continue
        text = "" if value is None else value
        if isinstance(text, int | float) and not isinstance(text, bool):
            text = str(text)
        if not isinstance(text, str):
            errors[question.key] = "Answer with text."
            continue
        text = text.strip()
        if len(text) > MAX_ANSWER:
            errors[question.key] = f"At most {MAX_ANSWER} characters."
            continue
        if not text:
            if question.required and not (partial and not present):
                errors[question.key] = "This question needs an answer."
            continue
        if question.type == "choice" and text not in question.choices:
            errors[question.key] = "Pick one of the choices."
            continue
        answers[question.key] = text
    if errors:
        raise AnswerErrors(errors)
    return answers
