"""Role-aware screens on every page, not only petitions and commitments: a viewer or an organizer of
the demo coalition is never shown a form they may not submit or a link they may not follow.

The pages are every URL of the app with the demo's ids (enumerated as the tenant walker and the
phone-width pass do); each POST form a page shows is submitted empty and each link into the
coalition is followed, and none may answer 403.
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from django.test import Client

from cairn.accounts.models import User
from cairn.audit.demo import load_demo_audit
from cairn.campaigns.demo import load_demo_campaign
from cairn.coalitions.demo import load_demo
from cairn.governance.demo import load_demo_decisions
from cairn.people.demo import load_demo_supporters
from cairn.petitions.demo import load_demo_petitions
from cairn.petitions.tests.test_role_screens import forms_and_links
from cairn.powermap.demo import load_demo_powermap
from tests.browser.test_phone_widths import demo_ids, html_pages, load_demo_actions, page_urls

pytestmark = pytest.mark.pages  # the same on either database: the SQLite pass runs it

ROLES = {"viewer": "jordan@demo.cairn.test", "organizer": "priya@demo.cairn.test"}


@pytest.fixture
def demo_pages(db):
    coalition = load_demo()
    load_demo_supporters(coalition=coalition, count=20)
    load_demo_petitions(coalition)
    load_demo_decisions(coalition)
    load_demo_campaign(coalition)
    load_demo_powermap(coalition)
    load_demo_audit(coalition)
    # (a URL whose parameter the demo has no id for is left out, as in the phone-width pass: the
    # signed checkpoint download and a name review's resolution, neither of them a page)
    # the letter campaign, lobby day and sign-up form's pages too
    return page_urls(coalition, {**demo_ids(coalition), **load_demo_actions(coalition)}, [])


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_page_offers_a_role_a_form_or_link_it_is_refused(demo_pages, role):
    # given a viewer or an organizer of the demo coalition, signed in
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(email=ROLES[role]))
    pages = html_pages(client, demo_pages, [])
    assert len(pages) >= 30, pages
    refused, tried = [], 0
    # when they submit every form and follow every link into the coalition that a page shows them
    for _name, page in pages:
        found = forms_and_links(client.get(page).content.decode())
        for action in sorted(set(found.forms)):
            target = urljoin(page, action)
            if target.endswith("/logout/"):
                continue
            tried += 1
            if client.post(target, {}).status_code == 403:
                refused.append(f"{page} form {target}")
        for href in sorted(set(found.links)):
            target = urljoin(page, href)
            if not target.startswith("/c/"):
                continue
            tried += 1
            if client.get(target).status_code == 403:
                refused.append(f"{page} link {target}")
    # then nothing they were offered is refused
    assert refused == []
    assert tried >= 100, tried  # the walk followed the pages' links and forms
