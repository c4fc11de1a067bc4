"""The demo's audit: every class at least once, a trend of two audits, the stewards' override
and notes; loading it again changes nothing."""

from __future__ import annotations

import pytest

from cairn.audit.demo import load_demo_audit
from cairn.audit.models import Audit, AuditAnnotation, AuditOverride, AuditProfile
from cairn.campaigns.demo import load_demo_campaign
from cairn.coalitions.demo import HEALTH_SYSTEM, load_demo
from cairn.governance.demo import load_demo_decisions
from cairn.people.demo import load_demo_supporters
from cairn.petitions.demo import load_demo_petitions


@pytest.mark.django_db
def test_the_demo_audit_shows_every_class_with_a_trend() -> None:
    # given the demo coalition with its evidence
    coalition = load_demo()
    load_demo_supporters(coalition=coalition, count=200)
    load_demo_campaign(coalition)
    load_demo_decisions(coalition)
    load_demo_petitions(coalition)
    # when its audit is loaded (twice)
    latest = load_demo_audit(coalition)
    again = load_demo_audit(coalition)
    # then there are two audits, and the latest computes every class at least once
    assert again.pk == latest.pk
    assert Audit.objects.filter(coalition=coalition).count() == 2
    computed = set(
        AuditProfile.objects.filter(audit=latest).values_list("computed_class", flat=True)
    )
    assert computed == {"mission_aligned", "transactional", "dormant"}
    # and the convener's class is overridden, with the reason logged; two notes
    convener = AuditProfile.objects.get(audit=latest, organization_name=HEALTH_SYSTEM)
    assert convener.klass == "mission_aligned"
    assert AuditOverride.objects.get(profile=convener).reason.startswith("Riverbend Health")
    assert AuditAnnotation.objects.filter(profile__audit=latest).count() == 2
