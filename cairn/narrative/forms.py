"""Forms of the narrative pages: they validate input and build the framework JSON; services
write."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.db.models import QuerySet

from cairn.campaigns.models import Campaign, Objective
from cairn.coalitions.models import Membership

from . import document
from .models import ContentItem

PILLAR_SLOTS = 6
FIGURES_PER_PILLAR = 2


class FrameworkForm(forms.Form):
    name = forms.CharField(max_length=200)
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(),
        required=False,
        help_text="Leave empty for the coalition-wide narrative.",
    )

    def __init__(self, *args: Any, campaigns: QuerySet[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = campaigns


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _id_and_text(line: str) -> tuple[str, str]:
    """'beds-now | Fund the beds' → ('beds-now', 'Fund the beds'); a line without an id gets
    one from its first words."""
    if "|" in line:
        head, _, tail = line.partition("|")
        if document.slug(head.strip()) == head.strip():
            return head.strip(), tail.strip()
    return document.slug(" ".join(line.split()[:4])), line


class VersionForm(forms.Form):
    """The editor of a draft version: the text fields, term lists, and six pillar slots, each
    with key messages (one a line, `id | text`), proof points (one a line) and figures that cite
    an objective."""

    note = forms.CharField(max_length=300, required=False, label="What changed")
    core_message = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    ask = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="The ask (call to action)"
    )
    vision = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    problem = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    solution = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    tone = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    audiences = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One a line: <code>audience: how we frame it for them</code>.",
    )
    messengers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="One a line."
    )
    terms_use = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Terms to use",
        help_text="One a line.",
    )
    terms_avoid = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Terms to avoid",
        help_text="One a line: <code>term =&gt; replacement</code> (the replacement is optional).",
    )

    def __init__(
        self, *args: Any, objectives: QuerySet[Objective], content: dict[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.pillar_slots: list[dict[str, Any]] = []
        choices = [("", "—")] + [
            (str(o.pk), f"{o.campaign.name}: {o.statement}") for o in objectives
        ]
        pillars = list(content.get("pillars", []) or [])
        for i in range(max(PILLAR_SLOTS, len(pillars))):
            p = pillars[i] if i < len(pillars) else {}
            self.fields[f"p{i}_id"] = forms.CharField(required=False, widget=forms.HiddenInput)
            self.fields[f"p{i}_name"] = forms.CharField(
                required=False, max_length=120, label=f"Pillar {i + 1}"
            )
            self.fields[f"p{i}_messages"] = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                label="Key messages",
                help_text="One a line: <code>id | text</code> (new lines get an id).",
            )
            self.fields[f"p{i}_points"] = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                label="Proof points",
                help_text="One a line.",
            )
            plain = [pt for pt in p.get("proof_points", []) or [] if isinstance(pt, str)]
            cited = [pt for pt in p.get("proof_points", []) or [] if isinstance(pt, dict)]
            self.initial.update(
                {
                    f"p{i}_id": p.get("id", ""),
                    f"p{i}_name": p.get("name", ""),
                    f"p{i}_messages": "\n".join(
                        f"{m.get('id', '')} | {m.get('text', '')}"
                        for m in p.get("key_messages", []) or []
                    ),
                    f"p{i}_points": "\n".join(plain),
                }
            )
            figure_names = []
            for j in range(max(FIGURES_PER_PILLAR, len(cited))):
                point = cited[j] if j < len(cited) else {}
                self.fields[f"p{i}_f{j}_text"] = forms.CharField(
                    required=False, max_length=300, label="Proof point with a figure"
                )
                self.fields[f"p{i}_f{j}_objective"] = forms.ChoiceField(
                    required=False, choices=choices, label="Cites the objective"
                )
                self.initial[f"p{i}_f{j}_text"] = point.get("text", "")
                self.initial[f"p{i}_f{j}_objective"] = str(point.get("objective_id") or "")
                figure_names.append((f"p{i}_f{j}_text", f"p{i}_f{j}_objective"))
            self.pillar_slots.append(
                {
                    "id": f"p{i}_id",
                    "name": f"p{i}_name",
                    "messages": f"p{i}_messages",
                    "points": f"p{i}_points",
                    "figures": figure_names,
                }
            )
        for name in document.TEXT_FIELDS:
            value = content.get(name, "")
            self.initial[name] = document.text_of(value)
        self.ask_extra = content.get("ask") if isinstance(content.get("ask"), dict) else None
        self.passthrough = {
            k: v
            for k, v in content.items()
            if k not in {*document.TEXT_FIELDS, "pillars", "audiences", "messengers", "terms_use",
                         "terms_avoid"}
        }  # fmt: skip
        self.initial["audiences"] = "\n".join(
            document.audience_text(a) for a in content.get("audiences", []) or []
        )
        self.initial["messengers"] = "\n".join(content.get("messengers", []) or [])
        self.initial["terms_use"] = "\n".join(content.get("terms_use", []) or [])
        self.initial["terms_avoid"] = "\n".join(
            t if isinstance(t, str) else f"{t.get('term', '')} => {t.get('replacement', '')}"
            for t in content.get("terms_avoid", []) or []
        )

    def bound_slots(self) -> list[dict[str, Any]]:
        return [
            {
                "id": self[s["id"]],
                "name": self[s["name"]],
                "messages": self[s["messages"]],
                "points": self[s["points"]],
                "figures": [(self[t], self[o]) for t, o in s["figures"]],
            }
            for s in self.pillar_slots
        ]

    def content(self) -> dict[str, Any]:
        """The framework JSON the form describes (unknown keys of the version kept as they were)."""
        data = self.cleaned_data
        out: dict[str, Any] = dict(self.passthrough)
        for name in document.TEXT_FIELDS:
            out[name] = str(data.get(name) or "").strip()
        if self.ask_extra is not None:
            out["ask"] = {**self.ask_extra, "text": out["ask"]}
        pillars = []
        for i, slot in enumerate(self.pillar_slots):
            name = str(data.get(slot["name"]) or "").strip()
            messages = _lines(str(data.get(slot["messages"]) or ""))
            if not name and not messages:
                continue
            pid = str(data.get(slot["id"]) or "").strip() or document.slug(name or f"pillar {i}")
            points: list[Any] = _lines(str(data.get(slot["points"]) or ""))
            for text_field, objective_field in slot["figures"]:
                text = str(data.get(text_field) or "").strip()
                objective = str(data.get(objective_field) or "")
                if text or objective:
                    point: dict[str, Any] = {"text": text}
                    if objective:
                        point["objective_id"] = int(objective)
                    points.append(point)
            pillars.append(
                {
                    "id": pid,
                    "name": name,
                    "key_messages": [
                        {"id": mid, "text": text} for mid, text in map(_id_and_text, messages)
                    ],
                    "proof_points": points,
                }
            )
        out["pillars"] = pillars
        out["audiences"] = [
            {"name": a.partition(":")[0].strip(), "framing": a.partition(":")[2].strip()}
            for a in _lines(str(data.get("audiences") or ""))
        ]
        out["messengers"] = _lines(str(data.get("messengers") or ""))
        out["terms_use"] = _lines(str(data.get("terms_use") or ""))
        avoid: list[Any] = []
        for line in _lines(str(data.get("terms_avoid") or "")):
            term, _, replacement = line.partition("=>")
            avoid.append(
                {"term": term.strip(), "replacement": replacement.strip()}
                if replacement.strip()
                else term.strip()
            )
        out["terms_avoid"] = avoid
        return out


class JsonVersionForm(forms.Form):
    """The same draft as JSON (Cairn's framework export format); errors name line and column."""

    note = forms.CharField(max_length=300, required=False, label="What changed")
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 20}), label="Framework JSON")

    def clean_content(self) -> Any:
        raw = self.cleaned_data["content"]
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})"
            ) from error
        problems = document.validate(value)
        if problems:
            raise forms.ValidationError([str(p) for p in problems])
        return value


