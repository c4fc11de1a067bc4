"""Enqueue the partnership audits that are due: run it from cron (e.g. daily).

    cairn queue-due-audits            # enqueue due audits (a worker runs them)
    cairn queue-due-audits --now      # run due audits in this process instead

A coalition is queued at most once per due date, even when two schedulers run at once. With the
database task backend each audit also schedules the next one itself; cron is the safety net.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cairn.audit import services
from cairn.coalitions.models import Coalition
from cairn.engines.words import counted


class Command(BaseCommand):
    help = "Enqueue (or with --now, run) the partnership audit of every coalition that is due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Run in this process rather than enqueue."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            claimed = services.claim_due_audits()
            for coalition in Coalition.objects.filter(pk__in=claimed).order_by("pk"):
                run = services.run_if_due(coalition=coalition)
                if run is None:
                    continue
                self.stdout.write(
                    f"{coalition.slug}: audit {run.number}, "
                    f"{counted(run.profiles.count(), 'member', 'members')}"
                )
            return
        queued = services.queue_due_audits()
        self.stdout.write(f"{counted(len(queued), 'audit', 'audits')} queued.")
