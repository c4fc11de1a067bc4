"""Fixtures of the petitions tests: petitions in any state, and signing helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from cairn.coalitions.models import Coalition, Membership
from cairn.petitions import services
from cairn.petitions.models import Petition
from cairn.petitions.services import PetitionData, SignerData

Status = Petition.Status
THRESHOLDS = [
    {"count": 3, "consequence": "Delivered to the target"},
    {"count": 10, "consequence": "Response due within 30 days"},
]


@pytest.fixture(autouse=True)
def _on_commit_runs_at_once(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests run inside a transaction that never commits: run on-commit work (emails) at once.

    Transactional tests (the race tests) really commit, so their on-commit work runs as in prod.
    """
    from django.db import transaction

    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Public aggregates are cached for seconds; row ids repeat between tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def owner(coalition: Coalition, membership_factory: Callable[..., Membership]) -> Membership:
    return membership_factory(coalition, name="Harbor House")


@pytest.fixture
def petition_factory(owner: Membership, membership_factory: Callable[..., Membership]):
    def make(
        status: str = Status.OPEN,
        *,
        owner_: Membership | None = None,
        title: str = "Fund 40 crisis beds",
        sponsors_required: int = 0,
        thresholds: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> Petition:
        petition = services.create_petition(
            owner=owner_ or owner,
            data=PetitionData(
                title=title,
                background="Boarding in the ER costs lives.",
                targets=[{"name": "Sen. Patricia Holloway", "title": "Majority Leader"}],
                thresholds=THRESHOLDS if thresholds is None else thresholds,
                sponsors_required=sponsors_required,
                **extra,
            ),
            created_by=None,
        )
        if status == Status.DRAFT:
            return petition
        if status == Status.AWAITING_SPONSORS:
            assert sponsors_required, "awaiting sponsors needs sponsors_required"
            return services.submit_petition(petition=petition)
        petition = services.submit_petition(petition=petition)
        if status == Status.IN_MODERATION:
            return petition
        if status == Status.REJECTED:
            return services.reject_petition(petition=petition, reason="off_mission", text="No.")
        petition = services.open_petition(petition=petition)
        if status == Status.OPEN:
            return petition
        if status == Status.CLOSED:
            return services.close_petition(petition=petition)
        if status == Status.WON:
            return services.declare_victory(petition=petition, statement="They funded it.")
        if status == Status.TAKEN_DOWN:
            return services.take_down_petition(petition=petition, reason="Threats")
        raise AssertionError(status)

    return make


@pytest.fixture
def petition(petition_factory) -> Petition:
    return petition_factory()


def signer(email: str = "ana@example.org", **extra: Any) -> SignerData:
    values: dict[str, Any] = {
        "name": "Ana Lima",
        "email": email,
        "postal_code": "46201",
        "country": "US",
        "ip": "198.51.100.7",
    }
    values.update(extra)
    return SignerData(**values)


LINK = re.compile(r"https?://\S+?(/p/(?:confirm|unsubscribe)/\S+?/)")


def links(message: Any, kind: str = "confirm") -> list[str]:
    return [path for path in LINK.findall(str(message.body)) if f"/p/{kind}/" in path]


def confirm_path(index: int = -1) -> str:
    return links(mail.outbox[index])[0]


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]
