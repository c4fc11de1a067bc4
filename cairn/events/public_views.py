"""Public event pages (phone-sized first): an event and its RSVP form, the attendee's ticket
(QR code and manual code, cancel), an event campaign's list and drawn map, and `.ics` feeds.

Thin: a selector loads the row (404 for what the public may not see), a form parses, one service
acts. The RSVP form is rate-limited per address (`services.public_rsvp_allowed`) and idempotent:
the same person RSVPing twice gets the same attendance (and the same ticket).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.accounts.forms import client_ip
from cairn.coalitions import public
from cairn.coalitions.models import Coalition
from cairn.people.services import AddressInput, EmailInput, PersonData, PhoneInput

from . import calendar, qr, selectors, services
from .forms import RsvpForm
from .models import Attendance, Event, EventCampaign


def _event(event_slug: str) -> Event:
    event = selectors.public_event(slug=event_slug)
    if event is None:
        raise Http404("No such event.")
    if event.event_campaign is not None and event.event_campaign.status == "draft":
        raise Http404("No such event.")
    return event


def _shift_labels(event: Event) -> dict[int, str]:
    labels = {}
    for row in selectors.shifts_with_places(event):
        start = row.shift.starts_at.astimezone(event.zone)
        label = f"{row.shift.title} · {start:%-I:%M %p}"
        if row.left is not None:
            label += f" · {row.left} left" if row.left else " · full (waiting list)"
        labels[row.shift.pk] = label
    return labels


def _rsvp_form(event: Event, data: dict[str, str] | None = None) -> RsvpForm:
    return RsvpForm(
        data,
        questions=list(event.questions.all()),
        shifts=list(event.shifts.all()),
        shift_labels=_shift_labels(event),
    )


def _page(request: HttpRequest, event: Event, form: RsvpForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "events/public_event.html",
        {
            "event": event,
            "form": form,
            "places_left": selectors.places_left(event),
            "open": services.accepts_rsvps(event),
        },
        status=status,
    )


@require_GET
def event_page(request: HttpRequest, event_slug: str) -> HttpResponse:
    event = _event(event_slug)
    return _page(request, event, _rsvp_form(event))


@require_http_methods(["GET", "POST"])
def rsvp(request: HttpRequest, event_slug: str) -> HttpResponse:
    event = _event(event_slug)
    if request.method == "GET":
        return redirect("events_public:event", event_slug=event_slug)
    form = _rsvp_form(event, request.POST)
    if not services.accepts_rsvps(event):
        form.add_error(None, "This event no longer takes RSVPs.")
        return _page(request, event, form, status=422)
    if not form.is_valid():
        return _page(request, event, form, status=422)
    if not services.public_rsvp_allowed(client_ip(request)):
        form.add_error(None, "Too many RSVPs from your connection; please try again later.")
        return _page(request, event, form, status=429)
    data = form.cleaned_data
    person = PersonData(
        given_name=data["given_name"],
        family_name=data["family_name"] or None,
        emails=[EmailInput(address=data["email"], primary=True)],
        phones=[PhoneInput(number=data["phone"])] if data["phone"] else [],
        addresses=[AddressInput(postal_code=data["postal_code"])] if data["postal_code"] else [],
    )
    shift = None
    if data.get("shift"):
        shift = event.shifts.filter(pk=data["shift"]).first()
    try:
        result = services.rsvp(
            event=event,
            person=person,
            shift=shift,
            answers=form.answers(),
            referrer=request.GET.get("ref", "")[:100],
            source="web",
        )
    except services.EventError as error:
        form.add_error(None, str(error))
        return _page(request, event, form, status=422)
    code = services.attendance_code(result.attendance)
    return redirect("events_public:ticket", event_slug=event.slug, code=code)


def _attendance(event: Event, code: str) -> Attendance:
    attendance = services.attendance_for_code(event=event, code=code)
    if attendance is None:
        raise Http404("No such ticket.")
    return attendance


@require_GET
def ticket(request: HttpRequest, event_slug: str, code: str) -> HttpResponse:
    event = _event(event_slug)
    attendance = _attendance(event, code)
    check_in_url = request.build_absolute_uri(
        reverse("events:check_in", kwargs={"slug": event.coalition.slug, "event_id": event.pk})
        + f"?code={services.attendance_code(attendance)}"
    )
    return render(
        request,
        "events/ticket.html",
        {
            "event": event,
            "attendance": attendance,
            "code": services.attendance_code(attendance),
            "qr_svg": qr.svg(check_in_url),
            "position": selectors.waiting_position(attendance),
        },
    )


@require_GET
def ticket_qr(request: HttpRequest, event_slug: str, code: str) -> HttpResponse:
    event = _event(event_slug)
    attendance = _attendance(event, code)
    url = request.build_absolute_uri(
        reverse("events:check_in", kwargs={"slug": event.coalition.slug, "event_id": event.pk})
        + f"?code={services.attendance_code(attendance)}"
    )
    return HttpResponse(qr.svg(url), content_type="image/svg+xml")


@require_POST
def cancel(request: HttpRequest, event_slug: str, code: str) -> HttpResponse:
    event = _event(event_slug)
    attendance = _attendance(event, code)
    services.cancel_rsvp(attendance=attendance)
    return redirect("events_public:ticket", event_slug=event_slug, code=code)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def event_ics(request: HttpRequest, event_slug: str) -> HttpResponse:
    event = _event(event_slug)
    return _ics(calendar.event_ics(event), f"{event.slug}.ics")


def _campaign(campaign_slug: str) -> EventCampaign:
    campaign = selectors.public_event_campaign(slug=campaign_slug)
    if campaign is None:
        raise Http404("No such event campaign.")
    return campaign


@require_GET
def campaign_page(request: HttpRequest, campaign_slug: str) -> HttpResponse:
    campaign = _campaign(campaign_slug)
    events = list(selectors.public_events_of_campaign(campaign))
    return render(
        request,
        "events/public_campaign.html",
        {
            "event_campaign": campaign,
            "events": events,
            "points": selectors.map_points(events),
            "places": selectors.events_by_place(events),
        },
    )


@require_GET
def campaign_ics(request: HttpRequest, campaign_slug: str) -> HttpResponse:
    campaign = _campaign(campaign_slug)
    events = selectors.public_events_of_campaign(campaign)
    return _ics(calendar.calendar_of(events, name=campaign.title), f"{campaign.slug}.ics")


def _coalition(slug: str) -> Coalition:
    coalition = public.published_coalition(slug=slug)  # unpublished: not found
    if coalition is None:
        raise Http404("No such coalition.")
    return coalition


@require_GET
def coalition_events(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    coalition = _coalition(coalition_slug)
    events = list(selectors.public_events_of_coalition(coalition))
    return render(
        request,
        "events/public_list.html",
        {"public_coalition": coalition, "events": events},
    )


@require_GET
def coalition_ics(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    coalition = _coalition(coalition_slug)
    events = selectors.public_events_of_coalition(coalition)
    return _ics(
        calendar.calendar_of(events, name=f"{coalition.name}: events"), f"{coalition.slug}.ics"
    )
