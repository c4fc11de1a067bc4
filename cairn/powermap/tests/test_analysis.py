"""Figures of a small hand-built coalition graph, computed and stored by the recompute.

The map (directed ties point from who acts to whom it acts on):

    Faith Fund (faith, champion)  --board_seat-->  Health Trust (philanthropy, supportive)
    Health Trust                  --funds------->  Chair (the campaign's decision-maker)
    Street Clinic (nonprofit)     --funds------->  Chair
    Member (nonprofit, active member) --allied_with-- Union (labor, neutral) --personal_tie-- Chair

By hand, with 6 nodes ((n-1)(n-2) = 20 ordered pairs of others), path length = Σ 1/weight:
betweenness: Chair lies on 6 shortest paths (Trust, Clinic, Faith Fund → Union, Member), Union
on 5 (Member ↔ Chair, and Trust, Clinic, Faith Fund → Member), Health Trust on 3 (Faith Fund →
Chair, Union, Member): 0.30, 0.25, 0.15. Reach to the Chair: 1/(1+d): Trust, Clinic, Union 1/2,
Faith Fund 1/3, Member 1/3, Chair 1. Constraint of Health Trust: two unlinked contacts of equal
weight, 2 × (1/2)² = 0.5, effective size 2; the Chair: three unlinked contacts, 3 × (1/3)² = 1/3.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from cairn.campaigns import services as campaign_services
from cairn.coalitions.models import Coalition, Membership, Sector
from cairn.powermap import analysis
from cairn.powermap import services as powermap_services
from cairn.powermap.models import FigureRun, GraphState, StakeholderFigure


@pytest.fixture
def landscape(
    coalition: Coalition,
    membership_factory: Callable[..., Membership],
    stakeholder_factory: Callable[..., Any],
    relationship_factory: Callable[..., Any],
) -> dict[str, Any]:
    member = membership_factory(coalition, name="Member", sector=Sector.NONPROFIT)
    campaign = campaign_services.create_campaign(
        coalition=coalition,
        name="Beds now",
        theory_of_change="Funding moves the chair.",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=90),
        created_by=None,
    )
    maker = campaign_services.add_decision_maker(coalition=coalition, name="Chair")
    campaign_services.add_target(
        campaign=campaign,
        decision_maker=maker,
        position="undecided",
        on=timezone.localdate(),
        evidence="Hearing",
        recorded_by=None,
    )
    nodes = {
        "member": powermap_services.ensure_stakeholder_for_organization(
            organization=member.organization
        ),
        "chair": powermap_services.ensure_stakeholder_for_decision_maker(decision_maker=maker),
        "trust": stakeholder_factory(
            coalition, name="Health Trust", sector=Sector.PHILANTHROPY, position="supportive"
        ),
        "faith": stakeholder_factory(
            coalition, name="Faith Fund", sector=Sector.FAITH, position="champion"
        ),
        "union": stakeholder_factory(
            coalition, name="Union", sector=Sector.LABOR, position="neutral"
        ),
        "clinic": stakeholder_factory(coalition, name="Street Clinic", sector=Sector.NONPROFIT),
    }
    relationship_factory(nodes["faith"], nodes["trust"], "board_seat")
    relationship_factory(nodes["trust"], nodes["chair"], "funds")
    relationship_factory(nodes["clinic"], nodes["chair"], "funds")
    relationship_factory(nodes["member"], nodes["union"], "allied_with")
    relationship_factory(nodes["union"], nodes["chair"], "personal_tie")
    return {"campaign": campaign, "member": member, **nodes}


def figures_of(run: FigureRun) -> dict[int, StakeholderFigure]:
    return {f.stakeholder_id: f for f in StakeholderFigure.objects.filter(run=run)}


def test_recompute_stores_the_hand_computed_figures(
    coalition: Coalition, landscape: dict[str, Any]
) -> None:
    # when
    timings: dict[str, tuple[float, float]] = {}
    run = analysis.recompute_figures(coalition, timings=timings)
    # then
    run.refresh_from_db()
    assert run.status == FigureRun.Status.DONE
    assert (run.node_count, run.edge_count) == (6, 5)
    assert {"read the graph", "betweenness", "paths, reach", "write"} <= set(timings)
    assert all(wall >= 0 and cpu >= 0 for wall, cpu in timings.values())
    assert run.betweenness_method == "exact"
    assert run.betweenness_error is None
    assert run.computed_at is not None
    assert run.duration_ms is not None
    figures = figures_of(run)
    pk = {name: landscape[name].pk for name in ("chair", "union", "trust", "faith", "member")}
    betweenness = {name: figures[pk[name]].betweenness for name in pk}
    assert betweenness == pytest.approx(
        {"chair": 0.30, "union": 0.25, "trust": 0.15, "faith": 0.0, "member": 0.0}
    )
    campaign = str(landscape["campaign"].pk)
    reach = {name: figures[pk[name]].reach.get(campaign, 0.0) for name in pk}
    assert reach == pytest.approx(
        {"chair": 1.0, "union": 0.5, "trust": 0.5, "faith": 1 / 3, "member": 1 / 3}, abs=1e-6
    )
    trust, chair = figures[pk["trust"]], figures[pk["chair"]]
    assert (trust.constraint, trust.effective_size) == pytest.approx((0.5, 2.0))
    assert (chair.constraint, chair.effective_size) == pytest.approx((1 / 3, 3.0))
    assert sum(f.pagerank for f in figures.values()) == pytest.approx(1.0)
    assert figures[pk["faith"]].paths == {str(pk["chair"]): [2.0, pk["trust"]]}
    # the member reaches the chair only through the labor union: nothing inside its own sector
    assert run.campaigns[campaign]["echo_chamber"] == 0.0
    assert run.diversity["shares"] == {"nonprofit": 1.0}


def test_path_to_target_follows_the_stored_shortest_path(
    coalition: Coalition, landscape: dict[str, Any]
) -> None:
    analysis.recompute_figures(coalition)
    faith, trust, chair = landscape["faith"].pk, landscape["trust"].pk, landscape["chair"].pk
    assert analysis.path_to_target(coalition, faith, chair) == [faith, trust, chair]
    # not a campaign's target: computed from the graph now
    assert analysis.path_to_target(coalition, faith, trust) == [faith, trust]
    assert analysis.path_to_target(coalition, chair, faith) == []  # ties point the other way


def test_path_to_target_of_another_coalition_is_empty(
    coalition: Coalition, coalition_factory: Any, landscape: dict[str, Any]
) -> None:
    other = coalition_factory()
    analysis.recompute_figures(coalition)
    assert analysis.path_to_target(other, landscape["faith"].pk, landscape["chair"].pk) == []


def test_prospects_are_ranked_by_the_product_of_their_factors_with_the_path_as_reason(
    coalition: Coalition, landscape: dict[str, Any]
) -> None:
    Coalition.objects.filter(pk=coalition.pk).update(mission="")
    coalition.refresh_from_db()
    analysis.recompute_figures(coalition)
    # when
    ranking = analysis.prospects_for_campaign(landscape["campaign"])
    # then: Health Trust 1/2 × (0.75 + 0)/2, Faith Fund 1/3 × (1 + 0)/2, Union 1/2 × 0.5/2;
    # the clinic is in the member's sector, so not a prospect
    assert [p.name for p in ranking.prospects] == ["Health Trust", "Faith Fund", "Union"]
    assert [round(p.score, 4) for p in ranking.prospects] == [0.1875, 0.1667, 0.125]
    for p in ranking.prospects:
        assert p.score == pytest.approx(p.reach * p.alignment * p.novelty)
    assert ranking.prospects[1].reason == (
        "Faith Fund sits on the board of Health Trust, which funds Chair; "
        "would be the first faith member."
    )
    assert ranking.too_thin is None


def test_prospects_say_why_when_there_is_nothing_to_rank(
    coalition: Coalition, landscape: dict[str, Any]
) -> None:
    assert analysis.prospects_for_campaign(landscape["campaign"]).too_thin == (
        "the map's figures have not been computed yet"
    )
    other = campaign_services.create_campaign(
        coalition=coalition,
        name="No targets",
        theory_of_change="-",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=9),
        created_by=None,
    )
    analysis.recompute_figures(coalition)
    ranking = analysis.prospects_for_campaign(other)
    assert ranking.prospects == []
    assert ranking.too_thin == "the campaign has no decision-maker on the map to reach yet"


def test_diversity_weights_members_by_activity(
    coalition: Coalition,
    landscape: dict[str, Any],
    membership_factory: Callable[..., Membership],
    commitment_factory: Callable[..., Any],
) -> None:
    # given a faith member that delivered on a commitment (activity 2) beside the nonprofit one (1)
    faith_member = membership_factory(coalition, name="Temple", sector=Sector.FAITH)
    commitment_factory(faith_member, delivered=100)
    # when
    figures = analysis.diversity(coalition)
    # then
    assert figures.sectors.shares == pytest.approx({"faith": 2 / 3, "nonprofit": 1 / 3})
    assert figures.sectors.gini_simpson == pytest.approx(1 - (4 / 9 + 1 / 9))


@pytest.mark.django_db(transaction=True)
def test_many_graph_writes_in_one_transaction_queue_one_run(
    coalition: Coalition, landscape: dict[str, Any], relationship_factory: Callable[..., Any]
) -> None:
    # given the landscape's writes, each committed on its own (each ran a recompute)
    before = FigureRun.objects.for_coalition(coalition).order_by("-pk").first()
    assert before is not None
    assert before.edge_count == 5
    # when three ties are added in one transaction
    with transaction.atomic():
        relationship_factory(landscape["union"], landscape["trust"], "allied_with")
        relationship_factory(landscape["clinic"], landscape["union"], "funds")
        relationship_factory(landscape["faith"], landscape["chair"], "covers")
    # then one run followed the commit (the immediate task backend in tests), over all three
    runs = list(FigureRun.objects.for_coalition(coalition).filter(pk__gt=before.pk))
    assert [(run.status, run.edge_count) for run in runs] == [("done", 8)]
    state = GraphState.objects.get(coalition=coalition)
    assert state.queued_at is None
    assert runs[0].graph_changed_at == state.changed_at


def test_a_queued_run_absorbs_later_requests(
    coalition: Coalition, landscape: dict[str, Any]
) -> None:
    # given a run claimed and not started yet
    GraphState.objects.update_or_create(coalition=coalition, defaults={"queued_at": timezone.now()})
    # when the graph changes again (what request_recompute runs on commit)
    analysis._mark_changed_and_enqueue(coalition.pk)
    # then no second run was enqueued (the queued one reads the latest graph)
    assert FigureRun.objects.for_coalition(coalition).count() == 0
    assert GraphState.objects.get(coalition=coalition).changed_at is not None


def test_pages_can_say_when_the_figures_were_computed(
    coalition: Coalition, landscape: dict[str, Any], relationship_factory: Callable[..., Any]
) -> None:
    assert analysis.figures_state(coalition).summary == "Figures not computed yet."
    run = analysis.recompute_figures(coalition)
    state = analysis.figures_state(coalition)
    when = timezone.localtime(run.computed_at).strftime("%Y-%m-%d %H:%M")
    assert state.summary == f"Figures computed {when}."
    # when the map changes afterwards (the task is not run: captured, not executed)
    relationship_factory(landscape["union"], landscape["trust"], "allied_with")
    analysis._mark_changed(coalition.pk, timezone.now())
    assert analysis.figures_state(coalition).summary == (
        f"Figures computed {when}; the map changed since."
    )


def test_the_task_recomputes_and_a_failure_is_recorded(
    coalition: Coalition, landscape: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cairn.powermap.tasks import recompute_figures_task

    result = recompute_figures_task.enqueue(coalition.pk)
    assert str(result.return_value).startswith("done: 6 nodes, 5 edges")

    def broken(graph: Any) -> Any:
        raise ValueError("no memory left")

    monkeypatch.setattr(analysis.graph_engine, "pagerank", broken)
    with pytest.raises(ValueError, match="no memory left"):
        analysis.recompute_figures(coalition)
    failed = FigureRun.objects.for_coalition(coalition).get(status=FigureRun.Status.FAILED)
    assert failed.error == "ValueError: no memory left"
    assert analysis.latest_figures(coalition) is not None  # the last good figures remain
