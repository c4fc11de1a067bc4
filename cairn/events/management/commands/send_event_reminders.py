"""Send the event reminders that are due: run it from cron (e.g. every 15 minutes).

    cairn send-event-reminders

With the database task backend each event queues its own reminder for its time; this is the
safety net (and the way with a backend that cannot defer). Each attendee gets a schedule's
reminder at most once, however often this runs and whatever the queue did already.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cairn.engines.words import counted
from cairn.events import services, tasks


class Command(BaseCommand):
    help = "Send every event reminder that is due and not sent yet."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = 0
        for event in services.due_reminder_events():
            sent += tasks.send_event_reminders.call(event.pk, event.schedule_version)
        self.stdout.write(counted(sent, "reminder sent", "reminders sent"))
