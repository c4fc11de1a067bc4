"""The demo coalition's narrative: the framework the founding members adopted by consent before
the charter (version 1), a version 2 proposed since, and 42 content items of the campaign across
every state and channel, some with flags the check finds; published items carry tracked links,
and part of the live petition's demo signatures came through them, so the pulse and the
campaign dashboard's content source have figures.

Two steps, so the decision log stays in order of time (`load_demo` runs the first before the
other demo decisions, the second after the petitions):
- `load_demo_narrative_decision`: the framework and the decision that adopted version 1, dated
  eleven and a half months ago, before the charter;
- `load_demo_narrative`: version 2, the content (written, reviewed, approved and published
  through the services, dated over the last months) and the content signatures.

Deterministic and idempotent: a second run finds the framework and the items by name and
creates nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from cairn.campaigns.models import Campaign, Objective
from cairn.coalitions.demo import (
    CRISIS_LINE,
    DEMO_LOGIN,
    EMS_UNION,
    FAMILIES,
    HEALTH_SYSTEM,
    INTERFAITH,
    KEYSTONE,
    UNIVERSITY,
)
from cairn.coalitions.models import Coalition, Membership, Role, StaffMember

from . import services
from .models import ContentItem, Framework, FrameworkVersion, TrackedLink

FRAMEWORK_NAME = "Crisis care close to home"
DECISION_TITLE = "Adopt our shared narrative: crisis care close to home"
DECISION_DAYS = -348  # the proposal is drafted then; it closes and is adopted four days later
CONTENT_SIGNATURE_SHARE = 0.2  # of the live petition's confirmed signatures after publication

State = ContentItem.State
Kind = ContentItem.Kind
Channel = ContentItem.Channel


def framework_content(beds: int | None, response: int | None) -> dict[str, Any]:
    """Version 1 of the demo framework; proof points cite the campaign's two objectives."""

    def cited(text: str, objective: int | None) -> Any:
        return {"text": text, "objective_id": objective} if objective else text

    return {
        "core_message": (
            "Everyone in a mental-health crisis in the Riverbend region deserves fast, skilled "
            "care close to home, not a hallway or a jail cell."
        ),
        "ask": {
            "text": (
                "Tell the Majority Leader and the budget chairs to fund 40 psychiatric crisis "
                "beds and mobile crisis teams in this year's state budget."
            ),
            "objects": ["crisis beds", "mobile crisis teams", "the state budget"],
        },
        "vision": "A region where no one in a mental-health crisis waits alone.",
        "problem": (
            "People in crisis wait days in emergency-room hallways for a psychiatric bed, and "
            "ambulances take close to twenty minutes to reach behavioral-health calls."
        ),
        "solution": (
            "Recurring state funding for 40 crisis-stabilization beds and mobile crisis teams "
            "in every county."
        ),
        "tone": "Plain, urgent, hopeful; people first; numbers we can source.",
        "pillars": [
            {
                "id": "beds",
                "name": "Crisis beds close to home",
                "key_messages": [
                    {
                        "id": "beds-close",
                        "text": (
                            "The region needs more psychiatric crisis beds so people get care "
                            "close to home instead of waiting in emergency-room hallways."
                        ),
                    },
                    {
                        "id": "beds-boarding",
                        "text": (
                            "Every patient boarded in an emergency room is a psychiatric bed "
                            "the region does not have."
                        ),
                    },
                ],
                "proof_points": [
                    cited("Psychiatric beds available per 100,000 residents", beds),
                    "Forty crisis-stabilization beds would end emergency-room boarding.",
                ],
            },
            {
                "id": "response",
                "name": "Fast crisis response",
                "key_messages": [
                    {
                        "id": "response-teams",
                        "text": (
                            "Mobile crisis teams reach people in a mental-health crisis faster "
                            "than an ambulance or the police, and they bring the right help."
                        ),
                    },
                    {
                        "id": "response-minutes",
                        "text": (
                            "A behavioral-health emergency deserves a response in minutes, "
                            "not half an hour."
                        ),
                    },
                ],
                "proof_points": [
                    cited("Median EMS response time to behavioral-health calls", response),
                ],
            },
            {
                "id": "savings",
                "name": "Care costs less than crisis",
                "key_messages": [
                    {
                        "id": "savings-money",
                        "text": (
                            "Funding crisis care saves the state money by keeping people out "
                            "of emergency rooms and jails."
                        ),
                    }
                ],
                "proof_points": [
                    "Boarding one psychiatric patient in an emergency room costs a hospital "
                    "about $2,300 a day."
                ],
            },
            {
                "id": "voices",
                "name": "Families and first responders",
                "key_messages": [
                    {
                        "id": "voices-families",
                        "text": (
                            "Families and paramedics see the cost of doing nothing every day, "
                            "and they are asking lawmakers to act."
                        ),
                    }
                ],
                "proof_points": ["More than 1,800 residents signed the petition for crisis beds."],
            },
        ],
        "audiences": [
            {"name": "Legislators", "framing": "cost of doing nothing in their own district"},
            {"name": "Families", "framing": "help that comes in minutes, close to home"},
            {"name": "Hospital leaders", "framing": "emergency rooms freed for emergencies"},
        ],
        "messengers": ["Paramedics", "Parents of people who waited", "ER nurses", "Faith leaders"],
        "terms_use": ["people in crisis", "mental-health crisis", "crisis care"],
        "terms_avoid": [
            {"term": "the mentally ill", "replacement": "people with mental illness"},
            {"term": "psych ward", "replacement": "psychiatric unit"},
            {"term": "committed suicide", "replacement": "died by suicide"},
            {"term": "crazy", "replacement": ""},
            {"term": "frequent flyers", "replacement": "people who need repeat care"},
        ],
    }


