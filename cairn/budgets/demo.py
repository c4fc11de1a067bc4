"""The demo's participatory budget: member organizations proposed six budget lines for the
pooled fund, each organization cast one approval ballot, the stewards put the Method of Equal
Shares' result to a majority decision, the members passed it, and its outcome adopted the
result — so the allocations are in the fund's ledger with that decision. Organizers then spent
from their lines: expenses with receipts, approved by the steward (never by who submitted them),
one still awaiting approval.

Everything goes through the services, so the demo obeys every rule the pages do. Idempotent:
once the round exists, nothing is done again.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cairn.coalitions.demo import DEMO_LOGIN
from cairn.coalitions.models import Coalition, Role, StaffMember
from cairn.governance import services as governance
from cairn.ledger import services as ledger

from . import services
from .models import Allocation, Ballot, BudgetLine, Expense, Round

ROUND_TITLE = "Spring organizing budget"
BUDGET = Decimal("12000.00")

# (title, cost, the organizer's email whose organization proposed it, description)
LINES: tuple[tuple[str, str, str, str], ...] = (
    (
        "Buses to the budget hearing",
        "3000.00",
        "marcus@demo.cairn.test",
        "Four coaches so that EMS crews and families can testify at the capitol.",
    ),
    (
        "Crisis line ads on transit",
        "5000.00",
        "grace@demo.cairn.test",
        "Eight weeks of bus-shelter posters with the 988 number, in English and Spanish.",
    ),
    (
        "Family peer-support training weekend",
        "4500.00",
        "elena@demo.cairn.test",
        "Trainers, rooms and childcare for twenty family peer supporters.",
    ),
    (
        "Printed materials in five languages",
        "2500.00",
        "priya@demo.cairn.test",
        "Fact sheets and postcards translated and printed for the district meetings.",
    ),
    (
        "Data brief on psychiatric bed waits",
        "3500.00",
        "samuel@demo.cairn.test",
        "A short, sourced brief legislators can cite, with the county's own figures.",
    ),
    (
        "Vigil and community forum, east district",
        "1500.00",
        "ruth@demo.cairn.test",
        "Hall rental, sound and interpretation for an evening forum.",
    ),
)

# Each member organization's approvals, by the organizer's email (titles' first words).
BALLOTS: dict[str, tuple[str, ...]] = {
    "marcus@demo.cairn.test": ("Buses", "Crisis", "Data"),
    "grace@demo.cairn.test": ("Crisis", "Buses", "Printed"),
    "elena@demo.cairn.test": ("Family", "Vigil", "Printed"),
    "priya@demo.cairn.test": ("Printed", "Crisis", "Data"),
    "samuel@demo.cairn.test": ("Data", "Buses"),
    "ruth@demo.cairn.test": ("Vigil", "Family", "Printed"),
}

# (line's first word, amount, description, payee, days ago, approved)
EXPENSES: tuple[tuple[str, str, str, str, int, bool], ...] = (
    ("Buses", "1850.00", "Two coaches, hearing day", "Tri-County Charter Lines", 6, True),
    ("Printed", "940.50", "Fact sheets, 4,000 copies", "Riverbend Print Shop", 4, True),
    ("Vigil", "600.00", "Hall rental, east district", "Eastside Community Hall", 2, True),
    ("Printed", "312.75", "Postcards, Vietnamese and Somali", "Riverbend Print Shop", 1, False),
)


DECIDED_DAYS = 20  # the members adopted the result this many days ago


def _at(days: int, hour: int) -> dt.datetime:
    """`hour` o'clock `days` days ago (never later than now)."""
    day = timezone.localdate() - dt.timedelta(days=days)
    return min(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), timezone.now())


