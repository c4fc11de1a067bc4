"""Forms of the stakeholder and relationship pages: they validate input; services write.

A stakeholder is chosen by name (typed, with suggestions), never from a drop-down of the whole
map: a coalition's map may hold tens of thousands of stakeholders.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from cairn.coalitions.forms import DateInput
from cairn.coalitions.models import Coalition, Membership, Sector

from .models import (
    WEIGHT_MAX,
    WEIGHT_MIN,
    RelationshipKind,
    Stakeholder,
    StakeholderKind,
    StakeholderPosition,
)


def _any(choices: list[tuple[str, str]], label: str) -> list[tuple[str, str]]:
    return [("", label), *choices]


class FilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    sector = forms.ChoiceField(required=False, choices=_any(Sector.choices, "Any sector"))
    position = forms.ChoiceField(
        required=False, choices=_any(StakeholderPosition.choices, "Any position")
    )
    kind = forms.ChoiceField(required=False, choices=_any(StakeholderKind.choices, "Any kind"))
    tag = forms.CharField(required=False, max_length=80)

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q") or "",
            "sector": data.get("sector") or "",
            "position": data.get("position") or "",
            "kind": data.get("kind") or "",
            "tag": data.get("tag") or "",
        }


class StakeholderForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=StakeholderKind.choices)
    sector = forms.ChoiceField(choices=Sector.choices)
    influence = forms.IntegerField(
        min_value=0,
        max_value=100,
        initial=50,
        help_text="An estimate from 0 (none) to 100 (decisive) of their sway over the decision.",
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Mission or biography",
        help_text="Their stated mission, or who they are. Used to compare missions.",
    )
    website = forms.URLField(required=False, max_length=500, assume_scheme="https")
    held_by = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        label="Relationship held by",
        help_text="The member organization that knows them best.",
    )
    tags = forms.CharField(
        required=False, max_length=1000, help_text="Separated by commas.", label="Tags"
    )

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["held_by"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        # the coalition's members: tens, not thousands
        field.queryset = (
            Membership.objects.for_coalition(coalition)
            .select_related("organization")
            .order_by("organization__name")
        )

    def tag_names(self) -> list[str]:
        raw = str(self.cleaned_data.get("tags") or "")
        return [t.strip() for t in raw.split(",") if t.strip()]


class PositionForm(forms.Form):
    position = forms.ChoiceField(choices=StakeholderPosition.choices)
    on = forms.DateField(widget=DateInput(), label="Since", initial=timezone.localdate)
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What they said or did, and where it is recorded.",
    )
    source_url = forms.URLField(
        required=False, max_length=500, label="Source address", assume_scheme="https"
    )


class RelationshipFieldsForm(forms.Form):
    kind = forms.ChoiceField(choices=RelationshipKind.choices, label="Relationship")
    weight = forms.DecimalField(
        min_value=WEIGHT_MIN,
        max_value=WEIGHT_MAX,
        decimal_places=2,
        initial=Decimal(1),
        help_text=f"How strong, from {WEIGHT_MIN} to {WEIGHT_MAX:g} (1 is ordinary).",
    )
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How you know: a note, a filing, an article.",
    )
    source_url = forms.URLField(
        required=False, max_length=500, label="Source address", assume_scheme="https"
    )
    observed_on = forms.DateField(widget=DateInput(), required=False, label="Observed on")


class RelationshipForm(RelationshipFieldsForm):
    """A new tie from the page of one stakeholder to another chosen by name."""

    DIRECTIONS = [("out", "From this stakeholder to the other"), ("in", "From the other to this")]

    other = forms.CharField(
        max_length=200,
        label="Other stakeholder",
        help_text="Their name as on the map.",
        widget=forms.TextInput(attrs={"list": "stakeholder-names", "autocomplete": "off"}),
    )
    direction = forms.ChoiceField(
        choices=DIRECTIONS,
        initial="out",
        widget=forms.RadioSelect,
        help_text="Alliances and personal ties have no direction.",
    )
    field_order = ["other", "kind", "direction", "weight", "evidence", "source_url", "observed_on"]

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.coalition = coalition

    def clean_other(self) -> Stakeholder:
        name = " ".join(str(self.cleaned_data["other"]).split())
        found = Stakeholder.objects.for_coalition(self.coalition).filter(name__iexact=name).first()
        if found is None:
            similar = list(
                Stakeholder.objects.for_coalition(self.coalition)
                .filter(name__icontains=name[:40])
                .order_by("name")
                .values_list("name", flat=True)[:5]
            )
            hint = f" Did you mean: {', '.join(similar)}?" if similar else ""
            raise forms.ValidationError(f"No stakeholder is named “{name}”.{hint}")
        return found


class MergeForm(forms.Form):
    """Choose the duplicate to fold into this stakeholder (by name), then confirm."""

    duplicate = forms.CharField(
        max_length=200,
        label="Duplicate",
        help_text="The name of the copy to fold into this one. It disappears; its relationships, "
        "tags and position history move here.",
        widget=forms.TextInput(attrs={"list": "stakeholder-names", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, coalition: Coalition, kept: Stakeholder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.coalition, self.kept = coalition, kept

    def clean_duplicate(self) -> Stakeholder:
        value = " ".join(str(self.cleaned_data["duplicate"]).split())
        rows = Stakeholder.objects.for_coalition(self.coalition)
        found = rows.filter(pk=int(value)).first() if value.isdigit() else None
        found = found or rows.filter(name__iexact=value).first()
        if found is None:
            raise forms.ValidationError(f"No stakeholder is named “{value}”.")
        if found.pk == self.kept.pk:
            raise forms.ValidationError("Choose another stakeholder than this one.")
        return found
