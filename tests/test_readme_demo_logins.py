"""The README lists every demo login with its name, role and the organization it acts for, and the
one password they share: a login added to the demo without a README line fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cairn.coalitions.demo import DEMO_PASSWORD, STAFF, load_demo
from cairn.coalitions.models import StaffMember

README = Path(__file__).resolve().parent.parent / "README.md"
ROW = re.compile(
    r"^\| `(?P<email>[^`]+)` \| (?P<name>[^|]+) \| (?P<role>[^|]+) \| (?P<acts>[^|]+) \|$"
)


@pytest.mark.django_db
def test_the_readme_lists_every_demo_login_and_role():
    # given the demo coalition and its staff
    coalition = load_demo()
    staff = StaffMember.objects.for_coalition(coalition).select_related(
        "user", "membership__organization"
    )
    # when the README's table of demo logins is read
    rows = {
        m["email"]: m
        for m in (ROW.match(line) for line in README.read_text().splitlines())
        if m and m["email"].endswith("@demo.cairn.test")
    }
    # then it has exactly the demo's logins, each with its name and role ...
    assert len(rows) == len(STAFF) + 1  # the steward of the coalition, and the others
    assert sorted(rows) == sorted(s.user.email for s in staff)
    for s in staff:
        row = rows[s.user.email]
        assert (row["name"].strip(), row["role"].strip()) == (s.user.full_name, s.role), s
        # ... and the organization it acts for
        if s.membership is not None:
            assert s.membership.organization.name in row["acts"], s
    # ... and the password they share
    assert f"**{DEMO_PASSWORD}**" in README.read_text()
