"""API authentication: the `OSDI-API-Token` header (any case) or `?osdi-api-token=`.

A missing token is 401, an unknown or revoked one 403, a token over its rate limit 429 with
`Retry-After`; every refusal has a JSON body. The authenticated token is `request.auth`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader

from cairn.coalitions.models import Coalition, StaffMember

from . import selectors, services
from .models import ApiToken
from .osdi.errors import ApiError

HEADER = "OSDI-API-Token"
QUERY_PARAM = "osdi-api-token"


class OsdiToken(APIKeyHeader):
    param_name = HEADER

    def _get_key(self, request: HttpRequest) -> str | None:
        return raw_token(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiToken:
        if not key or not key.strip():
            raise ApiError(401, f"Send your API token in the {HEADER} header.")
        token = selectors.active_token(raw=key.strip())
        if token is None:
            raise ApiError(403, "This API token is not valid (unknown or revoked).")
        decision = services.count_request(token=token)
        request.api_rate = decision  # type: ignore[attr-defined]  # read by osdi.urls.api_view
        if not decision.allowed:
            raise over_limit(decision)
        return token


def raw_token(request: HttpRequest) -> str | None:
    """The token as sent. Django's request.headers is case-insensitive: OSDI-API-TOKEN matches."""
    return request.headers.get(HEADER) or request.GET.get(QUERY_PARAM)


def over_limit(decision: services.RateDecision) -> ApiError:
    return ApiError(
        429,
        f"Rate limit of {decision.limit} requests exceeded; retry in {decision.retry_after} s.",
        headers={"Retry-After": str(decision.retry_after)},
    )


def token_of(request: HttpRequest) -> ApiToken:
    token: Any = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):  # unreachable behind OsdiToken; a guard, not a check
        raise ApiError(401, f"Send your API token in the {HEADER} header.")
    return token


def coalition_of(request: HttpRequest) -> Coalition:
    """The tenant of this request: the token's coalition, and nothing else."""
    return token_of(request).coalition


def token_creator(request: HttpRequest) -> StaffMember | None:
    """Whom a write through this token acts as: its creator's role in the token's coalition
    (user and membership loaded). None for a token the site operator issued
    (`create_api_token`), which acts as the coalition's stewards. Refused (403) when the creator
    no longer has a role here."""
    token = token_of(request)
    if token.created_by_id is None:
        return None
    staff = (
        StaffMember.objects.for_coalition(token.coalition)
        .filter(user_id=token.created_by_id)
        .select_related("user", "membership")
        .first()
    )
    if staff is None:
        raise ApiError(403, "The person who created this token no longer has a role here.")
    return staff