ASK_LINE = (
    "Tell the Majority Leader and the budget chairs to fund 40 crisis beds and mobile crisis "
    "teams in this year's state budget."
)

# Clean texts by pillar (the check finds no blocking flag in them).
CLEAN = {
    "beds": (
        "Last winter people in crisis waited days in emergency-room hallways for a psychiatric "
        "bed. The region needs more crisis beds so people get care close to home. "
        f"{ASK_LINE}"
    ),
    "beds_nurse": (
        "As an ER nurse I see it every shift: every patient boarded in an emergency room is a "
        "psychiatric bed the region does not have. Crisis beds close to home would end the "
        f"wait. {ASK_LINE}"
    ),
    "response": (
        "Mobile crisis teams reach people in a mental-health crisis faster than an ambulance or "
        "the police, and they bring the right help. A behavioral-health emergency deserves a "
        f"response in minutes. {ASK_LINE}"
    ),
    "response_medic": (
        "Paramedics drive people in crisis two counties away because there is no team nearby. "
        "Mobile crisis teams reach people faster and bring the right help. "
        f"{ASK_LINE}"
    ),
    "savings": (
        "Funding crisis care saves the state money by keeping people out of emergency rooms and "
        "jails. Boarding one patient in an emergency room costs a hospital about $2,300 a day. "
        f"{ASK_LINE}"
    ),
    "voices": (
        "Families and paramedics see the cost of doing nothing every day, and they are asking "
        "lawmakers to act. More than 1,800 residents signed the petition for crisis beds. "
        f"{ASK_LINE}"
    ),
}

# Drafts with what the check flags.
FLAGGED = {
    "avoided": (
        "Too many of the mentally ill end up in the psych ward of a hospital two counties away. "
        f"The region needs more psychiatric crisis beds close to home. {ASK_LINE}"
    ),
    "crazy": (
        "It is crazy that people in crisis wait days in emergency-room hallways. The region "
        f"needs more crisis beds close to home. {ASK_LINE}"
    ),
    "no_ask": (
        "Mobile crisis teams reach people in a mental-health crisis faster than an ambulance or "
        "the police. A behavioral-health emergency deserves a response in minutes."
    ),
    "contradiction": (
        "Mobile crisis teams do not reach people faster than the police. The region still needs "
        f"crisis beds close to home. {ASK_LINE}"
    ),
    "off": (
        "Join us for the spring gala at the Riverside Hotel. Tickets include dinner, a silent "
        "auction and live music from a local jazz trio."
    ),
}


