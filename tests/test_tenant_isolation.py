"""Walk every URL of the app as a steward of another coalition: nothing of coalition B may be read
or changed. A new URL parameter fails this test until the walker knows what to put in it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cairn.api import services as api_services
from cairn.api.models import ApiToken, IdempotencyKey
from cairn.audit import services as audit_services
from cairn.audit.models import (
    Audit,
    AuditAnnotation,
    AuditOverride,
    AuditPolicy,
    AuditProfile,
    ThresholdVersion,
)
from cairn.campaigns import services as campaign_services
from cairn.campaigns.models import (
    Campaign,
    CampaignEngagement,
    DecisionMaker,
    DecisionTarget,
    EngagementCount,
    EngagementDay,
    Measurement,
    MeasurementFeed,
    Milestone,
    Objective,
    Phase,
    PositionChange,
)
from cairn.coalitions import services
from cairn.coalitions.models import (
    Coalition,
    Commitment,
    Delivery,
    Invitation,
    Membership,
    MembershipStatusChange,
    Organization,
    Role,
    StaffMember,
)
from cairn.governance import services as governance_services
from cairn.governance.models import (
    Authorization,
    DecisionTemplate,
    Eligibility,
    LogCheckpoint,
    LogEntry,
    LogHead,
    NamedVoter,
    Option,
    Outcome,
    Proposal,
    SigningKey,
    Vote,
)
from cairn.people import importing as people_importing
from cairn.people import services as people_services
from cairn.people.models import (
    Activity,
    EmailAddress,
    ImportJob,
    ListItem,
    NameReview,
    PeopleList,
    Person,
    PhoneNumber,
    PostalAddress,
    SharingConsent,
    Tag,
    Tagging,
)
from cairn.petitions import services as petition_services
from cairn.petitions.models import (
    Clearance,
    IntegrityAlert,
    IntegritySettings,
    Invalidation,
    ListEntry,
    Petition,
    PetitionCount,
    PetitionRevision,
    PetitionUpdate,
    Signature,
    Sponsorship,
    ThresholdCrossing,
)
from cairn.powermap import importing as powermap_importing
from cairn.powermap import services as powermap_services
from cairn.powermap.models import PositionChange as StakeholderPositionChange
from cairn.powermap.models import Relationship, Stakeholder, StakeholderMerge, StakeholderTag
from tests import tenant_parts

# Parameters whose URLs are capabilities or belong to no coalition: the walker leaves them alone.
CAPABILITY_PARAMS = {"token", "uidb64"}
# Namespaces outside the app: the Django admin is for site operators (is_staff) only.
SKIPPED_NAMESPACES = {"admin"}
SECRET = "Zebra Foundation"  # appears only in coalition B's data

POST_DATA = {
    "name": "Hijacked",
    "sector": "labor",
    "mission": "hijacked",
    "status": "left",
    "vote_weight": "9",
    "email": "intruder@example.org",
    "role": "steward",
    "quantity": "5",
    "delivered_on": str(timezone.localdate()),
    "kind": "funding",
    "description": "hijacked",
    "unit": "USD",
    "due_date": str(timezone.localdate()),
    "horizon_title": "hijacked",
    "horizon_start": "2026-01-01",
    "horizon_end": "2026-12-31",
    "charter": "hijacked",
    "position": "objection",
    "reason": "hijacked",
    "statement": "hijacked",
    "title": "hijacked",
    "template": "consent",
    "closes_at": "2030-01-01T12:00",
    "electorate": "organizations",
    "results_visibility": "always",
    "time_zone": "UTC",
    "open_now": "on",
    "text": "hijacked",
    "subject": "hijacked",
    "body": "hijacked",
    "value": "hijacked.test",
    "verdict": "block",
    "burst": "1",
    "sustained": "1",
    "trending": "1",
    "domain": "example.org",
    "run": "1",
    # campaigns
    "on": "2026-01-02",
    "source": "hijacked",
    "evidence": "hijacked",
    "theory_of_change": "hijacked",
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
    "metric": "hijacked",
    "direction": "up",
    "baseline_value": "1",
    "baseline_on": "2026-01-01",
    "baseline_source": "hijacked",
    "target_value": "2",
    "deadline": "2026-12-31",
    "due_on": "2026-06-01",
    "to": "earlier",
}


def walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, set[str]]]:
    """(qualified URL name, parameter names) for every named URL, resolvers included."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            for name, params in walk(entry.url_patterns, inner):
                yield name, params | set(entry.pattern.converters)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", set(entry.pattern.converters)


