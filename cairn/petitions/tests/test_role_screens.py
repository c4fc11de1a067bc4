"""Role-aware screens: a page offers a person only the forms and buttons that the policy
(cairn/coalitions/policy.py) lets them use. Every form a viewer or an organizer is shown on the
petition and commitment pages is submitted, and none may answer 403."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.urls import reverse

from cairn.coalitions.models import Role
from cairn.petitions.models import Petition

Status = Petition.Status


class Forms(HTMLParser):
    """The POST forms of a page: (action, button labels)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and (values.get("method") or "").lower() == "post":
            self.forms.append(values.get("action") or "")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")


def forms_and_links(html: str) -> Forms:
    parser = Forms()
    parser.feed(html)
    return parser


@pytest.fixture
def world(coalition, membership_factory, staff_factory, petition_factory, commitment_factory):
    ours = membership_factory(coalition, name="Harbor Clinic")
    theirs = membership_factory(coalition, name="Tenants Union")
    people = {
        Role.VIEWER: staff_factory(coalition, Role.VIEWER),
        # a viewer who belongs to a member organization still acts for nobody
        "viewer_of_member": staff_factory(coalition, Role.VIEWER, membership=ours),
        Role.ORGANIZER: staff_factory(coalition, Role.ORGANIZER, membership=ours),
    }
    petitions = [
        petition_factory(Status.OPEN, owner_=ours, title="Ours open"),
        petition_factory(Status.CLOSED, owner_=ours, title="Ours closed"),
        petition_factory(Status.OPEN, owner_=theirs, title="Theirs open"),
        petition_factory(Status.IN_MODERATION, owner_=theirs, title="Theirs in moderation"),
        petition_factory(Status.DRAFT, owner_=ours, title="Ours draft"),
        petition_factory(Status.DRAFT, owner_=theirs, sponsors_required=1, title="Theirs draft"),
    ]
    commitments = [commitment_factory(ours), commitment_factory(theirs)]
    slug = coalition.slug
    pages = [
        reverse("petitions:list", args=[slug]),
        *[reverse("petitions:detail", args=[slug, p.pk]) for p in petitions],
        reverse("coalitions:commitments", args=[slug]),
        *[reverse("coalitions:commitment", args=[slug, c.pk]) for c in commitments],
    ]
    return people, pages


@pytest.mark.parametrize("who", [Role.VIEWER, "viewer_of_member", Role.ORGANIZER])
def test_no_page_offers_a_form_the_role_may_not_submit(client, world, who):
    people, pages = world
    client.force_login(people[who].user)
    refused = []
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        found = forms_and_links(response.content.decode())
        for action in found.forms:
            target = urljoin(page, action)
            if target == reverse("accounts:logout"):
                continue
            if client.post(target, {}).status_code == 403:
                refused.append((page, target))
        for href in found.links:
            target = urljoin(page, href)
            if "/c/" in target and client.get(target).status_code == 403:
                refused.append((page, target))
    assert refused == []


@pytest.mark.parametrize("who", [Role.VIEWER, "viewer_of_member"])
def test_a_viewer_sees_no_new_petition_and_no_pledge_button(client, world, coalition, who):
    people, _ = world
    client.force_login(people[who].user)
    petitions = client.get(reverse("petitions:list", args=[coalition.slug])).content.decode()
    assert "New petition" not in petitions
    assert client.get(reverse("petitions:new", args=[coalition.slug])).status_code == 403
    commitments = client.get(
        reverse("coalitions:commitments", args=[coalition.slug])
    ).content.decode()
    assert reverse("coalitions:pledge", args=[coalition.slug]) not in commitments
    # the pledge form itself is refused rather than shown empty
    assert client.get(reverse("coalitions:pledge", args=[coalition.slug])).status_code == 403


def test_an_organizer_sees_new_petition_and_pledges_for_its_own_organization(
    client, world, coalition
):
    people, _ = world
    client.force_login(people[Role.ORGANIZER].user)
    petitions = client.get(reverse("petitions:list", args=[coalition.slug])).content.decode()
    assert "New petition" in petitions
    form = client.get(reverse("coalitions:pledge", args=[coalition.slug]))
    assert form.status_code == 200
    choices = [m.organization.name for m in form.context["form"].fields["membership"].queryset]
    assert choices == ["Harbor Clinic"]
