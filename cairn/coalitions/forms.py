"""Forms of the coalitions pages: they validate input; services do the writing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from cairn.engines.phones import is_region

from .models import Coalition, Commitment, Membership, Organization, Role


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CoalitionForm(forms.ModelForm):
    class Meta:
        model = Coalition
        fields = [
            "name",
            "mission",
            "horizon_title",
            "horizon_start",
            "horizon_end",
            "charter",
            "default_region",
            "organizer_measurements_need_approval",
        ]
        widgets = {
            "mission": forms.Textarea(attrs={"rows": 4}),
            "charter": forms.Textarea(attrs={"rows": 8}),
            "horizon_start": DateInput(),
            "horizon_end": DateInput(),
        }
        labels = {"horizon_title": "Horizon", "horizon_start": "Starts", "horizon_end": "Ends"}

    def clean_default_region(self) -> str:
        code = str(self.cleaned_data.get("default_region") or "").strip().upper()
        if code and not is_region(code):
            raise forms.ValidationError(f"{code} is not a country code we know (e.g. NO, US, GB).")
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("horizon_start"), cleaned.get("horizon_end")
        if start and end and end < start:
            self.add_error("horizon_end", "The horizon must end after it starts.")
        return cleaned


class OrganizationForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = ["name", "sector", "mission", "website", "size"]
        widgets = {"mission": forms.Textarea(attrs={"rows": 3})}


class NewOrganizationForm(OrganizationForm):
    status = forms.ChoiceField(
        choices=[
            (Membership.Status.PROSPECT, "Prospect — we would like them to join"),
            (Membership.Status.ACTIVE, "Active member"),
        ],
        initial=Membership.Status.PROSPECT,
    )


class MembershipStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Membership.Status.choices)


class VoteWeightForm(forms.Form):
    vote_weight = forms.DecimalField(
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
        help_text="1 is one member, one vote.",
    )


class MembershipChoiceField(forms.ModelChoiceField):
    """Members are chosen by their organization's name."""

    def label_from_instance(self, obj: Membership) -> str:
        return obj.organization.name


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(
        choices=Role.choices,
        initial=Role.ORGANIZER,
        help_text="Stewards run the coalition; organizers act for one member organization; "
        "viewers can read everything.",
    )
    membership = MembershipChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        label="Organization",
        help_text="Required for organizers: the organization this person acts for.",
    )

    def __init__(self, *args: Any, memberships: QuerySet[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows for mypy
        field.queryset = memberships.exclude(status=Membership.Status.LEFT)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("role") == Role.ORGANIZER and not cleaned.get("membership"):
            self.add_error("membership", "Choose the organization this organizer acts for.")
        return cleaned


class PledgeForm(forms.Form):
    membership = MembershipChoiceField(queryset=Membership.objects.none(), label="Organization")
    kind = forms.ChoiceField(choices=Commitment.Kind.choices, label="Resource")
    description = forms.CharField(
        max_length=300, help_text="What exactly, e.g. “Crisis-line call data, monthly”."
    )
    quantity = forms.DecimalField(min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    unit = forms.CharField(
        max_length=40,
        required=False,
        help_text="USD, hours, datasets… Left empty, the usual unit for the resource is used.",
    )
    due_date = forms.DateField(widget=DateInput(), label="Due by")

    def __init__(self, *args: Any, memberships: QuerySet[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows for mypy
        field.queryset = memberships.filter(
            status__in=[
                Membership.Status.ACTIVE,
                Membership.Status.INVITED,
                Membership.Status.PAUSED,
            ]
        )


class DeliveryForm(forms.Form):
    quantity = forms.DecimalField(min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    delivered_on = forms.DateField(widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(max_length=300, required=False)
    # Shown only when a delivery would exceed the pledge (see ask_excess_reason).
    excess_reason = forms.CharField(
        max_length=300,
        required=False,
        label="Why it exceeds the pledge",
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and self.data.get(self.add_prefix("excess_reason"), "").strip():
            self._show_excess_reason()

    def _show_excess_reason(self) -> None:
        self.fields["excess_reason"].widget = forms.TextInput(attrs={"maxlength": 300})

    def ask_excess_reason(self, message: str) -> None:
        """The delivery exceeds the pledge: show the reason field with the warning on it."""
        self._show_excess_reason()
        self.add_error("excess_reason", message)

    def clean_delivered_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["delivered_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("A delivery cannot be dated in the future.")
        return day
