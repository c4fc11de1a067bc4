"""The ledger's pages (staff and public), its CSV and its JSON API: what each shows, who may
change what, and that nothing of another coalition's fund leaks."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.api import services as api_services
from cairn.coalitions import services as coalition_services
from cairn.coalitions.models import Coalition, Role
from cairn.governance import services as governance
from cairn.governance.models import Outcome
from cairn.ledger import accounts, services
from cairn.ledger.models import Fund, LedgerTransaction

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)
PASSWORD = "correct horse battery staple"


def decide(coalition: Coalition, title: str) -> Outcome:
    proposal = governance.create_proposal(
        coalition=coalition,
        template="majority",
        title=title,
        closes_at=timezone.now() + dt.timedelta(days=3),
        created_by=None,
    )
    proposal = governance.open_proposal(proposal=proposal, by=None, schedule_ticks=False)
    governance.close_proposal(proposal=proposal, by=None)
    return governance.record_outcome(
        proposal=proposal, statement=f"We fund {title.lower()}.", recorded_by=None
    )


@pytest.fixture
def books(coalition: Coalition, membership_factory: Any) -> dict[str, Any]:
    """A fund with a member's contribution, a gift, a decided allocation and an expense."""
    fund = services.ensure_fund(coalition=coalition, name="Pooled fund", public=True)
    member = membership_factory(coalition, name="Keystone Foundation")
    cash = accounts.cash(fund)
    outcome = decide(coalition, "Hearing travel")
    post = services.post
    post(
        fund=fund,
        source="c1",
        description="Contribution from Keystone",
        occurred_on=DAY,
        transfers=[
            services.Transfer(cash, accounts.member_contributions(fund, member), Decimal(800))
        ],
    )
    post(
        fund=fund,
        source="g1",
        description='=HYPERLINK("http://evil")',
        occurred_on=DAY,
        transfers=[services.Transfer(cash, accounts.donations(fund), Decimal(200))],
    )
    post(
        fund=fund,
        source="a1",
        description="Allocation: hearing travel",
        occurred_on=DAY,
        decision=outcome,
        transfers=[
            services.Transfer(
                accounts.designated(fund),
                accounts.budget_line_allocation(fund, 1, "Hearing travel"),
                Decimal(500),
            )
        ],
    )
    post(
        fund=fund,
        source="e1",
        description="Bus to the capitol",
        occurred_on=DAY,
        decision=outcome,
        transfers=[
            services.Transfer(
                accounts.budget_line_expense(fund, 1, "Hearing travel"), cash, Decimal("300.00")
            ),
            services.Transfer(
                accounts.budget_line_allocation(fund, 1, "Hearing travel"),
                accounts.designated(fund),
                Decimal("300.00"),
            ),
        ],
    )
    return {"fund": fund, "member": member, "outcome": outcome}


