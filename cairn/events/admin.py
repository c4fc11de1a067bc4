"""Events in the Django admin, for site operators: to look, and to correct wording.

Rows are written by `cairn.events.services` (capacity and the waiting list under the event's lock,
one attendance per person, check-ins once), so nothing is added or deleted here and statuses,
times and counts are read-only; titles and descriptions may be corrected.
"""

from __future__ import annotations

from django.contrib import admin

from cairn.core.admin import ServiceWritten

from .models import Attendance, Event, EventCampaign, RsvpQuestion, Shift


@admin.register(EventCampaign)
class EventCampaignAdmin(ServiceWritten):
    correctable = ("title",)
    list_display = ["title", "status", "visibility", "coalition", "created_at"]
    list_filter = ["status"]
    list_select_related = ["coalition"]
    search_fields = ["title", "slug"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(Event)
class EventAdmin(ServiceWritten):
    correctable = ("title",)
    list_display = ["title", "starts_at", "time_zone", "status", "capacity", "host", "coalition"]
    list_filter = ["status", "visibility"]
    list_select_related = ["coalition", "host__organization"]
    search_fields = ["title", "slug", "locality"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(Shift)
class ShiftAdmin(ServiceWritten):
    correctable = ("title",)
    list_display = ["title", "event", "starts_at", "capacity"]
    list_select_related = ["event"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(RsvpQuestion)
class RsvpQuestionAdmin(ServiceWritten):
    correctable = ("label",)
    list_display = ["label", "kind", "required", "event"]
    list_select_related = ["event"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(Attendance)
class AttendanceAdmin(ServiceWritten):
    hidden = ("answers",)
    list_display = ["name", "event", "status", "created_at", "checked_in_at"]
    list_filter = ["status"]
    list_select_related = ["event"]
    search_fields = ["name", "email"]
    ordering = ["-pk"]
    show_full_result_count = False
