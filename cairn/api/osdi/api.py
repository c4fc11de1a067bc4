"""The OSDI API (django-ninja): one NinjaAPI, one router per resource, JSON errors everywhere.

Later domains (petitions, events, donations) add a router here and reuse hal, pagination,
filters, body and the token auth.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cairn.advocacy.services import AdvocacyError
from cairn.api.auth import OsdiToken
from cairn.audit import api as audit_api
from cairn.budgets import api as budgets_api
from cairn.campaigns import api as campaigns_api
from cairn.events.services import EventError, EventFull
from cairn.fundraising.services import FundraisingError
from cairn.governance import api as governance_api
from cairn.ledger import api as ledger_api
from cairn.narrative import api as narrative_api
from cairn.people.services import PeopleError
from cairn.petitions.services import PetitionError
from cairn.powermap import api as powermap_api

from . import advocacy, entry, event_campaigns, events, lists, people, petitions, tags
from .errors import ApiError
from .forms import router as forms_router
from .fundraising import router as fundraising_router


class OsdiApi(NinjaAPI):
    """The API whose OpenAPI document shows what `urls.api_view` adds to every POST: the
    `Idempotency-Key` header, and its 409 and 422 answers."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            post = operations.get("post")
            if post is None:
                continue
            post.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
            refusal = post["responses"].get(400)
            if refusal is not None:
                post["responses"].setdefault(409, {**refusal, "description": "Key in use"})
                post["responses"].setdefault(422, {**refusal, "description": "Key reused"})
        return schema


IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Send the same key when retrying: the same request within 24 hours gets the first "
        "answer back without the work being done again."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
}

api = OsdiApi(
    title="Cairn OSDI API",
    version="2",
    description=(
        "OSDI-compatible (Action Network flavour) API for a coalition's supporters. "
        "Authenticate with the `OSDI-API-Token` header (a steward creates tokens on the "
        "coalition's API tokens page.\n\n"
        "**Resources.** People, tags, taggings, lists and items; petitions and signatures; forms "
        "and submissions (surveys are the forms of kind survey); advocacy campaigns and "
        "outreaches (an outreach posted here is a record of one made elsewhere unless it says "
        "`deliver: true`); events and attendances (an ended event takes attendances as history); "
        "event campaigns and their events; fundraising pages and donations; and Cairn's own "
        "decisions, campaigns, narrative, power map, funds and budgets. The entry point "
        "(`GET /api/v2/`) links every collection.\n\n"
        "**Collections** page by `page` and `per_page` (at most 25) "
        "and filter with an OData subset: `email_address eq '…'`, `phone_number eq '…'`, "
        "`created_date|modified_date gt|lt|ge|le|eq '<date or datetime>'`, `name eq '…'` (tags), "
        "`title eq '…'` and `status eq '…'` (petitions), "
        f"joined by ` and `. Each token may make {settings.CAIRN_API_RATE_LIMIT} requests per "
        f"{settings.CAIRN_API_RATE_WINDOW_SECONDS} seconds; beyond that the answer is 429 with "
        "`Retry-After`.\n\n"
        "**Bodies.** POST and PUT take JSON; else a form; else, when the body is empty, the query "
        "string. A form or query string writes nested fields as bracket keys "
        "(`person[email_addresses][0][address]=…`, `_links[osdi:person][href]=…`); a repeated key "
        "is a list.\n\n"
        "**Retries.** Every POST accepts an `Idempotency-Key` header (1–255 printable ASCII "
        "characters). The same key from the same token with the same request (method, path, "
        "query, body) within 24 hours gets the first answer back — status and body, with "
        "`Idempotent-Replayed: true` — and the work is not done again. The same key with another "
        "request is 422. While the first request is still at work a retry waits for its answer, "
        "or gets 409 with `Retry-After`. A 5xx or 429 answer is not kept: retry with the same key."
    ),
    urls_namespace="api",
    auth=OsdiToken(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", entry.router)
api.add_router("", people.router)
api.add_router("", tags.router)
api.add_router("", lists.router)
api.add_router("", petitions.router)
api.add_router("", forms_router)  # forms and submissions
api.add_router("", advocacy.router)  # advocacy campaigns and outreaches
api.add_router("", events.router)  # events and attendances
api.add_router("", event_campaigns.router)  # event campaigns, their events and attendances
api.add_router("", fundraising_router)  # fundraising pages and donations
api.add_router("", governance_api.router)  # Cairn's own: proposals, votes, outcomes
api.add_router("", campaigns_api.router)  # Cairn's own: campaigns, objectives, targets
api.add_router("", narrative_api.router)  # Cairn's own: frameworks, versions, content
api.add_router("", audit_api.router)  # Cairn's own: partnership audits and profiles
api.add_router("", powermap_api.router)  # Cairn's own: stakeholders, relationships, figures
api.add_router("", ledger_api.router)  # Cairn's own: funds, accounts, entries (read-only)
api.add_router("", budgets_api.router)  # Cairn's own: budget lines, rounds, expenses (read)


def error_response(
    request: HttpRequest, status: int, message: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    response = api.create_response(request, {"error": message}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(request, exc.status, exc.message, exc.headers)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in exc.errors[:5]
    ]
    return api.create_response(
        request, {"error": "Invalid request parameters.", "details": details}, status=400
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code if 400 <= exc.status_code < 500 else 400
    return error_response(request, status, str(exc.message))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "Send your API token in the OSDI-API-Token header.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "Not found.")


@api.exception_handler(PeopleError)
def _refused(request: HttpRequest, exc: PeopleError) -> HttpResponse:
    return error_response(request, 400, str(exc))


@api.exception_handler(AdvocacyError)
def _advocacy_refused(request: HttpRequest, exc: AdvocacyError) -> HttpResponse:
    return error_response(request, 400, str(exc))


@api.exception_handler(EventError)
def _event_refused(request: HttpRequest, exc: EventError) -> HttpResponse:
    return error_response(request, 400, str(exc))


@api.exception_handler(EventFull)
def _event_full(request: HttpRequest, exc: EventFull) -> HttpResponse:
    return error_response(request, 409, str(exc))


@api.exception_handler(FundraisingError)
def _fundraising_refused(request: HttpRequest, exc: FundraisingError) -> HttpResponse:
    return error_response(request, 400, str(exc))


@api.exception_handler(PetitionError)
def _petition_refused(request: HttpRequest, exc: PetitionError) -> HttpResponse:
    return error_response(request, 400, str(exc))


# Bad input that slipped past validation must still be a 4xx: `osdi` retries 5xx for minutes.
@api.exception_handler(DataError)
def _bad_value(request: HttpRequest, exc: DataError) -> HttpResponse:
    return error_response(request, 400, "A value is not acceptable.")


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return error_response(request, 400, "Bad request.")
