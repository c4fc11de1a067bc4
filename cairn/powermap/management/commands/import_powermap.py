"""`cairn import-powermap FILE [FILE] --coalition SLUG`: the power map import, in this process.

The same reading, checking and one-transaction write as the upload page, without the page's size
limit or a worker: for very large maps (on SQLite, run it when the site is quiet: the write holds
the database's single writer lock until it commits). Every problem is printed by file, line,
column and reason; with any problem nothing is written and the command fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cairn.accounts.models import User
from cairn.coalitions.models import Coalition
from cairn.engines.words import counted
from cairn.powermap.importing import FORMAT_LABELS, MapImportError, Upload, import_map

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = "Import a power map (Kumu XLSX or CSV pair, GraphML, GEXF) into a coalition."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="One file, or two CSV files.")
        parser.add_argument("--coalition", required=True, help="The coalition's slug.")
        parser.add_argument(
            "--format", dest="fmt", default="", choices=["", *FORMAT_LABELS], help="Detected."
        )
        parser.add_argument("--by", default="", help="Email of the user recorded as importer.")
        parser.add_argument(
            "--check", action="store_true", help="Read and check only; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        coalition = Coalition.objects.filter(slug=options["coalition"]).first()
        if coalition is None:
            raise CommandError(f"No coalition with the slug {options['coalition']!r}.")
        by = None
        if options["by"]:
            by = User.objects.filter(email__iexact=options["by"]).first()
            if by is None:
                raise CommandError(f"No user with the email {options['by']!r}.")
        uploads = []
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
            uploads.append(Upload(path.name, path.read_bytes()))
        try:
            result = import_map(
                coalition=coalition,
                uploads=uploads,
                by=by,
                fmt=options["fmt"],
                dry_run=options["check"],
            )
        except MapImportError as error:
            raise CommandError(str(error)) from error
        if not result.ok:
            for problem in result.problems[:SHOWN_PROBLEMS]:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{counted(result.problem_count, 'problem', 'problems')}; nothing was imported."
            )
        verb = "would create" if result.dry_run else "created"
        people = counted(result.stakeholders_created, "stakeholder", "stakeholders")
        ties = counted(result.relationships_created, "relationship", "relationships")
        self.stdout.write(
            f"{', '.join(result.sources)}: {verb} {people} "
            f"({result.stakeholders_updated:,} updated, {result.stakeholders_unchanged:,} "
            f"unchanged) and {ties} ({result.relationships_updated:,} updated, "
            f"{result.relationships_unchanged:,} unchanged)."
        )
