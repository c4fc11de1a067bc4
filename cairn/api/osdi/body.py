"""Request bodies as real clients send them: JSON; else form-urlencoded (Parsons "Form"); else,
when the body is empty, the query string minus the reserved parameters (Parsons "QS").

Whatever arrives is validated by a pydantic model; anything it refuses is a 400 with the reasons.
Text that no database can store (NUL, lone surrogates) is refused here, before it reaches one.
"""

from __future__ import annotations

import json
import math
from typing import Any, TypeVar

from django.http import HttpRequest, QueryDict
from pydantic import BaseModel, ValidationError

from .errors import ApiError

S = TypeVar("S", bound=BaseModel)

RESERVED_PARAMS = {"page", "per_page", "filter", "background_processing", "osdi-api-token"}


def read_payload(request: HttpRequest) -> dict[str, Any]:
    raw = request.body
    if raw.strip() and raw.strip() != b"null":
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as error:
            if raw.lstrip()[:1] in (b"{", b"["):
                raise ApiError(400, "The request body is not valid JSON.") from error
            data = _form(raw)
        if not isinstance(data, dict):
            raise ApiError(400, "The request body must be a JSON object.")
    else:
        data = {k: v for k, v in request.GET.items() if k not in RESERVED_PARAMS}
    _check_text(data)
    return data


def parse_payload(request: HttpRequest, model: type[S]) -> S:
    """The body as `model`, or a 400 that says which fields are wrong."""
    try:
        return model.model_validate(read_payload(request))
    except ValidationError as error:
        raise ApiError(400, _describe(error)) from error


def _form(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(400, "The request body is neither JSON nor a form.") from error
    form = QueryDict(text)
    if not form:
        raise ApiError(400, "The request body is neither JSON nor a form.")
    return {key: form[key] for key in form}


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
