"""Factories and fixtures shared by every app's tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

import factory
import pytest
from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions import services
from cairn.coalitions.models import (
    Coalition,
    Commitment,
    Membership,
    Role,
    Sector,
    StaffMember,
)

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class CoalitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coalition

    name = factory.Sequence(lambda n: f"Coalition {n}")
    slug = factory.Sequence(lambda n: f"coalition-{n}")
    mission = "Fix the thing that is broken, together."
    horizon_title = "Budget vote"
    horizon_start = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=100))
    horizon_end = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=200))
    charter = "We decide by consent."


@pytest.fixture
def user_factory(db: None) -> type[UserFactory]:
    return UserFactory


@pytest.fixture
def coalition_factory(db: None) -> type[CoalitionFactory]:
    return CoalitionFactory


@pytest.fixture
def membership_factory(db: None) -> Callable[..., Membership]:
    counter = iter(range(1, 10_000))

    def make(
        coalition: Coalition,
        *,
        name: str = "",
        sector: str = Sector.NONPROFIT,
        status: str = Membership.Status.ACTIVE,
    ) -> Membership:
        return services.add_organization(
            coalition=coalition,
            name=name or f"Organization {next(counter)}",
            sector=sector,
            status=status,
            added_by=None,
        )

    return make


@pytest.fixture
def staff_factory(db: None) -> Callable[..., StaffMember]:
    def make(
        coalition: Coalition,
        role: str = Role.STEWARD,
        *,
        membership: Membership | None = None,
        user: User | None = None,
    ) -> StaffMember:
        return StaffMember.objects.create(
            coalition=coalition,
            user=user or cast(User, UserFactory()),
            role=role,
            membership=membership,
        )

    return make


@pytest.fixture
def commitment_factory(db: None) -> Callable[..., Commitment]:
    def make(
        membership: Membership,
        *,
        kind: str = Commitment.Kind.FUNDING,
        quantity: Decimal | int = 1000,
        unit: str = "USD",
        due_in_days: int = 30,
        delivered: Decimal | int = 0,
    ) -> Commitment:
        commitment = services.pledge_commitment(
            membership=membership,
            kind=kind,
            description=f"{kind} pledge",
            quantity=Decimal(quantity),
            unit=unit,
            due_date=timezone.localdate() + dt.timedelta(days=due_in_days),
            pledged_by=None,
        )
        if delivered:
            services.record_delivery(
                commitment=commitment,
                quantity=Decimal(delivered),
                delivered_on=timezone.localdate(),
                recorded_by=None,
            )
        return commitment

    return make


@pytest.fixture
def coalition(coalition_factory: type[CoalitionFactory]) -> Coalition:
    return cast(Coalition, coalition_factory())


@pytest.fixture
def steward(coalition: Coalition, staff_factory: Callable[..., StaffMember]) -> StaffMember:
    return staff_factory(coalition, Role.STEWARD)


@pytest.fixture(autouse=True)
def _empty_caches() -> None:
    """Each test starts with empty caches. Petitions cache what a public address shows (the open
    petition a slug signs, its page, its count) for seconds: without this, a test that made a
    petition a moment ago answered for the next test's petition of the same slug (the browser's
    signer error path at 390 px after the desktop run: 'This petition is not taking signatures')."""
    for alias in settings.CACHES:
        caches[alias].clear()


# powermap


@pytest.fixture
def stakeholder_factory(db: None) -> Callable[..., Any]:
    """A stakeholder made through the power map's services (`position` records a first change)."""
    from cairn.powermap import services as powermap_services

    counter = iter(range(1, 100_000))

    def make(
        coalition: Coalition,
        *,
        name: str = "",
        kind: str = "organization",
        sector: str = Sector.NONPROFIT,
        position: str = "",
        influence: int = 50,
        description: str = "",
        tags: tuple[str, ...] = (),
    ) -> Any:
        stakeholder = powermap_services.create_stakeholder(
            coalition=coalition,
            data=powermap_services.StakeholderData(
                name=name or f"Stakeholder {next(counter)}",
                kind=kind,
                sector=sector,
                influence=influence,
                description=description,
            ),
            by=None,
            tags=tags,
        )
        if position:
            powermap_services.record_position(
                stakeholder=stakeholder,
                position=position,
                on=timezone.localdate(),
                evidence="Said so at a hearing",
                by=None,
            )
        return stakeholder

    return make


@pytest.fixture
def relationship_factory(db: None) -> Callable[..., Any]:
    """A relationship between two stakeholders, with evidence, through the services."""
    from cairn.powermap import services as powermap_services

    def make(source: Any, target: Any, kind: str = "funds", *, weight: str = "1") -> Any:
        return powermap_services.add_relationship(
            source=source,
            target=target,
            kind=kind,
            weight=Decimal(weight),
            evidence=f"{source} {kind} {target}: annual report",
            by=None,
        )

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL pass skips what would only repeat the SQLite pass: tests marked
    `own_database` run benchmarks and console scripts on their own SQLite file, whatever the
    pass's database; browser journeys and the role walk (`pages`) check what a page shows and
    offers, which does not depend on the database, and are the slowest tests of the suite (CI
    must stay under 20 minutes). Races, services, the API and the tenant walker run on both."""
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    repeat = pytest.mark.skip(reason="runs on its own SQLite database: the SQLite pass ran it")
    once = pytest.mark.skip(reason="pages and browser journeys run in the SQLite pass")
    for item in items:
        if item.get_closest_marker("own_database"):
            item.add_marker(repeat)
        elif item.get_closest_marker("browser") or item.get_closest_marker("pages"):
            item.add_marker(once)
