"""A form posted many times at once (double clicks, a client's retries from several workers)
makes one submission and one person, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cairn.core.testing.races import race
from cairn.people.models import Person
from cairn.signups import services
from cairn.signups.models import Form, Submission

from .conftest import ANSWERS, person


@pytest.mark.django_db(transaction=True)
def test_one_key_posted_at_once_from_eight_processes_makes_one_submission(
    form_factory: Callable[..., Form],
) -> None:
    # given an open form; when eight processes post the same key at once, with two emails
    form = form_factory()
    outcomes = race(
        lambda i: services.submit_form(
            form=form,
            person=person(f"ana{i % 2}@example.org"),
            answers=ANSWERS,
            consent=True,
            idempotency_key="double-click",
        ),
        workers=8,
        refusals=(services.FormError,),
    )
    # then every one answered with the same submission, and nobody else was made
    assert outcomes == ["ok"] * 8
    assert Submission.objects.filter(form=form).count() == 1
    assert Person.objects.filter(coalition=form.coalition).count() == 1
