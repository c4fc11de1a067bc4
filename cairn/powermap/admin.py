"""The power map in the Django admin, for site operators: to look, and to correct wording.

Rows are written by `cairn.powermap.services` (a position change updates the stakeholder, a
relationship is stored once per kind, a merge moves everything and logs itself), so nothing is
added or deleted here; position history and merge logs are read-only entirely.
"""

from __future__ import annotations

from django.contrib import admin

from cairn.core.admin import ServiceWritten

from .models import (
    FigureRun,
    GraphState,
    PositionChange,
    Relationship,
    Stakeholder,
    StakeholderFigure,
    StakeholderMerge,
    StakeholderTag,
)


@admin.register(Stakeholder)
class StakeholderAdmin(ServiceWritten):
    correctable = ("description", "website")
    list_display = ["name", "kind", "sector", "position", "influence", "coalition"]
    list_filter = ["kind", "sector", "position"]
    list_select_related = ["coalition"]
    search_fields = ["name"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(StakeholderTag)
class StakeholderTagAdmin(ServiceWritten):
    list_display = ["name", "coalition"]
    list_select_related = ["coalition"]
    search_fields = ["name"]


@admin.register(PositionChange)
class PositionChangeAdmin(ServiceWritten):
    list_display = ["stakeholder", "position", "on", "recorded_by", "recorded_at"]
    list_filter = ["position"]
    list_select_related = ["stakeholder", "recorded_by"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(Relationship)
class RelationshipAdmin(ServiceWritten):
    correctable = ("evidence", "source_url")
    list_display = ["source", "kind", "target", "weight", "observed_on", "recorded_by"]
    list_filter = ["kind"]
    list_select_related = ["source", "target", "recorded_by"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(StakeholderMerge)
class StakeholderMergeAdmin(ServiceWritten):
    list_display = ["merged_name", "kept_name", "relationships_moved", "merged_by", "merged_at"]
    list_select_related = ["merged_by"]
    search_fields = ["merged_name", "kept_name"]


# Graph figures: written by cairn.powermap.analysis (recompute), read-only here.


@admin.register(GraphState)
class GraphStateAdmin(ServiceWritten):
    list_display = ["coalition", "changed_at", "queued_at"]
    list_select_related = ["coalition"]


@admin.register(FigureRun)
class FigureRunAdmin(ServiceWritten):
    list_display = [
        "coalition",
        "status",
        "computed_at",
        "duration_ms",
        "node_count",
        "edge_count",
        "betweenness_method",
        "betweenness_error",
    ]
    list_filter = ["status", "betweenness_method"]
    list_select_related = ["coalition"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(StakeholderFigure)
class StakeholderFigureAdmin(ServiceWritten):
    list_display = ["stakeholder", "run", "pagerank", "betweenness", "constraint", "community"]
    list_select_related = ["stakeholder", "run"]
    ordering = ["-pk"]
    show_full_result_count = False
