import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cairn.coalitions import selectors, services
from cairn.coalitions.models import (
    Coalition,
    Commitment,
    Delivery,
    Invitation,
    Membership,
    MembershipStatusChange,
    Role,
    StaffMember,
)
from cairn.coalitions.services import CoalitionError

SITE = "http://testserver/"


def test_creating_a_coalition_makes_its_creator_steward(user_factory):
    # given
    creator = user_factory()
    # when
    coalition = services.create_coalition(
        name="Clean Air Now",
        mission="Cleaner air.",
        horizon_title="Council vote",
        horizon_start=dt.date(2026, 1, 1),
        horizon_end=dt.date(2026, 12, 31),
        created_by=creator,
    )
    # then
    assert coalition.slug == "clean-air-now"
    staff = StaffMember.objects.get(coalition=coalition)
    assert (staff.user, staff.role, staff.membership) == (creator, Role.STEWARD, None)


def test_slugs_stay_unique(user_factory):
    kwargs: dict[str, Any] = {
        "name": "Clean Air Now",
        "mission": "m",
        "horizon_title": "h",
        "horizon_start": dt.date(2026, 1, 1),
        "horizon_end": dt.date(2026, 2, 1),
    }
    first = services.create_coalition(created_by=user_factory(), **kwargs)
    second = services.create_coalition(created_by=user_factory(), **kwargs)
    assert (first.slug, second.slug) == ("clean-air-now", "clean-air-now-2")


def test_a_horizon_cannot_end_before_it_starts(user_factory):
    with pytest.raises(CoalitionError):
        services.create_coalition(
            name="x",
            mission="m",
            horizon_title="h",
            horizon_start=dt.date(2026, 5, 1),
            horizon_end=dt.date(2026, 4, 1),
            created_by=user_factory(),
        )
    assert Coalition.objects.count() == 0


def test_organization_names_are_unique_per_coalition_ignoring_case(
    coalition, coalition_factory, membership_factory
):
    # given
    membership_factory(coalition, name="Riverbend Health")
    # when / then: the same name differently cased is refused, nothing half-created
    with pytest.raises(CoalitionError, match="already in this coalition"):
        membership_factory(coalition, name="riverbend health")
    assert Membership.objects.for_coalition(coalition).count() == 1
    # but another coalition may know an organization of the same name
    other = membership_factory(coalition_factory(), name="Riverbend Health")
    assert other.coalition_id != coalition.pk


def test_status_changes_are_dated_and_logged(coalition, membership_factory, user_factory):
    # given a prospect
    steward = user_factory()
    membership = membership_factory(coalition, status=Membership.Status.PROSPECT)
    # when it joins, pauses and leaves
    services.change_membership_status(
        membership=membership, status=Membership.Status.ACTIVE, changed_by=steward
    )
    services.change_membership_status(
        membership=membership, status=Membership.Status.PAUSED, changed_by=steward
    )
    left = services.change_membership_status(
        membership=membership,
        status=Membership.Status.LEFT,
        changed_by=steward,
        on=dt.date(2026, 3, 1),
    )
    # then
    assert left.joined_on == timezone.localdate()
    assert left.left_on == dt.date(2026, 3, 1)
    history = MembershipStatusChange.objects.filter(membership=membership).order_by("pk")
    assert [(h.from_status, h.to_status) for h in history] == [
        ("", "prospect"),
        ("prospect", "active"),
        ("active", "paused"),
        ("paused", "left"),
    ]


def test_setting_the_same_status_logs_nothing(coalition, membership_factory):
    membership = membership_factory(coalition)
    services.change_membership_status(
        membership=membership, status=Membership.Status.ACTIVE, changed_by=None
    )
    assert MembershipStatusChange.objects.filter(membership=membership).count() == 1


def test_vote_weight_cannot_be_negative(coalition, membership_factory):
    membership = membership_factory(coalition)
    with pytest.raises(CoalitionError):
        services.set_vote_weight(membership=membership, weight=Decimal(-1))
    membership.refresh_from_db()
    assert membership.vote_weight == Decimal(1)


# --- invitations ---------------------------------------------------------------------------------


def invite(coalition, steward, email="new@example.org", role=Role.ORGANIZER, membership=None):
    return services.invite_staff(
        coalition=coalition,
        email=email,
        role=role,
        membership=membership,
        invited_by=steward.user,
        site_url=SITE,
    )


