from __future__ import annotations

from cairn.coalitions.demo import load_demo
from cairn.petitions import selectors, services
from cairn.petitions.demo import LIVE_SLUG, MODERATION_SLUG, load_demo_petitions
from cairn.petitions.models import Petition, Signature


def test_the_demo_has_a_live_petition_with_signatures_and_loads_once(db):
    coalition = load_demo()
    first = load_demo_petitions(coalition, confirmed=1200)
    again = load_demo_petitions(coalition, confirmed=1200)
    assert (first.created, again.created) == (2, 0)
    assert first.signatures == again.signatures == Signature.objects.count()
    live = Petition.objects.get(slug=LIVE_SLUG)
    assert live.status == Petition.Status.OPEN
    assert live.coalition == coalition
    assert [t["name"] for t in live.targets] == [
        "Sen. Patricia Holloway",
        "Rep. Gerald Manning",
    ]
    assert live.sponsorships.count() >= 2
    view = selectors.public_view(petition=live)
    assert view.count == 1200 == services.recount_petition(petition=live)[1]
    assert view.progress.next is not None
    assert view.progress.next.count == 2500
    assert view.clock_days is not None
    assert view.clock_since == "delivery"
    assert Petition.objects.get(slug=MODERATION_SLUG).status == Petition.Status.IN_MODERATION
