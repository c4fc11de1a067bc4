"""Forms of the decisions pages, and the parsing of a vote form into a ballot for cast_vote."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict

from cairn.coalitions.models import StaffMember

from . import methods
from .models import DecisionTemplate, Electorate, Method, Option, Proposal, ResultsVisibility
from .services import OptionInput

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user} ({obj.get_role_display()})"


def template_choices(templates: Sequence[DecisionTemplate]) -> list[tuple[str, str]]:
    shipped = [(t.key, t.name) for t in methods.SHIPPED]
    own = [(f"c{t.pk}", f"{t.name} (ours)") for t in templates]
    return shipped + own


class ProposalForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Proposal", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    template = forms.ChoiceField(label="Template", choices=())
    options = forms.CharField(
        label="Options",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One per line. For a time poll, one time per line: 2027-03-02 15:00.",
    )
    time_zone = forms.CharField(
        max_length=64, initial=settings.TIME_ZONE, help_text="The time zone of the proposed times."
    )
    opens_at = forms.DateTimeField(
        label="Voting opens",
        widget=DATETIME_WIDGET,
        required=False,
        help_text="Leave empty and tick “Open for votes now”, or leave both for a draft.",
    )
    closes_at = forms.DateTimeField(label="Voting closes", widget=DATETIME_WIDGET)
    electorate = forms.ChoiceField(label="Who votes", choices=Electorate.choices)
    named_voters = StaffChoiceField(
        label="Named voters",
        queryset=StaffMember.objects.none(),
        required=False,
        help_text="Only when named individuals vote.",
    )
    quorum_percent = forms.DecimalField(
        label="Quorum (% of eligible voters)",
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        required=False,
        help_text="Leave empty for the template's quorum.",
    )
    requirements = forms.CharField(
        label="Vote-share requirements (proposal method)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="",  # set in __init__ (REQUIREMENT_HELP is defined below this class)
    )
    seats = forms.IntegerField(
        label="Seats (ranked choice)", min_value=1, max_value=20, required=False
    )
    tie_break = forms.ChoiceField(
        label="When the result depends on a tie (ranked choice)",
        choices=list(methods.TIE_BREAKS.items()),
        initial=methods.TIE_BREAK_LOT,
        required=False,
        help_text="Only a tie that changes who wins: ties that cannot, or that earlier rounds "
        "settle, never need it.",
    )
    min_choices = forms.IntegerField(
        label="Fewest choices (poll)", min_value=1, max_value=20, required=False
    )
    max_choices = forms.IntegerField(
        label="Most choices (poll)", min_value=1, max_value=20, required=False
    )
    none_of_the_above = forms.BooleanField(label="Offer “none of the above”", required=False)
    dots = forms.IntegerField(label="Dots each (dot vote)", min_value=1, required=False)
    target = forms.IntegerField(label="Target (count / opt-in)", min_value=1, required=False)
    results_visibility = forms.ChoiceField(
        label="Show results", choices=ResultsVisibility.choices, initial=ResultsVisibility.ALWAYS
    )
    anonymous = forms.BooleanField(
        required=False,
        help_text="Nobody, not even stewards, can see who voted what. By declared weight, each "
        "weight must be held by at least two members: a ballot keeps its voter's weight.",
    )
    reason_required = forms.BooleanField(label="Require a reason with each vote", required=False)
    open_now = forms.BooleanField(label="Open for votes now", required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        templates: Sequence[DecisionTemplate] = (),
        staff: QuerySet[StaffMember] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        voters = self.fields["named_voters"]
        assert isinstance(voters, forms.ModelMultipleChoiceField)  # noqa: S101 - declared above
        voters.queryset = staff if staff is not None else StaffMember.objects.none()
        field = self.fields["template"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = template_choices(templates)
        self.fields["requirements"].help_text = (
            REQUIREMENT_HELP + " They replace the template's own; leave empty to keep them."
        )

    def clean_requirements(self) -> list[dict[str, Any]]:
        return parse_requirement_lines(self.cleaned_data["requirements"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("electorate") == Electorate.INDIVIDUALS and not data.get("named_voters"):
            self.add_error("named_voters", "Name at least one voter.")
        return data

    def clean_time_zone(self) -> str:
        name = str(self.cleaned_data["time_zone"]).strip()
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise forms.ValidationError("Unknown time zone, e.g. America/Chicago.") from error
        return name

    def option_inputs(self, method: str) -> list[OptionInput]:
        lines = [line.strip() for line in self.cleaned_data["options"].splitlines()]
        lines = [line for line in lines if line]
        if method != Method.TIME_POLL:
            return [OptionInput(label=line) for line in lines]
        zone = zoneinfo.ZoneInfo(self.cleaned_data["time_zone"])
        out = []
        for line in lines:
            try:
                naive = dt.datetime.fromisoformat(line)
            except ValueError as error:
                raise forms.ValidationError(f"{line!r} is not a date and time.") from error
            moment = naive.replace(tzinfo=zone) if naive.tzinfo is None else naive
            label = moment.strftime("%a %d %b %Y, %H:%M ") + (moment.tzname() or "")
            out.append(OptionInput(label=label.strip(), starts_at=moment, time_zone=str(zone.key)))
        return out

    def config(self, method: str = "") -> dict[str, Any]:
        """The method's settings the form holds (share rules and the tie-break only where the
        method has them)."""
        data = self.cleaned_data
        config: dict[str, Any] = {}
        for name in ("seats", "min_choices", "max_choices", "dots", "target"):
            if data.get(name):
                config[name] = int(data[name])
        if data.get("none_of_the_above"):
            config["none_of_the_above"] = True
        if data.get("requirements") and method == Method.PROPOSAL:
            config["requirements"] = data["requirements"]
        if data.get("tie_break") and method == Method.RANKED_CHOICE:
            config["tie_break"] = data["tie_break"]
        return config


REQUIREMENT_HELP = (
    "One per line: positions, comparison, percent, base. E.g. <code>agree >= 75 eligible</code>, "
    "<code>block <= 0 cast</code>, <code>agree+abstain > 50 cast</code>, or a head count "
    "<code>in >= 12 voters</code>."
)
COMPARISONS = {">=": "≥", "≥": "≥", ">": ">", "<=": "≤", "≤": "≤", "<": "<"}


def parse_requirement_lines(text: str) -> list[dict[str, Any]]:
    """Requirement lines as the JSON a template stores (checked again by the service)."""
    out: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.replace("%", " ").split()
        if not words:
            continue
        if len(words) != 4 or words[1] not in COMPARISONS:
            raise forms.ValidationError(f"Line {number}: write e.g. “agree >= 75 eligible”.")
        positions = [p.strip() for p in words[0].split("+") if p.strip()]
        if words[3] == "voters":
            if COMPARISONS[words[1]] != "≥" or not words[2].isdigit():
                raise forms.ValidationError(f"Line {number}: a head count is “in >= 12 voters”.")
            out.append({"positions": positions, "at_least": int(words[2])})
            continue
        if words[3] not in {"eligible", "cast"}:
            raise forms.ValidationError(f"Line {number}: the base is “eligible” or “cast”.")
        try:  # a decimal (66.5), or a fraction for a share no decimal writes exactly (200/3)
            percent = Fraction(Decimal(words[2])) if "/" not in words[2] else Fraction(words[2])
        except (ArithmeticError, ValueError) as error:
            raise forms.ValidationError(f"Line {number}: {words[2]} is not a number.") from error
        if not 0 <= percent <= 100:
            raise forms.ValidationError(f"Line {number}: a percent is from 0 to 100.")
        out.append(
            {
                "positions": positions,
                "comparison": COMPARISONS[words[1]],
                "share": str(Fraction(percent) / 100),
                "basis": words[3],
            }
        )
    return out


def requirement_lines(requirements: Sequence[Mapping[str, Any]]) -> str:
    """Stored requirements as the lines `parse_requirement_lines` reads back to the same JSON."""
    symbols = {"≥": ">=", ">": ">", "≤": "<=", "<": "<"}
    lines = []
    for requirement in requirements:
        positions = "+".join(str(p) for p in requirement["positions"])
        if "at_least" in requirement:
            lines.append(f"{positions} >= {int(requirement['at_least'])} voters")
            continue
        percent = Fraction(str(requirement["share"])) * 100
        written = str(percent.numerator) if percent.denominator == 1 else str(percent)
        if percent.denominator != 1 and 10**6 % percent.denominator == 0:
            written = f"{Decimal(percent.numerator) / Decimal(percent.denominator):f}"
        comparison = symbols[str(requirement["comparison"])]
        lines.append(f"{positions} {comparison} {written} {requirement.get('basis', 'cast')}")
    return "\n".join(lines)


def proposal_initial(
    proposal: Proposal, options: Sequence[Option], named: Sequence[int]
) -> dict[str, Any]:
    """The new-proposal form filled in with a draft's terms, for editing it."""
    config = proposal.config
    zone = next((o.time_zone for o in options if o.time_zone), settings.TIME_ZONE)
    if proposal.method == Method.TIME_POLL:
        lines = [
            o.starts_at.astimezone(zoneinfo.ZoneInfo(o.time_zone or zone)).strftime(
                "%Y-%m-%d %H:%M"
            )
            for o in options
            if o.starts_at
        ]
    else:
        lines = [o.label for o in options]
    return {
        "title": proposal.title,
        "body": proposal.body,
        "template": proposal.template_key,
        "options": "\n".join(lines),
        "time_zone": zone,
        "opens_at": proposal.opens_at,
        "closes_at": proposal.closes_at,
        "electorate": proposal.electorate,
        "named_voters": list(named),
        "quorum_percent": proposal.quorum_percent,
        "requirements": requirement_lines(config.get("requirements", [])),
        **{
            k: config[k]
            for k in ("seats", "min_choices", "max_choices", "dots", "target")
            if k in config
        },
        "none_of_the_above": bool(config.get("none_of_the_above")),
        "tie_break": config.get("tie_break", methods.TIE_BREAK_STOP),
        "results_visibility": proposal.results_visibility,
        "anonymous": proposal.anonymous,
        "reason_required": proposal.reason_required,
        "open_now": False,
    }


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    method = forms.ChoiceField(choices=Method.choices, initial=Method.PROPOSAL)
    base_rule = forms.ChoiceField(
        label="Positions and rule (proposal method)",
        choices=[(t.rule, t.name) for t in methods.SHIPPED if t.rule],
        required=False,
    )
    quorum_percent = forms.DecimalField(
        label="Quorum (% of eligible voters)",
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        initial=Decimal(50),
    )
    requirements = forms.CharField(
        label="Vote-share requirements",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=REQUIREMENT_HELP + " Leave empty for the rule's own.",
    )

    def clean_requirements(self) -> list[dict[str, Any]]:
        return parse_requirement_lines(self.cleaned_data["requirements"])


