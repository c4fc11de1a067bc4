"""Letter and call campaigns: targets from an imported district table, outreaches recorded once,
emails sent once, print batches, call reports, replies that move a position."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cairn.advocacy import services
from cairn.advocacy.models import AdvocacyCampaign, Delivery, OfficeReply, Outreach
from cairn.campaigns.models import DecisionTarget, PositionChange
from cairn.coalitions.models import Coalition
from cairn.people.models import Person

from .conftest import make_campaign, person, target

pytestmark = pytest.mark.django_db


def names(targets: list) -> list[str]:
    return sorted(t.decision_maker.name for t in targets)


def test_targets_from_postal_code_district_and_point(advocacy: AdvocacyCampaign) -> None:
    assert names(services.targets_for(advocacy_campaign=advocacy, postal_code="46201")) == [
        "Pat Leader",
        "Sam One",
    ]
    assert names(services.targets_for(advocacy_campaign=advocacy, postal_code=" 46203 ")) == [
        "Kim Two",
        "Pat Leader",
    ]
    assert names(services.targets_for(advocacy_campaign=advocacy, district="SD-2")) == [
        "Kim Two",
        "Pat Leader",
    ]
    # a point inside the second square, and one on the border between the two (first wins)
    assert names(services.targets_for(advocacy_campaign=advocacy, lat=39.5, lon=-85.5)) == [
        "Kim Two",
        "Pat Leader",
    ]
    assert names(services.targets_for(advocacy_campaign=advocacy)) == ["Pat Leader"]


def test_lookups_that_find_nothing_or_several(advocacy: AdvocacyCampaign) -> None:
    with pytest.raises(services.DistrictNotFound):
        services.targets_for(advocacy_campaign=advocacy, postal_code="99999")
    with pytest.raises(services.DistrictNotFound):
        services.targets_for(advocacy_campaign=advocacy, lat=10.0, lon=10.0)
    with pytest.raises(services.DistrictNotFound):
        services.targets_for(advocacy_campaign=advocacy, district="SD-9")
    with pytest.raises(services.AmbiguousDistrict) as split:
        services.targets_for(advocacy_campaign=advocacy, postal_code="46204")
    assert [d.key for d in split.value.districts] == ["SD-1", "SD-2"]


def test_letter_recorded_once_and_emailed_once(
    advocacy: AdvocacyCampaign, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    with django_capture_on_commit_callbacks(execute=True):
        first = services.record_outreach(
            advocacy_campaign=advocacy,
            person=person("ana@example.org"),
            postal_code="46201",
            body="Dear {target}, fund the beds. {name}",
            ip="10.0.0.1",
        )
    # when
    again = services.record_outreach(
        advocacy_campaign=advocacy,
        person=person("ANA@example.org "),
        postal_code="46201",
        ip="10.0.0.1",
    )
    # then
    assert first.created
    assert not again.created
    assert again.outreach.pk == first.outreach.pk
    assert Outreach.objects.count() == 1
    assert Person.objects.count() == 1
    deliveries = Delivery.objects.order_by("target__decision_maker__name")
    assert [(d.channel, d.status) for d in deliveries] == [("email", "sent"), ("email", "sent")]
    assert sorted(m.to[0] for m in mail.outbox) == ["leader@senate.example", "one@senate.example"]
    sent = next(m for m in mail.outbox if m.to == ["one@senate.example"])
    assert sent.body == "Dear Sam One, fund the beds. Ana Lima"
    assert sent.reply_to == ["ana@example.org"]
    # a second task run sends nothing
    assert services.send_delivery(delivery_id=deliveries[0].pk) is False
    assert len(mail.outbox) == 2


def test_office_without_email_gets_a_printed_letter(advocacy: AdvocacyCampaign) -> None:
    services.record_outreach(
        advocacy_campaign=advocacy, person=person("bo@example.org"), district="SD-2"
    )
    kim = target(advocacy, "Kim Two")
    letter = Delivery.objects.get(target=kim)
    assert (letter.channel, letter.status) == ("print", "to_print")
    batch = services.create_print_batch(advocacy_campaign=advocacy, by=None)
    letter.refresh_from_db()
    assert letter.batch_id == batch.pk
    assert letter.status == "printed"
    with pytest.raises(services.AdvocacyError):
        services.create_print_batch(advocacy_campaign=advocacy, by=None)
    services.mark_batch_delivered(batch=batch)
    letter.refresh_from_db()
    assert letter.status == "delivered"


def test_call_and_its_report(advocacy: AdvocacyCampaign) -> None:
    result = services.record_outreach(
        advocacy_campaign=advocacy,
        person=person("cy@example.org"),
        district="SD-1",
        action="call",
    )
    calls = list(Delivery.objects.filter(outreach=result.outreach))
    assert {c.status for c in calls} == {"to_call"}
    assert len(calls) == 2
    services.record_call_report(
        delivery=calls[0], result="answered", position_heard="supportive", notes="Staffer agreed"
    )
    calls[0].refresh_from_db()
    assert (calls[0].status, calls[0].call_result, calls[0].position_heard) == (
        "called",
        "answered",
        "supportive",
    )
    assert len(mail.outbox) == 0


def test_rate_limit_counts_our_rows(coalition: Coalition) -> None:
    advocacy = make_campaign(coalition, hourly_limit_per_ip=2)
    for n in range(2):
        services.record_outreach(
            advocacy_campaign=advocacy, person=person(f"p{n}@example.org"), ip="10.9.9.9"
        )
    with pytest.raises(services.RateLimited):
        services.record_outreach(
            advocacy_campaign=advocacy, person=person("p3@example.org"), ip="10.9.9.9"
        )
    # a retry of someone already counted still answers, and another network is not limited
    again = services.record_outreach(
        advocacy_campaign=advocacy, person=person("p0@example.org"), ip="10.9.9.9"
    )
    assert not again.created
    services.record_outreach(
        advocacy_campaign=advocacy, person=person("p3@example.org"), ip="10.1.1.1"
    )
    assert Outreach.objects.count() == 3


def test_closed_campaign_refuses(coalition: Coalition) -> None:
    advocacy = make_campaign(coalition, status=AdvocacyCampaign.Status.CLOSED)
    with pytest.raises(services.AdvocacyError):
        services.record_outreach(advocacy_campaign=advocacy, person=person("x@example.org"))
    assert Outreach.objects.count() == 0
    assert Person.objects.count() == 0


def test_reply_with_a_position_moves_the_dashboard(advocacy: AdvocacyCampaign) -> None:
    sam = target(advocacy, "Sam One")
    day = timezone.localdate() - dt.timedelta(days=1)
    reply = services.log_office_reply(
        target=sam,
        received_on=day,
        medium="email",
        summary="The senator will co-sponsor the bill.",
        position="committed",
        by=None,
    )
    decision = DecisionTarget.objects.get(
        campaign=advocacy.campaign, decision_maker=sam.decision_maker
    )
    assert decision.position == "committed"
    assert decision.position_on == day
    assert reply.position_change == PositionChange.objects.get(target=decision)
    plain = services.log_office_reply(
        target=sam, received_on=day, medium="phone", summary="Thanks for writing.", by=None
    )
    assert plain.position_change is None
    assert OfficeReply.objects.count() == 2


def test_drafted_from_the_adopted_narrative(coalition: Coalition) -> None:
    from cairn.narrative.models import Framework, FrameworkVersion

    framework = Framework.objects.create(coalition=coalition, name="Beds")
    FrameworkVersion.objects.create(
        coalition=coalition,
        framework=framework,
        number=1,
        status=FrameworkVersion.Status.ADOPTED,
        adopted_at=timezone.now(),
        content={"core_message": "Nobody waits days for a bed.", "ask": "Fund 200 crisis beds."},
    )
    advocacy = services.create_advocacy_campaign(
        coalition=coalition, title="Beds now", by=None, description="<p>Hi<script>x</script></p>"
    )
    assert advocacy.letter_subject == "Fund 200 crisis beds."
    assert "Nobody waits days for a bed." in advocacy.letter_body
    assert advocacy.framework_version is not None
    assert "<script>" not in advocacy.description


def test_merge_and_erasure(advocacy: AdvocacyCampaign) -> None:
    from cairn.people.services import erase_person, merge_people

    a = services.record_outreach(
        advocacy_campaign=advocacy, person=person("a@example.org"), district="SD-1"
    ).outreach
    b = services.record_outreach(
        advocacy_campaign=advocacy, person=person("b@example.org"), district="SD-2"
    ).outreach
    assert a.person is not None
    assert b.person is not None
    kept = merge_people(keep=a.person, merge=b.person)
    # the kept person now reaches Kim Two too; Pat Leader got two letters, both still counted
    assert Delivery.objects.filter(person=kept).count() == 3
    assert Delivery.objects.count() == 4
    erase_person(person=kept, erased_by=None)
    assert Delivery.objects.count() == 4
    assert Outreach.objects.count() == 2
    assert not Outreach.objects.exclude(body="").exists()


def test_letters_and_calls_feed_the_campaign_dashboard(advocacy: AdvocacyCampaign) -> None:
    from cairn.campaigns import engagement

    services.record_outreach(
        advocacy_campaign=advocacy, person=person("e1@example.org"), district="SD-1"
    )
    services.record_outreach(
        advocacy_campaign=advocacy, person=person("e1@example.org"), district="SD-1", action="call"
    )
    sources = {s.key: s for s in engagement.sources()}
    today = timezone.localdate()
    assert sources["letters"].daily(advocacy.coalition, today, today) == {today: 1.0}
    assert sources["calls"].daily(advocacy.coalition, today, today) == {today: 1.0}
    assert sources["letters"].by_member is not None
    assert sources["letters"].by_member(advocacy.coalition, today, today) == {None: 1.0}


def test_a_letter_is_corrected_only_before_it_leaves(advocacy: AdvocacyCampaign) -> None:
    outreach = services.record_outreach(
        advocacy_campaign=advocacy, person=person("f@example.org"), district="SD-2"
    ).outreach  # Kim Two (printed) and Pat Leader (email, queued: not run on commit here)
    fixed = services.correct_outreach(outreach=outreach, body="Dear {target}, corrected.")
    assert fixed.body == "Dear {target}, corrected."
    delivery = Delivery.objects.get(outreach=outreach, channel="email")
    assert services.send_delivery(delivery_id=delivery.pk) is True
    assert mail.outbox[-1].body == "Dear Pat Leader, corrected."
    with pytest.raises(services.OutreachSent):
        services.correct_outreach(outreach=outreach, body="Too late")
