"""Forms of fundraising: they parse and validate input; the services decide."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from cairn.campaigns.models import Campaign
from cairn.coalitions.models import Coalition, Membership

from .models import Donation, FundraisingPage, Recurrence


def _decimal(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() and amount > 0 else None


def new_key() -> str:
    """The idempotency key a form carries from the moment it is rendered."""
    return uuid.uuid4().hex


class DonateForm(forms.Form):
    amount = forms.DecimalField(
        label="Other amount",
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    monthly = forms.BooleanField(label="Make it monthly", required=False)
    cover_fee = forms.BooleanField(
        label="Add the card fee so that all of my gift arrives", required=False
    )
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100, required=False)
    email = forms.EmailField(label="Email (for your receipt)", max_length=254)
    show_on_wall = forms.BooleanField(label="Show my name on the donor wall", required=False)
    wall_name = forms.CharField(
        label="Name to show", max_length=100, required=False, help_text="Leave empty for initials."
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    ref = forms.CharField(widget=forms.HiddenInput, max_length=32, required=False)

    def __init__(self, *args: Any, page: FundraisingPage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page = page
        other = "Other amount" if page.suggested_amounts else "Amount"
        self.fields["amount"].label = f"{other} ({page.currency})"
        if not page.monthly_allowed:
            del self.fields["monthly"]
        if page.fee_cover_rate <= 0 and page.fee_cover_fixed <= 0:
            del self.fields["cover_fee"]
        if not page.donor_wall:
            del self.fields["show_on_wall"]
            del self.fields["wall_name"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The suggested amounts' radio buttons (`amount_choice`, drawn by the page) unless an
        # "other amount" is typed.
        amount = data.get("amount") or _decimal(self.data.get("amount_choice", ""))
        if not amount:
            self.add_error("amount", "Choose or type an amount.")
        else:
            data["amount"] = amount
        return data

    @property
    def recurrence(self) -> str:
        return Recurrence.MONTHLY if self.cleaned_data.get("monthly") else Recurrence.ONE_OFF

    def wall_name_or_initials(self) -> str:
        data = self.cleaned_data
        if data.get("wall_name"):
            return str(data["wall_name"])
        given, family = str(data.get("given_name", "")), str(data.get("family_name", ""))
        return f"{given} {family[:1] + '.' if family else ''}".strip()


class PageForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="Why give. Basic HTML (paragraphs, emphasis, links) is kept; the rest removed.",
    )
    goal = forms.DecimalField(
        min_value=Decimal("0.01"), max_digits=14, decimal_places=2, required=False
    )
    currency = forms.CharField(
        max_length=3, initial="USD", help_text="ISO 4217 code; fixed once the page has gifts."
    )
    suggested_amounts = forms.CharField(
        max_length=200,
        required=False,
        initial="10, 25, 50, 100",
        help_text="Amounts offered as buttons, separated by commas.",
    )
    minimum_amount = forms.DecimalField(
        min_value=Decimal("0.01"), max_digits=10, decimal_places=2, initial=Decimal(1)
    )
    monthly_allowed = forms.BooleanField(label="Offer monthly gifts", required=False, initial=True)
    fee_cover_rate = forms.DecimalField(
        label="Fee cover: percent",
        min_value=Decimal(0),
        max_value=Decimal("49.99"),
        max_digits=5,
        decimal_places=2,
        initial=Decimal("2.90"),
    )
    fee_cover_fixed = forms.DecimalField(
        label="Fee cover: fixed part",
        min_value=Decimal(0),
        max_digits=8,
        decimal_places=2,
        initial=Decimal("0.30"),
    )
    donor_wall = forms.BooleanField(label="Show a donor wall", required=False, initial=True)
    status = forms.ChoiceField(choices=FundraisingPage.Status.choices)
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False)

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.for_coalition(coalition)  # type: ignore[attr-defined]

    def clean_suggested_amounts(self) -> list[str]:
        raw = str(self.cleaned_data.get("suggested_amounts") or "")
        return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).strip().upper()


class HostForm(forms.Form):
    membership = forms.ModelChoiceField(
        queryset=Membership.objects.none(), label="Member organization"
    )
    share = forms.DecimalField(
        label="Share (%)", min_value=Decimal(0), max_value=Decimal(100), decimal_places=2
    )

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = (  # type: ignore[attr-defined]
            Membership.objects.for_coalition(coalition)
            .filter(status=Membership.Status.ACTIVE)
            .select_related("organization")
        )
        self.fields["membership"].label_from_instance = lambda m: m.organization.name  # type: ignore[attr-defined]


class OfflineForm(forms.Form):
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100, required=False)
    email = forms.EmailField(
        label="Email", max_length=254, required=False, help_text="For the receipt (optional)."
    )
    amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    method = forms.ChoiceField(choices=Donation.OfflineMethod.choices)
    reference = forms.CharField(
        max_length=200, required=False, help_text="Cheque number or the transfer's reference."
    )
    host_membership = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, label="Credit to member"
    )
    show_on_wall = forms.BooleanField(label="Show on the donor wall", required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host_membership"].queryset = (  # type: ignore[attr-defined]
            Membership.objects.for_coalition(coalition).select_related("organization")
        )
        self.fields["host_membership"].label_from_instance = lambda m: m.organization.name  # type: ignore[attr-defined]


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="Leave empty to refund all that is left.",
    )


class ReceiptSettingsForm(forms.Form):
    legal_name = forms.CharField(max_length=200, help_text="The name on the receipt.")
    tax_id = forms.CharField(label="Tax or charity number", max_length=100, required=False)
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="E.g. that no goods or services were given in exchange.",
    )
    number_prefix = forms.CharField(max_length=12, initial="R-")


class ManageGiftForm(forms.Form):
    amount = forms.DecimalField(
        label="New monthly amount", min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
