"""Frameworks and versions: drafts change, proposals are complete, a decision adopts, the diff."""

from __future__ import annotations

import copy

import pytest
from django.contrib.contenttypes.models import ContentType

from cairn.coalitions.models import Role
from cairn.governance import services as governance
from cairn.governance.models import Authorization
from cairn.narrative import document, selectors, services
from cairn.narrative.models import FrameworkVersion
from cairn.narrative.services import NarrativeError, NotAllowed

from .conftest import decide, framework_json

pytestmark = pytest.mark.django_db
Status = FrameworkVersion.Status


def test_a_decision_adopts_a_proposed_version_and_supersedes_the_last(world):
    # given version 1 adopted, and a version 2 drafted, changed and proposed
    v2 = services.create_version(framework=world.framework, by=world.steward)
    assert v2.number == 2
    assert v2.status == Status.DRAFT
    assert v2.content == world.version.content  # copied from the adopted version
    content = copy.deepcopy(v2.content)
    content["core_message"] = "Everyone in crisis deserves care within the hour, close to home."
    services.update_version(version=v2, content=content, note="Closer to home", by=world.steward)
    services.propose_version(version=v2, by=world.steward)
    # when a recorded decision adopts it
    outcome = decide(world.coalition, "Adopt v2")
    services.adopt_version(version=v2, outcome=outcome, by=world.steward)
    # then v2 is in effect, v1 superseded, and the decision authorizes v2
    world.version.refresh_from_db()
    v2.refresh_from_db()
    assert (world.version.status, v2.status) == (Status.SUPERSEDED, Status.ADOPTED)
    assert selectors.adopted(framework=world.framework) == v2
    link = Authorization.objects.get(
        content_type=ContentType.objects.get_for_model(FrameworkVersion), object_id=str(v2.pk)
    )
    assert link.outcome == outcome


def test_a_version_linked_on_the_governance_page_is_adopted(world, client):
    # given a proposed version 2 that a decision authorizes through governance's own page
    v2 = services.create_version(framework=world.framework, by=world.steward)
    services.propose_version(version=v2, by=world.steward)
    governance.authorize(outcome=decide(world.coalition, "v2"), target=v2)
    assert FrameworkVersion.objects.get(pk=v2.pk).status == Status.PROPOSED
    # when anyone opens the framework page
    client.force_login(world.viewer.user)
    response = client.get(f"/c/{world.coalition.slug}/narrative/frameworks/{world.framework.pk}/")
    # then it is in effect
    assert response.status_code == 200
    assert FrameworkVersion.objects.get(pk=v2.pk).status == Status.ADOPTED
    assert FrameworkVersion.objects.get(pk=world.version.pk).status == Status.SUPERSEDED
    assert "In effect: version 2" in response.content.decode()


def test_only_a_proposed_version_is_adopted(world):
    v2 = services.create_version(framework=world.framework, by=world.steward)
    with pytest.raises(NarrativeError, match="only a proposed version"):
        services.adopt_version(version=v2, outcome=decide(world.coalition), by=world.steward)
    assert FrameworkVersion.objects.get(pk=v2.pk).status == Status.DRAFT
    assert not Authorization.objects.filter(object_id=str(v2.pk)).exists()


def test_a_decision_of_another_coalition_adopts_nothing(
    world, coalition_factory, membership_factory
):
    v2 = services.create_version(framework=world.framework, by=world.steward)
    services.propose_version(version=v2, by=world.steward)
    other = coalition_factory()
    membership_factory(other)
    with pytest.raises(NarrativeError, match="its own coalition"):
        services.adopt_version(version=v2, outcome=decide(other), by=world.steward)
    assert FrameworkVersion.objects.get(pk=v2.pk).status == Status.PROPOSED


def test_only_a_draft_changes(world):
    with pytest.raises(NarrativeError, match="only a draft changes"):
        services.update_version(
            version=world.version, content=framework_json(), note="", by=world.steward
        )
    assert FrameworkVersion.objects.get(pk=world.version.pk).content == world.version.content


def test_one_draft_at_a_time(world):
    services.create_version(framework=world.framework, by=world.steward)
    with pytest.raises(NarrativeError, match="already has a draft"):
        services.create_version(framework=world.framework, by=world.steward)


def test_bad_framework_json_is_refused_with_the_path(world):
    v2 = services.create_version(framework=world.framework, by=world.steward)
    bad = framework_json()
    bad["pillars"][1]["key_messages"][0]["id"] = "Not An Id"
    bad["terms_avoid"].append({"replacement": "x"})
    with pytest.raises(NarrativeError) as error:
        services.update_version(version=v2, content=bad, note="", by=world.steward)
    assert "pillars[1].key_messages[0].id" in str(error.value)
    assert "terms_avoid[2]" in str(error.value)
    assert FrameworkVersion.objects.get(pk=v2.pk).content == world.version.content


def test_a_proof_point_cites_only_the_coalitions_objectives(world, coalition_factory):
    v2 = services.create_version(framework=world.framework, by=world.steward)
    content = framework_json(objective_id=world.objective.pk + 1000)
    with pytest.raises(NarrativeError, match="not one of this coalition's"):
        services.update_version(version=v2, content=content, note="", by=world.steward)


def test_a_proposal_needs_three_to_six_pillars_a_core_message_and_an_ask(world):
    v2 = services.create_version(framework=world.framework, by=world.steward)
    content = framework_json()
    content["pillars"] = content["pillars"][:2]
    content["ask"] = ""
    services.update_version(version=v2, content=content, note="", by=world.steward)
    with pytest.raises(NarrativeError) as error:
        services.propose_version(version=v2, by=world.steward)
    assert "3 to 6 pillars (this one has 2)" in str(error.value)
    assert "the ask is required" in str(error.value)
    assert FrameworkVersion.objects.get(pk=v2.pk).status == Status.DRAFT


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.VIEWER])
def test_only_stewards_edit_the_framework(world, role):
    staff = world.organizer if role == Role.ORGANIZER else world.viewer
    with pytest.raises(NotAllowed):
        services.create_version(framework=world.framework, by=staff)
    assert world.framework.versions.count() == 1


def test_the_proof_point_shows_the_objectives_live_figure(world):
    view = selectors.version_view(world.version)
    beds = next(p for p in view.pillars if p.id == "beds")
    figure = beds.proof_points[0].figure
    assert figure is not None
    assert figure.text == "18 → 22.4"


def test_the_diff_names_each_changed_field_pillar_and_key_message():
    old = framework_json()
    new = copy.deepcopy(old)
    new["core_message"] = "Everyone in a mental-health crisis deserves care right away."
    new["pillars"][0]["key_messages"][0]["text"] += " Now."
    new["pillars"][2]["name"] = "Money"
    del new["pillars"][1]
    new["pillars"].append({"id": "voices", "name": "Voices", "key_messages": []})
    new["terms_avoid"].remove("crazy")
    changes = document.diff(old, new)
    where = [(c.where, c.change) for c in changes]
    assert where == [
        ("Core message", "changed"),
        ("Pillar 'Beds' › key message beds-now", "changed"),
        ("Pillar 'Response times'", "removed"),
        ("Pillar 'Money' › name", "changed"),
        ("Pillar 'Voices'", "added"),
        ("Terms to avoid", "removed"),
    ]
    words = changes[0].words
    assert ("removed", "within the hour.") in words
    assert ("added", "right away.") in words
    assert document.diff(old, copy.deepcopy(old)) == []
