"""Background work of fundraising, enqueued on commit and safe to retry."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from .models import Donation, ReceiptSettings, RecurringGift


@task()
def send_receipt(donation_pk: int) -> bool:
    """Email a succeeded donation's receipt with the coalition's legal fields, once."""
    donation = (
        Donation.objects.select_related("page", "coalition", "recurring_gift")
        .filter(pk=donation_pk, receipt_sent_at__isnull=True, status=Donation.Status.SUCCEEDED)
        .first()
    )
    if donation is None or not donation.email:
        return False
    from .services import manage_url

    context = {
        "donation": donation,
        "page": donation.page,
        "coalition": donation.coalition,
        "legal": ReceiptSettings.objects.filter(coalition_id=donation.coalition_id).first(),
        "manage_url": manage_url(donation.recurring_gift) if donation.recurring_gift else "",
    }
    send_mail(
        subject=render_to_string("fundraising/email/receipt_subject.txt", context).strip(),
        message=render_to_string("fundraising/email/receipt.txt", context),
        from_email=None,
        recipient_list=[donation.email],
    )
    Donation.objects.filter(pk=donation.pk).update(receipt_sent_at=timezone.now())
    return True


@task()
def send_payment_reminder(gift_pk: int) -> bool:
    """Tell a monthly donor that a payment failed, with the link to update or cancel the gift."""
    gift = RecurringGift.objects.select_related("page", "coalition").filter(pk=gift_pk).first()
    if gift is None or not gift.email or gift.status != RecurringGift.Status.PAST_DUE:
        return False
    from .services import manage_url

    context = {"gift": gift, "page": gift.page, "manage_url": manage_url(gift)}
    send_mail(
        subject=render_to_string("fundraising/email/reminder_subject.txt", context).strip(),
        message=render_to_string("fundraising/email/reminder.txt", context),
        from_email=None,
        recipient_list=[gift.email],
    )
    return True
