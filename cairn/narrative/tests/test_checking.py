"""The bridge from a framework version to the message check: live figures, the result cache."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from cairn.campaigns import services as campaign_services
from cairn.campaigns.models import Measurement
from cairn.narrative import checking

from .conftest import GOOD_TEXT


def test_proof_point_carries_the_objectives_latest_approved_measurement(world):
    # given an objective measured 22.4 five days ago, and a pending figure of 30 after it
    today = timezone.localdate()
    pending = campaign_services.record_measurement(
        objective=world.objective,
        on=today,
        value=Decimal(30),
        source="An organizer",
        recorded_by=None,
    )
    Measurement.objects.filter(pk=pending.pk).update(review=Measurement.Review.PENDING)
    # when
    framework = checking.engine_framework(world.version)
    # then the approved one is the live value, with the objective's unit and the date
    point = framework.pillars[0].proof_points[0]
    assert point.value == 22.4
    assert point.unit == "beds per 100,000"
    assert point.measured_on == today - dt.timedelta(days=5)


def test_figure_that_disagrees_with_the_live_value_is_flagged(world):
    text = "Our state has only 18 psychiatric beds per 100,000 people. " + GOOD_TEXT
    result = checking.check_draft(version=world.version, text=text, channel="")
    (flag,) = [f for f in result.flags if f.kind == "figure_mismatch"]
    assert text[flag.start : flag.end] == "18"
    measured = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    assert f"latest is 22.4 beds per 100,000, measured {measured}" in flag.message


def test_good_draft_covers_the_pillar_and_makes_the_ask(world):
    result = checking.check_draft(version=world.version, text=GOOD_TEXT)
    assert result.pillars == ["beds"]
    assert result.has_ask
    assert not [f for f in result.flags if f.kind not in {"pillar"}]
    assert result.checked_with


def test_result_is_cached_by_text_and_version(world, django_assert_num_queries, monkeypatch):
    # given a draft checked once
    first = checking.check_draft(version=world.version, text=GOOD_TEXT, channel="x")

    def engine_run(framework):
        pytest.fail("the cached result was not used")

    monkeypatch.setattr(checking, "checker_for", engine_run)
    # when it is checked again: two reads for the live figures, no engine run
    with django_assert_num_queries(2):
        again = checking.check_draft(version=world.version, text=GOOD_TEXT, channel="x")
    # then
    assert again == first


def test_new_measurement_or_other_channel_is_checked_afresh(world):
    text = "We have 22.4 psychiatric beds per 100,000 people. " + GOOD_TEXT
    assert not [
        f
        for f in checking.check_draft(version=world.version, text=text).flags
        if f.kind == "figure_mismatch"
    ]
    campaign_services.record_measurement(
        objective=world.objective,
        on=timezone.localdate(),
        value=Decimal("23.1"),
        source="State health department",
        recorded_by=None,
    )
    result = checking.check_draft(version=world.version, text=text)
    assert [f.detail["latest"] for f in result.flags if f.kind == "figure_mismatch"] == [23.1]
    long_text = GOOD_TEXT + " " + "More beds now. " * 30
    assert any(
        f.kind == "too_long"
        for f in checking.check_draft(version=world.version, text=long_text, channel="x").flags
    )


def test_cache_holds_plain_data(world):
    cache.clear()
    checking.check_draft(version=world.version, text=GOOD_TEXT)
    key = checking._cache_key(
        world.version, checking.live_figures(world.version), GOOD_TEXT, "", ""
    )
    stored = cache.get(key)
    assert isinstance(stored, dict)
    assert stored["pillars"] == ["beds"]


def test_objective_of_another_coalition_is_not_read(world, coalition_factory):
    # given a version citing an objective id that belongs to another coalition
    other = coalition_factory()
    foreign_campaign = campaign_services.create_campaign(
        coalition=other,
        name="Elsewhere",
        theory_of_change="x",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=10),
        created_by=None,
    )
    foreign = campaign_services.add_objective(
        campaign=foreign_campaign,
        statement="Secret",
        metric="Secret metric",
        unit="secrets",
        direction="up",
        baseline_value=Decimal(99),
        baseline_on=timezone.localdate(),
        baseline_source="x",
        target_value=Decimal(100),
        deadline=timezone.localdate() + dt.timedelta(days=10),
    )
    world.version.content["pillars"][0]["proof_points"][0]["objective_id"] = foreign.pk
    # then its figure is not filled in
    assert checking.live_figures(world.version) == {}
    assert checking.engine_framework(world.version).pillars[0].proof_points[0].value is None
