"""`cairn verify_log [--coalition SLUG]`: re-compute each coalition's decision-log hash chain,
then check that the stored votes are exactly what replaying the log gives."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cairn.coalitions.models import Coalition
from cairn.governance import selectors


class Command(BaseCommand):
    help = "Verify the hash chain of every coalition's decision log; report the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--coalition", help="Only this coalition (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        coalitions = Coalition.objects.order_by("slug")
        if options["coalition"]:
            coalitions = coalitions.filter(slug=options["coalition"])
            if not coalitions.exists():
                raise CommandError(f"No coalition {options['coalition']!r}.")
        broken = []
        for coalition in coalitions:
            result = selectors.verify_log(coalition=coalition)
            if result.ok:
                problems = selectors.votes_match_log(coalition=coalition)
                for problem in problems:
                    self.stdout.write(f"{coalition.slug}: VOTES DIFFER: {problem}")
                if problems:
                    broken.append(coalition.slug)
                else:
                    self.stdout.write(
                        f"{coalition.slug}: OK, {result.checked} entries verified, "
                        "votes match the log"
                    )
            else:
                broken.append(coalition.slug)
                self.stdout.write(
                    f"{coalition.slug}: BROKEN at entry {result.broken_at}: {result.reason} "
                    f"({result.checked} entries before it verified)"
                )
        if broken:
            raise CommandError(f"The decision log does not verify for: {', '.join(broken)}")
