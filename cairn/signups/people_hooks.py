"""Submissions follow their person through a merge and lose their personal data in an erasure.

A merge moves the merged person's submissions to the kept one; where both submitted the same
form, the kept submission takes the merged one's answers it lacks and the merged row goes (one
submission per form and person). An erasure keeps the rows, so counts do not change, but their
answers, consent text, address and the link to the person go.
"""

from __future__ import annotations

from cairn.people.hooks import PersonHooks
from cairn.people.models import Person

from .models import Submission


def move_submissions(kept: Person, merged: Person) -> int:
    moved = 0
    kept_by_form = {s.form_id: s for s in Submission.objects.filter(person=kept)}
    for submission in Submission.objects.filter(person=merged):
        same = kept_by_form.get(submission.form_id)
        if same is None:
            submission.person = kept
            submission.save(update_fields=["person"])
        else:
            same.answers = {**submission.answers, **same.answers}
            if submission.consent_given and not same.consent_given:
                same.consent_given = True
                same.consent_text = submission.consent_text
                same.consented_at = submission.consented_at
            same.save(update_fields=["answers", "consent_given", "consent_text", "consented_at"])
            submission.delete()
        moved += 1
    return moved


def erase_submissions(person: Person, canonical_emails: frozenset[str]) -> int:
    return (
        Submission.objects.for_coalition(person.coalition_id)
        .filter(person=person)
        .update(person=None, answers={}, consent_text="", ip="", idempotency_key="", referrer="")
    )


HOOKS = PersonHooks(name="form_submissions", merge=move_submissions, erase=erase_submissions)
