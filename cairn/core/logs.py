"""Logging helpers for the console (the demo, `cairn serve` without a log shipper)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404


class OneLineForClientErrors(logging.Filter):
    """A refused (403) or missing (404) page is an answer, not a failure: Django logs it with the
    exception's traceback; keep its one line ("Forbidden (Permission denied): /c/…/settings/")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied | Http404):
            record.exc_info = None
            record.exc_text = None
        return True