def _receipt_png(text: str) -> bytes:
    """A small, valid PNG (a grey strip) standing for a scanned receipt."""
    width, height = 120, 40
    shade = 200 + (sum(text.encode()) % 40)
    raw = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def load_demo_budgets(coalition: Coalition) -> Round:
    existing = Round.objects.for_coalition(coalition).filter(title=ROUND_TITLE).first()
    if existing is not None:
        return existing
    staff = {
        s.user.email: s
        for s in StaffMember.objects.for_coalition(coalition).select_related("user", "membership")
    }
    steward = staff[DEMO_LOGIN]
    fund = ledger.ensure_fund(coalition=coalition, currency="USD")
    round_ = services.create_round(
        fund=fund,
        title=ROUND_TITLE,
        budget=BUDGET,
        by=steward,
        description=(
            "Member organizations share out this spring's organizing money. Each organization "
            "approves the lines it supports; the Method of Equal Shares gives each an equal say."
        ),
    )
    lines: dict[str, BudgetLine] = {}
    for title, cost, email, description in LINES:
        lines[title.split()[0]] = services.propose_line(
            fund=fund,
            title=title,
            cost=Decimal(cost),
            by=staff[email],
            membership=staff[email].membership,
            round=round_,
            description=description,
        )
    round_ = services.open_round(round=round_, by=steward)
    for email, approved in BALLOTS.items():
        services.cast_ballot(
            round=round_, approved=[lines[word].pk for word in approved], by=staff[email]
        )
    round_ = services.close_round(round=round_, by=steward)

    # the decision was taken weeks ago (drafted, opened, voted, closed on its days), so the
    # decision log stays in order of time and the allocations are dated with it
    drafted = _at(DECIDED_DAYS + 4, 10)
    proposal = services.propose_adoption(
        round=round_,
        rule=Round.Rule.EQUAL_SHARES,
        by=steward,
        closes_at=_at(DECIDED_DAYS - 3, 17),
        now=drafted,
    )
    proposal = governance.open_proposal(
        proposal=proposal, by=steward.user, schedule_ticks=False, now=_at(DECIDED_DAYS + 3, 9)
    )
    for n, email in enumerate(BALLOTS):
        voter = staff[email]
        governance.cast_vote(
            proposal=proposal,
            staff=voter,
            ballot={"position": "agree"},
            now=_at(DECIDED_DAYS + 2 - n // 3, 10 + n),
        )
    decided = _at(DECIDED_DAYS, 16)
    governance.close_proposal(proposal=proposal, by=steward.user, now=decided)
    outcome = governance.record_outcome(
        proposal=proposal,
        statement="The members adopt the Method of Equal Shares result of the spring budget.",
        responsible="Maya Okafor",
        recorded_by=steward.user,
        now=decided + dt.timedelta(minutes=5),
    )
    round_ = services.adopt_round(
        round=round_, outcome=outcome, by=steward, now=decided + dt.timedelta(minutes=10)
    )
    # the round before it, on its days: lines proposed, ballots cast over a week, then closed
    Round.objects.filter(pk=round_.pk).update(
        created_at=_at(DECIDED_DAYS + 14, 9),
        opened_at=_at(DECIDED_DAYS + 11, 9),
        closed_at=_at(DECIDED_DAYS + 4, 9),
    )
    BudgetLine.objects.filter(round=round_).update(created_at=_at(DECIDED_DAYS + 13, 11))
    for n, ballot in enumerate(Ballot.objects.filter(round=round_).order_by("pk")):
        Ballot.objects.filter(pk=ballot.pk).update(cast_at=_at(DECIDED_DAYS + 10 - n, 12))
    Allocation.objects.filter(round=round_).update(created_at=decided + dt.timedelta(minutes=10))
    round_.refresh_from_db()

    today = timezone.localdate()
    for word, amount, description, payee, days_ago, approve in EXPENSES:
        line = lines[word]
        if line.status != BudgetLine.Status.ALLOCATED:
            line.refresh_from_db()
        if line.status != BudgetLine.Status.ALLOCATED:
            continue  # the result did not fund it
        submitter = next(
            s
            for s in staff.values()
            if s.membership_id == line.proposed_for_id and s.role == Role.ORGANIZER
        )
        upload = SimpleUploadedFile(
            f"{payee.lower().replace(' ', '-')}.png", _receipt_png(payee), content_type="image/png"
        )
        expense: Expense = services.submit_expense(
            line=line,
            amount=Decimal(amount),
            description=description,
            payee=payee,
            incurred_on=today - dt.timedelta(days=days_ago),
            receipts=[upload],
            by=submitter,
        )
        if approve:
            services.approve_expense(expense=expense, by=steward)
    return round_
