"""The demo's letter campaign: letters to the seed's legislative leaders, emailed or printed,
calls reported, replies logged, and one reply that moved a position on the campaign's dashboard."""

from __future__ import annotations

import pytest

from cairn.advocacy.demo import TITLE, load_demo_advocacy
from cairn.advocacy.models import Delivery, OfficeReply, Outreach
from cairn.campaigns.demo import load_demo_campaign
from cairn.campaigns.models import DecisionTarget
from cairn.coalitions.demo import load_demo
from cairn.people.demo import load_demo_supporters

pytestmark = pytest.mark.django_db


def test_the_demo_letter_campaign_loads_once() -> None:
    coalition = load_demo()
    load_demo_supporters(coalition=coalition, count=120)
    load_demo_campaign(coalition)
    first = load_demo_advocacy(coalition, letters=40, calls=9)
    again = load_demo_advocacy(coalition, letters=40, calls=9)
    assert (first.created, again.created) == (True, False)
    row = first.advocacy_campaign
    assert row.title == TITLE
    assert row.campaign is not None
    assert Outreach.objects.filter(action="letter").count() == 40
    assert Outreach.objects.filter(action="call").count() == 9
    statuses = set(Delivery.objects.values_list("status", flat=True))
    assert {"sent", "bounced", "delivered", "called"} <= statuses
    assert not Delivery.objects.filter(status="queued").exists()
    assert OfficeReply.objects.count() == 4
    holloway = DecisionTarget.objects.get(
        campaign=row.campaign, decision_maker__name="Sen. Patricia Holloway"
    )
    assert holloway.position == "committed"
    assert OfficeReply.objects.get(position="committed").position_change is not None
