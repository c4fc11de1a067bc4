"""Background work of the governance domain, enqueued on commit and safe to retry."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from cairn.coalitions.models import Role, StaffMember

from .models import Eligibility, Proposal


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
