"""Audit pages: who sees which profile (the role matrix, with nothing changed on refusals), the
forms, the printable report and the CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from cairn.audit import services
from cairn.audit.models import (
    Audit,
    AuditAnnotation,
    AuditOverride,
    AuditPolicy,
    AuditProfile,
    ThresholdVersion,
)
from cairn.coalitions.models import StaffMember

from .conftest import Hand, fixed_similarities

pytestmark = pytest.mark.django_db


@pytest.fixture
def audited(hand: Hand) -> Hand:
    services.audit_partnerships(
        coalition=hand.coalition, by=hand.steward.user, similarities=fixed_similarities
    )
    return hand


def signed_in(client: Client, staff: StaffMember) -> Client:
    client.force_login(staff.user)
    return client


def url(hand: Hand, name: str, *args: Any) -> str:
    return reverse(f"audit:{name}", args=[hand.coalition.slug, *args])


def csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def snapshot() -> dict[str, list[dict[str, Any]]]:
    models: list[Any] = [
        AuditPolicy,
        ThresholdVersion,
        Audit,
        AuditProfile,
        AuditOverride,
        AuditAnnotation,
    ]
    return {m.__name__: [model_to_dict(r) for r in m.objects.order_by("pk")] for m in models}


def who(hand: Hand, role: str) -> StaffMember:
    return hand.steward if role == "steward" else (
        hand.viewer if role == "viewer" else hand.organizers[role]
    )  # fmt: skip


# (role, profiles shared?, whose profiles it sees)
VISIBILITY = [
    ("steward", False, {"aligned", "transactional", "dormant"}),
    ("aligned", False, {"aligned"}),
    ("transactional", False, {"transactional"}),
    ("viewer", False, set()),
    ("aligned", True, {"aligned", "transactional", "dormant"}),
    ("viewer", True, {"aligned", "transactional", "dormant"}),
]


def test_who_sees_which_profile(client: Client, audited: Hand) -> None:
    # one coalition for the whole matrix (it is the slow part to build)
    hand = audited
    members = {
        "aligned": hand.aligned,
        "transactional": hand.transactional,
        "dormant": hand.dormant,
    }
    for role, shared, sees in VISIBILITY:
        AuditPolicy.objects.filter(coalition=hand.coalition).update(share_profiles=shared)
        signed_in(client, who(hand, role))
        # the dashboard lists exactly the visible profiles; the CSV holds exactly them
        page = client.get(url(hand, "dashboard")).content.decode()
        rows = csv_rows(client.get(url(hand, "csv")))
        for key, member in members.items():
            name = member.organization.name
            assert (name in page) == (key in sees), (role, shared, key)
            assert (name in {r["organization"] for r in rows}) == (key in sees)
            # and each profile page answers 200 or 403
            status = client.get(url(hand, "member", member.pk)).status_code
            assert status == (200 if key in sees else 403), (role, shared, key)


def test_only_stewards_run_override_annotate_and_set_the_policy(
    client: Client, audited: Hand
) -> None:
    for role in ("aligned", "viewer"):
        refused_everything(client, audited, role)


def refused_everything(client: Client, hand: Hand, role: str) -> None:
    signed_in(client, who(hand, role))
    before = snapshot()
    own = hand.aligned.pk
    attempts = [
        (url(hand, "run"), {}),
        (url(hand, "override", own), {"klass": "dormant", "reason": "Mine"}),
        (url(hand, "annotate", own), {"text": "Note"}),
        (url(hand, "policy"), {"save_policy": "1", "share_profiles": "on",
                               "reaudit_every_months": "1"}),
        (url(hand, "policy"), {"save_thresholds": "1", "window_days": "5",
                               "dormant_max_actions": "0", "aligned_min_similarity": "0",
                               "aligned_min_delivery": "0", "aligned_min_participation": "0",
                               "aligned_min_reciprocity": "0", "aligned_min_evidence": "0"}),
    ]  # fmt: skip
    for target, data in attempts:
        assert client.post(target, data).status_code == 403, target
    assert client.get(url(hand, "policy")).status_code == 403
    # then nothing changed
    assert snapshot() == before
    # and the page offers none of these forms
    page = client.get(url(hand, "member", own)).content.decode()
    assert url(hand, "override", own) not in page
    assert url(hand, "annotate", own) not in page
    assert url(hand, "run") not in client.get(url(hand, "dashboard")).content.decode()


def test_a_steward_overrides_with_a_reason_and_it_is_logged(client: Client, audited: Hand) -> None:
    hand = audited
    signed_in(client, hand.steward)
    target = url(hand, "override", hand.dormant.pk)
    # without a reason: 422, nothing logged
    response = client.post(target, {"klass": "transactional", "reason": ""})
    assert response.status_code == 422
    assert not AuditOverride.objects.exists()
    # with one
    response = client.post(target, {"klass": "transactional", "reason": "Pays its dues"})
    assert response.status_code == 302
    page = client.get(url(hand, "member", hand.dormant.pk)).content.decode()
    assert "Pays its dues" in page
    assert "overrode the computed class (Dormant)" in page
    client.post(url(hand, "annotate", hand.dormant.pk), {"text": "Director hired in May"})
    assert (
        "Director hired in May" in client.get(url(hand, "member", hand.dormant.pk)).content.decode()
    )


def test_the_policy_form_sets_thresholds_and_refuses_bad_ones(
    client: Client, audited: Hand
) -> None:
    hand = audited
    signed_in(client, hand.steward)
    good = {
        "save_thresholds": "1",
        "window_days": "90",
        "dormant_max_actions": "2",
        "aligned_min_similarity": "0.3",
        "aligned_min_delivery": "80",
        "aligned_min_participation": "60",
        "aligned_min_reciprocity": "20",
        "aligned_min_evidence": "2",
        "note": "Stricter",
    }
    bad = {**good, "aligned_min_delivery": "180"}
    response = client.post(url(hand, "policy"), bad)
    assert response.status_code == 422
    assert "Ensure this value is less than or equal to 100" in response.content.decode()
    assert not ThresholdVersion.objects.exists()
    assert client.post(url(hand, "policy"), good).status_code == 302
    version = ThresholdVersion.objects.get()
    assert version.thresholds().aligned_min_delivery == 0.8
    assert version.applied_at is not None
    # the policy: share profiles, monthly
    policy = {"save_policy": "1", "share_profiles": "on", "reaudit_every_months": "1"}
    assert client.post(url(hand, "policy"), policy).status_code == 302
    rules = AuditPolicy.objects.get(coalition=hand.coalition)
    assert (rules.share_profiles, rules.reaudit_every_months) == (True, 1)


def test_the_printable_report_and_the_csv(client: Client, audited: Hand) -> None:
    hand = audited
    AuditProfile.objects.filter(membership=hand.dormant).update(organization_name="=HYPERLINK()")
    signed_in(client, hand.steward)
    report = client.get(url(hand, "report"))
    assert report.status_code == 200
    body = report.content.decode()
    assert "audit/audit.css" in body
    assert "Partnership audit 1" in body
    assert "Commitments delivered on time" in body
    response = client.get(url(hand, "csv"))
    assert response["Content-Disposition"].endswith('-audit-1.csv"')
    rows = csv_rows(response)
    by_name = {r["organization"]: r for r in rows}
    assert set(by_name) == {"Aligned Org", "Transactional Org", "'=HYPERLINK()"}
    aligned = by_name["Aligned Org"]
    assert (aligned["class"], aligned["delivery_on_time_rate"], aligned["reciprocity"]) == (
        "mission_aligned",
        "1",
        "0.75",
    )
    assert by_name["Transactional Org"]["reciprocity"] == "0.3333"
    # an audit number that does not exist is not found
    assert client.get(url(hand, "report") + "?run=9").status_code == 404
    for bad in ("x", "99999999999999999999999", "²"):
        assert client.get(url(hand, "dashboard"), {"run": bad}).status_code == 404


def test_a_steward_runs_the_audit_from_the_dashboard(client: Client, hand: Hand) -> None:
    signed_in(client, hand.steward)
    assert "No audit has been run yet" in client.get(url(hand, "dashboard")).content.decode()
    response = client.post(url(hand, "run"))
    assert response.status_code == 302
    assert Audit.objects.filter(coalition=hand.coalition).count() == 1
    page = client.get(url(hand, "dashboard")).content.decode()
    assert "Audit 1 of" in page
    assert "Dormant Org" in page


def test_the_dashboard_takes_as_many_queries_for_more_members(
    client: Client, audited: Hand, membership_factory: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hand = audited
    signed_in(client, hand.steward)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(hand, "dashboard")).status_code == 200
        return len(captured)

    services.audit_partnerships(coalition=hand.coalition, similarities=fixed_similarities)
    before = queries()  # with an audit before it (the trend column)
    for n in range(4):
        membership_factory(hand.coalition, name=f"Later member {n}")
    services.audit_partnerships(coalition=hand.coalition, similarities=fixed_similarities)
    assert queries() == before


def test_the_decision_page_offers_the_thresholds_for_authorization(
    client: Client, audited: Hand
) -> None:
    import datetime as dt

    from django.utils import timezone

    from cairn.engines.audit import Thresholds
    from cairn.governance import services as governance

    hand = audited
    user = hand.steward.user
    version = services.save_thresholds(coalition=hand.coalition, thresholds=Thresholds(), by=user)
    proposal = governance.open_proposal(
        proposal=governance.create_proposal(
            coalition=hand.coalition,
            template="consent",
            title="Adopt the audit thresholds",
            closes_at=timezone.now() + dt.timedelta(days=1),
            created_by=user,
        ),
        by=user,
    )
    proposal = governance.close_proposal(proposal=proposal, by=user)
    governance.record_outcome(proposal=proposal, statement="Adopted", recorded_by=user)
    signed_in(client, hand.steward)
    page = reverse("governance:authorizations", args=[hand.coalition.slug, proposal.pk])
    assert f"audit.thresholdversion:{version.pk}" in client.get(page).content.decode()
    # when the steward links it, the policy page says it was adopted by that decision
    response = client.post(page, {"target": f"audit.thresholdversion:{version.pk}", "note": ""})
    assert response.status_code == 302
    policy = client.get(url(hand, "policy")).content.decode()
    assert "adopted by decision" in policy
    assert "Adopt the audit thresholds" in policy