class OutcomeForm(forms.Form):
    statement = forms.CharField(label="What was decided", widget=forms.Textarea(attrs={"rows": 3}))
    next_steps = forms.CharField(
        label="What happens next", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    responsible = forms.CharField(label="Who does it", max_length=200, required=False)
    review_on = forms.DateField(
        label="Review on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AuthorizationForm(forms.Form):
    target = forms.ChoiceField(label="What it authorizes", choices=())
    note = forms.CharField(label="Note", max_length=300, required=False)

    def __init__(self, *args: Any, choices: Sequence[Any] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "Choose…"), *choices]


class ReopenForm(forms.Form):
    closes_at = forms.DateTimeField(label="New deadline", widget=DATETIME_WIDGET)


class BallotFormError(ValueError):
    pass


def _whole(value: object, what: str) -> int:
    try:
        return int(str(value))
    except ValueError as error:
        raise BallotFormError(f"{what}: enter a whole number") from error


def ballot_from_post(
    proposal: Proposal, options: Sequence[Option], data: QueryDict
) -> dict[str, Any]:
    """The ballot a vote form describes (cast_vote validates it against the method)."""
    method = proposal.method
    if method == Method.PROPOSAL:
        return {"position": data.get("position", "")}
    if method == Method.POLL:
        return {"choices": data.getlist("choice")}
    if method == Method.SCORE:
        return {
            "scores": {
                o.key: _whole(data.get(f"score_{o.key}", ""), o.label)
                for o in options
                if data.get(f"score_{o.key}", "").strip()
            }
        }
    if method == Method.DOT_VOTE:
        return {
            "dots": {
                o.key: _whole(data.get(f"dots_{o.key}", ""), o.label)
                for o in options
                if data.get(f"dots_{o.key}", "").strip()
            }
        }
    if method == Method.RANKED_CHOICE:
        ranks: dict[int, str] = {}
        for o in options:
            raw = data.get(f"rank_{o.key}", "").strip()
            if not raw:
                continue
            rank = _whole(raw, o.label)
            if rank in ranks:
                raise BallotFormError(f"Two options share rank {rank}.")
            ranks[rank] = o.key
        return {"ranking": [ranks[r] for r in sorted(ranks)]}
    if method == Method.TIME_POLL:
        return {
            "answers": {
                o.key: data[f"answer_{o.key}"] for o in options if data.get(f"answer_{o.key}")
            }
        }
    return {"answer": data.get("answer", "")}
