"""Editing and deleting a proposal before it opens."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.governance import forms, services
from cairn.governance.models import LogEntry, Option, Proposal
from cairn.governance.services import GovernanceError, OptionInput

pytestmark = pytest.mark.django_db


def url(name, proposal):
    return reverse(
        f"governance:{name}", kwargs={"slug": proposal.coalition.slug, "proposal_id": proposal.pk}
    )


def draft(assembly, template="ranked_choice", **kwargs):
    return services.create_proposal(
        coalition=assembly.coalition,
        template=template,
        title="Chair",
        closes_at=timezone.now() + dt.timedelta(days=5),
        created_by=assembly.steward.user,
        options=[OptionInput("Ana"), OptionInput("Bo"), OptionInput("Cy")],
        **kwargs,
    )


def form_data(proposal, **changes):
    closes = timezone.localtime(proposal.closes_at).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": proposal.title,
        "body": proposal.body,
        "options": "\n".join(o.label for o in proposal.options.all()),
        "time_zone": "UTC",
        "closes_at": closes,
        "electorate": proposal.electorate,
        "results_visibility": proposal.results_visibility,
    }
    data.update(changes)
    return data


def test_a_steward_edits_a_draft_and_the_log_records_the_new_terms(client, assembly):
    # given a draft ranked choice with three options
    proposal = draft(assembly)
    client.force_login(assembly.steward.user)
    page = client.get(url("edit", proposal)).content.decode()
    assert "Ana\nBo\nCy" in page
    # when the steward renames it, drops an option and adds another, and sets a quorum
    response = client.post(
        url("edit", proposal),
        form_data(proposal, title="Chair 2027", options="Ana\nDee\nCy", quorum_percent="40"),
    )
    # then
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.title, proposal.quorum_percent, proposal.status) == (
        "Chair 2027",
        Decimal(40),
        Proposal.Status.DRAFT,
    )
    assert list(Option.objects.filter(proposal=proposal).values_list("key", "label")) == [
        ("o1", "Ana"),
        ("o2", "Dee"),
        ("o3", "Cy"),
    ]
    edited = LogEntry.objects.get(body__event="proposal_edited")
    assert (edited.body["title"], edited.body["options"][1]) == (
        "Chair 2027",
        {"key": "o2", "label": "Dee"},
    )
    assert edited.body["config"]["seats"] == 1


def test_an_edit_is_checked_like_a_new_draft(assembly):
    proposal = draft(assembly)
    with pytest.raises(GovernanceError, match="labels must differ"):
        services.update_proposal(
            proposal=proposal,
            by=None,
            title="Chair",
            closes_at=proposal.closes_at,
            options=[OptionInput("Ana"), OptionInput("ana")],
        )
    # nothing changed, the three options stand
    assert Option.objects.filter(proposal=proposal).count() == 3
    assert not LogEntry.objects.filter(body__event="proposal_edited").exists()


def test_an_open_proposal_can_be_neither_edited_nor_deleted(client, assembly):
    proposal = services.open_proposal(proposal=draft(assembly), by=None)
    client.force_login(assembly.steward.user)
    before = list(LogEntry.objects.values_list("seq", flat=True))
    # when
    edit = client.post(url("edit", proposal), form_data(proposal, title="Changed"))
    delete = client.post(url("delete", proposal))
    # then
    assert (edit.status_code, delete.status_code) == (302, 302)
    proposal.refresh_from_db()
    assert proposal.title == "Chair"
    assert list(LogEntry.objects.values_list("seq", flat=True)) == before
    with pytest.raises(GovernanceError, match="has not opened"):
        services.delete_proposal(proposal=proposal, by=None)


def test_a_steward_deletes_a_draft_and_the_log_keeps_that_it_existed(client, assembly):
    proposal = draft(assembly)
    client.force_login(assembly.steward.user)
    # when
    response = client.post(url("delete", proposal))
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:decisions", args=[assembly.coalition.slug])
    assert not Proposal.objects.filter(pk=proposal.pk).exists()
    assert not Option.objects.filter(proposal_id=proposal.pk).exists()
    deleted = LogEntry.objects.get(body__event="proposal_deleted")
    assert (deleted.body["proposal"], deleted.body["title"]) == (proposal.pk, "Chair")


@pytest.mark.parametrize("name", ["edit", "delete"])
def test_organizers_cannot_edit_or_delete_drafts(client, assembly, name):
    proposal = draft(assembly)
    client.force_login(assembly.organizers[0].user)
    response = client.post(url(name, proposal), form_data(proposal, title="Mine"))
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.title == "Chair"


def test_the_edit_form_writes_share_rules_back_as_it_reads_them():
    # given requirements as a template stores them, one a share no decimal writes exactly
    stored: list[dict[str, object]] = [
        {"positions": ["agree"], "comparison": "≥", "share": "3/4", "basis": "eligible"},
        {"positions": ["agree"], "comparison": "≥", "share": "2/3", "basis": "cast"},
        {"positions": ["block"], "comparison": "≤", "share": "0", "basis": "cast"},
        {"positions": ["in"], "at_least": 12},
    ]
    # when written as lines and read back
    lines = forms.requirement_lines(stored)
    # then
    assert lines.splitlines() == [
        "agree >= 75 eligible",
        "agree >= 200/3 cast",
        "block <= 0 cast",
        "in >= 12 voters",
    ]
    assert forms.parse_requirement_lines(lines) == stored
