import pytest

from cairn.coalitions.models import Role
from cairn.coalitions.policy import Action, allows, capabilities

EVERYONE_MAY_VIEW = [Role.STEWARD, Role.ORGANIZER, Role.VIEWER]


@pytest.mark.parametrize("role", EVERYONE_MAY_VIEW)
def test_every_role_may_view(coalition, staff_factory, membership_factory, role):
    member = membership_factory(coalition)
    staff = staff_factory(coalition, role, membership=member)
    assert allows(staff, Action.VIEW)


@pytest.mark.parametrize(
    ("role", "action", "own", "expected"),
    [
        (Role.STEWARD, Action.MANAGE_MEMBERS, False, True),
        (Role.STEWARD, Action.RECORD_DELIVERY, False, True),
        (Role.STEWARD, Action.PLEDGE, False, True),
        (Role.ORGANIZER, Action.PLEDGE, True, True),
        (Role.ORGANIZER, Action.PLEDGE, False, False),
        (Role.ORGANIZER, Action.EDIT_ORGANIZATION, True, True),
        (Role.ORGANIZER, Action.EDIT_ORGANIZATION, False, False),
        (Role.ORGANIZER, Action.RECORD_DELIVERY, True, False),
        (Role.ORGANIZER, Action.INVITE, True, False),
        (Role.VIEWER, Action.PLEDGE, True, False),
        (Role.VIEWER, Action.EDIT_COALITION, False, False),
    ],
)
def test_role_matrix(coalition, staff_factory, membership_factory, role, action, own, expected):
    # given a staff member of one organization and another organization
    mine, other = membership_factory(coalition), membership_factory(coalition)
    staff = staff_factory(coalition, role, membership=mine if role != Role.STEWARD else None)
    # when / then
    assert allows(staff, action, membership=mine if own else other) is expected


def test_nobody_acts_on_another_coalitions_membership(
    coalition_factory, staff_factory, membership_factory
):
    # given a steward of coalition A and a membership of coalition B
    a, b = coalition_factory(), coalition_factory()
    steward = staff_factory(a, Role.STEWARD)
    foreign = membership_factory(b)
    # then even a steward may not touch it
    assert not allows(steward, Action.MANAGE_MEMBERS, membership=foreign)
    assert not allows(steward, Action.PLEDGE, membership=foreign)


def test_no_role_no_permission():
    assert not allows(None, Action.VIEW)
    assert capabilities(None) == {action.value: False for action in Action}
