from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from cairn.campaigns import engagement
from cairn.coalitions.models import Coalition, Membership
from cairn.people import services as people_services
from cairn.people.models import Activity, Person
from cairn.signups import services
from cairn.signups.models import Form, Submission
from cairn.signups.questions import QuestionError, clean_questions

from .conftest import ANSWERS, person

pytestmark = pytest.mark.django_db


def test_submitting_twice_keeps_one_submission_and_one_person(form: Form) -> None:
    # given
    first = services.submit_form(form=form, person=person(), answers=ANSWERS, consent=True)
    # when
    again = services.submit_form(
        form=form,
        person=person("ANA@example.org "),
        answers={**ANSWERS, "can_you_volunteer": "on"},
        consent=True,
    )
    # then
    assert first.created
    assert not again.created
    assert again.submission.pk == first.submission.pk
    assert Submission.objects.filter(form=form).count() == 1
    assert Person.objects.filter(coalition=form.coalition).count() == 1
    assert again.submission.answers == {**ANSWERS, "can_you_volunteer": True}
    assert first.submission.consent_given
    assert first.submission.consent_text == form.consent_text
    assert Activity.objects.filter(person=first.submission.person, kind="form").count() == 1


def test_a_retried_key_returns_the_first_submission_even_for_another_email(form: Form) -> None:
    first = services.submit_form(
        form=form, person=person(), answers=ANSWERS, consent=True, idempotency_key="k-1"
    )
    again = services.submit_form(
        form=form,
        person=person("bo@example.org"),
        answers=ANSWERS,
        consent=True,
        idempotency_key="k-1",
    )
    assert again.submission.pk == first.submission.pk
    assert not again.created
    assert Person.objects.filter(coalition=form.coalition).count() == 1


def test_the_submitter_is_matched_by_the_people_rule(form: Form, coalition: Coalition) -> None:
    existing = people_services.upsert_person(coalition=coalition, data=person()).person
    result = services.submit_form(
        form=form, person=person("Ana@Example.org"), answers=ANSWERS, consent=True
    )
    assert result.submission.person_id == existing.pk


@pytest.mark.parametrize(
    ("answers", "consent", "field"),
    [
        ({"your_county": "Adams"}, True, "why_do_you_care"),
        ({**ANSWERS, "your_county": "Elsewhere"}, True, "your_county"),
        (ANSWERS, False, "consent"),
    ],
)
def test_refused_submissions_change_nothing(
    form: Form, answers: dict[str, str], consent: bool, field: str
) -> None:
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit_form(form=form, person=person(), answers=answers, consent=consent)
    assert field in refused.value.errors
    assert not Submission.objects.exists()
    assert not Person.objects.exists()


def test_a_closed_or_draft_form_takes_nothing(form_factory: Callable[..., Form]) -> None:
    for status in (Form.Status.DRAFT, Form.Status.CLOSED):
        closed = form_factory(status=status)
        with pytest.raises(services.SubmissionRefused):
            services.submit_form(form=closed, person=person(), answers=ANSWERS, consent=True)
    assert not Submission.objects.exists()


def test_the_public_rate_limit_counts_our_rows(form: Form, settings: pytest.FixtureRequest) -> None:
    settings.CAIRN_FORMS_HOURLY_LIMIT = 2  # type: ignore[attr-defined]
    for n in range(2):
        services.submit_form(
            form=form,
            person=person(f"p{n}@example.org"),
            answers=ANSWERS,
            consent=True,
            ip="203.0.113.9",
        )
    with pytest.raises(services.RateLimited):
        services.submit_form(
            form=form,
            person=person("p9@example.org"),
            answers=ANSWERS,
            consent=True,
            ip="203.0.113.9",
        )
    services.submit_form(  # another address is not limited
        form=form, person=person("p9@example.org"), answers=ANSWERS, consent=True, ip="198.51.100.1"
    )
    assert Submission.objects.count() == 3


