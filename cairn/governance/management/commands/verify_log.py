"""`cairn verify_log [--coalition SLUG] [--checkpoint FILE]`: re-compute each coalition's
decision-log hash chain, then check that the stored votes are exactly what replaying the log gives.
With `--checkpoint`, also prove that the log still contains the signed head in that file (so it
was neither cut short nor rewritten since the checkpoint was made)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cairn.coalitions.models import Coalition
from cairn.engines import hashchain
from cairn.engines.words import counted
from cairn.governance import selectors


class Command(BaseCommand):
    help = "Verify the hash chain of every coalition's decision log; report the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--coalition", help="Only this coalition (its slug).")
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="A signed checkpoint file: prove the log still contains its entry.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["checkpoint"]:
            self._checkpoint(Path(options["checkpoint"]), options["coalition"])
            return
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
                    checked = counted(result.checked, "entry", "entries")
                    self.stdout.write(
                        f"{coalition.slug}: OK, {checked} verified, votes match the log"
                    )
            else:
                broken.append(coalition.slug)
                self.stdout.write(
                    f"{coalition.slug}: BROKEN at entry {result.broken_at}: {result.reason} "
                    f"({counted(result.checked, 'entry', 'entries')} before it verified)"
                )
        if broken:
            raise CommandError(f"The decision log does not verify for: {', '.join(broken)}")

    def _checkpoint(self, path: Path, slug: str | None) -> None:
        try:
            document = hashchain.Checkpoint.from_json(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CommandError(f"{path}: not a checkpoint file: {error}") from error
        coalition = Coalition.objects.filter(slug=slug or document.coalition).first()
        if coalition is None:
            raise CommandError(f"No coalition {slug or document.coalition!r}.")
        check = selectors.verify_checkpoint(coalition=coalition, document=document)
        if not check.ok:
            raise CommandError(
                f"{coalition.slug}: CHECKPOINT FAILS (entry {document.seq}): {check.reason}"
            )
        self.stdout.write(
            f"{coalition.slug}: OK, the log still contains entry {document.seq} with hash "
            f"{document.hash[:16]}…, signed by key {document.key_id} at {document.signed_at}"
        )
