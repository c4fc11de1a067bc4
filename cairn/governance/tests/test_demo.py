from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cairn.coalitions.demo import load_demo
from cairn.governance import selectors
from cairn.governance.demo import (
    CHARTER_TITLE,
    HORIZON_DECISION_TITLE,
    MEETING_TITLE,
    load_demo_decisions,
)
from cairn.governance.models import LogEntry, Proposal

pytestmark = pytest.mark.django_db


def test_the_demo_has_real_decisions_and_a_log_that_verifies():
    # given the demo coalition with its decisions
    coalition = load_demo()
    assert load_demo_decisions(coalition).created == 3
    proposals = {p.title: p for p in Proposal.objects.for_coalition(coalition)}
    # then the charter was adopted by consensus, the horizon chosen by ranked choice ...
    charter = proposals[CHARTER_TITLE]
    assert charter.status == Proposal.Status.CLOSED
    assert charter.passed is True
    assert charter.outcome.statement.startswith("The charter is adopted")
    horizon = selectors.results(proposal=proposals[HORIZON_DECISION_TITLE])
    assert horizon.headline == f"Winner: {coalition.horizon_title}"
    assert horizon.rounds is not None
    assert len(horizon.rounds.headers) == 3
    assert [a.outcome.proposal.title for a in selectors.decisions_behind(coalition)] == [
        HORIZON_DECISION_TITLE
    ]
    # ... and a meeting time poll is open
    meeting = proposals[MEETING_TITLE]
    assert meeting.status == Proposal.Status.OPEN
    assert selectors.results(proposal=meeting).voters == 3
    # and the log verifies; loading again adds nothing
    entries = LogEntry.objects.for_coalition(coalition).count()
    assert load_demo_decisions(coalition).created == 0
    assert LogEntry.objects.for_coalition(coalition).count() == entries
    call_command("verify_log", coalition=coalition.slug)
    assert selectors.verify_log(coalition=coalition).checked == entries


def test_verify_log_fails_at_the_tampered_entry_of_the_demo(capsys):
    coalition = load_demo()
    load_demo_decisions(coalition)
    vote = LogEntry.objects.for_coalition(coalition).filter(body__event="vote_changed").get()
    body = {**vote.body, "ballot": {"position": "disagree"}}
    LogEntry.objects.filter(pk=vote.pk).update(body=body)
    with pytest.raises(CommandError, match="does not verify"):
        call_command("verify_log")
    assert f"BROKEN at entry {vote.seq}" in capsys.readouterr().out
