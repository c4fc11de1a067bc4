"""The open petitions of a coalition, as a section of its public page (cairn.coalitions.public).

Only open petitions are listed: drafts, petitions in moderation, rejected, taken down, closed and
won ones are not. An entry carries the petition's public title, address, deadline and count.
"""

from __future__ import annotations

import html

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import ngettext

from cairn.coalitions.models import Coalition
from cairn.coalitions.public import PublicEntry, PublicSection

from .models import Petition
from .selectors import counts_for

LIMIT = 12


def open_petitions(coalition: Coalition) -> list[PublicEntry]:
    petitions = list(
        Petition.objects.filter(coalition=coalition, status=Petition.Status.OPEN).order_by(
            "-opened_at", "-pk"
        )[:LIMIT]
    )
    counts = counts_for(petitions)
    entries = []
    for petition in petitions:
        count = counts[petition.pk]
        meta = ngettext("%(n)s signature", "%(n)s signatures", count) % {"n": f"{count:,}"}
        if petition.deadline:
            meta += f" · closes {date_format(petition.deadline, 'j F Y')}"
        entries.append(
            PublicEntry(
                title=petition.title,
                url=reverse("petitions_public:petition", args=[petition.slug]),
                summary=Truncator(html.unescape(strip_tags(petition.background))).words(30),
                meta=meta,
            )
        )
    return entries


def all_petitions_url(coalition: Coalition) -> str:
    return f"{reverse('petitions_public:list')}?{urlencode({'coalition': coalition.slug})}"


SECTION = PublicSection(
    key="petitions",
    title="Open petitions",
    entries=open_petitions,
    order=10,
    more_url=all_petitions_url,
)
