"""The read-only JSON API: lines with their money, a round with both rules' results, expenses;
another coalition's rows are 404s."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from cairn.api import services as api_services
from cairn.budgets import services
from cairn.coalitions.models import Role

from .conftest import World, decide, four_line_round, receipt

pytestmark = pytest.mark.django_db


def _get(token: str, path: str) -> dict:
    answer = Client().get(f"/api/v2{path}", headers={"OSDI-API-Token": token})
    assert answer.status_code == 200, answer.content
    return answer.json()


def _token(world: World) -> str:
    return api_services.create_token(
        coalition=world.coalition, name="t", created_by=world.steward.user
    ).raw


def test_round_results_lines_and_expenses(world: World, coalition_factory, staff_factory):
    round_, lines = four_line_round(world)
    services.adopt_round(
        round=round_, outcome=decide(world.coalition, world.organizers), by=world.steward
    )
    line = lines["C"]
    services.submit_expense(
        line=line,
        amount="100.50",
        description="Flyers",
        payee="Print shop",
        incurred_on=timezone.localdate(),
        receipts=[receipt()],
        by=world.steward,
    )
    token = _token(world)
    body = _get(token, f"/budget_rounds/{round_.pk}")
    assert body["status"] == "adopted"
    assert body["budget"] == "1200.00"
    assert body["ballots"] == 4
    rules = {r["rule"]: r for r in body["results"]["rules"]}
    assert rules["equal_shares"]["funded"] == [lines["C"].pk, lines["A"].pk]
    assert rules["greedy"]["funded"] == [lines["D"].pk, lines["C"].pk]
    by_line = {row["title"]: row for row in body["results"]["lines"]}
    assert by_line["Line D"]["results"]["equal_shares"]["reason"] == "shares_spent"
    listed = _get(token, "/budget_lines")
    assert listed["total_records"] == 4
    c = _get(token, f"/budget_lines/{line.pk}")
    assert (c["allocated"], c["awaiting_approval"], c["remaining"]) == (
        "300.00",
        "100.50",
        "199.50",
    )
    expenses = _get(token, "/budget_expenses")["_embedded"]["cairn:budget_expenses"]
    assert expenses[0]["receipts"][0]["content_type"] == "application/pdf"
    # another coalition's token finds none of it
    other = coalition_factory()
    staff_factory(other, Role.STEWARD)
    foreign = api_services.create_token(coalition=other, name="t", created_by=None).raw
    for path in (f"/budget_rounds/{round_.pk}", f"/budget_lines/{line.pk}"):
        answer = Client().get(f"/api/v2{path}", headers={"OSDI-API-Token": foreign})
        assert answer.status_code == 404
    assert _get(foreign, "/budget_lines")["total_records"] == 0
