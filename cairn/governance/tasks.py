"""Background work of the governance domain, enqueued on commit and safe to retry."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from cairn.coalitions.models import Coalition, Membership, Role, StaffMember

from .models import Eligibility, LogCheckpoint, Proposal


@task()
def advance_proposal_task(proposal_id: int) -> str:
    """Wake a proposal at its opening, reminder or closing time (idempotent)."""
    from .services import advance_proposal

    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        return "gone"
    return str(advance_proposal(proposal=proposal).status)


@task()
def send_vote_reminders(proposal_id: int) -> int:
    """Email the people who can vote for each eligible voter that has not voted yet; a proposal
    that closed meanwhile gets no reminder. Returns the number of emails sent."""
    proposal = Proposal.objects.select_related("coalition").filter(pk=proposal_id).first()
    if proposal is None or proposal.status != Proposal.Status.OPEN:
        return 0
    waiting = Eligibility.objects.for_coalition(proposal.coalition).filter(
        proposal=proposal, voted_at__isnull=True
    )
    staff = StaffMember.objects.for_coalition(proposal.coalition).exclude(role=Role.VIEWER)
    recipients: set[str] = set()
    for eligibility in waiting:
        if eligibility.staff_id is not None:
            people = staff.filter(pk=eligibility.staff_id)
        elif eligibility.membership_id is not None:
            people = staff.filter(membership_id=eligibility.membership_id)
        else:
            continue
        recipients.update(p.user.email for p in people.select_related("user"))
    url = settings.CAIRN_SITE_URL.rstrip("/") + reverse(
        "governance:proposal", args=[proposal.coalition.slug, proposal.pk]
    )
    context = {"proposal": proposal, "coalition": proposal.coalition, "url": url}
    subject = render_to_string("governance/email/reminder_subject.txt", context).strip()
    message = render_to_string("governance/email/reminder.txt", context)
    for email in sorted(recipients):
        send_mail(subject=subject, message=message, from_email=None, recipient_list=[email])
    return len(recipients)


@task()
def publish_checkpoint_task(coalition_id: int) -> int:
    """Sign the coalition's log head (after a proposal closed); returns the checkpoint's seq."""
    from .services import publish_checkpoint

    coalition = Coalition.objects.filter(pk=coalition_id).first()
    if coalition is None:
        return 0
    return publish_checkpoint(coalition=coalition).seq


def checkpoint_recipients(coalition: Coalition) -> list[str]:
    """The member organizations' contacts: the people who act for an active member."""
    return sorted(
        set(
            StaffMember.objects.for_coalition(coalition)
            .filter(
                membership__isnull=False,
                membership__status=Membership.Status.ACTIVE,
            )
            .values_list("user__email", flat=True)
        )
    )


@task()
def send_checkpoint(checkpoint_id: int) -> int:
    """Email a checkpoint file to each member organization's contacts, once (a retried task sends
    nothing again). Returns the number of emails sent."""
    from . import selectors

    claimed = LogCheckpoint.objects.filter(pk=checkpoint_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    row = LogCheckpoint.objects.select_related("coalition", "key").filter(pk=checkpoint_id).first()
    if not claimed or row is None:
        return 0
    document = selectors.checkpoint_document(row)
    coalition = row.coalition
    url = settings.CAIRN_SITE_URL.rstrip("/") + reverse(
        "governance:checkpoints", args=[coalition.slug]
    )
    context = {"checkpoint": row, "coalition": coalition, "url": url, "document": document}
    subject = render_to_string("governance/email/checkpoint_subject.txt", context).strip()
    body = render_to_string("governance/email/checkpoint.txt", context)
    recipients = checkpoint_recipients(coalition)
    for email in recipients:
        message = EmailMessage(subject=subject, body=body, to=[email])
        message.attach(
            f"{coalition.slug}-log-{row.seq}.checkpoint.json",
            document.to_json(),
            "application/json",
        )
        message.send()
    return len(recipients)
