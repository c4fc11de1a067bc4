"""A form's submissions as CSV: one line per submission, one column per question, every cell
neutralized against spreadsheet formulas by the people app's writer."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from cairn.people.exporting import SafeCsvWriter

from . import questions
from .models import Form, Submission

BASE_COLUMNS = (
    "submission_id",
    "submitted_at",
    "person_id",
    "given_name",
    "family_name",
    "email",
    "consent_given",
    "consent_text",
    "credited_member",
    "tracked_link",
    "source",
)


def display(value: object) -> object:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value


def csv_lines(form: Form, rows: QuerySet[Submission]) -> Iterator[str]:
    asked = questions.from_json(form.fields)
    writer = SafeCsvWriter()
    yield writer.row([*BASE_COLUMNS, *(q.label for q in asked)])
    for submission in rows.iterator(chunk_size=500):
        person = submission.person
        emails = sorted(person.emails.all(), key=lambda e: not e.primary) if person else []
        member = submission.referring_membership
        yield writer.row(
            [
                submission.uuid,
                submission.created_at.isoformat(),
                person.uuid if person else "",
                person.given_name if person else "",
                person.family_name if person else "",
                emails[0].address if emails else "",
                "yes" if submission.consent_given else "no",
                submission.consent_text,
                member.organization.name if member else "",
                submission.link.code if submission.link else "",
                submission.source,
                *(display(submission.answers.get(q.key)) for q in asked),
            ]
        )
