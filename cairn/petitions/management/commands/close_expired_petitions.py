"""`manage.py close_expired_petitions`: close open petitions whose deadline passed (run by cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from cairn.petitions.services import close_expired_petitions


class Command(BaseCommand):
    help = "Close every open petition whose deadline has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = close_expired_petitions()
        self.stdout.write(
            ngettext("%(n)d petition closed", "%(n)d petitions closed", closed) % {"n": closed}
        )
