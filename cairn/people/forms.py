from __future__ import annotations

from typing import Any

from django import forms

from .models import EmailAddress
from .selectors import PeopleFilter, sort_key


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


class PeopleFilterForm(forms.Form):
    """The people list's search, filters and order (GET), shared by its page, export and
    segments, so that each reads the same query the same way."""

    q = forms.CharField(required=False, max_length=200, label="Name, email or phone")
    tag = forms.CharField(required=False, max_length=200)
    postal_code = forms.CharField(required=False, max_length=32, label="Postal code starts with")
    city = forms.CharField(required=False, max_length=200, label="City starts with")
    sort = forms.CharField(required=False, max_length=20)

    def people_filter(self) -> PeopleFilter:
        """The filter; call only on a valid form (an invalid one must not widen an export)."""
        data = self.cleaned_data
        return PeopleFilter(
            search=data["q"].strip(),
            tag=data["tag"].strip(),
            postal_code=data["postal_code"].strip(),
            city=data["city"].strip(),
        )

    def sort_key(self) -> str:
        return sort_key(self.cleaned_data.get("sort"))

    @staticmethod
    def params_for(criteria: dict[str, Any]) -> dict[str, str] | None:
        """The list page's GET parameters for a saved filter's criteria; None when the criteria
        use more than the page's filters (several tags, a country...)."""
        known = {"search", "tags", "postal_code_prefix", "city_prefix", "sort"}
        tags = criteria.get("tags", [])
        if set(criteria) - known or len(tags) > 1:
            return None
        params = {
            "q": criteria.get("search", ""),
            "tag": tags[0] if tags else "",
            "postal_code": criteria.get("postal_code_prefix", ""),
            "city": criteria.get("city_prefix", ""),
            "sort": criteria.get("sort", ""),
        }
        return {key: str(value) for key, value in params.items() if value}


class BulkTagForm(forms.Form):
    tag_name = forms.CharField(max_length=200, label="Tag")


class BulkListForm(forms.Form):
    people_list = forms.UUIDField(label="List")


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=200, label="Segment name")
