"""Enqueue the measurement feeds that are due: run it from cron (e.g. every 15 minutes).

    cairn pull-measurement-feeds            # enqueue due feeds (a worker pulls them)
    cairn pull-measurement-feeds --now      # pull due feeds in this process instead

Each feed is queued at most once per its interval, even when two schedulers run at once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cairn.campaigns import services
from cairn.engines.words import counted


class Command(BaseCommand):
    help = "Enqueue (or with --now, pull) every measurement feed whose interval has passed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Pull in this process rather than enqueue."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            from cairn.campaigns.feeds import pull_feed

            for feed in services.claim_due_feeds():
                result = pull_feed(feed=feed)
                self.stdout.write(
                    f"feed {feed.pk} (objective {feed.objective_id}): {result.outcome}, "
                    f"{result.created} recorded, {result.skipped} already there, "
                    f"{counted(len(result.errors), 'error', 'errors')}"
                )
            return
        queued = services.queue_due_feeds()
        self.stdout.write(
            f"{counted(len(queued), 'measurement feed', 'measurement feeds')} queued."
        )
