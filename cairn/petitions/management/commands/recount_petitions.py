"""`manage.py recount_petitions [slug ...]`: rebuild public counts from the signatures."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cairn.petitions.models import Petition
from cairn.petitions.services import recount_petition


class Command(BaseCommand):
    help = "Recount petitions' confirmed, valid signatures and fix their public counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="Petition slugs (default: every petition).")

    def handle(self, *args: Any, **options: Any) -> None:
        petitions = Petition.objects.order_by("pk")
        if options["slugs"]:
            petitions = petitions.filter(slug__in=options["slugs"])
        for petition in petitions:
            before, after = recount_petition(petition=petition)
            change = "ok" if before == after else f"fixed (was {before:,})"
            self.stdout.write(f"{petition.slug}: {after:,} {change}")
