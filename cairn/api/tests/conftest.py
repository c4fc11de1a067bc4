"""Fixtures of the API tests: a coalition with a steward's token and a client that sends it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cairn.api import services
from cairn.coalitions.models import Coalition
from cairn.people import services as people_services
from cairn.people.models import Person


class OsdiClient:
    """A test client that speaks to the API as OSDI clients do (JSON bodies, token header)."""

    def __init__(self, token: str, host: str = "testserver") -> None:
        self.client = Client(HTTP_HOST=host)
        self.token = token

    def request(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        headers = {"OSDI-API-Token": self.token} if self.token else {}
        headers.update(extra.pop("headers", {}))
        data = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
        return self.client.generic(
            method,
            path,
            data=data or "",
            content_type=extra.pop("content_type", "application/json"),
            headers=headers,
            **extra,
        )

    def get(self, path: str, **extra: Any) -> Any:
        return self.request("GET", path, **extra)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.request("POST", path, body, **extra)

    def put(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.request("PUT", path, body, **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self.request("DELETE", path, **extra)


@pytest.fixture
def raw_token(coalition: Coalition) -> str:
    return services.create_token(coalition=coalition, name="tests", created_by=None).raw


@pytest.fixture
def osdi(raw_token: str) -> OsdiClient:
    return OsdiClient(raw_token)


@pytest.fixture
def person_factory(coalition: Coalition) -> Callable[..., Person]:
    counter = iter(range(1, 100_000))

    def make(
        coalition: Coalition = coalition, *, email: str = "", given_name: str = "Ana", **kw: Any
    ) -> Person:
        n = next(counter)
        data = people_services.PersonData(
            given_name=given_name,
            family_name=kw.pop("family_name", f"Person{n}"),
            emails=[people_services.EmailInput(address=email or f"person{n}@example.org")],
            phones=[people_services.PhoneInput(number=p) for p in kw.pop("phones", [])],
        )
        return people_services.upsert_person(coalition=coalition, data=data, **kw).person

    return make