def snapshot(coalition: Coalition) -> dict[str, list[dict[str, Any]]]:
    models: list[type[Any]] = [
        Organization,
        Membership,
        MembershipStatusChange,
        StaffMember,
        Invitation,
        Commitment,
        Delivery,
        Person,
        EmailAddress,
        PhoneNumber,
        PostalAddress,
        Tag,
        Tagging,
        PeopleList,
        ListItem,
        SharingConsent,
        Activity,
        NameReview,
        Petition,
        Sponsorship,
        Signature,
        PetitionCount,
        ThresholdCrossing,
        ListEntry,
        IntegritySettings,
        IntegrityAlert,
        Invalidation,
        PetitionUpdate,
        PetitionRevision,
        Clearance,
        ApiToken,
        IdempotencyKey,
        ImportJob,
        DecisionTemplate,
        Proposal,
        Option,
        Eligibility,
        NamedVoter,
        Vote,
        Outcome,
        Authorization,
        LogHead,
        LogEntry,
        SigningKey,
        LogCheckpoint,
        Campaign,
        Phase,
        Milestone,
        DecisionMaker,
        DecisionTarget,
        PositionChange,
        Objective,
        Measurement,
        MeasurementFeed,
        EngagementDay,
        CampaignEngagement,
        EngagementCount,
        *_narrative_models(),
        Stakeholder,
        StakeholderTag,
        StakeholderPositionChange,
        Relationship,
        StakeholderMerge,
        AuditPolicy,
        ThresholdVersion,
        Audit,
        AuditProfile,
        AuditOverride,
        AuditAnnotation,
        *tenant_parts.models(),
    ]
    rows = {
        m.__name__: [model_to_dict(r) for r in m.objects.for_coalition(coalition)] for m in models
    }
    rows["Coalition"] = [model_to_dict(Coalition.objects.get(pk=coalition.pk))]
    return rows


