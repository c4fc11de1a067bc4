"""Background work of accounts, enqueued on commit and safe to retry."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django_tasks import task

from .models import SignInLink


@task()
def send_sign_in_link(link_id: int, site_url: str) -> bool:
    """Email a sign-in link; does nothing if it was used or expired meanwhile."""
    from .services import sign_in_link_url

    link = SignInLink.objects.select_related("user").filter(pk=link_id).first()
    if link is None or not link.is_open():
        return False
    context = {
        "user": link.user,
        "url": sign_in_link_url(link, site_url=site_url),
        "minutes": settings.CAIRN_SIGN_IN_LINK_MINUTES,
        "ip": link.ip,
    }
    send_mail(
        subject=render_to_string("accounts/email/sign_in_link_subject.txt", context).strip(),
        message=render_to_string("accounts/email/sign_in_link.txt", context),
        from_email=None,
        recipient_list=[link.user.email],
    )
    return True
