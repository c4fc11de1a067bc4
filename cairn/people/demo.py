"""Demo supporters for the demo coalition: a few thousand plausible people, deterministic.

Every run with the same count makes the same people (a seeded generator), and a second run creates
nothing: people are found by email, and tags, lists and consents are unique. They go in through
the CSV import's bulk path (`importing.add_people`, one write per member organization), then
get what a sign-up form does not bring (unsubscribes, more sharing consents, the call list).

Sign-ups are dated across the coalition's horizon, from its first day to the load date (a second
generator, so the people themselves stay those of every earlier version): a slowly growing trickle
with surges when the campaign made news (the boarding-cost study, the petition's launch, the faith
leaders' day at the Capitol), so the dashboard shows the trend it was built to show.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, OuterRef, Subquery, Value
from django.db.models.functions import Least
from django.utils import timezone

from cairn.coalitions.models import Coalition, Membership

from . import importing, services
from .models import (
    Activity,
    EmailAddress,
    ListItem,
    PeopleList,
    Person,
    SharingConsent,
    SubscriptionChange,
    Tagging,
)

DEFAULT_SUPPORTERS = 2400
SEED = 2027
DATES_SEED = 2028
DEMO_SOURCE = "demo sign-up form"
# Surges of sign-ups: (days before the load date, height over the trickle, width in days).
SURGES = (
    (-196, 6.0, 4.0),  # the boarding-cost study is published
    (-95, 3.0, 6.0),  # meetings with all five decision-makers
    (-40, 12.0, 5.0),  # the petition opens
    (-31, 9.0, 3.0),  # faith leaders' day at the Capitol
)

GIVEN_NAMES = [
    "Maria",
    "Jose",
    "Aisha",
    "James",
    "Mei",
    "Olumide",
    "Priya",
    "Daniel",
    "Sofia",
    "Tomasz",
    "Fatima",
    "Lucas",
    "Grace",
    "Hiroshi",
    "Amara",
    "Diego",
    "Hannah",
    "Kwame",
    "Elena",
    "Samuel",
    "Leila",
    "Noah",
    "Ruth",
    "Mateo",
    "Chloe",
    "Ibrahim",
    "Rosa",
    "Ethan",
    "Nadia",
    "Jamal",
    "Ava",
    "Carlos",
    "Yusuf",
    "Lily",
    "Andre",
    "Zainab",
    "Owen",
    "Camila",
    "Darius",
    "Emily",
    "Marcus",
    "Ana",
    "Tariq",
    "Hope",
    "Liam",
]
FAMILY_NAMES = [
    "Garcia",
    "Smith",
    "Okafor",
    "Nguyen",
    "Johnson",
    "Patel",
    "Kowalski",
    "Haddad",
    "Brown",
    "Rossi",
    "Williams",
    "Kim",
    "Mensah",
    "Lopez",
    "Davis",
    "Chen",
    "Martin",
    "Ali",
    "Wilson",
    "Moreau",
    "Jackson",
    "Ortiz",
    "Thompson",
    "Adeyemi",
    "Clark",
    "Silva",
    "Lewis",
    "Novak",
    "Walker",
    "Hassan",
    "Young",
    "Ramirez",
    "Allen",
    "Cohen",
    "King",
    "Torres",
    "Wright",
    "Schmidt",
    "Scott",
    "Reyes",
    "Green",
]
# The Riverbend region: three counties, their towns and postal codes.
PLACES = (
    ("Riverbend", "46201"),
    ("Riverbend", "46202"),
    ("Riverbend", "46205"),
    ("Eastside", "46218"),
    ("Cedar Valley", "46226"),
    ("Cedar Valley", "46229"),
    ("Harbor Point", "46235"),
    ("Millbrook", "46240"),
    ("Millbrook", "46241"),
    ("Stone Creek", "46250"),
)
REGION = "IN"
DOMAINS = ("example.org", "example.com", "example.net")
TAGS = (
    ("Volunteer", 0.22),
    ("Donor", 0.12),
    ("Caregiver", 0.18),
    ("Clinician", 0.07),
    ("First responder", 0.05),
    ("Lived experience", 0.14),
    ("Faith community", 0.10),
    ("Storyteller", 0.04),
)
CALL_LIST = "Call list: Senate District 14"
SAVED_FILTERS = (
    (
        "Subscribed caregivers",
        "Caregivers who get our emails: the first people to ask for a story.",
        {"tags": ["Caregiver"], "subscribed": True},
    ),
    (
        "Riverbend city supporters",
        "Everyone with a Riverbend city postal code (462 0x).",
        {"postal_code_prefix": "4620"},
    ),
)


@dataclass(frozen=True, slots=True)
class SupportersLoad:
    created: int
    total: int


@transaction.atomic
def load_demo_supporters(
    *, coalition: Coalition, count: int = DEFAULT_SUPPORTERS, today: dt.date | None = None
) -> SupportersLoad:
    """Create the demo supporters that are missing; return how many were created."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    members = list(
        Membership.objects.for_coalition(coalition)
        .filter(status=Membership.Status.ACTIVE)
        .order_by("pk")
    )
    for name, _ in TAGS:  # created here, so that they keep their capitals
        services.create_tag(coalition=coalition, name=name)
    call_list = PeopleList.objects.for_coalition(coalition).filter(name=CALL_LIST).first()
    if call_list is None:
        call_list = services.create_list(
            coalition=coalition,
            name=CALL_LIST,
            description="Supporters in the Majority Leader's district, to call before the vote.",
        )
    for name, description, criteria in SAVED_FILTERS:
        if not PeopleList.objects.for_coalition(coalition).filter(name=name).exists():
            services.create_list(
                coalition=coalition,
                name=name,
                description=description,
                kind=PeopleList.Kind.SAVED_FILTER,
                query=criteria,
            )
    planned: list[_Planned] = []
    for n in range(count):
        # the draws, and their order, are those of every earlier version: the same people
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        locality, postal_code = rng.choice(PLACES)
        source = members[n % len(members)] if members else None
        email = f"{given}.{family}.{n}@{rng.choice(DOMAINS)}".lower()
        phone = f"+1317555{n:04d}" if rng.random() < 0.4 else ""
        chosen_tags = tuple(name for name, share in TAGS if rng.random() < share)
        status_roll, extra_share_roll, list_roll = rng.random(), rng.random(), rng.random()
        extra_member = rng.choice(members) if members else None
        languages = ("es",) if rng.random() < 0.12 else ("en",)
        row = importing.row_for(
            line=n,
            email=email,
            phone=phone,
            phone_type="Mobile" if phone else "",
            given_name=given,
            family_name=family,
            locality=locality,
            region=REGION,
            postal_code=postal_code,
            country="US",
            tags=chosen_tags,
            languages=languages,
        )
        planned.append(
            _Planned(
                row=row,
                source=source,
                status_roll=status_roll,
                extra_member=extra_member if extra_share_roll < 0.25 else None,
                on_call_list=list_roll < 0.06,
            )
        )
    known = set(
        EmailAddress.objects.for_coalition(coalition)
        .filter(canonical__in=[p.row.canonical for p in planned])
        .values_list("canonical", flat=True)
    )
    missing = [p for p in planned if p.row.canonical not in known]
    # One bulk write per member organization (the source of each supporter), as an import does.
    person_ids: dict[int, int] = {}
    for source in dict.fromkeys(p.source for p in missing):
        where = f" through {source.organization.name}" if source else ""
        result = importing.add_people(
            coalition=coalition,
            rows=[p.row for p in missing if p.source == source],
            source_membership=source,
            source_action="demo sign-up form",
            activity=("signup", f"Signed up{where} (demo sign-up form).", ""),
        )
        person_ids.update(result.person_ids)
    moments = sign_up_moments(count=count, first=coalition.horizon_start, today=today)
    _date_sign_ups({person_ids[p.row.line]: moments[p.row.line] for p in missing})
    _decorate(missing, person_ids=person_ids, call_list=call_list)
    _date_follow_ups([person_ids[p.row.line] for p in missing])
    total = Person.objects.for_coalition(coalition).count()
    return SupportersLoad(created=len(missing), total=total)


