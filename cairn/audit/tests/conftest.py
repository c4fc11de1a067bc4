"""A small coalition whose audit figures are computed by hand (see `hand_computed`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from cairn.campaigns import services as campaign_services
from cairn.coalitions import services as coalition_services
from cairn.coalitions.models import Coalition, Commitment, Membership, Role, StaffMember
from cairn.governance import services as governance_services
from cairn.people import services as people_services
from cairn.petitions import services as petition_services

# Similarity is the one figure not counted from rows: the tests give it by hand (the engine
# `cairn.engines.similarity` is tested by its own helper).
SIMILARITY = {"aligned": 0.8, "transactional": 0.1, "dormant": 0.9}


def fixed_similarities(query: str, docs: Sequence[str]) -> list[float]:
    return [SIMILARITY[doc.split()[0]] for doc in docs]


@dataclass
class Hand:
    coalition: Coalition
    steward: StaffMember
    aligned: Membership
    transactional: Membership
    dormant: Membership
    organizers: dict[str, StaffMember]
    viewer: StaffMember


def _person(coalition: Coalition, email: str, source: Membership | None) -> Any:
    return people_services.upsert_person(
        coalition=coalition,
        data=people_services.PersonData(emails=[people_services.EmailInput(email)]),
        source_membership=source,
    ).person


def _deliver(commitment: Commitment, quantity: int, days_ago: int) -> None:
    coalition_services.record_delivery(
        commitment=commitment,
        quantity=Decimal(quantity),
        delivered_on=timezone.localdate() - dt.timedelta(days=days_ago),
        recorded_by=None,
    )


def _pledge(member: Membership, quantity: int, due_in_days: int) -> Commitment:
    return coalition_services.pledge_commitment(
        membership=member,
        kind=Commitment.Kind.FUNDING,
        description="Pledge",
        quantity=Decimal(quantity),
        unit="USD",
        due_date=timezone.localdate() + dt.timedelta(days=due_in_days),
        pledged_by=None,
    )


@pytest.fixture
def hand(
    coalition_factory: Any,
    staff_factory: Callable[..., StaffMember],
    membership_factory: Callable[..., Membership],
) -> Hand:
    """The hand-computed coalition, as of today:

    aligned — mission similarity 0.8; pledged 2 (one due 10 days ago, 100 delivered by day -12:
      on time; one due in 30 days); voted in 2 of 2 closed decisions; shared 3 supporters, may see
      1 pooled supporter of another member (its own sharer does not count); 2 confirmed referred
      signatures (a third unconfirmed); 1 measurement. Actions in 180 days: 2 votes + 2 pledges +
      2 deliveries + 1 measurement + 3 new supporters + 2 signatures = 12 → mission-aligned.
    transactional — similarity 0.1; 1 pledge due 5 days ago delivered the day before yesterday
      (late); voted in 0 of 2; shared 1, may see 2 → reciprocity 1/3. Actions: 1 pledge +
      1 delivery + 1 new supporter = 3 → transactional, on similarity, delivery, participation.
    dormant — similarity 0.9; paused before the decisions opened (not eligible); nothing
      recorded → 0 actions → dormant.
    A prospect and a member that left are not audited.
    """
    coalition = coalition_factory(mission="Psychiatric crisis beds for the region")
    steward = staff_factory(coalition, Role.STEWARD)
    aligned = membership_factory(coalition, name="Aligned Org")
    transactional = membership_factory(coalition, name="Transactional Org")
    dormant = membership_factory(coalition, name="Dormant Org")
    prospect = membership_factory(coalition, name="Prospect Org", status="prospect")
    gone = membership_factory(coalition, name="Gone Org")
    coalition_services.change_membership_status(membership=gone, status="left", changed_by=None)
    for member, key in (
        (aligned, "aligned"),
        (transactional, "transactional"),
        (dormant, "dormant"),
    ):
        org = member.organization
        org.mission = f"{key} organization mission text"
        org.save(update_fields=["mission"])
    prospect.organization.mission = "aligned too, but a prospect"
    prospect.organization.save(update_fields=["mission"])
    coalition_services.change_membership_status(
        membership=dormant, status="paused", changed_by=steward.user
    )
    organizers = {
        "aligned": staff_factory(coalition, Role.ORGANIZER, membership=aligned),
        "transactional": staff_factory(coalition, Role.ORGANIZER, membership=transactional),
        "dormant": staff_factory(coalition, Role.ORGANIZER, membership=dormant),
    }
    viewer = staff_factory(coalition, Role.VIEWER)

    # commitments
    on_time = _pledge(aligned, 100, -10)
    _deliver(on_time, 60, 20)
    _deliver(on_time, 40, 12)
    _pledge(aligned, 5, 30)
    late = _pledge(transactional, 10, -5)
    _deliver(late, 10, 2)

    # decisions: two closed proposals; aligned votes in both
    for title in ("Adopt the charter", "Choose the horizon"):
        proposal = governance_services.open_proposal(
            proposal=governance_services.create_proposal(
                coalition=coalition,
                template="consent",
                title=title,
                closes_at=timezone.now() + dt.timedelta(days=3),
                created_by=steward.user,
            ),
            by=steward.user,
        )
        governance_services.cast_vote(
            proposal=proposal, staff=organizers["aligned"], ballot={"position": "consent"}
        )
        governance_services.close_proposal(proposal=proposal, by=steward.user)

    # supporters
    for n in range(3):
        person = _person(coalition, f"a{n}@example.org", aligned)
        if n < 2:
            people_services.grant_sharing(person=person, membership=transactional)
    own = _person(coalition, "a0@example.org", aligned)
    people_services.grant_sharing(person=own, membership=aligned)  # its own: not "accessed"
    t_person = _person(coalition, "t0@example.org", transactional)
    people_services.grant_sharing(person=t_person, membership=aligned)
    _person(coalition, "nobody@example.org", None)  # brought by no member

    # referral codes
    petition = petition_services.open_petition(
        petition=petition_services.submit_petition(
            petition=petition_services.create_petition(
                owner=aligned,
                data=petition_services.PetitionData(title="Fund the beds", sponsors_required=0),
                created_by=None,
            )
        )
    )
    ref = petition_services.member_ref_code(aligned)
    for n in range(3):
        signed = petition_services.sign_petition(
            petition=petition,
            signer=petition_services.SignerData(
                name=f"Signer {n}",
                email=f"signer{n}@example.org",
                postal_code="46201",
                country="US",
                ref=ref,
            ),
        )
        if n < 2:
            petition_services.confirm_signature(
                token=petition_services.confirmation_token(signed.signature)
            )

    # a measurement recorded by aligned's organizer
    today = timezone.localdate()
    campaign = campaign_services.create_campaign(
        coalition=coalition,
        name="Beds",
        theory_of_change="Show the cost.",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
        created_by=None,
    )
    objective = campaign_services.add_objective(
        campaign=campaign,
        statement="More beds",
        metric="Beds",
        unit="beds",
        direction="up",
        baseline_value=Decimal(1),
        baseline_on=today - dt.timedelta(days=20),
        baseline_source="Census",
        target_value=Decimal(2),
        deadline=today + dt.timedelta(days=20),
    )
    campaign_services.record_measurement(
        objective=objective,
        on=today,
        value=Decimal("1.5"),
        source="Census",
        recorded_by=organizers["aligned"].user,
    )
    return Hand(
        coalition=coalition,
        steward=steward,
        aligned=aligned,
        transactional=transactional,
        dormant=dormant,
        organizers=organizers,
        viewer=viewer,
    )