def test_inviting_emails_a_working_link(
    coalition, steward, membership_factory, django_capture_on_commit_callbacks
):
    # given a prospect organization
    prospect = membership_factory(coalition, status=Membership.Status.PROSPECT)
    # when its contact is invited as organizer
    with django_capture_on_commit_callbacks(execute=True):
        sent = invite(coalition, steward, email=" New@Example.org ", membership=prospect)
    # then one email carries the link, the membership is now "invited"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]
    assert sent.url in mail.outbox[0].body
    assert sent.url.startswith("http://testserver/accounts/invitations/")
    token = sent.url.rstrip("/").rsplit("/", 1)[1]
    assert services.invitation_from_token(token) == sent.invitation
    prospect.refresh_from_db()
    assert prospect.status == Membership.Status.INVITED


def test_an_organizer_invitation_needs_an_organization(coalition, steward):
    with pytest.raises(CoalitionError, match="choose one"):
        invite(coalition, steward, role=Role.ORGANIZER, membership=None)
    assert Invitation.objects.count() == 0


def test_reinviting_revokes_the_older_link(coalition, steward):
    # given
    first = invite(coalition, steward, role=Role.VIEWER)
    # when
    second = invite(coalition, steward, role=Role.VIEWER)
    # then
    first.invitation.refresh_from_db()
    assert first.invitation.revoked_at is not None
    assert second.invitation.is_open()


def test_accepting_gives_the_role_and_activates_the_member(
    coalition, steward, membership_factory, user_factory
):
    # given
    member = membership_factory(coalition, status=Membership.Status.PROSPECT)
    sent = invite(coalition, steward, membership=member)
    invitee = user_factory(email="new@example.org")
    # when
    staff = services.accept_invitation(invitation=sent.invitation, user=invitee)
    # then
    assert (staff.role, staff.membership) == (Role.ORGANIZER, member)
    member.refresh_from_db()
    assert member.status == Membership.Status.ACTIVE


def test_an_invitation_works_once(coalition, steward, user_factory):
    # given an accepted invitation
    sent = invite(coalition, steward, role=Role.VIEWER)
    invitee = user_factory(email="new@example.org")
    services.accept_invitation(invitation=sent.invitation, user=invitee)
    # when it is used again
    with pytest.raises(CoalitionError, match="already been used"):
        services.accept_invitation(invitation=sent.invitation, user=invitee)
    # then nothing changed
    assert StaffMember.objects.filter(coalition=coalition, user=invitee).count() == 1


