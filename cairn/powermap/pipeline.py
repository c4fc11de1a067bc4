"""From a recommended prospect to the membership pipeline.

- add_prospect_to_pipeline: the stakeholder becomes (or stays) one Organization of the coalition
  with one Membership, moved prospect → invited by one open invitation to the given contact email
  (the coalitions' own invitation service sends it); the stakeholder is linked to the
  organization. Submitting it twice — a double click, a retry — changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User, normalize_login_email
from cairn.coalitions import services as coalitions
from cairn.coalitions.models import Invitation, Membership, Organization, Role, Sector

from .models import Stakeholder, StakeholderKind
from .services import ensure_stakeholder_for_organization

# A membership in one of these statuses is already past the pipeline: nothing to invite.
_ALREADY_IN = frozenset({Membership.Status.ACTIVE, Membership.Status.PAUSED})


class PipelineError(Exception):
    """The prospect cannot be added; the message is safe to show to the user."""


@dataclass(frozen=True, slots=True)
class PipelineResult:
    membership: Membership
    invitation: Invitation
    created: bool  # False when the same prospect was already invited at the same address


@transaction.atomic
def add_prospect_to_pipeline(
    *, stakeholder: Stakeholder, by: User, email: str, site_url: str = ""
) -> PipelineResult:
    """Put a prospect in the membership pipeline: organization + membership (prospect), then an
    organizer invitation to `email` (prospect → invited). Idempotent per (stakeholder, email)."""
    address = normalize_login_email(email)
    if not address or "@" not in address:
        raise PipelineError("Give the contact's email address.")
    # The lock serializes two submissions for the same stakeholder: the second one waits, then
    # finds the organization and the open invitation the first one made.
    locked = (
        Stakeholder.objects.select_for_update()
        .select_related("coalition")
        .get(pk=stakeholder.pk, coalition_id=stakeholder.coalition_id)
    )
    if locked.kind != StakeholderKind.ORGANIZATION:
        raise PipelineError(
            f"{locked.name} is not an organization: only organizations join the coalition."
        )
    coalition = locked.coalition
    membership = _membership_for(locked, by=by)
    if membership.status in _ALREADY_IN:
        raise PipelineError(f"{locked.name} is already a member of the coalition.")
    open_invitation = (
        Invitation.objects.for_coalition(coalition)
        .filter(
            membership=membership,
            email=address,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if open_invitation is not None:
        return PipelineResult(membership=membership, invitation=open_invitation, created=False)
    try:
        sent = coalitions.invite_staff(
            coalition=coalition,
            email=address,
            role=Role.ORGANIZER,
            invited_by=by,
            site_url=site_url or settings.CAIRN_SITE_URL,
            membership=membership,
        )
    except coalitions.CoalitionError as error:
        raise PipelineError(str(error)) from error
    membership.refresh_from_db()
    return PipelineResult(membership=membership, invitation=sent.invitation, created=True)


def _membership_for(stakeholder: Stakeholder, *, by: User) -> Membership:
    """The stakeholder's organization's membership, making the organization and its membership
    (status prospect) when the coalition does not know the organization yet."""
    organization = stakeholder.organization
    if organization is None:
        # An organization of the same name may already be in the coalition (entered by hand
        # before the map had it): link that one rather than refuse on the unique name.
        organization = (
            Organization.objects.for_coalition(stakeholder.coalition_id)
            .filter(name__iexact=stakeholder.name.strip())
            .first()
        )
        if organization is None:
            organization = coalitions.add_organization(
                coalition=stakeholder.coalition,
                name=stakeholder.name,
                sector=stakeholder.sector or Sector.OTHER,
                mission=stakeholder.description,
                website=stakeholder.website,
                added_by=by,
                status=Membership.Status.PROSPECT,
            ).organization
        # the map's own rule links an organization to the unlinked stakeholder of its name
        linked = ensure_stakeholder_for_organization(organization=organization)
        if linked.pk != stakeholder.pk:
            raise PipelineError(
                f"{organization.name} is already on the map as {linked.name}: merge the two first."
            )
    membership = Membership.objects.for_coalition(stakeholder.coalition_id).get(
        organization=organization
    )
    if membership.status == Membership.Status.LEFT:  # back into the pipeline, logged
        membership = coalitions.change_membership_status(
            membership=membership, status=Membership.Status.PROSPECT, changed_by=by
        )
    return membership
