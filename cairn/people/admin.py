"""The supporter base in the Django admin, for site operators: to look, hardly ever to change.

Supporters' data changes through the services, which keep canonical emails unique, log every
change of consent and move `modified_at` for the API's sync clients; people are erased with
`erase_person`, which logs the erasure. So rows are not added or deleted here, and only a person's
own details may be corrected. The tables are large (hundreds of thousands of people): lists are
ordered by primary key, do not count the whole table, and follow foreign keys in one query.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from cairn.core.admin import ServiceWritten

from .models import (
    Activity,
    EmailAddress,
    ErasureRecord,
    ImportJob,
    ListItem,
    NameReview,
    PeopleList,
    Person,
    PhoneNumber,
    PostalAddress,
    SharingConsent,
    SubscriptionChange,
    Tag,
    Tagging,
)


class PersonDetailInline(admin.TabularInline):
    """A person's emails, phones or addresses, read-only on the person's page."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EmailInline(PersonDetailInline):
    model = EmailAddress
    fields = readonly_fields = ("address", "status", "primary")


class PhoneInline(PersonDetailInline):
    model = PhoneNumber
    fields = readonly_fields = ("number", "number_type", "primary")


class AddressInline(PersonDetailInline):
    model = PostalAddress
    fields = readonly_fields = ("address_lines", "locality", "region", "postal_code", "country")


@admin.register(Person)
class PersonAdmin(ServiceWritten):
    correctable = (
        "given_name",
        "family_name",
        "languages",
        "custom_fields",
        "source_membership",
        "source_action",
        "source_referral",
    )
    list_display = ["__str__", "coalition", "uuid", "created_at", "modified_at"]
    list_filter = ["coalition"]
    list_select_related = ["coalition"]
    search_fields = ["=uuid", "=emails__address", "given_name", "family_name"]
    search_help_text = "A UUID, a whole email address or part of a name."
    raw_id_fields = ["source_membership"]
    ordering = ["-pk"]
    show_full_result_count = False
    inlines = [EmailInline, PhoneInline, AddressInline]

    def save_model(self, request: HttpRequest, obj: Person, form: ModelForm, change: bool) -> None:
        obj.modified_at = timezone.now()  # sync clients fetch what changed since their last pull
        super().save_model(request, obj, form, change)


@admin.register(EmailAddress)
class EmailAddressAdmin(ServiceWritten):
    list_display = ["address", "person", "status", "primary", "coalition"]
    list_filter = ["status", "primary"]
    list_select_related = ["person", "coalition"]
    search_fields = ["=address", "=canonical"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(SubscriptionChange)
class SubscriptionChangeAdmin(ServiceWritten):
    list_display = ["email", "from_status", "to_status", "source", "changed_at"]
    list_filter = ["to_status"]
    list_select_related = ["email"]
    search_fields = ["=email__address"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(PhoneNumber)
class PhoneNumberAdmin(ServiceWritten):
    list_display = ["number", "person", "number_type", "primary", "coalition"]
    list_select_related = ["person", "coalition"]
    search_fields = ["=number"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(NameReview)
class NameReviewAdmin(ServiceWritten):
    """Other names given for a known email; a steward resolves them on the duplicates page."""

    list_display = ["person", "given_name", "family_name", "source", "created_at", "coalition"]
    list_select_related = ["person", "coalition"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(PostalAddress)
class PostalAddressAdmin(ServiceWritten):
    list_display = ["person", "locality", "region", "postal_code", "country", "coalition"]
    list_select_related = ["person", "coalition"]
    search_fields = ["=postal_code"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(Tag)
class TagAdmin(ServiceWritten):
    list_display = ["name", "coalition", "created_at", "modified_at"]
    list_filter = ["coalition"]
    list_select_related = ["coalition"]
    search_fields = ["name"]


@admin.register(Tagging)
class TaggingAdmin(ServiceWritten):
    list_display = ["tag", "person", "created_at"]
    list_select_related = ["tag", "person"]
    search_fields = ["=tag__name"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(PeopleList)
class PeopleListAdmin(ServiceWritten):
    list_display = ["name", "coalition", "kind", "created_at", "modified_at"]
    list_filter = ["kind", "coalition"]
    list_select_related = ["coalition"]
    search_fields = ["name"]


@admin.register(ListItem)
class ListItemAdmin(ServiceWritten):
    list_display = ["people_list", "person", "created_at"]
    list_select_related = ["people_list", "person"]
    search_fields = ["=people_list__name"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(SharingConsent)
class SharingConsentAdmin(ServiceWritten):
    list_display = ["person", "membership", "granted_at", "source"]
    list_select_related = ["person", "membership__organization"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(Activity)
class ActivityAdmin(ServiceWritten):
    # No filter on `kind`: its choices would be read from the whole table on every page.
    list_display = ["kind", "summary", "person", "occurred_at"]
    list_select_related = ["person"]
    search_fields = ["=ref"]
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(ErasureRecord)
class ErasureRecordAdmin(ServiceWritten):
    list_display = ["person_uuid", "coalition", "erased_at", "erased_by"]
    list_filter = ["coalition"]
    list_select_related = ["coalition", "erased_by"]
    search_fields = ["=person_uuid"]
    date_hierarchy = "erased_at"


@admin.register(ImportJob)
class ImportJobAdmin(ServiceWritten):
    list_display = [
        "original_filename",
        "coalition",
        "status",
        "rows_total",
        "rows_created",
        "rows_updated",
        "error_count",
        "created_at",
    ]
    list_filter = ["status", "coalition"]
    list_select_related = ["coalition"]
    search_fields = ["original_filename"]
    date_hierarchy = "created_at"