SHORT_ASK = "Tell lawmakers to fund crisis beds and mobile crisis teams in the state budget."
# Social posts and texts: short enough for every channel's limit (an SMS is 160 characters).
SHORT = {
    "beds": (
        "People in crisis wait days in ER hallways. The region needs more crisis beds close to "
        "home. Tell lawmakers to fund 40 crisis beds in this year's state budget."
    ),
    "beds_nurse": (
        "As an ER nurse I see people in crisis wait days in hallways. Crisis beds close to home "
        f"would end the wait. {SHORT_ASK}"
    ),
    "response": (
        "Mobile crisis teams reach people in crisis faster than an ambulance and bring the right "
        "help. Tell lawmakers to fund mobile crisis teams in the state budget."
    ),
    "response_medic": (
        "Paramedics see it: mobile crisis teams reach people faster and bring the right help. "
        "Tell lawmakers to fund them in the state budget."
    ),
    "savings": (
        f"Crisis care costs less than crisis: it keeps people out of ERs and jails. {SHORT_ASK}"
    ),
    "voices": f"Families and paramedics see the cost of doing nothing every day. {SHORT_ASK}",
    "avoided": (
        "Too many of the mentally ill wait in a psych ward two counties away. Tell lawmakers to "
        "fund 40 crisis beds in the state budget."
    ),
    "crazy": (
        "It is crazy that people in crisis wait days in ER hallways. Tell lawmakers to fund 40 "
        "crisis beds in this year's state budget."
    ),
    "no_ask": (
        "Mobile crisis teams reach people in crisis faster than an ambulance and bring the right "
        "help."
    ),
    "contradiction": (
        "Mobile crisis teams do not reach people faster than the police. Tell lawmakers to fund "
        "crisis beds in the state budget."
    ),
    "off": "Join us for the spring gala at the Riverside Hotel: dinner, an auction and live jazz.",
}


@dataclass(frozen=True, slots=True)
class ItemSpec:
    title: str
    kind: str
    channel: str
    member: str | None  # organization name; None is the coalition itself
    text: str  # a key of CLEAN or FLAGGED
    state: str
    days: int  # written this many days ago
    dismiss: str = ""  # a reviewer's reason to dismiss the flags (an approved flagged item)


def _spec(
    title: str,
    kind: str,
    channel: str,
    member: str | None,
    text: str,
    state: str,
    days: int,
    dismiss: str = "",
) -> ItemSpec:
    return ItemSpec(title, kind, channel, member, text, state, days, dismiss)  # fmt: skip


P, A, R, C, D, T = (
    State.PUBLISHED,
    State.APPROVED,
    State.IN_REVIEW,
    State.CHANGES_REQUESTED,
    State.DRAFT,
    State.RETIRED,
)
SOCIAL = Kind.SOCIAL_POST

