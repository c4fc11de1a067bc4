"""What the advocacy app plugs into: the people app's merge and erasure hooks, and the campaign
dashboard's engagement sources `letters` and `calls` (outreaches per day and per member
organization that brought them)."""

from __future__ import annotations


def register_all() -> None:
    from cairn.campaigns import engagement
    from cairn.people import hooks

    from . import sources
    from .people_hooks import HOOKS

    hooks.register(HOOKS)
    for source in sources.SOURCES:
        engagement.register(source)
