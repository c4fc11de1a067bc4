from __future__ import annotations

from django import forms


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
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ApplyTagForm(forms.Form):
    tag = forms.CharField(max_length=200, label="Tag")