ITEMS: tuple[ItemSpec, ...] = (
    # published: the pulse's figures come from these
    _spec("Beds, not hallways (Bluesky)", SOCIAL, Channel.BLUESKY, HEALTH_SYSTEM, "beds", P, 38),
    _spec("Beds, not hallways (Facebook)", SOCIAL, Channel.FACEBOOK, HEALTH_SYSTEM, "beds", P, 37),
    _spec("ER nurse on boarding", SOCIAL, Channel.INSTAGRAM, HEALTH_SYSTEM, "beds_nurse", P, 35),
    _spec("Crisis line: beds close to home", Kind.EMAIL, "", CRISIS_LINE, "beds", P, 34),
    _spec("Teams that come in minutes", SOCIAL, Channel.MASTODON, EMS_UNION, "response", P, 33),
    _spec("Paramedics speak (X)", SOCIAL, Channel.X, EMS_UNION, "response_medic", P, 32),
    _spec(
        "Paramedics speak (LinkedIn)", SOCIAL, Channel.LINKEDIN, EMS_UNION, "response_medic", P, 31
    ),
    _spec("Local 512 members' email", Kind.EMAIL, "", EMS_UNION, "response", P, 30),
    _spec("Care costs less than crisis", Kind.OP_ED, "", UNIVERSITY, "savings", P, 29),
    _spec("The $2,300 day (Bluesky)", SOCIAL, Channel.BLUESKY, UNIVERSITY, "savings", P, 27),
    _spec("Families ask lawmakers to act", Kind.PRESS_RELEASE, "", FAMILIES, "voices", P, 26),
    _spec("Our families' stories (Facebook)", SOCIAL, Channel.FACEBOOK, FAMILIES, "voices", P, 24),
    _spec("Congregations' email", Kind.EMAIL, "", INTERFAITH, "voices", P, 22),
    _spec("Text to supporters", SOCIAL, Channel.SMS, CRISIS_LINE, "response", P, 20),
    _spec("Coalition statement on beds", Kind.PRESS_RELEASE, "", None, "beds", P, 18),
    _spec(
        "Talking points for the Capitol day", Kind.TALKING_POINTS, "", INTERFAITH, "voices", P, 16
    ),
    # approved, ready in the kit
    _spec("Video: a mother's wait", Kind.VIDEO_SCRIPT, "", FAMILIES, "voices", A, 12),
    _spec(
        "Why teams beat hallways (Threads)", SOCIAL, Channel.THREADS, CRISIS_LINE, "response", A, 10
    ),
    _spec("Health plan members' email", Kind.EMAIL, "", KEYSTONE, "savings", A, 9),
    _spec("Budget math (X)", SOCIAL, Channel.X, UNIVERSITY, "savings", A, 8),
    _spec("Nurses' op-ed", Kind.OP_ED, "", HEALTH_SYSTEM, "beds_nurse", A, 7),
    _spec(
        "Quoting the old headline",
        SOCIAL,
        Channel.FACEBOOK,
        FAMILIES,
        "avoided",
        A,
        6,
        dismiss="We quote the 1998 headline to show how the words have changed.",
    ),
    # in review
    _spec("Faith leaders' letter", Kind.EMAIL, "", INTERFAITH, "voices", R, 5),
    _spec("Hallway story (Instagram)", SOCIAL, Channel.INSTAGRAM, FAMILIES, "avoided", R, 5),
    _spec("Response times (Bluesky)", SOCIAL, Channel.BLUESKY, EMS_UNION, "contradiction", R, 4),
    _spec("Crisis line volunteers' post", SOCIAL, Channel.MASTODON, CRISIS_LINE, "crazy", R, 4),
    _spec("Savings talking points", Kind.TALKING_POINTS, "", UNIVERSITY, "savings", R, 3),
    _spec("Teams video script", Kind.VIDEO_SCRIPT, "", EMS_UNION, "no_ask", R, 3),
    # changes requested
    _spec("Spring gala post", SOCIAL, Channel.FACEBOOK, CRISIS_LINE, "off", C, 14),
    _spec("Psych ward memories", Kind.OP_ED, "", FAMILIES, "avoided", C, 11),
    _spec("Teams vs police (X)", SOCIAL, Channel.X, EMS_UNION, "contradiction", C, 9),
    _spec("Minutes matter email", Kind.EMAIL, "", KEYSTONE, "no_ask", C, 6),
    # drafts
    _spec("Draft: beds thread", SOCIAL, Channel.BLUESKY, HEALTH_SYSTEM, "beds", D, 2),
    _spec("Draft: crazy wait", SOCIAL, Channel.X, FAMILIES, "crazy", D, 2),
    _spec("Draft: teams explainer", Kind.TALKING_POINTS, "", EMS_UNION, "response", D, 1),
    _spec("Draft: board email", Kind.EMAIL, "", KEYSTONE, "no_ask", D, 1),
    _spec("Draft: savings op-ed", Kind.OP_ED, "", UNIVERSITY, "savings", D, 1),
    _spec("Draft: LinkedIn post", SOCIAL, Channel.LINKEDIN, INTERFAITH, "voices", D, 0),
    # retired: published, then taken out of the kit
    _spec("Winter boarding numbers", SOCIAL, Channel.FACEBOOK, HEALTH_SYSTEM, "beds", T, 60),
    _spec("Old hearing date text", SOCIAL, Channel.SMS, CRISIS_LINE, "response", T, 58),
    _spec("First press release", Kind.PRESS_RELEASE, "", None, "savings", T, 55),
    _spec("Launch email", Kind.EMAIL, "", FAMILIES, "voices", T, 54),
)


