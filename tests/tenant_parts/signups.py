"""Coalition B's forms for the tenant walker: a form (opened, answered by B's supporter, then
back to a draft, so its public page answers 404 too), a tracked link and a submission."""

from __future__ import annotations

from typing import Any

from cairn.people.services import EmailInput, PersonData
from cairn.signups import services
from cairn.signups.models import Form, FormLink, Submission

from . import Context

MODELS = [Form, FormLink, Submission]


def rows(ctx: Context) -> dict[str, Any]:
    form = services.create_form(
        coalition=ctx.coalition,
        title=f"{ctx.secret} sign-up",
        description=ctx.secret,
        fields=[{"label": f"{ctx.secret} question", "type": "text"}],
        consent_text=ctx.secret,
        owner=ctx.member,
        status=Form.Status.OPEN,
    )
    link, _ = services.create_form_link(form=form, membership=ctx.member, label=ctx.secret)
    submission = services.submit_form(
        form=form,
        person=PersonData(given_name=ctx.secret, emails=[EmailInput("zebra.form@example.org")]),
        answers={f"{ctx.secret.lower().replace(' ', '_')}_question": ctx.secret},
        referrer=link.code,
        consent=True,
    ).submission
    form = services.update_form(form=form, status=Form.Status.DRAFT)
    return {"form_id": form.pk, "form_uuid": form.uuid, "submission_id": submission.uuid}
