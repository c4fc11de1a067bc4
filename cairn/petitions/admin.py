"""Petitions in the Django admin, for site operators: to look, and to correct a petition's text.

A petition moves through its states, gets co-signed, signed, confirmed, counted and invalidated
only through the services (they keep the counter shards and the thresholds right): those fields
are read-only here, and petitions and signatures are neither added nor deleted (deleting one
would walk its signatures, a million of them, on the confirmation page). Signing limits and allow
or block lists are set through the services too, so their caches are cleared at once.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from cairn.campaigns.models import Campaign
from cairn.core.admin import ServiceWritten

from . import services
from .models import (
    Clearance,
    IntegrityAlert,
    IntegritySettings,
    Invalidation,
    ListEntry,
    Petition,
    PetitionCount,
    PetitionRevision,
    PetitionUpdate,
    Signature,
    Sponsorship,
    ThresholdCrossing,
)


class PetitionAdminForm(forms.ModelForm):
    class Meta:
        model = Petition
        fields = ["campaign"]  # the admin adds the rest it shows

    def clean_campaign(self) -> Campaign | None:
        campaign: Campaign | None = self.cleaned_data.get("campaign")
        if campaign is not None and campaign.coalition_id != self.instance.coalition_id:
            raise forms.ValidationError("The campaign belongs to another coalition.")
        return campaign


@admin.register(Petition)
class PetitionAdmin(ServiceWritten):
    form = PetitionAdminForm
    correctable = (
        "title",
        "background",
        "details",
        "targets",
        "campaign",
        "response_text",
        "victory_statement",
    )
    list_display = ["title", "coalition", "owner", "status", "created_at", "opened_at"]
    list_filter = ["status", "coalition"]
    list_select_related = ["coalition", "owner__organization"]
    search_fields = ["title", "=slug"]
    raw_id_fields = ["campaign"]
    date_hierarchy = "created_at"


@admin.register(Sponsorship)
class SponsorshipAdmin(ServiceWritten):
    list_display = ["petition", "membership", "signed_at", "signed_by"]
    list_select_related = ["petition", "membership__organization", "signed_by"]


@admin.register(PetitionCount)
class PetitionCountAdmin(ServiceWritten):
    list_display = ["petition", "shard", "confirmed"]
    list_select_related = ["petition"]
    ordering = ["-petition_id", "shard"]
    show_full_result_count = False


@admin.register(ThresholdCrossing)
class ThresholdCrossingAdmin(ServiceWritten):
    list_display = ["petition", "count", "reached_at"]
    list_select_related = ["petition"]


@admin.register(Signature)
class SignatureAdmin(ServiceWritten):
    correctable = ("name", "comment")  # shown publicly: an operator may remove abuse from them
    list_display = ["name", "email", "petition", "created_at", "confirmed_at", "invalidated_at"]
    list_filter = [
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("invalidated_at", admin.EmptyFieldListFilter),
        "consent_updates",
    ]
    list_select_related = ["petition"]
    search_fields = ["=email", "=canonical_email", "=ref_code"]
    search_help_text = "A whole email address or a referral code."
    ordering = ["-pk"]  # the model's order (created_at) has no index of its own
    show_full_result_count = False


@admin.register(IntegritySettings)
class IntegritySettingsAdmin(ServiceWritten):
    correctable = ("burst_limit", "sustained_limit", "trending_limit")
    list_display = ["coalition", "burst_limit", "sustained_limit", "trending_limit"]
    list_select_related = ["coalition"]
    formfield_overrides = {models.PositiveIntegerField: {"min_value": 1}}  # as set_limits wants

    def save_model(
        self, request: HttpRequest, obj: IntegritySettings, form: forms.ModelForm, change: bool
    ) -> None:
        services.set_limits(
            coalition=obj.coalition,
            burst=obj.burst_limit,
            sustained=obj.sustained_limit,
            trending=obj.trending_limit,
        )


@admin.register(ListEntry)
class ListEntryAdmin(ServiceWritten):
    correctable = ("verdict", "note")
    list_display = ["value", "kind", "verdict", "coalition", "note", "created_at"]
    list_filter = ["kind", "verdict", "coalition"]
    list_select_related = ["coalition"]
    search_fields = ["value"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def save_model(
        self, request: HttpRequest, obj: ListEntry, form: forms.ModelForm, change: bool
    ) -> None:
        services.set_list_entry(
            coalition=obj.coalition,
            kind=obj.kind,
            value=obj.value,
            verdict=obj.verdict,
            note=obj.note,
        )

    def delete_model(self, request: HttpRequest, obj: ListEntry) -> None:
        services.remove_list_entry(entry=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ListEntry]) -> None:
        for entry in queryset:
            services.remove_list_entry(entry=entry)


@admin.register(IntegrityAlert)
class IntegrityAlertAdmin(ServiceWritten):
    list_display = ["petition", "kind", "value", "hour", "count"]
    list_filter = ["kind"]
    list_select_related = ["petition"]
    search_fields = ["value"]


@admin.register(Invalidation)
class InvalidationAdmin(ServiceWritten):
    list_display = ["petition", "reason", "affected", "created_at", "created_by", "undone_at"]
    list_select_related = ["petition", "created_by"]


@admin.register(Clearance)
class ClearanceAdmin(ServiceWritten):
    list_display = ["petition", "ip", "automatic", "affected", "created_at", "created_by"]
    list_select_related = ["petition", "created_by"]


@admin.register(PetitionUpdate)
class PetitionUpdateAdmin(ServiceWritten):
    list_display = ["subject", "petition", "created_at", "sent_at", "recipients"]
    list_select_related = ["petition"]
    search_fields = ["subject"]


@admin.register(PetitionRevision)
class PetitionRevisionAdmin(ServiceWritten):
    list_display = ["petition", "changed_at", "changed_by", "via", "status"]
    list_select_related = ["petition", "changed_by"]