@pytest.fixture
def other_coalition(coalition_factory, membership_factory, staff_factory, commitment_factory):
    """Coalition B, with a row of every kind."""
    b = coalition_factory(name=f"{SECRET} Coalition", mission=f"{SECRET} mission")
    steward = staff_factory(b, Role.STEWARD)
    member = membership_factory(b, name=SECRET)
    organizer = staff_factory(b, Role.ORGANIZER, membership=member)
    commitment = commitment_factory(member, quantity=100, delivered=10)
    invitation = services.invite_staff(
        coalition=b,
        email="zebra@example.org",
        role=Role.VIEWER,
        invited_by=steward.user,
        site_url="http://testserver/",
    ).invitation
    zebra = people_services.upsert_person(
        coalition=b,
        data=people_services.PersonData(
            given_name=SECRET,
            emails=[people_services.EmailInput("zebra.person@example.org")],
            phones=[people_services.PhoneInput("+15550001111")],
            addresses=[people_services.AddressInput(postal_code="99999")],
        ),
        source_membership=member,
    ).person
    twin = people_services.upsert_person(
        coalition=b,
        data=people_services.PersonData(
            given_name=SECRET, emails=[people_services.EmailInput("zebra.twin@example.org")]
        ),
    ).person
    tag, _ = people_services.create_tag(coalition=b, name=f"{SECRET} tag")
    tagging, _ = people_services.tag_person(tag=tag, person=zebra)
    people_list = people_services.create_list(coalition=b, name=f"{SECRET} list")
    item, _ = people_services.add_to_list(people_list=people_list, person=zebra)
    people_services.record_activity(person=zebra, kind="note", summary=f"{SECRET} activity")
    people_services.upsert_person(  # another name for zebra's email: a name review
        coalition=b,
        data=people_services.PersonData(
            given_name=f"{SECRET} Other",
            emails=[people_services.EmailInput("zebra.person@example.org")],
        ),
    )
    import_job = people_importing.create_import_job(
        coalition=b,
        upload=ContentFile(f"email,name\nzebra.new@example.org,{SECRET}\n".encode()),
        filename=f"{SECRET}.csv",
        created_by=steward.user,
        source_membership=member,
    )
    proposal = governance_services.create_proposal(
        coalition=b,
        template="consent",
        title=f"{SECRET} proposal",
        closes_at=timezone.now() + dt.timedelta(days=3),
        created_by=steward.user,
    )
    proposal = governance_services.open_proposal(proposal=proposal, by=steward.user)
    governance_services.cast_vote(
        proposal=proposal, staff=organizer, ballot={"position": "consent"}, reason=SECRET
    )
    checkpoint = governance_services.publish_checkpoint(coalition=b)  # B's signed log head
    POST_DATA.update(keep=str(zebra.uuid), merge=str(twin.uuid), confirm=str(zebra.uuid))
    # bulk actions of the people list: B's person ticked, B's list chosen
    POST_DATA.update(people=str(zebra.uuid), people_list=str(people_list.uuid), tag_name="x")
    # Petitions: B's draft is private everywhere (its public pages answer 404); the walker gets
    # its ids. A second petition of B, opened, signed and taken down, holds a signature.
    draft, entry, update, invalidation = _petitions_of(b, member, steward.user)
    POST_DATA.update(owner=str(member.pk), membership=str(member.pk), sponsors_required="0")
    campaign_ids = _campaign_of(b, member)
    narrative_ids = _narrative_of(b, steward, organizer, member, campaign_ids)
    powermap_ids = _powermap_of(b, steward.user)
    audit_ids = _audit_of(b, steward.user)
    context = tenant_parts.Context(
        coalition=b,
        steward=steward,
        organizer=organizer,
        member=member,
        person=zebra,
        secret=SECRET,
        ids={**campaign_ids, **narrative_ids, **powermap_ids, **audit_ids},
    )
    for part in tenant_parts.parts():  # apps built after the walker (tests/tenant_parts/)
        context.ids.update(part.rows(context))
    for key, value in context.post_data.items():
        POST_DATA.setdefault(key, value)
    return {
        **context.ids,
        "coalition": b,
        "person_id": zebra.uuid,
        "email_id": zebra.emails.get().pk,
        "tag_id": tag.uuid,
        "list_id": people_list.uuid,
        "tagging_id": tagging.uuid,  # OSDI API
        "item_id": item.uuid,  # OSDI API
        "token_id": api_services.create_token(coalition=b, name=SECRET, created_by=None).token.pk,
        "member_id": member.pk,
        "organization_id": member.organization_id,
        "commitment_id": commitment.pk,
        "invitation_id": invitation.pk,
        "staff_id": organizer.pk,
        "delivery": Delivery.objects.get(commitment=commitment),
        "job_id": import_job.pk,
        "review_id": NameReview.objects.for_coalition(b).get().pk,
        "proposal_id": proposal.pk,
        "seq": checkpoint.seq,  # of B's checkpoint (the decision log's signed head)
        "petition_id": draft.pk,
        "petition_slug": draft.slug,
        "signature_id": Signature.objects.for_coalition(b).get().pk,  # OSDI API
        "invalidation_id": invalidation.pk,
        "update_id": update.pk,
        "entry_id": entry.pk,
        **campaign_ids,
        **narrative_ids,
        **powermap_ids,
        **audit_ids,
        # a power map import queued for B (its page follows the task's result)
        "result_id": powermap_importing.import_map_task.enqueue(b.pk, None, []).id,
    }


