"""URL patterns of the OSDI API, mounted at `api/v2/` by the root URLconf (plus `api/v2` itself).

Every route answers with and without a trailing slash, directly: a redirect would turn a client's
POST into a GET. Paths under the API that match nothing get a JSON 404 (and so never reach
APPEND_SLASH); a method a route does not offer gets a JSON 405.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import idempotency
from .api import api


def refuse_plain_http(request: HttpRequest) -> JsonResponse | None:
    """Where the site insists on HTTPS, the API refuses plain HTTP instead of redirecting to it
    (SECURE_REDIRECT_EXEMPT keeps SecurityMiddleware from redirecting API paths)."""
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return JsonResponse(
            {"error": "Use https: this API does not redirect (a redirected POST becomes a GET)."},
            status=403,
        )
    return None


@csrf_exempt  # token-authenticated API: no cookies, so no CSRF; a POST here must get JSON too
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return refuse_plain_http(request) or JsonResponse(
        {"error": "No such API endpoint."}, status=404
    )


def api_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Refusals that happen before ninja's operation runs, in JSON: a query parameter without a
    name (no client means that), and an unoffered method (ninja's own 405 is plain text); and
    `Idempotency-Key` for every POST (see `idempotency`)."""

    @wraps(view)  # keeps ninja's csrf_exempt marker
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if refusal := refuse_plain_http(request):
            return refusal
        if "" in request.GET:
            return JsonResponse({"error": "A query parameter has no name."}, status=400)
        response = idempotency.handle(request, view, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            body = {"error": f"Method {request.method} is not allowed here; use {allowed}."}
            response = JsonResponse(body, status=405)
            response["Allow"] = allowed
        rate = getattr(request, "api_rate", None)
        if rate is not None:  # set by the token auth: tell clients where they stand
            response["X-RateLimit-Limit"] = str(rate.limit)
            response["X-RateLimit-Remaining"] = str(rate.remaining)
        return response

    return wrapped


def both_slash_forms(patterns: list[Any]) -> list[URLPattern]:
    result: list[URLPattern] = []
    for pattern in patterns:
        route = str(pattern.pattern).strip("/")
        if pattern.name == "api-root" and "default_home" in repr(pattern.callback):
            continue  # ninja's placeholder root; our entry point takes its name
        view = api_view(pattern.callback)
        if not route:
            result.append(path("", view, name=pattern.name))
            continue
        result.append(path(route, view, name=pattern.name))
        result.append(path(f"{route}/", view))
    return result


ninja_patterns = api.urls[0]
app_name = api.urls_namespace  # ninja reverses "<namespace>:api-root" to place its operations
urlpatterns = [*both_slash_forms(ninja_patterns), re_path(r"^(?P<rest>.*)$", not_found)]
# `/api/v2` without its slash: the root URLconf routes it here directly.
entry_point_view = next(p.callback for p in urlpatterns if p.name == "api-root")
