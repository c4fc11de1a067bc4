"""Flag, don't refuse: a network over the IP limits signs, held for review and out of the count
until cleared (automatically when enough of its emails confirm, or by a steward)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.campaigns.sources import signatures_per_day
from cairn.coalitions.models import Role
from cairn.petitions import selectors, services
from cairn.petitions.models import Clearance, IntegrityAlert, Petition, Signature
from cairn.petitions.services import ConfirmOutcome

from .conftest import signer

OFFICE = "198.51.100.7"


def sign(petition: Petition, n: int, ip: str = OFFICE) -> Signature:
    return services.sign_petition(
        petition=petition, signer=signer(f"person{n}@example.org", ip=ip)
    ).signature


def confirm(signature: Signature) -> None:
    result = services.confirm_signature(token=services.confirmation_token(signature))
    assert result.outcome == ConfirmOutcome.CONFIRMED


def assert_count(petition: Petition, expected: int) -> None:
    assert services.current_count(petition) == expected
    assert services.recount_petition(petition=petition) == (expected, expected)


@pytest.fixture
def office(coalition, petition) -> list[Signature]:
    """One signature within the limit, then five held from the same network."""
    services.set_limits(coalition=coalition, burst=1, sustained=100, trending=1000)
    rows = [sign(petition, n) for n in range(6)]
    assert [r.held for r in rows] == [False, True, True, True, True, True]
    return rows


def test_held_signatures_stay_out_of_the_count_when_confirmed(petition, office):
    # when
    for row in office[:3]:
        confirm(row)
    # then: the first counts; two held ones confirmed, still below the automatic clearance
    assert_count(petition, 1)
    summary = selectors.integrity_summary(petition=petition)
    assert (summary.confirmed, summary.pending, summary.held) == (1, 0, 5)
    assert [(n.ip, n.held, n.confirmed) for n in selectors.held_by_network(petition=petition)] == [
        (OFFICE, 5, 2)
    ]


def test_a_network_clears_itself_when_enough_of_its_emails_confirm(petition, office):
    # given: of five held, two confirmed (needed: max(3, half of 5 rounded up) = 3)
    for row in office[:3]:
        confirm(row)
    # when the third held one confirms
    confirm(office[3])
    # then every held one of the network is cleared; the three confirmed count
    assert_count(petition, 4)
    assert not Signature.objects.filter(petition=petition, held=True).exists()
    clearance = Clearance.objects.get(petition=petition)
    assert (clearance.ip, clearance.automatic, clearance.affected) == (OFFICE, True, 5)
    # and a cleared pending one counts when it confirms
    confirm(office[4])
    assert_count(petition, 5)


def test_a_script_that_never_confirms_stays_held(petition, office):
    confirm(office[0])
    confirm(office[1])
    assert_count(petition, 1)
    assert Signature.objects.filter(petition=petition, held=True).count() == 5
    assert not Clearance.objects.exists()


def test_a_steward_clears_a_network(petition, office, steward):
    # given
    confirm(office[1])
    # when
    clearance = services.clear_network(petition=petition, ip=OFFICE, by=steward.user)
    # then
    assert clearance is not None
    assert (clearance.automatic, clearance.affected, clearance.created_by) == (
        False,
        5,
        steward.user,
    )
    assert_count(petition, 1)
    confirm(office[2])
    assert_count(petition, 2)
    # nothing left to clear
    assert services.clear_network(petition=petition, ip=OFFICE, by=steward.user) is None


def test_a_steward_invalidates_a_networks_held_signatures_only(petition, office, steward):
    # given
    confirm(office[0])
    confirm(office[1])
    # when
    invalidation = services.invalidate_network(
        petition=petition, ip=OFFICE, reason="A script", by=steward.user
    )
    # then: the five held ones, not the one that signed within the limit
    assert invalidation.affected == 5
    assert invalidation.criteria == {"ip": OFFICE, "held": "held for review"}
    assert_count(petition, 1)
    assert selectors.held_by_network(petition=petition) == []
    # and undoing it puts them back under review, still out of the count
    services.undo_invalidation(invalidation=invalidation)
    assert Signature.objects.filter(petition=petition, held=True).count() == 5
    assert_count(petition, 1)


def test_invalidating_a_cleared_network_takes_its_signatures_out_of_the_count(
    petition, office, steward
):
    for row in office[:4]:
        confirm(row)
    assert_count(petition, 4)
    services.invalidate_signatures(
        petition=petition, criteria=services.Criteria(ip=OFFICE), reason="x", by=steward.user
    )
    assert_count(petition, 0)


# --- the integrity page --------------------------------------------------------------------------


def review_url(petition: Petition, name: str = "review_network") -> str:
    return reverse(f"petitions:{name}", args=[petition.coalition.slug, petition.pk])


def test_the_integrity_page_shows_held_signatures_by_network(client, steward, petition, office):
    client.force_login(steward.user)
    body = client.get(review_url(petition, "integrity")).content.decode()
    assert "<td>198.51.100.7</td>" in body
    assert "Clear 5</button>" in body
    assert "Invalidate 5</button>" in body


def test_a_steward_clears_a_network_from_the_integrity_page(client, steward, petition, office):
    confirm(office[2])
    client.force_login(steward.user)
    response = client.post(review_url(petition), {"ip": OFFICE, "decision": "clear"})
    assert response.status_code == 302
    assert Clearance.objects.get(petition=petition).created_by == steward.user
    assert_count(petition, 1)


def test_invalidating_a_network_needs_a_reason(client, steward, petition, office):
    client.force_login(steward.user)
    client.post(review_url(petition), {"ip": OFFICE, "decision": "invalidate", "reason": ""})
    assert Signature.objects.filter(petition=petition, held=True).count() == 5
    client.post(review_url(petition), {"ip": OFFICE, "decision": "invalidate", "reason": "Bots"})
    assert Signature.objects.filter(petition=petition, invalidated_at__isnull=False).count() == 5


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.VIEWER])
def test_only_stewards_review_held_signatures(
    client, coalition, staff_factory, owner, petition, office, role
):
    staff = staff_factory(coalition, role, membership=owner if role == Role.ORGANIZER else None)
    client.force_login(staff.user)
    for decision in ("clear", "invalidate"):
        response = client.post(
            review_url(petition), {"ip": OFFICE, "decision": decision, "reason": "x"}
        )
        assert response.status_code == 403
    assert Signature.objects.filter(petition=petition, held=True).count() == 5
    assert not Clearance.objects.exists()


def test_an_ip_trends_by_its_signatures_on_this_petition_only(
    coalition, petition, petition_factory, monkeypatch
):
    # given signatures from one IP on another petition of the coalition
    monkeypatch.setattr(services, "TRENDING_SAMPLE", 1)  # check on every signature
    services.set_limits(coalition=coalition, burst=100, sustained=100, trending=3)
    other = petition_factory(title="Another ask")
    for n in range(2):
        services.sign_petition(petition=other, signer=signer(f"o{n}@d{n}.test", ip=OFFICE))
    # when the same IP signs this petition three times (three domains: only the IP trends)
    for n in range(3):
        services.sign_petition(petition=petition, signer=signer(f"p{n}@e{n}.test", ip=OFFICE))
    # then one alert, counting this petition's three
    alert = IntegrityAlert.objects.get(petition=petition)
    assert (alert.kind, alert.value, alert.count) == ("ip", OFFICE, 3)
    assert not IntegrityAlert.objects.filter(petition=other).exists()


def test_the_campaign_dashboard_counts_held_signatures_only_once_cleared(petition, office):
    # given the first and two held signatures confirmed
    for row in office[:3]:
        confirm(row)
    today = timezone.now().date()
    # then the engagement counted for the dashboard is what the petition counts
    assert sum(signatures_per_day(petition.coalition, today, today).values()) == 1
    # when a third held one confirms and the network clears itself
    confirm(office[3])
    # then the three cleared and confirmed signatures join the engagement
    assert sum(signatures_per_day(petition.coalition, today, today).values()) == 4
