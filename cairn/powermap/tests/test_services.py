"""The power map's use cases: positions with history, relationships stored once with evidence,
duplicates refused by the database, merges that lose no relationship, linked stakeholders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.campaigns import services as campaign_services
from cairn.coalitions.models import Sector
from cairn.powermap import services
from cairn.powermap.models import (
    PositionChange,
    Relationship,
    Stakeholder,
    StakeholderMerge,
    StakeholderTag,
)
from cairn.powermap.services import PowermapError, RelationshipExists, StakeholderExists

pytestmark = pytest.mark.django_db


def data(name: str, **extra: object) -> services.StakeholderData:
    fields: dict[str, object] = {"kind": "organization", "sector": Sector.FAITH, **extra}
    return services.StakeholderData(name=name, **fields)  # type: ignore[arg-type]


def test_a_name_is_taken_once_per_coalition_whatever_its_case(coalition, coalition_factory):
    # given a stakeholder
    first = services.create_stakeholder(coalition=coalition, data=data("St. Mark's"), by=None)
    # when the same name comes again, differently cased and spaced
    with pytest.raises(StakeholderExists) as refused:
        services.create_stakeholder(coalition=coalition, data=data("st.  MARK'S "), by=None)
    # then it is refused and names the existing one; another coalition may use the name
    assert refused.value.existing == first
    assert Stakeholder.objects.for_coalition(coalition).count() == 1
    other = services.create_stakeholder(
        coalition=coalition_factory(), data=data("St. Mark's"), by=None
    )
    assert other.pk != first.pk


def test_the_database_refuses_a_second_stakeholder_of_the_same_name(coalition):
    # given a stakeholder
    Stakeholder.objects.create(
        coalition=coalition, name="Mercy", kind="organization", sector="faith"
    )
    # when a writer skips the service
    with pytest.raises(IntegrityError), transaction.atomic():
        Stakeholder.objects.create(
            coalition=coalition, name="MERCY", kind="organization", sector="faith"
        )


def test_an_imported_id_is_unique_but_blank_ids_are_not(coalition):
    services.create_stakeholder(coalition=coalition, data=data("A", external_id="n1"), by=None)
    services.create_stakeholder(coalition=coalition, data=data("B"), by=None)
    services.create_stakeholder(coalition=coalition, data=data("C"), by=None)
    with pytest.raises(StakeholderExists, match="imported id"):
        services.create_stakeholder(coalition=coalition, data=data("D", external_id="n1"), by=None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  "}, "needs a name"),
        ({"kind": "planet"}, "Unknown kind"),
        ({"sector": "astrology"}, "Unknown sector"),
        ({"influence": 101}, "0 to 100"),
        ({"website": "javascript:alert(1)"}, "http"),
    ],
)
def test_bad_details_are_refused_and_nothing_is_made(coalition, fields, message):
    values = {"name": "Ok", **fields}
    name = values.pop("name")
    with pytest.raises(PowermapError, match=message):
        services.create_stakeholder(coalition=coalition, data=data(name, **values), by=None)
    assert not Stakeholder.objects.exists()


def test_updating_keeps_the_position_and_refuses_a_taken_name(coalition, stakeholder_factory):
    # given two stakeholders, one with a position
    a = stakeholder_factory(coalition, name="Alpha", position="supportive")
    stakeholder_factory(coalition, name="Beta")
    # when one is renamed and its influence changed
    services.update_stakeholder(
        stakeholder=a, data=data("Alpha Health", influence=80, kind="organization"), by=None
    )
    # then it keeps its position; the other's name is refused
    a.refresh_from_db()
    assert (a.name, a.influence, a.position) == ("Alpha Health", 80, "supportive")
    with pytest.raises(StakeholderExists):
        services.update_stakeholder(stakeholder=a, data=data("beta"), by=None)
    a.refresh_from_db()
    assert a.name == "Alpha Health"


def test_position_history_is_kept_and_the_latest_by_date_shows(coalition, stakeholder_factory):
    # given a stakeholder who was opposed a month ago
    chair = stakeholder_factory(coalition, kind="person", sector=Sector.GOVERNMENT)
    today = timezone.localdate()
    services.record_position(
        stakeholder=chair,
        position="opposed",
        on=today - dt.timedelta(days=30),
        evidence="Voted no in committee",
        by=None,
    )
    # when a later change and then an older, forgotten one are recorded
    services.record_position(
        stakeholder=chair,
        position="supportive",
        on=today - dt.timedelta(days=2),
        evidence="Op-ed",
        source_url="https://news.example.org/op-ed",
        by=None,
    )
    services.record_position(
        stakeholder=chair,
        position="skeptical",
        on=today - dt.timedelta(days=10),
        evidence="Town hall",
        by=None,
    )
    # then the history has all three and the latest by date shows
    chair.refresh_from_db()
    assert (chair.position, chair.position_on) == ("supportive", today - dt.timedelta(days=2))
    assert list(
        PositionChange.objects.filter(stakeholder=chair).values_list("position", flat=True)
    ) == ["opposed", "skeptical", "supportive"]


@pytest.mark.parametrize(
    ("position", "days", "evidence", "message"),
    [
        ("supportive", 0, " ", "rests on"),
        ("supportive", -1, "Op-ed", "not in advance"),
        ("ecstatic", 0, "Op-ed", "Unknown position"),
    ],
)
def test_a_position_without_evidence_or_in_the_future_is_refused(
    coalition, stakeholder_factory, position, days, evidence, message
):
    chair = stakeholder_factory(coalition)
    with pytest.raises(PowermapError, match=message):
        services.record_position(
            stakeholder=chair,
            position=position,
            on=timezone.localdate() - dt.timedelta(days=days),
            evidence=evidence,
            by=None,
        )
    chair.refresh_from_db()
    assert chair.position == "unknown"
    assert not PositionChange.objects.exists()


def test_an_undirected_tie_is_stored_once_with_the_lower_id_first(coalition, stakeholder_factory):
    # given two stakeholders
    a, b = stakeholder_factory(coalition), stakeholder_factory(coalition)
    # when an alliance is recorded from the higher id to the lower
    tie = services.add_relationship(
        source=b, target=a, kind="allied_with", evidence="Joint letter", by=None
    )
    # then it is stored from the lower id, and the same alliance the other way is a duplicate
    assert (tie.source_id, tie.target_id) == (a.pk, b.pk)
    assert not tie.is_directed
    with pytest.raises(RelationshipExists) as refused:
        services.add_relationship(source=a, target=b, kind="allied_with", evidence="Again", by=None)
    assert refused.value.existing == tie
    # while a directed kind may go both ways
    services.add_relationship(source=b, target=a, kind="funds", evidence="Grant", by=None)
    services.add_relationship(source=a, target=b, kind="funds", evidence="Grant back", by=None)
    assert Relationship.objects.count() == 3


def test_the_database_refuses_a_duplicate_tie_a_self_loop_and_a_reversed_alliance(
    coalition, stakeholder_factory
):
    a, b = stakeholder_factory(coalition), stakeholder_factory(coalition)
    Relationship.objects.create(coalition=coalition, source=a, target=b, kind="funds", evidence="x")
    rows = [
        {"source": a, "target": b, "kind": "funds"},  # duplicate
        {"source": a, "target": a, "kind": "opposes"},  # self-loop
        {"source": b, "target": a, "kind": "personal_tie"},  # undirected, higher id first
        {"source": a, "target": b, "kind": "opposes", "weight": Decimal(11)},
        {"source": a, "target": b, "kind": "employs", "evidence": ""},
    ]
    for row in rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            Relationship.objects.create(coalition=coalition, **{"evidence": "x", **row})
    assert Relationship.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"evidence": ""}, "how you know"),
        ({"weight": "0"}, "weight"),
        ({"weight": "nan"}, "weight"),
        ({"kind": "loves"}, "Unknown kind"),
        ({"source_url": "ftp://x"}, "http"),
    ],
)
def test_a_tie_without_evidence_or_with_a_bad_weight_is_refused(
    coalition, stakeholder_factory, fields, message
):
    a, b = stakeholder_factory(coalition), stakeholder_factory(coalition)
    values = {"kind": "funds", "evidence": "Report", **fields}
    with pytest.raises(PowermapError, match=message):
        services.add_relationship(source=a, target=b, by=None, **values)
    assert not Relationship.objects.exists()


def test_no_tie_across_coalitions_or_to_itself(coalition, coalition_factory, stakeholder_factory):
    a = stakeholder_factory(coalition)
    foreign = stakeholder_factory(coalition_factory())
    with pytest.raises(PowermapError, match="same coalition"):
        services.add_relationship(source=a, target=foreign, kind="funds", evidence="x", by=None)
    with pytest.raises(PowermapError, match="itself"):
        services.add_relationship(source=a, target=a, kind="funds", evidence="x", by=None)
    assert not Relationship.objects.exists()


def test_updating_a_tie_to_an_undirected_kind_stores_it_once(coalition, stakeholder_factory):
    # given a tie from the higher id to the lower, and an alliance between them already
    a, b = stakeholder_factory(coalition), stakeholder_factory(coalition)
    tie = services.add_relationship(source=b, target=a, kind="funds", evidence="Grant", by=None)
    # when it becomes a personal tie
    services.update_relationship(
        relationship=tie, kind="personal_tie", evidence="Old friends", weight="2.5", by=None
    )
    # then it is stored from the lower id
    tie.refresh_from_db()
    assert (tie.source_id, tie.target_id, tie.kind, tie.weight) == (
        a.pk,
        b.pk,
        "personal_tie",
        Decimal("2.50"),
    )
    # and turning another tie into the same kind is refused, leaving it as it was
    other = services.add_relationship(source=a, target=b, kind="funds", evidence="Grant", by=None)
    with pytest.raises(RelationshipExists):
        services.update_relationship(
            relationship=other, kind="personal_tie", evidence="Friends", by=None
        )
    other.refresh_from_db()
    assert other.kind == "funds"


def test_removing_a_tie(coalition, stakeholder_factory, relationship_factory):
    tie = relationship_factory(stakeholder_factory(coalition), stakeholder_factory(coalition))
    services.remove_relationship(relationship=tie, by=None)
    assert not Relationship.objects.exists()


def test_tags_are_made_once_per_name(coalition, stakeholder_factory):
    a, b = stakeholder_factory(coalition), stakeholder_factory(coalition)
    services.tag_stakeholder(stakeholder=a, name="Health committee")
    services.tag_stakeholder(stakeholder=b, name="health  COMMITTEE")
    assert StakeholderTag.objects.count() == 1
    services.set_stakeholder_tags(stakeholder=a, names=["Donor", "donor", ""])
    assert [t.name for t in a.tags.all()] == ["Donor"]
    assert [t.name for t in b.tags.all()] == ["Health committee"]


def test_a_merge_keeps_every_relationship(coalition, stakeholder_factory, relationship_factory):
    # given a stakeholder entered twice, each copy with ties, evidence, tags and history
    kept = stakeholder_factory(coalition, name="Mercy Health", tags=("hospital",))
    duplicate = stakeholder_factory(
        coalition, name="Mercy Health System", position="supportive", tags=("faith", "hospital")
    )
    funder, chair, paper, friend = (stakeholder_factory(coalition) for _ in range(4))
    relationship_factory(funder, kept, "funds")
    same = relationship_factory(funder, duplicate, "funds")  # the same tie: an exact duplicate
    relationship_factory(duplicate, chair, "board_seat")
    relationship_factory(paper, duplicate, "covers")
    relationship_factory(duplicate, funder, "funds")  # the other direction: a different tie
    relationship_factory(friend, duplicate, "allied_with")  # undirected, renormalized
    relationship_factory(kept, duplicate, "opposes")  # between the two: would be a self-loop
    others = {funder.pk, chair.pk, paper.pk, friend.pk}
    ties_before = {
        (
            r.source_id if r.source_id != duplicate.pk else kept.pk,
            r.target_id if r.target_id != duplicate.pk else kept.pk,
            r.kind,
        )
        for r in Relationship.objects.all()
    }
    # when the copies are merged
    merge = services.merge_stakeholders(kept=kept, duplicate=duplicate, by=None)
    # then every tie to another stakeholder is on the kept one, each once
    ties_after = list(Relationship.objects.values_list("source_id", "target_id", "kind"))
    assert len(ties_after) == len(set(ties_after)) == 5
    assert {t for t in ties_before if t[0] != t[1]} == {
        (min(s, t), max(s, t), k) if k == "allied_with" else (s, t, k) for s, t, k in ties_after
    }
    assert all({s, t} - {kept.pk} <= others for s, t, _ in ties_after)
    # the duplicate's evidence is kept on the tie both had
    joined = Relationship.objects.get(source=funder, target=kept, kind="funds")
    assert same.evidence in joined.evidence
    # tags, history and position moved; the duplicate is gone; the merge is logged
    kept.refresh_from_db()
    assert sorted(t.name for t in kept.tags.all()) == ["faith", "hospital"]
    assert kept.position == "supportive"
    assert PositionChange.objects.filter(stakeholder=kept).count() == 1
    assert not Stakeholder.objects.filter(pk=duplicate.pk).exists()
    assert (merge.relationships_moved, merge.relationships_dropped) == (4, 2)
    assert (merge.merged_name, merge.positions_moved, merge.tags_added) == (
        "Mercy Health System",
        1,
        1,
    )
    assert StakeholderMerge.objects.get().kept == kept


def test_a_merge_takes_the_links_the_kept_one_lacks(
    coalition, stakeholder_factory, membership_factory
):
    # given a member organization's stakeholder and a copy entered by hand, with an imported id
    member = membership_factory(coalition, name="Food Bank")
    linked = services.ensure_stakeholder_for_organization(organization=member.organization)
    typed = services.create_stakeholder(
        coalition=coalition, data=data("The Food Bank", external_id="kumu-7"), by=None
    )
    # when the linked one is folded into the hand-entered one
    services.merge_stakeholders(kept=typed, duplicate=linked, by=None)
    # then the kept one is the organization's stakeholder and keeps its id
    typed.refresh_from_db()
    assert (typed.organization, typed.held_by, typed.external_id) == (
        member.organization,
        member,
        "kumu-7",
    )


def test_a_merge_across_coalitions_or_with_itself_is_refused(
    coalition, coalition_factory, stakeholder_factory
):
    a = stakeholder_factory(coalition)
    with pytest.raises(PowermapError):
        services.merge_stakeholders(kept=a, duplicate=a, by=None)
    with pytest.raises(PowermapError):
        services.merge_stakeholders(
            kept=a, duplicate=stakeholder_factory(coalition_factory()), by=None
        )
    assert Stakeholder.objects.count() == 2


def test_member_organizations_get_one_stakeholder(coalition, membership_factory):
    # given a member organization
    member = membership_factory(coalition, name="Riverside Clinic", sector=Sector.HEALTH_CARE)
    # when its stakeholder is asked for twice
    first = services.ensure_stakeholder_for_organization(organization=member.organization)
    again = services.ensure_stakeholder_for_organization(organization=member.organization)
    # then there is one, held by the member, of its sector
    assert first.pk == again.pk
    assert (first.kind, first.sector, first.held_by, first.origin) == (
        "organization",
        Sector.HEALTH_CARE,
        member,
        "linked",
    )


def test_an_entered_organization_of_the_same_name_is_linked_not_copied(
    coalition, stakeholder_factory, membership_factory
):
    entered = stakeholder_factory(coalition, name="Riverside Clinic")
    member = membership_factory(coalition, name="riverside clinic")
    assert services.ensure_stakeholder_for_organization(organization=member.organization) == entered
    assert Stakeholder.objects.count() == 1


def test_a_decision_maker_takes_the_campaign_positions_with_evidence(coalition):
    # given a decision-maker targeted by a campaign, first opposed then committed
    today = timezone.localdate()
    campaign = campaign_services.create_campaign(
        coalition=coalition,
        name="Beds",
        theory_of_change="If we show the cost, they fund it.",
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=60),
        created_by=None,
    )
    maker = campaign_services.add_decision_maker(
        coalition=coalition, name="Sen. Holloway", title="Chair", body="State Senate"
    )
    target = campaign_services.add_target(
        campaign=campaign,
        decision_maker=maker,
        position="opposed",
        on=today - dt.timedelta(days=20),
        evidence="Floor speech",
        recorded_by=None,
    )
    campaign_services.record_position(
        target=target,
        position="committed",
        on=today - dt.timedelta(days=1),
        evidence="Signed the pledge",
        by=None,
    )
    office = campaign_services.add_decision_maker(coalition=coalition, name="Health Committee")
    # when the coalition's stakeholders are ensured (twice)
    assert services.ensure_stakeholders_for_coalition(coalition=coalition) == 2
    assert services.ensure_stakeholders_for_coalition(coalition=coalition) == 0
    # then the senator is a champion of the government sector, with both changes as evidence
    senator = Stakeholder.objects.get(decision_maker=maker)
    assert (senator.kind, senator.sector, senator.position) == ("person", "government", "champion")
    assert senator.description == "Chair, State Senate"
    assert [(c.position, c.evidence) for c in senator.position_changes.all()] == [
        ("opposed", "Floor speech (campaign Beds: opposed)"),
        ("champion", "Signed the pledge (campaign Beds: committed)"),
    ]
    assert Stakeholder.objects.get(decision_maker=office).kind == "office"


def test_a_decision_maker_whose_name_is_taken_gets_a_suffix(coalition, stakeholder_factory):
    stakeholder_factory(coalition, name="Holloway", kind="organization")
    maker = campaign_services.add_decision_maker(coalition=coalition, name="Holloway")
    made = services.ensure_stakeholder_for_decision_maker(decision_maker=maker)
    assert made.name == "Holloway (decision-maker)"


def test_a_refused_update_changes_neither_details_nor_tags(coalition, stakeholder_factory):
    a = stakeholder_factory(coalition, name="Alpha", tags=("donor",))
    stakeholder_factory(coalition, name="Beta")
    with pytest.raises(StakeholderExists):
        services.update_stakeholder(
            stakeholder=a, data=data("Beta", influence=10), tags=["hospital"], by=None
        )
    assert a.name == "Alpha"  # the caller's copy too
    a = Stakeholder.objects.get(pk=a.pk)
    assert (a.name, a.influence, [t.name for t in a.tags.all()]) == ("Alpha", 50, ["donor"])
