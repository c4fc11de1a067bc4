"""Use cases of sign-up and survey forms: the only code that writes their tables.

- create_form / update_form: questions are checked (`questions.clean_questions`), the
  description is sanitized with nh3; a form opens and closes through `status`.
- create_form_link: one tracked link per form, member organization and label.
- submit_form: the submitter is found or created by `people.services.upsert_person` (the one
  matching rule); one submission per form and person and per form and idempotency key (unique
  constraints), so a double-submitted form or a retried API call makes one submission (a repeat
  updates the answers it gives and records a consent newly given); a closed form, a missing
  required answer or a refused consent changes nothing; the public form counts an address's
  submissions in the last hour from our own rows and refuses past the limit.
- update_submission: answers merge key by key; a submission moves to another person only when
  that person has none for the form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import nh3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions.models import Coalition, Membership
from cairn.people import services as people
from cairn.people.models import Person

from . import questions
from .models import Form, FormLink, Submission

HOURLY_LIMIT_DEFAULT = 30
EDITABLE = (
    "title",
    "description",
    "fields",
    "consent_text",
    "consent_required",
    "thank_you",
    "status",
    "origin_system",
    "kind",
    "campaign",
    "owner",
)


class FormError(Exception):
    """A request the forms refuse: the message says why."""


class SubmissionRefused(FormError):
    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors or {})


class RateLimited(FormError):
    pass


@dataclass(frozen=True, slots=True)
class SubmitResult:
    submission: Submission
    created: bool


def hourly_limit() -> int:
    return int(getattr(settings, "CAIRN_FORMS_HOURLY_LIMIT", HOURLY_LIMIT_DEFAULT))


def _clean_fields(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if "fields" in cleaned:
        try:
            cleaned["fields"] = [
                q.as_json() for q in questions.clean_questions(cleaned["fields"] or [])
            ]
        except questions.QuestionError as error:
            raise FormError(str(error)) from error
    if "description" in cleaned:
        cleaned["description"] = nh3.clean(cleaned["description"] or "")
    if "title" in cleaned:
        cleaned["title"] = (cleaned["title"] or "").strip()[:200]
        if not cleaned["title"]:
            raise FormError("A form needs a title.")
    if cleaned.get("status") not in (None, *Form.Status.values):
        raise FormError("The status must be draft, open or closed.")
    if cleaned.get("kind") not in (None, *Form.Kind.values):
        raise FormError("The kind must be signup or survey.")
    unknown = set(cleaned) - set(EDITABLE)
    if unknown:
        raise FormError(f"Unknown form fields: {', '.join(sorted(unknown))}.")
    return cleaned


@transaction.atomic
def create_form(
    *,
    coalition: Coalition,
    title: str,
    by: User | None = None,
    **fields: Any,
) -> Form:
    """A new form of the coalition (a draft unless `status` says otherwise)."""
    values = _clean_fields({"title": title, **fields})
    for name in ("campaign", "owner"):
        row = values.get(name)
        if row is not None and row.coalition_id != coalition.pk:
            raise FormError(f"The {name} belongs to another coalition.")
    now = timezone.now()
    return Form.objects.create(
        coalition=coalition, created_by=by, created_at=now, modified_at=now, **values
    )


@transaction.atomic
def update_form(*, form: Form, **fields: Any) -> Form:
    """Given fields replace; the questions are checked again; modified_at moves."""
    values = _clean_fields(fields)
    locked = Form.objects.select_for_update().get(pk=form.pk)
    for name in ("campaign", "owner"):
        row = values.get(name)
        if row is not None and row.coalition_id != locked.coalition_id:
            raise FormError(f"The {name} belongs to another coalition.")
    for name, value in values.items():
        setattr(locked, name, value)
    locked.modified_at = timezone.now()
    locked.save(update_fields=[*values, "modified_at"])
    return locked


@transaction.atomic
def create_form_link(
    *, form: Form, membership: Membership | None = None, label: str = ""
) -> tuple[FormLink, bool]:
    """The tracked link of `form` for `membership` (None: the coalition) and `label`: one only."""
    if membership is not None and membership.coalition_id != form.coalition_id:
        raise FormError("That member organization belongs to another coalition.")
    Form.objects.select_for_update().get(pk=form.pk)  # keeps NULL-membership links unique
    return FormLink.objects.get_or_create(
        coalition_id=form.coalition_id,
        form=form,
        membership=membership,
        label=label.strip()[:100],
    )


def member_ref_code(membership: Membership) -> str:
    return f"m-{membership.pk}"


def _attribution(
    form: Form, ref: str
) -> tuple[FormLink | None, Submission | None, Membership | None]:
    """What a referral code points at: a tracked link, a submitter's share code, or a member."""
    ref = ref.strip()[:64]
    if not ref:
        return None, None, None
    if ref.startswith("m-") and ref[2:].isdigit():
        member = (
            Membership.objects.for_coalition(form.coalition_id)
            .filter(pk=int(ref[2:]), status=Membership.Status.ACTIVE)
            .first()
        )
        return None, None, member
    link = (
        FormLink.objects.for_coalition(form.coalition_id)
        .filter(form=form, code=ref[:16])
        .select_related("membership")
        .first()
    )
    if link is not None:
        return link, None, link.membership
    referrer = (
        Submission.objects.for_coalition(form.coalition_id)
        .filter(ref_code=ref[:16])
        .select_related("referring_membership")
        .first()
    )
    if referrer is None:
        return None, None, None
    return None, referrer, referrer.referring_membership


