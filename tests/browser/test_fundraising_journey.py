"""A visitor gives through the fake Stripe in a real browser: the page's thermometer and the
pooled fund's public ledger move once the signed webhook arrives. Then a steward puts a
participatory budget's result to a decision, adopts it once the decision passed, and the
allocations appear in the same public ledger, linked to the decision. Screenshots of each step.

The fake Stripe (`cairn.fundraising.providers.fake_stripe`) runs on loopback: its checkout page's
"Pay" completes the session and POSTs the signed events to the live server's webhook, as Stripe
would, before it sends the donor back to the thank-you page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from cairn.budgets import services as budgets
from cairn.budgets.models import Allocation, Round
from cairn.coalitions.models import Role
from cairn.fundraising import providers
from cairn.fundraising import services as fundraising
from cairn.fundraising.models import Donation, FundraisingPage
from cairn.fundraising.providers.fake_stripe import FakeStripe
from cairn.governance import services as governance
from cairn.ledger import accounts as ledger_accounts
from cairn.ledger import services as ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fake(live_server, settings) -> Iterator[FakeStripe]:
    settings.CAIRN_PAYMENTS = "fake"
    settings.CAIRN_SITE_URL = live_server.url
    fake = FakeStripe(
        webhook_secret="whsec_journey",
        webhook_url=live_server.url + reverse("fundraising_public:stripe_webhook"),
    ).start()
    providers.use_fake(fake)
    yield fake
    providers.use_fake(None)
    fake.stop()


@pytest.fixture
def world(coalition, membership_factory, staff_factory) -> dict[str, Any]:
    """An open page whose fund is public; a closed round of four lines with four members'
    ballots (the engine's worked example: equal shares funds A and C)."""
    members = [membership_factory(coalition, name=f"Member {i}") for i in range(1, 5)]
    organizers = [staff_factory(coalition, Role.ORGANIZER, membership=m) for m in members]
    steward = staff_factory(coalition, Role.STEWARD)
    page = fundraising.create_page(
        coalition=coalition,
        title="Crisis beds fund",
        by=steward.user,
        status=FundraisingPage.Status.OPEN,
        goal="1000",
        suggested_amounts=["10", "25", "50"],
    )
    fund = ledger.set_fund_public(fund=page.fund, public=True)
    ledger.post(  # the members' pooled money that the budget's allocations draw on
        fund=fund,
        source="journey-contribution",
        description="Contribution from Member 1",
        occurred_on=timezone.localdate(),
        transfers=[
            ledger.Transfer(
                debit=ledger_accounts.cash(fund),
                credit=ledger_accounts.member_contributions(fund, members[0]),
                amount=Decimal("1000.00"),
            )
        ],
    )
    round_ = budgets.create_round(
        fund=fund, title="Spring budget", budget=Decimal("1200.00"), by=steward
    )
    lines = {
        name: budgets.propose_line(
            fund=fund, title=f"Line {name}", cost=Decimal(cost), by=steward, round=round_
        )
        for name, cost in [("A", "600"), ("B", "500"), ("C", "300"), ("D", "900")]
    }
    round_ = budgets.open_round(round=round_, by=steward)
    for organizer, names in zip(organizers, ["ACD", "AD", "AD", "BCD"], strict=True):
        budgets.cast_ballot(round=round_, approved=[lines[n].pk for n in names], by=organizer)
    round_ = budgets.close_round(round=round_, by=steward)
    return {
        "coalition": coalition,
        "page": page,
        "fund": fund,
        "round": round_,
        "steward": steward,
        "organizers": organizers,
    }


def _signed_in(browser: Any, base: str, user: Any) -> Page:
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    return context.new_page()


def test_a_visitor_gives_and_a_steward_allocates_the_pooled_fund(
    live_server, page: Page, browser, fake, world, artifacts
):
    base = live_server.url
    give = base + reverse("fundraising_public:page", args=[world["page"].slug])
    fund_url = base + reverse(
        "ledger_public:fund", args=[world["coalition"].slug, world["fund"].slug]
    )

    # given the public page, nothing raised yet
    page.goto(give)
    expect(page.locator("[data-raised]")).to_have_text("0.00 USD")
    page.screenshot(path=str(artifacts / "fundraising-page.png"), full_page=True)

    # when a visitor gives 25 through the fake Stripe's checkout
    page.get_by_label("25 USD").check()
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Email (for your receipt)").fill("rosa@example.org")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", name="Test payment (fake Stripe)")).to_be_visible()
    page.screenshot(path=str(artifacts / "fundraising-checkout.png"), full_page=True)
    page.get_by_role("button", name="Pay").click()
    expect(page).to_have_url(re.compile(r"/thanks/"))
    page.screenshot(path=str(artifacts / "fundraising-thanks.png"), full_page=True)

    # then the signed webhook made the donation succeed, once, and the thermometer moved
    donation = Donation.objects.get()
    assert (donation.status, donation.amount) == ("succeeded", Decimal("25.00"))
    page.goto(give)
    expect(page.locator("[data-raised]")).to_have_text("25.00 USD")
    page.screenshot(path=str(artifacts / "fundraising-page-after.png"), full_page=True)

    # and the pooled fund's public ledger shows it
    page.goto(fund_url)
    entries = page.get_by_test_id("ledger-entries")
    expect(entries).to_contain_text("Donation to Crisis beds fund")
    page.screenshot(path=str(artifacts / "fundraising-ledger-donation.png"), full_page=True)

    # when a steward puts the round's equal-shares result to a decision
    slug, round_ = world["coalition"].slug, world["round"]
    steward = _signed_in(browser, base, world["steward"].user)
    steward.goto(base + reverse("budgets:results", args=[slug, round_.pk]))
    expect(steward.get_by_text("Method of Equal Shares").first).to_be_visible()
    steward.screenshot(path=str(artifacts / "fundraising-budget-results.png"), full_page=True)
    steward.goto(base + reverse("budgets:round", args=[slug, round_.pk]))
    with steward.expect_navigation():
        steward.get_by_role("button", name="Draft the decision").click()
    proposal = Round.objects.get(pk=round_.pk).proposal
    assert proposal is not None
    expect(steward).to_have_url(base + reverse("governance:proposal", args=[slug, proposal.pk]))

    # and the member organizations pass it
    governance.open_proposal(proposal=proposal, by=None, schedule_ticks=False)
    for organizer in world["organizers"]:
        governance.cast_vote(proposal=proposal, staff=organizer, ballot={"position": "agree"})
    governance.close_proposal(proposal=proposal, by=None)
    governance.record_outcome(proposal=proposal, statement="Adopted", recorded_by=None)

    # then the steward adopts the result, and the allocations are posted
    steward.goto(base + reverse("budgets:round", args=[slug, round_.pk]))
    steward.get_by_role("button", name="Adopt the result and post the allocations").click()
    expect(steward.get_by_text("Allocations in the ledger")).to_be_visible()
    steward.screenshot(path=str(artifacts / "fundraising-budget-adopted.png"), full_page=True)
    assert {a.line.title for a in Allocation.objects.filter(round=round_)} == {"Line A", "Line C"}

    # and the public ledger shows each allocation beside the donation, linked to the decision
    page.goto(fund_url)
    for title in ("Allocated to Line A", "Allocated to Line C", "Donation to Crisis beds fund"):
        expect(entries).to_contain_text(title)
    expect(entries.get_by_role("link", name=proposal.title).first).to_be_visible()
    page.screenshot(path=str(artifacts / "fundraising-ledger-allocations.png"), full_page=True)
