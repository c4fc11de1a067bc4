"""`cairn governance_tick`: open scheduled proposals, send reminders, close those past deadline.

Run it from cron every few minutes when the task backend cannot defer work; running it more
often, or twice at once, changes nothing more."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cairn.engines.words import counted
from cairn.governance import services


class Command(BaseCommand):
    help = "Catch every proposal up with the clock (open, remind, close)."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = services.advance_due_proposals()
        self.stdout.write(f"{counted(changed, 'proposal', 'proposals')} advanced")
