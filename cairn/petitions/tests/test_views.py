"""Petition pages: what the public sees in each state, signing through the form, staff pages."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.urls import reverse

from cairn.coalitions.models import Role
from cairn.petitions import services
from cairn.petitions.models import Invalidation, ListEntry, Petition, Signature

from .conftest import confirm_path, signer

Status = Petition.Status
FORM = {"name": "Ana Lima", "email": "ana@example.org", "postal_code": "46201", "country": "US"}


def public(petition: Petition, name: str = "petition") -> str:
    return reverse(f"petitions_public:{name}", kwargs={"petition_slug": petition.slug})


def staff_url(petition: Petition, name: str) -> str:
    return reverse(f"petitions:{name}", args=[petition.coalition.slug, petition.pk])


# --- public pages --------------------------------------------------------------------------------


def test_the_public_list_shows_open_won_and_closed_petitions_only(client, petition_factory):
    shown = {s: petition_factory(s, title=f"Shown {s}") for s in (Status.OPEN, Status.WON)}
    hidden = [
        petition_factory(
            s, title=f"Hidden {s}", sponsors_required=1 if s == "awaiting_sponsors" else 0
        )
        for s in (Status.DRAFT, Status.AWAITING_SPONSORS, Status.IN_MODERATION, Status.TAKEN_DOWN)
    ]
    closed = petition_factory(Status.CLOSED, title="Shown closed")
    body = client.get(reverse("petitions_public:list")).content.decode()
    for petition in shown.values():
        assert petition.title in body
    # open first, then won, then closed
    assert body.index("Shown open") < body.index("Shown won") < body.index(closed.title)
    for petition in hidden:
        assert petition.title not in body


@pytest.mark.parametrize(
    ("status", "code", "text"),
    [
        (Status.DRAFT, 404, ""),
        (Status.IN_MODERATION, 404, ""),
        (Status.OPEN, 200, "Sign the petition"),
        (Status.CLOSED, 200, "This petition is closed"),
        (Status.WON, 200, "They funded it."),
        (Status.TAKEN_DOWN, 200, "taken down"),
        (Status.REJECTED, 200, "not accepted: Outside the coalition"),
    ],
)
def test_the_public_page_shows_the_right_thing_in_every_state(
    client, petition_factory, status, code, text
):
    petition = petition_factory(status)
    response = client.get(public(petition))
    assert response.status_code == code
    if text:
        assert text in response.content.decode()
    if status in {Status.CLOSED, Status.WON, Status.TAKEN_DOWN}:
        assert "Sign the petition" not in response.content.decode()


def test_a_petition_rejected_as_spam_is_not_found(client, petition_factory):
    petition = petition_factory(Status.IN_MODERATION)
    services.reject_petition(petition=petition, reason="spam", text="Spam")
    assert client.get(public(petition)).status_code == 404


def test_the_page_shows_count_progress_response_and_clock(client, petition):
    for n in range(4):
        result = services.sign_petition(petition=petition, signer=signer(f"s{n}@example.org"))
        services.confirm_signature(token=services.confirmation_token(result.signature))
    services.record_delivery(petition=petition)
    body = client.get(public(petition)).content.decode()
    assert "data-count>4<" in body
    assert 'aria-valuenow="40"' in body  # 4 of the next goal, 10
    assert "Response due within 30 days" in body
    assert "data-response-clock>0<" in body
    services.record_response(petition=petition, text="We hear you.")
    body = client.get(public(petition)).content.decode()
    assert "We hear you." in body
    assert "data-response-clock" not in body


def test_petition_text_is_sanitized(client, petition_factory):
    petition = petition_factory(
        details='<p onclick="x()">Fine <script>alert(1)</script><strong>bold</strong></p>'
    )
    body = client.get(public(petition)).content.decode()
    assert "<strong>bold</strong>" in body
    assert "<script>alert" not in body
    assert "onclick" not in body


def test_signing_through_the_form_then_the_link_counts(client, petition):
    # when a visitor signs
    response = client.post(public(petition, "sign"), {**FORM, "consent_updates": "on"})
    # then they land on the thank-you page with share links carrying their referral code
    assert response.status_code == 302
    signature = Signature.objects.get()
    thanks = client.get(response["Location"]).content.decode()
    assert f"ref={signature.ref_code}&amp;ch=link" in thanks
    assert "ch%3Dwhatsapp" in thanks
    # and the link in their email confirms, once
    page = client.get(confirm_path())
    assert page.status_code == 200
    assert "your signature counts" in page.content.decode()
    assert "Already confirmed" in client.get(confirm_path()).content.decode()
    assert services.current_count(petition) == 1


def test_signing_again_looks_the_same_to_the_visitor(client, petition):
    first = client.post(public(petition, "sign"), FORM)
    again = client.post(public(petition, "sign"), {**FORM, "email": "ANA@example.org"})
    assert first.status_code == again.status_code == 302
    assert Signature.objects.count() == 1


def test_htmx_signing_redirects_the_whole_page(client, petition):
    response = client.post(public(petition, "sign"), FORM, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(public(petition, "thanks"))


def test_a_bad_form_answers_422_with_the_errors(client, petition):
    response = client.post(
        public(petition, "sign"), {**FORM, "name": "=cmd()", "postal_code": "ABCDE"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "cannot start with" in body
    assert "not a valid postal code" in body
    assert not Signature.objects.exists()


def test_htmx_gets_the_form_fragment_back(client, petition):
    response = client.post(
        public(petition, "sign"), {**FORM, "email": "bad"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "<html" not in response.content.decode()


def test_the_sign_view_flags_over_the_limit_and_refuses_over_the_ceiling(
    client, coalition, petition
):
    services.set_limits(coalition=coalition, burst=2, sustained=2, trending=100, hard=3)
    for n in range(3):
        response = client.post(public(petition, "sign"), {**FORM, "email": f"s{n}@example.org"})
        assert response.status_code == 302  # the third is held for review, answered the same
    assert list(
        Signature.objects.filter(petition=petition).order_by("pk").values_list("held", flat=True)
    ) == [False, False, True]
    response = client.post(public(petition, "sign"), {**FORM, "email": "s9@example.org"})
    assert response.status_code == 422
    assert "Too many signatures" in response.content.decode()


def test_a_bot_filling_the_hidden_field_records_nothing(client, petition):
    response = client.post(public(petition, "sign"), {**FORM, "website": "http://spam"})
    assert response.status_code == 302
    assert not Signature.objects.exists()


def test_the_widget_can_be_framed_and_signs_with_the_widget_channel(client, petition, owner):
    url = public(petition, "widget") + f"?ref={services.member_ref_code(owner)}"
    page = client.get(url)
    assert page.status_code == 200
    assert "X-Frame-Options" not in page.headers
    response = client.post(
        url, {**FORM, "ref": services.member_ref_code(owner), "channel": "widget"}
    )
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    signature = Signature.objects.get()
    assert (signature.channel, signature.referring_membership) == ("widget", owner)


def test_public_exports_carry_counts_only(client, petition):
    result = services.sign_petition(petition=petition, signer=signer("secret@example.org"))
    services.confirm_signature(token=services.confirmation_token(result.signature))
    data = json.loads(client.get(public(petition, "counts_json")).content)
    assert data["count"] == 1
    assert data["regions"] == {"US 462": 1}
    assert data["integrity"] == {"confirmed": 1, "pending": 0, "invalidated": 0, "held": 0}
    csv_body = client.get(public(petition, "counts_csv")).content.decode()
    assert "secret" not in json.dumps(data)
    assert "secret" not in csv_body
    assert "US 462,1" in csv_body


def test_the_unsubscribe_link_asks_then_unsubscribes(client, petition):
    result = services.sign_petition(petition=petition, signer=signer(consent_updates=True))
    url = reverse(
        "petitions_public:unsubscribe",
        kwargs={"token": services.unsubscribe_token(result.signature)},
    )
    assert "Stop updates?" in client.get(url).content.decode()
    assert Signature.objects.get().consent_updates
    assert "You are unsubscribed" in client.post(url).content.decode()
    assert not Signature.objects.get().consent_updates


# --- staff pages ---------------------------------------------------------------------------------


def test_a_steward_drafts_submits_and_opens_a_petition(client, coalition, steward, owner):
    client.force_login(steward.user)
    response = client.post(
        reverse("petitions:new", args=[coalition.slug]),
        {
            "owner": owner.pk,
            "title": "Fund 40 crisis beds",
            "targets": "Sen. Patricia Holloway | Senate Majority Leader",
            "thresholds": "1,000 | Delivered to the target\n10000 | Response due in 30 days",
            "sponsors_required": "0",
        },
    )
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.targets == [
        {"name": "Sen. Patricia Holloway", "title": "Senate Majority Leader"}
    ]
    assert [t["count"] for t in petition.thresholds] == [1000, 10000]
    client.post(staff_url(petition, "submit"))
    client.post(staff_url(petition, "open"))
    assert Petition.objects.get().status == Status.OPEN
    assert "Fund 40 crisis beds" in client.get(staff_url(petition, "detail")).content.decode()


def test_a_moderator_rejects_with_a_reason_and_it_leaves_the_public_list(
    client, steward, petition_factory
):
    petition = petition_factory(Status.IN_MODERATION, title="A doubtful ask")
    client.force_login(steward.user)
    form = {"reason": "unlawful", "text": "Defamatory."}
    asked = client.post(staff_url(petition, "reject"), form)
    assert 'data-confirm="reject"' in asked.content.decode()  # a rejection is final: it asks
    assert Petition.objects.get(pk=petition.pk).status == Status.IN_MODERATION
    client.post(staff_url(petition, "reject"), {**form, "confirmed": "yes"})
    petition.refresh_from_db()
    assert (petition.status, petition.rejection_reason) == (Status.REJECTED, "unlawful")
    assert "A doubtful ask" not in client.get(reverse("petitions_public:list")).content.decode()
    assert client.get(public(petition)).status_code == 404


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.VIEWER])
def test_only_stewards_moderate(client, coalition, staff_factory, owner, petition_factory, role):
    petition = petition_factory(Status.IN_MODERATION)
    staff = staff_factory(coalition, role, membership=owner if role == Role.ORGANIZER else None)
    client.force_login(staff.user)
    for name in ("open", "reject", "take_down"):
        assert (
            client.post(staff_url(petition, name), {"reason": "spam", "text": "x"}).status_code
            == 403
        )
    assert Petition.objects.get(pk=petition.pk).status == Status.IN_MODERATION


def test_an_organizer_drafts_for_their_own_organization_and_co_signs(
    client, coalition, staff_factory, owner, membership_factory, petition_factory
):
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=owner)
    other = membership_factory(coalition)
    client.force_login(organizer.user)
    # their organization only
    response = client.post(
        reverse("petitions:new", args=[coalition.slug]),
        {"owner": other.pk, "title": "Not ours", "sponsors_required": "0"},
    )
    assert response.status_code == 422
    assert not Petition.objects.filter(title="Not ours").exists()
    # co-signing another organization's petition for their own
    petition = petition_factory(Status.AWAITING_SPONSORS, owner_=other, sponsors_required=1)
    client.post(staff_url(petition, "sponsor"), {"membership": owner.pk})
    assert Petition.objects.get(pk=petition.pk).status == Status.IN_MODERATION


def test_a_viewer_cannot_draft(client, coalition, staff_factory):
    viewer = staff_factory(coalition, Role.VIEWER)
    client.force_login(viewer.user)
    assert client.get(reverse("petitions:new", args=[coalition.slug])).status_code == 403


def test_the_integrity_page_previews_then_invalidates_and_undoes(client, steward, petition):
    for n in range(3):
        result = services.sign_petition(
            petition=petition, signer=signer(f"s{n}@bots.test", ip=f"203.0.113.{n}")
        )
        services.confirm_signature(token=services.confirmation_token(result.signature))
    client.force_login(steward.user)
    url = staff_url(petition, "integrity")
    preview = client.post(url, {"domain": "bots.test", "reason": "Bot farm", "preview": "1"})
    assert "3 valid signatures match" in preview.content.decode()
    assert services.current_count(petition) == 3
    client.post(url, {"domain": "bots.test", "reason": "Bot farm", "run": "1"})
    assert services.current_count(petition) == 0
    invalidation = Invalidation.objects.get()
    client.post(
        reverse(
            "petitions:undo_invalidation",
            args=[petition.coalition.slug, petition.pk, invalidation.pk],
        )
    )
    assert services.current_count(petition) == 3


def test_stewards_manage_lists_and_limits(client, coalition, steward):
    client.force_login(steward.user)
    url = reverse("petitions:lists", args=[coalition.slug])
    client.post(url, {"kind": "domain", "value": "@Spam.test", "verdict": "block"})
    client.post(url, {"burst": "5", "sustained": "50", "hard": "400", "trending": "99"})
    assert ListEntry.objects.get().value == "spam.test"
    assert services.limits_for(coalition) == services.Limits(5, 50, 99, 400)


def test_the_steward_export_neutralizes_formulas(client, steward, petition):
    services.sign_petition(petition=petition, signer=signer(comment='=HYPERLINK("http://evil")'))
    client.force_login(steward.user)
    body = client.get(staff_url(petition, "export_csv")).content.decode()
    assert "ana@example.org" in body
    assert "'=HYPERLINK" in body
    data = json.loads(client.get(staff_url(petition, "export_json")).content)
    assert data["signatures"][0]["email"] == "ana@example.org"


def test_the_delivery_packet_has_counts_regions_and_comments(client, steward, petition):
    result = services.sign_petition(
        petition=petition, signer=signer(comment="My son waited 3 days.")
    )
    services.confirm_signature(token=services.confirmation_token(result.signature))
    client.force_login(steward.user)
    body = client.get(staff_url(petition, "packet")).content.decode()
    assert "My son waited 3 days." in body
    assert "US 462" in body
    assert "Sen. Patricia Holloway" in body


def test_updates_are_previewed_then_sent(client, steward, petition):
    result = services.sign_petition(petition=petition, signer=signer(consent_updates=True))
    services.confirm_signature(token=services.confirmation_token(result.signature))
    mail.outbox.clear()
    client.force_login(steward.user)
    response = client.post(
        staff_url(petition, "updates"), {"subject": "Delivered!", "body": "We did it."}
    )
    assert response.status_code == 302
    assert not mail.outbox
    assert "We did it." in client.get(response["Location"]).content.decode()
    client.post(response["Location"])
    assert [m.subject for m in mail.outbox] == ["Delivered!"]


def test_another_coalitions_open_petition_is_public_but_its_staff_pages_are_not(
    client, steward, petition_factory, coalition_factory, membership_factory
):
    other = coalition_factory()
    theirs = petition_factory(owner_=membership_factory(other), title="Theirs")
    client.force_login(steward.user)
    assert client.get(public(theirs)).status_code == 200
    for name in ("detail", "integrity", "export_csv", "packet"):
        mine = reverse(f"petitions:{name}", args=[steward.coalition.slug, theirs.pk])
        assert client.get(mine).status_code == 404


@pytest.mark.parametrize("status", [s for s in Status.values if s != Status.AWAITING_SPONSORS])
def test_every_staff_page_renders_in_every_state(client, steward, petition_factory, status):
    petition = petition_factory(status)
    client.force_login(steward.user)
    for name in ("detail", "edit", "integrity", "updates", "packet"):
        response = client.get(staff_url(petition, name))
        assert response.status_code == 200, name
    assert client.get(reverse("petitions:list", args=[petition.coalition.slug])).status_code == 200
    assert client.get(reverse("petitions:lists", args=[petition.coalition.slug])).status_code == 200


def test_the_awaiting_sponsors_page_offers_co_signing(
    client, coalition, steward, petition_factory, membership_factory
):
    petition = petition_factory(Status.AWAITING_SPONSORS, sponsors_required=1)
    other = membership_factory(coalition, name="Faith Alliance")
    client.force_login(steward.user)
    body = client.get(staff_url(petition, "detail")).content.decode()
    assert "Waiting for co-signers: 0 of 1" in body
    assert "Faith Alliance" in body
    client.post(staff_url(petition, "sponsor"), {"membership": other.pk})
    assert Petition.objects.get(pk=petition.pk).status == Status.IN_MODERATION


def test_restore_and_victory_through_the_pages(client, steward, petition):
    client.force_login(steward.user)
    client.post(staff_url(petition, "take_down"), {"text": "Threats"})
    assert Petition.objects.get(pk=petition.pk).status == Status.TAKEN_DOWN
    client.post(staff_url(petition, "restore"))
    client.post(staff_url(petition, "delivery"))
    client.post(staff_url(petition, "response"), {"text": "We will consider it."})
    client.post(staff_url(petition, "victory"), {"text": "Funded!", "confirmed": "yes"})
    petition.refresh_from_db()
    assert petition.status == Status.WON
    assert petition.delivered_at is not None
    assert petition.response_text == "We will consider it."
    assert "Funded!" in client.get(public(petition)).content.decode()
