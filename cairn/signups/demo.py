"""The demo sign-up form: volunteers for the lobby day at the statehouse, owned by the EMS
workers' local, with a tracked link per member organization and a couple of hundred
submissions spread over the last month.

Everything goes through the services (create_form, create_form_link, submit_form), so the
submitters are found or created by the people app's matching rule and each link credits its
member. A seeded generator makes the same submissions each run; a second run finds the form
by its title and creates nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cairn.campaigns.demo import CAMPAIGN_NAME
from cairn.campaigns.models import Campaign
from cairn.coalitions.demo import CRISIS_LINE, EMS_UNION, FAMILIES, INTERFAITH
from cairn.coalitions.models import Coalition, Membership
from cairn.people.demo import FAMILY_NAMES, GIVEN_NAMES
from cairn.people.models import EmailAddress
from cairn.people.services import EmailInput, PersonData

from . import services
from .models import Form

SEED = 5150
TITLE = "Volunteer for the statehouse lobby day"
SUBMISSIONS = 180
PARTS = ["Morning visits", "Afternoon rally", "All day"]
QUESTIONS: list[dict[str, object]] = [
    {
        "label": "Which part of the day can you join?",
        "type": "choice",
        "required": True,
        "choices": PARTS,
    },
    {"label": "Will you tell your own story to a legislator?", "type": "checkbox"},
    {"label": "Anything we should know (access needs, languages)?", "type": "text"},
]
CONSENT = (
    "I agree that the coalition and the member organization that invited me may contact me "
    "about the lobby day and the crisis beds campaign."
)
NOTES = (
    "",
    "",
    "",
    "I can interpret in Spanish.",
    "I use a wheelchair; please share the accessible entrance.",
    "I lost my nephew after a long ER wait. I want to speak.",
    "I can drive three people from Eastside.",
)


@dataclass(frozen=True, slots=True)
class FormsLoad:
    created: bool
    submissions: int


def _member(coalition: Coalition, name: str) -> Membership | None:
    return (
        Membership.objects.for_coalition(coalition)
        .filter(organization__name=name, status=Membership.Status.ACTIVE)
        .first()
    )


def _after(
    joined: dt.datetime | None, when: dt.datetime, now: dt.datetime, rng: random.Random
) -> dt.datetime:
    """`when`, or, for one who joined after it, a moment between their joining and now."""
    if joined is None or when > joined:
        return when
    return joined + (now - joined) * rng.uniform(0.1, 0.9)


@transaction.atomic
def load_demo_forms(coalition: Coalition, *, count: int = SUBMISSIONS) -> FormsLoad:
    existing = Form.objects.for_coalition(coalition).filter(title=TITLE).first()
    if existing is not None:
        return FormsLoad(created=False, submissions=existing.submissions.count())
    campaign = Campaign.objects.for_coalition(coalition).filter(name=CAMPAIGN_NAME).first()
    owner = _member(coalition, EMS_UNION)
    form = services.create_form(
        coalition=coalition,
        title=TITLE,
        description=(
            "On March 3 supporters from every county meet their state senators and "
            "representatives at the statehouse to ask for 40 psychiatric crisis beds and mobile "
            "crisis teams in the budget. Sign up and we will send you the schedule, a briefing "
            "and your legislator's name."
        ),
        fields=QUESTIONS,
        consent_text=CONSENT,
        consent_required=True,
        thank_you="We will email the schedule and your briefing a week before the lobby day.",
        status=Form.Status.OPEN,
        owner=owner,
        campaign=campaign,
    )
    links = [
        services.create_form_link(form=form, membership=member, label="newsletter")[0]
        for member in (
            _member(coalition, name) for name in (EMS_UNION, CRISIS_LINE, FAMILIES, INTERFAITH)
        )
        if member is not None
    ]
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    now = timezone.now()
    made = 0
    first_codes: list[str] = []
    # the coalition's own supporters volunteer (the supporter base stays the number loaded,
    # each dated when they joined, not the day the sign-ups were loaded)
    # each dated when they joined, not the day the sign-ups were loaded); without enough of
    # them (a demo loaded without supporters) new people sign up, joining as they do
    rows: list[tuple[str, str, str, dt.datetime | None]] = list(
        EmailAddress.objects.for_coalition(coalition)
        .order_by("pk")
        .values_list("address", "person__given_name", "person__family_name", "person__created_at")
    )
    people = rng.sample(rows, min(count, len(rows)))
    for n in range(len(people), count):
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        people.append((f"{given}.{family}.lobby{n}@example.org".lower(), given, family, None))
    for email, given, family, joined in people:
        roll = rng.random()
        if links and roll < 0.7:
            referrer = rng.choice(links).code
        elif first_codes and roll < 0.85:
            referrer = rng.choice(first_codes)  # a friend's share link
        else:
            referrer = ""
        result = services.submit_form(
            form=form,
            person=PersonData(
                given_name=given or None,
                family_name=family or None,
                emails=[EmailInput(email)],
            ),
            answers={
                "which_part_of_the_day_can_you_join": rng.choice(PARTS),
                "will_you_tell_your_own_story_to_a_legislator": rng.random() < 0.3,
                "anything_we_should_know_access_needs_languages": rng.choice(NOTES),
            },
            consent=True,
            referrer=referrer,
            source="web",
            now=_after(joined, now - dt.timedelta(minutes=rng.randint(5, 30 * 24 * 60)), now, rng),
        )
        made += int(result.created)
        if len(first_codes) < 20:
            first_codes.append(result.submission.ref_code)
    return FormsLoad(created=True, submissions=made)
