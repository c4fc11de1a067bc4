"""Staff pages of events: the list, an event (attendees, shifts, questions, report), creating and
editing events and event campaigns, and check-in on a phone (search, a scanned QR code's link, or
a typed code).

Thin: load with a selector, check the policy, call one service, render. Stewards
(`MANAGE_EVENTS`) run everything; an organizer (`HOST_EVENTS`) creates and runs its own
organization's events, in an open event campaign too; viewers see the lists without attendees.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cairn.campaigns.csvout import csv_response
from cairn.campaigns.models import Campaign
from cairn.coalitions.access import Tenant, coalition_view, found, is_htmx, signed_in_user
from cairn.coalitions.models import Membership
from cairn.coalitions.policy import Action

from . import selectors, services
from .forms import (
    CodeForm,
    EventCampaignForm,
    EventForm,
    QuestionsForm,
    SeriesForm,
    ShiftForm,
    host_choices,
)
from .models import Attendance, Event, EventCampaign, Shift
from .services import EventError


def _may_run(tenant: Tenant, event: Event) -> bool:
    """Steward, or an organizer of the hosting organization."""
    return tenant.allows(Action.MANAGE_EVENTS) or (
        event.host is not None and tenant.allows(Action.HOST_EVENTS, membership=event.host)
    )


def _load(tenant: Tenant, event_id: int, *, run: bool = False) -> Event:
    event = found(selectors.event_for_staff(coalition=tenant.coalition, event_id=event_id))
    if run and not _may_run(tenant, event):
        tenant.require(Action.MANAGE_EVENTS)  # raises PermissionDenied
    return event


def _hosts(tenant: Tenant) -> QuerySet[Membership]:
    rows = host_choices(Membership.objects.for_coalition(tenant.coalition))
    if tenant.allows(Action.MANAGE_EVENTS):
        return rows
    own = rows.filter(pk=tenant.staff.membership_id or 0).first()
    if own is None or not tenant.allows(Action.HOST_EVENTS, membership=own):
        return rows.none()
    return rows.filter(pk=own.pk)


def _may_create(tenant: Tenant) -> bool:
    return tenant.allows(Action.MANAGE_EVENTS) or _hosts(tenant).exists()


def _ctx(tenant: Tenant, **extra: Any) -> dict[str, Any]:
    return tenant.context(nav_current="events", may_create=_may_create(tenant), **extra)


@coalition_view(Action.VIEW)
def event_list(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    return render(
        request,
        "events/event_list.html",
        _ctx(
            tenant,
            events=selectors.events_for_staff(coalition=tenant.coalition),
            event_campaigns=selectors.event_campaigns(coalition=tenant.coalition),
            past=False,
        ),
    )


@coalition_view(Action.VIEW)
def past_events(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    return render(
        request,
        "events/event_list.html",
        _ctx(
            tenant,
            events=selectors.events_for_staff(coalition=tenant.coalition, upcoming=False)[:200],
            event_campaigns=selectors.event_campaigns(coalition=tenant.coalition),
            past=True,
        ),
    )


def _event_form(
    tenant: Tenant, data: Any = None, event: Event | None = None, **kwargs: Any
) -> EventForm:
    campaigns = selectors.open_event_campaigns(coalition=tenant.coalition)
    hosts = _hosts(tenant)
    if event is not None:  # what the event has stays choosable, even if closed since
        campaigns = campaigns | EventCampaign.objects.for_coalition(tenant.coalition).filter(
            pk=event.event_campaign_id or 0
        )
        hosts = hosts | Membership.objects.for_coalition(tenant.coalition).filter(
            pk=event.host_id or 0
        ).select_related("organization")
    return EventForm(data, event_campaigns=campaigns, hosts=hosts, **kwargs)


def _save_event(
    request: HttpRequest, tenant: Tenant, form: EventForm, event: Event | None
) -> Event | None:
    """Create or update from a valid form; None (errors on the form) when refused."""
    fields = form.service_fields()
    host = fields.get("host")
    if host is None and not tenant.allows(Action.MANAGE_EVENTS):
        form.add_error("host", "Choose your organization as the host.")
        return None
    if host is not None and not (
        tenant.allows(Action.MANAGE_EVENTS) or tenant.allows(Action.HOST_EVENTS, membership=host)
    ):
        form.add_error("host", "You may host events for your own organization only.")
        return None
    try:
        start_local, end_local = form.local_times()
        zone = form.cleaned_data["time_zone"]
        starts_at = services.local_to_utc(start_local, zone)
        ends_at = services.local_to_utc(end_local, zone) if end_local else None
        if event is None:
            title = fields.pop("title")
            return services.create_event(
                coalition=tenant.coalition,
                title=title,
                starts_at=starts_at,
                time_zone=zone,
                ends_at=ends_at,
                by=signed_in_user(request),
                **fields,
            )
        return services.update_event(
            event=event, starts_at=starts_at, ends_at=ends_at, time_zone=zone, **fields
        )
    except EventError as error:
        form.add_error(None, str(error))
        return None


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def new_event(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    if not _may_create(tenant):
        tenant.require(Action.MANAGE_EVENTS)
    if request.method == "POST":
        form = _event_form(tenant, request.POST)
        if form.is_valid():
            event = _save_event(request, tenant, form, None)
            if event is not None:
                messages.success(request, f"Event “{event.title}” created.")
                return redirect("events:detail", tenant.coalition.slug, event.pk)
        status = 422
    else:
        initial: dict[str, Any] = {}
        campaign_id = request.GET.get("event_campaign", "")
        if campaign_id.isdigit():
            initial["event_campaign"] = int(campaign_id)
        own = _hosts(tenant)
        if own.count() == 1:
            initial["host"] = own.first()
        form = _event_form(tenant, initial=initial)
        status = 200
    return render(
        request, "events/event_form.html", _ctx(tenant, form=form, event=None), status=status
    )


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def edit_event(request: HttpRequest, tenant: Tenant, event_id: int) -> HttpResponse:
    event = _load(tenant, event_id, run=True)
    if request.method == "POST":
        form = _event_form(tenant, request.POST, event)
        if form.is_valid():
            saved = _save_event(request, tenant, form, event)
            if saved is not None:
                messages.success(request, "Event saved.")
                return redirect("events:detail", tenant.coalition.slug, event.pk)
        status = 422
    else:
        form = _event_form(tenant, None, event, initial=EventForm.initial_for(event))
        status = 200
    return render(
        request, "events/event_form.html", _ctx(tenant, form=form, event=event), status=status
    )


@coalition_view(Action.VIEW)
@require_POST
def cancel_event(request: HttpRequest, tenant: Tenant, event_id: int) -> HttpResponse:
    event = _load(tenant, event_id, run=True)
    services.update_event(event=event, status=Event.Status.CANCELLED)
    messages.success(request, "Event cancelled: it takes no more RSVPs.")
    return redirect("events:detail", tenant.coalition.slug, event.pk)


@coalition_view(Action.VIEW)
def event_detail(request: HttpRequest, tenant: Tenant, event_id: int) -> HttpResponse:
    event = _load(tenant, event_id)
    runs = _may_run(tenant, event)
    return render(
        request,
        "events/event_detail.html",
        _ctx(
            tenant,
            event=event,
            runs=runs,
            tally=selectors.tally(event),
            places_left=selectors.places_left(event),
            shifts=selectors.shifts_with_places(event),
            questions=list(event.questions.all()),
            attendances=selectors.attendances(event) if runs else [],
            shift_form=ShiftForm(),
            series_form=SeriesForm(),
            questions_form=QuestionsForm(
                initial={"questions": QuestionsForm.text_of(event.questions.all())}
            ),
        ),
    )


@coalition_view(Action.VIEW)
@require_POST
def add_shift(request: HttpRequest, tenant: Tenant, event_id: int) -> HttpResponse:
    event = _load(tenant, event_id, run=True)
    form = ShiftForm(request.POST)
    if form.is_valid():
        day = event.local_start.date()
        data = form.cleaned_data
        try:
            start = services.local_to_utc(
                dt.datetime.combine(day, data["start_time"]), event.time_zone
            )
            end = (
                services.local_to_utc(dt.datetime.combine(day, data["end_time"]), event.time_zone)
                if data.get("end_time")
                else None
            )
            services.add_shift(
                event=event,
                title=data["title"],
                starts_at=start,
                ends_at=end,
                capacity=data.get("capacity"),
            )
            messages.success(request, "Shift added.")
        except EventError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "A shift needs a name and a start time.")
    return redirect("events:detail", tenant.coalition.slug, event.pk)


@coalition_view(Action.VIEW)
@require_POST
def remove_shift(
    request: HttpRequest, tenant: Tenant, event_id: int, shift_id: int
) -> HttpResponse:
    event = _load(tenant, event_id, run=True)
    shift = found(
        Shift.objects.for_coalition(tenant.coalition).filter(event=event, pk=shift_id).first()
    )
    services.remove_shift(shift=shift)
    messages.success(request, "Shift removed.")
    return redirect("events:detail", tenant.coalition.slug, event.pk)


@coalition_view(Action.VIEW)
@require_POST
def questions(request: HttpRequest, tenant: Tenant, event_id: int) -> HttpResponse:
    event = _load(tenant, event_id, run=True)
    form = QuestionsForm(request.POST)
    try:
        if not form.is_valid():
            raise EventError("Could not read the questions.")
        services.set_rsvp_questions(event=event, questions=form.parsed())
        messages.success(request, "RSVP questions saved.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except EventError as error:
        messages.error(request, str(error))
    return redirect("events:detail", tenant.coalition.slug, event.pk)


@coalition_view(Action.VIEW)
@require_POST
def series(request: HttpRequest, tenant: Tenant, event_id: int) -> HttpResponse:
    event = _load(tenant, event_id, run=True)
    form = SeriesForm(request.POST)
    if form.is_valid():
        try:
            copies = services.create_weekly_series(
                event=event, weeks=form.cleaned_data["weeks"], by=signed_in_user(request)
            )
            messages.success(request, f"{len(copies)} weekly events added at the same local time.")
        except EventError as error:
            messages.error(request, str(error))
    return redirect("events:list", tenant.coalition.slug)


@coalition_view(Action.VIEW)
def check_in_page(request: HttpRequest, tenant: Tenant, event_id: int) -> HttpResponse:
    """The door: search by name or email, a ticket's code (typed, or the link its QR code holds)."""
    event = _load(tenant, event_id, run=True)
    query = request.GET.get("q", "").strip()[:100]
    code_form = CodeForm(request.GET if "code" in request.GET else None)
    scanned: Attendance | None = None
    code_error = ""
    if code_form.is_bound and code_form.is_valid():
        scanned = services.attendance_for_code(event=event, code=code_form.cleaned_data["code"])
        if scanned is None:
            code_error = "No ticket of this event has that code."
    context = _ctx(
        tenant,
        event=event,
        query=query,
        results=selectors.search_attendees(event, query) if query else [],
        code_form=code_form if not scanned else CodeForm(),
        scanned=scanned,
        code_error=code_error,
        tally=selectors.tally(event),
    )
    template = "events/_check_in_results.html" if is_htmx(request) else "events/check_in.html"
    return render(request, template, context)


