from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cairn.budgets import services
from cairn.budgets.models import Allocation, Ballot, BudgetLine, Electorate, Expense, Round
from cairn.engines.budgeting import Rule
from cairn.governance.models import Authorization
from cairn.ledger.models import Entry, LedgerTransaction

from .conftest import PNG, World, decide, four_line_round, receipt

pytestmark = pytest.mark.django_db


def _ledger_count(world: World) -> int:
    return LedgerTransaction.objects.filter(fund=world.fund).count()


def test_results_match_the_worked_example(world: World):
    round_, _lines = four_line_round(world)
    results = services.results(round_)
    names = {services.election(round_)[1][k].title for k in results[Rule.EQUAL_SHARES].funded}
    assert names == {"Line C", "Line A"}
    greedy = {services.election(round_)[1][k].title for k in results[Rule.GREEDY].funded}
    assert greedy == {"Line D", "Line C"}


def test_one_ballot_per_member_and_casting_again_replaces_it(world: World):
    round_, lines = four_line_round(world)
    round_.status = Round.Status.OPEN  # reopen for this test only
    round_.save(update_fields=["status"])
    again = services.cast_ballot(round=round_, approved=[lines["B"].pk], by=world.organizers[0])
    assert not again.created
    assert again.ballot.approved == [lines["B"].pk]
    assert again.ballot.changes == 1
    assert Ballot.objects.filter(round=round_).count() == 4


def test_ballots_refused_outside_the_rules(world: World):
    round_ = services.create_round(
        fund=world.fund, title="R", budget="100", by=world.steward, max_approvals=1
    )
    a = services.propose_line(fund=world.fund, title="A", cost="60", by=world.steward, round=round_)
    b = services.propose_line(fund=world.fund, title="B", cost="60", by=world.steward, round=round_)
    with pytest.raises(services.BudgetError, match="Ballots are closed"):
        services.cast_ballot(round=round_, approved=[a.pk], by=world.organizers[0])
    services.open_round(round=round_, by=world.steward)
    with pytest.raises(services.BudgetError, match="at most 1"):
        services.cast_ballot(round=round_, approved=[a.pk, b.pk], by=world.organizers[0])
    with pytest.raises(services.NotAllowed):
        services.cast_ballot(
            round=round_, approved=[a.pk], by=world.organizers[0], membership=world.members[1]
        )
    with pytest.raises(services.NotAllowed):
        services.cast_ballot(round=round_, approved=[a.pk], by=world.viewer)
    with pytest.raises(services.BudgetError, match="this round only"):
        services.cast_ballot(round=round_, approved=[a.pk + 999], by=world.organizers[0])
    assert Ballot.objects.count() == 0


def test_supporters_vote_once_each_by_email(world: World):
    round_ = services.create_round(
        fund=world.fund,
        title="R",
        budget="100",
        by=world.steward,
        electorate=Electorate.SUPPORTERS,
    )
    a = services.propose_line(fund=world.fund, title="A", cost="60", by=world.steward, round=round_)
    services.propose_line(fund=world.fund, title="B", cost="60", by=world.steward, round=round_)
    services.open_round(round=round_, by=world.steward)
    first = services.cast_supporter_ballot(
        round=round_, email="Ana@Example.org", given_name="Ana", approved=[a.pk]
    )
    again = services.cast_supporter_ballot(
        round=round_, email="ana@example.org ", given_name="Ana", approved=[str(a.pk)]
    )
    assert first.created
    assert not again.created
    assert again.ballot.pk == first.ballot.pk
    with pytest.raises(services.BudgetError, match="Supporters vote"):
        services.cast_ballot(round=round_, approved=[a.pk], by=world.organizers[0])


def test_no_allocation_is_posted_without_a_passed_decision(world: World):
    round_, _lines = four_line_round(world)
    before = _ledger_count(world)
    rejected = decide(world.coalition, world.organizers, position="disagree")
    with pytest.raises(services.BudgetError, match="did not pass"):
        services.adopt_round(round=round_, outcome=rejected, by=world.steward)
    with pytest.raises(services.NotAllowed):
        services.adopt_round(
            round=round_, outcome=decide(world.coalition, world.organizers), by=world.organizers[0]
        )
    assert _ledger_count(world) == before
    assert Allocation.objects.count() == 0
    round_.refresh_from_db()
    assert round_.status == Round.Status.CLOSED


