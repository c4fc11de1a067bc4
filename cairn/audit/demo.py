"""The demo coalition's partnership audit: two audits (a quarter ago and today) from the evidence
the other demo loaders recorded, so the dashboard shows a trend, and the stewards' follow-up: an
override logged with its reason and notes on the members whose class needs context.

With the demo's evidence and Cairn's default thresholds the audit shows every class: the members
that vote, deliver and share are mission-aligned; Cedar Valley (a data pledge overdue, no vote
cast) and Harbor House (no vote cast) are transactional; Eastside, paused since its director left,
is dormant. Riverbend Health System is classed transactional by the rule (its people never cast
its vote: its steward chairs the coalition), which the stewards override with that reason.

Written only through the audit's services; idempotent: a coalition that has an audit is left as
it is.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions.demo import CEDAR_VALLEY, DEMO_LOGIN, EASTSIDE, HEALTH_SYSTEM
from cairn.coalitions.models import Coalition

from . import services
from .models import Audit, AuditClass, AuditProfile

EARLIER_DAYS = 91  # the first audit, a quarter before the load date
OVERRIDE_REASON = (
    "Riverbend Health System convened the coalition and its vice president chairs it as steward; "
    "by the charter the chair does not cast the organization's vote, so the missing votes are "
    "not disengagement. It delivered its data-engineering pledge on time."
)
NOTES = {
    CEDAR_VALLEY: (
        "Network-adequacy reports for Marlow and Ashford counties are overdue; Jordan says the "
        "data team is short-staffed until the spring. Follow up before the next audit."
    ),
    EASTSIDE: (
        "Paused while its board recruits a new executive director. Keep them on the invitation "
        "list for town halls; re-audit when they resume."
    ),
}


@transaction.atomic
def load_demo_audit(coalition: Coalition, *, today: dt.date | None = None) -> Audit:
    """Run the demo's two audits and the stewards' follow-up, once."""
    existing = Audit.objects.for_coalition(coalition).first()
    if existing is not None:
        return existing
    today = today or timezone.localdate()
    steward = User.objects.filter(email=DEMO_LOGIN).first()
    services.audit_partnerships(
        coalition=coalition,
        as_of=today - dt.timedelta(days=EARLIER_DAYS),
        by=steward,
        schedule=False,
    )
    latest = services.audit_partnerships(
        coalition=coalition, as_of=today, by=steward, schedule=False
    )
    profiles = {p.organization_name: p for p in AuditProfile.objects.filter(audit=latest)}
    convener = profiles.get(HEALTH_SYSTEM)
    if convener is not None and convener.klass != AuditClass.MISSION_ALIGNED:
        services.override_class(
            profile=convener,
            to_class=AuditClass.MISSION_ALIGNED,
            reason=OVERRIDE_REASON,
            by=steward,
        )
    for name, text in NOTES.items():
        if name in profiles:
            services.annotate_profile(profile=profiles[name], text=text, by=steward)
    return latest