def _attendance(tenant: Tenant, event: Event, attendance_id: int) -> Attendance:
    return found(
        Attendance.objects.for_coalition(tenant.coalition)
        .filter(event=event, pk=attendance_id)
        .select_related("shift")
        .first()
    )


def _back_to_door(request: HttpRequest, tenant: Tenant, event: Event) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt == "detail":
        return redirect("events:detail", tenant.coalition.slug, event.pk)
    query = request.POST.get("q", "")
    url = reverse("events:check_in", args=[tenant.coalition.slug, event.pk])
    return redirect(url + (f"?{urlencode({'q': query})}" if query else ""))


@coalition_view(Action.VIEW)
@require_POST
def check_in(
    request: HttpRequest, tenant: Tenant, event_id: int, attendance_id: int
) -> HttpResponse:
    event = _load(tenant, event_id, run=True)
    attendance = _attendance(tenant, event, attendance_id)
    try:
        done = services.check_in(attendance=attendance, by=signed_in_user(request))
        messages.success(request, f"{done.name or 'Attendee'} checked in.")
    except EventError as error:
        messages.error(request, str(error))
    return _back_to_door(request, tenant, event)


@coalition_view(Action.VIEW)
@require_POST
def undo_check_in(
    request: HttpRequest, tenant: Tenant, event_id: int, attendance_id: int
) -> HttpResponse:
    event = _load(tenant, event_id, run=True)
    attendance = _attendance(tenant, event, attendance_id)
    services.undo_check_in(attendance=attendance, by=signed_in_user(request))
    messages.success(request, "Check-in undone.")
    return _back_to_door(request, tenant, event)


