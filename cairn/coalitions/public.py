"""A coalition's public page: what the public may read about it, and the sections apps add to it.

The page shows a published coalition's name, mission and horizon, the active member organizations
that chose to be listed, and then one section per registered source (open petitions today; events
and fundraisers as those apps arrive). A section answers one question, "what should the public see
of this coalition?", as plain entries (a title, an address, a line of text): it never hands the
page a model, so nothing private can reach the template by accident. Register from `ready()`:

    public.register(PublicSection(key="events", title="Upcoming events", entries=upcoming_events))

Only published coalitions are read here: an unpublished or missing slug is simply not found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Coalition, Membership


@dataclass(frozen=True, slots=True)
class PublicEntry:
    title: str
    url: str
    summary: str = ""  # one line of public text
    meta: str = ""  # a short figure or date: "1,204 signatures", "Closes 3 March"


# (a published coalition) → its public entries, most important first; [] hides the section
PublicEntries = Callable[[Coalition], list[PublicEntry]]


@dataclass(frozen=True, slots=True)
class PublicSection:
    key: str
    title: str  # "Open petitions"
    entries: PublicEntries
    order: int = 100  # position on the page
    more_url: Callable[[Coalition], str] | None = None  # "see all" address, if there is one


_SECTIONS: dict[str, PublicSection] = {}


def register(section: PublicSection) -> None:
    """Add (or replace, on a repeated ready()) the section named `section.key`."""
    _SECTIONS[section.key] = section


def unregister(key: str) -> None:
    _SECTIONS.pop(key, None)


def sections() -> list[PublicSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


@dataclass(frozen=True, slots=True)
class FilledSection:
    section: PublicSection
    entries: list[PublicEntry]
    more_url: str


def filled_sections(coalition: Coalition) -> list[FilledSection]:
    """The registered sections that have something to show for this published coalition."""
    filled = []
    for section in sections():
        entries = section.entries(coalition)
        if entries:
            more = section.more_url(coalition) if section.more_url else ""
            filled.append(FilledSection(section=section, entries=entries, more_url=more))
    return filled


# --- selectors ---------------------------------------------------------------------------------


def published_coalitions() -> QuerySet[Coalition]:
    """Coalitions that publish a public page, by name."""
    return Coalition.objects.filter(publish_public_page=True).order_by("name")


def published_coalition(*, slug: str) -> Coalition | None:
    return published_coalitions().filter(slug=slug).first()


def listed_members(*, coalition: Coalition) -> QuerySet[Membership]:
    """Active member organizations of the coalition that chose to be named publicly."""
    return (
        Membership.objects.for_coalition(coalition)
        .filter(status=Membership.Status.ACTIVE, listed_publicly=True)
        .select_related("organization")
        .order_by("organization__name")
    )
