"""Who may do what in a coalition: the one place where permissions are decided.

Views and API endpoints ask `allows(staff, action, membership=...)`; nothing else compares roles.
A user with no StaffMember row in a coalition may do nothing there, not even learn it exists.
"""

from __future__ import annotations

from enum import StrEnum

from .models import Membership, Role, StaffMember


class Action(StrEnum):
    VIEW = "view"
    EDIT_COALITION = "edit_coalition"
    MANAGE_MEMBERS = "manage_members"
    INVITE = "invite"
    EDIT_ORGANIZATION = "edit_organization"
    PLEDGE = "pledge"
    RECORD_DELIVERY = "record_delivery"
    # Supporters: every role sees people, scoped by sharing consent (cairn.people.selectors).
    MANAGE_PEOPLE = "manage_people"  # tags, lists, merges, adding people by hand
    # Tag people, put them on lists, save segments: an organizer only the people it may see.
    TAG_PEOPLE = "tag_people"
    ERASE_PERSON = "erase_person"
    # Decisions (cairn.governance): stewards run them; an organizer votes for its own organization.
    MANAGE_DECISIONS = "manage_decisions"  # draft, open, close, reopen, record outcomes, audit log
    VOTE = "vote"
    # Petitions: organizers draft and co-sign for their own organization; stewards moderate.
    MANAGE_PETITIONS = "manage_petitions"  # draft, edit, submit, close, record responses
    SPONSOR_PETITION = "sponsor_petition"
    MODERATE_PETITIONS = "moderate_petitions"  # open, reject, take down, restore, invalidate
    MANAGE_API_TOKENS = "manage_api_tokens"  # create and revoke the coalition's OSDI API tokens
    # Campaigns (cairn.campaigns): stewards plan them and keep their evidence up to date.
    MANAGE_CAMPAIGNS = "manage_campaigns"  # campaigns, phases, milestones, targets, objectives
    RECORD_MEASUREMENT = "record_measurement"  # measurements and decision-maker positions
    # An organizer records measurements of the objectives its own organization reports; stewards
    # approve them when the coalition asks for it (`measurement_needs_approval`).
    APPROVE_MEASUREMENT = "approve_measurement"
    # Power map (cairn.powermap): organizers add stakeholders, relationships and evidence
    # (position changes); stewards also edit and remove them and merge duplicates.
    ADD_TO_POWERMAP = "add_to_powermap"
    EDIT_POWERMAP = "edit_powermap"
    # Sign-up and survey forms (cairn.signups): organizers build forms for their own
    # organization and see their submissions; stewards manage every form.
    MANAGE_FORMS = "manage_forms"
    # Events (cairn.events): stewards run event campaigns and every event; an organizer hosts
    # events for its own organization (creates them, in an open event campaign too, edits them,
    # checks attendees in).
    MANAGE_EVENTS = "manage_events"
    HOST_EVENTS = "host_events"
    # Budgets (cairn.budgets): organizers propose budget lines and submit expenses with
    # receipts; stewards run participatory budgeting rounds, adopt results through a decision,
    # and approve expenses (never their own).
    PROPOSE_BUDGET_LINES = "propose_budget_lines"
    SUBMIT_EXPENSES = "submit_expenses"
    MANAGE_BUDGETS = "manage_budgets"
    # Fundraising (cairn.fundraising): stewards set up pages, co-hosts and their shares, see
    # donors, record offline gifts and refund; every role sees a page and its thermometer.
    MANAGE_FUNDRAISING = "manage_fundraising"
    # Letter and call campaigns (cairn.advocacy): stewards create them, set their targets, import
    # district tables, print batches and log the offices' replies; every role sees the tallies.
    MANAGE_ADVOCACY = "manage_advocacy"


# Actions a role may take on any member organization of its coalition.
_ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.STEWARD: frozenset(Action) - {Action.VOTE},
    Role.ORGANIZER: frozenset(
        {
            Action.VIEW,
            Action.TAG_PEOPLE,
            Action.ADD_TO_POWERMAP,
            Action.PROPOSE_BUDGET_LINES,
            Action.SUBMIT_EXPENSES,
        }
    ),
    Role.VIEWER: frozenset({Action.VIEW}),
}
# Actions an organizer may take for its own member organization only.
_OWN_MEMBERSHIP_ACTIONS: frozenset[Action] = frozenset(
    {
        Action.EDIT_ORGANIZATION,
        Action.PLEDGE,
        Action.MANAGE_PETITIONS,
        Action.SPONSOR_PETITION,
        Action.RECORD_MEASUREMENT,  # for objectives its organization reports (`reported_by`)
        Action.MANAGE_FORMS,
        Action.HOST_EVENTS,
    }
)


def allows(
    staff: StaffMember | None, action: Action, *, membership: Membership | None = None
) -> bool:
    """True when `staff` may take `action` (on `membership`, for member-specific actions)."""
    if staff is None:
        return False
    if membership is not None and membership.coalition_id != staff.coalition_id:
        return False
    if action in _ROLE_ACTIONS[staff.role]:
        return True
    return (
        staff.role == Role.ORGANIZER
        and action in _OWN_MEMBERSHIP_ACTIONS
        and membership is not None
        and membership.pk == staff.membership_id
    )


def may_vote(
    staff: StaffMember | None,
    *,
    membership: Membership | None = None,
    named_staff: StaffMember | None = None,
) -> bool:
    """True when `staff` may cast the vote of `membership` (an organization's vote, cast by any
    steward or organizer who acts for it) or of `named_staff` (a named individual: only them)."""
    if staff is None or staff.role == Role.VIEWER:
        return False
    if named_staff is not None:
        return named_staff.pk == staff.pk
    return (
        membership is not None
        and membership.coalition_id == staff.coalition_id
        and membership.pk == staff.membership_id
    )


def measurement_needs_approval(staff: StaffMember) -> bool:
    """True when a measurement `staff` records waits for a steward's approval before it counts:
    an organizer's, in a coalition whose charter asks for it."""
    return staff.role != Role.STEWARD and staff.coalition.organizer_measurements_need_approval


def capabilities(staff: StaffMember | None) -> dict[str, bool]:
    """Coalition-wide permissions by action name, for templates (`{% if can.invite %}`)."""
    return {action.value: allows(staff, action) for action in Action}


def pledgeable_memberships_filter(staff: StaffMember) -> dict[str, object]:
    """The queryset filter for memberships this staff member may pledge for."""
    if allows(staff, Action.PLEDGE):
        return {}
    if staff.role == Role.ORGANIZER and staff.membership_id is not None:
        return {"pk": staff.membership_id}
    return {"pk__in": []}