def test_adoption_posts_each_allocation_with_the_decision(world: World):
    round_, _lines = four_line_round(world)
    proposal = services.propose_adoption(
        round=round_,
        rule=Round.Rule.EQUAL_SHARES,
        by=world.steward,
        closes_at=timezone.now() + dt.timedelta(days=2),
    )
    assert "Line C: 300.00 USD" in proposal.body
    with pytest.raises(services.BudgetError, match="exists already"):
        services.propose_adoption(
            round=round_,
            rule=Round.Rule.GREEDY,
            by=world.steward,
            closes_at=timezone.now() + dt.timedelta(days=2),
        )
    outcome = decide(world.coalition, world.organizers)
    round_ = services.adopt_round(round=round_, outcome=outcome, by=world.steward)
    assert round_.status == Round.Status.ADOPTED
    assert round_.adopted_rule == Round.Rule.EQUAL_SHARES
    allocations = Allocation.objects.filter(round=round_).order_by("line__title")
    assert [(a.line.title, a.amount) for a in allocations] == [
        ("Line A", Decimal("600.0000")),
        ("Line C", Decimal("300.0000")),
    ]
    for allocation in allocations:
        tx = allocation.transaction
        assert tx is not None
        assert tx.decision_id == outcome.pk
        entry = Entry.objects.get(transaction=tx)
        assert entry.debit.key == "designated"
        assert entry.credit.key == f"allocated:{allocation.line_id}"
    statuses = {line.title: line.status for line in BudgetLine.objects.filter(round=round_)}
    assert statuses["Line B"] == BudgetLine.Status.NOT_FUNDED
    assert Authorization.objects.filter(outcome=outcome, object_id=str(round_.pk)).exists()
    # adopting again with the same decision changes nothing
    count = _ledger_count(world)
    services.adopt_round(round=round_, outcome=outcome, by=world.steward)
    assert _ledger_count(world) == count


def test_greedy_result_may_be_adopted_instead(world: World):
    round_, _lines = four_line_round(world)
    outcome = decide(world.coalition, world.organizers)
    services.adopt_round(round=round_, outcome=outcome, by=world.steward, rule=Rule.GREEDY)
    assert {a.line.title for a in Allocation.objects.all()} == {"Line D", "Line C"}


def test_decision_linked_on_governance_page_adopts_the_round(world: World):
    from cairn.governance import services as governance

    round_, _lines = four_line_round(world)
    outcome = decide(world.coalition, world.organizers)
    governance.authorize(outcome=outcome, target=round_)
    assert services.apply_decisions(coalition=world.coalition) == 1
    round_.refresh_from_db()
    assert round_.status == Round.Status.ADOPTED
    assert services.apply_decisions(coalition=world.coalition) == 0


def test_direct_allocation_needs_a_passed_decision(world: World):
    line = services.propose_line(fund=world.fund, title="Printing", cost="250", by=world.steward)
    with pytest.raises(services.BudgetError, match="did not pass"):
        services.allocate_directly(
            line=line,
            outcome=decide(world.coalition, world.organizers, position="disagree"),
            by=world.steward,
        )
    assert Allocation.objects.count() == 0
    allocation = services.allocate_directly(
        line=line, outcome=decide(world.coalition, world.organizers), by=world.steward
    )
    assert allocation.amount == Decimal("250")
    assert allocation.transaction is not None


def test_allocations_never_exceed_what_the_fund_holds_unallocated(world: World):
    # the fund holds 5,000.00 (conftest); 4,800.00 of it allocated leaves 200.00
    big = services.propose_line(fund=world.fund, title="Hall", cost="4800", by=world.steward)
    services.allocate_directly(
        line=big, outcome=decide(world.coalition, world.organizers), by=world.steward
    )
    line = services.propose_line(fund=world.fund, title="Printing", cost="250", by=world.steward)
    with pytest.raises(services.BudgetError, match=r"holds 200\.00 USD unallocated"):
        services.allocate_directly(
            line=line, outcome=decide(world.coalition, world.organizers), by=world.steward
        )
    # a round whose result costs 900.00 is refused too, and nothing is posted or adopted
    round_, _lines = four_line_round(world)
    count = _ledger_count(world)
    with pytest.raises(services.BudgetError, match=r"need 900\.00 USD"):
        services.adopt_round(
            round=round_, outcome=decide(world.coalition, world.organizers), by=world.steward
        )
    assert _ledger_count(world) == count
    round_.refresh_from_db()
    assert round_.status == Round.Status.CLOSED
    # an allocation within what is left is posted
    allocation = services.allocate_directly(
        line=line,
        outcome=decide(world.coalition, world.organizers),
        by=world.steward,
        amount="200",
    )
    assert allocation.amount == Decimal("200")


def _allocated_line(world: World, cost: str = "500", member: int = 0) -> BudgetLine:
    line = services.propose_line(
        fund=world.fund,
        title="Buses",
        cost=cost,
        by=world.organizers[member],
    )
    services.allocate_directly(
        line=line, outcome=decide(world.coalition, world.organizers), by=world.steward
    )
    line.refresh_from_db()
    return line


def _submit(world: World, line: BudgetLine, amount: str, by=None, receipts=None) -> Expense:
    return services.submit_expense(
        line=line,
        amount=amount,
        description="Bus to the capitol",
        payee="City Coaches",
        incurred_on=timezone.localdate(),
        receipts=receipts if receipts is not None else [receipt()],
        by=by or world.organizers[0],
    )


def test_expense_beyond_the_line_is_refused_with_the_figures(world: World):
    line = _allocated_line(world)
    _submit(world, line, "300")
    with pytest.raises(services.BudgetError) as refused:
        _submit(world, line, "250.50")
    assert str(refused.value) == (
        "This expense of 250.50 USD is more than the 200.00 USD left on “Buses” (allocated "
        "500.00 USD, paid 0.00 USD, awaiting approval 300.00 USD)."
    )
    assert Expense.objects.count() == 1


