"""The Django admin, for site operators (is_staff). Coalition staff use the app's own pages."""

from django.contrib import admin
from django.db import models

from .models import (
    Coalition,
    Commitment,
    Delivery,
    Invitation,
    Membership,
    MembershipStatusChange,
    Organization,
    StaffMember,
)


class MembershipInline(admin.StackedInline):
    model = Membership
    extra = 0
    raw_id_fields = ["coalition"]


@admin.register(Coalition)
class CoalitionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "horizon_title", "horizon_end", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "coalition", "sector", "size"]
    list_filter = ["sector", "coalition"]
    search_fields = ["name"]
    list_select_related = ["coalition"]
    raw_id_fields = ["coalition"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organization", "coalition", "status", "joined_on", "left_on", "vote_weight"]
    list_filter = ["status", "coalition"]
    search_fields = ["organization__name"]
    list_select_related = ["organization", "coalition"]
    raw_id_fields = ["coalition", "organization"]


@admin.register(MembershipStatusChange)
class MembershipStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["membership", "from_status", "to_status", "changed_at", "changed_by"]
    list_filter = ["to_status", "coalition"]
    list_select_related = ["membership__organization", "changed_by"]
    raw_id_fields = ["coalition", "membership", "changed_by"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "coalition", "role", "membership"]
    list_filter = ["role", "coalition"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user", "coalition", "membership__organization"]
    raw_id_fields = ["user", "coalition", "membership"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "coalition", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "coalition"]
    search_fields = ["email"]
    readonly_fields = ["nonce", "accepted_at", "accepted_by"]
    list_select_related = ["coalition"]
    raw_id_fields = ["coalition", "membership", "invited_by"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ["quantity", "delivered_on", "note", "recorded_by"]
    raw_id_fields = ["recorded_by"]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["description", "membership", "kind", "quantity", "unit", "due_date"]
    list_filter = ["kind", "coalition"]
    search_fields = ["description", "membership__organization__name"]
    list_select_related = ["membership__organization"]
    raw_id_fields = ["coalition", "membership", "pledged_by"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["commitment", "quantity", "delivered_on", "recorded_by"]
    list_filter = ["coalition"]
    list_select_related = ["commitment__membership__organization", "recorded_by"]
    raw_id_fields = ["coalition", "commitment", "recorded_by"]
