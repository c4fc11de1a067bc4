"""The narrative pages: they render for every role, refuse what a role may not do (and change
nothing), run the check while typing, and never show another coalition's rows."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from cairn.narrative import services
from cairn.narrative.models import ContentItem, FlagDismissal, FrameworkVersion
from cairn.petitions import services as petitions

from .conftest import GOOD_TEXT
from .test_content import BAD_TEXT, draft, in_review

pytestmark = pytest.mark.django_db


def url(world, name, *args):
    return reverse(f"narrative:{name}", args=[world.coalition.slug, *args])


def test_every_page_renders_for_a_viewer(client, world):
    item = in_review(world)
    client.force_login(world.viewer.user)
    pages = [
        url(world, "index"),
        url(world, "framework", world.framework.pk),
        url(world, "version", world.framework.pk, 1),
        url(world, "version_json", world.framework.pk, 1),
        url(world, "diff", world.framework.pk),
        url(world, "content_list", world.campaign.pk) + "?state=in_review&kind=social_post",
        url(world, "content", item.pk),
        url(world, "kit", world.campaign.pk),
        url(world, "kit_print", world.campaign.pk),
        url(world, "kit_csv", world.campaign.pk),
        url(world, "pulse", world.campaign.pk),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page
    # a viewer is offered no writing
    assert client.get(url(world, "new_content", world.campaign.pk)).status_code == 403
    assert client.post(url(world, "check_new", world.campaign.pk), {"body": "x"}).status_code == 403


def test_the_framework_page_shows_the_live_figure(client, world):
    client.force_login(world.viewer.user)
    body = client.get(url(world, "framework", world.framework.pk)).content.decode()
    assert "18 → 22.4" in body
    assert "In effect: version 1" in body


def test_the_check_while_typing_marks_the_avoided_term_and_says_why(client, world):
    client.force_login(world.organizer.user)
    response = client.post(
        url(world, "check_new", world.campaign.pk),
        {"body": BAD_TEXT, "kind": "social_post", "channel": "bluesky"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert '<mark class="narrative-mark narrative-mark--avoided_term"' in body
    assert "the mentally ill</mark>" in body
    assert "people with mental illness" in body  # the replacement, in the reason
    assert 'Pillars covered: <span class="badge">Beds</span>' in body  # by name, not id
    # no dismiss form on an unsaved draft
    assert "narrative-dismiss" not in body


def test_the_editor_wires_the_debounced_check(client, world):
    client.force_login(world.organizer.user)
    body = client.get(url(world, "new_content", world.campaign.pk)).content.decode()
    assert 'hx-trigger="keyup changed delay:500ms, load"' in body
    assert f'hx-post="{url(world, "check_new", world.campaign.pk)}"' in body
    # choosing another kind or channel checks again (length rules, an email's subject line)
    for name in ("kind", "channel"):
        (select,) = re.findall(rf'<select name="{name}"[^>]*>', body)
        assert 'hx-trigger="change"' in select


def test_writing_and_review_through_the_pages(client, world):
    # an organizer writes and sends to review
    client.force_login(world.organizer.user)
    response = client.post(
        url(world, "new_content", world.campaign.pk),
        {
            "title": "Beds post",
            "kind": "social_post",
            "channel": "bluesky",
            "membership": world.member.pk,
            "body": BAD_TEXT,
        },
    )
    item = ContentItem.objects.get()
    assert response.status_code == 302
    assert item.membership == world.member
    client.post(url(world, "submit", item.pk))
    # the organizer may not approve or dismiss
    assert client.post(url(world, "approve", item.pk)).status_code == 403
    assert (
        client.post(
            url(world, "dismiss", item.pk), {"kind": "avoided_term", "span": "x", "reason": "r"}
        ).status_code
        == 403
    )
    # a steward's approval is refused while the flag is open
    client.force_login(world.steward.user)
    client.post(url(world, "approve", item.pk))
    assert ContentItem.objects.get().state == "in_review"
    page = client.get(url(world, "content", item.pk)).content.decode()
    assert "narrative-dismiss" in page
    assert "blocks approval" in page
    # dismissing through htmx re-renders the check with the flag dismissed
    response = client.post(
        url(world, "dismiss", item.pk),
        {"kind": "avoided_term", "span": "the mentally ill", "reason": "A quote of the bill"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "dismissed: A quote of the bill" in response.content.decode()
    client.post(url(world, "approve", item.pk))
    assert ContentItem.objects.get().state == "approved"


def test_a_dismissal_without_a_reason_is_refused(client, world):
    item = in_review(world, BAD_TEXT)
    client.force_login(world.steward.user)
    response = client.post(
        url(world, "dismiss", item.pk),
        {"kind": "avoided_term", "span": "the mentally ill", "reason": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert not FlagDismissal.objects.exists()


ROLE_MATRIX = [
    # (who, url name, allowed)
    ("viewer", "submit", False),
    ("other_organizer", "submit", False),
    ("organizer", "submit", True),
    ("viewer", "edit_content", False),
    ("other_organizer", "edit_content", False),
]


@pytest.mark.parametrize(("who", "name", "allowed"), ROLE_MATRIX)
def test_role_matrix_on_an_item(client, world, who, name, allowed):
    item = draft(world)
    client.force_login(getattr(world, who).user)
    response = client.post(url(world, name, item.pk), {"title": "hijacked", "body": "hijacked"})
    row = ContentItem.objects.get(pk=item.pk)
    if allowed:
        assert response.status_code == 302
        assert row.state == "in_review"
    else:
        assert response.status_code == 403
        assert (row.state, row.body, row.title) == ("draft", GOOD_TEXT, "Beds now")


@pytest.mark.parametrize("who", ["organizer", "viewer"])
def test_only_stewards_edit_the_framework_through_the_pages(client, world, who):
    client.force_login(getattr(world, who).user)
    assert client.post(url(world, "new_version", world.framework.pk)).status_code == 403
    assert client.post(url(world, "new_framework"), {"name": "Mine"}).status_code == 403
    assert FrameworkVersion.objects.count() == 1


def test_the_framework_editor_saves_a_draft_and_proposes_it(client, world):
    client.force_login(world.steward.user)
    client.post(url(world, "new_version", world.framework.pk))
    page = client.get(url(world, "edit_version", world.framework.pk, 2))
    assert page.status_code == 200
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data["core_message"] = "Care within the hour, for everyone in crisis."
    data["p0_messages"] = "beds-now | More psychiatric beds close to home."
    data["note"] = "Shorter"
    response = client.post(url(world, "edit_version", world.framework.pk, 2), data)
    assert response.status_code == 302
    v2 = FrameworkVersion.objects.get(number=2)
    assert v2.content["core_message"] == "Care within the hour, for everyone in crisis."
    assert v2.content["pillars"][0]["key_messages"] == [
        {"id": "beds-now", "text": "More psychiatric beds close to home."}
    ]
    assert v2.content["pillars"][0]["proof_points"][0]["objective_id"] == world.objective.pk
    diff = client.get(url(world, "diff", world.framework.pk) + "?a=1&b=2").content.decode()
    assert "Core message" in diff
    assert "key message beds-now" in diff
    client.post(url(world, "propose_version", world.framework.pk, 2))
    assert FrameworkVersion.objects.get(number=2).status == "proposed"


def test_the_json_editor_names_line_and_column(client, world):
    client.force_login(world.steward.user)
    client.post(url(world, "new_version", world.framework.pk))
    response = client.post(
        url(world, "edit_version_json", world.framework.pk, 2),
        {"content": '{\n  "core_message": "x",\n  "pillars": [,]\n}'},
    )
    assert response.status_code == 422
    assert "line 3, column 15" in response.content.decode()


def test_the_kit_lists_approved_items_with_the_members_own_link_and_a_csv(client, world):
    petition = petitions.open_petition(
        petition=petitions.submit_petition(
            petition=petitions.create_petition(
                owner=world.member,
                data=petitions.PetitionData(
                    title="Fund crisis beds", details="Beds", campaign=world.campaign
                ),
                created_by=None,
            )
        )
    )
    item = in_review(world)
    services.approve_item(item=item, by=world.steward)
    services.publish_item(item=ContentItem.objects.get(pk=item.pk), by=world.steward)
    in_review(world)  # not approved: not in the kit
    client.force_login(world.organizer.user)
    page = client.get(url(world, "kit", world.campaign.pk)).content.decode()
    assert page.count("narrative-kit-item") == 1
    assert "<h2>Pillar: Beds</h2>" in page
    assert f"/p/{petition.slug}/?ref=m-{world.member.pk}&amp;ch=c-" in page
    assert 'data-copy-target="kit-text-' in page
    response = client.get(url(world, "kit_csv", world.campaign.pk))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["id", "kind", "channel", "pillar", "title"]
    assert len(rows) == 2
    assert rows[1][4] == "Beds now"
    assert f"ref=m-{world.member.pk}" in rows[1][8]


def test_another_coalitions_items_are_not_found(client, world, coalition_factory, staff_factory):
    item = in_review(world)
    stranger = staff_factory(coalition_factory())
    client.force_login(stranger.user)
    own = reverse("narrative:content", args=[stranger.coalition.slug, item.pk])
    assert client.get(own).status_code == 404
    theirs = reverse("narrative:content", args=[world.coalition.slug, item.pk])
    assert client.get(theirs).status_code == 404
    assert (
        client.post(
            reverse("narrative:approve", args=[stranger.coalition.slug, item.pk])
        ).status_code
        == 404
    )
    assert ContentItem.objects.get(pk=item.pk).state == "in_review"


@pytest.mark.parametrize("name", ["content_list", "kit", "kit_csv", "pulse"])
def test_campaign_pages_take_as_many_queries_for_more_items(client, world, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .test_content import _open_petition

    _open_petition(world)  # published items get tracked links to it

    def approved() -> None:
        item = in_review(world)
        services.approve_item(item=item, by=world.steward)
        services.publish_item(item=ContentItem.objects.get(pk=item.pk), by=world.steward)

    approved()
    client.force_login(world.organizer.user)
    page = url(world, name, world.campaign.pk)
    client.get(page)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(page).status_code == 200
    for _ in range(4):
        approved()
    with CaptureQueriesContext(connection) as five:
        assert client.get(page).status_code == 200
    assert len(five) == len(one)


def test_the_check_says_plainly_whether_contradiction_was_checked(client, world):
    from .test_content import CONTRADICTING

    client.force_login(world.organizer.user)
    check = url(world, "check_new", world.campaign.pk)
    # a sentence close to a key message: checked, by rules, and the flag is a suggestion
    body = client.post(check, {"body": CONTRADICTING, "kind": "email"}).content.decode()
    assert 'data-contradiction-checked="yes"' in body
    assert "Contradiction was checked by wording rules, not a language model" in body
    assert "Possible contradiction (a suggestion)" in body
    assert '<span class="badge">suggestion</span>' in body
    # nothing near a key message: the page says it was not checked
    body = client.post(
        check, {"body": "Join us for the spring gala on Friday night.", "kind": "email"}
    ).content.decode()
    assert 'data-contradiction-checked="no"' in body
    assert "Contradiction was not checked" in body


def test_a_petition_opened_after_publishing_gets_its_links_in_the_kit(
    client, world, membership_factory, staff_factory
):
    from cairn.coalitions.models import Role

    from .test_content import _open_petition

    # given an item published before the campaign had a petition, and a member that joined since
    item = in_review(world)
    services.approve_item(item=item, by=world.steward)
    services.publish_item(item=ContentItem.objects.get(pk=item.pk), by=world.steward)
    assert not item.links.exists()
    newcomer = membership_factory(world.coalition, name="Peer Support Network")
    organizer = staff_factory(world.coalition, Role.ORGANIZER, membership=newcomer)
    petition = _open_petition(world)
    # when the newcomer's organizer opens the kit
    client.force_login(organizer.user)
    page = client.get(url(world, "kit", world.campaign.pk)).content.decode()
    # then the item has its links to the petition, the newcomer's own among them
    assert f"/p/{petition.slug}/?ref=m-{newcomer.pk}&amp;ch=c-" in page
    assert sorted(m or 0 for m in item.links.values_list("membership_id", flat=True)) == sorted(
        [0, world.member.pk, world.other_member.pk, newcomer.pk]
    )
    # and reading it again makes nothing new
    client.get(url(world, "kit", world.campaign.pk))
    assert item.links.count() == 4
    assert services.ensure_campaign_links(campaign=world.campaign) == 0


def test_the_item_page_says_which_suggestions_an_approval_accepted(client, world):
    from .test_content import CONTRADICTING

    item = in_review(world, CONTRADICTING)
    services.approve_item(item=item, by=world.steward)
    client.force_login(world.viewer.user)
    body = client.get(url(world, "content", item.pk)).content.decode()
    assert "checked against version 1; 1 suggestion accepted as written</li>" in body
