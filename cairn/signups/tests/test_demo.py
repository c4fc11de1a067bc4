from __future__ import annotations

import pytest

from cairn.coalitions.demo import load_demo_coalition
from cairn.signups.demo import load_demo_forms
from cairn.signups.models import Form, Submission

pytestmark = pytest.mark.django_db
SUBMISSIONS = 30  # the demo makes 180; fewer keep the test fast


def test_the_demo_form_loads_once_with_credited_submissions() -> None:
    coalition = load_demo_coalition().coalition
    first = load_demo_forms(coalition, count=SUBMISSIONS)
    again = load_demo_forms(coalition, count=SUBMISSIONS)
    assert first.created
    assert not again.created
    assert first.submissions == again.submissions == SUBMISSIONS
    form = Form.objects.get(coalition=coalition)
    assert form.is_open
    assert Submission.objects.filter(form=form).count() == SUBMISSIONS
    credited = Submission.objects.filter(form=form, referring_membership__isnull=False).count()
    assert SUBMISSIONS // 2 < credited < SUBMISSIONS
    assert Submission.objects.filter(form=form, referred_by__isnull=False).exists()
