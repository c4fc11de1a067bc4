"""The demo narrative: adopted by a decision (in order of time in the log), 42 items across every
state and channel, flags where the drafts have them, and content signatures for the pulse."""

from __future__ import annotations

import pytest

from cairn.campaigns.demo import CAMPAIGN_NAME, load_demo_campaign
from cairn.campaigns.models import Campaign
from cairn.coalitions.demo import load_demo_coalition
from cairn.governance import selectors as governance_selectors
from cairn.governance.demo import load_demo_decisions
from cairn.governance.models import LogEntry
from cairn.narrative import selectors, services
from cairn.narrative.demo import (
    DECISION_TITLE,
    FRAMEWORK_NAME,
    load_demo_narrative,
    load_demo_narrative_decision,
)
from cairn.narrative.models import ContentItem, Framework, FrameworkVersion
from cairn.petitions.demo import load_demo_petitions

pytestmark = pytest.mark.django_db


def test_the_demo_narrative():
    coalition = load_demo_coalition().coalition
    load_demo_campaign(coalition)
    load_demo_narrative_decision(coalition)
    load_demo_decisions(coalition)
    load_demo_petitions(coalition, confirmed=400)
    loaded = load_demo_narrative(coalition)
    # the framework: v1 adopted by the decision, v2 proposed
    framework = Framework.objects.get(coalition=coalition, name=FRAMEWORK_NAME)
    statuses = dict(framework.versions.values_list("number", "status"))
    assert statuses == {1: FrameworkVersion.Status.ADOPTED, 2: FrameworkVersion.Status.PROPOSED}
    (decision,) = governance_selectors.decisions_behind(framework.versions.get(number=1))
    assert decision.outcome.proposal.title == DECISION_TITLE
    times = list(
        LogEntry.objects.for_coalition(coalition)
        .order_by("seq")
        .values_list("created_at", flat=True)
    )
    assert times == sorted(times)
    # the content: 42 items, every state, six channels and more, flags where drafts have them
    items = ContentItem.objects.for_coalition(coalition)
    assert loaded.created == items.count() == 42
    assert set(items.values_list("state", flat=True)) == set(ContentItem.State.values)
    assert items.exclude(channel="").values("channel").distinct().count() >= 6
    flagged = [
        i
        for i in items.filter(state=ContentItem.State.IN_REVIEW)
        if services.run_check(
            framework=i.framework, text=i.body, kind=i.kind, channel=i.channel, item=i
        ).open_blocking
    ]
    assert len(flagged) >= 3
    # the pulse has figures from content signatures and reach
    campaign = Campaign.objects.get(coalition=coalition, name=CAMPAIGN_NAME)
    rows = selectors.pulse(campaign=campaign)
    assert loaded.content_signatures > 0
    assert sum(r.signatures for r in rows) == loaded.content_signatures
    assert all(r.reach > 0 for r in rows)
    # a second run creates nothing
    again = load_demo_narrative(coalition)
    assert again.created == 0
    assert ContentItem.objects.for_coalition(coalition).count() == 42


def test_the_demo_content_brought_new_supporters():
    from cairn.narrative.demo import JOINED_WITHIN
    from cairn.narrative.outcomes import content_supporters
    from cairn.people.demo import load_demo_supporters
    from cairn.people.models import Person

    # given the demo with its supporters (made apart from the petition's signatures)
    coalition = load_demo_coalition().coalition
    load_demo_supporters(coalition=coalition, count=400)
    load_demo_campaign(coalition)
    load_demo_narrative_decision(coalition)
    load_demo_decisions(coalition)
    load_demo_petitions(coalition, confirmed=400)
    people = Person.objects.for_coalition(coalition).count()
    # when the narrative is loaded
    load_demo_narrative(coalition)
    # then some content signers are supporters who joined just after signing, no one is made
    brought = list(
        content_supporters(coalition)
        .filter(person__emails__primary=True)
        .values_list("confirmed_at", "person__created_at", "email", "person__emails__address")
    )
    assert len(brought) > 5
    for confirmed_at, joined, email, address in brought:
        assert confirmed_at <= joined <= confirmed_at + JOINED_WITHIN
        assert email == address
    assert Person.objects.for_coalition(coalition).count() == people
    campaign = Campaign.objects.get(coalition=coalition, name=CAMPAIGN_NAME)
    assert sum(r.supporters for r in selectors.pulse(campaign=campaign)) == len(brought)