# a reviewer names the most serious problem first (in this order)
COMMENTS = {
    "off_message": "This is about the gala, not our narrative: keep it off the campaign's feed.",
    "avoided_term": "Please use the framework's words: see the replacements the check suggests.",
    "contradiction": "This says the opposite of our key message on response times.",
    "missing_ask": "Add the ask: fund the crisis beds and teams in this year's budget.",
}


def _at(days: int, hour: int = 10) -> dt.datetime:
    """`days` ago (never in the future) at `hour`."""
    moment = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() - dt.timedelta(days=days), dt.time(hour))
    )
    return min(moment, timezone.now())


def _staff(
    coalition: Coalition,
) -> tuple[StaffMember | None, StaffMember | None, dict[int, StaffMember]]:
    rows = list(StaffMember.objects.for_coalition(coalition).select_related("user", "membership"))
    steward = next((s for s in rows if s.user.email == DEMO_LOGIN), None)
    other = next((s for s in rows if s.role == Role.STEWARD and s.user.email != DEMO_LOGIN), None)
    organizers = {s.membership_id: s for s in rows if s.role == Role.ORGANIZER and s.membership_id}
    return steward, other, organizers


def _campaign(coalition: Coalition) -> Campaign | None:
    from cairn.campaigns.demo import CAMPAIGN_NAME

    return Campaign.objects.for_coalition(coalition).filter(name=CAMPAIGN_NAME).first()


def _objective(campaign: Campaign | None, unit_start: str) -> int | None:
    if campaign is None:
        return None
    row = (
        Objective.objects.for_coalition(campaign.coalition_id)
        .filter(campaign=campaign, unit__startswith=unit_start)
        .order_by("pk")
        .first()
    )
    return row.pk if row else None


