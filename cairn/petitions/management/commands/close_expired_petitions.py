"""`manage.py close_expired_petitions`: close open petitions whose deadline passed (run by cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cairn.petitions.services import close_expired_petitions


class Command(BaseCommand):
    help = "Close every open petition whose deadline has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{close_expired_petitions()} petitions closed")