@coalition_view(Action.VIEW)
@require_POST
def cancel_attendance(
    request: HttpRequest, tenant: Tenant, event_id: int, attendance_id: int
) -> HttpResponse:
    event = _load(tenant, event_id, run=True)
    attendance = _attendance(tenant, event, attendance_id)
    services.cancel_rsvp(attendance=attendance, by=signed_in_user(request))
    messages.success(request, "RSVP cancelled; the waiting list moved up.")
    return _back_to_door(request, tenant, event)


@coalition_view(Action.VIEW)
def attendance_csv(request: HttpRequest, tenant: Tenant, event_id: int) -> HttpResponse:
    event = _load(tenant, event_id, run=True)
    header, *rows = selectors.attendance_rows(event)
    return csv_response(f"{event.slug}-attendance.csv", header, rows)


# --- event campaigns ------------------------------------------------------------------------------


def _campaign_form(tenant: Tenant, data: Any = None, **kwargs: Any) -> EventCampaignForm:
    return EventCampaignForm(
        data, campaigns=Campaign.objects.for_coalition(tenant.coalition), **kwargs
    )


@coalition_view(Action.MANAGE_EVENTS)
@require_http_methods(["GET", "POST"])
def new_campaign(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = _campaign_form(tenant, request.POST or None, initial={"status": "open"})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            campaign = services.create_event_campaign(
                coalition=tenant.coalition,
                title=data.pop("title"),
                by=signed_in_user(request),
                **data,
            )
            messages.success(request, "Event campaign created: hosts can add their events.")
            return redirect("events:campaign", tenant.coalition.slug, campaign.pk)
        except EventError as error:
            form.add_error(None, str(error))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "events/campaign_form.html",
        _ctx(tenant, form=form, event_campaign=None),
        status=status,
    )