def sign_up_weights(*, first: dt.date, today: dt.date) -> list[float]:
    """How likely a sign-up is on each day from `first` to `today`: a trickle that triples over
    the horizon, plus the surges."""
    days = max((today - first).days, 0) + 1
    weights = []
    for i in range(days):
        before = i - (days - 1)  # days before today, 0 or negative
        weight = 1.0 + 2.0 * i / max(days - 1, 1)
        for at, height, width in SURGES:
            weight += height * math.exp(-(((before - at) / width) ** 2))
        weights.append(weight)
    return weights


def sign_up_moments(*, count: int, first: dt.date, today: dt.date) -> list[dt.datetime]:
    """When each of `count` supporters signed up (the same moments on every run), never later
    than now."""
    rng = random.Random(DATES_SEED)  # noqa: S311 - demo data, not secrets
    weights = sign_up_weights(first=first, today=today)
    offsets: Sequence[int] = rng.choices(range(len(weights)), weights=weights, k=count)
    zone = timezone.get_current_timezone()
    now = timezone.now()
    moments = []
    for offset in offsets:
        day = first + dt.timedelta(days=offset)
        moment = dt.datetime.combine(day, dt.time(7), tzinfo=zone) + dt.timedelta(
            seconds=rng.randrange(15 * 3600)  # between 7:00 and 22:00
        )
        moments.append(min(moment, now))
    return moments


