"""The pages, driven as a steward and organizers would: a participatory budget from the round's
creation to the allocations in the ledger, an expense with a receipt, and who may see what."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cairn.budgets import services, views
from cairn.budgets.models import Allocation, Ballot, BudgetLine, Electorate, Expense, Round
from cairn.coalitions.models import Role
from cairn.governance import services as governance
from cairn.governance.models import Proposal
from cairn.ledger.models import LedgerTransaction

from .conftest import PDF, World, decide, four_line_round, receipt

pytestmark = pytest.mark.django_db


def _proposal_of(round_: Round) -> Proposal:
    round_.refresh_from_db()
    assert round_.proposal is not None
    return round_.proposal


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_steward_runs_a_participatory_budget_through_the_pages(world: World):
    slug = world.coalition.slug
    steward = _client(world.steward)
    assert f'href="/c/{slug}/budgets/"' in steward.get(f"/c/{slug}/").content.decode()
    page = steward.get(reverse("budgets:index", args=[slug]))
    assert page.status_code == 200
    created = steward.post(
        reverse("budgets:new_round", args=[slug]),
        {"fund": world.fund.pk, "title": "Spring", "budget": "1200", "electorate": "members"},
    )
    round_ = Round.objects.get(title="Spring")
    assert created["Location"] == reverse("budgets:round", args=[slug, round_.pk])
    for title, cost in [("A", "600"), ("B", "500"), ("C", "300"), ("D", "900")]:
        steward.post(
            reverse("budgets:round_new_line", args=[slug, round_.pk]),
            {"title": f"Line {title}", "cost": cost},
        )
    steward.post(reverse("budgets:open_round", args=[slug, round_.pk]))
    lines = {line.title[-1]: line.pk for line in BudgetLine.objects.filter(round=round_)}
    for organizer, names in zip(world.organizers, ["ACD", "AD", "AD", "BCD"], strict=True):
        client = _client(organizer)
        form = client.get(reverse("budgets:ballot", args=[slug, round_.pk]))
        assert "Line A" in form.content.decode()
        answer = client.post(
            reverse("budgets:ballot", args=[slug, round_.pk]), {"lines": [lines[n] for n in names]}
        )
        assert answer.status_code == 302
    assert Ballot.objects.filter(round=round_).count() == 4
    steward.post(reverse("budgets:close_round", args=[slug, round_.pk]))

    results = steward.get(reverse("budgets:results", args=[slug, round_.pk])).content.decode()
    assert "Method of Equal Shares" in results
    assert "Greedy approval" in results
    assert "paying at most 150.00 USD of a 300.00 USD share" in results
    assert "its turn came when 300.00 USD was left" in results

    drafted = steward.post(
        reverse("budgets:propose", args=[slug, round_.pk]), {"rule": "equal_shares", "days": 3}
    )
    proposal = _proposal_of(round_)
    assert drafted["Location"] == reverse("governance:proposal", args=[slug, proposal.pk])
    governance.open_proposal(proposal=proposal, by=None, schedule_ticks=False)
    for organizer in world.organizers:
        governance.cast_vote(proposal=proposal, staff=organizer, ballot={"position": "agree"})
    governance.close_proposal(proposal=proposal, by=None)
    outcome = governance.record_outcome(proposal=proposal, statement="Adopted", recorded_by=None)

    round_page = steward.get(reverse("budgets:round", args=[slug, round_.pk])).content.decode()
    assert "Adopt the result and post the allocations" in round_page
    steward.post(
        reverse("budgets:adopt", args=[slug, round_.pk]),
        {"outcome": outcome.pk, "rule": "equal_shares"},
    )
    round_.refresh_from_db()
    assert round_.status == Round.Status.ADOPTED
    allocations = Allocation.objects.filter(round=round_)
    assert {a.line.title for a in allocations} == {"Line A", "Line C"}
    assert all(a.transaction.decision_id == outcome.pk for a in allocations)  # type: ignore[union-attr]
    adopted_page = steward.get(reverse("budgets:round", args=[slug, round_.pk])).content.decode()
    assert "Allocations in the ledger" in adopted_page
    assert "Line C: 300.00 USD" in adopted_page


def test_expense_with_a_receipt_approved_by_another_steward(world: World):
    slug = world.coalition.slug
    line = services.propose_line(fund=world.fund, title="Buses", cost="500", by=world.organizers[0])
    services.allocate_directly(
        line=line, outcome=decide(world.coalition, world.organizers), by=world.steward
    )
    organizer = _client(world.organizers[0])
    refused = organizer.post(
        reverse("budgets:submit_expense", args=[slug, line.pk]),
        {
            "amount": "600",
            "description": "Coach",
            "payee": "City Coaches",
            "incurred_on": timezone.localdate().isoformat(),
            "receipt": receipt(),
        },
        follow=True,
    )
    assert "is more than the 500.00 USD left on “Buses”" in refused.content.decode()
    assert Expense.objects.count() == 0
    organizer.post(
        reverse("budgets:submit_expense", args=[slug, line.pk]),
        {
            "amount": "120",
            "description": "Coach",
            "payee": "City Coaches",
            "incurred_on": timezone.localdate().isoformat(),
            "receipt": receipt(),
        },
    )
    expense = Expense.objects.get()
    stored = expense.receipts.get()
    url = reverse("budgets:receipt", args=[slug, stored.pk])
    served = _client(world.viewer).get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert b"".join([served.content]) == PDF
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served["Cache-Control"] == "private, no-store"
    assert served["Content-Disposition"].startswith("inline; filename=")
    assert Client().get(url).status_code == 302  # to sign in
    before = LedgerTransaction.objects.count()
    _client(world.organizers[1]).post(reverse("budgets:approve", args=[slug, expense.pk]))
    assert Expense.objects.get().status == Expense.Status.SUBMITTED
    _client(world.steward).post(reverse("budgets:approve", args=[slug, expense.pk]))
    assert Expense.objects.get().status == Expense.Status.APPROVED
    assert LedgerTransaction.objects.count() == before + 1
    page = _client(world.viewer).get(reverse("budgets:line", args=[slug, line.pk]))
    assert "Approved and paid" in page.content.decode()


def test_another_coalitions_steward_sees_nothing(world: World, coalition_factory, staff_factory):
    slug = world.coalition.slug
    round_, _ = four_line_round(world)
    other = coalition_factory()
    outsider = _client(staff_factory(other, Role.STEWARD))
    for name, args in [
        ("budgets:index", [slug]),
        ("budgets:round", [slug, round_.pk]),
        ("budgets:results", [slug, round_.pk]),
    ]:
        assert outsider.get(reverse(name, args=args)).status_code == 404
    # and their own coalition's address with our ids finds nothing either
    assert outsider.get(reverse("budgets:round", args=[other.slug, round_.pk])).status_code == 404
    # nor a receipt of ours, by our address or theirs
    line = services.propose_line(fund=world.fund, title="Vans", cost="100", by=world.steward)
    services.allocate_directly(
        line=line, outcome=decide(world.coalition, world.organizers), by=world.steward
    )
    expense = services.submit_expense(
        line=line,
        amount="10",
        description="Fuel",
        payee="Garage",
        incurred_on=timezone.localdate(),
        by=world.steward,
        receipts=[receipt()],
    )
    stored = expense.receipts.get()
    for owner in (slug, other.slug):
        url = reverse("budgets:receipt", args=[owner, stored.pk])
        assert outsider.get(url).status_code == 404


def test_supporters_ballot_page(world: World):
    round_ = services.create_round(
        fund=world.fund,
        title="Neighbourhood",
        budget="100",
        by=world.steward,
        electorate=Electorate.SUPPORTERS,
    )
    a = services.propose_line(
        fund=world.fund, title="Benches", cost="60", by=world.steward, round=round_
    )
    services.propose_line(fund=world.fund, title="Trees", cost="60", by=world.steward, round=round_)
    url = reverse("budgets_public:ballot", args=[round_.uuid])
    assert Client().get(url).status_code == 404  # a draft is not public
    services.open_round(round=round_, by=world.steward)
    page = Client().get(url)
    assert "Benches" in page.content.decode()
    done = Client().post(url, {"lines": [a.pk], "given_name": "Ana", "email": "ana@example.org"})
    assert "your ballot is recorded" in done.content.decode()
    assert Ballot.objects.filter(round=round_, person__isnull=False).count() == 1
    # ballots are limited per address and hour (counted in the cache)
    limited = Client()
    for i in range(views.PUBLIC_BALLOTS_PER_ADDRESS - 1):
        limited.post(url, {"lines": [a.pk], "given_name": "B", "email": f"b{i}@example.org"})
    refused = limited.post(url, {"lines": [a.pk], "given_name": "Z", "email": "z@example.org"})
    assert refused.status_code == 429
    assert not Ballot.objects.filter(round=round_, person__emails__address="z@example.org")


def test_roles_matrix_on_writes(world: World):
    slug = world.coalition.slug
    before = Round.objects.count()
    for staff in (world.organizers[0], world.viewer):
        answer = _client(staff).post(
            reverse("budgets:new_round", args=[slug]),
            {"fund": world.fund.pk, "title": "X", "budget": "10", "electorate": "members"},
        )
        assert answer.status_code == 403
    assert Round.objects.count() == before
    assert (
        _client(world.viewer)
        .post(reverse("budgets:new_line", args=[slug]), {"fund": world.fund.pk})
        .status_code
        == 403
    )