@coalition_view(Action.MANAGE_EVENTS)
@require_http_methods(["GET", "POST"])
def edit_campaign(request: HttpRequest, tenant: Tenant, event_campaign_id: int) -> HttpResponse:
    campaign = found(
        selectors.event_campaign_for_staff(
            coalition=tenant.coalition, campaign_id=event_campaign_id
        )
    )
    if request.method == "POST":
        form = _campaign_form(tenant, request.POST)
        if form.is_valid():
            try:
                services.update_event_campaign(event_campaign=campaign, **form.cleaned_data)
                messages.success(request, "Event campaign saved.")
                return redirect("events:campaign", tenant.coalition.slug, campaign.pk)
            except EventError as error:
                form.add_error(None, str(error))
    else:
        form = _campaign_form(
            tenant,
            initial={
                "title": campaign.title,
                "description": campaign.description,
                "host_toolkit": campaign.host_toolkit,
                "status": campaign.status,
                "visibility": campaign.visibility,
                "campaign": campaign.campaign_id,
            },
        )
    return render(
        request,
        "events/campaign_form.html",
        _ctx(tenant, form=form, event_campaign=campaign),
        status=422 if request.method == "POST" else 200,
    )


@coalition_view(Action.VIEW)
def campaign_detail(request: HttpRequest, tenant: Tenant, event_campaign_id: int) -> HttpResponse:
    campaign = found(
        selectors.event_campaign_for_staff(
            coalition=tenant.coalition, campaign_id=event_campaign_id
        )
    )
    rows = selectors.turnout_by_event(campaign)
    events = [row["event"] for row in rows]
    return render(
        request,
        "events/campaign_detail.html",
        _ctx(
            tenant,
            event_campaign=campaign,
            rows=rows,
            points=selectors.map_points(events),
            places=selectors.events_by_place(events),
            may_host=_may_create(tenant) and campaign.status == EventCampaign.Status.OPEN,
        ),
    )


@coalition_view(Action.VIEW)
def campaign_csv(request: HttpRequest, tenant: Tenant, event_campaign_id: int) -> HttpResponse:
    campaign = found(
        selectors.event_campaign_for_staff(
            coalition=tenant.coalition, campaign_id=event_campaign_id
        )
    )
    header = ["Event", "Host", "Starts (local)", "Time zone", "RSVPs", "Waiting", "Checked in"]
    rows = [
        [
            row["event"].title,
            row["event"].host.organization.name if row["event"].host else "",
            row["event"].local_start.strftime("%Y-%m-%d %H:%M"),
            row["event"].time_zone,
            row["rsvps"],
            row["waiting"],
            row["attended"],
        ]
        for row in selectors.turnout_by_event(campaign)
    ]
    return csv_response(f"{campaign.slug}-turnout.csv", header, rows)