@transaction.atomic
def load_demo_narrative_decision(coalition: Coalition) -> Framework | None:
    """The framework and the consent decision that adopted version 1 (before the charter, so the
    decision log stays in order of time)."""
    from cairn.governance import services as governance

    existing = Framework.objects.for_coalition(coalition).filter(name=FRAMEWORK_NAME).first()
    if existing is not None:
        return existing
    steward, _, organizers = _staff(coalition)
    if steward is None:
        return None
    campaign = _campaign(coalition)
    content = framework_content(_objective(campaign, "beds"), _objective(campaign, "minutes"))
    framework = services.create_framework(
        coalition=coalition, name=FRAMEWORK_NAME, by=steward, content=content
    )
    drafted = _at(-DECISION_DAYS)
    Framework.objects.filter(pk=framework.pk).update(created_at=drafted)
    version = framework.versions.get()
    FrameworkVersion.objects.filter(pk=version.pk).update(
        created_at=drafted, updated_at=drafted, note="The founding members' shared narrative"
    )
    version = services.propose_version(version=version, by=steward, now=drafted)
    proposal = governance.create_proposal(
        coalition=coalition,
        template="consensus",
        title=DECISION_TITLE,
        body=(
            "We speak with one voice: this framework (core message, the ask, four pillars, the "
            "words we use and avoid) becomes what every member's content is checked against."
        ),
        closes_at=_at(-DECISION_DAYS - 4, 17),
        created_by=steward.user,
        now=drafted,
    )
    proposal = governance.open_proposal(
        proposal=proposal, by=steward.user, now=_at(-DECISION_DAYS, 11)
    )
    from cairn.coalitions.policy import may_vote

    for offset, voter in enumerate([steward, *organizers.values()]):
        if may_vote(voter, membership=voter.membership):
            governance.cast_vote(
                proposal=proposal,
                staff=voter,
                ballot={"position": "agree"},
                now=_at(-DECISION_DAYS - 1, 9) + dt.timedelta(minutes=40 * offset),
            )
    decided = _at(-DECISION_DAYS - 4, 17)
    proposal = governance.close_proposal(proposal=proposal, by=steward.user, now=decided)
    outcome = governance.record_outcome(
        proposal=proposal,
        statement=f"The narrative framework '{FRAMEWORK_NAME}' (version 1) is adopted.",
        next_steps="Every member checks its content against it before it goes out.",
        responsible="The stewards",
        recorded_by=steward.user,
        now=decided + dt.timedelta(minutes=5),
    )
    services.adopt_version(
        version=version, outcome=outcome, by=steward, now=decided + dt.timedelta(minutes=10)
    )
    return framework


@dataclass(frozen=True, slots=True)
class NarrativeLoad:
    created: int  # content items created; 0 when they were there already
    content_signatures: int


def _writer(
    spec: ItemSpec,
    member: Membership | None,
    steward: StaffMember,
    organizers: dict[int, StaffMember],
) -> StaffMember:
    if member is not None and member.pk in organizers:
        return organizers[member.pk]
    return steward


@transaction.atomic
def load_demo_narrative(coalition: Coalition) -> NarrativeLoad:
    """Version 2 proposed, the content items through their workflow, reach reports, and the
    live petition's signatures that came through content links."""
    framework = load_demo_narrative_decision(coalition)
    steward, second, organizers = _staff(coalition)
    campaign = _campaign(coalition)
    if framework is None or steward is None or campaign is None:
        return NarrativeLoad(created=0, content_signatures=0)
    items = ContentItem.objects.for_coalition(coalition)
    if items.filter(title=ITEMS[0].title).exists():
        return NarrativeLoad(created=0, content_signatures=_content_signatures(coalition))
    members = {
        m.organization.name: m
        for m in Membership.objects.for_coalition(coalition)
        .filter(status=Membership.Status.ACTIVE)
        .select_related("organization")
    }
    texts = {**CLEAN, **FLAGGED}
    created = 0
    for spec in sorted(ITEMS, key=lambda s: -s.days):
        member = members.get(spec.member) if spec.member else None
        if spec.member and member is None:
            continue  # a coalition without that member (tests load a smaller one)
        writer = _writer(spec, member, steward, organizers)
        reviewer = second if writer.pk == steward.pk and second is not None else steward
        body = SHORT[spec.text] if spec.kind == SOCIAL else texts[spec.text]
        _walk(spec, campaign, member, writer, reviewer, body)
        created += 1
    _version_two(framework, steward)
    _reach(coalition, steward)
    _attribute_signatures(coalition)
    return NarrativeLoad(created=created, content_signatures=_content_signatures(coalition))


