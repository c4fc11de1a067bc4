"""Use cases of the coalitions domain: the only code that writes its tables.

- create_coalition: a coalition always has at least one steward, its creator.
- update_coalition: the horizon never ends before it starts (a database constraint).
- add_organization: an organization's name is unique in its coalition (case-insensitive).
- change_membership_status: every change of status is dated in the history, with who made it.
- set_vote_weight: weights are never negative.
- invite_staff: one open invitation per email and coalition; re-inviting revokes the older one.
- accept_invitation: an invitation is used once, before it expires, by the address it was sent to.
- register_and_accept: a new user account and its role are created together or not at all.
- revoke_invitation / remove_staff: a coalition never loses its last steward.
- pledge_commitment / record_delivery / withdraw_commitment: deliveries belong to their commitment's
  coalition; a withdrawn commitment takes no more deliveries; a delivery that takes the total
  past the pledge is refused (DeliveryExceedsPledge) unless it says why, and the reason is kept.
- publish_public_page / set_public_listing: the public sees a coalition only once it publishes,
  and a member organization only once it chose to be listed (cairn.coalitions.public reads them).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify

from cairn.accounts.models import User, normalize_login_email

from .hooks import run_delivery_hooks
from .models import (
    Coalition,
    Commitment,
    Delivery,
    Invitation,
    Membership,
    MembershipStatusChange,
    Organization,
    Role,
    StaffMember,
)

INVITATION_SALT = "cairn.coalitions.invitation"


class CoalitionError(Exception):
    """A use case refused: the message is safe to show to the user."""


class DeliveryExceedsPledge(CoalitionError):
    """A delivery would take the delivered total past the pledge, and no reason was given."""

    def __init__(self, *, pledged: Decimal, total: Decimal, unit: str) -> None:
        self.pledged, self.total, self.unit = pledged, total, unit
        super().__init__(
            f"This brings the delivered total to {total:,.2f} {unit} against a pledge of "
            f"{pledged:,.2f} {unit}. Check the quantity; if it is right, say why it exceeds "
            "the pledge."
        )


# --- coalitions --------------------------------------------------------------------------------


def unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "coalition"
    slug, n = base, 2
    while Coalition.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_coalition(
    *,
    name: str,
    mission: str,
    horizon_title: str,
    horizon_start: dt.date,
    horizon_end: dt.date,
    created_by: User,
    charter: str = "",
    slug: str = "",
    default_region: str = "",
    organizer_measurements_need_approval: bool = False,
) -> Coalition:
    """Create a coalition with its creator as steward."""
    if horizon_end < horizon_start:
        raise CoalitionError("The horizon must end after it starts.")
    coalition = Coalition.objects.create(
        name=name.strip(),
        slug=slug or unique_slug(name),
        mission=mission.strip(),
        horizon_title=horizon_title.strip(),
        horizon_start=horizon_start,
        horizon_end=horizon_end,
        charter=charter.strip(),
        default_region=default_region.strip().upper(),
        organizer_measurements_need_approval=organizer_measurements_need_approval,
    )
    StaffMember.objects.create(coalition=coalition, user=created_by, role=Role.STEWARD)
    return coalition


@transaction.atomic
def update_coalition(
    *,
    coalition: Coalition,
    name: str,
    mission: str,
    horizon_title: str,
    horizon_start: dt.date,
    horizon_end: dt.date,
    charter: str,
    default_region: str | None = None,
    organizer_measurements_need_approval: bool | None = None,
) -> Coalition:
    """Edit the coalition's mission, horizon and charter (the slug never changes: links live on)."""
    if horizon_end < horizon_start:
        raise CoalitionError("The horizon must end after it starts.")
    coalition.name = name.strip()
    coalition.mission = mission.strip()
    coalition.horizon_title = horizon_title.strip()
    coalition.horizon_start = horizon_start
    coalition.horizon_end = horizon_end
    coalition.charter = charter.strip()
    fields = ["name", "mission", "horizon_title", "horizon_start", "horizon_end", "charter"]
    if default_region is not None:  # None: not given (callers that predate the setting)
        coalition.default_region = default_region.strip().upper()
        fields.append("default_region")
    if organizer_measurements_need_approval is not None:
        coalition.organizer_measurements_need_approval = organizer_measurements_need_approval
        fields.append("organizer_measurements_need_approval")
    coalition.save(update_fields=fields)
    return coalition