def test_an_expired_invitation_is_refused(coalition, steward, user_factory):
    sent = invite(coalition, steward, role=Role.VIEWER)
    Invitation.objects.filter(pk=sent.invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    sent.invitation.refresh_from_db()
    with pytest.raises(CoalitionError, match="expired"):
        services.accept_invitation(
            invitation=sent.invitation, user=user_factory(email="new@example.org")
        )
    assert not StaffMember.objects.filter(coalition=coalition, role=Role.VIEWER).exists()


def test_an_invitation_is_for_its_own_address(coalition, steward, user_factory):
    sent = invite(coalition, steward, role=Role.VIEWER)
    with pytest.raises(CoalitionError, match=r"sent to new@example\.org"):
        services.accept_invitation(
            invitation=sent.invitation, user=user_factory(email="someone@else.org")
        )
    sent.invitation.refresh_from_db()
    assert sent.invitation.accepted_at is None


def test_a_tampered_token_finds_nothing(coalition, steward):
    sent = invite(coalition, steward, role=Role.VIEWER)
    token = sent.url.rstrip("/").rsplit("/", 1)[1]
    assert services.invitation_from_token(token[:-2] + "xx") is None
    assert services.invitation_from_token("garbage") is None


def test_registering_from_an_invitation(coalition, steward):
    sent = invite(coalition, steward, role=Role.VIEWER)
    user, staff = services.register_and_accept(
        invitation=sent.invitation, full_name="Ana Lopes", password="a long passphrase"
    )
    assert user.email == "new@example.org"
    assert user.check_password("a long passphrase")
    assert staff.role == Role.VIEWER


def test_the_last_steward_stays(coalition, steward, staff_factory):
    with pytest.raises(CoalitionError, match="at least one steward"):
        services.remove_staff(staff=steward)
    second = staff_factory(coalition, Role.STEWARD)
    services.remove_staff(staff=steward)
    assert list(StaffMember.objects.filter(coalition=coalition)) == [second]


# --- commitments ---------------------------------------------------------------------------------


def test_pledges_and_deliveries_add_up(coalition, membership_factory, commitment_factory):
    # given a member that pledged 1000 USD and 40 hours
    member = membership_factory(coalition)
    money = commitment_factory(member, quantity=1000, unit="USD")
    commitment_factory(member, kind=Commitment.Kind.STAFF_TIME, quantity=40, unit="hours")
    # when 400 USD and then 700 USD arrive
    for amount in (400, 700):
        services.record_delivery(
            commitment=money,
            quantity=Decimal(amount),
            delivered_on=timezone.localdate(),
            recorded_by=None,
            excess_reason="A donor matched the second tranche",  # kept only past the pledge
        )
    # then
    summary = selectors.commitment_summaries(coalition=coalition)[member.pk]
    assert [(t.unit, t.pledged, t.delivered) for t in summary.totals] == [
        ("USD", Decimal(1000), Decimal(1100)),
        ("hours", Decimal(40), Decimal(0)),
    ]
    assert (summary.fulfilled, summary.fulfilment) == (1, 0.5)


def test_an_empty_unit_takes_the_usual_one(coalition, membership_factory):
    commitment = services.pledge_commitment(
        membership=membership_factory(coalition),
        kind=Commitment.Kind.STAFF_TIME,
        description="Testimony",
        quantity=Decimal(10),
        unit="",
        due_date=timezone.localdate(),
        pledged_by=None,
    )
    assert commitment.unit == "hours"


@pytest.mark.parametrize("status", [Membership.Status.PROSPECT, Membership.Status.LEFT])
def test_non_members_cannot_pledge(coalition, membership_factory, status):
    member = membership_factory(coalition, status=status)
    with pytest.raises(CoalitionError, match="is not a member"):
        services.pledge_commitment(
            membership=member,
            kind=Commitment.Kind.DATA,
            description="d",
            quantity=Decimal(1),
            unit="datasets",
            due_date=timezone.localdate(),
            pledged_by=None,
        )
    assert Commitment.objects.count() == 0


def test_deliveries_cannot_be_in_the_future_or_on_a_withdrawn_pledge(
    coalition, membership_factory, commitment_factory
):
    commitment = commitment_factory(membership_factory(coalition))
    with pytest.raises(CoalitionError, match="future"):
        services.record_delivery(
            commitment=commitment,
            quantity=Decimal(1),
            delivered_on=timezone.localdate() + dt.timedelta(days=1),
            recorded_by=None,
        )
    services.withdraw_commitment(commitment=commitment)
    with pytest.raises(CoalitionError, match="withdrawn"):
        services.record_delivery(
            commitment=commitment,
            quantity=Decimal(1),
            delivered_on=timezone.localdate(),
            recorded_by=None,
        )
    assert Delivery.objects.count() == 0


def test_overview_groups_members_by_sector_and_counts_overdue(
    coalition, membership_factory, commitment_factory
):
    # given
    a = membership_factory(coalition, name="A", sector="faith")
    membership_factory(coalition, name="B", sector="faith")
    membership_factory(coalition, name="C", sector="labor")
    membership_factory(coalition, name="P", sector="media", status=Membership.Status.PROSPECT)
    commitment_factory(a, due_in_days=-3, quantity=10, delivered=5)
    # when
    overview = selectors.coalition_overview(coalition=coalition)
    # then
    assert [(g.label, [m.organization.name for m in g.members]) for g in overview.sectors] == [
        ("Faith", ["A", "B"]),
        ("Labor", ["C"]),
    ]
    assert "Media" in overview.missing_sectors
    assert overview.status_counts["prospect"] == 1
    assert overview.overdue == 1


def test_a_status_change_can_be_backdated_but_not_postdated(coalition, membership_factory):
    # given a prospect
    membership = membership_factory(coalition, status=Membership.Status.PROSPECT)
    day = timezone.localdate() - dt.timedelta(days=40)
    # when it is recorded as having joined 40 days ago
    joined = services.change_membership_status(
        membership=membership, status=Membership.Status.ACTIVE, changed_by=None, on=day
    )
    # then the join date and the history carry that day
    assert joined.joined_on == day
    assert timezone.localdate(joined.status_changed_at) == day
    change = MembershipStatusChange.objects.filter(
        membership=membership, to_status="active"
    ).first()
    assert change is not None
    assert timezone.localdate(change.changed_at) == day
    # and a change dated tomorrow is refused
    with pytest.raises(CoalitionError, match="future"):
        services.change_membership_status(
            membership=membership,
            status=Membership.Status.PAUSED,
            changed_by=None,
            on=timezone.localdate() + dt.timedelta(days=1),
        )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
