"""OSDI `filter` on collections: the OData subset parsed by `cairn.engines.odata`, mapped to ORM
lookups per collection. Unknown fields, operators or values are a FilterError (400), never a 5xx.

Dates compare at the precision they are shown with (seconds, or days for a bare date), so a client
that asks for `modified_date gt '<the last modified_date it saw>'` does not get that record again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from cairn.engines.emails import canonical_email, normalize_phone
from cairn.engines.odata import Condition, ODataError, Op, parse_filter
from cairn.engines.phones import PhoneError, to_e164

from .errors import FilterError

M = TypeVar("M", bound=Model)


class Kind(StrEnum):
    DATETIME = "datetime"
    TEXT = "text"  # case-insensitive equality
    EMAIL = "email"  # canonical email equality
    PHONE = "phone"  # normalized phone equality


@dataclass(frozen=True, slots=True)
class FilterField:
    lookup: str
    kind: Kind
    related: bool = False  # crosses a to-many relation: the result needs .distinct()


DATES = {
    "created_date": FilterField("created_at", Kind.DATETIME),
    "modified_date": FilterField("modified_at", Kind.DATETIME),
}


def apply_filter(
    rows: QuerySet[M], text: str | None, fields: Mapping[str, FilterField], *, region: str = ""
) -> QuerySet[M]:
    """`rows` narrowed by every condition of the filter `text` (None or blank: unchanged).

    `region` is the coalition's phone region: a phone number written without its country code
    is read there, as the people app reads it when it stores one."""
    if not text or not text.strip():
        return rows
    try:
        conditions = parse_filter(text)
    except ODataError as error:
        raise FilterError(str(error)) from error
    distinct = False
    for condition in conditions:
        field = fields.get(condition.field)
        if field is None:
            allowed = ", ".join(sorted(fields))
            raise FilterError(f"{condition.field!r} is not filterable here; use one of {allowed}.")
        rows = rows.filter(_q(field, condition, region))
        distinct = distinct or field.related
    return rows.distinct() if distinct else rows


def _q(field: FilterField, condition: Condition, region: str = "") -> Q:
    if field.kind == Kind.DATETIME:
        return _date_q(field.lookup, condition)
    if condition.op != Op.EQ:
        raise FilterError(f"{condition.field} supports only 'eq'.")
    if field.kind == Kind.EMAIL:
        return Q(**{field.lookup: canonical_email(condition.value)})
    if field.kind == Kind.PHONE:
        # Stored numbers are E.164 keys: the value is read as the people app reads a number
        # (Parsons sends digits only, other clients E.164 or a national form). Digits with and
        # without "+" still match rows stored before numbers were keys.
        digits = normalize_phone(condition.value).lstrip("+")
        if not digits:
            raise FilterError(f"{condition.value!r} is not a phone number.")
        keys = [digits, f"+{digits}"]
        with contextlib.suppress(PhoneError):  # unreadable: only the literal digits can match
            keys.append(to_e164(condition.value, region))
        return Q(**{f"{field.lookup}__in": keys})
    return Q(**{f"{field.lookup}__iexact": condition.value})


def parse_moment(value: str) -> tuple[dt.datetime, dt.timedelta]:
    """The instant a date or datetime names, and the precision it was given with."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC), dt.timedelta(days=1)
        moment = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise FilterError(f"{value!r} is not a date (YYYY-MM-DD) or a datetime.") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        moment = moment.astimezone(dt.UTC)
    except OverflowError as error:
        raise FilterError(f"{value!r} is out of range.") from error
    return moment.replace(microsecond=0), dt.timedelta(seconds=1)


def _date_q(lookup: str, condition: Condition) -> Q:
    start, step = parse_moment(condition.value)
    try:
        end = start + step
    except OverflowError:
        end = dt.datetime.max.replace(tzinfo=dt.UTC)
    if condition.op == Op.EQ:
        return Q(**{f"{lookup}__gte": start, f"{lookup}__lt": end})
    if condition.op == Op.GT:
        return Q(**{f"{lookup}__gte": end})
    if condition.op == Op.GE:
        return Q(**{f"{lookup}__gte": start})
    if condition.op == Op.LT:
        return Q(**{f"{lookup}__lt": start})
    return Q(**{f"{lookup}__lt": end})  # LE