# --- organizations and memberships ---------------------------------------------------------------


def _moment(on: dt.date | None) -> dt.datetime:
    """Now, or noon of a past day in the current time zone (a future day is refused)."""
    now = timezone.now()
    if on is None or on >= timezone.localdate(now):
        if on is not None and on > timezone.localdate(now):
            raise CoalitionError("A membership change cannot be dated in the future.")
        return now
    return timezone.make_aware(dt.datetime.combine(on, dt.time(12)))


@transaction.atomic
def add_organization(
    *,
    coalition: Coalition,
    name: str,
    sector: str,
    added_by: User | None,
    mission: str = "",
    website: str = "",
    size: str = "",
    status: str = Membership.Status.PROSPECT,
    on: dt.date | None = None,
) -> Membership:
    """Add an organization to the coalition, with its membership in the given status.

    `on` backdates the addition (when recording a coalition's past); by default it is now.
    """
    try:
        with transaction.atomic():
            organization = Organization.objects.create(
                coalition=coalition,
                name=name.strip(),
                sector=sector,
                mission=mission.strip(),
                website=website.strip(),
                size=size,
            )
    except IntegrityError as exc:
        raise CoalitionError(f"{name.strip()} is already in this coalition.") from exc
    now = _moment(on)
    membership = Membership.objects.create(
        coalition=coalition,
        organization=organization,
        status=status,
        status_changed_at=now,
        joined_on=timezone.localdate(now) if status == Membership.Status.ACTIVE else None,
    )
    MembershipStatusChange.objects.create(
        coalition=coalition,
        membership=membership,
        from_status="",
        to_status=status,
        changed_at=now,
        changed_by=added_by,
    )
    return membership


@transaction.atomic
def update_organization(
    *, organization: Organization, name: str, sector: str, mission: str, website: str, size: str
) -> Organization:
    """Edit an organization's profile; its name stays unique in the coalition."""
    organization.name = name.strip()
    organization.sector = sector
    organization.mission = mission.strip()
    organization.website = website.strip()
    organization.size = size
    try:
        with transaction.atomic():
            organization.save(update_fields=["name", "sector", "mission", "website", "size"])
    except IntegrityError as exc:
        raise CoalitionError(f"{organization.name} is already in this coalition.") from exc
    return organization


@transaction.atomic
def change_membership_status(
    *, membership: Membership, status: str, changed_by: User | None, on: dt.date | None = None
) -> Membership:
    """Move a membership to a new status, dating joins and departures and logging the change.

    `on` backdates the change (when recording a coalition's past); by default it is now.
    """
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.status == status:
        return locked
    now = _moment(on)
    day = timezone.localdate(now)
    previous = locked.status
    locked.status = status
    locked.status_changed_at = now
    if status == Membership.Status.ACTIVE:
        if locked.joined_on is None or previous == Membership.Status.LEFT:
            locked.joined_on = day
        locked.left_on = None
    elif status == Membership.Status.LEFT:
        locked.left_on = day
    locked.save(update_fields=["status", "status_changed_at", "joined_on", "left_on"])
    MembershipStatusChange.objects.create(
        coalition_id=locked.coalition_id,
        membership=locked,
        from_status=previous,
        to_status=status,
        changed_at=now,
        changed_by=changed_by,
    )
    return locked


@transaction.atomic
def set_vote_weight(*, membership: Membership, weight: Decimal) -> Membership:
    """Declare a membership's vote weight (1 is one member, one vote)."""
    if weight < 0:
        raise CoalitionError("A vote weight cannot be negative.")
    membership.vote_weight = weight
    membership.save(update_fields=["vote_weight"])
    return membership


