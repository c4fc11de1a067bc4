"""The daily engagement counters: a recount equals the live GROUP BY, the dashboard reads them,
and a stale dashboard queues one recount, not one per reader."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.campaigns import selectors, services
from cairn.campaigns.models import EngagementCount, EngagementDay
from cairn.people import services as people_services


def _supporter(coalition, n: int, member=None) -> None:
    people_services.upsert_person(
        coalition=coalition,
        data=people_services.PersonData(
            given_name=f"P{n}", emails=[people_services.EmailInput(f"p{n}@example.org")]
        ),
        source_membership=member,
    )


def test_a_recount_equals_the_live_count(campaign, membership_factory):
    # given supporters brought by a member and by no member
    member = membership_factory(campaign.coalition)
    for n in range(3):
        _supporter(campaign.coalition, n, member)
    _supporter(campaign.coalition, 9)
    today = timezone.localdate()
    live = selectors.engagement(campaign=campaign, as_of=today)
    # when the coalition's engagement is counted
    state = services.refresh_engagement(coalition=campaign.coalition)
    counted = selectors.engagement(campaign=campaign, as_of=today, state=state)
    # then the counters give the same weeks and members as the live queries
    assert "new_supporters" in state.sources
    assert [(s.key, s.weeks, s.by_member) for s in counted] == [
        (s.key, s.weeks, s.by_member) for s in live
    ]
    by_key = {s.key: s for s in counted}
    assert by_key["new_supporters"].by_member == {member.pk: 3.0, None: 1.0}
    assert EngagementDay.objects.filter(coalition=campaign.coalition).count() == 2


def test_a_recount_replaces_the_counters(campaign):
    _supporter(campaign.coalition, 1)
    services.refresh_engagement(coalition=campaign.coalition)
    _supporter(campaign.coalition, 2)
    state = services.refresh_engagement(coalition=campaign.coalition)
    series = selectors.engagement(campaign=campaign, as_of=timezone.localdate(), state=state)
    assert {s.key: s.total for s in series}["new_supporters"] == 2.0
    assert EngagementDay.objects.filter(coalition=campaign.coalition).count() == 1


def test_counters_stay_in_their_coalition(campaign, coalition_factory, campaign_factory):
    other = campaign_factory(coalition_factory(), name="Elsewhere")
    _supporter(other.coalition, 1)
    services.refresh_engagement(coalition=other.coalition)
    state = services.refresh_engagement(coalition=campaign.coalition)
    series = selectors.engagement(campaign=campaign, as_of=timezone.localdate(), state=state)
    assert all(s.total == 0 for s in series)


def test_a_stale_dashboard_queues_one_recount(
    client, coalition, steward, campaign, django_capture_on_commit_callbacks
):
    # given counters counted long ago
    services.refresh_engagement(coalition=coalition)
    EngagementCount.objects.filter(coalition=coalition).update(
        counted_at=timezone.now() - dt.timedelta(hours=1)
    )
    _supporter(coalition, 1)
    client.force_login(steward.user)
    target = reverse(
        "campaigns:dashboard", kwargs={"slug": coalition.slug, "campaign_id": campaign.pk}
    )
    # when two readers open the dashboard
    with django_capture_on_commit_callbacks(execute=True) as first:
        assert client.get(target).status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as second:
        page = client.get(target)
    # then only the first queued a recount (run at once by the test backend), and the new
    # supporter appears once it has run
    assert (len(first), len(second)) == (1, 0)
    state = EngagementCount.objects.get(coalition=coalition)
    assert state.counted_at is not None
    assert state.counted_at > timezone.now() - dt.timedelta(minutes=1)
    assert page.status_code == 200
    assert 'data-testid="engagement-counted"' in page.content.decode()
    series = selectors.engagement(campaign=campaign, as_of=timezone.localdate(), state=state)
    assert {s.key: s.total for s in series}["new_supporters"] == 1.0


@pytest.mark.parametrize("fresh", [True, False])
def test_only_missing_or_stale_counters_are_requested(coalition, fresh):
    state = services.refresh_engagement(coalition=coalition)
    now = timezone.now() + (dt.timedelta(0) if fresh else dt.timedelta(hours=1))
    assert services.request_engagement_refresh(coalition=coalition, state=state, now=now) is (
        not fresh
    )


def test_a_recent_recount_keeps_older_days_and_counts_new_ones(campaign):
    # given a full count, then a supporter whose row is back-dated beyond the recent days
    from cairn.people.models import Person

    _supporter(campaign.coalition, 1)
    first = services.refresh_engagement(coalition=campaign.coalition)
    _supporter(campaign.coalition, 2)
    _supporter(campaign.coalition, 3)
    Person.objects.filter(given_name="P3").update(created_at=timezone.now() - dt.timedelta(days=30))
    # when a recent recount runs, then today's new supporter is counted but not the old one
    state = services.refresh_engagement(coalition=campaign.coalition)
    assert state.fully_counted_at == first.fully_counted_at
    series = selectors.engagement(campaign=campaign, as_of=timezone.localdate(), state=state)
    assert {s.key: s.total for s in series}["new_supporters"] == 2.0
    # and a full recount counts it too
    state = services.refresh_engagement(coalition=campaign.coalition, full=True)
    series = selectors.engagement(campaign=campaign, as_of=timezone.localdate(), state=state)
    assert {s.key: s.total for s in series}["new_supporters"] == 3.0


def test_a_campaign_counted_before_it_existed_is_read_live_and_recounted(
    coalition, campaign_factory, django_capture_on_commit_callbacks
):
    # given counters counted before a second campaign was created
    first = campaign_factory(coalition)
    state = services.refresh_engagement(coalition=coalition)
    second = campaign_factory(coalition, name="Second")
    _supporter(coalition, 1)
    # then the new campaign is read from the sources' rows (the supporter shows at once) ...
    series = selectors.engagement(campaign=second, as_of=timezone.localdate(), state=state)
    assert {s.key: s.total for s in series}["new_supporters"] == 1.0
    assert state.covers(first)
    assert not state.covers(second)
    # ... and a recount is asked for although the counters are fresh
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert services.request_engagement_refresh(
            coalition=coalition, state=state, campaign=second
        )
    assert len(queued) == 1
    assert EngagementCount.objects.get(coalition=coalition).covers(second)


@pytest.mark.parametrize("n", [1, 160, 161, 1826])
def test_charts_draw_at_most_about_160_points_keeping_both_ends(n):
    from cairn.campaigns.figures import MAX_POINTS, thin

    points = list(range(n))
    kept = thin(points)
    assert kept[0] == 0
    assert kept[-1] == n - 1
    assert len(kept) <= MAX_POINTS + 1
    assert kept == sorted(set(kept))
