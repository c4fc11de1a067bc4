"""iCalendar (RFC 5545) for events, built with the `icalendar` library: one event's `.ics` and a
feed of many (a coalition's public events, or an event campaign's).

Times are written in the event's own zone (DTSTART;TZID=America/New_York:20270315T090000) with a
VTIMEZONE for each zone used, its transitions covering the events' years, so a calendar shows the
local time the host chose on both sides of a DST change; UID is the event's uuid, stable across
edits, and SEQUENCE its schedule version so calendars replace a moved event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar
import nh3
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Event

PRODID = "-//Cairn//Events//EN"


def _plain(html: str) -> str:
    return nh3.clean(html, tags=set()).strip() if html else ""


def _vevent(event: Event, site_url: str) -> icalendar.Event:
    item = icalendar.Event()
    item.add("uid", f"{event.uuid}@cairn")
    item.add("dtstamp", event.modified_at.astimezone(dt.UTC))
    item.add("created", event.created_at.astimezone(dt.UTC))
    item.add("last-modified", event.modified_at.astimezone(dt.UTC))
    item.add("sequence", event.schedule_version - 1)
    item.add("summary", event.title)
    item.add("dtstart", timezone.localtime(event.starts_at, event.zone))
    if event.ends_at:
        item.add("dtend", timezone.localtime(event.ends_at, event.zone))
    url = site_url + reverse("events_public:event", kwargs={"event_slug": event.slug})
    item.add("url", url)
    description = _plain(event.description)
    if event.online_url:
        description = f"{description}\n\nOnline: {event.online_url}".strip()
    item.add("description", f"{description}\n\n{url}".strip())
    location = event.place_line or event.online_url
    if location:
        item.add("location", location)
    if event.latitude is not None and event.longitude is not None:
        item.add("geo", (event.latitude, event.longitude))
    item.add(
        "status",
        {"confirmed": "CONFIRMED", "tentative": "TENTATIVE", "cancelled": "CANCELLED"}[
            event.status
        ],
    )
    return item


def calendar_of(events: Iterable[Event], *, name: str = "", site_url: str = "") -> bytes:
    """A VCALENDAR of the events, with a VTIMEZONE for each of their zones."""
    site = (site_url or settings.CAIRN_SITE_URL).rstrip("/")
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    years: list[int] = []
    for event in events:
        cal.add_component(_vevent(event, site))
        years.append(event.starts_at.year)
    if years:
        cal.add_missing_timezones(
            first_date=dt.date(min(years) - 1, 1, 1), last_date=dt.date(max(years) + 2, 1, 1)
        )
    return bytes(cal.to_ical())


def event_ics(event: Event, *, site_url: str = "") -> bytes:
    """One event's `.ics`."""
    return calendar_of([event], name=event.title, site_url=site_url)
