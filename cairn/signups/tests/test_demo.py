from __future__ import annotations

from collections.abc import Callable

import pytest

from cairn.coalitions.demo import CRISIS_LINE, EMS_UNION
from cairn.coalitions.models import Coalition, Membership
from cairn.signups.demo import load_demo_forms
from cairn.signups.models import Form, Submission

pytestmark = pytest.mark.django_db
SUBMISSIONS = 30  # the demo makes 180; fewer keep the test fast


def test_the_demo_form_loads_once_with_credited_submissions(
    coalition: Coalition, membership_factory: Callable[..., Membership]
) -> None:
    ems = membership_factory(coalition, name=EMS_UNION)
    membership_factory(coalition, name=CRISIS_LINE)
    first = load_demo_forms(coalition, count=SUBMISSIONS)
    again = load_demo_forms(coalition, count=SUBMISSIONS)
    assert first.created
    assert not again.created
    assert first.submissions == again.submissions == SUBMISSIONS
    form = Form.objects.get(coalition=coalition)
    assert form.is_open
    assert form.owner_id == ems.pk
    assert form.links.count() == 2
    assert Submission.objects.filter(form=form).count() == SUBMISSIONS
    credited = Submission.objects.filter(form=form, referring_membership__isnull=False).count()
    assert SUBMISSIONS // 2 < credited < SUBMISSIONS
    assert Submission.objects.filter(form=form, referred_by__isnull=False).exists()