def _powermap_of(b: Coalition, user: Any) -> dict[str, int]:
    """B's power map: stakeholders with a tag, a position and a relationship, and a merge."""
    data = powermap_services.StakeholderData
    zebra = powermap_services.create_stakeholder(
        coalition=b,
        data=data(name=f"{SECRET} funder", kind="organization", sector="philanthropy"),
        tags=[f"{SECRET} tag"],
        by=user,
    )
    chair = powermap_services.create_stakeholder(
        coalition=b, data=data(name=f"{SECRET} chair", kind="person", sector="government"), by=user
    )
    powermap_services.record_position(
        stakeholder=chair, position="neutral", on=timezone.localdate(), evidence=SECRET, by=user
    )
    tie = powermap_services.add_relationship(
        source=zebra, target=chair, kind="funds", evidence=SECRET, by=user
    )
    copy = powermap_services.create_stakeholder(
        coalition=b, data=data(name=f"{SECRET} copy", kind="person", sector="government"), by=user
    )
    powermap_services.merge_stakeholders(kept=chair, duplicate=copy, by=user)
    return {"stakeholder_id": chair.pk, "relationship_id": tie.pk}


def _audit_of(b: Coalition, user: Any) -> dict[str, int]:
    """B's partnership audit: thresholds, an audit with its profile, an override, a note."""
    from cairn.engines.audit import Thresholds

    audit_services.save_thresholds(coalition=b, thresholds=Thresholds(), note=SECRET, by=user)
    run = audit_services.audit_partnerships(coalition=b, by=user)
    profile = run.profiles.get()
    other = "dormant" if profile.klass != "dormant" else "transactional"
    audit_services.override_class(profile=profile, to_class=other, reason=SECRET, by=user)
    audit_services.annotate_profile(profile=profile, text=SECRET, by=user)
    POST_DATA.update(klass="mission_aligned")
    return {"audit_id": run.pk}


def _campaign_of(b: Coalition, member: Membership) -> dict[str, int]:
    """A campaign of B with a row of every campaigns table; the walker gets their ids."""
    today = timezone.localdate()
    campaign = campaign_services.create_campaign(
        coalition=b,
        name=f"{SECRET} campaign",
        theory_of_change=SECRET,
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
        created_by=None,
    )
    phase = campaign.phases.first()
    assert phase is not None
    milestone = campaign_services.add_milestone(
        phase=phase, title=f"{SECRET} milestone", due_on=today, owner=member
    )
    maker = campaign_services.add_decision_maker(coalition=b, name=f"{SECRET} senator")
    target = campaign_services.add_target(
        campaign=campaign,
        decision_maker=maker,
        position="opposed",
        on=today,
        evidence=SECRET,
        recorded_by=None,
    )
    objective = campaign_services.add_objective(
        campaign=campaign,
        statement=f"{SECRET} objective",
        metric=SECRET,
        unit="beds",
        direction="up",
        baseline_value=Decimal(1),
        baseline_on=today - dt.timedelta(days=20),
        baseline_source=SECRET,
        target_value=Decimal(2),
        deadline=today + dt.timedelta(days=20),
    )
    measurement = campaign_services.record_measurement(
        objective=objective, on=today, value=Decimal("1.5"), source=SECRET, recorded_by=None
    )
    campaign_services.set_measurement_feed(
        objective=objective,
        config=campaign_services.FeedSettings(url=f"https://example.org/{SECRET}.csv"),
        by=None,
    )
    campaign_services.refresh_engagement(coalition=b)
    return {
        "campaign_id": campaign.pk,
        "phase_id": phase.pk,
        "milestone_id": milestone.pk,
        "target_id": target.pk,
        "objective_id": objective.pk,
        "measurement_id": measurement.pk,
    }


