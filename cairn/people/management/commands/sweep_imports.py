"""`cairn sweep-imports`: restart (or fail, with a message) imports whose worker was killed.

Every import task runs this sweep before its own work, and the progress page of a job runs it for
that coalition; this command is for a cron job beside the task worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cairn.people import importing


class Command(BaseCommand):
    help = "Restart imports whose worker stopped; fail those that stopped too often."

    def handle(self, *args: Any, **options: Any) -> None:
        result = importing.sweep_stuck_imports()
        self.stdout.write(
            f"Stuck imports: {len(result.restarted)} restarted, {len(result.failed)} failed."
        )