def _check_rate(form: Form, ip: str, now: dt.datetime) -> None:
    limit = hourly_limit()
    recent = Submission.objects.for_coalition(form.coalition_id).filter(
        ip=ip, created_at__gte=now - dt.timedelta(hours=1)
    )
    if recent.order_by()[:limit].count() >= limit:
        raise RateLimited("Too many submissions from your network. Please try again later.")


def submit_form(
    *,
    form: Form,
    person: people.PersonData | None = None,
    answers: Mapping[str, Any] | None = None,
    referrer: str = "",
    source: str = "",
    consent: bool = False,
    idempotency_key: str = "",
    ip: str = "",
    existing_person: Person | None = None,
    add_tags: tuple[str, ...] = (),
    vouched: bool = False,
    now: dt.datetime | None = None,
) -> SubmitResult:
    """Record a submission: once per form and person and per idempotency key (a repeat returns
    the first, with the answers it gives merged and a newly given consent recorded).

    `vouched`: a client collected the submission and the API token vouches for it (as Action
    Network's record-submission helper, which carries no answers): required questions and a
    required consent are not asked for; the answers given are still checked."""
    now = now or timezone.now()
    idempotency_key = idempotency_key.strip()[:255]
    if not form.is_open:
        raise SubmissionRefused("This form is not taking submissions.")
    try:
        cleaned = questions.clean_answers(
            questions.from_json(form.fields), answers or {}, partial=vouched
        )
    except questions.AnswerErrors as error:
        raise SubmissionRefused("Some answers need a look.", error.errors) from error
    if form.consent_text and form.consent_required and not consent and not vouched:
        raise SubmissionRefused(
            "Please agree to the consent statement.", {"consent": "This box must be ticked."}
        )
    if ip:
        _check_rate(form, ip, now)
    if idempotency_key:
        first = Submission.objects.filter(form=form, idempotency_key=idempotency_key).first()
        if first is not None:
            return SubmitResult(submission=first, created=False)
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _submit(
                    form=form,
                    person=person,
                    existing_person=existing_person,
                    answers=cleaned,
                    referrer=referrer,
                    source=source,
                    consent=consent,
                    idempotency_key=idempotency_key,
                    ip=ip,
                    add_tags=add_tags,
                    now=now,
                )
        except IntegrityError:
            # A concurrent request with the same key (or the same person) got in first; the
            # second attempt finds its row.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _submit(
    *,
    form: Form,
    person: people.PersonData | None,
    existing_person: Person | None,
    answers: dict[str, Any],
    referrer: str,
    source: str,
    consent: bool,
    idempotency_key: str,
    ip: str,
    add_tags: tuple[str, ...],
    now: dt.datetime,
) -> SubmitResult:
    if idempotency_key:
        first = Submission.objects.filter(form=form, idempotency_key=idempotency_key).first()
        if first is not None:
            return SubmitResult(submission=first, created=False)
    link, referred_by, member = _attribution(form, referrer)
    if existing_person is not None:
        if existing_person.coalition_id != form.coalition_id:
            raise SubmissionRefused("That person belongs to another coalition.")
        submitter = existing_person
    elif person is not None:
        submitter = people.upsert_person(
            coalition=form.coalition,
            data=person,
            source_membership=member,
            source_action=f"signups.form:{form.pk}",
            source_referral=referrer.strip()[:64],
            add_tags=add_tags,
            subscription_source=f"form {form.title}"[:100],
        ).person
    else:
        raise SubmissionRefused("A submission needs the person's email address or phone number.")
    submission, created = Submission.objects.get_or_create(
        form=form,
        person=submitter,
        defaults={
            "coalition_id": form.coalition_id,
            "answers": answers,
            "consent_given": consent,
            "consent_text": form.consent_text if consent else "",
            "consented_at": now if consent else None,
            "referrer": referrer.strip()[:64],
            "link": link,
            "referred_by": referred_by,
            "referring_membership": member,
            "source": source[:40],
            "ip": ip[:45],
            "idempotency_key": idempotency_key,
            "created_at": now,
            "modified_at": now,
        },
    )
    if created:
        people.record_activity(
            person=submitter,
            kind="form",
            summary=f"Submitted “{form.title}”",
            occurred_at=now,
            ref=f"signups.submission:{submission.pk}",
        )
        return SubmitResult(submission=submission, created=True)
    changed: list[str] = []
    merged = {**submission.answers, **answers}
    if merged != submission.answers:
        submission.answers = merged
        changed.append("answers")
    if consent and not submission.consent_given:
        submission.consent_given = True
        submission.consent_text = form.consent_text
        submission.consented_at = now
        changed += ["consent_given", "consent_text", "consented_at"]
    if changed:
        submission.modified_at = now
        submission.save(update_fields=[*changed, "modified_at"])
    return SubmitResult(submission=submission, created=False)