def _narrative_models() -> list[type[Any]]:
    from cairn.narrative import models as narrative

    return [
        narrative.Framework,
        narrative.FrameworkVersion,
        narrative.Reviewer,
        narrative.ContentItem,
        narrative.ContentEvent,
        narrative.ReviewComment,
        narrative.Approval,
        narrative.FlagDismissal,
        narrative.TrackedLink,
        narrative.ReachReport,
    ]


def _narrative_of(
    b: Coalition, steward: Any, organizer: Any, member: Membership, campaign_ids: dict[str, int]
) -> dict[str, int]:
    """B's narrative: an adopted framework version, a draft, items in review and published."""
    from cairn.narrative import services as narrative

    campaign = Campaign.objects.get(pk=campaign_ids["campaign_id"])
    pillars = [
        {"id": f"p{i}", "name": f"{SECRET} {i}", "key_messages": [{"id": f"k{i}", "text": SECRET}]}
        for i in range(3)
    ]
    framework = narrative.create_framework(
        coalition=b,
        name=f"{SECRET} framework",
        by=steward,
        content={"core_message": SECRET, "ask": f"Sign for {SECRET}", "pillars": pillars},
    )
    version = narrative.propose_version(version=framework.versions.get(), by=steward)
    proposal = governance_services.create_proposal(
        coalition=b,
        template="consent",
        title=f"{SECRET} narrative",
        closes_at=timezone.now() + dt.timedelta(days=3),
        created_by=steward.user,
    )
    proposal = governance_services.open_proposal(proposal=proposal, by=steward.user)
    governance_services.close_proposal(proposal=proposal, by=steward.user)
    outcome = governance_services.record_outcome(
        proposal=proposal, statement=SECRET, recorded_by=steward.user
    )
    narrative.adopt_version(version=version, outcome=outcome, by=steward)
    narrative.create_version(framework=framework, by=steward)  # a draft v2
    narrative.grant_reviewer(staff=organizer, by=steward)
    item = narrative.create_item(
        campaign=campaign,
        membership=member,
        by=organizer,
        kind="email",
        title=f"{SECRET} email",
        body=f"Sign for {SECRET} today.",
    )
    narrative.submit_item(item=item, by=organizer)
    narrative.add_comment(item=item, by=steward, body=SECRET)
    narrative.dismiss_flag(item=item, by=steward, kind="off_message", span_text="", reason=SECRET)
    return {"framework_id": framework.pk, "version_number": 1, "content_id": item.pk}


def _petitions_of(b: Coalition, member: Membership, user: Any) -> tuple[Any, Any, Any, Any]:
    data = petition_services.PetitionData
    draft = petition_services.create_petition(
        owner=member, data=data(title=f"{SECRET} petition", details=SECRET), created_by=user
    )
    public = petition_services.create_petition(
        owner=member, data=data(title="An open petition", details=SECRET), created_by=user
    )
    public = petition_services.open_petition(
        petition=petition_services.submit_petition(petition=public)
    )
    petition_services.sign_petition(
        petition=public,
        signer=petition_services.SignerData(
            name=SECRET, email="zebra.signer@example.org", postal_code="46201", country="US"
        ),
    )
    # taken down: the public list shows open petitions with their coalition's name, by design
    petition_services.take_down_petition(petition=public, reason=SECRET)
    entry = petition_services.set_list_entry(
        coalition=b, kind="domain", value="zebra.test", verdict="block", note=SECRET
    )
    petition_services.set_limits(coalition=b, burst=7, sustained=70, trending=700)
    update = petition_services.compose_update(petition=draft, subject=SECRET, body=SECRET, by=user)
    invalidation = petition_services.invalidate_signatures(
        petition=draft,
        criteria=petition_services.Criteria(domain="zebra.test"),
        reason=SECRET,
        by=user,
    )
    return draft, entry, update, invalidation


