"""Errors the API answers with a JSON body: `{"error": "…"}` and the right status, never a 5xx."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class FilterError(ApiError):
    """A `filter` outside the supported OData subset."""

    def __init__(self, message: str) -> None:
        super().__init__(400, f"Invalid filter: {message}")


def not_found(kind: str, public_id: str) -> ApiError:
    """Action Network's wording, which Parsons documents and `osdi` relies on (a non-5xx status)."""
    return ApiError(404, f"Couldn't find {kind} with id = {public_id[:100]}")