@transaction.atomic
def update_submission(
    *,
    submission: Submission,
    answers: Mapping[str, Any] | None = None,
    person: Person | None = None,
) -> Submission:
    """Answers merge key by key (checked as a partial answer); `person` moves the submission to
    another person of the coalition when that person has none for the form."""
    locked = Submission.objects.select_for_update().select_related("form").get(pk=submission.pk)
    changed: list[str] = []
    if answers:
        try:
            cleaned = questions.clean_answers(
                questions.from_json(locked.form.fields), answers, partial=True
            )
        except questions.AnswerErrors as error:
            raise SubmissionRefused("Some answers need a look.", error.errors) from error
        locked.answers = {**locked.answers, **cleaned}
        changed.append("answers")
    if person is not None and person.pk != locked.person_id:
        if person.coalition_id != locked.coalition_id:
            raise SubmissionRefused("That person belongs to another coalition.")
        taken = Submission.objects.filter(form_id=locked.form_id, person=person).exists()
        if taken:
            raise SubmissionRefused("That person already has a submission to this form.")
        locked.person = person
        changed.append("person")
    if changed:
        locked.modified_at = timezone.now()
        try:
            with transaction.atomic():
                locked.save(update_fields=[*changed, "modified_at"])
        except IntegrityError as error:  # the person's own submission arrived meanwhile
            raise SubmissionRefused("That person already has a submission to this form.") from error
    return locked
