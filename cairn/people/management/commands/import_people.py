"""`cairn import-people FILE --coalition SLUG`: the web import's pipeline, on the command line.

The file goes through the same job, mapping, validation and one-transaction write as an upload,
in this process (no worker needed), printing progress as it goes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cairn.coalitions.models import Coalition, Membership
from cairn.engines.words import counted
from cairn.people import importing
from cairn.people.models import ImportJob

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Import people from a CSV file into a coalition (all rows, or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--coalition", required=True, help="The coalition's slug.")
        parser.add_argument(
            "--mapping",
            default="auto",
            help='"auto" (from the header names), a JSON object {"column": "field"} or a path '
            "to a JSON file holding one. Fields: "
            + ", ".join(importing.FIELDS)
            + ", custom:<name>.",
        )
        parser.add_argument(
            "--encoding",
            default="",
            choices=["", *importing.ENCODINGS],
            help="The file's encoding (detected when not given).",
        )
        parser.add_argument(
            "--source", default="", help="Name of the member organization the file comes from."
        )
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Import the good rows of a file that has bad ones.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        coalition = Coalition.objects.filter(slug=options["coalition"]).first()
        if coalition is None:
            raise CommandError(f"No coalition with the slug {options['coalition']!r}.")
        source = None
        if options["source"]:
            source = (
                Membership.objects.for_coalition(coalition)
                .filter(organization__name__iexact=options["source"])
                .first()
            )
            if source is None:
                raise CommandError(f"No member organization named {options['source']!r}.")
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            with path.open("rb") as stream:
                job = importing.create_import_job(
                    coalition=coalition,
                    upload=File(stream),
                    filename=path.name,
                    created_by=None,
                    source_membership=source,
                    encoding=options["encoding"],
                )
            mapping = self._mapping(options["mapping"], job)
            job = importing.set_mapping(job=job, mapping=mapping)
        except importing.ImportError_ as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{path.name}: {job.encoding}, about {counted(job.rows_total, 'row', 'rows')}"
        )
        for column, target in job.mapping.items():
            self.stdout.write(f"  {column} → {target or '(ignored)'}")
        job = importing.start_import(
            job=job, skip_bad_rows=options["skip_bad_rows"], inline=True, progress=self._progress
        )
        if job.status == ImportJob.Status.NEEDS_REVIEW:
            for row_error in job.errors[:SHOWN_ERRORS]:
                column = f", {row_error['column']}" if row_error["column"] else ""
                self.stderr.write(f"line {row_error['line']}{column}: {row_error['reason']}")
            if job.error_count > SHOWN_ERRORS:
                more = job.error_count - SHOWN_ERRORS
                self.stderr.write(f"... and {counted(more, 'more error', 'more errors')}")
            bad = len({e["line"] for e in job.errors})
            rows = "1 row has" if bad == 1 else f"{bad:,} rows have"
            importing.cancel_import(job=job)
            raise CommandError(
                f"{rows} errors; nothing was imported. Fix them, or run again with "
                "--skip-bad-rows to import the other rows."
            )
        self.stdout.write(
            f"Done: {job.rows_created:,} created, {job.rows_updated:,} updated, "
            f"{job.rows_skipped:,} skipped."
        )

    def _mapping(self, value: str, job: ImportJob) -> dict[str, str]:
        if value == "auto":
            return dict(job.mapping)
        text = Path(value).read_text() if Path(value).is_file() else value
        try:
            mapping = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(f"--mapping is not JSON: {error}") from error
        if not isinstance(mapping, dict):
            raise CommandError('--mapping must be an object: {"column": "field"}.')
        return {str(k): str(v) for k, v in mapping.items()}

    _last: tuple[str, int] = ("", -1)

    def _progress(self, job: ImportJob) -> None:
        total = job.rows_total or 1
        step = job.rows_processed * 10 // total  # a line per tenth, and the last one
        if (job.status, step) == self._last:
            return
        self._last = (job.status, step)
        self.stdout.write(
            f"{job.status}: {job.rows_processed:,} of {job.rows_total:,} rows ({job.percent}%)"
        )
        self.stdout.flush()