class AdoptForm(forms.Form):
    outcome = forms.ChoiceField(label="The decision that adopts it")

    def __init__(self, *args: Any, outcomes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["outcome"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "—"), *outcomes]


class ItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ContentItem.Kind.choices)
    channel = forms.ChoiceField(
        choices=ContentItem.Channel.choices,
        required=False,
        help_text="For social posts: the length rules are the channel's.",
    )
    membership = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        label="Speaks for",
        empty_label="The coalition itself",
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12, "data-check-input": ""}),
        label="Text",
        max_length=50_000,
    )

    def __init__(
        self, *args: Any, memberships: QuerySet[Membership], locked: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = memberships
        if locked:  # an existing item keeps its kind and speaker
            del self.fields["kind"]
            del self.fields["membership"]


class CheckForm(forms.Form):
    body = forms.CharField(required=False, max_length=50_000)
    kind = forms.ChoiceField(choices=ContentItem.Kind.choices, required=False)
    channel = forms.ChoiceField(choices=ContentItem.Channel.choices, required=False)


class CommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Comment", max_length=5000
    )


class DismissForm(forms.Form):
    kind = forms.CharField(max_length=32, widget=forms.HiddenInput)
    span = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=2000, label="Why it does not apply")


class ReachForm(forms.Form):
    on = forms.DateField(label="Day")
    impressions = forms.IntegerField(min_value=0, label="People reached")


class ReviewerForm(forms.Form):
    staff = forms.ChoiceField(label="Organizer")

    def __init__(self, *args: Any, staff: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "—"), *staff]