def test_a_steward_of_another_coalition_reads_and_changes_nothing(
    client, coalition, steward, other_coalition
):
    # given a steward of coalition A, signed in, and coalition B with data of every kind
    mine = coalition
    theirs = other_coalition["coalition"]
    before = snapshot(theirs)
    checked: list[str] = []
    # the OSDI API (namespace "api") authenticates by token, not session: send A's token
    api_token = api_services.create_token(coalition=mine, name="walker", created_by=None).raw
    # when they request every URL of the app, with B's slug or their own and B's ids
    for name, params in sorted(walk(get_resolver().url_patterns)):
        if name.split(":")[0] in SKIPPED_NAMESPACES or params & CAPABILITY_PARAMS:
            continue
        unknown = params - {"slug"} - set(other_coalition)
        assert not unknown, f"{name}: teach the tenant walker about {unknown}"
        ids = {p: other_coalition[p] for p in params if p != "slug"}
        slugs = [theirs.slug, mine.slug] if "slug" in params else [None]
        for slug in slugs:
            kwargs = {**ids, **({"slug": slug} if slug else {})}
            url = reverse(name, kwargs=kwargs)
            for method in ("get", "post"):
                client.force_login(steward.user)  # a walked logout URL must not end the walk
                headers = {"OSDI-API-Token": api_token} if name.startswith("api:") else {}
                response = getattr(client, method)(url, POST_DATA, headers=headers)
                raw = b"".join(response.streaming_content) if response.streaming else None
                body = (raw or response.content).decode(errors="replace")
                # then B's data never shows up ...
                assert SECRET not in body, f"{method.upper()} {url} shows coalition B's data"
                # ... and B's pages are not found (or refused), whichever slug was used
                if params - {"slug"} or slug == theirs.slug:
                    assert response.status_code in {403, 404, 405}, (
                        f"{method.upper()} {url} answered {response.status_code}"
                    )
                checked.append(f"{method.upper()} {url}")
    # then nothing of B changed, and the walk really covered the coalition pages
    assert snapshot(theirs) == before
    assert sum("/c/" in c for c in checked) >= 30
    assert sum("/api/v2/" in c for c in checked) >= 20


def test_the_walker_sees_every_coalition_page():
    names = {name for name, _ in walk(get_resolver().url_patterns)}
    assert {"coalitions:home", "coalitions:member", "coalitions:record_delivery"} <= names
    # the public front door and its staff page (an unpublished coalition's page is not found)
    assert {"public:directory", "public:coalition", "coalitions:public_page"} <= names
    assert "coalitions:set_public_listing" in names
    # the power map's map, its JSON and table, the prospects and their add-to-pipeline form
    # (campaign_id and stakeholder_id are B's campaign and stakeholder)
    assert {
        "powermap:map",
        "powermap:map_data",
        "powermap:map_table",
        "powermap:prospects",
        "powermap:campaign_prospects",
        "powermap:add_to_pipeline",
    } <= names
    # its import (with the queued import's page) and export pages
    assert {"powermap:import", "powermap:import_status", "powermap:export"} <= names
    assert {"powermap:export_graphml", "powermap:export_elements_csv"} <= names


def test_delivery_amounts_are_unchanged_by_the_walk(client, steward, other_coalition):
    # a narrower restatement of the snapshot check, for the money that matters most
    client.force_login(steward.user)
    url = reverse(
        "coalitions:record_delivery",
        kwargs={"slug": steward.coalition.slug, "commitment_id": other_coalition["commitment_id"]},
    )
    response = client.post(url, {"quantity": "5", "delivered_on": str(timezone.localdate())})
    assert response.status_code == 404
    assert list(Delivery.objects.values_list("quantity", flat=True)) == [Decimal("10.00")]
