"""The demo tells the campaign's story: its history is spread over the months it took, not dated
the day it was loaded, and its decision log still verifies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from cairn.campaigns import selectors as campaign_selectors
from cairn.campaigns import services as campaign_services
from cairn.campaigns.demo import CAMPAIGN_NAME
from cairn.campaigns.models import Campaign, Measurement, PositionChange
from cairn.coalitions.demo import DEMO_SLUG
from cairn.coalitions.models import Coalition
from cairn.governance import selectors as governance_selectors
from cairn.governance.demo import CHARTER_TITLE, HORIZON_DECISION_TITLE, MEETING_TITLE
from cairn.governance.models import Authorization, LogEntry, Outcome, Proposal
from cairn.people.models import Activity, ListItem, Person, SubscriptionChange
from cairn.petitions.demo import LIVE_SLUG
from cairn.petitions.models import Petition, Signature

pytestmark = pytest.mark.django_db

SUPPORTERS = 600  # the default is 2,400; the spread does not depend on the count
# timeline entries of the supporters' own actions: letters and calls (advocacy), sign-up forms
ACTIONS = ("advocacy", "form")


@pytest.fixture
def demo() -> Coalition:
    call_command("load_demo", supporters=SUPPORTERS, verbosity=0)
    return Coalition.objects.get(slug=DEMO_SLUG)


def weeks(moments: list[dt.datetime]) -> dict[dt.date, int]:
    counts: dict[dt.date, int] = {}
    for moment in moments:
        day = timezone.localdate(moment)
        monday = day - dt.timedelta(days=day.weekday())
        counts[monday] = counts.get(monday, 0) + 1
    return counts


def test_supporters_signed_up_over_the_horizon_not_this_week(demo):
    today = timezone.localdate()
    joined = list(Person.objects.for_coalition(demo).values_list("created_at", flat=True))
    per_week = weeks(joined)
    assert len(joined) == SUPPORTERS
    assert len(per_week) > 30  # of the 43 weeks since the horizon started
    assert max(per_week.values()) < SUPPORTERS * 0.15  # the biggest surge is one week of 40+
    assert min(timezone.localdate(m) for m in joined) >= demo.horizon_start
    assert max(joined) <= timezone.now()
    # more joined in the campaign's last three months than in its first three (it grew)
    recent = sum(1 for m in joined if timezone.localdate(m) > today - dt.timedelta(days=91))
    early = sum(
        1 for m in joined if timezone.localdate(m) < demo.horizon_start + dt.timedelta(days=91)
    )
    assert recent > early * 1.5


def test_what_followed_a_sign_up_is_dated_after_it_not_today(demo):
    now = timezone.now()
    unsubscribed = list(
        SubscriptionChange.objects.filter(email__person__coalition=demo, source="demo").values_list(
            "changed_at", "email__person__created_at"
        )
    )
    listed = list(
        ListItem.objects.filter(people_list__coalition=demo).values_list(
            "created_at", "person__created_at"
        )
    )
    timeline = list(
        Activity.objects.filter(person__coalition=demo)
        .exclude(kind__in=ACTIONS)
        .values_list("occurred_at", "person__created_at")
    )
    # the letters, calls and volunteer sign-ups the supporters made (in the last weeks) are on
    # their timelines on the day each was made: after they joined, over many days, not today
    actions = list(
        Activity.objects.filter(person__coalition=demo, kind__in=ACTIONS).values_list(
            "occurred_at", "person__created_at"
        )
    )
    assert len(unsubscribed) > 10
    assert len(listed) > 10
    for later, joined in unsubscribed + listed + timeline:
        assert joined <= later <= now
        assert later in (joined, joined + dt.timedelta(days=14)) or later > now - dt.timedelta(
            minutes=5
        )
    assert len({timezone.localdate(at) for at, _ in unsubscribed}) > 5
    assert len(actions) > 40
    assert all(joined <= at <= now for at, joined in actions)
    assert len({timezone.localdate(at) for at, _ in actions}) > 14
    assert (
        sum(1 for at, _ in actions if timezone.localdate(at) == timezone.localdate())
        < len(actions) * 0.1
    )


def test_decisions_are_dated_when_they_were_taken_and_the_log_verifies(demo):
    today = timezone.localdate()
    proposals = {p.title: p for p in Proposal.objects.for_coalition(demo)}
    outcomes = {
        o.proposal.title: o for o in Outcome.objects.for_coalition(demo).select_related("proposal")
    }
    charter, horizon = outcomes[CHARTER_TITLE], outcomes[HORIZON_DECISION_TITLE]
    # the charter came first, the horizon was chosen the day the horizon (and campaign) started
    assert charter.recorded_at < horizon.recorded_at
    assert timezone.localdate(horizon.recorded_at) == demo.horizon_start
    charter_opened = proposals[CHARTER_TITLE].opened_at
    horizon_closed = proposals[HORIZON_DECISION_TITLE].closed_at
    assert charter_opened is not None
    assert horizon_closed is not None
    assert proposals[CHARTER_TITLE].created_at < charter_opened
    assert horizon_closed <= horizon.recorded_at
    # only the meeting poll is of today
    assert timezone.localdate(proposals[MEETING_TITLE].created_at) == today
    assert {timezone.localdate(o.recorded_at) for o in outcomes.values()} & {today} == set()
    # the log's entries are in order of time, carry those times, and verify
    entries = list(LogEntry.objects.for_coalition(demo).order_by("seq"))
    times = [e.created_at for e in entries]
    assert times == sorted(times)
    assert {e.body["at"] for e in entries} == {t.isoformat() for t in times}
    assert len({timezone.localdate(t) for t in times}) > 10
    assert governance_selectors.verify_log(coalition=demo).checked == len(entries)
    call_command("verify_log", coalition=DEMO_SLUG)


def test_the_campaign_was_authorized_the_day_of_the_decision_before_it_started(demo):
    campaign = Campaign.objects.for_coalition(demo).get(name=CAMPAIGN_NAME)
    (authorization,) = [
        a for a in Authorization.objects.for_coalition(demo) if a.target == campaign
    ]
    outcome = authorization.outcome
    assert outcome.proposal.title == HORIZON_DECISION_TITLE
    assert authorization.created_at == outcome.recorded_at
    assert timezone.localdate(authorization.created_at) <= campaign.starts_on
    assert campaign.starts_on - timezone.localdate(authorization.created_at) < dt.timedelta(days=30)
    marks = campaign_selectors.decisions(campaign=campaign)
    assert [(m.on, m.title) for m in marks] == [
        (timezone.localdate(outcome.recorded_at), HORIZON_DECISION_TITLE)
    ]


def test_positions_measurements_and_signatures_are_dated_as_they_happened(demo):
    today = timezone.localdate()
    campaign = Campaign.objects.for_coalition(demo).get(name=CAMPAIGN_NAME)
    positions = PositionChange.objects.filter(target__campaign=campaign)
    measurements = Measurement.objects.filter(objective__campaign=campaign)
    recorded = list(positions.values_list("on", "recorded_at")) + list(
        measurements.values_list("on", "recorded_at")
    )
    assert len(recorded) > 20
    assert all(timezone.localdate(at) == on for on, at in recorded if on < today)
    petition = Petition.objects.get(slug=LIVE_SLUG)
    assert petition.opened_at is not None
    assert petition.created_at < petition.opened_at < timezone.now() - dt.timedelta(days=30)
    confirmed = [
        at
        for at in Signature.objects.filter(petition=petition).values_list("confirmed_at", flat=True)
        if at is not None
    ]
    assert len(weeks(confirmed)) >= 5


def test_the_dashboard_shows_a_trend_week_by_week(demo):
    # given the demo's engagement, counted as the dashboard's background task counts it
    today = timezone.localdate()
    campaign = Campaign.objects.for_coalition(demo).get(name=CAMPAIGN_NAME)
    campaign_services.refresh_engagement(coalition=demo, full=True)
    state = campaign_selectors.engagement_state(coalition=demo)
    assert state is not None
    assert state.covers(campaign)
    # when
    series = {
        s.key: s for s in campaign_selectors.engagement(campaign=campaign, as_of=today, state=state)
    }
    # then supporters came in most weeks, signatures in the petition's weeks
    supporters = [n for _, n in series["new_supporters"].weeks]
    signatures = [n for _, n in series["signatures"].weeks]
    assert sum(1 for n in supporters if n > 0) > 30
    assert sum(1 for n in signatures if n > 0) >= 5
    assert sum(supporters) == SUPPORTERS
    # and the live count (no counters) says the same
    live = {s.key: s for s in campaign_selectors.engagement(campaign=campaign, as_of=today)}
    assert live["new_supporters"].weeks == series["new_supporters"].weeks


def test_loading_again_changes_nothing(demo):
    before = (
        Person.objects.count(),
        LogEntry.objects.count(),
        Authorization.objects.count(),
        sorted(Person.objects.values_list("created_at", flat=True))[:5],
    )
    call_command("load_demo", supporters=SUPPORTERS, verbosity=0)
    after = (
        Person.objects.count(),
        LogEntry.objects.count(),
        Authorization.objects.count(),
        sorted(Person.objects.values_list("created_at", flat=True))[:5],
    )
    assert after == before
