"""What other apps do when a member's commitment is delivered.

The coalitions app owns commitments and deliveries; an app that must react to a delivery (the
ledger posts a funding commitment's delivery into the pooled fund) registers a hook here from its
`AppConfig.ready`, so coalitions never imports it. Hooks run inside `record_delivery`'s
transaction, in registration order: a hook that raises undoes the delivery too, so a delivery is
never recorded without what the hooks do with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Delivery

DeliveryHook = Callable[["Delivery"], object]

_HOOKS: dict[str, DeliveryHook] = {}


def register_delivery_hook(name: str, hook: DeliveryHook) -> None:
    """Run `hook(delivery)` for every delivery recorded from now on (a name registers once)."""
    _HOOKS[name] = hook


def delivery_hooks() -> list[DeliveryHook]:
    return list(_HOOKS.values())


def run_delivery_hooks(delivery: Delivery) -> None:
    for hook in delivery_hooks():
        hook(delivery)
