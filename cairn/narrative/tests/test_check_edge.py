"""The check against a framework still being written: it says so instead of failing."""

from __future__ import annotations

import pytest

from cairn.narrative import services

pytestmark = pytest.mark.django_db


def test_a_new_framework_with_an_empty_draft_is_checked_without_an_error(world):
    framework = services.create_framework(
        coalition=world.coalition, name="Second narrative", by=world.steward
    )
    result = services.run_check(
        framework=framework, text="Fund the beds.", kind="email", channel=""
    )
    assert result.version_number == 1
    assert not result.version_adopted
    assert result.problem == (
        "Version 1 cannot be checked against yet: pillars: at least one pillar is required"
    )
    assert result.flags == []
