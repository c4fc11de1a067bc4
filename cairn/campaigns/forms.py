"""Forms of the campaign pages: they validate input; services do the writing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from cairn.coalitions.forms import DateInput
from cairn.coalitions.models import Membership

from .models import DEFAULT_PHASES, Direction, MeasurementFeed, Objective, Position


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200)
    theory_of_change = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="If we do this, then that changes, because … — in a few sentences.",
    )
    starts_on = forms.DateField(widget=DateInput(), label="Starts")
    ends_on = forms.DateField(widget=DateInput(), label="Ends")
    phases = forms.CharField(
        required=False,
        initial=", ".join(DEFAULT_PHASES),
        help_text="In order, separated by commas. You can change them later.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "The campaign must end after it starts.")
        return cleaned

    def phase_names(self) -> list[str]:
        raw = str(self.cleaned_data.get("phases") or "")
        return [p.strip() for p in raw.split(",") if p.strip()] or list(DEFAULT_PHASES)


class PhaseForm(forms.Form):
    name = forms.CharField(max_length=80, label="Phase")


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=200, label="Milestone")
    due_on = forms.DateField(widget=DateInput(), label="Due")
    owner = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False)

    def __init__(self, *args: Any, owners: QuerySet[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = owners.order_by("organization__name")


class TargetForm(forms.Form):
    name = forms.CharField(max_length=200, label="Decision-maker")
    title = forms.CharField(max_length=200, required=False)
    body = forms.CharField(max_length=200, required=False, help_text='e.g. "State Senate".')
    ask = forms.CharField(max_length=300, required=False, help_text="What we need them to do.")
    position = forms.ChoiceField(choices=Position.choices, initial=Position.UNDECIDED)
    on = forms.DateField(widget=DateInput(), label="Known since", initial=timezone.localdate)
    evidence = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class PositionForm(forms.Form):
    position = forms.ChoiceField(choices=Position.choices)
    on = forms.DateField(widget=DateInput(), label="On", initial=timezone.localdate)
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A vote, a statement, a meeting: what the position rests on.",
    )

    def clean_on(self) -> dt.date:
        on: dt.date = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError("A position is recorded once it is known.")
        return on


class ObjectiveForm(forms.Form):
    statement = forms.CharField(max_length=300, help_text="What changes in the world.")
    metric = forms.CharField(max_length=200)
    unit = forms.CharField(max_length=80)
    direction = forms.ChoiceField(choices=Direction.choices)
    baseline_value = forms.DecimalField(max_digits=14, decimal_places=4, label="Baseline")
    baseline_on = forms.DateField(widget=DateInput(), label="Baseline measured on")
    baseline_source = forms.CharField(max_length=500, label="Baseline source")
    target_value = forms.DecimalField(max_digits=14, decimal_places=4, label="Target")
    deadline = forms.DateField(widget=DateInput())
    renewal_requires_decision = forms.BooleanField(
        required=False, label="Renewing it needs a recorded decision"
    )
    reported_by = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        label="Reported by",
        help_text="The member organization whose organizers record its measurements.",
    )

    def __init__(self, *args: Any, reporters: QuerySet[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reported_by"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = reporters.order_by("organization__name")


class ReporterForm(forms.Form):
    reported_by = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        label="Reported by",
        empty_label="Nobody (stewards only)",
    )

    def __init__(self, *args: Any, reporters: QuerySet[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reported_by"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = reporters.order_by("organization__name")


class MeasurementForm(forms.Form):
    on = forms.DateField(widget=DateInput(), label="Date", initial=timezone.localdate)
    value = forms.DecimalField(max_digits=14, decimal_places=4)
    source = forms.CharField(max_length=500, help_text="Where the figure comes from.")
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args: Any, objective: Objective, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].label = f"Value ({objective.unit})"
        self.fields["source"].initial = objective.baseline_source[:500]


class CloseObjectiveForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(Objective.Status.MET, "Met"), (Objective.Status.MISSED, "Missed")]
    )


class RenewObjectiveForm(forms.Form):
    target_value = forms.DecimalField(max_digits=14, decimal_places=4, label="New target")
    deadline = forms.DateField(widget=DateInput(), label="New deadline")
    decision = forms.IntegerField(
        required=False, widget=forms.Select, label="Decision that authorizes the renewal"
    )

    def __init__(self, *args: Any, decisions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.choices = [("", "—"), *decisions]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: date (YYYY-MM-DD), value, and optionally source and note, under a "
        "header line. Nothing is imported unless every line is valid.",
    )
    source = forms.CharField(
        max_length=500,
        required=False,
        label="Default source",
        help_text="For lines whose source cell is empty.",
    )


class FeedForm(forms.Form):
    """Where an objective's measurements are pulled from (see cairn.campaigns.feeds)."""

    url = forms.URLField(
        max_length=1000,
        label="Address",
        assume_scheme="https",
        help_text="An http:// or https:// address of a CSV or JSON document.",
    )
    format = forms.ChoiceField(choices=MeasurementFeed.Format.choices)
    date_field = forms.CharField(max_length=100, initial="date", label="Date field")
    value_field = forms.CharField(max_length=100, initial="value", label="Value field")
    source_field = forms.CharField(max_length=100, required=False, label="Source field")
    note_field = forms.CharField(max_length=100, required=False, label="Note field")
    records_path = forms.CharField(
        max_length=200,
        required=False,
        label="Records (JSON)",
        help_text='Where the list of records is, as dotted keys ("data.items"); empty when the '
        "document is the list.",
    )
    default_source = forms.CharField(
        max_length=500, required=False, help_text="For rows without a source."
    )
    interval_hours = forms.IntegerField(
        min_value=1, max_value=24 * 31, initial=24, label="Pull every (hours)"
    )
    enabled = forms.BooleanField(required=False, initial=True, label="Pull on schedule")

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"])
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Only http:// and https:// addresses.")
        return url