def test_expense_approval_never_by_the_submitter_and_posted_once_approved(world: World):
    line = _allocated_line(world)
    own = _submit(world, line, "100", by=world.steward)
    with pytest.raises(services.NotAllowed, match="own expense"):
        services.approve_expense(expense=own, by=world.steward)
    expense = _submit(world, line, "120.25")
    with pytest.raises(services.NotAllowed):
        services.approve_expense(expense=expense, by=world.organizers[1])
    before = _ledger_count(world)
    expense = services.approve_expense(expense=expense, by=world.steward)
    assert expense.status == Expense.Status.APPROVED
    assert _ledger_count(world) == before + 1
    tx = expense.transaction
    assert tx is not None
    assert tx.decision_id == line.allocation.outcome_id
    legs = {(e.debit.key, e.credit.key, e.amount) for e in tx.entries.all()}
    assert legs == {
        (f"line:{line.pk}", "cash", Decimal("120.2500")),
        (f"allocated:{line.pk}", "designated", Decimal("120.2500")),
    }
    assert services.line_money(line).remaining == Decimal("379.75")


def test_two_approvals_when_the_charter_asks(world: World):
    services.set_expense_approvals(coalition=world.coalition, approvals=2, by=world.steward)
    line = _allocated_line(world)
    expense = _submit(world, line, "50")
    expense = services.approve_expense(expense=expense, by=world.steward)
    assert expense.status == Expense.Status.SUBMITTED
    assert expense.transaction is None
    expense = services.approve_expense(expense=expense, by=world.steward)  # twice: still one
    assert expense.status == Expense.Status.SUBMITTED
    expense = services.approve_expense(expense=expense, by=world.second_steward)
    assert expense.status == Expense.Status.APPROVED


def test_receipts_are_checked_by_their_bytes(world: World):
    line = _allocated_line(world)
    with pytest.raises(services.BudgetError, match="not a PDF, PNG or JPEG"):
        _submit(world, line, "10", receipts=[receipt("fake.pdf", b"<html>hi</html>")])
    with pytest.raises(services.BudgetError, match="at least one receipt"):
        _submit(world, line, "10", receipts=[])
    big = receipt("big.png", PNG + b"\x00" * (5 * 1024 * 1024), "image/png")
    with pytest.raises(services.BudgetError, match="larger than 5 MB"):
        _submit(world, line, "10", receipts=[big])
    expense = _submit(world, line, "10", receipts=[receipt("scan.png", PNG, "text/plain")])
    stored = expense.receipts.get()
    assert stored.content_type == "image/png"
    name = str(stored.file.name)
    assert name.endswith(".png")
    assert "scan" not in name


def test_organizers_spend_only_on_their_own_lines(world: World):
    line = _allocated_line(world, member=0)
    with pytest.raises(services.NotAllowed):
        _submit(world, line, "10", by=world.organizers[1])
    with pytest.raises(services.NotAllowed):
        _submit(world, line, "10", by=world.viewer)


def test_an_unallocated_line_takes_no_expense(world: World):
    line = services.propose_line(fund=world.fund, title="X", cost="10", by=world.steward)
    with pytest.raises(services.BudgetError, match="no allocation"):
        _submit(world, line, "5", by=world.steward)


def test_costs_finer_than_the_currency_are_refused(world: World):
    with pytest.raises(services.BudgetError, match="decimal places"):
        services.propose_line(fund=world.fund, title="X", cost="10.001", by=world.steward)


def _supporters_round(world: World) -> tuple[Round, BudgetLine, BudgetLine]:
    round_ = services.create_round(
        fund=world.fund, title="S", budget="100", by=world.steward, electorate=Electorate.SUPPORTERS
    )
    a = services.propose_line(fund=world.fund, title="A", cost="60", by=world.steward, round=round_)
    b = services.propose_line(fund=world.fund, title="B", cost="60", by=world.steward, round=round_)
    return services.open_round(round=round_, by=world.steward), a, b


def test_a_merge_keeps_one_ballot_per_person_and_an_erasure_keeps_the_approvals(world: World):
    from cairn.people import services as people

    round_, a, b = _supporters_round(world)
    ana = services.cast_supporter_ballot(
        round=round_, email="ana@example.org", given_name="Ana", approved=[a.pk]
    ).ballot
    twin = services.cast_supporter_ballot(
        round=round_, email="ana.twin@example.org", given_name="Ana", approved=[b.pk]
    ).ballot
    assert ana.person is not None
    assert twin.person is not None
    people.merge_people(keep=ana.person, merge=twin.person)
    assert list(Ballot.objects.filter(round=round_).values_list("approved", flat=True)) == [[a.pk]]
    kept = ana.person
    people.erase_person(person=kept, erased_by=None)
    ballot = Ballot.objects.get(round=round_)
    assert ballot.person_id is None
    assert ballot.approved == [a.pk]
