"""Campaigns in the Django admin, for site operators: to look, and to correct wording and dates.

Rows are created through the services (a campaign gets its phases, a target its first position
change, an objective its checks), so nothing is added or deleted here. Names unique in a
coalition, positions (which repeat the latest `PositionChange`), objective states and the feed's
outcome are read-only; position history and the engagement counters (derived: a recount rebuilds
them) are read-only entirely.
"""

from __future__ import annotations

from django.contrib import admin

from cairn.core.admin import ServiceWritten

from .models import (
    Campaign,
    CampaignEngagement,
    DecisionMaker,
    DecisionTarget,
    EngagementCount,
    EngagementDay,
    Measurement,
    MeasurementFeed,
    Milestone,
    Objective,
    Phase,
    PositionChange,
)


@admin.register(Campaign)
class CampaignAdmin(ServiceWritten):
    correctable = ("theory_of_change", "starts_on", "ends_on")
    list_display = ["name", "coalition", "starts_on", "ends_on", "created_by", "created_at"]
    list_filter = ["coalition"]
    list_select_related = ["coalition", "created_by"]
    search_fields = ["name"]


@admin.register(Phase)
class PhaseAdmin(ServiceWritten):
    correctable = ("name", "position")
    list_display = ["name", "campaign", "position"]
    list_select_related = ["campaign"]


@admin.register(Milestone)
class MilestoneAdmin(ServiceWritten):
    correctable = ("title", "due_on", "done_on")
    list_display = ["title", "phase", "owner", "due_on", "done_on"]
    list_select_related = ["phase", "owner__organization"]
    search_fields = ["title"]


@admin.register(DecisionMaker)
class DecisionMakerAdmin(ServiceWritten):
    correctable = ("title", "body")
    list_display = ["name", "title", "body", "coalition"]
    list_filter = ["coalition"]
    list_select_related = ["coalition"]
    search_fields = ["name"]


@admin.register(DecisionTarget)
class DecisionTargetAdmin(ServiceWritten):
    correctable = ("ask",)
    list_display = ["decision_maker", "campaign", "position", "position_on"]
    list_filter = ["position"]
    list_select_related = ["decision_maker", "campaign"]
    search_fields = ["decision_maker__name"]


@admin.register(PositionChange)
class PositionChangeAdmin(ServiceWritten):
    list_display = ["target", "position", "on", "recorded_by", "recorded_at"]
    list_filter = ["position"]
    list_select_related = ["target__decision_maker", "recorded_by"]


@admin.register(Objective)
class ObjectiveAdmin(ServiceWritten):
    correctable = ("statement", "metric", "unit", "baseline_source")
    list_display = ["statement", "campaign", "metric", "status", "deadline"]
    list_filter = ["status", "direction"]
    list_select_related = ["campaign"]
    search_fields = ["statement", "metric"]


@admin.register(Measurement)
class MeasurementAdmin(ServiceWritten):
    correctable = ("value", "source", "note")
    list_display = ["objective", "on", "value", "origin", "recorded_by", "recorded_at"]
    list_filter = ["origin"]
    list_select_related = ["objective", "recorded_by"]


@admin.register(MeasurementFeed)
class MeasurementFeedAdmin(ServiceWritten):
    # The address is changed with set_measurement_feed (it checks the scheme, resets the outcome).
    correctable = ("enabled", "interval_hours")
    list_display = ["objective", "format", "enabled", "interval_hours", "pulled_at", "outcome"]
    list_filter = ["enabled", "outcome"]
    list_select_related = ["objective"]


@admin.register(EngagementDay)
class EngagementDayAdmin(ServiceWritten):
    list_display = ["coalition", "source", "day", "membership", "count"]
    list_filter = ["coalition"]
    list_select_related = ["coalition", "membership__organization"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(CampaignEngagement)
class CampaignEngagementAdmin(ServiceWritten):
    list_display = ["campaign", "source", "week", "membership", "count"]
    list_select_related = ["campaign", "membership__organization"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(EngagementCount)
class EngagementCountAdmin(ServiceWritten):
    list_display = ["coalition", "counted_at", "fully_counted_at", "requested_at"]
    list_select_related = ["coalition"]
