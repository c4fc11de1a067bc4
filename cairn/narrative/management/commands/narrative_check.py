"""`cairn narrative-check FRAMEWORK.json DRAFTS.jsonl`: the message check outside the web app.

FRAMEWORK.json is a framework in Cairn's JSON export format; DRAFTS.jsonl has one draft a line,
`{"id": ..., "text": ..., "channel"?: ..., "kind"?: ...}` ("-" reads the drafts from standard
input). One JSON line out per draft, in input order:

    {"id", "pillars": [pillar ids], "contradicts": [key message ids],
     "avoided_terms": [terms as written in the framework], "has_ask": bool,
     "off_message": bool, "key_messages": [...],
     "checked_with": "all-MiniLM-L6-v2-int8" | "wordllama-…" | "lexical",
     "contradiction_checked": bool, "reading_grade": float | null, "flags": [...]}

Needs no database: it reads only the two files. Every input line is validated before any output,
and a bad line stops the run with its line number and the reason.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Check drafts (JSON lines) against a narrative framework (JSON); one JSON line each."
    requires_system_checks: list[str] = []  # reads two files; no database or app checks needed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("framework", help="The framework JSON file.")
        parser.add_argument("drafts", help="The drafts, one JSON object a line ('-': stdin).")
        parser.add_argument(
            "--no-flags", action="store_true", help="Leave the flags out of each output line."
        )
        parser.add_argument(
            "--lexical",
            action="store_true",
            help="Use the lexical fallback even when the embedding model is installed.",
        )
        parser.add_argument("--channel", default=None, help="Channel for drafts that name none.")

    def handle(self, *args: Any, **options: Any) -> None:
        from cairn.engines import similarity

        if not options["lexical"]:
            self._run(options)
            return
        previous = similarity.current_embedder()
        similarity.set_embedder(similarity.LexicalEmbedder())
        try:
            self._run(options)
        finally:
            similarity.set_embedder(previous)

    def _run(self, options: dict[str, Any]) -> None:
        from cairn.engines.narrative import FrameworkError, check_text, load_framework

        path = Path(options["framework"])
        try:
            framework = load_framework(path.read_bytes())
        except OSError as error:
            raise CommandError(f"{path}: cannot read it ({error.strerror}).") from error
        except FrameworkError as error:
            raise CommandError(f"{path}: {error}") from error

        drafts = self._read_drafts(options["drafts"])
        out = self.stdout
        for draft in drafts:
            result = check_text(
                framework,
                draft["text"],
                channel=draft.get("channel") or options["channel"],
                kind=draft.get("kind"),
            )
            line: dict[str, Any] = {
                "id": draft["id"],
                "pillars": result.pillars,
                "contradicts": result.contradicts,
                "avoided_terms": result.avoided_terms,
                "has_ask": result.has_ask,
                "off_message": result.off_message,
                "key_messages": result.key_messages,
                "checked_with": result.checked_with,
                "contradiction_checked": result.contradiction_checked,
                "reading_grade": result.reading_grade,
            }
            if not options["no_flags"]:
                line["flags"] = [
                    {
                        "kind": f.kind,
                        "start": f.start,
                        "end": f.end,
                        "message": f.message,
                        "detail": f.detail,
                    }
                    for f in result.flags
                ]
            out.write(json.dumps(line, ensure_ascii=False))

    def _read_drafts(self, name: str) -> list[dict[str, Any]]:
        try:
            if name == "-":
                return self._parse_lines(sys.stdin, "stdin")
            with open(name, encoding="utf-8") as handle:
                return self._parse_lines(handle, name)
        except OSError as error:
            raise CommandError(f"{name}: cannot read it ({error.strerror}).") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{name}: not UTF-8 text ({error.reason}).") from error

    @staticmethod
    def _parse_lines(handle: TextIO, name: str) -> list[dict[str, Any]]:
        drafts: list[dict[str, Any]] = []
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                draft = json.loads(raw.rstrip("\r\n"))
            except json.JSONDecodeError as error:
                raise CommandError(
                    f"{name} line {number}, column {error.colno}: not valid JSON ({error.msg})."
                ) from error
            if not isinstance(draft, dict):
                raise CommandError(f"{name} line {number}: expected an object with id and text.")
            if "id" not in draft:
                raise CommandError(f"{name} line {number}: the draft has no id.")
            if not isinstance(draft.get("text"), str):
                raise CommandError(f"{name} line {number}: the draft's text must be a string.")
            for key in ("channel", "kind"):
                if draft.get(key) is not None and not isinstance(draft[key], str):
                    raise CommandError(f"{name} line {number}: {key} must be a string.")
            drafts.append(draft)
        return drafts
