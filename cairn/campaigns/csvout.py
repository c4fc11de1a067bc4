"""CSV downloads of the dashboard's tables, with formula cells neutralized (a leading "'")."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        try:
            float(text)  # a negative number is a number, not a formula
        except ValueError:
            return "'" + text
    return text


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return response
