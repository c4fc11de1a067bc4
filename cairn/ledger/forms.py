from __future__ import annotations

from django import forms

from cairn.engines.ledger import ISO_4217


class FundForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="E.g. “Pooled fund” or “Legal defense fund”.")
    currency = forms.ChoiceField(
        choices=[(code, code) for code in sorted(ISO_4217)],
        initial="USD",
        help_text="ISO 4217. A fund keeps its currency for good.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    public = forms.BooleanField(required=False, label="Show this fund's ledger on a public page")