def _date_sign_ups(moments: dict[int, dt.datetime]) -> None:
    """Date each new person, and the rows their sign-up wrote, at their sign-up's moment."""
    ids = list(moments)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        Person.objects.bulk_update(
            [Person(pk=pk, created_at=moments[pk], modified_at=moments[pk]) for pk in chunk],
            ["created_at", "modified_at"],
        )
        signed_up = Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("created_at"))
        Activity.objects.filter(person_id__in=chunk).update(occurred_at=signed_up)
        SharingConsent.objects.filter(person_id__in=chunk).update(granted_at=signed_up)
        Tagging.objects.filter(person_id__in=chunk).update(
            created_at=signed_up, modified_at=signed_up
        )
        SubscriptionChange.objects.filter(email__person_id__in=chunk).update(
            changed_at=Subquery(
                EmailAddress.objects.filter(pk=OuterRef("email_id")).values("person__created_at")
            )
        )


FOLLOW_UP = dt.timedelta(days=14)


def _date_follow_ups(ids: list[int]) -> None:
    """What happened after a sign-up (an unsubscribe, a call list, their timeline lines) is dated
    two weeks after it, or now if that is still to come; more sharing consents at the sign-up."""
    now = timezone.now()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        signed_up = Person.objects.filter(pk=OuterRef("person_id")).values("created_at")
        later = Least(
            ExpressionWrapper(Subquery(signed_up) + FOLLOW_UP, output_field=DateTimeField()),
            Value(now, output_field=DateTimeField()),
        )
        SharingConsent.objects.filter(person_id__in=chunk, source=DEMO_SOURCE).update(
            granted_at=Subquery(signed_up)
        )
        ListItem.objects.filter(person_id__in=chunk).update(created_at=later, modified_at=later)
        Activity.objects.filter(person_id__in=chunk, occurred_at__gt=Subquery(signed_up)).update(
            occurred_at=later
        )
        email_signed_up = EmailAddress.objects.filter(pk=OuterRef("email_id")).values(
            "person__created_at"
        )
        SubscriptionChange.objects.filter(email__person_id__in=chunk, source="demo").update(
            changed_at=Least(
                ExpressionWrapper(
                    Subquery(email_signed_up) + FOLLOW_UP, output_field=DateTimeField()
                ),
                Value(now, output_field=DateTimeField()),
            )
        )


@dataclass(frozen=True, slots=True)
class _Planned:
    row: importing.RowData
    source: Membership | None
    status_roll: float
    extra_member: Membership | None
    on_call_list: bool


def _decorate(
    planned: list[_Planned], *, person_ids: dict[int, int], call_list: PeopleList
) -> None:
    """What the sign-up form does not bring: unsubscribes, bounces, more consents, a call list."""
    emails = {
        email.person_id: email
        for email in EmailAddress.objects.filter(
            person_id__in=[person_ids[p.row.line] for p in planned if p.status_roll < 0.06]
        )
    }
    people = Person.objects.in_bulk(
        [person_ids[p.row.line] for p in planned if p.extra_member or p.on_call_list]
    )
    for p in planned:
        person_id = person_ids[p.row.line]
        if p.status_roll < 0.06:
            status = (
                EmailAddress.Status.BOUNCING
                if p.status_roll < 0.01
                else EmailAddress.Status.UNSUBSCRIBED
            )
            services.set_email_status(email=emails[person_id], status=status, source="demo")
        if p.extra_member is not None:
            services.grant_sharing(
                person=people[person_id], membership=p.extra_member, source=DEMO_SOURCE
            )
        if p.on_call_list:
            services.add_to_list(people_list=call_list, person=people[person_id])
