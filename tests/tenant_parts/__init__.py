"""Coalition B's rows for the tenant walker (tests/test_tenant_isolation.py), one module per app
built after the walker, so that apps built side by side never edit the same lines.

A module here defines:

    MODELS: list of the app's tenant-owned models (each with `objects.for_coalition`); the walker
        snapshots B's rows of each before the walk and checks that none changed after it;
    def rows(ctx: Context) -> dict[str, Any]: make B's rows of every kind through the app's
        services, and return the URL parameters of the app's routes (`"event_id": event.pk`);
        a parameter the walker meets without a value fails the walk. POST fields a route needs
        to get past form validation go into `ctx.post_data` (never overwrite a key already set).

Modules are found by name (every `*.py` here but this one), in alphabetical order.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any


@dataclass
class Context:
    coalition: Any  # B
    steward: Any  # B's steward (a StaffMember)
    organizer: Any  # B's member-organizer (a StaffMember of `member`)
    member: Any  # B's member organization (a Membership)
    person: Any  # B's supporter, named with the secret
    secret: str  # the text that must never appear in a page answered to coalition A's steward
    ids: dict[str, Any]  # the URL parameters made so far (campaign_id, target_id, …)
    post_data: dict[str, str] = field(default_factory=dict)


def parts() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
    ]


def models() -> list[type[Any]]:
    return [model for part in parts() for model in part.MODELS]
