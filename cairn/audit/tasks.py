"""Background work of the partnership audit: the scheduled re-audit and the stewards' notice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from cairn.coalitions.models import Coalition, Role, StaffMember


@task()
def run_due_audit(coalition_id: int) -> str:
    """Deferred to the next audit's date: audits the coalition if that date still stands (a manual
    audit meanwhile moved it, and scheduled its own)."""
    from .services import run_if_due

    coalition = Coalition.objects.filter(pk=coalition_id).first()
    if coalition is None:
        return "gone"
    run = run_if_due(coalition=coalition)
    return "not due" if run is None else f"audit {run.number}"


@task()
def run_claimed_audit(coalition_id: int) -> str:
    """Audit a coalition that `queue_due_audits` claimed (cron), if still due."""
    from .services import run_if_due

    coalition = Coalition.objects.filter(pk=coalition_id).first()
    if coalition is None:
        return "gone"
    run = run_if_due(coalition=coalition)
    return "not due" if run is None else f"audit {run.number}"


def steward_emails(coalition: Coalition) -> list[str]:
    return sorted(
        set(
            StaffMember.objects.for_coalition(coalition)
            .filter(role=Role.STEWARD)
            .values_list("user__email", flat=True)
        )
    )


@task()
def send_audit_notice(audit_id: int) -> int:
    """Email the coalition's stewards that a scheduled audit ran, with its counts by class.
    Returns the number of emails sent."""
    from . import selectors
    from .models import Audit

    run = Audit.objects.select_related("coalition").filter(pk=audit_id).first()
    if run is None:
        return 0
    coalition = run.coalition
    point = next((p for p in selectors.trend(coalition=coalition) if p.audit.pk == run.pk), None)
    counts = point.counts if point else {}
    url = settings.CAIRN_SITE_URL.rstrip("/") + reverse("audit:dashboard", args=[coalition.slug])
    context = {
        "audit": run,
        "coalition": coalition,
        "url": url,
        "aligned": counts.get("mission_aligned", 0),
        "transactional": counts.get("transactional", 0),
        "dormant": counts.get("dormant", 0),
    }
    subject = render_to_string("audit/email/notice_subject.txt", context).strip()
    message = render_to_string("audit/email/notice.txt", context)
    recipients = steward_emails(coalition)
    for email in recipients:
        send_mail(subject=subject, message=message, from_email=None, recipient_list=[email])
    return len(recipients)
