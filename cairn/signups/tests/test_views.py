"""Form pages: the public form (answered, posted twice, refused, closed, rate-limited) and the
staff pages (builder, detail with tracked links and submissions, CSV export, permissions)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.urls import reverse

from cairn.coalitions.models import Coalition, Membership, Role, StaffMember
from cairn.people.models import Person
from cairn.signups import services
from cairn.signups.models import Form, FormLink, Submission

from .conftest import ANSWERS, person

pytestmark = pytest.mark.django_db


def public(form: Form) -> str:
    return reverse("signups_public:form", kwargs={"form_uuid": form.uuid})


def staff_url(form: Form, name: str) -> str:
    return reverse(f"signups:{name}", args=[form.coalition.slug, form.pk])


def entry(email: str = "ana@example.org", **extra: str) -> dict[str, str]:
    return {
        "given_name": "Ana",
        "family_name": "Lima",
        "email": email,
        "q_why_do_you_care": "Beds now",
        "q_your_county": "Baker",
        "q_can_you_volunteer": "on",
        "consent": "on",
        "key": "page-key-1",
        **extra,
    }


def test_a_supporter_answers_the_form_and_a_double_post_makes_one(client, form: Form) -> None:
    page = client.get(public(form) + "?ref=abc")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Why do you care?" in html
    assert 'name="consent"' in html
    assert 'value="abc"' in html
    first = client.post(public(form), entry())
    second = client.post(public(form), entry())
    assert first.status_code == second.status_code == 200
    assert "Thank you, Ana" in first.content.decode()
    submission = Submission.objects.get()
    assert submission.answers == {
        "why_do_you_care": "Beds now",
        "your_county": "Baker",
        "can_you_volunteer": True,
    }
    assert submission.consent_given
    assert submission.source == "web"
    assert f"?ref={submission.ref_code}" in first.content.decode()


def test_refusals_show_the_form_again_and_keep_nothing(client, form: Form) -> None:
    response = client.post(public(form), entry(consent="", q_why_do_you_care=""))
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not Submission.objects.exists()
    assert not Person.objects.exists()


def test_a_closed_form_says_so_and_a_draft_is_not_found(
    client, form_factory: Callable[..., Form]
) -> None:
    closed = form_factory(status=Form.Status.CLOSED)
    page = client.get(public(closed))
    assert "This form is closed" in page.content.decode()
    assert client.post(public(closed), entry()).status_code == 200
    assert not Submission.objects.exists()
    assert client.get(public(form_factory(status=Form.Status.DRAFT))).status_code == 404


def test_the_public_form_is_rate_limited_by_address(client, form: Form, settings) -> None:
    settings.CAIRN_FORMS_HOURLY_LIMIT = 2
    for n in range(2):
        ok = client.post(public(form), entry(f"p{n}@example.org", key=f"k{n}"))
        assert ok.status_code == 200
    refused = client.post(public(form), entry("p9@example.org", key="k9"))
    assert refused.status_code == 429
    assert "Too many submissions" in refused.content.decode()
    assert Submission.objects.count() == 2


def test_a_steward_builds_a_form_with_questions(client, steward: StaffMember, owner) -> None:
    client.force_login(steward.user)
    slug = steward.coalition.slug
    assert client.get(reverse("signups:new", args=[slug])).status_code == 200
    data = {
        "title": "Volunteer sign-up",
        "kind": "signup",
        "status": "open",
        "owner": str(owner.pk),
        "consent_text": "I agree.",
        "q-TOTAL_FORMS": "3",
        "q-INITIAL_FORMS": "0",
        "q-0-label": "Shift",
        "q-0-type": "choice",
        "q-0-choices": "Morning, Evening",
        "q-0-required": "on",
        "q-1-label": "Notes",
        "q-1-type": "text",
        "q-2-label": "",
        "q-2-type": "text",
    }
    response = client.post(reverse("signups:new", args=[slug]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    form = Form.objects.get()
    assert form.owner_id == owner.pk
    assert form.fields == [
        {
            "key": "shift",
            "label": "Shift",
            "type": "choice",
            "required": True,
            "choices": ["Morning", "Evening"],
        },
        {"key": "notes", "label": "Notes", "type": "text", "required": False, "choices": []},
    ]
    bad = {**data, "q-1-type": "choice", "q-1-choices": ""}
    assert client.post(staff_url(form, "edit"), bad).status_code == 422
    assert len(Form.objects.get().fields) == 2
    listed = client.get(reverse("signups:list", args=[slug])).content.decode()
    assert "Volunteer sign-up" in listed
    assert 'aria-current="page">Forms<' in listed


def test_detail_links_and_csv_export_neutralize_formulas(
    client, steward: StaffMember, form: Form, owner: Membership
) -> None:
    client.force_login(steward.user)
    made = client.post(staff_url(form, "add_link"), {"membership": owner.pk, "label": "newsletter"})
    assert made.status_code == 302
    link = FormLink.objects.get()
    services.submit_form(
        form=form,
        person=person(),
        answers={**ANSWERS, "why_do_you_care": "=HYPERLINK(1)"},
        consent=True,
        referrer=link.code,
    )
    page = client.get(staff_url(form, "detail")).content.decode()
    assert f"?ref={link.code}" in page
    assert "Harbor House: 1" in page
    assert "=HYPERLINK(1)" in page  # escaped HTML on the page, not a formula
    export = client.get(staff_url(form, "csv"))
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][:3] == ["submission_id", "submitted_at", "person_id"]
    assert rows[0][-3:] == ["Why do you care?", "Your county", "Can you volunteer?"]
    assert rows[1][-3:] == ["'=HYPERLINK(1)", "Adams", "no"]
    assert rows[1][8] == "Harbor House"


def test_organizers_manage_their_own_forms_only(
    client,
    coalition: Coalition,
    form_factory: Callable[..., Form],
    owner: Membership,
    membership_factory: Callable[..., Membership],
    staff_factory: Callable[..., StaffMember],
) -> None:
    other = membership_factory(coalition, name="Other Org")
    own = form_factory(owner=owner)
    theirs = form_factory(owner=other)
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=owner)
    client.force_login(organizer.user)
    assert client.get(staff_url(own, "edit")).status_code == 200
    assert client.get(staff_url(theirs, "edit")).status_code == 403
    assert client.get(staff_url(theirs, "csv")).status_code == 403
    assert client.post(staff_url(theirs, "add_link"), {"label": "x"}).status_code == 403
    assert client.get(staff_url(theirs, "detail")).status_code == 200  # viewing is allowed
    viewer = staff_factory(coalition, Role.VIEWER)
    client.force_login(viewer.user)
    assert client.get(reverse("signups:new", args=[coalition.slug])).status_code == 403
    assert FormLink.objects.count() == 0
