"""Demo petitions for the demo coalition: a live petition to the state legislative leaders with a
couple of thousand signatures, serving the demo campaign, and one waiting for moderation.

The petitions go through the services (create, co-sign, submit, open), so they obey every rule;
the signatures are bulk-inserted (a seeded generator makes the same ones each run) and the
counter is then rebuilt by `recount_petition`, exactly as the recount command would. A second run
finds the petitions by slug and creates nothing. The demo campaign is loaded first when it is
missing (`load_demo` loads petitions before campaigns; loading it is idempotent too).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cairn.campaigns.demo import load_demo_campaign
from cairn.campaigns.models import Campaign
from cairn.coalitions.demo import (
    CRISIS_LINE,
    DECISION_MAKERS,
    EMS_UNION,
    FAMILIES,
    HEALTH_SYSTEM,
    INTERFAITH,
)
from cairn.coalitions.models import Coalition, Membership
from cairn.engines.emails import canonical_email
from cairn.engines.signers import postal_area
from cairn.people.demo import FAMILY_NAMES, GIVEN_NAMES, PLACES

from . import services
from .models import Petition, Signature, Sponsorship, ThresholdCrossing
from .services import PetitionData

SEED = 4040
LIVE_SLUG = "fund-psychiatric-crisis-beds"
MODERATION_SLUG = "publish-er-boarding-times"
CONFIRMED = 1840
PENDING = 64
CHANNELS = (("", 0.35), ("email", 0.25), ("facebook", 0.15), ("whatsapp", 0.1), ("widget", 0.1))
COMMENTS = (
    "My brother waited four days in an ER hallway for a psychiatric bed.",
    "As a paramedic I drive people two counties away because there is no bed here.",
    "Crisis care is health care. Fund it.",
    "Our family was told to 'wait and see'. We could not wait.",
    "I am a nurse. Boarding patients in the ER hurts everyone.",
    "Please fund the beds before the next tragedy.",
)


@dataclass(frozen=True, slots=True)
class PetitionsLoad:
    created: int  # petitions created; 0 when the demo petitions were there already
    signatures: int


def _member(coalition: Coalition, name: str) -> Membership | None:
    return (
        Membership.objects.for_coalition(coalition)
        .filter(organization__name=name, status=Membership.Status.ACTIVE)
        .select_related("organization")
        .first()
    )


@transaction.atomic
def load_demo_petitions(coalition: Coalition, *, confirmed: int = CONFIRMED) -> PetitionsLoad:
    """Create the demo petitions that are missing; return what was created."""
    created = 0
    owner = _member(coalition, HEALTH_SYSTEM) or (
        Membership.objects.for_coalition(coalition)
        .filter(status=Membership.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    if owner is None:
        return PetitionsLoad(created=0, signatures=0)
    campaign = load_demo_campaign(coalition).campaign
    if not Petition.objects.filter(slug=LIVE_SLUG).exists():
        created += 1
        _live_petition(coalition, owner, confirmed, campaign)
    else:  # loaded before petitions linked to campaigns: link it as a new load does
        Petition.objects.for_coalition(coalition).filter(
            slug=LIVE_SLUG, campaign__isnull=True
        ).update(campaign=campaign)
    if not Petition.objects.filter(slug=MODERATION_SLUG).exists():
        created += 1
        services.submit_petition(
            petition=services.create_petition(
                owner=_member(coalition, FAMILIES) or owner,
                data=PetitionData(
                    title="Publish emergency-room boarding times every month",
                    background=(
                        "Families cannot see how long psychiatric patients wait in emergency "
                        "rooms. The state collects the numbers; it should publish them."
                    ),
                    targets=[_target(DECISION_MAKERS[2])],
                    thresholds=[{"count": 500, "consequence": "Delivered to the committee chair"}],
                ),
                created_by=None,
                slug=MODERATION_SLUG,
            )
        )
    signatures = Signature.objects.for_coalition(coalition).count()
    return PetitionsLoad(created=created, signatures=signatures)


def _target(maker: object) -> dict[str, str]:
    return {
        "name": str(getattr(maker, "name", "")),
        "title": str(getattr(maker, "title", "")),
        "body": str(getattr(maker, "body", "")),
    }


def _live_petition(
    coalition: Coalition, owner: Membership, confirmed: int, campaign: Campaign
) -> Petition:
    petition = services.create_petition(
        owner=owner,
        data=PetitionData(
            title="Fund 40 psychiatric crisis beds in this year's state budget",
            background=(
                "People in a mental-health crisis wait days in emergency-room hallways because "
                "the region has too few psychiatric beds.\n\n"
                "A recurring budget line for 40 crisis-stabilization beds would end the boarding, "
                "free emergency rooms and save the state the cost of repeat admissions."
            ),
            details=(
                "We ask the legislative leaders to add a recurring line for 40 crisis beds to "
                "the budget, and to report every quarter how many are open."
            ),
            targets=[_target(maker) for maker in DECISION_MAKERS[:2]],
            campaign=campaign,
            deadline=timezone.now() + dt.timedelta(days=60),
            thresholds=[
                {"count": 1000, "consequence": "Delivered to the Majority Leader and Chair"},
                {"count": 2500, "consequence": "Public hearing requested"},
                {"count": 10000, "consequence": "Written response due within 30 days"},
            ],
            sponsors_required=2,
        ),
        created_by=None,
        slug=LIVE_SLUG,
    )
    for name in (CRISIS_LINE, EMS_UNION, INTERFAITH):
        sponsor = _member(coalition, name)
        if sponsor is not None and sponsor.pk != owner.pk:
            services.sponsor_petition(petition=petition, membership=sponsor, signed_by=None)
    petition.refresh_from_db()
    if petition.status == Petition.Status.DRAFT:
        petition = services.submit_petition(petition=petition)
    if petition.status == Petition.Status.AWAITING_SPONSORS:
        # a coalition without the named co-signers (tests): moderation proceeds anyway
        Petition.objects.filter(pk=petition.pk).update(status=Petition.Status.IN_MODERATION)
    petition = services.open_petition(petition=petition)
    opened = timezone.now() - dt.timedelta(days=40)
    # drafted two weeks before it opened, co-signed in between: dated as it happened, not today
    drafted = opened - dt.timedelta(days=14)
    Petition.objects.filter(pk=petition.pk).update(
        opened_at=opened, status_changed_at=opened, created_at=drafted
    )
    Sponsorship.objects.filter(petition=petition).update(signed_at=drafted + dt.timedelta(days=3))
    _bulk_signatures(coalition, petition, confirmed, opened)
    services.recount_petition(petition=petition)
    # the first threshold was reached when its signature was confirmed, not now
    first = petition.thresholds[0]["count"]
    nth = (
        services.counting_signatures(petition).order_by("confirmed_at", "pk")[first - 1 : first]
    ).first()
    if nth is not None and nth.confirmed_at is not None:
        ThresholdCrossing.objects.filter(petition=petition, count=first).update(
            reached_at=nth.confirmed_at
        )
        services.record_delivery(
            petition=petition, delivered_at=nth.confirmed_at + dt.timedelta(days=3)
        )
    return petition


def _bulk_signatures(
    coalition: Coalition, petition: Petition, confirmed: int, opened: dt.datetime
) -> None:
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    members = list(
        Membership.objects.for_coalition(coalition)
        .filter(status=Membership.Status.ACTIVE)
        .order_by("pk")
    )
    now = timezone.now()
    span = (now - opened).total_seconds()
    rows = []
    for n in range(confirmed + PENDING):
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        _, postal_code = rng.choice(PLACES)
        email = f"{given}.{family}.p{n}@example.net".lower()
        # earlier days get more signatures (launch), later fewer: a square-root curve
        created_at = opened + dt.timedelta(seconds=span * (rng.random() ** 1.6))
        channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        member = rng.choice(members) if members and rng.random() < 0.7 else None
        rows.append(
            Signature(
                coalition=coalition,
                petition=petition,
                name=f"{given} {family}",
                email=email,
                canonical_email=canonical_email(email),
                email_domain="example.net",
                postal_code=postal_code,
                postal_area=postal_area("US", postal_code),
                country="US",
                comment=rng.choice(COMMENTS) if rng.random() < 0.08 else "",
                consent_updates=rng.random() < 0.6,
                consent_share=rng.random() < 0.4,
                ip=f"198.51.100.{rng.randrange(1, 255)}",
                ref_code=f"demo{n:06d}",
                referring_membership=member,
                channel=channel,
                nonce=f"demo-{rng.getrandbits(64):016x}",
                created_at=created_at,
                last_sent_at=created_at,
                confirmed_at=(
                    min(created_at + dt.timedelta(minutes=rng.randrange(1, 180)), now)
                    if n < confirmed
                    else None
                ),
            )
        )
    Signature.objects.bulk_create(rows, batch_size=500)
