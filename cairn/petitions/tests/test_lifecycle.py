"""Actions with consequences: only the steps a state allows are offered, the irreversible ones ask
first (a form: no JavaScript needed), and a petition closed by mistake can be reopened (logged)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from cairn.coalitions.models import Role
from cairn.petitions import lifecycle, services
from cairn.petitions.lifecycle import Step
from cairn.petitions.models import Petition
from cairn.petitions.services import PetitionError

from .conftest import signer

Status = Petition.Status


def staff_url(petition: Petition, name: str) -> str:
    return reverse(f"petitions:{name}", args=[petition.coalition.slug, petition.pk])


OWNER_STEPS = {
    Status.DRAFT: {Step.SUBMIT},
    Status.IN_MODERATION: set(),
    Status.OPEN: {Step.CLOSE, Step.VICTORY, Step.DELIVERY, Step.RESPONSE},
    Status.CLOSED: {Step.REOPEN, Step.VICTORY, Step.DELIVERY, Step.RESPONSE},
    Status.WON: {Step.DELIVERY, Step.RESPONSE},
    Status.REJECTED: set(),
    Status.TAKEN_DOWN: set(),
}
MODERATOR_STEPS = {
    Status.DRAFT: set(),
    Status.IN_MODERATION: {Step.OPEN, Step.REJECT},
    Status.OPEN: {Step.TAKE_DOWN},
    Status.CLOSED: {Step.TAKE_DOWN},
    Status.WON: {Step.TAKE_DOWN},
    Status.REJECTED: set(),
    Status.TAKEN_DOWN: {Step.RESTORE},
}


@pytest.mark.parametrize("status", list(OWNER_STEPS))
@pytest.mark.parametrize(("manage", "moderate"), [(True, False), (False, True), (True, True)])
def test_each_state_allows_its_own_steps(petition_factory, status, manage, moderate):
    petition = petition_factory(status)
    expected = (OWNER_STEPS[status] if manage else set()) | (
        MODERATOR_STEPS[status] if moderate else set()
    )
    assert lifecycle.allowed_steps(petition, manage=manage, moderate=moderate) == expected


def test_a_viewer_is_offered_nothing(petition):
    assert lifecycle.allowed_steps(petition, manage=False, moderate=False) == frozenset()


def test_a_delivered_petition_is_not_delivered_again(petition):
    delivered = services.record_delivery(petition=petition)
    steps = lifecycle.allowed_steps(delivered, manage=True, moderate=False)
    assert Step.DELIVERY not in steps
    assert Step.RESPONSE in steps


def test_an_open_petition_is_taken_down_not_rejected(petition):
    with pytest.raises(PetitionError):
        services.reject_petition(petition=petition, reason="spam", text="x")
    assert Petition.objects.get(pk=petition.pk).status == Status.OPEN


def test_the_open_petition_page_shows_only_what_the_state_allows(client, steward, petition):
    client.force_login(steward.user)
    body = client.get(staff_url(petition, "detail")).content.decode()
    assert 'data-step="reject"' not in body
    assert staff_url(petition, "reject") not in body
    assert staff_url(petition, "restore") not in body
    assert staff_url(petition, "reopen") not in body
    for name in ("close", "take_down", "victory", "delivery", "response"):
        assert staff_url(petition, name) in body
    # the actions that take text are folded away, not five open forms
    assert body.count("<details") >= 3
    assert "Close…" in body


def test_the_page_in_moderation_offers_approve_and_reject_only(client, steward, petition_factory):
    petition = petition_factory(Status.IN_MODERATION)
    client.force_login(steward.user)
    body = client.get(staff_url(petition, "detail")).content.decode()
    assert staff_url(petition, "open") in body
    assert staff_url(petition, "reject") in body
    for name in ("close", "take_down", "victory", "delivery", "response", "reopen"):
        assert staff_url(petition, name) not in body


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.VIEWER])
def test_organizers_and_viewers_see_no_moderation(
    client, coalition, staff_factory, owner, petition, role
):
    staff = staff_factory(coalition, role, membership=owner if role == Role.ORGANIZER else None)
    client.force_login(staff.user)
    body = client.get(staff_url(petition, "detail")).content.decode()
    assert staff_url(petition, "take_down") not in body
    assert staff_url(petition, "open") not in body
    assert (staff_url(petition, "close") in body) is (role == Role.ORGANIZER)
    if role == Role.VIEWER:
        assert "Nothing for you to do here in this state." in body


def test_closing_asks_first_then_closes_and_logs_who(client, steward, petition):
    client.force_login(steward.user)
    # when the Close button is pressed
    asked = client.post(staff_url(petition, "close"))
    # then a page asks, and nothing changed yet
    assert asked.status_code == 200
    body = asked.content.decode()
    assert 'data-confirm="close"' in body
    assert 'name="confirmed" value="yes"' in body
    assert "Confirmation links already sent still count for 24 hours" in body
    assert Petition.objects.get(pk=petition.pk).status == Status.OPEN
    # when the person confirms
    done = client.post(staff_url(petition, "close"), {"confirmed": "yes"})
    # then it is closed, and the change is logged with who did it
    assert done.status_code == 302
    assert Petition.objects.get(pk=petition.pk).status == Status.CLOSED
    assert [(e.user_id, e.change_message) for e in LogEntry.objects.all()] == [
        (steward.user.pk, "Closed.")
    ]


def test_a_victory_asks_first(client, steward, petition):
    client.force_login(steward.user)
    asked = client.post(staff_url(petition, "victory"), {"text": "Funded!"})
    body = asked.content.decode()
    assert 'data-confirm="victory"' in body
    assert 'name="text" value="Funded!"' in body  # what was typed is carried to the second press
    assert "This cannot be undone." in body
    assert Petition.objects.get(pk=petition.pk).status == Status.OPEN


def test_a_step_the_state_does_not_allow_is_refused_without_asking(
    client, steward, petition_factory
):
    closed = petition_factory(Status.CLOSED)
    client.force_login(steward.user)
    response = client.post(staff_url(closed, "close"))
    assert response.status_code == 302
    assert Petition.objects.get(pk=closed.pk).status == Status.CLOSED


def test_a_petition_closed_by_mistake_is_reopened_and_takes_signatures_again(
    client, coalition, owner, staff_factory, petition
):
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=owner)
    client.force_login(organizer.user)
    client.post(staff_url(petition, "close"), {"confirmed": "yes"})
    page = client.get(staff_url(petition, "detail")).content.decode()
    assert staff_url(petition, "reopen") in page
    # when they reopen it, saying why
    client.post(staff_url(petition, "reopen"), {"text": "Pressed the wrong button"})
    # then it is open, signable, and the history says who closed and reopened it, and why
    petition.refresh_from_db()
    assert (petition.status, petition.closed_at) == (Status.OPEN, None)
    assert services.sign_petition(petition=petition, signer=signer()).signature.pk
    assert [(who, what) for _, who, what in lifecycle.history(petition)] == [
        (str(organizer.user), "Reopened: Pressed the wrong button"),
        (str(organizer.user), "Closed."),
    ]
    page = client.get(staff_url(petition, "detail")).content.decode()
    assert "Reopened: Pressed the wrong button" in page


def test_a_petition_closed_at_its_deadline_stays_closed(petition, steward):
    # given an open petition whose deadline has just passed, closed by the periodic task
    past = timezone.now() - dt.timedelta(minutes=1)
    Petition.objects.filter(pk=petition.pk).update(deadline=past)
    assert services.close_expired_petitions() == 1
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED
    # then nobody is offered to reopen it, and the service refuses
    assert Step.REOPEN not in lifecycle.allowed_steps(petition, manage=True, moderate=True)
    with pytest.raises(PetitionError, match="deadline has passed"):
        services.reopen_petition(petition=petition, by=steward.user)
    assert Petition.objects.get(pk=petition.pk).status == Status.CLOSED


def test_a_viewer_cannot_reopen(client, coalition, staff_factory, petition_factory):
    closed = petition_factory(Status.CLOSED)
    viewer = staff_factory(coalition, Role.VIEWER)
    client.force_login(viewer.user)
    assert client.post(staff_url(closed, "reopen")).status_code == 403
    assert Petition.objects.get(pk=closed.pk).status == Status.CLOSED
