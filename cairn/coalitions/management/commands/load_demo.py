"""`manage.py load_demo`: load the demo coalition (idempotent, no prompts) and say what it holds."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cairn.coalitions.demo import load_demo_coalition
from cairn.coalitions.models import Membership


class Command(BaseCommand):
    help = "Load the demo coalition; running it again creates nothing new."

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = load_demo_coalition()
        coalition = loaded.coalition
        members = (
            Membership.objects.for_coalition(coalition)
            .exclude(status__in=[Membership.Status.PROSPECT, Membership.Status.LEFT])
            .count()
        )
        outcome = "loaded" if loaded.created else "already loaded"
        self.stdout.write(f"{coalition.name}: {members} members ({outcome})")
