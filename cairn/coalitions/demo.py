"""The demo coalition: a regional health system convenes insurers, first responders, researchers,
congregations, community groups and families to win psychiatric crisis funding in a state budget.

`load_demo` writes only through the coalitions services, so the demo obeys every rule the app does.
It is deterministic and idempotent: each step looks for what it would create (a user by email, the
coalition by slug, an organization by name, a role by user, a commitment by description) and skips
it when it is there, so running it twice leaves the same rows and a later loader can add steps.
Dates are relative to `today` (the load date), so the demo always looks alive: the founding
members join about a year before it, adopt the charter and choose the horizon (`governance.demo`)
the day the horizon starts, ten months before the load date; the campaign runs from then to the
budget vote.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User, normalize_login_email

from . import services
from .models import (
    Coalition,
    Commitment,
    Membership,
    Organization,
    OrganizationSize,
    Role,
    Sector,
    StaffMember,
)

DEMO_SLUG = "regional-mental-health"
DEMO_LOGIN = "steward@demo.cairn.test"
DEMO_PASSWORD = "cairn-demo-2027"  # noqa: S105 - the published password of the local demo
DEMO_SITE_URL = "http://127.0.0.1:8000"

# The horizon, in days from `today`: it began about ten months ago and ends with the budget vote.
# The members who decide the charter and the horizon joined before (ORGANIZATIONS' histories).
HORIZON_START_DAYS = -300
HORIZON_END_DAYS = 213

Status = Membership.Status
Kind = Commitment.Kind


# --- what the demo contains ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecisionMaker:
    """A person whose decision the campaign must move (a power-map stakeholder, later)."""

    name: str
    title: str
    body: str
    stance: str  # "supportive", "undecided" or "opposed"
    position: str


DECISION_MAKERS: tuple[DecisionMaker, ...] = (
    DecisionMaker(
        name="Sen. Patricia Holloway",
        title="Senate Majority Leader",
        body="State Senate",
        stance="undecided",
        position=(
            "Decides which budget amendments reach the floor. Backed 988 crisis-line funding but "
            "has said new recurring health spending needs an offset."
        ),
    ),
    DecisionMaker(
        name="Rep. Gerald Manning",
        title="Chair, House Appropriations Committee",
        body="State House",
        stance="undecided",
        position=(
            "Writes the House budget. Wants hard numbers on what emergency-room boarding costs "
            "the state before he adds a recurring line for crisis beds."
        ),
    ),
    DecisionMaker(
        name="Sen. Linda Castellanos",
        title="Chair, Senate Health & Human Services Committee",
        body="State Senate",
        stance="supportive",
        position=(
            "Sponsored last session's psychiatric bed-registry bill, which died in appropriations; "
            "ready to carry the funding request in her committee."
        ),
    ),
    DecisionMaker(
        name="Rep. Howard Kessler",
        title="Speaker of the House",
        body="State House",
        stance="opposed",
        position=(
            "Opposes new recurring spending this year; has signalled openness to one-time capital "
            "money for crisis stabilization units."
        ),
    ),
    DecisionMaker(
        name="Rep. Angela Moreau",
        title="Vice Chair, House Appropriations Committee",
        body="State House",
        stance="supportive",
        position=(
            "Represents Ashford County, which has the region's longest ambulance response times "
            "to behavioral-health calls; a likely champion inside the committee."
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class OutcomeGoal:
    """An outcome the campaign is measured by (a campaign objective's metric, later)."""

    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    higher_is_better: bool
    source: str


OUTCOME_GOALS: tuple[OutcomeGoal, ...] = (
    OutcomeGoal(
        name="Psychiatric beds available per 100,000 residents",
        unit="beds per 100,000 residents",
        baseline=Decimal("17.8"),
        target=Decimal("25.0"),
        higher_is_better=True,
        source=(
            "Staffed adult and adolescent inpatient psychiatric beds in Riverbend, Marlow and "
            "Ashford counties, from the hospitals' bed-census feeds on the shared dashboard."
        ),
    ),
    OutcomeGoal(
        name="Median EMS response time to behavioral-health calls",
        unit="minutes",
        baseline=Decimal("19.5"),
        target=Decimal("12.0"),
        higher_is_better=False,  # down is good
        source=(
            "Tri-County EMS dispatch records for calls coded as behavioral health, from call "
            "received to first unit on scene, by calendar month."
        ),
    ),
)

COALITION_NAME = "Riverbend Regional Mental Health Coalition"
HORIZON_TITLE = "State budget vote on behavioral-health funding"

MISSION = (
    "People in the Riverbend region who are in a mental-health crisis wait too long for help. "
    "Ambulances take close to twenty minutes to reach behavioral-health calls, and people who "
    "need an inpatient psychiatric bed spend days boarding in emergency rooms because the region "
    "has too few of them. We bring together the hospitals, insurers, first responders, "
    "researchers, congregations, community groups and families who see this every day to win "
    "dedicated, recurring state funding for psychiatric crisis beds and mobile crisis response in "
    "the next state budget, by persuading the Senate Majority Leader and the chairs of the House "
    "Appropriations and Senate Health & Human Services committees to put it there."
)

CHARTER = """\
This charter says how the Riverbend Regional Mental Health Coalition makes decisions. It binds the \
member organizations, not their individual staff, and any member may propose to amend it through \
the same process it describes for every other decision.

One member, one vote. Each member organization names one voting representative and one \
alternate. Every active member has one vote, whatever its size, its budget or the resources it \
has pledged. Paused members keep their seat at meetings but do not vote and do not count toward \
quorum. The stewards run meetings and keep the record; they vote only as representatives of \
their own organizations.

We seek consensus first. A proposal is shared with every member at least seven days before the \
meeting that will decide it, with the options, the cost and who will do the work. At the meeting \
the facilitator tests for consensus: each member may agree, stand aside with its concerns \
recorded, or block.

A block is a serious step. A member may block only when a proposal would break the coalition's \
mission or force the member to act against its own, and it must say so in writing at the \
meeting, together with an amendment that would lift the block. A blocked proposal goes back to \
its authors for at least one revision. If the revised proposal is blocked again, it passes only \
with the support of three quarters of the voting members present, and the block and its reasons \
stay in the minutes.

Quorum is more than half of the active members. A proposal that does not reach consensus and is \
not blocked passes with two thirds of the votes cast at a quorate meeting. Urgent decisions, such \
as a response to a budget amendment due within a week, may be taken by an online vote open for \
at least 72 hours, with the same quorum and thresholds.

Conflicts of interest are declared and respected. A member that would receive money, data or \
contracts from a decision says so before the vote and abstains. This applies in particular to \
the health system and the insurers when the coalition allocates pooled funds or chooses vendors \
for the bed-availability dashboard.

We speak with one voice. Only statements approved through this process are made in the \
coalition's name. Meetings with the Senate Majority Leader, the chairs of the House \
Appropriations and Senate Health & Human Services committees and their staff are planned \
together, and at least two member organizations from different sectors attend each one.

A member may leave at any time with thirty days' notice. Data that a member shared remains its \
own and is deleted from coalition systems on request; commitments already delivered stay on the \
record.
"""


@dataclass(frozen=True, slots=True)
class OrganizationSpec:
    name: str
    sector: str
    size: str
    website: str
    mission: str
    # Status changes after being added as a prospect: (status, days from today).
    history: tuple[tuple[str, int], ...] = ()


HEALTH_SYSTEM = "Riverbend Health System"
KEYSTONE = "Keystone Mutual Health Plan"
CEDAR_VALLEY = "Cedar Valley Health Plan"
CRISIS_LINE = "Riverbend Crisis Line"
HARBOR_HOUSE = "Harbor House Community Services"
EASTSIDE = "Eastside Youth & Family Center"
SECOND_CHANCE = "Second Chance Recovery Center"
UNIVERSITY = "Riverbend State University School of Public Health"
INTERFAITH = "Riverbend Interfaith Network"
EMS_UNION = "Tri-County EMS Workers Local 512"
FAMILIES = "Riverbend Families for Mental Health"
CHAMBER = "Riverbend Regional Chamber of Commerce"
COMMUNITY_MEDIA = "Riverbend Community Media"
# Active members that chose not to be named on the public page (the others chose to be).
UNLISTED = frozenset({CEDAR_VALLEY})

ORGANIZATIONS: tuple[OrganizationSpec, ...] = (
    OrganizationSpec(
        name=HEALTH_SYSTEM,
        sector=Sector.HEALTH_CARE,
        size=OrganizationSize.HUGE,
        website="https://www.riverbendhealth.example.org",
        mission=(
            "Riverbend Health System is the region's nonprofit network of four hospitals and "
            "thirty-two clinics. It runs the only 24-hour psychiatric emergency service in the "
            "three counties and a 48-bed inpatient psychiatric unit that is full most nights. Its "
            "behavioral-health service line convened this coalition after emergency-room boarding "
            "of psychiatric patients doubled in three years."
        ),
        history=((Status.ACTIVE, -365),),
    ),
    OrganizationSpec(
        name=CRISIS_LINE,
        sector=Sector.NONPROFIT,
        size=OrganizationSize.SMALL,
        website="https://www.riverbendcrisisline.example.org",
        mission=(
            "Riverbend Crisis Line answers 988 calls, texts and chats for the three counties "
            "around the clock and dispatches the region's two mobile crisis teams. Its counselors "
            "resolve most calls on the phone, but when someone needs a bed they often wait hours "
            "for one. It brings the coalition its call and dispatch data and the experience of "
            "the people who answer."
        ),
        history=((Status.ACTIVE, -365),),
    ),
    OrganizationSpec(
        name=FAMILIES,
        sector=Sector.ADVOCACY,
        size=OrganizationSize.MICRO,
        website="https://www.riverbendfamilies.example.org",
        mission=(
            "Riverbend Families for Mental Health is a volunteer-led group of parents, spouses "
            "and siblings of people living with serious mental illness. It runs family-to-family "
            "education classes and a support line, and it has brought families to testify at "
            "every state budget hearing for a decade."
        ),
        history=((Status.ACTIVE, -362),),
    ),
    OrganizationSpec(
        name=EMS_UNION,
        sector=Sector.LABOR,
        size=OrganizationSize.LARGE,
        website="https://www.local512.example.org",
        mission=(
            "Local 512 represents about 600 paramedics, EMTs and dispatchers across Riverbend, "
            "Marlow and Ashford counties. Its members answer behavioral-health calls every shift, "
            "then wait for hours with patients in emergency rooms while their ambulances are off "
            "the road. The union campaigns for safe staffing and for sending the right responder "
            "to a mental-health crisis."
        ),
        history=((Status.INVITED, -360), (Status.ACTIVE, -352)),
    ),
    OrganizationSpec(
        name=SECOND_CHANCE,
        sector=Sector.NONPROFIT,
        size=OrganizationSize.SMALL,
        website="https://www.secondchancerecovery.example.org",
        mission=(
            "Second Chance Recovery Center ran a peer-run respite house and recovery coaching for "
            "adults leaving psychiatric hospitalization. It merged into Harbor House Community "
            "Services, which carries its programs and its seat in the coalition forward."
        ),
        history=((Status.ACTIVE, -350), (Status.LEFT, -120)),
    ),
    OrganizationSpec(
        name=EASTSIDE,
        sector=Sector.NONPROFIT,
        size=OrganizationSize.SMALL,
        website="https://www.eastsideyouth.example.org",
        mission=(
            "Eastside Youth & Family Center offers counseling, after-school programs and family "
            "support to young people on Riverbend's east side. It sees teenagers discharged from "
            "emergency rooms with no follow-up appointment. Its participation is paused while its "
            "board recruits a new executive director."
        ),
        history=((Status.ACTIVE, -348), (Status.PAUSED, -40)),
    ),
    OrganizationSpec(
        name=UNIVERSITY,
        sector=Sector.ACADEMIA,
        size=OrganizationSize.LARGE,
        website="https://publichealth.riverbendstate.example.org",
        mission=(
            "The School of Public Health at Riverbend State University trains public-health "
            "professionals and studies the region's health outcomes. Its Center for Behavioral "
            "Health Policy models psychiatric bed need and evaluates crisis-response programs. "
            "Its faculty give the coalition independent analysis and testify as experts."
        ),
        history=((Status.INVITED, -358), (Status.ACTIVE, -346)),
    ),
    OrganizationSpec(
        name=HARBOR_HOUSE,
        sector=Sector.COMMUNITY,
        size=OrganizationSize.MEDIUM,
        website="https://www.harborhouse.example.org",
        mission=(
            "Harbor House runs peer-support drop-in centers, a clubhouse and 60 units of "
            "supportive housing for adults living with serious mental illness. Its peer "
            "specialists have lived through the crises the coalition wants to prevent. Since "
            "absorbing Second Chance Recovery Center it also runs the region's only peer-run "
            "respite house."
        ),
        history=((Status.ACTIVE, -270),),
    ),
    OrganizationSpec(
        name=INTERFAITH,
        sector=Sector.FAITH,
        size=OrganizationSize.SMALL,
        website="https://www.riverbendinterfaith.example.org",
        mission=(
            "Riverbend Interfaith Network links 38 congregations (churches, synagogues, mosques "
            "and a gurdwara) in shared service and civic action. Its clergy often meet families "
            "on the worst night of a mental-health crisis. Member congregations open their halls "
            "for town meetings and bring their members to the Capitol."
        ),
        history=((Status.ACTIVE, -345),),
    ),
    OrganizationSpec(
        name=KEYSTONE,
        sector=Sector.INSURANCE,
        size=OrganizationSize.XLARGE,
        website="https://www.keystonemutual.example.org",
        mission=(
            "Keystone Mutual is a member-owned health plan covering about 410,000 people in the "
            "state, a third of them in the Riverbend region. Its behavioral-health program pays "
            "for crisis stabilization and follow-up care and wants fewer avoidable emergency-room "
            "stays. It shares de-identified claims data with public-health partners under "
            "data-use agreements."
        ),
        history=((Status.INVITED, -356), (Status.ACTIVE, -344)),
    ),
    OrganizationSpec(
        name=CEDAR_VALLEY,
        sector=Sector.INSURANCE,
        size=OrganizationSize.LARGE,
        website="https://www.cedarvalleyhealthplan.example.org",
        mission=(
            "Cedar Valley Health Plan is a regional insurer serving employers and Medicaid "
            "managed-care members in Riverbend, Marlow and Ashford counties. It contracts with "
            "most of the region's outpatient therapists and psychiatrists and publishes yearly "
            "network-adequacy reports. It joined to close the gap between coverage on paper and "
            "care that people can actually reach."
        ),
        history=((Status.INVITED, -210), (Status.ACTIVE, -180)),
    ),
    OrganizationSpec(
        name=CHAMBER,
        sector=Sector.BUSINESS,
        size=OrganizationSize.SMALL,
        website="https://www.riverbendchamber.example.org",
        mission=(
            "The Riverbend Regional Chamber of Commerce represents about 1,200 employers, from "
            "family firms to the region's largest manufacturers. Its workforce committee lists "
            "untreated mental illness among the leading causes of lost workdays. It has not yet "
            "taken a position on crisis funding."
        ),
    ),
    OrganizationSpec(
        name=COMMUNITY_MEDIA,
        sector=Sector.MEDIA,
        size=OrganizationSize.SMALL,
        website="https://www.riverbendcommunitymedia.example.org",
        mission=(
            "Riverbend Community Media is a nonprofit community television and podcast studio "
            "that trains residents to tell their own stories. Its weekly call-in show reaches "
            "listeners in every legislative district of the region. It could help families and "
            "paramedics record the stories the coalition brings to legislators."
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class StaffSpec:
    email: str
    full_name: str
    role: str
    organization: str | None  # the member organization the person acts for


STEWARD_NAME = "Maya Okafor"  # Dr. Okafor, vice president for behavioral health, Riverbend Health

STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("grace@demo.cairn.test", "Grace Whitfield", Role.STEWARD, CRISIS_LINE),
    StaffSpec("priya@demo.cairn.test", "Priya Raman", Role.ORGANIZER, KEYSTONE),
    StaffSpec("marcus@demo.cairn.test", "Marcus Bell", Role.ORGANIZER, EMS_UNION),
    StaffSpec("elena@demo.cairn.test", "Elena Vasquez", Role.ORGANIZER, FAMILIES),
    StaffSpec("samuel@demo.cairn.test", "Samuel Chen", Role.ORGANIZER, UNIVERSITY),
    StaffSpec("ruth@demo.cairn.test", "Ruth Adeyemi", Role.ORGANIZER, INTERFAITH),
    StaffSpec("jordan@demo.cairn.test", "Jordan Ellis", Role.VIEWER, CEDAR_VALLEY),
)


@dataclass(frozen=True, slots=True)
class DeliverySpec:
    quantity: Decimal
    days: int  # from today; never positive
    note: str


@dataclass(frozen=True, slots=True)
class CommitmentSpec:
    organization: str
    kind: str
    description: str
    quantity: Decimal
    unit: str
    due_days: int  # from today
    pledged_by: str  # email of the person who pledged it
    deliveries: tuple[DeliverySpec, ...] = ()


COMMITMENTS: tuple[CommitmentSpec, ...] = (
    CommitmentSpec(
        organization=HEALTH_SYSTEM,
        kind=Kind.FUNDING,
        description=(
            "Build and host a shared, real-time psychiatric bed-availability dashboard for the "
            "region's hospitals and crisis teams"
        ),
        quantity=Decimal(150_000),
        unit="USD",
        due_days=60,
        pledged_by=DEMO_LOGIN,
        deliveries=(
            DeliverySpec(Decimal(60_000), -210, "First tranche: data-integration contract signed."),
            DeliverySpec(
                Decimal(30_000),
                -45,
                "Second tranche: hosting and security review for the three-hospital pilot.",
            ),
        ),
    ),
    CommitmentSpec(
        organization=HEALTH_SYSTEM,
        kind=Kind.STAFF_TIME,
        description="Half-time data engineer to connect hospital bed-census feeds to the dashboard",
        quantity=Decimal(320),
        unit="hours",
        due_days=-60,
        pledged_by=DEMO_LOGIN,
        deliveries=(
            DeliverySpec(Decimal(160), -150, "Bed-census feeds of the four Riverbend hospitals."),
            DeliverySpec(
                Decimal(160),
                -75,
                "Feeds of the two partner hospitals in Marlow County; hand-over notes written.",
            ),
        ),
    ),
    CommitmentSpec(
        organization=KEYSTONE,
        kind=Kind.FUNDING,
        description="Seed grant for policy analysis, hearing travel and the coalition's lobby days",
        quantity=Decimal(75_000),
        unit="USD",
        due_days=-90,
        pledged_by="priya@demo.cairn.test",
        deliveries=(
            DeliverySpec(Decimal(75_000), -110, "Paid in full to the coalition's fiscal sponsor."),
        ),
    ),
    CommitmentSpec(
        organization=KEYSTONE,
        kind=Kind.DATA,
        description="Quarterly claims data on psychiatric ER boarding, de-identified, by county",
        quantity=Decimal(4),
        unit="datasets",
        due_days=120,
        pledged_by="priya@demo.cairn.test",
        deliveries=(
            DeliverySpec(Decimal(1), -190, "First quarter, under the data-use agreement."),
            DeliverySpec(Decimal(1), -100, "Second quarter; adds boarding hours by age group."),
        ),
    ),
    CommitmentSpec(
        organization=CEDAR_VALLEY,
        kind=Kind.DATA,
        description=(
            "Behavioral-health network adequacy reports for Riverbend, Marlow and Ashford counties"
        ),
        quantity=Decimal(2),
        unit="datasets",
        due_days=-20,
        pledged_by=DEMO_LOGIN,
        deliveries=(
            DeliverySpec(
                Decimal(1),
                -75,
                "Riverbend County report received; Marlow and Ashford reports still pending.",
            ),
        ),
    ),
    CommitmentSpec(
        organization=UNIVERSITY,
        kind=Kind.EXPERTISE,
        description=(
            "Epidemiology analysis: psychiatric bed need, ER boarding trends and a model of what "
            "the budget request would change"
        ),
        quantity=Decimal(400),
        unit="hours",
        due_days=90,
        pledged_by="samuel@demo.cairn.test",
        deliveries=(
            DeliverySpec(
                Decimal(120), -220, "Baseline of staffed psychiatric beds per 100,000 by county."
            ),
            DeliverySpec(
                Decimal(140), -50, "Boarding-time trends and a first draft of the bed-need model."
            ),
        ),
    ),
    CommitmentSpec(
        organization=EMS_UNION,
        kind=Kind.STAFF_TIME,
        description=(
            "Paramedic testimony at budget hearings and ride-along coordination for legislative "
            "staff"
        ),
        quantity=Decimal(240),
        unit="hours",
        due_days=150,
        pledged_by="marcus@demo.cairn.test",
        deliveries=(
            DeliverySpec(
                Decimal(96),
                -30,
                "Ride-alongs for both appropriations committees' staff; two paramedics "
                "testified at the interim hearing.",
            ),
        ),
    ),
    CommitmentSpec(
        organization=INTERFAITH,
        kind=Kind.IN_KIND,
        description="Meeting space in member congregations for town halls and coalition meetings",
        quantity=Decimal(12),
        unit="events",
        due_days=180,
        pledged_by="ruth@demo.cairn.test",
        deliveries=(
            DeliverySpec(Decimal(3), -240, "Three coalition meetings at First Methodist."),
            DeliverySpec(Decimal(2), -130, "Town halls at Masjid Al-Noor and St. Brigid's hall."),
            DeliverySpec(
                Decimal(2), -14, "Lobby-day training and a listening session at Temple Beth Shalom."
            ),
        ),
    ),
    CommitmentSpec(
        organization=FAMILIES,
        kind=Kind.NETWORK,
        description=(
            "Introductions to families who agreed to share their stories or join lobby days"
        ),
        quantity=Decimal(1_500),
        unit="contacts",
        due_days=30,
        pledged_by="elena@demo.cairn.test",
        deliveries=(
            DeliverySpec(Decimal(900), -160, "Family-to-family class alumni; consent recorded."),
            DeliverySpec(Decimal(600), -25, "Support-line callers who opted in this spring."),
        ),
    ),
    CommitmentSpec(
        organization=CRISIS_LINE,
        kind=Kind.DATA,
        description=(
            "Monthly 988 call, text and mobile-crisis dispatch volumes, with waits for a bed"
        ),
        quantity=Decimal(12),
        unit="datasets",
        due_days=200,
        pledged_by="grace@demo.cairn.test",
        deliveries=(
            DeliverySpec(Decimal(3), -200, "Monthly reports for the first quarter."),
            DeliverySpec(Decimal(3), -110, "Monthly reports for the second quarter."),
            DeliverySpec(Decimal(3), -20, "Monthly reports for the third quarter."),
        ),
    ),
    CommitmentSpec(
        organization=HARBOR_HOUSE,
        kind=Kind.EXPERTISE,
        description=(
            "Peer specialists train coalition spokespeople to talk about crises accurately and "
            "without stigma"
        ),
        quantity=Decimal(120),
        unit="hours",
        due_days=45,
        pledged_by=DEMO_LOGIN,
        deliveries=(
            DeliverySpec(Decimal(40), -35, "Two sessions for spokespeople of six members."),
        ),
    ),
)


# --- the loader ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoLoad:
    coalition: Coalition
    created: int  # rows-creating steps taken; 0 when the demo was already complete


def load_demo(*, today: dt.date | None = None) -> Coalition:
    """Load the demo coalition, creating only what is missing; return it."""
    return load_demo_coalition(today=today).coalition


@transaction.atomic
def load_demo_coalition(*, today: dt.date | None = None) -> DemoLoad:
    """Load the demo coalition, creating only what is missing, and say how much was created."""
    today = today or timezone.localdate()
    loader = _Loader(today=today)
    coalition = loader.coalition()
    memberships = {spec.name: loader.organization(coalition, spec) for spec in ORGANIZATIONS}
    for staff in STAFF:
        loader.staff(coalition, staff, memberships)
    for commitment in COMMITMENTS:
        loader.commitment(coalition, commitment, memberships)
    return DemoLoad(coalition=coalition, created=loader.created)


class _Loader:
    def __init__(self, *, today: dt.date) -> None:
        self.today = today
        self.created = 0

    def day(self, days: int) -> dt.date:
        return self.today + dt.timedelta(days=days)

    def past_day(self, days: int) -> dt.date:
        # record_delivery refuses future dates; a `today` ahead of the clock must not break it.
        return min(self.day(days), timezone.localdate())

    def user(self, email: str, full_name: str) -> User:
        existing = User.objects.filter(email=normalize_login_email(email)).first()
        if existing is not None:
            return existing
        self.created += 1
        return User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)

    def steward(self) -> User:
        return self.user(DEMO_LOGIN, STEWARD_NAME)

    def coalition(self) -> Coalition:
        existing = Coalition.objects.filter(slug=DEMO_SLUG).first()
        if existing is not None:
            return existing
        self.created += 1
        coalition = services.create_coalition(
            name=COALITION_NAME,
            slug=DEMO_SLUG,
            mission=MISSION,
            horizon_title=HORIZON_TITLE,
            horizon_start=self.day(HORIZON_START_DAYS),
            horizon_end=self.day(HORIZON_END_DAYS),
            charter=CHARTER,
            default_region="US",  # the demo's phone numbers are Indiana's (+1 317)
            created_by=self.steward(),
        )
        # the demo shows the public front door: `/` lists it for a visitor
        return services.publish_public_page(coalition=coalition, publish=True)

    def organization(self, coalition: Coalition, spec: OrganizationSpec) -> Membership:
        existing = (
            Organization.objects.for_coalition(coalition)
            .filter(name__iexact=spec.name)
            .select_related("membership")
            .first()
        )
        if existing is not None:
            return existing.membership
        self.created += 1
        steward = self.steward()
        membership = services.add_organization(
            coalition=coalition,
            name=spec.name,
            sector=spec.sector,
            mission=spec.mission,
            website=spec.website,
            size=spec.size,
            status=Status.PROSPECT,
            added_by=steward,
            on=self.past_day(min((days for _, days in spec.history), default=0) - 14),
        )
        for status, days in spec.history:
            membership = services.change_membership_status(
                membership=membership, status=status, changed_by=steward, on=self.past_day(days)
            )
        if membership.status == Status.ACTIVE and spec.name not in UNLISTED:
            membership = services.set_public_listing(membership=membership, listed=True)
        return membership

    def staff(
        self, coalition: Coalition, spec: StaffSpec, memberships: dict[str, Membership]
    ) -> None:
        user = self.user(spec.email, spec.full_name)
        if StaffMember.objects.for_coalition(coalition).filter(user=user).exists():
            return
        self.created += 1
        # The real path: an invitation, accepted at once (its email task then finds it used).
        sent = services.invite_staff(
            coalition=coalition,
            email=spec.email,
            role=spec.role,
            invited_by=self.steward(),
            site_url=DEMO_SITE_URL,
            membership=memberships[spec.organization] if spec.organization else None,
        )
        services.accept_invitation(invitation=sent.invitation, user=user)

    def commitment(
        self, coalition: Coalition, spec: CommitmentSpec, memberships: dict[str, Membership]
    ) -> None:
        membership = memberships[spec.organization]
        if (
            Commitment.objects.for_coalition(coalition)
            .filter(membership=membership, description=spec.description)
            .exists()
        ):
            return
        self.created += 1
        steward = self.steward()
        commitment = services.pledge_commitment(
            membership=membership,
            kind=spec.kind,
            description=spec.description,
            quantity=spec.quantity,
            unit=spec.unit,
            due_date=self.day(spec.due_days),
            pledged_by=User.objects.get(email=spec.pledged_by),
        )
        for delivery in spec.deliveries:
            services.record_delivery(
                commitment=commitment,
                quantity=delivery.quantity,
                delivered_on=self.past_day(delivery.days),
                recorded_by=steward,
                note=delivery.note,
            )
