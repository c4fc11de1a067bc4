"""Forms of the audit pages: they validate input; services do the writing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from cairn.engines import audit as engine

from .models import AuditClass, AuditPolicy, ThresholdVersion


class OverrideForm(forms.Form):
    klass = forms.ChoiceField(label="Class", choices=AuditClass.choices)
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required: the override is logged with it, and shown on the profile.",
    )


class AnnotationForm(forms.Form):
    text = forms.CharField(label="Note", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class PolicyForm(forms.Form):
    share_profiles = forms.BooleanField(
        required=False,
        label="Share every profile with every member organization",
        help_text="Otherwise each organization's people see only its own profile; stewards "
        "always see all.",
    )
    reaudit_every_months = forms.IntegerField(
        label="Re-audit every (months)",
        min_value=1,
        max_value=24,
        help_text="3 is quarterly. The stewards get an email when a scheduled audit ran.",
    )
    thresholds_need_decision = forms.BooleanField(
        required=False,
        label="New thresholds need a decision",
        help_text="A version applies only once a decision's outcome authorizes it (on the "
        "decision's Authorizations page); versions a steward applied directly stop applying, and "
        "the newest one a decision adopted (or Cairn's defaults) is used.",
    )

    @classmethod
    def for_policy(cls, rules: AuditPolicy, data: Any = None) -> PolicyForm:
        return cls(
            data,
            initial={
                "share_profiles": rules.share_profiles,
                "reaudit_every_months": rules.reaudit_every_months,
                "thresholds_need_decision": rules.thresholds_need_decision,
            },
        )


def _percent(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=100, help_text=help_text)


class ThresholdsForm(forms.Form):
    window_days = forms.IntegerField(
        label="Activity window (days)",
        min_value=1,
        max_value=3660,
        help_text="Actions count toward activity when they happened in these last days.",
    )
    dormant_max_actions = forms.IntegerField(
        label="Dormant at or below (actions in the window)", min_value=0, max_value=100_000
    )
    aligned_min_similarity = forms.DecimalField(
        label="Minimum mission similarity (0 to 1)",
        min_value=Decimal(0),
        max_value=Decimal(1),
        decimal_places=3,
        help_text="How close the member's stated mission must be to the coalition's.",
    )
    aligned_min_delivery = _percent(
        "Minimum commitments delivered on time (%)", "Of the commitments already due."
    )
    aligned_min_participation = _percent(
        "Minimum decisions voted in (%)", "Of the closed decisions it could vote on."
    )
    aligned_min_reciprocity = _percent(
        "Minimum reciprocity (%)",
        "Supporters it shared ÷ (shared + pooled supporters it can access).",
    )
    aligned_min_evidence = forms.IntegerField(
        label="Relational factors that must be measured",
        min_value=0,
        max_value=3,
        help_text="Of delivery, participation and reciprocity (a factor without evidence is not "
        "measured).",
    )
    note = forms.CharField(label="Why (optional)", max_length=300, required=False)

    @classmethod
    def initial_from(cls, thresholds: engine.Thresholds) -> dict[str, Any]:
        return {
            "window_days": thresholds.window_days,
            "dormant_max_actions": thresholds.dormant_max_actions,
            "aligned_min_similarity": thresholds.aligned_min_similarity,
            "aligned_min_delivery": round(100 * thresholds.aligned_min_delivery),
            "aligned_min_participation": round(100 * thresholds.aligned_min_participation),
            "aligned_min_reciprocity": round(100 * thresholds.aligned_min_reciprocity),
            "aligned_min_evidence": thresholds.aligned_min_evidence,
        }

    def thresholds(self) -> engine.Thresholds:
        data = self.cleaned_data
        return engine.Thresholds(
            window_days=data["window_days"],
            dormant_max_actions=data["dormant_max_actions"],
            aligned_min_similarity=float(data["aligned_min_similarity"]),
            aligned_min_delivery=data["aligned_min_delivery"] / 100,
            aligned_min_participation=data["aligned_min_participation"] / 100,
            aligned_min_reciprocity=data["aligned_min_reciprocity"] / 100,
            aligned_min_evidence=data["aligned_min_evidence"],
        )


def version_label(version: ThresholdVersion | None) -> str:
    return str(version) if version is not None else "Cairn's default thresholds"