def read_csv(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def signed_in(staff: Any) -> Client:
    client = Client()
    assert client.login(email=staff.user.email, password=PASSWORD)
    return client


def test_the_public_page_shows_income_spending_balance_and_decisions(books: dict[str, Any]) -> None:
    fund: Fund = books["fund"]
    page = Client().get(reverse("ledger_public:fund", args=[fund.coalition.slug, fund.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "700.00 USD" in html  # balance: 800 + 200 − 300
    assert "Contributions: Keystone Foundation" in html
    assert "800.00 USD" in html
    assert "Hearing travel" in html
    assert "300.00 USD" in html  # spent on the line
    assert f'href="#decision-{books["outcome"].uuid}"' in html
    assert f'id="decision-{books["outcome"].uuid}"' in html
    assert "We fund hearing travel." in html
    assert "Bus to the capitol" in html


def test_the_public_page_says_plainly_when_allocations_exceed_the_money(
    books: dict[str, Any],
) -> None:
    fund: Fund = books["fund"]
    url = reverse("ledger_public:fund", args=[fund.coalition.slug, fund.slug])
    assert "Available: 500.00 USD" in Client().get(url).content.decode()
    # an allocation of 400 made while the fund held it, then the 200 gift refunded
    services.post(
        fund=fund,
        source="a2",
        description="Allocation: flyers",
        occurred_on=DAY,
        decision=books["outcome"],
        transfers=[
            services.Transfer(
                accounts.designated(fund),
                accounts.budget_line_allocation(fund, 2, "Flyers"),
                Decimal(400),
            )
        ],
    )
    gift = LedgerTransaction.objects.get(fund=fund, source="g1")
    services.reverse(transaction=gift, source="g1:refund", description="Refund")
    html = Client().get(url).content.decode()
    assert "Available:" not in html
    assert "Short by 100.00 USD" in html
    assert "−" not in html.split("Short by", 1)[1][:20]


def test_a_private_fund_has_no_public_page(books: dict[str, Any]) -> None:
    fund: Fund = books["fund"]
    services.set_fund_public(fund=fund, public=False)
    url = reverse("ledger_public:fund", args=[fund.coalition.slug, fund.slug])
    assert Client().get(url).status_code == 404
    csv_url = reverse("ledger_public:csv", args=[fund.coalition.slug, fund.slug])
    assert Client().get(csv_url).status_code == 404


def test_the_csv_neutralizes_formulas_and_keeps_sources_for_staff(
    books: dict[str, Any], steward: Any
) -> None:
    fund: Fund = books["fund"]
    public = Client().get(reverse("ledger_public:csv", args=[fund.coalition.slug, fund.slug]))
    rows = read_csv(public)
    assert len(rows) == 5
    assert "source" not in rows[0]
    assert {r["description"] for r in rows} >= {'\'=HYPERLINK("http://evil")'}
    assert {r["amount"] for r in rows} == {"800.00", "200.00", "500.00", "300.00"}
    staff = signed_in(steward).get(reverse("ledger:csv", args=[fund.coalition.slug, fund.slug]))
    staff_rows = read_csv(staff)
    assert sorted({r["source"] for r in staff_rows}) == ["a1", "c1", "e1", "g1"]


def test_staff_pages_show_funds_accounts_and_a_members_contributions(
    books: dict[str, Any], coalition: Coalition, staff_factory: Any
) -> None:
    fund: Fund = books["fund"]
    viewer = signed_in(staff_factory(coalition, Role.VIEWER))
    slug = coalition.slug
    listing = viewer.get(reverse("ledger:funds", args=[slug])).content.decode()
    assert "Pooled fund" in listing
    assert "Add a fund" not in listing  # viewers do not add funds
    detail = viewer.get(reverse("ledger:fund", args=[slug, fund.slug])).content.decode()
    assert "The books balance" in detail
    cash = accounts.cash(fund)
    one = viewer.get(reverse("ledger:account", args=[slug, fund.slug, cash.pk])).content.decode()
    assert 'data-testid="account-balance">700.00 USD' in one
    member = viewer.get(reverse("ledger:member", args=[slug, books["member"].pk])).content.decode()
    assert 'data-testid="member-contributed">800.00 USD' in member
    # 80 % of the income paid for 80 % of the 300 spent on hearing travel
    assert "240.00 USD" in member


def test_a_steward_adds_and_publishes_a_fund_an_organizer_cannot(
    coalition: Coalition, steward: Any, staff_factory: Any, membership_factory: Any
) -> None:
    slug = coalition.slug
    member = membership_factory(coalition)
    organizer = signed_in(staff_factory(coalition, Role.ORGANIZER, membership=member))
    data = {"name": "Legal defense", "currency": "EUR", "description": "", "public": ""}
    assert organizer.post(reverse("ledger:funds", args=[slug]), data).status_code == 403
    assert not Fund.objects.for_coalition(coalition).exists()
    client = signed_in(steward)
    response = client.post(reverse("ledger:funds", args=[slug]), data)
    fund = Fund.objects.for_coalition(coalition).get()
    assert response.status_code == 302
    assert (fund.name, fund.currency, fund.public) == ("Legal defense", "EUR", False)
    publish = reverse("ledger:publish", args=[slug, fund.slug])
    assert organizer.post(publish, {"public": "1"}).status_code == 403
    assert client.post(publish, {"public": "1"}).status_code == 302
    fund.refresh_from_db()
    assert fund.public


def test_another_coalitions_steward_sees_nothing(
    books: dict[str, Any], coalition_factory: Any, staff_factory: Any
) -> None:
    fund: Fund = books["fund"]
    outsider = signed_in(staff_factory(coalition_factory(), Role.STEWARD))
    slug = fund.coalition.slug
    for url in [
        reverse("ledger:funds", args=[slug]),
        reverse("ledger:fund", args=[slug, fund.slug]),
        reverse("ledger:csv", args=[slug, fund.slug]),
        reverse("ledger:member", args=[slug, books["member"].pk]),
    ]:
        assert outsider.get(url).status_code == 404, url


def test_the_api_lists_funds_and_entries_as_strings_never_floats(
    books: dict[str, Any], coalition: Coalition, coalition_factory: Any
) -> None:
    fund: Fund = books["fund"]
    token = api_services.create_token(coalition=coalition, name="t", created_by=None).raw
    headers = {"OSDI-API-Token": token}
    client = Client()
    funds = client.get("/api/v2/funds", headers=headers).json()
    [row] = funds["_embedded"]["cairn:funds"]
    assert (row["balance"], row["currency"], row["balanced"]) == ("700.00", "USD", True)
    one = client.get(f"/api/v2/funds/{fund.uuid}", headers=headers).json()
    assert {"label": "Hearing travel", "account": "line:1", "amount": "300.00"} in one[
        "spending_by_line"
    ]
    entries = client.get(f"/api/v2/funds/{fund.uuid}/entries", headers=headers).json()
    listed = entries["_embedded"]["cairn:entries"]
    assert entries["total_records"] == 5
    assert all(isinstance(e["amount"], str) for e in listed)
    decided = [e for e in listed if e["transaction"]["decision"]]
    assert {e["transaction"]["decision"]["id"] for e in decided} == {str(books["outcome"].uuid)}
    cash_only = client.get(
        f"/api/v2/funds/{fund.uuid}/entries", {"account": "cash"}, headers=headers
    ).json()
    assert cash_only["total_records"] == 3
    accounts_json = client.get(f"/api/v2/funds/{fund.uuid}/accounts", headers=headers).json()
    assert {"key": "cash", "balance": "700.00"}.items() <= next(
        a for a in accounts_json["accounts"] if a["key"] == "cash"
    ).items()
    # another coalition's token finds nothing
    other = api_services.create_token(coalition=coalition_factory(), name="t", created_by=None)
    elsewhere = {"OSDI-API-Token": other.raw}
    assert client.get(f"/api/v2/funds/{fund.uuid}", headers=elsewhere).status_code == 404
    assert client.get(f"/api/v2/funds/{fund.uuid}/entries", headers=elsewhere).status_code == 404
    assert client.get("/api/v2/funds", headers=elsewhere).json()["total_records"] == 0


def test_the_coalitions_public_page_lists_public_funds(books: dict[str, Any]) -> None:
    fund: Fund = books["fund"]
    coalition_services.publish_public_page(coalition=fund.coalition, publish=True)
    html = Client().get(reverse("public:coalition", args=[fund.coalition.slug])).content.decode()
    assert "Pooled funds" in html
    assert "Balance 700.00 USD" in html


def test_the_public_page_takes_as_many_queries_for_more_transactions(
    books: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    fund: Fund = books["fund"]
    url = reverse("ledger_public:fund", args=[fund.coalition.slug, fund.slug])
    client = Client()
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(30):
        services.post(
            fund=fund,
            source=f"more:{n}",
            description="Another gift",
            occurred_on=DAY,
            transfers=[
                services.Transfer(accounts.cash(fund), accounts.donations(fund), Decimal(n + 1))
            ],
        )
    with django_assert_max_num_queries(len(before)):
        assert client.get(url).status_code == 200


def test_the_openapi_document_describes_the_ledgers_routes(coalition: Coalition) -> None:
    token = api_services.create_token(coalition=coalition, name="t", created_by=None).raw
    paths = Client().get("/api/v2/openapi.json", headers={"OSDI-API-Token": token}).json()["paths"]
    assert {
        "/api/v2/funds",
        "/api/v2/funds/{fund_id}",
        "/api/v2/funds/{fund_id}/accounts",
        "/api/v2/funds/{fund_id}/entries",
        "/api/v2/funds/{fund_id}/entries/{ledger_entry_id}",
    } <= set(paths)
    assert set(paths["/api/v2/funds/{fund_id}/entries"]) == {"get"}  # read-only
