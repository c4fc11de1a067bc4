"""Background work of the coalitions domain, enqueued on commit and safe to retry."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django_tasks import task

from .models import Invitation


@task()
def send_invitation_email(invitation_id: int, site_url: str) -> bool:
    """Email an invitation link; does nothing if the invitation was used or revoked meanwhile."""
    from .services import invitation_url

    invitation = (
        Invitation.objects.select_related("coalition", "invited_by", "membership__organization")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open():
        return False
    context = {"invitation": invitation, "url": invitation_url(invitation, site_url=site_url)}
    send_mail(
        subject=render_to_string("coalitions/email/invitation_subject.txt", context).strip(),
        message=render_to_string("coalitions/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return True