# --- staff and invitations -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvitationSent:
    invitation: Invitation
    url: str


def invitation_token(invitation: Invitation) -> str:
    """The secret in an invitation link: signed (pk, nonce), never stored."""
    return signing.dumps([invitation.pk, invitation.nonce], salt=INVITATION_SALT, compress=True)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a token was made for, or None for a forged, mangled or reissued token."""
    try:
        pk, nonce = signing.loads(token, salt=INVITATION_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        Invitation.objects.select_related("coalition", "membership__organization")
        .filter(pk=pk, nonce=nonce)
        .first()
    )


def invitation_url(invitation: Invitation, *, site_url: str) -> str:
    from django.urls import reverse

    path = reverse("accounts:accept_invitation", kwargs={"token": invitation_token(invitation)})
    return site_url.rstrip("/") + path


def _last_steward(coalition: Coalition, user_id: int) -> bool:
    stewards = StaffMember.objects.for_coalition(coalition).filter(role=Role.STEWARD)
    return not stewards.exclude(user_id=user_id).exists()


@transaction.atomic
def invite_staff(
    *,
    coalition: Coalition,
    email: str,
    role: str,
    invited_by: User,
    site_url: str,
    membership: Membership | None = None,
) -> InvitationSent:
    """Invite someone by email to take a role; the link is emailed once the transaction commits."""
    from .tasks import send_invitation_email

    email = normalize_login_email(email)
    if role == Role.ORGANIZER and membership is None:
        raise CoalitionError("An organizer acts for a member organization: choose one.")
    if membership is not None and membership.coalition_id != coalition.pk:
        raise CoalitionError("That organization is not part of this coalition.")
    if StaffMember.objects.for_coalition(coalition).filter(user__email=email).exists():
        raise CoalitionError(f"{email} already has a role in this coalition.")
    now = timezone.now()
    Invitation.objects.for_coalition(coalition).filter(
        email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    invitation = Invitation.objects.create(
        coalition=coalition,
        email=email,
        role=role,
        membership=membership,
        nonce=secrets.token_hex(16),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.CAIRN_INVITATION_DAYS),
    )
    if membership is not None and membership.status == Membership.Status.PROSPECT:
        change_membership_status(
            membership=membership, status=Membership.Status.INVITED, changed_by=invited_by
        )
    url = invitation_url(invitation, site_url=site_url)
    transaction.on_commit(lambda: send_invitation_email.enqueue(invitation.pk, site_url))
    return InvitationSent(invitation=invitation, url=url)


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> StaffMember:
    """Use an open invitation for `user`, whose email must be the one invited."""
    if normalize_login_email(user.email) != invitation.email:
        raise CoalitionError(
            f"This invitation was sent to {invitation.email}. Sign in with that address to accept."
        )
    now = timezone.now()
    # One conditional UPDATE: of two concurrent accepts, exactly one wins.
    used = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if not used:
        raise CoalitionError("This invitation has expired, was revoked or has already been used.")
    existing = StaffMember.objects.for_coalition(invitation.coalition_id).filter(user=user).first()
    if existing is not None:
        if (
            existing.role == Role.STEWARD
            and invitation.role != Role.STEWARD
            and _last_steward(invitation.coalition, user.pk)
        ):
            raise CoalitionError("You are this coalition's last steward; keep that role.")
        existing.role = invitation.role
        existing.membership = invitation.membership
        existing.save(update_fields=["role", "membership"])
        staff = existing
    else:
        staff = StaffMember.objects.create(
            coalition_id=invitation.coalition_id,
            user=user,
            role=invitation.role,
            membership=invitation.membership,
        )
    membership = invitation.membership
    if membership is not None and membership.status in {
        Membership.Status.PROSPECT,
        Membership.Status.INVITED,
    }:
        change_membership_status(
            membership=membership, status=Membership.Status.ACTIVE, changed_by=user
        )
    return staff


@transaction.atomic
def register_and_accept(
    *, invitation: Invitation, full_name: str, password: str
) -> tuple[User, StaffMember]:
    """Create the invited person's account and accept the invitation in one transaction."""
    if User.objects.filter(email=invitation.email).exists():
        raise CoalitionError("An account with this email exists: sign in to accept.")
    user = User.objects.create_user(
        email=invitation.email, password=password, full_name=full_name.strip()
    )
    return user, accept_invitation(invitation=invitation, user=user)


