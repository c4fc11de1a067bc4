"""The standard accounts of a fund's chart, by key, created on first use (`services.account`).

Other apps use these rather than spelling keys themselves, so one member's contributions or one
budget line has one account whoever posts to it:

- `cash` (asset): the money the fund holds;
- `member:<membership id>` (income): what a member organization contributed;
- `donations` / `donations:<page key>` (income): supporters' gifts, per fundraising page;
- `fees` (expense): payment providers' fees;
- `line:<budget line id>` (expense): what was spent on a budget line;
- `allocated:<budget line id>` (liability): money a decision earmarked for a line, not yet spent;
- `designated` (equity, a debit balance): the total that decisions earmarked.

Postings, so that every app records the same event the same way:

- a gift or a contribution: cash ← donations / member:<id> (debit cash, credit income);
- a provider's fee: fees ← cash; a refund or a dispute: `services.reverse` of the gift;
- an allocation by a decision: allocated:<line> ← designated (debit designated, credit the
  line's liability), `decision=` the outcome;
- an approved expense: line:<id> ← cash (debit the line's expense, credit cash), and the same
  amount released from the allocation: designated ← allocated:<line>.

Unallocated money is cash minus the allocated liabilities (`selectors.fund_summary`).
"""

from __future__ import annotations

from cairn.coalitions.models import Membership

from . import services
from .models import Account, AccountType, Fund


def cash(fund: Fund) -> Account:
    return services.account(fund=fund, key="cash", name="Cash", type=AccountType.ASSET)


def member_contributions(fund: Fund, membership: Membership) -> Account:
    return services.account(
        fund=fund,
        key=f"member:{membership.pk}",
        name=f"Contributions: {membership.organization.name}",
        type=AccountType.INCOME,
        membership=membership,
        purpose=f"membership:{membership.pk}",
    )


def donations(fund: Fund, page_key: str = "", name: str = "") -> Account:
    key = f"donations:{page_key}" if page_key else "donations"
    return services.account(
        fund=fund,
        key=key,
        name=name or "Donations",
        type=AccountType.INCOME,
        purpose=key,
    )


def fees(fund: Fund) -> Account:
    return services.account(
        fund=fund, key="fees", name="Payment fees", type=AccountType.EXPENSE, purpose="fees"
    )


def budget_line_expense(fund: Fund, line_id: int, name: str) -> Account:
    return services.account(
        fund=fund,
        key=f"line:{line_id}",
        name=name,
        type=AccountType.EXPENSE,
        purpose=f"budget_line:{line_id}",
    )


def budget_line_allocation(fund: Fund, line_id: int, name: str) -> Account:
    return services.account(
        fund=fund,
        key=f"allocated:{line_id}",
        name=f"Allocated: {name}",
        type=AccountType.LIABILITY,
        purpose=f"budget_line:{line_id}",
    )


def designated(fund: Fund) -> Account:
    return services.account(
        fund=fund,
        key="designated",
        name="Designated by decisions",
        type=AccountType.EQUITY,
        purpose="designated",
    )
