"""Fixtures of the forms tests: an open form with the three kinds of question."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cairn.coalitions.models import Coalition, Membership
from cairn.people.services import EmailInput, PersonData
from cairn.signups import services
from cairn.signups.models import Form

QUESTIONS = [
    {"label": "Why do you care?", "type": "text", "required": True},
    {"label": "Your county", "type": "choice", "choices": ["Adams", "Baker"]},
    {"label": "Can you volunteer?", "type": "checkbox"},
]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def owner(coalition: Coalition, membership_factory: Callable[..., Membership]) -> Membership:
    return membership_factory(coalition, name="Harbor House")


@pytest.fixture
def form_factory(coalition: Coalition) -> Callable[..., Form]:
    def make(**fields: Any) -> Form:
        values: dict[str, Any] = {
            "title": "Join the lobby day",
            "fields": QUESTIONS,
            "consent_text": "I agree to be contacted about the campaign.",
            "consent_required": True,
            "status": Form.Status.OPEN,
            **fields,
        }
        return services.create_form(coalition=coalition, **values)

    return make


@pytest.fixture
def form(form_factory: Callable[..., Form]) -> Form:
    return form_factory()


def person(email: str = "ana@example.org", given: str = "Ana") -> PersonData:
    return PersonData(given_name=given, family_name="Ruiz", emails=[EmailInput(email)])


ANSWERS = {"why_do_you_care": "My brother waited 3 days in the ER.", "your_county": "Adams"}