def _walk(
    spec: ItemSpec,
    campaign: Campaign,
    member: Membership | None,
    writer: StaffMember,
    reviewer: StaffMember,
    body: str,
) -> ContentItem:
    written = _at(spec.days, 9)
    item = services.create_item(
        campaign=campaign,
        membership=member,
        by=writer,
        kind=spec.kind,
        channel=spec.channel,
        title=spec.title,
        body=body,
        now=written,
    )
    if spec.state == State.DRAFT:
        return item
    item = services.submit_item(item=item, by=writer, now=_at(spec.days, 11))
    if spec.state == State.IN_REVIEW:
        return item
    if spec.state == State.CHANGES_REQUESTED:
        result = services.run_check(
            framework=item.framework, text=item.body, kind=item.kind, channel=item.channel
        )
        # what the reviewer reads: the blocking flags and the suggestions (a contradiction)
        kinds = [f.kind for f in result.visible if not f.dismissed]
        comment = next((COMMENTS[k] for k in COMMENTS if k in kinds), "Tighten it to one ask.")
        return services.request_changes(
            item=item, by=reviewer, comment=comment, now=_at(max(spec.days - 1, 0), 15)
        )
    if spec.dismiss:
        result = services.run_check(
            framework=item.framework, text=item.body, kind=item.kind, channel=item.channel
        )
        for flag in result.open_blocking:
            services.dismiss_flag(
                item=item, by=reviewer, kind=flag.kind, span_text=flag.text, reason=spec.dismiss
            )
    try:
        services.approve_item(item=item, by=reviewer, now=_at(max(spec.days - 1, 0), 14))
    except services.BlockingFlags:
        # the check (a newer engine) flags a text written as clean: it stays in review, where
        # the page shows why, rather than the demo failing to load
        return ContentItem.objects.get(pk=item.pk)
    item = ContentItem.objects.get(pk=item.pk)
    if spec.state == State.APPROVED:
        return item
    item = services.publish_item(item=item, by=writer, now=_at(max(spec.days - 1, 0), 16))
    if spec.state == State.RETIRED:
        item = services.retire_item(item=item, by=reviewer, now=_at(max(spec.days - 20, 0), 12))
    return item


def _version_two(framework: Framework, steward: StaffMember) -> None:
    """Version 2, proposed three days ago: a sharper core message and a key message on the
    988 line (the page shows its diff from version 1)."""
    if framework.versions.count() > 1:
        return
    version = services.create_version(framework=framework, by=steward, now=_at(5))
    content = dict(version.content)
    content["core_message"] = (
        "Everyone in a mental-health crisis in the Riverbend region deserves skilled care "
        "within the hour, close to home, not a hallway or a jail cell."
    )
    pillars = [dict(p) for p in content["pillars"]]
    pillars[1]["key_messages"] = [
        *pillars[1]["key_messages"],
        {
            "id": "response-988",
            "text": "A call to 988 should send a mobile crisis team, not a squad car.",
        },
    ]
    content["pillars"] = pillars
    services.update_version(
        version=version, content=content, note="Care within the hour; the 988 line", by=steward
    )
    services.propose_version(version=version, by=steward, now=_at(3))


def _reach(coalition: Coalition, reporter: StaffMember) -> None:
    """Weekly reach of each published item, as reported: a launch week, then less."""
    base: dict[str, int] = {"facebook": 2400, "x": 1500, "bluesky": 900, "instagram": 1800}
    rows = ContentItem.objects.for_coalition(coalition).filter(
        state__in=[State.PUBLISHED, State.RETIRED], published_at__isnull=False
    )
    today = timezone.localdate()
    for item in rows.select_related("membership"):
        assert item.published_at is not None  # noqa: S101 - filtered above
        first = timezone.localdate(item.published_at)
        size = base.get(item.channel, 600) + 37 * (item.pk % 11)
        for week in range(6):
            on = first + dt.timedelta(days=7 * week + 1)
            if on >= today:
                break
            impressions = int(size / (1 + week * 0.8))
            services.record_reach(item=item, by=reporter, on=on, impressions=impressions)