def test_tracked_links_and_share_codes_credit_the_member(
    form: Form, owner: Membership, membership_factory: Callable[..., Membership]
) -> None:
    link, created = services.create_form_link(form=form, membership=owner)
    again, created_again = services.create_form_link(form=form, membership=owner)
    assert created
    assert not created_again
    assert again.pk == link.pk
    first = services.submit_form(
        form=form, person=person(), answers=ANSWERS, consent=True, referrer=link.code
    ).submission
    assert first.link_id == link.pk
    assert first.referring_membership_id == owner.pk
    assert first.person is not None
    assert first.person.source_membership_id == owner.pk
    friend = services.submit_form(
        form=form,
        person=person("bo@example.org"),
        answers=ANSWERS,
        consent=True,
        referrer=first.ref_code,
    ).submission
    assert friend.referred_by_id == first.pk
    assert friend.referring_membership_id == owner.pk
    other = membership_factory(form.coalition)
    by_code = services.submit_form(
        form=form,
        person=person("cy@example.org"),
        answers=ANSWERS,
        consent=True,
        referrer=services.member_ref_code(other),
    ).submission
    assert by_code.referring_membership_id == other.pk
    today = timezone.localdate()
    source = next(s for s in engagement.sources() if s.key == "submissions")
    assert source.daily(form.coalition, today, today) == {today: 3.0}
    assert source.by_member is not None
    assert source.by_member(form.coalition, today, today) == {owner.pk: 2.0, other.pk: 1.0}


def test_questions_are_checked_when_saved(coalition: Coalition) -> None:
    assert [q.key for q in clean_questions([{"label": "Name?"}, {"label": "Name?"}])] == [
        "name",
        "name_2",
    ]
    with pytest.raises(QuestionError):
        clean_questions([{"label": "Pick", "type": "choice"}])
    with pytest.raises(services.FormError):
        services.create_form(coalition=coalition, title="x", fields=[{"label": "a", "type": "x"}])
    form = services.create_form(
        coalition=coalition, title="t", description="<p>Hi</p><script>alert(1)</script>"
    )
    assert form.description == "<p>Hi</p>"


def test_merge_and_erasure_follow_the_person(form: Form, form_factory: Callable[..., Form]) -> None:
    other_form = form_factory(title="Survey")
    a = services.submit_form(
        form=form, person=person(), answers={"why_do_you_care": "Beds"}, consent=True
    )
    b = services.submit_form(
        form=form, person=person("ana.work@example.org"), answers=ANSWERS, consent=True
    )
    c = services.submit_form(
        form=other_form, person=person("ana.work@example.org"), answers=ANSWERS, consent=True
    )
    kept, merged = a.submission.person, b.submission.person
    assert kept is not None
    assert merged is not None
    people_services.merge_people(keep=kept, merge=merged)
    rows = Submission.objects.filter(person=kept).order_by("form_id")
    assert [s.form_id for s in rows] == [form.pk, other_form.pk]
    assert rows[0].answers["why_do_you_care"] == "Beds"  # the kept person's answer wins
    assert rows[0].answers["your_county"] == "Adams"  # an answer only the merged one gave
    assert c.submission.pk == rows[1].pk
    people_services.erase_person(person=kept, erased_by=None)
    assert Submission.objects.count() == 2
    assert all(s.person_id is None and s.answers == {} for s in Submission.objects.all())


def test_update_submission_merges_answers_and_moves_person(
    form: Form, coalition: Coalition
) -> None:
    sub = services.submit_form(form=form, person=person(), answers=ANSWERS, consent=True).submission
    bo = people_services.upsert_person(coalition=coalition, data=person("bo@example.org")).person
    updated = services.update_submission(
        submission=sub, answers={"your_county": "Baker"}, person=bo
    )
    assert updated.person_id == bo.pk
    assert updated.answers["your_county"] == "Baker"
    assert updated.answers["why_do_you_care"] == ANSWERS["why_do_you_care"]
    assert updated.modified_at >= sub.created_at - dt.timedelta(seconds=1)
