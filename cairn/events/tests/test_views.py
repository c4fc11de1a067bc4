"""Events' pages: a host creates an event (local time in its zone), a supporter RSVPs through the
public form (twice: one attendance), the host checks them in by search and by the ticket's code;
exports neutralize formulas; organizers run only their own organization's events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership, Role, StaffMember
from cairn.events import services
from cairn.events.models import Attendance, Event, EventCampaign

from .conftest import person

pytestmark = pytest.mark.django_db


def _login(client: Client, staff: StaffMember) -> Client:
    client.force_login(staff.user)
    return client


def _form(**over: Any) -> dict[str, Any]:
    data = {
        "title": "Capitol visit",
        "date": "2027-03-15",
        "start_time": "09:00",
        "end_time": "12:00",
        "time_zone": "America/New_York",
        "venue": "State House",
        "address": "200 W Washington St",
        "locality": "Indianapolis",
        "region": "IN",
        "postal_code": "46204",
        "country": "US",
        "capacity": "2",
        "reminder_hours": "24",
        "status": "confirmed",
        "visibility": "public",
    }
    data.update(over)
    return data


def test_host_creates_event_in_campaign_supporter_rsvps_host_checks_in(
    client: Client,
    coalition: Coalition,
    host: Membership,
    staff_factory: Callable[..., StaffMember],
) -> None:
    # given an open lobby day and an organizer of the host organization
    day = services.create_event_campaign(
        coalition=coalition, title="Lobby day", by=None, host_toolkit="<p>Talking points</p>"
    )
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=host)
    _login(client, organizer)
    page = client.get(reverse("events:campaign", args=[coalition.slug, day.pk]))
    assert page.status_code == 200
    assert b"Talking points" in page.content
    assert b"Host an event" in page.content
    # when they create an event in it at 09:00 New York time the day after spring-forward
    response = client.post(
        reverse("events:new", args=[coalition.slug]),
        _form(event_campaign=day.pk, host=host.pk),
    )
    event = Event.objects.get()
    assert response.status_code == 302
    assert event.starts_at == dt.datetime(2027, 3, 15, 13, 0, tzinfo=dt.UTC)  # EDT, UTC-4
    assert event.event_campaign == day
    assert event.host == host
    # and a supporter RSVPs twice on the public page
    public = Client()
    url = reverse("events_public:rsvp", args=[event.slug])
    form = {"given_name": "Ana", "family_name": "Lima", "email": "ana@example.org"}
    first = public.post(url, form)
    again = public.post(url, form)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Attendance.objects.filter(event=event).count() == 1
    ticket = public.get(first["Location"])
    assert b"<svg" in ticket.content
    assert b"You're going" in ticket.content
    # then the host finds them at the door and checks them in
    door = client.get(reverse("events:check_in", args=[coalition.slug, event.pk]), {"q": "ana"})
    assert b"Ana Lima" in door.content
    attendance = Attendance.objects.get()
    client.post(reverse("events:check_in_one", args=[coalition.slug, event.pk, attendance.pk]))
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.ATTENDED
    # and the ticket's code finds the same attendance (typed without a camera)
    code = services.attendance_code(attendance)
    found = client.get(reverse("events:check_in", args=[coalition.slug, event.pk]), {"code": code})
    assert b"Ticket: Ana Lima" in found.content


def test_a_wall_clock_time_the_zone_skips_is_refused(
    client: Client, coalition: Coalition, steward: StaffMember
) -> None:
    _login(client, steward)
    response = client.post(
        reverse("events:new", args=[coalition.slug]),
        _form(date="2027-03-14", start_time="02:30", end_time=""),
    )
    assert response.status_code == 422
    assert b"does not exist in America/New_York" in response.content
    assert Event.objects.count() == 0


def test_organizers_run_only_their_own_events(
    client: Client,
    coalition: Coalition,
    host: Membership,
    membership_factory: Callable[..., Membership],
    staff_factory: Callable[..., StaffMember],
    event_factory: Callable[..., Event],
) -> None:
    other_member = membership_factory(coalition)
    theirs = event_factory(host=other_member)
    services.rsvp(event=theirs, person=person(1))
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=host)
    _login(client, organizer)
    detail = client.get(reverse("events:detail", args=[coalition.slug, theirs.pk]))
    assert detail.status_code == 200
    assert b"ana1@example.org" not in detail.content
    for name in ("check_in", "attendance_csv", "edit"):
        assert (
            client.get(reverse(f"events:{name}", args=[coalition.slug, theirs.pk])).status_code
            == 403
        )
    refused = client.post(reverse("events:new", args=[coalition.slug]), _form(host=other_member.pk))
    assert refused.status_code == 422
    assert Event.objects.count() == 1
    assert client.get(reverse("events:new_campaign", args=[coalition.slug])).status_code == 403


def test_attendance_csv_neutralizes_formulas(
    client: Client, coalition: Coalition, steward: StaffMember, event_factory: Callable[..., Event]
) -> None:
    event = event_factory()
    services.rsvp(
        event=event,
        person=person(1, given='=HYPERLINK("http://evil")'),
    )
    _login(client, steward)
    response = client.get(reverse("events:attendance_csv", args=[coalition.slug, event.pk]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in body


def test_public_pages_and_feeds(
    client: Client, coalition: Coalition, event_factory: Callable[..., Event]
) -> None:
    day = services.create_event_campaign(coalition=coalition, title="Day of action", by=None)
    event_factory(event_campaign=day, latitude=39.77, longitude=-86.16, locality="Indianapolis")
    event_factory(event_campaign=day, title="Online call", online_url="https://meet.example.org/x")
    page = client.get(reverse("events_public:event_campaign", args=[day.slug]))
    assert page.status_code == 200
    assert b"<circle" in page.content
    assert b"Online" in page.content
    feed = client.get(reverse("events_public:event_campaign_ics", args=[day.slug]))
    assert feed["Content-Type"].startswith("text/calendar")
    assert feed.content.count(b"BEGIN:VEVENT") == 2
    assert client.get(reverse("events_public:coalition", args=[coalition.slug])).status_code == 404
    coalition.publish_public_page = True
    coalition.save(update_fields=["publish_public_page"])
    listing = client.get(reverse("events_public:coalition", args=[coalition.slug]))
    assert b"Online call" in listing.content
    front = client.get(reverse("public:coalition", args=[coalition.slug]))
    assert b"Upcoming events" in front.content
    assert b"Online call" in front.content
    # a private (link-only) day of action's events stay off the coalition's list
    services.update_event_campaign(event_campaign=day, visibility="private")
    listing = client.get(reverse("events_public:coalition", args=[coalition.slug]))
    assert b"Online call" not in listing.content
    services.update_event_campaign(event_campaign=day, status=EventCampaign.Status.DRAFT)
    assert client.get(reverse("events_public:event_campaign", args=[day.slug])).status_code == 404


def test_a_full_event_puts_the_next_rsvp_on_the_waiting_list_with_its_place(
    client: Client, event_factory: Callable[..., Event]
) -> None:
    event = event_factory(capacity=1)
    services.rsvp(event=event, person=person(1))
    services.rsvp(event=event, person=person(2))
    page = client.get(reverse("events_public:event", args=[event.slug]))
    assert b"Full: RSVP to join the waiting list" in page.content
    response = client.post(
        reverse("events_public:rsvp", args=[event.slug]),
        {"given_name": "Cai", "email": "cai@example.org"},
    )
    ticket = client.get(response["Location"])
    assert b"on the waiting list, number 2" in ticket.content
    assert b"ticket__qr" not in ticket.content  # no check-in code until a place is theirs


def test_public_rsvp_is_rate_limited(
    client: Client, event_factory: Callable[..., Event], settings: Any
) -> None:
    event = event_factory()
    url = reverse("events_public:rsvp", args=[event.slug])
    for n in range(services.PUBLIC_RSVPS_PER_WINDOW):
        assert (
            client.post(url, {"given_name": "A", "email": f"a{n}@example.org"}).status_code == 302
        )
    refused = client.post(url, {"given_name": "A", "email": "late@example.org"})
    assert refused.status_code == 429
    assert Attendance.objects.count() == services.PUBLIC_RSVPS_PER_WINDOW


def test_staff_pages_render(
    client: Client, coalition: Coalition, steward: StaffMember, event_factory: Callable[..., Event]
) -> None:
    day = services.create_event_campaign(coalition=coalition, title="Day", by=None)
    event = event_factory(event_campaign=day, starts_at=timezone.now() + dt.timedelta(days=2))
    services.add_shift(event=event, title="Morning", starts_at=event.starts_at, capacity=3)
    services.rsvp(event=event, person=person(1))
    _login(client, steward)
    for url in (
        reverse("events:list", args=[coalition.slug]),
        reverse("events:past", args=[coalition.slug]),
        reverse("events:new", args=[coalition.slug]),
        reverse("events:new_campaign", args=[coalition.slug]),
        reverse("events:campaign", args=[coalition.slug, day.pk]),
        reverse("events:edit_campaign", args=[coalition.slug, day.pk]),
        reverse("events:detail", args=[coalition.slug, event.pk]),
        reverse("events:edit", args=[coalition.slug, event.pk]),
        reverse("events:check_in", args=[coalition.slug, event.pk]),
        reverse("events:campaign_csv", args=[coalition.slug, day.pk]),
    ):
        assert client.get(url).status_code == 200, url
    home = client.get(reverse("events:list", args=[coalition.slug]))
    assert b'aria-current="page">Events' in home.content


def test_editing_keeps_a_closed_campaign_and_moves_the_time(
    client: Client,
    coalition: Coalition,
    steward: StaffMember,
    host: Membership,
    event_factory: Callable[..., Event],
) -> None:
    day = services.create_event_campaign(coalition=coalition, title="Day", by=None)
    event = event_factory(event_campaign=day)
    services.update_event_campaign(event_campaign=day, status=EventCampaign.Status.CLOSED)
    _login(client, steward)
    edit = reverse("events:edit", args=[coalition.slug, event.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, _form(event_campaign=day.pk, host=host.pk, date="2027-11-08", start_time="09:00")
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.event_campaign == day
    assert event.starts_at == dt.datetime(2027, 11, 8, 14, 0, tzinfo=dt.UTC)  # EST again
    assert event.schedule_version == 2
