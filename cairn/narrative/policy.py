"""Who may do what with the narrative, on top of `cairn.coalitions.policy`'s roles.

- read the framework, content, kit and pulse: every role (viewers included);
- edit the framework (draft versions, proposing one for adoption) and grant the reviewer
  capability: stewards (the coalition's MANAGE_CAMPAIGNS);
- write content: stewards for any member (or the coalition itself); an organizer for its own
  member organization only; viewers never;
- review (comment, request changes, dismiss a flag, approve): stewards, and organizers granted
  the reviewer capability (a `Reviewer` row); nobody approves an item they wrote;
- publish and retire an approved item: its writers and its reviewers;
- report reach: anyone who may write for the item's member.
"""

from __future__ import annotations

from cairn.coalitions.models import Membership, Role, StaffMember
from cairn.coalitions.policy import Action, allows

from .models import ContentItem, Reviewer


def may_edit_framework(staff: StaffMember | None) -> bool:
    return allows(staff, Action.MANAGE_CAMPAIGNS)


def may_write(staff: StaffMember | None, membership: Membership | None) -> bool:
    """May `staff` write content that speaks for `membership` (None: the coalition itself)?"""
    if staff is None:
        return False
    if membership is not None and membership.coalition_id != staff.coalition_id:
        return False
    if staff.role == Role.STEWARD:
        return True
    return (
        staff.role == Role.ORGANIZER
        and membership is not None
        and membership.pk == staff.membership_id
    )


def may_write_any(staff: StaffMember | None) -> bool:
    return staff is not None and staff.role in {Role.STEWARD, Role.ORGANIZER}


def is_reviewer(staff: StaffMember | None) -> bool:
    if staff is None or staff.role == Role.VIEWER:
        return False
    if staff.role == Role.STEWARD:
        return True
    return Reviewer.objects.for_coalition(staff.coalition_id).filter(staff=staff).exists()


def may_review(staff: StaffMember | None, item: ContentItem) -> bool:
    return staff is not None and item.coalition_id == staff.coalition_id and is_reviewer(staff)


def may_approve(staff: StaffMember | None, item: ContentItem) -> bool:
    return may_review(staff, item) and staff is not None and item.author_id != staff.user_id


def may_edit_item(staff: StaffMember | None, item: ContentItem) -> bool:
    return item.coalition_id == getattr(staff, "coalition_id", None) and may_write(
        staff, item.membership
    )


def may_publish(staff: StaffMember | None, item: ContentItem) -> bool:
    return may_edit_item(staff, item) or may_review(staff, item)
