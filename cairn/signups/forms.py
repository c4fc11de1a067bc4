"""Forms of the forms app: they parse and validate input; the services decide.

`SubmissionForm` is built from a form's questions (one field per question, named `q_<key>`);
`FormBuilderForm` edits a form, and `QuestionFormSet` its questions, one row each (blank rows
add questions, a row whose label is emptied removes one): no script needed.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms

from cairn.coalitions.models import Membership

from . import questions
from .models import Form

BLANK_QUESTION_ROWS = 3


class SubmissionForm(forms.Form):
    given_name = forms.CharField(max_length=200, label="First name")
    family_name = forms.CharField(max_length=200, label="Last name", required=False)
    email = forms.EmailField(max_length=254, label="Email")
    phone = forms.CharField(max_length=32, label="Phone (optional)", required=False)
    postal_code = forms.CharField(max_length=16, label="Postal code (optional)", required=False)
    # A new key on every page load: a form posted twice (a double click, a resend) is one.
    key = forms.CharField(max_length=64, widget=forms.HiddenInput, required=False)
    ref = forms.CharField(max_length=64, widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, form: Form, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions.from_json(form.fields)
        for question in self.questions:
            name = f"q_{question.key}"
            if question.type == "checkbox":
                self.fields[name] = forms.BooleanField(
                    label=question.label, required=question.required
                )
            elif question.type == "choice":
                few = len(question.choices) <= 5  # few choices: radio buttons, else a list
                options = [(c, c) for c in question.choices]
                self.fields[name] = forms.ChoiceField(
                    label=question.label,
                    choices=options if few else [("", "—"), *options],
                    required=question.required,
                    widget=forms.RadioSelect if few else forms.Select,
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.label,
                    required=question.required,
                    max_length=questions.MAX_ANSWER,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
        if form.consent_text:
            self.fields["consent"] = forms.BooleanField(
                label=form.consent_text, required=form.consent_required
            )
        self.fields["given_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["family_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["postal_code"].widget.attrs["autocomplete"] = "postal-code"
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4().hex)

    def answers(self) -> dict[str, Any]:
        return {q.key: self.cleaned_data.get(f"q_{q.key}") for q in self.questions}


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.organization.name)


class FormBuilderForm(forms.ModelForm):
    class Meta:
        model = Form
        fields = [
            "title",
            "kind",
            "description",
            "status",
            "owner",
            "campaign",
            "consent_text",
            "consent_required",
            "thank_you",
        ]
        labels = {
            "owner": "Member organization",
            "consent_text": "Consent statement",
            "consent_required": "Ask for consent before a submission is taken",
            "thank_you": "Thank-you message",
        }
        help_texts = {
            "consent_text": "Shown beside a checkbox; what a supporter agreed to is kept with "
            "their submission.",
            "description": "Plain text or simple HTML (sanitized).",
        }
        field_classes = {"owner": MemberChoiceField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "consent_text": forms.Textarea(attrs={"rows": 2}),
            "thank_you": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, owners: Any, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = owners
        campaign = cast(forms.ModelChoiceField, self.fields["campaign"])
        campaign.queryset = campaigns


class QuestionForm(forms.Form):
    label = forms.CharField(max_length=questions.MAX_LABEL, required=False)
    type = forms.ChoiceField(
        choices=[("text", "Text"), ("choice", "Choice"), ("checkbox", "Checkbox")],
        initial="text",
    )
    required = forms.BooleanField(required=False)
    choices = forms.CharField(
        max_length=5000, required=False, help_text="For a choice: the options, comma-separated."
    )
    key = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)


QuestionFormSet = forms.formset_factory(QuestionForm, extra=BLANK_QUESTION_ROWS, max_num=50)


def question_rows(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A form's questions as the builder's initial rows."""
    return [
        {
            "label": q.get("label", ""),
            "type": q.get("type", "text"),
            "required": bool(q.get("required")),
            "choices": ", ".join(q.get("choices") or []),
            "key": q.get("key", ""),
        }
        for q in fields
    ]


class LinkForm(forms.Form):
    membership = MemberChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        empty_label="The coalition itself",
        label="Credits",
    )
    label = forms.CharField(max_length=100, required=False, help_text="e.g. newsletter, SMS")

    def __init__(self, *args: Any, memberships: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["membership"])
        field.queryset = memberships
