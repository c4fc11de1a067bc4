"""The petition use cases: every state, every signing rule, the counter and integrity controls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from cairn.coalitions.models import Membership, Role
from cairn.people.models import Activity, EmailAddress, Person, SharingConsent
from cairn.petitions import selectors, services
from cairn.petitions.models import (
    IntegrityAlert,
    ListEntry,
    Petition,
    PetitionCount,
    Signature,
    Sponsorship,
    ThresholdCrossing,
)
from cairn.petitions.services import (
    ConfirmOutcome,
    Criteria,
    PetitionData,
    PetitionError,
    SignOutcome,
    SignRefused,
)

from .conftest import confirm_path, links, signer, token_of

Status = Petition.Status


def sign_and_confirm(petition: Petition, email: str, **extra: object) -> Signature:
    result = services.sign_petition(petition=petition, signer=signer(email, **extra))
    outcome = services.confirm_signature(token=services.confirmation_token(result.signature))
    assert outcome.outcome == ConfirmOutcome.CONFIRMED
    return Signature.objects.get(pk=result.signature.pk)


# --- the lifecycle -------------------------------------------------------------------------------


def test_a_new_petition_is_a_draft_with_a_unique_public_slug(petition_factory):
    first = petition_factory(Status.DRAFT, title="Fund crisis beds")
    second = petition_factory(Status.DRAFT, title="Fund crisis beds")
    assert first.status == second.status == Status.DRAFT
    assert first.slug == "fund-crisis-beds"
    assert second.slug.startswith("fund-crisis-beds-")
    assert second.slug != first.slug


def test_a_petition_needs_a_title(owner):
    with pytest.raises(PetitionError):
        services.create_petition(owner=owner, data=PetitionData(title="  "), created_by=None)


def test_thresholds_are_sorted_and_deduplicated(owner):
    petition = services.create_petition(
        owner=owner,
        data=PetitionData(
            title="T",
            thresholds=[
                {"count": 10000, "consequence": "Response due"},
                {"count": 1000, "consequence": "Delivered"},
                {"count": 1000, "consequence": "again"},
                {"count": 0, "consequence": "nothing"},
            ],
        ),
        created_by=None,
    )
    assert petition.thresholds == [
        {"count": 1000, "consequence": "Delivered"},
        {"count": 10000, "consequence": "Response due"},
    ]


def test_a_draft_is_edited_and_a_submitted_petition_keeps_its_draft_settings(petition_factory):
    # (the whole edit rule is in test_edit_rule.py)
    draft = petition_factory(Status.DRAFT)
    services.update_petition(petition=draft, data=PetitionData(title="A better ask"))
    assert Petition.objects.get(pk=draft.pk).title == "A better ask"
    submitted = petition_factory(Status.IN_MODERATION)
    with pytest.raises(PetitionError):
        services.update_petition(
            petition=submitted, data=PetitionData(title="Fund 40 crisis beds", thresholds=[])
        )
    assert Petition.objects.get(pk=submitted.pk).thresholds != []


def test_without_required_sponsors_submitting_goes_to_moderation(petition_factory):
    petition = petition_factory(Status.DRAFT)
    assert services.submit_petition(petition=petition).status == Status.IN_MODERATION


def test_the_nth_co_signer_moves_it_from_awaiting_sponsors_to_moderation(
    coalition, petition_factory, membership_factory
):
    # given a petition that needs two co-signers
    petition = petition_factory(Status.AWAITING_SPONSORS, sponsors_required=2)
    assert petition.status == Status.AWAITING_SPONSORS
    first, second = membership_factory(coalition), membership_factory(coalition)
    # when one co-signs, it still waits; when the second does, it goes to moderation
    services.sponsor_petition(petition=petition, membership=first, signed_by=None)
    assert Petition.objects.get(pk=petition.pk).status == Status.AWAITING_SPONSORS
    services.sponsor_petition(petition=petition, membership=second, signed_by=None)
    assert Petition.objects.get(pk=petition.pk).status == Status.IN_MODERATION


def test_co_signing_is_refused_to_the_owner_twice_inactive_or_foreign_members(
    coalition, coalition_factory, petition_factory, membership_factory, owner
):
    petition = petition_factory(Status.AWAITING_SPONSORS, sponsors_required=3)
    member = membership_factory(coalition)
    services.sponsor_petition(petition=petition, membership=member, signed_by=None)
    paused = membership_factory(coalition, status=Membership.Status.PAUSED)
    foreign = membership_factory(coalition_factory())
    for refused in (owner, member, paused, foreign):
        with pytest.raises(PetitionError):
            services.sponsor_petition(petition=petition, membership=refused, signed_by=None)
    assert Sponsorship.objects.filter(petition=petition).count() == 1


def test_moderation_opens_a_petition_and_only_from_moderation(petition_factory):
    petition = petition_factory(Status.IN_MODERATION)
    opened = services.open_petition(petition=petition)
    assert opened.status == Status.OPEN
    assert opened.opened_at is not None
    assert PetitionCount.objects.filter(petition=petition).count() == 8
    draft = petition_factory(Status.DRAFT)
    with pytest.raises(PetitionError):
        services.open_petition(petition=draft)
    assert Petition.objects.get(pk=draft.pk).status == Status.DRAFT


@pytest.mark.parametrize(
    ("reason", "hidden"),
    [("off_mission", False), ("duplicate", False), ("spam", True), ("personal_data", True)],
)
def test_a_rejection_carries_a_reason_and_some_reasons_hide_it(petition_factory, reason, hidden):
    petition = petition_factory(Status.IN_MODERATION)
    rejected = services.reject_petition(petition=petition, reason=reason, text="Explained.")
    assert rejected.status == Status.REJECTED
    assert (rejected.rejection_reason, rejected.rejection_text) == (reason, "Explained.")
    assert rejected.hidden is hidden
    assert (selectors.petition_for_public_page(slug=rejected.slug) is None) is hidden


def test_a_rejection_needs_a_known_reason_and_a_reviewable_state(petition_factory):
    with pytest.raises(PetitionError):
        services.reject_petition(
            petition=petition_factory(Status.IN_MODERATION), reason="bad", text=""
        )
    with pytest.raises(PetitionError):
        services.reject_petition(petition=petition_factory(Status.CLOSED), reason="spam", text="")


def test_closing_stops_signatures(petition):
    closed = services.close_petition(petition=petition)
    assert closed.status == Status.CLOSED
    assert closed.closed_at is not None
    with pytest.raises(SignRefused) as refused:
        services.sign_petition(petition=closed, signer=signer())
    assert refused.value.code == "closed"


def test_petitions_past_their_deadline_close(petition_factory):
    now = timezone.now()
    late = petition_factory(deadline=now - dt.timedelta(minutes=1))
    current = petition_factory(title="Other", deadline=now + dt.timedelta(days=1))
    assert not late.accepts_signatures(now)
    assert services.close_expired_petitions(now=now) == 1
    assert Petition.objects.get(pk=late.pk).status == Status.CLOSED
    assert Petition.objects.get(pk=current.pk).status == Status.OPEN


@pytest.mark.parametrize("before", [Status.OPEN, Status.CLOSED, Status.WON])
def test_a_take_down_hides_it_and_restore_brings_back_the_state_it_had(petition_factory, before):
    petition = petition_factory(before)
    down = services.take_down_petition(petition=petition, reason="Threats in comments")
    assert down.status == Status.TAKEN_DOWN
    assert down.takedown_reason == "Threats in comments"
    with pytest.raises(PetitionError):
        services.take_down_petition(petition=down, reason="again")
    assert services.restore_petition(petition=down).status == before


def test_only_a_taken_down_petition_is_restored(petition):
    with pytest.raises(PetitionError):
        services.restore_petition(petition=petition)


def test_victory_needs_a_statement_and_closes_an_open_petition(petition, petition_factory):
    with pytest.raises(PetitionError):
        services.declare_victory(petition=petition, statement=" ")
    won = services.declare_victory(petition=petition, statement="40 beds funded!")
    assert won.status == Status.WON
    assert won.closed_at is not None
    assert won.won_at is not None
    with pytest.raises(PetitionError):
        services.declare_victory(petition=petition_factory(Status.DRAFT), statement="x")


def test_the_response_clock_runs_from_delivery_until_the_answer(petition):
    delivered = timezone.now() - dt.timedelta(days=12, hours=1)
    services.record_delivery(petition=petition, delivered_at=delivered)
    view = selectors.public_view(petition=Petition.objects.get(pk=petition.pk))
    assert (view.clock_days, view.clock_since) == (12, "delivery")
    services.record_response(petition=petition, text="We will fund 20 beds.")
    view = selectors.public_view(petition=Petition.objects.get(pk=petition.pk))
    assert view.clock_days is None
    assert view.petition.response_text == "We will fund 20 beds."


def test_the_response_clock_starts_at_the_first_threshold_without_delivery(petition):
    for n in range(3):
        sign_and_confirm(petition, f"s{n}@example.org")
    crossing = ThresholdCrossing.objects.get(petition=petition)
    ThresholdCrossing.objects.filter(pk=crossing.pk).update(
        reached_at=timezone.now() - dt.timedelta(days=5)
    )
    view = selectors.public_view(petition=petition)
    assert (view.clock_days, view.clock_since) == (5, "threshold")


def test_a_draft_cannot_be_delivered_or_answered(petition_factory):
    draft = petition_factory(Status.DRAFT)
    with pytest.raises(PetitionError):
        services.record_delivery(petition=draft)
    with pytest.raises(PetitionError):
        services.record_response(petition=draft, text="x")


# --- signing -------------------------------------------------------------------------------------


def test_a_signature_counts_only_after_the_link_is_clicked_once(petition):
    # given a new signature
    result = services.sign_petition(petition=petition, signer=signer())
    assert result.outcome == SignOutcome.CREATED
    assert services.current_count(petition) == 0
    # then the signer got a confirmation link (and an unsubscribe link)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.org"]
    assert links(mail.outbox[0], "unsubscribe")
    token = token_of(confirm_path())
    # when they click it, it counts; a second click says "already confirmed"
    assert services.confirm_signature(token=token).outcome == ConfirmOutcome.CONFIRMED
    assert services.current_count(petition) == 1
    assert services.confirm_signature(token=token).outcome == ConfirmOutcome.ALREADY_CONFIRMED
    assert services.current_count(petition) == 1


def test_a_forged_or_mangled_link_confirms_nothing(petition):
    result = services.sign_petition(petition=petition, signer=signer())
    token = services.confirmation_token(result.signature)
    for bad in ("nonsense", token[:-2] + "xx", token.replace(":", ";")):
        assert services.confirm_signature(token=bad).outcome == ConfirmOutcome.INVALID
    assert services.current_count(petition) == 0


def test_a_late_confirmation_counts_up_to_a_day_after_closing(petition):
    early = services.sign_petition(petition=petition, signer=signer("a@example.org")).signature
    late = services.sign_petition(petition=petition, signer=signer("b@example.org")).signature
    closed_at = timezone.now()
    services.close_petition(petition=petition, now=closed_at)
    within = closed_at + dt.timedelta(hours=23, minutes=59)
    after = closed_at + dt.timedelta(hours=24, minutes=1)
    first = services.confirm_signature(token=services.confirmation_token(early), now=within)
    second = services.confirm_signature(token=services.confirmation_token(late), now=after)
    assert (first.outcome, second.outcome) == (ConfirmOutcome.CONFIRMED, ConfirmOutcome.TOO_LATE)
    assert services.current_count(petition) == 1


@pytest.mark.parametrize(
    "spelling",
    ["Ana.Lima@Gmail.com", "analima+petition@gmail.com", " ANALIMA@googlemail.com "],
)
def test_signing_again_before_confirming_resends_the_link(petition, spelling):
    first = services.sign_petition(petition=petition, signer=signer("analima@gmail.com"))
    Signature.objects.filter(pk=first.signature.pk).update(
        last_sent_at=timezone.now() - dt.timedelta(minutes=2)
    )
    again = services.sign_petition(petition=petition, signer=signer(spelling))
    assert again.outcome == SignOutcome.RESENT
    assert again.signature.pk == first.signature.pk
    assert Signature.objects.filter(petition=petition).count() == 1
    assert len(mail.outbox) == 2
    assert "Confirm your signature" in mail.outbox[1].subject
    assert mail.outbox[1].to == ["analima@gmail.com"]  # the address that signed first


def test_signing_again_after_confirming_sends_already_signed(petition):
    first = sign_and_confirm(petition, "ana@example.org")
    Signature.objects.filter(pk=first.pk).update(
        last_sent_at=timezone.now() - dt.timedelta(minutes=2)
    )
    again = services.sign_petition(petition=petition, signer=signer("ANA@example.org"))
    assert again.outcome == SignOutcome.ALREADY_SIGNED
    assert again.signature.pk == first.pk
    assert "You already signed" in mail.outbox[-1].subject
    assert links(mail.outbox[-1], "unsubscribe")
    assert Signature.objects.filter(petition=petition).count() == 1
    assert services.current_count(petition) == 1


def test_repeated_signing_sends_at_most_one_email_a_minute(petition):
    services.sign_petition(petition=petition, signer=signer())
    for _ in range(5):
        again = services.sign_petition(petition=petition, signer=signer())
        assert not again.emailed
    assert len(mail.outbox) == 1


def test_dots_are_significant_outside_dot_blind_providers(petition):
    services.sign_petition(petition=petition, signer=signer("ana.lima@example.org"))
    services.sign_petition(petition=petition, signer=signer("analima@example.org"))
    assert Signature.objects.filter(petition=petition).count() == 2


@pytest.mark.parametrize(
    "name",
    [
        '=HYPERLINK("http://evil")',
        "+1+1",
        "-2",
        "@SUM(A1)",
        "Visit www.spam.example",
        "Ana https://evil.test",
        "cheap-pills.com",
    ],
)
def test_names_that_start_a_formula_or_carry_a_url_are_refused(petition, name):
    with pytest.raises(SignRefused) as refused:
        services.sign_petition(petition=petition, signer=signer(name=name))
    assert refused.value.field == "name"
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("country", "code", "ok"),
    [
        ("US", "46201", True),
        ("US", "46201-1234", True),
        ("US", "4620", False),
        ("CA", "K1A 0B1", True),
        ("CA", "12345", False),
        ("GB", "SW1A 1AA", True),
        ("GB", "SW1A", False),
        ("DE", "10115", True),
        ("NL", "1012 AB", True),
        ("FR", "7500", False),
    ],
)
def test_postal_codes_are_validated_per_country(petition, country, code, ok):
    data = signer(country=country, postal_code=code)
    if ok:
        assert services.sign_petition(petition=petition, signer=data).created
    else:
        with pytest.raises(SignRefused) as refused:
            services.sign_petition(petition=petition, signer=data)
        assert refused.value.field == "postal_code"


def test_a_confirmed_signer_joins_the_crm_with_the_consents_they_gave(
    coalition, petition_factory, membership_factory, owner
):
    # given a petition with a co-sponsor
    petition = petition_factory(Status.DRAFT, sponsors_required=1)
    cosponsor = membership_factory(coalition, name="Faith Alliance")
    services.sponsor_petition(petition=petition, membership=cosponsor, signed_by=None)
    petition = services.open_petition(petition=services.submit_petition(petition=petition))
    # when two people sign: one shares and wants updates, one does neither
    sharer = sign_and_confirm(
        petition, "share@example.org", consent_share=True, consent_updates=True
    )
    private = sign_and_confirm(petition, "private@example.org")
    # then both are people of the coalition with the signature on their timeline
    assert sharer.person is not None
    assert private.person is not None
    assert Activity.objects.filter(person=sharer.person, kind="petition_signature").count() == 1
    # and only the consenting one is shared, with the owner and the co-sponsor
    assert set(
        SharingConsent.objects.filter(person=sharer.person).values_list("membership", flat=True)
    ) == {owner.pk, cosponsor.pk}
    assert not SharingConsent.objects.filter(person=private.person).exists()
    # and only the one who asked for updates is subscribed
    emails = EmailAddress.objects.for_coalition(coalition)
    assert emails.get(canonical="share@example.org").status == EmailAddress.Status.SUBSCRIBED
    assert emails.get(canonical="private@example.org").status == EmailAddress.Status.UNSUBSCRIBED


def test_an_existing_supporter_is_matched_not_duplicated(coalition, petition):
    from cairn.people import services as people

    known = people.upsert_person(
        coalition=coalition,
        data=people.PersonData(given_name="Ana", emails=[people.EmailInput("ana@example.org")]),
    ).person
    signature = sign_and_confirm(petition, "Ana@Example.org")
    assert signature.person == known
    assert Person.objects.for_coalition(coalition).count() == 1
    email = EmailAddress.objects.get(person=known)
    assert email.status == EmailAddress.Status.SUBSCRIBED  # no consent given: unchanged


def test_a_signer_unsubscribes_through_the_link_in_their_email(coalition, petition):
    sign_and_confirm(petition, "ana@example.org", consent_updates=True)
    token = token_of(links(mail.outbox[0], "unsubscribe")[0])
    signature = services.unsubscribe_signer(token=token)
    assert signature is not None
    assert not signature.consent_updates
    assert signature.unsubscribed_at is not None
    address = EmailAddress.objects.for_coalition(coalition).get(canonical="ana@example.org")
    assert address.status == EmailAddress.Status.UNSUBSCRIBED
    assert services.unsubscribe_signer(token="forged") is None


# --- rate limits and lists -----------------------------------------------------------------------


def test_over_the_burst_limit_a_network_is_flagged_not_refused(coalition, petition):
    services.set_limits(coalition=coalition, burst=3, sustained=100, trending=1000)
    for n in range(3):
        assert not services.sign_petition(
            petition=petition, signer=signer(f"s{n}@example.org")
        ).held
    over = services.sign_petition(petition=petition, signer=signer("s3@example.org"))
    assert (over.created, over.held) == (True, True)
    assert Signature.objects.get(pk=over.signature.pk).flagged_at is not None
    # another IP is not flagged
    assert not services.sign_petition(
        petition=petition, signer=signer("s4@example.org", ip="203.0.113.9")
    ).held
    # and a minute later the burst has passed
    later = timezone.now() + dt.timedelta(minutes=2)
    assert not services.sign_petition(
        petition=petition, signer=signer("s5@example.org"), now=later
    ).held


def test_the_sustained_limit_per_ip_spans_an_hour(coalition, petition):
    services.set_limits(coalition=coalition, burst=100, sustained=4, trending=1000)
    start = timezone.now() - dt.timedelta(minutes=50)
    for n in range(4):
        services.sign_petition(
            petition=petition,
            signer=signer(f"s{n}@example.org"),
            now=start + dt.timedelta(minutes=10 * n),
        )
    assert services.sign_petition(petition=petition, signer=signer("s9@example.org")).held


def test_above_the_hard_ceiling_a_network_is_refused(coalition, petition):
    services.set_limits(coalition=coalition, burst=1, sustained=1, trending=1000, hard=3)
    for n in range(3):
        services.sign_petition(petition=petition, signer=signer(f"s{n}@example.org"))
    with pytest.raises(SignRefused) as refused:
        services.sign_petition(petition=petition, signer=signer("s3@example.org"))
    assert refused.value.code == "rate"
    assert Signature.objects.filter(petition=petition).count() == 3


def test_the_hard_ceiling_is_at_least_the_other_limits(coalition):
    with pytest.raises(PetitionError):
        services.set_limits(coalition=coalition, burst=5, sustained=50, trending=10, hard=49)
    assert services.set_limits(coalition=coalition, burst=5, sustained=900, trending=10).hard == 900
    assert services.limits_for(coalition) == services.Limits(5, 900, 10, 900)


def test_the_limits_are_per_coalition(coalition_factory, petition, membership_factory):
    other = coalition_factory()
    services.set_limits(coalition=other, burst=1, sustained=1, trending=1)
    assert services.limits_for(petition.coalition) == services.Limits(10, 60, 200)
    assert services.limits_for(other) == services.Limits(1, 1, 1)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("email", "Ana@Example.org"), ("domain", "example.org"), ("ip", "198.51.100.7")],
)
def test_a_blocked_email_domain_or_ip_cannot_sign(coalition, petition, kind, value):
    services.set_list_entry(coalition=coalition, kind=kind, value=value, verdict="block")
    with pytest.raises(SignRefused) as refused:
        services.sign_petition(petition=petition, signer=signer("ana@example.org"))
    assert refused.value.code == "blocked"


def test_lists_are_checked_email_then_domain_then_ip(coalition, petition):
    # an allowed email beats a blocked domain; a blocked domain beats an allowed IP
    services.set_list_entry(coalition=coalition, kind="domain", value="@bad.test", verdict="block")
    services.set_list_entry(coalition=coalition, kind="email", value="ok@bad.test", verdict="allow")
    services.set_list_entry(coalition=coalition, kind="ip", value="198.51.100.7", verdict="allow")
    assert services.sign_petition(petition=petition, signer=signer("ok@bad.test")).created
    with pytest.raises(SignRefused):
        services.sign_petition(petition=petition, signer=signer("other@bad.test"))


def test_an_allowed_ip_skips_the_rate_limits(coalition, petition):
    services.set_limits(coalition=coalition, burst=1, sustained=1, trending=1000)
    services.set_list_entry(coalition=coalition, kind="ip", value="198.51.100.7", verdict="allow")
    for n in range(3):
        services.sign_petition(petition=petition, signer=signer(f"s{n}@example.org"))
    assert Signature.objects.filter(petition=petition).count() == 3


def test_stewards_are_alerted_once_when_a_domain_trends(
    coalition, petition, steward, staff_factory, monkeypatch
):
    monkeypatch.setattr(services, "TRENDING_SAMPLE", 1)  # check on every signature
    services.set_limits(coalition=coalition, burst=100, sustained=100, trending=3)
    for n in range(5):
        services.sign_petition(
            petition=petition, signer=signer(f"s{n}@trend.test", ip=f"203.0.113.{n}")
        )
    alert = IntegrityAlert.objects.get(petition=petition)
    assert (alert.kind, alert.value, alert.count) == ("domain", "trend.test", 3)
    alerts = [m for m in mail.outbox if "trending" in m.subject.lower()]
    assert len(alerts) == 1
    assert alerts[0].to == [steward.user.email]


def test_trending_is_checked_on_a_sample_and_still_alerts_soon(coalition, petition, steward):
    services.set_limits(coalition=coalition, burst=100, sustained=100, trending=3)
    for n in range(3 + services.TRENDING_SAMPLE):
        services.sign_petition(petition=petition, signer=signer(f"s{n}@trend.test"))
    alert = IntegrityAlert.objects.get(petition=petition, kind="domain")
    assert 3 <= alert.count <= 3 + services.TRENDING_SAMPLE
    assert IntegrityAlert.objects.get(petition=petition, kind="ip").value == "198.51.100.7"


# --- counting, invalidation, referrals -----------------------------------------------------------


def test_thresholds_are_crossed_once_and_progress_points_to_the_next(petition):
    for n in range(4):
        sign_and_confirm(petition, f"s{n}@example.org")
    assert list(ThresholdCrossing.objects.values_list("count", flat=True)) == [3]
    view = selectors.public_view(petition=petition)
    assert view.count == 4
    assert view.progress.next is not None
    assert view.progress.next.count == 10
    assert view.progress.percent == 40


def test_the_recount_repairs_a_wrong_counter(petition):
    for n in range(3):
        sign_and_confirm(petition, f"s{n}@example.org")
    PetitionCount.objects.filter(petition=petition, shard=5).update(confirmed=F("confirmed") + 1000)
    assert services.current_count(petition) == 1003
    assert services.recount_petition(petition=petition) == (1003, 3)
    assert services.current_count(petition) == 3
    call_command("recount_petitions", petition.slug)
    assert services.current_count(petition) == 3


def test_invalidation_previews_runs_and_undoes(petition):
    for n in range(3):
        sign_and_confirm(petition, f"bot{n}@spam.test", ip=f"203.0.113.{n}")
    sign_and_confirm(petition, "ana@example.org")
    services.sign_petition(petition=petition, signer=signer("bot9@spam.test"))  # pending
    criteria = Criteria(domain="spam.test")
    # preview
    assert services.matching_signatures(petition=petition, criteria=criteria).count() == 4
    # run
    done = services.invalidate_signatures(
        petition=petition, criteria=criteria, reason="Bot farm", by=None
    )
    assert done.affected == 4
    assert services.current_count(petition) == 1
    summary = selectors.integrity_summary(petition=petition)
    assert (summary.confirmed, summary.pending, summary.invalidated) == (1, 0, 4)
    # undo
    services.undo_invalidation(invalidation=done)
    assert services.current_count(petition) == 4
    assert services.recount_petition(petition=petition) == (4, 4)
    with pytest.raises(PetitionError):
        services.undo_invalidation(invalidation=done)


def test_an_invalidated_pending_signature_does_not_count_when_confirmed(petition):
    pending = services.sign_petition(petition=petition, signer=signer()).signature
    services.invalidate_signatures(
        petition=petition, criteria=Criteria(email="ana@example.org"), reason="x", by=None
    )
    services.confirm_signature(token=services.confirmation_token(pending))
    assert services.current_count(petition) == 0
    assert services.recount_petition(petition=petition) == (0, 0)


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (Criteria(email="A.B@gmail.com"), 1),
        (Criteria(ip="203.0.113.1"), 1),
        (Criteria(since=timezone.now() - dt.timedelta(hours=1)), 1),
        (Criteria(until=timezone.now() - dt.timedelta(hours=1)), 1),
    ],
)
def test_invalidation_criteria_select_by_email_ip_and_time(petition, criteria, expected):
    old = timezone.now() - dt.timedelta(hours=3)
    services.sign_petition(petition=petition, signer=signer("ab@gmail.com"), now=old)
    services.sign_petition(petition=petition, signer=signer("c@example.org", ip="203.0.113.1"))
    assert services.matching_signatures(petition=petition, criteria=criteria).count() == expected


def test_an_invalidation_needs_criteria_and_a_reason(petition):
    with pytest.raises(PetitionError):
        services.invalidate_signatures(petition=petition, criteria=Criteria(), reason="x", by=None)
    with pytest.raises(PetitionError):
        services.invalidate_signatures(
            petition=petition, criteria=Criteria(ip="1.2.3.4"), reason=" ", by=None
        )


def test_referrals_credit_the_signer_the_member_and_the_channel(coalition, petition, owner):
    # given a signer who came through the owner's link and shared on WhatsApp
    first = sign_and_confirm(petition, "a@example.org", ref=services.member_ref_code(owner))
    assert first.referring_membership == owner
    second = sign_and_confirm(petition, "b@example.org", ref=first.ref_code, channel="whatsapp")
    # then the new signature is credited to both the signer and the member
    assert second.referrer == first
    assert second.referring_membership == owner
    assert second.channel == "whatsapp"
    shares = selectors.sponsor_shares(petition=petition)
    assert [(s.label, s.count, s.percent) for s in shares] == [("Harbor House", 2, 100)]
    assert selectors.top_referrers(petition=petition) == [(first, 1)]


def test_an_unknown_referral_code_credits_no_one(petition):
    signature = sign_and_confirm(petition, "a@example.org", ref="m-999999")
    assert signature.referrer is None
    assert signature.referring_membership is None


def test_regional_counts_use_postal_areas(petition):
    sign_and_confirm(petition, "a@example.org", postal_code="46201")
    sign_and_confirm(petition, "b@example.org", postal_code="46218")
    sign_and_confirm(petition, "c@example.org", postal_code="K1A 0B1", country="CA")
    regions = {s.label: s.count for s in selectors.regional_counts(petition=petition)}
    assert regions == {"US 462": 2, "CA K1A": 1}


def test_updates_go_once_to_counted_signers_who_asked_for_them(petition, steward):
    sign_and_confirm(petition, "yes@example.org", consent_updates=True)
    sign_and_confirm(petition, "no@example.org")
    services.sign_petition(petition=petition, signer=signer("pending@example.org"))
    mail.outbox.clear()
    update = services.compose_update(
        petition=petition, subject="We delivered!", body="Thank you.", by=steward.user
    )
    sent = services.send_update(update=update)
    assert sent.recipients == 1
    assert [m.to for m in mail.outbox] == [["yes@example.org"]]
    assert links(mail.outbox[0], "unsubscribe")
    with pytest.raises(PetitionError):
        services.send_update(update=update)


def test_roles_for_petitions(coalition, staff_factory, owner, membership_factory):
    from cairn.coalitions.policy import Action, allows

    other = membership_factory(coalition)
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=owner)
    viewer = staff_factory(coalition, Role.VIEWER)
    steward = staff_factory(coalition, Role.STEWARD)
    assert allows(organizer, Action.MANAGE_PETITIONS, membership=owner)
    assert not allows(organizer, Action.MANAGE_PETITIONS, membership=other)
    assert not allows(organizer, Action.MODERATE_PETITIONS)
    assert not allows(viewer, Action.MANAGE_PETITIONS, membership=owner)
    assert allows(steward, Action.MODERATE_PETITIONS)


def test_the_public_summary_is_cached_but_its_count_is_live(petition):
    services.sign_petition(petition=petition, signer=signer("a@example.org"))
    first = selectors.public_integrity_summary(petition=petition)
    assert (first.confirmed, first.pending) == (0, 1)
    signature = Signature.objects.get()
    services.confirm_signature(token=services.confirmation_token(signature))
    second = selectors.public_integrity_summary(petition=petition)
    assert second.confirmed == 1  # the counter, live
    assert second.pending == 1  # cached for PUBLIC_CACHE_SECONDS


def test_a_link_of_a_taken_down_petition_counts_nothing(petition):
    # (a rejection comes before publication: an open petition is taken down, never rejected)
    pending = services.sign_petition(petition=petition, signer=signer()).signature
    services.take_down_petition(petition=petition, reason="x")
    result = services.confirm_signature(token=services.confirmation_token(pending))
    assert result.outcome == ConfirmOutcome.TOO_LATE
    assert services.current_count(petition) == 0


def test_the_commands_recount_and_close(petition_factory, capsys):
    now = timezone.now()
    expired = petition_factory(deadline=now - dt.timedelta(hours=1))
    call_command("close_expired_petitions")
    call_command("recount_petitions")
    out = capsys.readouterr().out
    assert "1 petition closed" in out
    assert f"{expired.slug}: 0 ok" in out
    assert Petition.objects.get(pk=expired.pk).status == Status.CLOSED


def test_a_coalition_with_petitions_can_be_deleted_but_not_a_petitions_owner_alone(
    coalition, petition, owner
):
    from django.db.models import RestrictedError

    sign_and_confirm(petition, "a@example.org")
    with pytest.raises(RestrictedError):
        owner.delete()
    coalition.delete()
    assert not Petition.objects.exists()
    assert not Signature.objects.exists()


def test_a_new_block_applies_at_once_although_lists_are_cached(coalition, petition):
    services.sign_petition(petition=petition, signer=signer("first@example.org"))  # caches
    services.set_list_entry(coalition=coalition, kind="ip", value="198.51.100.7", verdict="block")
    with pytest.raises(SignRefused):
        services.sign_petition(petition=petition, signer=signer("second@example.org"))
    entry = ListEntry.objects.get()
    services.remove_list_entry(entry=entry)
    assert services.sign_petition(petition=petition, signer=signer("third@example.org")).created


def test_a_list_too_long_to_cache_is_asked_per_signature(coalition, petition, monkeypatch):
    monkeypatch.setattr(services, "CACHED_LIST_ENTRIES", 1)
    services.set_list_entry(coalition=coalition, kind="ip", value="203.0.113.1", verdict="block")
    services.set_list_entry(coalition=coalition, kind="domain", value="bad.test", verdict="block")
    with pytest.raises(SignRefused):
        services.sign_petition(petition=petition, signer=signer("x@bad.test"))
    assert services.sign_petition(petition=petition, signer=signer("x@good.test")).created


def test_a_petition_closed_behind_a_stale_copy_takes_no_signature(petition):
    # given a copy of the open petition held by a process (the sign view caches one for seconds)
    stale = Petition.objects.get(pk=petition.pk)
    # when the petition is closed elsewhere, and someone signs through the stale copy
    services.close_petition(petition=Petition.objects.get(pk=petition.pk))
    assert stale.status == Status.OPEN
    with pytest.raises(SignRefused) as refused:
        services.sign_petition(petition=stale, signer=signer("late@example.org"))
    # then the database, not the copy, decided: refused, and nothing was written
    assert refused.value.code == "closed"
    assert not Signature.objects.filter(petition=petition).exists()
