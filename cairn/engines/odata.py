"""The subset of OData `$filter` that OSDI clients send: `field op 'value'` joined by ` and `.

Pure parsing, no Django: `parse_filter("email_address eq 'a@b.org' and name eq 'x'")` returns
the conditions in order, or raises `ODataError` with a message that is safe to show.
What a field means (and which fields a collection accepts) is the caller's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Op(StrEnum):
    EQ = "eq"
    GT = "gt"
    LT = "lt"
    GE = "ge"
    LE = "le"


class ODataError(ValueError):
    """The filter is not in the supported subset."""


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: Op
    value: str


_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPS = {op.value: op for op in Op}
MAX_LENGTH = 2000  # a filter longer than this is not a filter a client means to send
MAX_CONDITIONS = 10


def parse_filter(text: str) -> list[Condition]:
    """The conditions of `text`, all of which must hold. An empty filter has none."""
    if len(text) > MAX_LENGTH:
        raise ODataError("The filter is too long.")
    if "\x00" in text:
        raise ODataError("The filter contains a NUL character.")
    scanner = _Scanner(text)
    scanner.skip_space()
    if scanner.at_end():
        return []
    conditions = [scanner.condition()]
    while True:
        had_space = scanner.skip_space()
        if scanner.at_end():
            break
        if not had_space or not scanner.keyword("and") or not scanner.skip_space():
            raise ODataError(
                f"Expected ' and ' or the end of the filter at position {scanner.pos}."
            )
        conditions.append(scanner.condition())
        if len(conditions) > MAX_CONDITIONS:
            raise ODataError(f"A filter may combine at most {MAX_CONDITIONS} conditions.")
    return conditions


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip_space(self) -> bool:
        start = self.pos
        while not self.at_end() and self.text[self.pos].isspace():
            self.pos += 1
        return self.pos > start

    def keyword(self, word: str) -> bool:
        end = self.pos + len(word)
        if self.text[self.pos : end].lower() == word:
            self.pos = end
            return True
        return False

    def condition(self) -> Condition:
        match = _FIELD.match(self.text, self.pos)
        if match is None:
            raise ODataError(f"Expected a field name at position {self.pos}.")
        field = match.group()
        self.pos = match.end()
        if not self.skip_space():
            raise ODataError(f"Expected an operator after {field!r}.")
        match = _FIELD.match(self.text, self.pos)
        op = _OPS.get(match.group().lower()) if match else None
        if match is None or op is None:
            raise ODataError(
                f"Expected one of {', '.join(_OPS)} after {field!r} at position {self.pos}."
            )
        self.pos = match.end()
        if not self.skip_space():
            raise ODataError(f"Expected a quoted value after {field} {op}.")
        return Condition(field=field, op=op, value=self.quoted())

    def quoted(self) -> str:
        """A single-quoted string; a quote inside is written twice ('O''Brien')."""
        if self.at_end() or self.text[self.pos] != "'":
            raise ODataError(f"Expected a value in single quotes at position {self.pos}.")
        self.pos += 1
        chars: list[str] = []
        while not self.at_end():
            char = self.text[self.pos]
            self.pos += 1
            if char != "'":
                chars.append(char)
            elif not self.at_end() and self.text[self.pos] == "'":
                chars.append("'")
                self.pos += 1
            else:
                return "".join(chars)
        raise ODataError("A quoted value is not closed.")
