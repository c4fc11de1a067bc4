"""Background work of the campaigns domain, enqueued on commit and safe to retry."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_engagement_task(coalition_id: int) -> str:
    """Recount a coalition's daily engagement counters (a repeat only recounts again)."""
    from cairn.coalitions.models import Coalition

    from .services import refresh_engagement

    coalition = Coalition.objects.filter(pk=coalition_id).first()
    if coalition is None:
        return "gone"
    state = refresh_engagement(coalition=coalition)
    return f"counted at {state.counted_at:%Y-%m-%d %H:%M:%S}"


@task()
def pull_measurement_feed_task(feed_id: int) -> str:
    """Pull one feed; a repeated delivery records no day twice (days already recorded are kept)."""
    from .feeds import pull_feed
    from .models import MeasurementFeed

    feed = MeasurementFeed.objects.filter(pk=feed_id).select_related("objective").first()
    if feed is None:
        return "gone"
    return str(pull_feed(feed=feed).outcome)
