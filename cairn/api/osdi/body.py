"""Request bodies as real clients send them: JSON; else form-urlencoded (Parsons "Form"); else,
when the body is empty, the query string minus the reserved parameters (Parsons "QS").

A form or a query string is flat, so nested fields are written with bracket keys, as Rails (and
so Action Network) reads them: `person[given_name]=Ana`,
`person[email_addresses][0][address]=ana@example.org`, `_links[osdi:person][href]=…`; a repeated
key is a list (`add_tags=a&add_tags=b`). A nested object sent as Parsons' `create_signature`
sends it (`requests` writes only the object's keys: `person=given_name&person=…`) cannot be read
by any server: the 400 says so and how to send it.

Whatever arrives is validated by a pydantic model; anything it refuses is a 400 with the reasons.
Text that no database can store (NUL, lone surrogates) is refused here, before it reaches one.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any, TypeVar

from django.http import HttpRequest, QueryDict
from pydantic import BaseModel, ValidationError

from .errors import ApiError

S = TypeVar("S", bound=BaseModel)

RESERVED_PARAMS = {"page", "per_page", "filter", "background_processing", "osdi-api-token"}


BRACKETS = re.compile(r"\[([^\[\]]*)\]")
MAX_DEPTH = 8
FLAT_HINT = (
    " A form or query string carries nested fields as bracket keys, e.g. "
    "person[email_addresses][0][address]=… or _links[osdi:person][href]=…; a nested object "
    "given to Parsons' create_signature loses its values (only its keys are sent): use bracket "
    "keys, or send JSON."
)


def read_payload(request: HttpRequest) -> dict[str, Any]:
    return _read(request)[0]


def _read(request: HttpRequest) -> tuple[dict[str, Any], bool]:
    """The body as data, and whether it came flat (a form or the query string)."""
    raw = request.body
    flat = True
    if raw.strip() and raw.strip() != b"null":
        try:
            data = json.loads(raw)
            flat = False
        except (ValueError, RecursionError) as error:
            if raw.lstrip()[:1] in (b"{", b"["):
                raise ApiError(400, "The request body is not valid JSON.") from error
            data = _form(raw)
        if not isinstance(data, dict):
            raise ApiError(400, "The request body must be a JSON object.")
    else:
        data = nest((k, v) for k, v in request.GET.lists() if k not in RESERVED_PARAMS)
    _check_text(data)
    return data, flat


def parse_payload(request: HttpRequest, model: type[S]) -> S:
    """The body as `model`, or a 400 that says which fields are wrong."""
    data, flat = _read(request)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        lost = flat and any(e["type"] in {"model_type", "dict_type"} for e in error.errors())
        raise ApiError(400, _describe(error) + (FLAT_HINT if lost else "")) from error


def _form(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(400, "The request body is neither JSON nor a form.") from error
    form = QueryDict(text)
    if not form:
        raise ApiError(400, "The request body is neither JSON nor a form.")
    return nest(form.lists())


def nest(pairs: Iterable[tuple[str, list[str]]]) -> dict[str, Any]:
    """Flat fields as data: bracket keys nest (digits index a list, `[]` appends), a key given
    more than once is a list of its values."""
    tree: dict[str, Any] = {}
    for key, values in pairs:
        head, bracket, rest = key.partition("[")
        path = [head, *BRACKETS.findall(bracket + rest)]
        well_formed = "".join(f"[{p}]" for p in path[1:]) == bracket + rest
        if not head or not well_formed or "" in path[1:-1]:  # `[]` appends, so it comes last
            raise ApiError(400, f"The field name {key[:100]!r} is not a valid bracket key.")
        if len(path) > MAX_DEPTH:
            raise ApiError(400, "The request body is nested too deeply.")
        if len(path) == 1:
            _put(tree, head, values[0] if len(values) == 1 else list(values), key)
            continue
        for value in values:
            node = tree
            for segment in path[:-1]:
                child = node.setdefault(segment, {})
                if not isinstance(child, dict):
                    raise ApiError(400, f"The field {key[:100]!r} conflicts with another.")
                node = child
            _put(node, path[-1] or str(len(node)), value, key)
    return {name: _lists(value) for name, value in tree.items()}


def _put(node: dict[str, Any], name: str, value: Any, key: str) -> None:
    if name in node:
        raise ApiError(400, f"The field {key[:100]!r} is given twice.")
    node[name] = value


def _lists(value: Any) -> Any:
    """Objects whose keys are all indexes become lists, in index order."""
    if not isinstance(value, dict):
        return value
    items = {name: _lists(item) for name, item in value.items()}
    if items and all(name.isdigit() for name in items):
        return [items[name] for name in sorted(items, key=int)]
    return items


def _check_text(value: object, depth: int = 0) -> None:
    if depth > 20:
        raise ApiError(400, "The request body is nested too deeply.")
    if isinstance(value, str):
        if "\x00" in value:
            raise ApiError(400, "Text may not contain NUL characters.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ApiError(400, "Text must be valid Unicode.") from error
    elif isinstance(value, float) and not math.isfinite(value):
        raise ApiError(400, "Numbers must be finite.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, depth + 1)
            _check_text(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_text(item, depth + 1)


def _describe(error: ValidationError) -> str:
    parts = []
    for problem in error.errors()[:5]:
        where = ".".join(str(p) for p in problem["loc"]) or "body"
        parts.append(f"{where}: {problem['msg']}")
    return "Invalid request: " + "; ".join(parts)


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` documenting `model` as the JSON body (the parsing itself is ours)."""
    schema = model.model_json_schema(by_alias=True)
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    content = {"application/json": {"schema": inline(schema)}}
    return {"requestBody": {"required": True, "content": content}}
