"""Use cases of budgets: the only code that writes its tables. Money moves only through
`cairn.ledger.services.post`, with the postings `cairn.ledger.accounts` names.

- set_expense_approvals: how many stewards approve an expense (the charter's rule), 1 to 3.
- propose_line: a budget line in the fund's currency, at most its minor unit; an organizer
  proposes for its own organization; into a draft round or on its own.
- withdraw_line: a proposed line leaves (not once its round is open).
- create_round / open_round / close_round: draft → open (ballots) → closed (ballots frozen).
- cast_ballot: a member organization's approvals (one ballot per member, cast by whoever acts
  for it; casting again replaces it); cast_supporter_ballot: a supporter's, found or created
  through `upsert_person`, one per person.
- propose_adoption: a closed round's result under one rule goes to the coalition as a governance
  proposal (drafted through governance's services).
- adopt_round: only a passed decision's outcome adopts a round; it is linked to the round
  (`Authorization`), the funded lines get allocations, each posted to the ledger with
  decision = the outcome. Adopting again with the same outcome changes nothing.
- allocate_directly: a line outside any round allocated by a passed decision's outcome, likewise.
- apply_decisions: rounds and lines that a passed decision authorized on governance's own page
  are adopted or allocated.
- submit_expense: an expense against an allocated line with at least one receipt (PDF, PNG or
  JPEG by their bytes, 5 MB at most); more than the line has left (allocation minus paid and
  pending expenses) is refused with the figures.
- approve_expense: a steward's approval, never the submitter's own; with as many approvals as
  the settings ask, the expense is paid — posted to the ledger (decision = the allocation's) —
  if the line still has the money. reject_expense: with a reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions.models import Coalition, Membership, StaffMember
from cairn.coalitions.policy import Action, allows, may_vote
from cairn.engines import budgeting
from cairn.engines import ledger as ledger_math
from cairn.governance import services as governance
from cairn.governance.models import Outcome, Proposal
from cairn.ledger import accounts as ledger_accounts
from cairn.ledger import selectors as ledger_selectors
from cairn.ledger import services as ledger
from cairn.ledger.models import Fund
from cairn.people.services import EmailInput, PersonData, upsert_person

from .models import (
    RECEIPT_MAX_BYTES,
    RECEIPT_TYPES,
    ZERO,
    Allocation,
    Ballot,
    BudgetLine,
    BudgetSettings,
    Electorate,
    Expense,
    ExpenseApproval,
    Receipt,
    Round,
)


class BudgetError(Exception):
    """A request the budgets refuse; the message says why, for the person who asked."""


class NotAllowed(BudgetError):
    pass


def _require(staff: StaffMember | None, action: Action, coalition_id: int) -> None:
    if staff is None or staff.coalition_id != coalition_id or not allows(staff, action):
        raise NotAllowed("Your role may not do that here.")


def _user(staff: StaffMember | None) -> User | None:
    return staff.user if staff is not None else None


def _amount(value: object, fund: Fund, what: str) -> Decimal:
    try:
        return ledger_math.to_amount(value, fund.currency)
    except ledger_math.LedgerMathError as error:
        raise BudgetError(f"{what}: {error}") from None


def money(amount: Decimal, fund: Fund) -> str:
    return ledger_math.format_amount(amount, fund.currency)


# --- settings -----------------------------------------------------------------------------------


def settings_for(coalition: Coalition) -> BudgetSettings:
    row, _ = BudgetSettings.objects.get_or_create(coalition=coalition)
    return row


@transaction.atomic
def set_expense_approvals(
    *, coalition: Coalition, approvals: int, by: StaffMember
) -> BudgetSettings:
    """The number of stewards' approvals an expense needs (the charter's rule), 1 to 3."""
    _require(by, Action.MANAGE_BUDGETS, coalition.pk)
    if not 1 <= approvals <= 3:
        raise BudgetError("An expense needs from 1 to 3 stewards' approvals.")
    row = settings_for(coalition)
    row.expense_approvals = approvals
    row.save(update_fields=["expense_approvals"])
    return row


# --- lines and rounds ---------------------------------------------------------------------------


@transaction.atomic
def propose_line(
    *,
    fund: Fund,
    title: str,
    cost: object,
    by: StaffMember,
    description: str = "",
    membership: Membership | None = None,
    round: Round | None = None,
) -> BudgetLine:
    """A budget line of the fund at `cost` (Decimal, at most the currency's minor unit)."""
    _require(by, Action.PROPOSE_BUDGET_LINES, fund.coalition_id)
    if not allows(by, Action.MANAGE_BUDGETS):
        # an organizer proposes for its own organization only
        if membership is not None and membership.pk != by.membership_id:
            raise NotAllowed("You propose lines for your own organization only.")
        membership = by.membership
    if membership is not None and membership.coalition_id != fund.coalition_id:
        raise BudgetError("That member organization belongs to another coalition.")
    title = " ".join(title.split())[:200]
    if not title:
        raise BudgetError("A budget line needs a title.")
    amount = _amount(cost, fund, "Cost")
    if round is not None:
        locked = Round.objects.select_for_update().get(pk=round.pk)
        if locked.coalition_id != fund.coalition_id or locked.fund_id != fund.pk:
            raise BudgetError("That round draws on another fund.")
        if locked.status != Round.Status.DRAFT:
            raise BudgetError("Lines join a round while it is a draft, before ballots open.")
    return BudgetLine.objects.create(
        coalition_id=fund.coalition_id,
        fund=fund,
        round=round,
        title=title,
        description=description.strip(),
        cost=amount,
        proposed_for=membership,
        created_by=by.user,
    )


@transaction.atomic
def withdraw_line(*, line: BudgetLine, by: StaffMember) -> BudgetLine:
    """A proposed line leaves the table (not while its round is open or awaiting a decision)."""
    _require(by, Action.PROPOSE_BUDGET_LINES, line.coalition_id)
    row = BudgetLine.objects.select_for_update().get(pk=line.pk)
    if not allows(by, Action.MANAGE_BUDGETS) and row.proposed_for_id != by.membership_id:
        raise NotAllowed("You withdraw your own organization's lines only.")
    if row.status != BudgetLine.Status.PROPOSED:
        raise BudgetError("Only a proposed line can be withdrawn.")
    if row.round_id is not None and row.round.status != Round.Status.DRAFT:  # type: ignore[union-attr]
        raise BudgetError("Its round is under way; the line stays on the ballot.")
    row.status = BudgetLine.Status.WITHDRAWN
    row.round = None
    row.save(update_fields=["status", "round"])
    return row


@transaction.atomic
def create_round(
    *,
    fund: Fund,
    title: str,
    budget: object,
    by: StaffMember,
    electorate: str = Electorate.MEMBERS,
    description: str = "",
    max_approvals: int | None = None,
) -> Round:
    """A draft round that will share `budget` of the fund among the lines proposed into it."""
    _require(by, Action.MANAGE_BUDGETS, fund.coalition_id)
    title = " ".join(title.split())[:200]
    if not title:
        raise BudgetError("A round needs a title.")
    if electorate not in Electorate.values:
        raise BudgetError("Choose who votes: member organizations or supporters.")
    if max_approvals is not None and max_approvals < 1:
        raise BudgetError("A ballot approves at least one line.")
    return Round.objects.create(
        coalition_id=fund.coalition_id,
        fund=fund,
        title=title,
        description=description.strip(),
        budget=_amount(budget, fund, "Budget"),
        electorate=electorate,
        max_approvals=max_approvals,
        created_by=by.user,
    )


def _locked_round(round_: Round) -> Round:
    return Round.objects.select_for_update().get(pk=round_.pk)


@transaction.atomic
def open_round(*, round: Round, by: StaffMember) -> Round:
    """Ballots open: the lines are fixed from now on."""
    _require(by, Action.MANAGE_BUDGETS, round.coalition_id)
    row = _locked_round(round)
    if row.status != Round.Status.DRAFT:
        raise BudgetError("Only a draft round can be opened.")
    lines = BudgetLine.objects.filter(round=row, status=BudgetLine.Status.PROPOSED).count()
    if lines < 2:
        raise BudgetError("Put at least two budget lines into the round first.")
    row.status, row.opened_at = Round.Status.OPEN, timezone.now()
    row.save(update_fields=["status", "opened_at"])
    return row


@transaction.atomic
def close_round(*, round: Round, by: StaffMember) -> Round:
    """Ballots close; the results are computed from the ballots as they stand."""
    _require(by, Action.MANAGE_BUDGETS, round.coalition_id)
    row = _locked_round(round)
    if row.status != Round.Status.OPEN:
        raise BudgetError("Only an open round can be closed.")
    row.status, row.closed_at = Round.Status.CLOSED, timezone.now()
    row.save(update_fields=["status", "closed_at"])
    return row


# --- ballots ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BallotResult:
    ballot: Ballot
    created: bool


def _approved_ids(row: Round, approved: Iterable[int | str]) -> list[int]:
    try:
        chosen = sorted({int(pk) for pk in approved})
    except (TypeError, ValueError):
        raise BudgetError("Approve lines of this round only.") from None
    on_ballot = set(
        BudgetLine.objects.filter(round=row, status=BudgetLine.Status.PROPOSED).values_list(
            "pk", flat=True
        )
    )
    if not set(chosen) <= on_ballot:
        raise BudgetError("Approve lines of this round only.")
    if row.max_approvals is not None and len(chosen) > row.max_approvals:
        raise BudgetError(f"Approve at most {row.max_approvals} lines.")
    return chosen


def _store_ballot(
    row: Round,
    *,
    key: str,
    approved: list[int],
    membership: Membership | None = None,
    person_id: int | None = None,
    by: User | None = None,
) -> BallotResult:
    now = timezone.now()
    # unique (round, voter_key): a concurrent first ballot of the same voter becomes an update
    ballot, created = Ballot.objects.get_or_create(
        round=row,
        voter_key=key,
        defaults={
            "coalition_id": row.coalition_id,
            "membership": membership,
            "person_id": person_id,
            "approved": approved,
            "cast_by": by,
            "cast_at": now,
        },
    )
    if not created:
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.approved != approved:
            ballot.approved, ballot.cast_by, ballot.cast_at = approved, by, now
            ballot.changes += 1
            ballot.save(update_fields=["approved", "cast_by", "cast_at", "changes"])
    return BallotResult(ballot, created)


@transaction.atomic
def cast_ballot(
    *,
    round: Round,
    approved: Iterable[int | str],
    by: StaffMember,
    membership: Membership | None = None,
) -> BallotResult:
    """A member organization's approvals, cast by someone who acts for it; casting again
    replaces them. One ballot per member organization (unique key)."""
    membership = membership or by.membership
    row = Round.objects.select_for_update().get(pk=round.pk)  # serializes with closing
    if row.status != Round.Status.OPEN:
        raise BudgetError("Ballots are closed.")
    if row.electorate != Electorate.MEMBERS:
        raise BudgetError("Supporters vote in this round, on its public ballot page.")
    if (
        membership is None
        or by.coalition_id != row.coalition_id
        or not may_vote(by, membership=membership)
    ):
        raise NotAllowed("You cast the ballot of your own member organization only.")
    if membership.status != Membership.Status.ACTIVE:
        raise NotAllowed("Only active member organizations vote.")
    chosen = _approved_ids(row, approved)
    return _store_ballot(
        row, key=f"m{membership.pk}", approved=chosen, membership=membership, by=by.user
    )


@transaction.atomic
def cast_supporter_ballot(
    *,
    round: Round,
    email: str,
    given_name: str,
    family_name: str = "",
    approved: Iterable[int | str],
) -> BallotResult:
    """A supporter's approvals: the person is found or created (`upsert_person`); one ballot per
    person, casting again replaces it."""
    row = Round.objects.select_for_update().get(pk=round.pk)
    if row.status != Round.Status.OPEN:
        raise BudgetError("Ballots are closed.")
    if row.electorate != Electorate.SUPPORTERS:
        raise BudgetError("Member organizations vote in this round.")
    chosen = _approved_ids(row, approved)
    if not email.strip():
        raise BudgetError("Give your email address, so that you vote once.")
    result = upsert_person(
        coalition=row.coalition,
        data=PersonData(
            given_name=given_name.strip() or None,
            family_name=family_name.strip() or None,
            emails=[EmailInput(address=email.strip(), primary=True)],
        ),
        source_action=f"budget ballot: {row.title}"[:200],
    )
    person = result.person
    return _store_ballot(row, key=f"p{person.pk}", approved=chosen, person_id=person.pk)


# --- results and adoption -----------------------------------------------------------------------


def election(round_: Round) -> tuple[budgeting.Election, dict[str, BudgetLine]]:
    """The round as the engine takes it: costs and budget in minor units, one entry per ballot,
    line keys in proposal order (ties go to the line proposed first)."""
    exponent = ledger_math.minor_units(round_.fund.currency)
    lines = list(
        BudgetLine.objects.for_coalition(round_.coalition_id)
        .filter(round=round_)
        .exclude(status=BudgetLine.Status.WITHDRAWN)
        .order_by("pk")
    )
    by_key = {budgeting.line_key(line.pk): line for line in lines}
    key_of = {line.pk: key for key, line in by_key.items()}
    ballots = tuple(
        frozenset(key_of[pk] for pk in approved if pk in key_of)
        for approved in Ballot.objects.for_coalition(round_.coalition_id)
        .filter(round=round_)
        .order_by("pk")
        .values_list("approved", flat=True)
    )
    return (
        budgeting.Election(
            budget=budgeting.minor_units(round_.budget, exponent),
            lines=tuple(
                budgeting.Line(key, budgeting.minor_units(line.cost, exponent))
                for key, line in by_key.items()
            ),
            ballots=ballots,
        ),
        by_key,
    )


def results(round_: Round) -> dict[budgeting.Rule, budgeting.RuleResult]:
    return budgeting.compute(election(round_)[0])


def _passed(outcome: Outcome, coalition_id: int) -> None:
    if outcome.coalition_id != coalition_id:
        raise BudgetError("That decision belongs to another coalition.")
    proposal = Proposal.objects.get(pk=outcome.proposal_id)
    if proposal.passed is not True:
        raise BudgetError(
            f"“{proposal.title}” did not pass; only a passed decision adopts spending."
        )


@transaction.atomic
def propose_adoption(
    *,
    round: Round,
    rule: str,
    by: StaffMember,
    closes_at: dt.datetime,
    template: str = "majority",
    now: dt.datetime | None = None,
) -> Proposal:
    """Put the closed round's result under `rule` to the coalition: a governance proposal
    (draft; a steward opens it on the decisions pages) whose body lists what would be funded.
    `now` is when it was drafted (the demo's history passes its own day)."""
    _require(by, Action.MANAGE_BUDGETS, round.coalition_id)
    row = _locked_round(round)
    if row.status != Round.Status.CLOSED:
        raise BudgetError("Close the round's ballots before proposing its result.")
    if rule not in Round.Rule.values:
        raise BudgetError("Choose the Method of Equal Shares or greedy approval.")
    if row.proposal_id is not None:
        earlier = Proposal.objects.get(pk=row.proposal_id)
        if earlier.passed is not False:  # drafted, open, or passed: that decision stands
            raise BudgetError(f"A decision on this round exists already: “{earlier.title}”.")
    result = results(row)[budgeting.Rule(rule)]
    _, by_key = election(row)
    if not result.funded:
        raise BudgetError("That result funds no line; there is nothing to adopt.")
    fund = row.fund
    exponent = ledger_math.minor_units(fund.currency)
    funded = [f"- {by_key[key].title}: {money(by_key[key].cost, fund)}" for key in result.funded]
    label = Round.Rule(rule).label
    body = (
        f"Adopt the {label} result of the participatory budget “{row.title}”: "
        f"{result.voters} ballots, a budget of {money(row.budget, fund)}. It funds:\n"
        + "\n".join(funded)
        + f"\n\nSpent: {money(budgeting.to_amount(Fraction(result.spent), exponent), fund)}."
    )
    try:
        proposal = governance.create_proposal(
            coalition=row.coalition,
            template=template,
            title=f"Adopt the budget: {row.title}"[:200],
            body=body,
            closes_at=closes_at,
            created_by=by.user,
            now=now,
        )
    except governance.GovernanceError as error:
        raise BudgetError(str(error)) from None
    row.proposal, row.proposed_rule = proposal, rule
    row.save(update_fields=["proposal", "proposed_rule"])
    return proposal


def _require_unallocated(fund: Fund, amount: Decimal) -> None:
    """Refuse to earmark more than the fund holds unallocated (cash − allocations not yet
    spent): a decision cannot allocate money the pool does not have. The fund's row is locked
    first, so two adoptions at once cannot both take the same money."""
    locked = Fund.objects.select_for_update().get(pk=fund.pk)
    available = ledger_selectors.fund_summary(locked).available
    if amount > available:
        raise BudgetError(
            f"The fund holds {money(max(available, Decimal(0)), fund)} unallocated; "
            f"these allocations need {money(amount, fund)}. Raise or receive the money first, "
            "or allocate less."
        )


def _post_allocation(
    allocation: Allocation, line: BudgetLine, by: User | None, on: dt.date | None = None
) -> None:
    fund = line.fund
    outcome = allocation.outcome
    posted = ledger.post(
        fund=fund,
        source=f"allocation:{allocation.pk}:line:{line.pk}",
        description=f"Allocated to {line.title}",
        occurred_on=on or timezone.localdate(),
        transfers=[
            ledger.Transfer(
                debit=ledger_accounts.designated(fund),
                credit=ledger_accounts.budget_line_allocation(fund, line.pk, line.title),
                amount=allocation.amount,
            )
        ],
        decision=outcome,
        by=by,
    )
    allocation.transaction = posted.transaction
    allocation.save(update_fields=["transaction"])


def _allocate(
    line: BudgetLine,
    *,
    outcome: Outcome,
    amount: Decimal,
    by: User | None,
    round_: Round | None,
    rule: str = "",
    on: dt.date | None = None,
) -> Allocation:
    allocation, created = Allocation.objects.get_or_create(  # one per line (unique)
        line=line,
        defaults={
            "coalition_id": line.coalition_id,
            "round": round_,
            "amount": amount,
            "outcome": outcome,
            "rule": rule,
            "created_by": by,
        },
    )
    if created or allocation.transaction_id is None:
        _post_allocation(allocation, line, by, on)
    if line.status != BudgetLine.Status.ALLOCATED:
        line.status = BudgetLine.Status.ALLOCATED
        line.save(update_fields=["status"])
    return allocation


@transaction.atomic
def adopt_round(
    *,
    round: Round,
    outcome: Outcome,
    by: StaffMember | None,
    rule: str | None = None,
    now: dt.datetime | None = None,
) -> Round:
    """A passed decision adopts the round's result under `rule` (the one proposed, else equal
    shares): linked to the round, each funded line allocated and posted to the ledger with
    decision = the outcome. Adopting again with the same outcome changes nothing. `now` is
    when (the demo's history passes its own day)."""
    now = now or timezone.now()
    if by is not None:
        _require(by, Action.MANAGE_BUDGETS, round.coalition_id)
    row = _locked_round(round)
    if row.status == Round.Status.ADOPTED:
        if row.outcome_id == outcome.pk:
            return row
        raise BudgetError("The round was adopted by another decision already.")
    if row.status != Round.Status.CLOSED:
        raise BudgetError("Close the round's ballots before adopting its result.")
    _passed(outcome, row.coalition_id)
    chosen = rule or row.proposed_rule or Round.Rule.EQUAL_SHARES
    if chosen not in Round.Rule.values:
        raise BudgetError("Choose the Method of Equal Shares or greedy approval.")
    result = budgeting.compute(election(row)[0], [budgeting.Rule(chosen)])[budgeting.Rule(chosen)]
    _, by_key = election(row)
    user = _user(by)
    governance.authorize(
        outcome=outcome, target=row, note=f"Adopts the {Round.Rule(chosen).label} result", now=now
    )
    funded = set(result.funded)
    _require_unallocated(
        row.fund,
        sum(
            (
                line.cost
                for key, line in by_key.items()
                if key in funded and not Allocation.objects.filter(line=line).exists()
            ),
            Decimal(0),
        ),
    )
    for key, line in by_key.items():
        locked = BudgetLine.objects.select_for_update().get(pk=line.pk)
        if key in funded:
            _allocate(
                locked,
                outcome=outcome,
                amount=locked.cost,
                by=user,
                round_=row,
                rule=chosen,
                on=timezone.localdate(now),
            )
        elif locked.status == BudgetLine.Status.PROPOSED:
            locked.status = BudgetLine.Status.NOT_FUNDED
            locked.save(update_fields=["status"])
    row.status, row.outcome, row.adopted_rule = Round.Status.ADOPTED, outcome, chosen
    row.adopted_at = now
    row.save(update_fields=["status", "outcome", "adopted_rule", "adopted_at"])
    return row


@transaction.atomic
def allocate_directly(
    *, line: BudgetLine, outcome: Outcome, by: StaffMember | None, amount: object = None
) -> Allocation:
    """A passed decision allocates a line outside any round (its cost, or `amount`), posted to
    the ledger with decision = the outcome; the decision is linked to the line."""
    if by is not None:
        _require(by, Action.MANAGE_BUDGETS, line.coalition_id)
    row = BudgetLine.objects.select_for_update().get(pk=line.pk)
    existing = Allocation.objects.filter(line=row).first()
    if existing is not None:
        if existing.outcome_id == outcome.pk:
            return existing
        raise BudgetError("That line has its allocation already.")
    if row.round_id is not None:
        raise BudgetError("That line is in a participatory budget; its round's decision decides.")
    if row.status != BudgetLine.Status.PROPOSED:
        raise BudgetError("Only a proposed line can be allocated.")
    _passed(outcome, row.coalition_id)
    value = row.cost if amount is None else _amount(amount, row.fund, "Amount")
    _require_unallocated(row.fund, value)
    governance.authorize(outcome=outcome, target=row, note=f"Allocates {money(value, row.fund)}")
    return _allocate(row, outcome=outcome, amount=value, by=_user(by), round_=None)


def apply_decisions(*, coalition: Coalition) -> int:
    """Adopt the closed rounds and allocate the lines that a passed decision authorized on
    governance's own page; returns how many. Reads only when there is nothing to do."""
    from django.contrib.contenttypes.models import ContentType

    from cairn.governance.models import Authorization

    links = Authorization.objects.for_coalition(coalition).filter(
        content_type__in=[
            ContentType.objects.get_for_model(Round),
            ContentType.objects.get_for_model(BudgetLine),
        ],
        outcome__proposal__passed=True,
    )
    round_ct = ContentType.objects.get_for_model(Round)
    waiting_rounds = Round.objects.for_coalition(coalition).filter(status=Round.Status.CLOSED)
    waiting_lines = BudgetLine.objects.for_coalition(coalition).filter(
        status=BudgetLine.Status.PROPOSED, round__isnull=True, allocation__isnull=True
    )
    done = 0
    for link in links.select_related("outcome").order_by("created_at", "pk"):
        if link.content_type_id == round_ct.pk:
            found_round = waiting_rounds.filter(pk=link.object_id).first()
            if found_round is not None:
                adopt_round(round=found_round, outcome=link.outcome, by=None)
                done += 1
        else:
            found_line = waiting_lines.filter(pk=link.object_id).first()
            if found_line is not None:
                allocate_directly(line=found_line, outcome=link.outcome, by=None)
                done += 1
    return done


# --- expenses -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineMoney:
    allocated: Decimal
    paid: Decimal
    pending: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.allocated - self.paid

    @property
    def available(self) -> Decimal:
        return self.allocated - self.paid - self.pending


def line_money(line: BudgetLine) -> LineMoney:
    allocation = Allocation.objects.filter(line=line).values_list("amount", flat=True).first()
    sums = {
        row["status"]: row["total"]
        for row in Expense.objects.filter(line=line)
        .values("status")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    return LineMoney(
        allocated=allocation or ZERO,
        paid=sums.get(Expense.Status.APPROVED) or ZERO,
        pending=sums.get(Expense.Status.SUBMITTED) or ZERO,
    )


# Magic bytes of the receipt types we take (the browser's content type is not trusted).
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


@dataclass(frozen=True, slots=True)
class CheckedReceipt:
    upload: UploadedFile[bytes]
    name: str
    content_type: str
    size: int
    sha256: str


def check_receipt(upload: UploadedFile[bytes]) -> CheckedReceipt:
    """A receipt's type from its first bytes and its size, or a BudgetError naming the file."""
    name = (upload.name or "receipt").rsplit("/", 1)[-1][:200]
    size = upload.size or 0
    if size <= 0:
        raise BudgetError(f"{name} is empty.")
    if size > RECEIPT_MAX_BYTES:
        raise BudgetError(f"{name} is larger than {RECEIPT_MAX_BYTES // (1024 * 1024)} MB.")
    upload.seek(0)
    head = upload.read(16)
    kind = next((ct for magic, ct in _SIGNATURES if head.startswith(magic)), None)
    if kind is None or kind not in RECEIPT_TYPES:
        raise BudgetError(f"{name} is not a PDF, PNG or JPEG file.")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedReceipt(upload, name, kind, size, digest.hexdigest())


def _save_receipts(
    expense: Expense, receipts: Sequence[CheckedReceipt], by: User | None
) -> list[Receipt]:
    saved = []
    for checked in receipts:
        row = Receipt(
            coalition_id=expense.coalition_id,
            expense=expense,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=by,
        )
        row.file.save(checked.name, checked.upload, save=False)
        row.save()
        saved.append(row)
    return saved


@transaction.atomic
def submit_expense(
    *,
    line: BudgetLine,
    amount: object,
    description: str,
    payee: str,
    incurred_on: dt.date,
    receipts: Sequence[UploadedFile[bytes]],
    by: StaffMember,
) -> Expense:
    """An expense against an allocated line, with its receipts, awaiting approval. More than the
    line has left (its allocation less what is paid and awaiting approval) is refused."""
    _require(by, Action.SUBMIT_EXPENSES, line.coalition_id)
    row = BudgetLine.objects.select_for_update().get(pk=line.pk)  # serializes submissions
    if not allows(by, Action.MANAGE_BUDGETS) and row.proposed_for_id != by.membership_id:
        raise NotAllowed("You submit expenses for your own organization's lines only.")
    if row.status != BudgetLine.Status.ALLOCATED:
        raise BudgetError(f"“{row.title}” has no allocation; nothing can be spent on it yet.")
    value = _amount(amount, row.fund, "Amount")
    description = " ".join(description.split())[:300]
    payee = " ".join(payee.split())[:200]
    if not description or not payee:
        raise BudgetError("Say what the expense was for and whom it pays.")
    if incurred_on > timezone.localdate():
        raise BudgetError("An expense is recorded once it is incurred, not before.")
    checked = [check_receipt(upload) for upload in receipts]
    if not checked:
        raise BudgetError("Attach at least one receipt.")
    figures = line_money(row)
    if value > figures.available:
        raise BudgetError(
            f"This expense of {money(value, row.fund)} is more than the "
            f"{money(figures.available, row.fund)} left on “{row.title}” (allocated "
            f"{money(figures.allocated, row.fund)}, paid {money(figures.paid, row.fund)}, "
            f"awaiting approval {money(figures.pending, row.fund)})."
        )
    expense = Expense.objects.create(
        coalition_id=row.coalition_id,
        line=row,
        amount=value,
        description=description,
        payee=payee,
        incurred_on=incurred_on,
        submitted_by=by.user,
    )
    _save_receipts(expense, checked, by.user)
    return expense


@transaction.atomic
def add_receipt(*, expense: Expense, upload: UploadedFile[bytes], by: StaffMember) -> Receipt:
    """One more receipt for an expense awaiting approval (by its submitter or a steward)."""
    _require(by, Action.SUBMIT_EXPENSES, expense.coalition_id)
    if expense.submitted_by_id != by.user_id and not allows(by, Action.MANAGE_BUDGETS):
        raise NotAllowed("You add receipts to your own expenses only.")
    if expense.status != Expense.Status.SUBMITTED:
        raise BudgetError("Receipts are added while the expense awaits approval.")
    return _save_receipts(expense, [check_receipt(upload)], by.user)[0]


@transaction.atomic
def approve_expense(*, expense: Expense, by: StaffMember) -> Expense:
    """A steward's approval; nobody approves their own expense. With the approvals the settings
    ask for, the expense is paid: posted to the ledger (the line's expense from cash, and the
    same released from its allocation), decision = the line's allocation's."""
    _require(by, Action.MANAGE_BUDGETS, expense.coalition_id)
    line = BudgetLine.objects.select_for_update().get(pk=expense.line_id)
    row = Expense.objects.select_for_update().get(pk=expense.pk)
    if row.submitted_by_id == by.user_id:
        raise NotAllowed("Nobody approves their own expense.")
    if row.status != Expense.Status.SUBMITTED:
        raise BudgetError(f"This expense is {row.get_status_display().lower()} already.")
    ExpenseApproval.objects.get_or_create(
        expense=row, approver=by.user, defaults={"coalition_id": row.coalition_id}
    )
    needed = settings_for(row.coalition).expense_approvals
    if ExpenseApproval.objects.filter(expense=row).count() < needed:
        return row
    figures = line_money(line)
    if row.amount > figures.remaining:
        raise BudgetError(
            f"This expense of {money(row.amount, line.fund)} is more than the "
            f"{money(figures.remaining, line.fund)} left on “{line.title}”."
        )
    allocation = Allocation.objects.get(line=line)
    fund = line.fund
    posted = ledger.post(
        fund=fund,
        source=f"expense:{row.pk}",
        description=f"{row.description} — {row.payee}",
        occurred_on=row.incurred_on,
        transfers=[
            ledger.Transfer(
                debit=ledger_accounts.budget_line_expense(fund, line.pk, line.title),
                credit=ledger_accounts.cash(fund),
                amount=row.amount,
                memo=row.payee,
            ),
            ledger.Transfer(
                debit=ledger_accounts.budget_line_allocation(fund, line.pk, line.title),
                credit=ledger_accounts.designated(fund),
                amount=row.amount,
                memo="released from the allocation",
            ),
        ],
        decision=allocation.outcome,
        by=by.user,
    )
    row.status, row.transaction, row.decided_at = (
        Expense.Status.APPROVED,
        posted.transaction,
        timezone.now(),
    )
    row.save(update_fields=["status", "transaction", "decided_at"])
    return row


@transaction.atomic
def reject_expense(*, expense: Expense, by: StaffMember, reason: str) -> Expense:
    """A steward rejects an expense awaiting approval, saying why."""
    _require(by, Action.MANAGE_BUDGETS, expense.coalition_id)
    row = Expense.objects.select_for_update().get(pk=expense.pk)
    if row.status != Expense.Status.SUBMITTED:
        raise BudgetError(f"This expense is {row.get_status_display().lower()} already.")
    reason = " ".join(reason.split())[:300]
    if not reason:
        raise BudgetError("Say why the expense is rejected.")
    row.status, row.rejected_by, row.rejection_reason = Expense.Status.REJECTED, by.user, reason
    row.decided_at = timezone.now()
    row.save(update_fields=["status", "rejected_by", "rejection_reason", "decided_at"])
    return row
