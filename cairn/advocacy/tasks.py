"""Background work of letter campaigns, enqueued on commit and safe to retry."""

from __future__ import annotations

from django_tasks import task


@task()
def send_delivery_email(delivery_id: int) -> bool:
    """Email one letter to its office; a second run (a retry) sends nothing (see
    services.send_delivery: a conditional UPDATE elects one sender)."""
    from .services import send_delivery

    return send_delivery(delivery_id=delivery_id)
