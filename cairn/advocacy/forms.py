"""Forms of letter and call campaigns: they parse and validate input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from cairn.campaigns.models import Campaign, DecisionMaker, Position
from cairn.coalitions.models import Membership

from .importing import MAX_BYTES
from .models import AdvocacyCampaign, AdvocacyTarget, Delivery, DistrictTable, OfficeReply


class CampaignForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=AdvocacyCampaign.Kind.choices, initial="letter")
    status = forms.ChoiceField(choices=AdvocacyCampaign.Status.choices, initial="draft")
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why supporters should write. Plain text or simple HTML (sanitized).",
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(),
        required=False,
        help_text="Replies that show a position update this campaign's decision-makers.",
    )
    owner = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, label="Member organization"
    )
    district_table = forms.ModelChoiceField(
        queryset=DistrictTable.objects.none(),
        required=False,
        help_text="Finds a supporter's district from their postal code or location.",
    )
    letter_subject = forms.CharField(max_length=200, required=False)
    letter_body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Leave empty to draft it from the adopted narrative. {target}, {title} and "
        "{name} are filled in for each office and supporter.",
    )
    call_script = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))
    hourly_limit_per_ip = forms.IntegerField(
        min_value=0,
        initial=30,
        label="Outreaches per network and hour",
        help_text="Counted from our own rows; 0 means no limit.",
    )

    def __init__(
        self,
        *args: Any,
        campaigns: QuerySet[Campaign],
        owners: QuerySet[Membership],
        tables: QuerySet[DistrictTable],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        self.fields["district_table"].queryset = tables  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, row: AdvocacyCampaign) -> dict[str, Any]:
        return {
            "title": row.title,
            "kind": row.kind,
            "status": row.status,
            "description": row.description,
            "campaign": row.campaign_id,
            "owner": row.owner_id,
            "district_table": row.district_table_id,
            "letter_subject": row.letter_subject,
            "letter_body": row.letter_body,
            "call_script": row.call_script,
            "hourly_limit_per_ip": row.hourly_limit_per_ip,
        }


class TargetForm(forms.Form):
    decision_maker = forms.ModelChoiceField(
        queryset=DecisionMaker.objects.none(),
        required=False,
        help_text="One of the coalition's decision-makers…",
    )
    new_name = forms.CharField(
        max_length=200, required=False, label="…or a new decision-maker's name"
    )
    new_title = forms.CharField(max_length=200, required=False, label="Their title")
    new_body = forms.CharField(
        max_length=200, required=False, label="Their body", help_text='e.g. "State Senate".'
    )
    district = forms.CharField(
        max_length=64,
        required=False,
        help_text="The district key they represent; empty: every supporter writes to them.",
    )
    office_email = forms.EmailField(required=False, help_text="Empty: letters are printed.")
    office_phone = forms.CharField(max_length=32, required=False)
    office_address = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="For printed letters."
    )

    def __init__(self, *args: Any, decision_makers: QuerySet[DecisionMaker], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision_maker"].queryset = decision_makers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("decision_maker") and not (data.get("new_name") or "").strip():
            raise forms.ValidationError("Choose a decision-maker or name a new one.")
        return data


class ReplyForm(forms.Form):
    target = forms.ModelChoiceField(queryset=AdvocacyTarget.objects.none())
    received_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    medium = forms.ChoiceField(choices=OfficeReply.Medium.choices)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    position = forms.ChoiceField(
        choices=[("", "— no position stated —"), *Position.choices],
        required=False,
        help_text="A position stated in the reply is recorded on the campaign's dashboard.",
    )

    def __init__(self, *args: Any, targets: QuerySet[AdvocacyTarget], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets  # type: ignore[attr-defined]
        self.fields["target"].label_from_instance = lambda t: (  # type: ignore[attr-defined]
            f"{t.decision_maker.name}{f' ({t.district})' if t.district else ''}"
        )


class DistrictImportForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, help_text="e.g. “State Senate 2022”.")
    postal_csv = forms.FileField(
        required=False,
        label="Postal codes (CSV)",
        help_text="Columns: postal code (or zip), district, and optionally district_name.",
    )
    geojson = forms.FileField(
        required=False,
        label="District shapes (GeoJSON)",
        help_text="A FeatureCollection of Polygons or MultiPolygons with a district key.",
    )
    key_property = forms.CharField(
        max_length=64,
        required=False,
        help_text="The GeoJSON property holding the district key (default: district, key, id…).",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("postal_csv", "geojson"):
            upload = data.get(name)
            if upload is not None and upload.size > MAX_BYTES:
                self.add_error(name, f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.")
        if not data.get("postal_csv") and not data.get("geojson"):
            raise forms.ValidationError("Choose a CSV of postal codes or a GeoJSON file.")
        return data


class LookupForm(forms.Form):
    """Step one of the public page: where the supporter lives."""

    postal_code = forms.CharField(max_length=16, required=False, label="Your postal code")
    district = forms.ChoiceField(choices=[], required=False, label="…or pick your district")
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)

    def __init__(self, *args: Any, districts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", "—"), *districts]  # type: ignore[attr-defined]
        if not districts:
            del self.fields["district"]


class LetterForm(forms.Form):
    """Step two: the editable letter and who sends it (a plain POST with CSRF)."""

    given_name = forms.CharField(max_length=200, label="First name")
    family_name = forms.CharField(max_length=200, label="Last name", required=False)
    email = forms.EmailField(max_length=254, label="Email")
    phone = forms.CharField(max_length=32, required=False, label="Phone (optional)")
    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=10_000,
        required=False,
        label="Your letter",
        help_text="Edit it as you like: your own words count most.",
    )
    action = forms.ChoiceField(
        choices=[("letter", "Send the letter"), ("call", "I will call")],
        initial="letter",
        widget=forms.HiddenInput,
    )
    postal_code = forms.CharField(max_length=16, required=False, widget=forms.HiddenInput)
    district = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    ref = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, calls_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if calls_only:  # a call campaign has a script, not a letter to edit
            del self.fields["subject"]
            del self.fields["body"]


class CallReportForm(forms.Form):
    result = forms.ChoiceField(
        choices=Delivery.CallResult.choices, widget=forms.RadioSelect, label="How did it go?"
    )
    position_heard = forms.ChoiceField(
        choices=[("", "— not said —"), *Position.choices],
        required=False,
        label="Position you heard",
    )
    notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class BounceForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)
