"""The scheduling commands count in words that agree with the count ('1 proposal advanced',
'0 measurement feeds queued.'), not 'proposal(s)'."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cairn.governance import services as governance_services


def run(command: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_governance_tick_says_how_many_proposals_advanced(monkeypatch):
    # given nothing due, then one proposal due
    assert run("governance_tick") == "0 proposals advanced\n"
    monkeypatch.setattr(governance_services, "advance_due_proposals", lambda: 1)
    # then the one is counted in the singular
    assert run("governance_tick") == "1 proposal advanced\n"


@pytest.mark.django_db
def test_pull_measurement_feeds_says_how_many_feeds_it_queued():
    # given no feed due, when the scheduler runs, then it says so in the plural
    assert run("pull_measurement_feeds") == "0 measurement feeds queued.\n"