@transaction.atomic
def revoke_invitation(*, invitation: Invitation) -> Invitation:
    """Revoke an invitation that has not been used; its link stops working."""
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def remove_staff(*, staff: StaffMember) -> None:
    """Take a person's role away; the coalition keeps at least one steward."""
    if staff.role == Role.STEWARD and _last_steward(staff.coalition, staff.user_id):
        raise CoalitionError("A coalition needs at least one steward.")
    staff.delete()


# --- commitments ---------------------------------------------------------------------------------


@transaction.atomic
def pledge_commitment(
    *,
    membership: Membership,
    kind: str,
    description: str,
    quantity: Decimal,
    unit: str,
    due_date: dt.date,
    pledged_by: User | None,
) -> Commitment:
    """Record a member's pledge of a resource, due by a date."""
    if quantity <= 0:
        raise CoalitionError("A pledge needs a positive quantity.")
    if membership.status in {Membership.Status.LEFT, Membership.Status.PROSPECT}:
        raise CoalitionError(
            f"{membership.organization} is not a member ({membership.get_status_display()})."
        )
    return Commitment.objects.create(
        coalition_id=membership.coalition_id,
        membership=membership,
        kind=kind,
        description=description.strip(),
        quantity=quantity,
        unit=unit.strip() or Commitment.DEFAULT_UNITS.get(kind, "units"),
        due_date=due_date,
        pledged_by=pledged_by,
    )


@transaction.atomic
def record_delivery(
    *,
    commitment: Commitment,
    quantity: Decimal,
    delivered_on: dt.date,
    recorded_by: User | None,
    note: str = "",
    excess_reason: str = "",
) -> Delivery:
    """Record that (part of) a commitment was delivered on a day; past the pledge only with a
    reason (a slip of 999,999 for 5 is caught, a real surplus is explained and kept)."""
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if locked.withdrawn_at is not None:
        raise CoalitionError("This commitment was withdrawn.")
    if quantity <= 0:
        raise CoalitionError("A delivery needs a positive quantity.")
    if delivered_on > timezone.localdate():
        raise CoalitionError("A delivery cannot be dated in the future.")
    so_far = locked.deliveries.aggregate(total=Sum("quantity"))["total"] or Decimal(0)
    excess_reason = " ".join(excess_reason.split())[:300]
    if so_far + quantity > locked.quantity and not excess_reason:
        raise DeliveryExceedsPledge(
            pledged=locked.quantity, total=so_far + quantity, unit=locked.unit
        )
    delivery = Delivery.objects.create(
        coalition_id=locked.coalition_id,
        commitment=locked,
        quantity=quantity,
        delivered_on=delivered_on,
        note=note.strip(),
        excess_reason=excess_reason if so_far + quantity > locked.quantity else "",
        recorded_by=recorded_by,
    )
    run_delivery_hooks(delivery)  # e.g. the ledger posts a funding delivery into the fund
    return delivery


@transaction.atomic
def withdraw_commitment(*, commitment: Commitment) -> Commitment:
    """Withdraw a pledge; what was delivered stays on record."""
    Commitment.objects.filter(pk=commitment.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    commitment.refresh_from_db()
    return commitment


# --- the public page -----------------------------------------------------------------------------


def publish_public_page(*, coalition: Coalition, publish: bool) -> Coalition:
    """Publish (or withdraw) the coalition's public page and its place on the front page."""
    coalition.publish_public_page = publish
    coalition.save(update_fields=["publish_public_page"])
    return coalition


def set_public_listing(*, membership: Membership, listed: bool) -> Membership:
    """Record whether a member organization agrees to be named on the public page."""
    membership.listed_publicly = listed
    membership.save(update_fields=["listed_publicly"])
    return membership
