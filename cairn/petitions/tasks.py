"""Background work of petitions, enqueued on commit and safe to retry."""

from __future__ import annotations

from typing import Any

from django.core.mail import get_connection, send_mail
from django.core.mail.message import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from .models import IntegrityAlert, PetitionUpdate, Signature


def _links(signature: Signature, site_url: str) -> dict[str, str]:
    from .services import confirmation_token, unsubscribe_token

    petition_path = reverse(
        "petitions_public:petition", kwargs={"petition_slug": signature.petition.slug}
    )
    return {
        "confirm_url": site_url
        + reverse("petitions_public:confirm", kwargs={"token": confirmation_token(signature)}),
        "unsubscribe_url": site_url
        + reverse("petitions_public:unsubscribe", kwargs={"token": unsubscribe_token(signature)}),
        "petition_url": site_url + petition_path,
        "share_url": f"{site_url}{petition_path}?ref={signature.ref_code}",
    }


def _send(template: str, signature: Signature, site_url: str, **extra: Any) -> None:
    context = {
        "signature": signature,
        "petition": signature.petition,
        **_links(signature, site_url),
    }
    context.update(extra)
    send_mail(
        subject=render_to_string(f"petitions/email/{template}_subject.txt", context).strip(),
        message=render_to_string(f"petitions/email/{template}.txt", context),
        from_email=None,
        recipient_list=[signature.email],
    )


def _signature(**lookup: Any) -> Signature | None:
    return (
        Signature.objects.select_related("petition", "petition__coalition").filter(**lookup).first()
    )


def _send_confirmation(signature: Signature | None, site_url: str) -> bool:
    """Email the confirmation link; nothing once the signature is confirmed."""
    if signature is None or signature.confirmed_at is not None:
        return False
    _send("confirm", signature, site_url)
    return True


@task()
def send_signature_confirmation(signature_id: int, site_url: str) -> bool:
    """Email the confirmation link again (a pending signer signed again)."""
    return _send_confirmation(_signature(pk=signature_id), site_url)


@task()
def send_new_signature_confirmation(ref_code: str, site_url: str) -> bool:
    """Email the link of a signature just made, found by its (unique, random) referral code.

    Signing queues this one: the code is chosen before the row is written, so the task row can
    be written by the same statement as the signature (see services._insert_signature), and,
    unlike an email address, it is no personal data left behind in the task table.
    """
    return _send_confirmation(_signature(ref_code=ref_code), site_url)


@task()
def record_confirmed_signer(signature_id: int) -> bool:
    """Bring a confirmed signer into the supporter base (at most once per signature)."""
    from .services import record_signer_in_crm

    return record_signer_in_crm(signature_id)


@task()
def send_already_signed(signature_id: int, site_url: str) -> bool:
    """Tell a confirmed signer who signed again that their signature counts already."""
    signature = _signature(pk=signature_id)
    if signature is None or signature.confirmed_at is None:
        return False
    _send("already_signed", signature, site_url)
    return True


@task()
def send_integrity_alert(alert_id: int) -> bool:
    """Tell the coalition's stewards that an IP or domain is trending on a petition."""
    from cairn.coalitions.models import Role, StaffMember

    alert = IntegrityAlert.objects.select_related("petition").filter(pk=alert_id).first()
    if alert is None:
        return False
    stewards = list(
        StaffMember.objects.for_coalition(alert.coalition_id)
        .filter(role=Role.STEWARD)
        .values_list("user__email", flat=True)
    )
    if not stewards:
        return False
    context = {"alert": alert, "petition": alert.petition}
    send_mail(
        subject=render_to_string("petitions/email/alert_subject.txt", context).strip(),
        message=render_to_string("petitions/email/alert.txt", context),
        from_email=None,
        recipient_list=stewards,
    )
    return True


@task()
def send_petition_update(update_id: int, site_url: str) -> int:
    """Send an update to each recipient, each with their own unsubscribe link."""
    from .services import update_recipients

    update = PetitionUpdate.objects.select_related("petition").filter(pk=update_id).first()
    if update is None:
        return 0
    sent = 0
    with get_connection() as connection:
        for signature in update_recipients(update.petition).select_related("petition"):
            context = {
                "update": update,
                "signature": signature,
                "petition": update.petition,
                **_links(signature, site_url),
            }
            EmailMessage(
                subject=update.subject,
                body=render_to_string("petitions/email/update.txt", context),
                to=[signature.email],
                connection=connection,
            ).send()
            sent += 1
    return sent
