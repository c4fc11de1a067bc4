"""Forms of petitions: they parse and validate input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from cairn.coalitions.models import Membership
from cairn.engines.email_typos import suggest_email
from cairn.engines.emails import normalize_email
from cairn.engines.signers import name_problem, postal_code_problem

from .models import ListEntry, Petition

COUNTRIES = [
    ("US", "United States"),
    ("CA", "Canada"),
    ("MX", "Mexico"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("ES", "Spain"),
    ("IT", "Italy"),
    ("NL", "Netherlands"),
    ("BE", "Belgium"),
    ("CH", "Switzerland"),
    ("AT", "Austria"),
    ("PT", "Portugal"),
    ("PL", "Poland"),
    ("DK", "Denmark"),
    ("NO", "Norway"),
    ("SE", "Sweden"),
    ("AU", "Australia"),
    ("NZ", "New Zealand"),
    ("BR", "Brazil"),
    ("JP", "Japan"),
    ("IN", "India"),
]


class SharedChoiceField(forms.ChoiceField):
    """A choice field whose fixed choices every form instance shares instead of deep-copying.

    Django deep-copies each field for every form instance, choices included; for the country
    list that was about a quarter of the time to build and validate a signing form (timeit,
    0.35 → 0.26 ms). The choices here are a constant, so sharing them is safe.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedChoiceField:
        return forms.Field.__deepcopy__(self, memo)


class SignForm(forms.Form):
    name = forms.CharField(max_length=200, label="Your name")
    email = forms.EmailField(max_length=254, label="Email")
    postal_code = forms.CharField(max_length=16, label="Postal code")
    country = SharedChoiceField(choices=COUNTRIES, initial="US")
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why are you signing? (optional)",
    )
    consent_updates = forms.BooleanField(
        required=False, label="Send me updates about this campaign from the coalition"
    )
    consent_share = forms.BooleanField(
        required=False, label="Share my name and email with the sponsoring member organizations"
    )
    ref = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)
    channel = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    # The address a signer kept after being asked "did you mean …?": asked once, not again.
    email_checked = forms.CharField(required=False, max_length=254, widget=forms.HiddenInput)
    # A field people never see: bots that fill every input give themselves away.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        problem = name_problem(name)
        if problem:
            raise forms.ValidationError(problem)
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        country, code = data.get("country"), data.get("postal_code")
        if country and code:
            problem = postal_code_problem(country, code)
            if problem:
                self.add_error("postal_code", problem)
        self._check_email_typo(data)
        return data

    def _check_email_typo(self, data: dict[str, Any]) -> None:
        """Offer the likely address for a mistyped common domain (the link would never arrive).

        An invalid address (`sam@gmail`) gets the suggestion in its error; a valid but unlikely
        one (`sam@gmial.com`) is asked about once: signing again with it keeps it.
        """
        raw = self.data.get(self.add_prefix("email"), "")
        suggestion = suggest_email(raw) if isinstance(raw, str) else None
        if suggestion is None:
            return
        if "email" in self.errors:
            self.errors["email"] = self.error_class(
                [f"Enter a valid email address. Did you mean {suggestion}?"]
            )
            return
        email = normalize_email(data.get("email", ""))
        if normalize_email(data.get("email_checked", "")) == email:
            return
        self.add_error(
            "email", f"Did you mean {suggestion}? If {email} is right, sign again to keep it."
        )
        checked = QueryDict(mutable=True)  # the next submission says this address was checked
        checked.update(self.data)
        checked[self.add_prefix("email_checked")] = email
        self.data = checked


def parse_lines(text: str, separator: str) -> list[tuple[str, str]]:
    pairs = []
    for line in text.splitlines():
        if line.strip():
            left, _, right = line.partition(separator)
            pairs.append((left.strip(), right.strip()))
    return pairs


class PetitionForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=Membership.objects.none(), label="Owner organization")
    title = forms.CharField(max_length=200, label="Title (the ask)")
    background = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Plain paragraphs, or simple HTML (sanitized).",
    )
    details = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))
    targets = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One decision-maker per line: <code>Name | Title</code>.",
    )
    # Its queryset is the coalition's campaigns, given by the view: nothing else validates.
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No campaign"
    )
    deadline = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    thresholds = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: <code>1000 | Delivered to the target</code>.",
    )
    sponsors_required = forms.IntegerField(
        min_value=0, max_value=50, initial=0, label="Co-signing organizations needed"
    )

    def __init__(self, *args: Any, owners: Any = None, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]

    def clean_targets(self) -> list[dict[str, str]]:
        return [
            {"name": name, "title": title}
            for name, title in parse_lines(self.cleaned_data["targets"], "|")
        ]

    def clean_thresholds(self) -> list[dict[str, object]]:
        result: list[dict[str, object]] = []
        for count, consequence in parse_lines(self.cleaned_data["thresholds"], "|"):
            digits = count.replace(",", "").replace(" ", "")
            if not digits.isdigit() or int(digits) < 1:
                raise forms.ValidationError(f"{count!r} is not a signature count.")
            result.append({"count": int(digits), "consequence": consequence})
        return result

    @staticmethod
    def initial_for(petition: Petition) -> dict[str, Any]:
        return {
            "owner": petition.owner_id,
            "title": petition.title,
            "background": petition.background,
            "details": petition.details,
            "targets": "\n".join(
                f"{t.get('name', '')} | {t.get('title', '')}" for t in petition.targets
            ),
            "campaign": petition.campaign_id,
            "deadline": petition.deadline,
            "thresholds": "\n".join(
                f"{t['count']} | {t['consequence']}" for t in petition.thresholds
            ),
            "sponsors_required": petition.sponsors_required,
        }


class SponsorForm(forms.Form):
    membership = forms.ModelChoiceField(queryset=Membership.objects.none(), label="Organization")

    def __init__(self, *args: Any, memberships: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = memberships  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reason = forms.ChoiceField(choices=Petition.RejectionReason.choices)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Explanation")


class ConfirmForm(forms.Form):
    """The second press of an action that asks first: `confirmed=yes`."""

    confirmed = forms.ChoiceField(choices=[("yes", "yes")])


class TextForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class NetworkReviewForm(forms.Form):
    """A steward's decision on the held signatures of one network: clear or invalidate them."""

    ip = forms.GenericIPAddressField(label="IP address")
    decision = forms.ChoiceField(choices=[("clear", "Clear"), ("invalidate", "Invalidate")])
    reason = forms.CharField(required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "invalidate" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why these signatures are invalid.")
        return data


class InvalidateForm(forms.Form):
    email = forms.CharField(required=False, max_length=254)
    domain = forms.CharField(required=False, max_length=254, label="Email domain")
    ip = forms.GenericIPAddressField(required=False, label="IP address")
    since = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    until = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(required=False, max_length=300)


class ListEntryForm(forms.Form):
    kind = forms.ChoiceField(choices=ListEntry.Kind.choices)
    value = forms.CharField(max_length=254)
    verdict = forms.ChoiceField(choices=ListEntry.Verdict.choices)
    note = forms.CharField(required=False, max_length=200)


class LimitsForm(forms.Form):
    burst = forms.IntegerField(
        min_value=1, label="Signatures per IP per minute, beyond which they are held for review"
    )
    sustained = forms.IntegerField(
        min_value=1, label="Signatures per IP per hour, beyond which they are held for review"
    )
    hard = forms.IntegerField(min_value=1, label="Signatures per IP per hour, beyond which refused")
    trending = forms.IntegerField(
        min_value=1, label="Alert when an IP or email domain passes, per hour"
    )


class UpdateForm(forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label="Message")
