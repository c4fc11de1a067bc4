"""`cairn create-api-token --coalition SLUG --name NAME`: a new OSDI API token, printed once.

For operators and scripts (the acceptance suite); stewards use the coalition's API tokens page.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cairn.api import services
from cairn.coalitions.models import Coalition


class Command(BaseCommand):
    help = "Create an API token for a coalition and print it (it is shown this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--coalition", required=True, help="The coalition's slug.")
        parser.add_argument("--name", required=True, help="What the token is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        coalition = Coalition.objects.filter(slug=options["coalition"]).first()
        if coalition is None:
            raise CommandError(f"No coalition with the slug {options['coalition']!r}.")
        try:
            created = services.create_token(
                coalition=coalition, name=options["name"], created_by=None
            )
        except services.ApiTokenError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(created.raw)
