"""Which actions a petition's state allows, and who takes them: one table for the services (which
refuse anything else) and the staff page (which offers nothing else).

Irreversible actions ask for a confirmation on the page: a rejection is final, a victory closes
the petition for good. Closing can be undone by reopening (while the deadline has not passed),
but it stops signatures at once, so it asks too.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.utils import timezone

from .models import Petition

Status = Petition.Status


class Step(StrEnum):
    SUBMIT = "submit"
    OPEN = "open"
    REJECT = "reject"
    CLOSE = "close"
    REOPEN = "reopen"
    TAKE_DOWN = "take_down"
    RESTORE = "restore"
    VICTORY = "victory"
    DELIVERY = "delivery"
    RESPONSE = "response"


# The states each step may be taken from.
FROM: dict[Step, frozenset[str]] = {
    Step.SUBMIT: frozenset({Status.DRAFT}),
    Step.OPEN: frozenset({Status.IN_MODERATION}),
    # A rejection is moderation's answer before publication; a published petition that should
    # not be is taken down (reversible, and it hides the text too).
    Step.REJECT: frozenset({Status.AWAITING_SPONSORS, Status.IN_MODERATION}),
    Step.CLOSE: frozenset({Status.OPEN}),
    Step.REOPEN: frozenset({Status.CLOSED}),
    Step.TAKE_DOWN: frozenset({Status.OPEN, Status.CLOSED, Status.WON}),
    Step.RESTORE: frozenset({Status.TAKEN_DOWN}),
    Step.VICTORY: frozenset({Status.OPEN, Status.CLOSED}),
    Step.DELIVERY: frozenset({Status.OPEN, Status.CLOSED, Status.WON}),
    Step.RESPONSE: frozenset({Status.OPEN, Status.CLOSED, Status.WON}),
}
# Steps only a moderator (a steward) takes; the others are the owner's (MANAGE_PETITIONS).
MODERATION: frozenset[Step] = frozenset({Step.OPEN, Step.REJECT, Step.TAKE_DOWN, Step.RESTORE})
# Steps the page confirms before taking them.
CONFIRMED: frozenset[Step] = frozenset({Step.REJECT, Step.CLOSE, Step.VICTORY})


def reopen_problem(petition: Petition, now: dt.datetime | None = None) -> str | None:
    """Why a closed petition cannot be reopened, or None."""
    if petition.status not in FROM[Step.REOPEN]:
        return f"A petition that is {petition.get_status_display().lower()} cannot be reopened."
    if petition.deadline is not None and petition.deadline <= (now or timezone.now()):
        return "Its deadline has passed: it closed on time and stays closed."
    return None


def allowed_steps(
    petition: Petition, *, manage: bool, moderate: bool, now: dt.datetime | None = None
) -> frozenset[Step]:
    """The steps this petition's state allows to someone who may `manage` it (its owner's
    organizers, stewards) and/or `moderate` (stewards)."""
    steps = set()
    for step, states in FROM.items():
        if petition.status not in states:
            continue
        if not (moderate if step in MODERATION else manage):
            continue
        steps.add(step)
    if Step.DELIVERY in steps and petition.delivered_at is not None:
        steps.discard(Step.DELIVERY)
    if Step.REOPEN in steps and reopen_problem(petition, now) is not None:
        steps.discard(Step.REOPEN)
    return frozenset(steps)


def history(petition: Petition, limit: int = 20) -> list[tuple[dt.datetime, str, str]]:
    """The petition's logged state changes, newest first: (when, who, what)."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    entries = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Petition), object_id=str(petition.pk)
        )
        .select_related("user")
        .order_by("-action_time", "-pk")[:limit]
    )
    return [(e.action_time, str(e.user), e.get_change_message()) for e in entries]
