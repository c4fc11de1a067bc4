"""The demo's crowdfunding page: "Forty crisis beds", co-hosted by four member organizations,
with a few hundred gifts over the last two months (200 donors, some monthly and renewed each
month, one refunded; a few cheques), all in the coalition's pooled fund.

Every card gift takes the real path: `start_donation`, a checkout session at the local fake of
Stripe (in this process, on 127.0.0.1), the donor "pays" there, and the fake's signed webhooks go
through `handle_provider_event`, which posts each gift to the ledger once. The fake dates each
event in the past, so the ledger and the dashboard show gifts on the days they came. A seeded
generator makes the same gifts each run; a second run finds the page by its slug and creates
nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cairn.campaigns.demo import CAMPAIGN_NAME
from cairn.campaigns.models import Campaign
from cairn.coalitions.demo import CRISIS_LINE, EMS_UNION, FAMILIES, HARBOR_HOUSE
from cairn.coalitions.models import Coalition, Membership
from cairn.people.demo import FAMILY_NAMES, GIVEN_NAMES
from cairn.people.models import EmailAddress
from cairn.people.services import EmailInput, PersonData

from . import services
from .models import Donation, FundraisingPage, Host, Recurrence
from .providers import using_fake
from .providers.fake_stripe import FakeStripe

SLUG = "forty-crisis-beds"
SEED = 4040
DONATIONS = 200  # about 230 rows with the monthly renewals and cheques
MONTHLY_SHARE = 0.1
DAYS = 60
AMOUNTS = ("10", "25", "25", "50", "50", "100", "15", "35", "250")
HOSTS = ((CRISIS_LINE, "40"), (HARBOR_HOUSE, "25"), (FAMILIES, "20"), (EMS_UNION, "15"))
DESCRIPTION = (
    "<p>People in a mental-health crisis in Riverbend wait days in emergency rooms for a bed. "
    "This spring the state budget can fund 40 psychiatric crisis beds and mobile crisis teams. "
    "Your gift pays for the lobby day, the bus from every county, and the families' "
    "testimony that moves legislators.</p><p>Every dollar goes into the coalition's pooled "
    "fund, whose ledger is public, and is spent only on budget lines the members decide "
    "together.</p>"
)


@dataclass(frozen=True, slots=True)
class FundraisingLoad:
    page: FundraisingPage
    created: bool
    donations: int


def _member(coalition: Coalition, name: str) -> Membership | None:
    return (
        Membership.objects.for_coalition(coalition)
        .filter(organization__name=name, status=Membership.Status.ACTIVE)
        .first()
    )


def load_demo_fundraising(coalition: Coalition, *, count: int = DONATIONS) -> FundraisingLoad:
    existing = FundraisingPage.objects.for_coalition(coalition).filter(slug=SLUG).first()
    if existing is not None:
        return FundraisingLoad(page=existing, created=False, donations=existing.donations.count())
    fake = FakeStripe(webhook_secret="whsec_demo_loader").start()  # noqa: S106 (a local fake)
    try:
        with using_fake(fake), transaction.atomic():
            return _load(coalition, fake, count)
    finally:
        fake.stop()


def _donors(
    coalition: Coalition, rng: random.Random, count: int
) -> list[tuple[str, str, str, dt.datetime | None]]:
    """(email, given name, family name, when they joined) of `count` donors: the coalition's own
    supporters give (the demo's supporter base stays the number loaded, each dated when they
    joined, not the day the gifts were loaded); without enough of them (a demo loaded without
    supporters) new people give, joining when they give."""
    rows: list[tuple[str, str, str, dt.datetime | None]] = list(
        EmailAddress.objects.for_coalition(coalition)
        .order_by("pk")
        .values_list("address", "person__given_name", "person__family_name", "person__created_at")
    )
    picked = rng.sample(rows, min(count, len(rows)))
    for n in range(len(picked), count):
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        picked.append((f"{given}.{family}.give{n}@example.org".lower(), given, family, None))
    return picked


def _deliver(fake: FakeStripe) -> None:
    for payload, signature in fake.take_outbox():
        services.handle_provider_event(provider="stripe", payload=payload, signature=signature)


def _load(coalition: Coalition, fake: FakeStripe, count: int) -> FundraisingLoad:
    services.save_receipt_settings(
        coalition=coalition,
        legal_name="Riverbend Community Foundation, fiscal sponsor of the Riverbend Regional "
        "Mental Health Coalition",
        tax_id="EIN 00-0000000 (demo)",
        address="100 River Street, Riverbend",
        number_prefix="RB-",
    )
    page = services.create_page(
        coalition=coalition,
        title="Forty crisis beds: fund the lobby day",
        slug=SLUG,
        by=None,
        currency="USD",
        description=DESCRIPTION,
        goal=Decimal(25000),
        suggested_amounts=["25", "50", "100", "250"],
        status=FundraisingPage.Status.OPEN,
        campaign=Campaign.objects.for_coalition(coalition).filter(name=CAMPAIGN_NAME).first(),
    )
    hosts: list[Host] = []
    for name, share in HOSTS:
        member = _member(coalition, name)
        if member is not None:
            hosts.append(services.set_host(page=page, membership=member, share=Decimal(share)))
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    now = timezone.now()
    donor_codes: list[str] = []
    made: list[Donation] = []
    donors = _donors(coalition, rng, count + 3)  # the last three gave by cheque or transfer
    for n, (email, given, family, joined) in enumerate(donors[:count]):
        at = now - dt.timedelta(minutes=rng.randint(60, DAYS * 24 * 60))
        if joined is not None and at - dt.timedelta(minutes=2) <= joined:
            # one who joined since gave after joining
            at = min(joined + (now - joined) * rng.uniform(0.1, 0.8), now) + dt.timedelta(minutes=2)
            at = min(at, now - dt.timedelta(minutes=1))
        roll = rng.random()
        if hosts and roll < 0.55:
            referrer = rng.choice(hosts).ref_code
        elif donor_codes and roll < 0.7:
            referrer = rng.choice(donor_codes)  # a friend's share link
        else:
            referrer = ""
        monthly = rng.random() < MONTHLY_SHARE
        start = services.start_donation(
            page=page,
            person=PersonData(
                given_name=given or None,
                family_name=family or None,
                emails=[EmailInput(email)],
            ),
            amount=rng.choice(AMOUNTS[:5] if monthly else AMOUNTS),
            recurrence=Recurrence.MONTHLY if monthly else Recurrence.ONE_OFF,
            cover_fee=rng.random() < 0.4,
            idempotency_key=f"demo-gift-{n}",
            referrer=referrer,
            show_on_wall=rng.random() < 0.5,
            wall_name=f"{given} {family[:1]}." if family else given,
            source="demo",
            created_at=at - dt.timedelta(minutes=2),
        )
        stamp = int(at.timestamp())
        fake.complete_checkout(start.donation.provider_checkout_id, at=stamp)
        _deliver(fake)
        donation = Donation.objects.select_related("recurring_gift").get(pk=start.donation.pk)
        gift = donation.recurring_gift
        if gift is not None:
            month = at + dt.timedelta(days=30)
            while month < now:  # each later month paid, on its day
                fake.renew_subscription(gift.provider_subscription_id, at=int(month.timestamp()))
                month += dt.timedelta(days=30)
            _deliver(fake)
        made.append(donation)
        if len(donor_codes) < 30:
            donor_codes.append(donation.ref_code)
    # a donor asked for their money back (a duplicate gift): refunded through the provider
    refunded = next(d for d in made if d.recurrence == Recurrence.ONE_OFF)
    services.refund_donation(donation=refunded, by=None)
    _deliver(fake)
    for k, ((amount, member), (email, given, family, joined)) in enumerate(
        zip(
            (("500", _member(coalition, CRISIS_LINE)), ("120", None), ("75", None)),
            donors[count:],
            strict=False,
        )
    ):
        services.record_offline_donation(
            page=page,
            person=PersonData(
                given_name=given or None, family_name=family or None, emails=[EmailInput(email)]
            ),
            amount=amount,
            method="cheque" if k else "bank_transfer",
            by=None,
            idempotency_key=f"demo-offline-{k}",
            reference=f"No. {1041 + k}",
            host_membership=member,
            received_at=max(
                now - dt.timedelta(days=5 + 7 * k),
                min(joined + dt.timedelta(hours=1), now) if joined else now - dt.timedelta(days=99),
            ),
        )
    return FundraisingLoad(page=page, created=True, donations=page.donations.count())