def _attribute_signatures(coalition: Coalition) -> None:
    """A share of the live petition's confirmed signatures came through content links: each
    one signed after the item went out, by the link of the item's member (or the coalition)."""
    from cairn.petitions.demo import LIVE_SLUG
    from cairn.petitions.models import Petition, Signature

    petition = Petition.objects.for_coalition(coalition).filter(slug=LIVE_SLUG).first()
    if petition is None:
        return
    links = list(
        TrackedLink.objects.for_coalition(coalition)
        .filter(petition=petition)
        .select_related("item")
        .order_by("item__published_at", "pk")
    )
    # an item's own member's link (or the coalition's link for the coalition's items)
    own = [
        link
        for link in links
        if link.item.published_at is not None and link.membership_id == link.item.membership_id
    ]
    if not own:
        return
    signatures = (
        Signature.objects.for_coalition(coalition)
        .filter(petition=petition, confirmed_at__isnull=False)
        .order_by("created_at", "pk")
        .values_list("pk", "created_at")
    )
    chosen: dict[int, list[int]] = {}
    for n, (pk, created_at) in enumerate(signatures):
        if n % 5:  # one in five (CONTENT_SIGNATURE_SHARE)
            continue
        live = [link for link in own if link.item.published_at <= created_at]  # type: ignore[operator]
        if not live:
            continue
        # newer items and items with a pillar that lands get more: a deterministic spread
        link = live[(pk * 7 + len(live) // 2) % len(live)]
        chosen.setdefault(link.pk, []).append(pk)
    by_pk = {link.pk: link for link in own}
    for link_pk, pks in chosen.items():
        link = by_pk[link_pk]
        Signature.objects.filter(pk__in=pks).update(
            channel=link.channel, referring_membership_id=link.membership_id
        )
    _new_supporters_from_content(coalition, petition)


# A content signer who joined the coalition within this long after signing was brought by it.
JOINED_WITHIN = dt.timedelta(hours=12)


def _new_supporters_from_content(coalition: Coalition, petition: Any) -> None:
    """Some content signers were new to the coalition: the demo's supporters are made apart from
    its signatures, so a supporter who joined within hours after a content signature was
    confirmed (and has no signature on the petition yet) becomes its signer, as confirming a
    signature records the signer in the supporter list. Every second content signature at most;
    no supporter is made or re-dated."""
    from cairn.people.models import EmailAddress, Person
    from cairn.petitions.models import Signature

    from .outcomes import content_signatures

    signed = list(
        content_signatures(coalition)
        .filter(petition=petition, person__isnull=True)
        .order_by("confirmed_at", "pk")
        .values_list("pk", "confirmed_at")
    )
    if not signed:
        return
    on_petition = Signature.objects.for_coalition(coalition).filter(petition=petition)
    taken = set(
        on_petition.filter(person__isnull=False).values_list("person_id", flat=True).order_by()
    )
    used_emails = set(on_petition.values_list("canonical_email", flat=True).order_by())
    emails = {
        row["person_id"]: (row["address"], row["canonical"])
        for row in EmailAddress.objects.for_coalition(coalition)
        .filter(primary=True)
        .values("person_id", "address", "canonical")
    }
    people = [
        row
        for row in Person.objects.for_coalition(coalition)
        .filter(created_at__gte=signed[0][1])
        .order_by("created_at", "pk")
        .values_list("pk", "created_at", "given_name", "family_name")
        if row[0] not in taken and row[0] in emails and emails[row[0]][1] not in used_emails
    ]
    at = 0
    for n, (signature_pk, confirmed_at) in enumerate(signed):
        if n % 2:
            continue
        while at < len(people) and people[at][1] < confirmed_at:
            at += 1
        if at == len(people):
            break
        person_pk, joined, given, family = people[at]
        if joined > confirmed_at + JOINED_WITHIN:
            continue
        at += 1
        address, canonical = emails[person_pk]
        Signature.objects.filter(pk=signature_pk).update(
            person_id=person_pk,
            name=f"{given} {family}".strip() or address,
            email=address,
            canonical_email=canonical,
            email_domain=address.rsplit("@", 1)[-1].lower(),
        )


def _content_signatures(coalition: Coalition) -> int:
    from .outcomes import content_signatures

    return content_signatures(coalition).count()
