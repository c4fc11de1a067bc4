"""The demo landscape: imported through the importer with the counts the issue asks for, the
demo's member organizations and decision-makers as the same stakeholders, idempotent."""

from __future__ import annotations

import pytest

from cairn.campaigns.demo import load_demo_campaign
from cairn.campaigns.models import Campaign, DecisionMaker
from cairn.coalitions.demo import DECISION_MAKERS, ORGANIZATIONS, load_demo
from cairn.coalitions.models import Membership
from cairn.powermap import analysis
from cairn.powermap.demo import load_demo_powermap
from cairn.powermap.models import Relationship, Stakeholder, StakeholderOrigin


@pytest.mark.django_db
def test_the_demo_landscape_imports_with_its_counts_and_again_changes_nothing() -> None:
    # given the demo coalition and its campaign (the decision-makers)
    coalition = load_demo()
    load_demo_campaign(coalition)
    # when
    first = load_demo_powermap(coalition)
    again = load_demo_powermap(coalition)
    # then: ≥ 150 stakeholders in ≥ 10 sectors, ≥ 400 relationships, each with evidence
    stakeholders = Stakeholder.objects.for_coalition(coalition)
    relationships = Relationship.objects.for_coalition(coalition)
    assert stakeholders.count() >= 150
    assert len(set(stakeholders.values_list("sector", flat=True))) >= 10
    assert relationships.count() >= 400
    assert not relationships.filter(evidence="").exists()
    assert first.relationships_created == relationships.count()
    # the member organizations and decision-makers are the same stakeholders (linked, updated)
    for spec in ORGANIZATIONS:
        linked = stakeholders.get(name=spec.name)
        assert linked.organization is not None
        assert linked.organization.name == spec.name
        assert linked.origin == StakeholderOrigin.LINKED
    for maker in DECISION_MAKERS:
        linked = stakeholders.get(name=maker.name)
        assert linked.decision_maker == DecisionMaker.objects.get(
            coalition=coalition, name=maker.name
        )
    assert first.stakeholders_created == stakeholders.count() - len(ORGANIZATIONS) - len(
        DECISION_MAKERS
    )
    # sectors the coalition lacks are present: the prospects "identify three" draws from
    assert {"public_safety", "philanthropy", "business", "media", "government"} <= set(
        stakeholders.values_list("sector", flat=True)
    )
    # and a second load changes nothing
    assert (again.stakeholders_created, again.stakeholders_updated) == (0, 0)
    assert (again.relationships_created, again.relationships_updated) == (0, 0)
    assert again.positions_recorded == 0
    # and "identify three" finds three prospects outside the members' sectors, with reasons
    analysis.recompute_figures(coalition)
    ranking = analysis.prospects_for_campaign(Campaign.objects.get(coalition=coalition), limit=3)
    assert ranking.too_thin is None
    member_sectors = set(
        Membership.objects.for_coalition(coalition)
        .filter(status=Membership.Status.ACTIVE)
        .values_list("organization__sector", flat=True)
    )
    sectors = [p.sector for p in ranking.prospects]
    assert len(sectors) == 3
    assert len(set(sectors)) == 3
    assert not set(sectors) & member_sectors
    assert all(p.reason and p.score > 0 for p in ranking.prospects)
