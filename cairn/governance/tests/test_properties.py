"""Properties of counting, through the services and the database (not only the engine):
a vote changed N times counts once; one organization never counts twice; the tally does not depend
on the order ballots arrive in; consent with an objection does not pass."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.coalitions.models import Role
from cairn.governance import selectors, services
from cairn.governance.models import Proposal, Vote

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
POSITIONS = ("agree", "abstain", "disagree")
RANKINGS = st.permutations(["o1", "o2", "o3", "o4"]).flatmap(
    lambda p: st.integers(min_value=2, max_value=4).map(lambda n: list(p[:n]))
)


def opened(group: Any, template: str, **kwargs: Any) -> Proposal:
    proposal = services.create_proposal(
        coalition=group.coalition,
        template=template,
        title="Property",
        closes_at=timezone.now() + dt.timedelta(days=3),
        created_by=None,
        **kwargs,
    )
    return services.open_proposal(proposal=proposal, by=None)


@PROPERTY
@given(changes=st.lists(st.sampled_from(POSITIONS), min_size=1, max_size=8))
def test_a_vote_changed_n_times_counts_once(assembly_factory, changes):
    group = assembly_factory(members=3)
    proposal = opened(group, "majority")
    for position in changes:
        services.cast_vote(
            proposal=proposal, staff=group.organizers[0], ballot={"position": position}
        )
    result = selectors.results(proposal=proposal).engine
    assert result.voters == 1
    assert [c.code for c in result.positions if c.voters] == [changes[-1]]
    assert Vote.objects.get(proposal=proposal).changes == len(changes) - 1
    assert selectors.verify_log(coalition=group.coalition).ok


@PROPERTY
@given(
    casts=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 1), st.sampled_from(POSITIONS)),
        min_size=1,
        max_size=12,
    )
)
def test_one_organization_never_counts_twice(assembly_factory, staff_factory, casts):
    # given three organizations with two organizers each, casting in any interleaving
    group = assembly_factory(members=3)
    seconds = [staff_factory(group.coalition, Role.ORGANIZER, membership=m) for m in group.members]
    pairs = list(zip(group.organizers, seconds, strict=True))
    proposal = opened(group, "majority")
    latest: dict[int, str] = {}
    for organization, which, position in casts:
        services.cast_vote(
            proposal=proposal, staff=pairs[organization][which], ballot={"position": position}
        )
        latest[organization] = position
    result = selectors.results(proposal=proposal).engine
    # then each organization counts once, with its latest position
    assert result.voters == len(latest) == Vote.objects.filter(proposal=proposal).count()
    for code in POSITIONS:
        assert result.position(code).voters == list(latest.values()).count(code)


@PROPERTY
@given(
    rankings=st.lists(RANKINGS, min_size=4, max_size=4),
    order=st.permutations(range(4)),
)
def test_the_tally_does_not_depend_on_ballot_order(assembly_factory, rankings, order):
    group = assembly_factory(members=4)
    first = opened(group, "ranked_choice", options=[services.OptionInput(x) for x in "ABCD"])
    second = opened(group, "ranked_choice", options=[services.OptionInput(x) for x in "ABCD"])
    for i in range(4):
        services.cast_vote(
            proposal=first, staff=group.organizers[i], ballot={"ranking": rankings[i]}
        )
    for i in order:
        services.cast_vote(
            proposal=second, staff=group.organizers[i], ballot={"ranking": rankings[i]}
        )
    a, b = selectors.results(proposal=first), selectors.results(proposal=second)
    assert (a.headline, a.rounds, a.ties) == (b.headline, b.rounds, b.ties)
    assert (
        selectors.blt(proposal=first).splitlines()[:-1]
        == (selectors.blt(proposal=second).splitlines()[:-1])
    )


@PROPERTY
@given(
    others=st.lists(st.sampled_from(("consent", "objection", None)), min_size=4, max_size=4),
    objector=st.integers(0, 4),
)
def test_consent_with_an_objection_does_not_pass(assembly_factory, others, objector):
    group = assembly_factory(members=5)
    proposal = opened(group, "consent", quorum_percent=0)
    positions: list[str | None] = list(others)
    positions.insert(objector, "objection")
    for organizer, position in zip(group.organizers, positions, strict=True):
        if position is not None:
            services.cast_vote(proposal=proposal, staff=organizer, ballot={"position": position})
    closed = services.close_proposal(proposal=proposal, by=None)
    assert closed.passed is False
