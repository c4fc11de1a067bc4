"""What a decision can authorize: the registry behind the authorization page.

An app makes its rows linkable to a decision's outcome by registering the model with the rows a
coalition may link (`choices`) and the page that shows one (`url`). Registration happens in an
`AppConfig.ready()`; the apps built before this registry (campaigns, petitions) are registered by
governance's own `ready()` when they are installed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet

from cairn.coalitions.models import Coalition


@dataclass(frozen=True, slots=True)
class Kind:
    label: str  # e.g. "Campaign"
    model: type[models.Model]
    choices: Callable[[Coalition], QuerySet[models.Model]]  # the coalition's rows, newest first
    url: Callable[[str, models.Model], str]  # (coalition slug, row) -> its page

    @property
    def key(self) -> str:
        return self.model._meta.label_lower  # "campaigns.campaign"


_KINDS: dict[str, Kind] = {}

CHOICE_LIMIT = 200  # newest rows of each kind offered in the link form


def register(kind: Kind) -> None:
    _KINDS[kind.key] = kind


def kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: k.label)


def kind_of(model: type[models.Model]) -> Kind | None:
    return _KINDS.get(model._meta.label_lower)


def choices(coalition: Coalition) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices "<kind key>:<pk>" for a select of the rows a coalition may link."""
    return [
        (
            kind.label,
            [(f"{kind.key}:{row.pk}", str(row)) for row in kind.choices(coalition)[:CHOICE_LIMIT]],
        )
        for kind in kinds()
    ]


def resolve(coalition: Coalition, value: str) -> models.Model | None:
    """The row a choice names, if it is one of the coalition's linkable rows."""
    key, _, pk = value.partition(":")
    kind = _KINDS.get(key)
    if kind is None or not pk:
        return None
    return kind.choices(coalition).filter(pk=pk).first()


def register_built_in() -> None:
    from django.apps import apps
    from django.urls import reverse

    if apps.is_installed("cairn.campaigns"):
        from cairn.campaigns.models import Campaign

        register(
            Kind(
                label="Campaign",
                model=Campaign,
                choices=lambda c: Campaign.objects.filter(coalition=c).order_by("-pk"),
                url=lambda slug, row: reverse("campaigns:campaign", args=[slug, row.pk]),
            )
        )
    if apps.is_installed("cairn.petitions"):
        from cairn.petitions.models import Petition

        register(
            Kind(
                label="Petition",
                model=Petition,
                choices=lambda c: Petition.objects.filter(coalition=c).order_by("-pk"),
                url=lambda slug, row: reverse("petitions:detail", args=[slug, row.pk]),
            )
        )
