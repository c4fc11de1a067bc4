from __future__ import annotations

from django import forms

from .models import EmailAddress


class PersonForm(forms.Form):
    given_name = forms.CharField(max_length=200, required=False, label="First name")
    family_name = forms.CharField(max_length=200, required=False, label="Last name")
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=32, required=False)
    postal_code = forms.CharField(max_length=32, required=False)
    country = forms.CharField(max_length=2, required=False, help_text="Two letters, e.g. US.")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not cleaned.get("email") and not cleaned.get("phone"):
            raise forms.ValidationError("Give an email address or a phone number.")
        return cleaned


class TagForm(forms.Form):
    name = forms.CharField(max_length=200, label="New tag")


class ListForm(forms.Form):
    """A static list, or a saved filter when any criterion is given."""

    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    tags = forms.CharField(
        required=False,
        help_text="Saved filter: people with all these tags (comma-separated).",
    )
    postal_code_prefix = forms.CharField(
        required=False, max_length=16, help_text="Saved filter: postal codes starting with this."
    )
    country = forms.CharField(required=False, max_length=2, help_text="Saved filter: country.")
    subscribed = forms.BooleanField(
        required=False, help_text="Saved filter: only people subscribed to email."
    )

    def criteria(self) -> dict[str, object]:
        data = self.cleaned_data
        criteria: dict[str, object] = {}
        tags = [t.strip() for t in data.get("tags", "").split(",") if t.strip()]
        if tags:
            criteria["tags"] = tags
        if data.get("postal_code_prefix"):
            criteria["postal_code_prefix"] = data["postal_code_prefix"].strip()
        if data.get("country"):
            criteria["country"] = data["country"].strip().upper()
        if data.get("subscribed"):
            criteria["subscribed"] = True
        return criteria


class EmailStatusForm(forms.Form):
    status = forms.ChoiceField(choices=EmailAddress.Status.choices)


class ApplyTagForm(forms.Form):
    tag = forms.CharField(max_length=200, label="Tag")
