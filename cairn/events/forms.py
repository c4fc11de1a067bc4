"""Forms of events: they parse and validate input; the services decide."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms

from cairn.campaigns.models import Campaign
from cairn.coalitions.models import Membership

from .models import Event, EventCampaign, RsvpQuestion, Shift, valid_time_zone

# Offered first in the time zone list; any IANA name may be typed.
COMMON_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Mexico_City",
    "Europe/London",
    "Europe/Paris",
    "UTC",
]


def zone_choices() -> list[tuple[str, str]]:
    others = sorted(zoneinfo.available_timezones() - set(COMMON_ZONES))
    return [(z, z.replace("_", " ")) for z in COMMON_ZONES] + [
        (z, z.replace("_", " ")) for z in others
    ]


class EventCampaignForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    host_toolkit = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="What hosts need: talking points, materials, the ask. HTML is cleaned.",
    )
    status = forms.ChoiceField(choices=EventCampaign.Status.choices)
    visibility = forms.ChoiceField(choices=EventCampaign.Visibility.choices)
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Campaign.objects.none(), required=False
    )

    def __init__(self, *args: Any, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]


class EventForm(forms.Form):
    title = forms.CharField(max_length=200)
    event_campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=EventCampaign.objects.none(),
        required=False,
        label="Event campaign",
        help_text="A day of action this event is part of.",
    )
    host: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, label="Host organization"
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}),
        required=False,
        help_text="On the same day, or the next if earlier than the start.",
    )
    time_zone = forms.ChoiceField(
        choices=zone_choices, initial="America/New_York", help_text="Where the event happens."
    )
    venue = forms.CharField(max_length=200, required=False)
    address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Street lines."
    )
    locality = forms.CharField(max_length=100, required=False, label="City")
    region = forms.CharField(max_length=100, required=False, label="State or region")
    postal_code = forms.CharField(max_length=20, required=False)
    country = forms.CharField(max_length=2, required=False, initial="US")
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)
    online_url = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        label="Online link",
        help_text="Sent to attendees only.",
    )
    capacity = forms.IntegerField(
        min_value=0, required=False, help_text="Leave empty for no limit; past it, a waiting list."
    )
    reminder_hours = forms.IntegerField(
        min_value=0, max_value=336, initial=24, help_text="Hours before the start; 0 for none."
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For attendees only (parking, what to bring).",
    )
    status = forms.ChoiceField(choices=Event.Status.choices, initial=Event.Status.CONFIRMED)
    visibility = forms.ChoiceField(choices=Event.Visibility.choices)

    def __init__(self, *args: Any, event_campaigns: Any, hosts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_campaign"].queryset = event_campaigns  # type: ignore[attr-defined]
        self.fields["host"].queryset = hosts  # type: ignore[attr-defined]
        self.fields["host"].label_from_instance = lambda m: m.organization.name  # type: ignore[attr-defined]

    def clean_time_zone(self) -> str:
        name = str(self.cleaned_data["time_zone"])
        if not valid_time_zone(name):
            raise forms.ValidationError("Choose a time zone.")
        return name

    def local_times(self) -> tuple[dt.datetime, dt.datetime | None]:
        """The start and end as naive wall-clock times in the chosen zone."""
        data = self.cleaned_data
        start = dt.datetime.combine(data["date"], data["start_time"])
        end = None
        if data.get("end_time"):
            end = dt.datetime.combine(data["date"], data["end_time"])
            if end <= start:
                end += dt.timedelta(days=1)
        return start, end

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "event_campaign": data.get("event_campaign"),
            "host": data.get("host"),
            "venue": data["venue"],
            "address_lines": data["address"].splitlines(),
            "locality": data["locality"],
            "region": data["region"],
            "postal_code": data["postal_code"],
            "country": data["country"],
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "online_url": data["online_url"],
            "capacity": data.get("capacity"),
            "reminder_hours": data.get("reminder_hours") or 0,
            "description": data["description"],
            "instructions": data["instructions"],
            "status": data["status"],
            "visibility": data["visibility"],
        }

    @classmethod
    def initial_for(cls, event: Event) -> dict[str, Any]:
        start = event.local_start
        end = event.local_end
        return {
            "title": event.title,
            "event_campaign": event.event_campaign_id,
            "host": event.host_id,
            "date": start.date(),
            "start_time": start.time().replace(tzinfo=None),
            "end_time": end.time().replace(tzinfo=None) if end else None,
            "time_zone": event.time_zone,
            "venue": event.venue,
            "address": "\n".join(event.address_lines),
            "locality": event.locality,
            "region": event.region,
            "postal_code": event.postal_code,
            "country": event.country,
            "latitude": event.latitude,
            "longitude": event.longitude,
            "online_url": event.online_url,
            "capacity": event.capacity,
            "reminder_hours": event.reminder_hours,
            "description": event.description,
            "instructions": event.instructions,
            "status": event.status,
            "visibility": event.visibility,
        }


def host_choices(memberships: Any) -> Any:
    return memberships.filter(status=Membership.Status.ACTIVE).select_related("organization")


class ShiftForm(forms.Form):
    title = forms.CharField(max_length=200, label="Shift")
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), required=False)
    capacity = forms.IntegerField(min_value=0, required=False)


class QuestionsForm(forms.Form):
    """The RSVP questions as lines: `label | kind | choice; choice | required`."""

    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=(
            "One question a line: <code>label | kind | choices separated by ; | required</code>. "
            "Kinds: text, choice, checkbox. Example: "
            "<code>Which office will you visit? | choice | Senate; House | required</code>"
        ),
    )

    def parsed(self) -> list[Any]:
        from .services import QuestionData

        out = []
        for line in self.cleaned_data["questions"].splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts or not parts[0]:
                continue
            kind = parts[1].lower() if len(parts) > 1 and parts[1] else "text"
            if kind not in RsvpQuestion.Kind.values:
                raise forms.ValidationError(f"Unknown kind {kind!r} in: {line}")
            choices = [c.strip() for c in parts[2].split(";")] if len(parts) > 2 else []
            required = len(parts) > 3 and parts[3].lower() in {"required", "yes", "true", "1"}
            out.append(QuestionData(label=parts[0], kind=kind, choices=choices, required=required))
        return out

    @staticmethod
    def text_of(questions: Any) -> str:
        lines = []
        for q in questions:
            lines.append(
                " | ".join(
                    [q.label, q.kind, "; ".join(q.choices), "required" if q.required else ""]
                ).rstrip(" |")
            )
        return "\n".join(lines)


class RsvpForm(forms.Form):
    given_name = forms.CharField(max_length=100, label="First name")
    family_name = forms.CharField(max_length=100, label="Last name", required=False)
    email = forms.EmailField(max_length=254)
    phone = forms.CharField(max_length=30, required=False, label="Phone (optional)")
    postal_code = forms.CharField(max_length=16, required=False, label="Postal code (optional)")

    def __init__(
        self,
        *args: Any,
        questions: list[RsvpQuestion],
        shifts: list[Shift],
        shift_labels: dict[int, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        if shifts:
            labels = shift_labels or {}
            self.fields["shift"] = forms.TypedChoiceField(
                choices=[(s.pk, labels.get(s.pk, s.title)) for s in shifts],
                coerce=int,
                widget=forms.RadioSelect,
                label="Shift",
            )
        for question in questions:
            name = f"q_{question.key}"
            if question.kind == RsvpQuestion.Kind.CHECKBOX:
                self.fields[name] = forms.BooleanField(
                    label=question.label, required=question.required
                )
            elif question.kind == RsvpQuestion.Kind.CHOICE:
                self.fields[name] = forms.ChoiceField(
                    label=question.label,
                    required=question.required,
                    choices=[("", "—"), *[(c, c) for c in question.choices]],
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.label, required=question.required, max_length=2000
                )

    def answers(self) -> dict[str, Any]:
        return {q.key: self.cleaned_data.get(f"q_{q.key}") for q in self.questions}


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=40,
        label="Ticket code",
        help_text="As printed under the attendee's QR code, e.g. 7k-3f9a2c81d0.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off"}),
    )


class SeriesForm(forms.Form):
    weeks = forms.IntegerField(min_value=1, max_value=52, initial=4, label="More weeks")
