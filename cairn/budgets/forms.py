"""Forms of the budgets pages: they validate input; services write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from .models import RECEIPT_MAX_BYTES, Electorate, Round

MONEY = {"max_digits": 14, "decimal_places": 4, "min_value": Decimal("0.0001")}


class RoundForm(forms.Form):
    fund = forms.TypedChoiceField(coerce=int, label="Fund")
    title = forms.CharField(max_length=200, label="Title")
    budget = forms.DecimalField(label="Budget", **MONEY)  # type: ignore[arg-type]
    electorate = forms.ChoiceField(choices=Electorate.choices, label="Who votes")
    max_approvals = forms.IntegerField(
        min_value=1,
        max_value=1000,
        required=False,
        label="Most lines a ballot may approve",
        help_text="Leave empty for no limit.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Description"
    )

    def __init__(self, *args: Any, funds: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = funds  # type: ignore[attr-defined]


class LineForm(forms.Form):
    title = forms.CharField(max_length=200, label="Title")
    cost = forms.DecimalField(label="Cost", **MONEY)  # type: ignore[arg-type]
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Description"
    )


class StandaloneLineForm(LineForm):
    fund = forms.TypedChoiceField(coerce=int, label="Fund")

    def __init__(self, *args: Any, funds: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = funds  # type: ignore[attr-defined]


class BallotForm(forms.Form):
    lines = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="The lines you approve",
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = choices  # type: ignore[attr-defined]


class SupporterBallotForm(BallotForm):
    given_name = forms.CharField(max_length=100, label="First name")
    family_name = forms.CharField(max_length=100, required=False, label="Last name")
    email = forms.EmailField(label="Email", help_text="One ballot per email address.")


class ProposeForm(forms.Form):
    rule = forms.ChoiceField(choices=Round.Rule.choices, label="Result to adopt")
    days = forms.IntegerField(min_value=1, max_value=60, initial=7, label="Days for the decision")


class OutcomeForm(forms.Form):
    outcome = forms.TypedChoiceField(coerce=int, label="The decision that adopts it")
    rule = forms.ChoiceField(choices=Round.Rule.choices, label="Result", required=False)

    def __init__(self, *args: Any, outcomes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = outcomes  # type: ignore[attr-defined]


class ExpenseForm(forms.Form):
    amount = forms.DecimalField(label="Amount", **MONEY)  # type: ignore[arg-type]
    description = forms.CharField(max_length=300, label="What it paid for")
    payee = forms.CharField(max_length=200, label="Paid to")
    incurred_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    receipt = forms.FileField(
        label="Receipt",
        help_text=f"PDF, PNG or JPEG, at most {RECEIPT_MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


class ReceiptForm(forms.Form):
    receipt = forms.FileField(
        label="Another receipt",
        help_text=f"PDF, PNG or JPEG, at most {RECEIPT_MAX_BYTES // (1024 * 1024)} MB.",
    )


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why it is rejected")


class SettingsForm(forms.Form):
    expense_approvals = forms.IntegerField(
        min_value=1, max_value=3, label="Stewards' approvals an expense needs"
    )
