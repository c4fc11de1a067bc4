"""`Idempotency-Key` on every POST of the API, applied once for all routes by `urls.api_view`.

- The same key, from the same token, with the same request (method, path without its trailing
  slash, query string, body — JSON compared as data, so key order does not matter) within 24 h
  gets the first answer back, status and body, without the work being done again; the replay
  carries `Idempotent-Replayed: true`.
- The same key with another request: 422.
- While the first request is still at work, a retry waits for its answer (up to
  CAIRN_API_IDEMPOTENCY_WAIT_SECONDS) and replays it, else answers 409 with `Retry-After`.
- An answer of 5xx or 429 is not kept: the key is given up and the next retry does the work.
- A key is 1–255 printable ASCII characters; PUT, GET and DELETE ignore the header (they are
  idempotent already); a request without a valid token is answered by the auth as usual.

Replays and waits count against the token's rate limit like any request.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import timezone

from cairn.api import selectors, services
from cairn.api.auth import over_limit, raw_token
from cairn.api.models import ApiToken, IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
POLL_SECONDS = 0.05


def handle(
    request: HttpRequest, view: Callable[..., HttpResponseBase], *args: Any, **kwargs: Any
) -> HttpResponseBase:
    """The view's answer, done once per key: claimed, replayed, waited for or refused."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return view(request, *args, **kwargs)
    if not (0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()):
        return _error(400, f"An {HEADER} is 1 to {MAX_KEY_LENGTH} printable ASCII characters.")
    token = selectors.active_token(raw=(raw_token(request) or "").strip())
    if token is None:
        return view(request, *args, **kwargs)  # the auth answers 401 or 403
    fingerprint = request_hash(request)
    lease = dt.timedelta(seconds=settings.CAIRN_API_IDEMPOTENCY_LEASE_SECONDS)
    deadline = time.monotonic() + settings.CAIRN_API_IDEMPOTENCY_WAIT_SECONDS
    for _attempt in range(1000):  # each pass waits or claims; a bound against a pathology
        state = services.claim_idempotency_key(
            token=token, key=key, request_hash=fingerprint, lease=lease
        )
        if state.row is None:  # given up between our insert and our read: claim again
            continue
        if state.outcome == services.KeyOutcome.CLAIMED:
            return _do_once(state.row, request, view, *args, **kwargs)
        if state.outcome == services.KeyOutcome.MISMATCH:
            return _counted(
                request,
                token,
                _error(422, f"This {HEADER} was used with a different request; use a new key."),
            )
        answered = _wait_for_answer(token, state.row, deadline, lease)
        if answered is None:  # given up or stale meanwhile: try to claim it again
            continue
        if answered.status_code is None:
            refusal = _error(
                409,
                f"A request with this {HEADER} is still in progress; retry in a few seconds "
                "to get its answer.",
            )
            refusal["Retry-After"] = "1"
            return _counted(request, token, refusal)
        return _counted(request, token, _replay(answered))
    return _error(409, f"A request with this {HEADER} is still in progress; retry later.")


def request_hash(request: HttpRequest) -> str:
    """SHA-256 of what was asked: method, path, query string (without the token), body."""
    query = sorted(
        (name, value)
        for name, values in request.GET.lists()
        if name != "osdi-api-token"
        for value in values
    )
    body: bytes = request.body
    with contextlib.suppress(ValueError, RecursionError):  # a form is compared as sent
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256()
    for part in (request.method or "", request.path_info.rstrip("/"), json.dumps(query)):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(body)
    return digest.hexdigest()


def _do_once(
    row: IdempotencyKey,
    request: HttpRequest,
    view: Callable[..., HttpResponseBase],
    *args: Any,
    **kwargs: Any,
) -> HttpResponseBase:
    try:
        response = view(request, *args, **kwargs)
    except BaseException:
        services.release_idempotency_key(row=row)
        raise
    body = _text(response)
    if body is None or response.status_code >= 500 or response.status_code == 429:
        services.release_idempotency_key(row=row)
    else:
        services.record_idempotent_answer(
            row=row,
            status_code=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=body,
        )
    return response


def _text(response: HttpResponseBase) -> str | None:
    if not isinstance(response, HttpResponse):  # a streamed answer cannot be kept
        return None
    try:
        return response.content.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _wait_for_answer(
    token: ApiToken, row: IdempotencyKey, deadline: float, lease: dt.timedelta
) -> IdempotencyKey | None:
    """The row once answered; the row unanswered at the deadline; None if it was given up or its
    holder's lease ran out (the caller claims again)."""
    current: IdempotencyKey | None = row
    while current is not None and current.status_code is None:
        if current.started_at + lease < timezone.now():
            return None
        if time.monotonic() >= deadline:
            return current
        time.sleep(POLL_SECONDS)
        current = selectors.idempotency_key(token=token, pk=row.pk)
    return current


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        row.body, status=row.status_code or 200, content_type=row.content_type or None
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _counted(request: HttpRequest, token: ApiToken, response: HttpResponse) -> HttpResponse:
    """An answer given without the operation still counts against the rate limit."""
    decision = services.count_request(token=token)
    request.api_rate = decision  # type: ignore[attr-defined]  # read by osdi.urls.api_view
    if not decision.allowed:
        refusal = over_limit(decision)
        response = _error(refusal.status, refusal.message)
        for name, value in refusal.headers.items():
            response[name] = value
    return response


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)
