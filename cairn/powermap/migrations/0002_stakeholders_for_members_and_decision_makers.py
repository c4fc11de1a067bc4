"""Every member organization and every campaign decision-maker gets its stakeholder.

A member organization becomes an `organization` stakeholder of its sector, its mission as the
description, held by its own membership. A decision-maker becomes a `person` (or an `office`, when
its name names an institution) of the government sector; its position is that of its latest
campaign target (opposed → opposed, undecided → neutral, supportive → supportive, committed and
acted → champion), and the campaigns' position changes are copied into the stakeholder's history
with their evidence, so nothing recorded is lost. A name already taken in the coalition gets a
suffix rather than being dropped. The reverse deletes only the stakeholders made here
(`origin = "migrated"`).

Self-contained on purpose (historical models, no import of the app's code): the services'
`ensure_stakeholder_for_*` apply the same rules to rows made later.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations

MIGRATED = "migrated"
CAMPAIGN_TO_STAKEHOLDER = {
    "opposed": "opposed",
    "undecided": "neutral",
    "supportive": "supportive",
    "committed": "champion",
    "acted": "champion",
}
OFFICE_WORDS = re.compile(
    r"\b(committee|office|department|board|council|commission|agency|ministry|bureau|"
    r"authority|caucus|administration|senate|assembly|legislature|court)\b",
    re.IGNORECASE,
)


def free_name(name: str, suffix: str, taken: set[str]) -> str:
    """The name, or the name with a suffix (and a number) when the coalition has it already."""
    candidate = name[:200]
    n = 1
    while candidate.lower() in taken:
        label = suffix if n == 1 else f"{suffix} {n}"
        candidate = f"{name[: 200 - len(label) - 3]} ({label})"
        n += 1
    taken.add(candidate.lower())
    return candidate


def forward(apps: Any, schema_editor: Any) -> None:
    Organization = apps.get_model("coalitions", "Organization")
    DecisionMaker = apps.get_model("campaigns", "DecisionMaker")
    DecisionTarget = apps.get_model("campaigns", "DecisionTarget")
    CampaignPositionChange = apps.get_model("campaigns", "PositionChange")
    Stakeholder = apps.get_model("powermap", "Stakeholder")
    PositionChange = apps.get_model("powermap", "PositionChange")

    taken: dict[int, set[str]] = {}

    def names_of(coalition_id: int) -> set[str]:
        if coalition_id not in taken:
            taken[coalition_id] = {
                name.lower()
                for name in Stakeholder.objects.filter(coalition_id=coalition_id).values_list(
                    "name", flat=True
                )
            }
        return taken[coalition_id]

    organizations = (
        Organization.objects.filter(membership__isnull=False, stakeholder__isnull=True)
        .select_related("membership")
        .order_by("pk")
    )
    for organization in organizations.iterator():
        Stakeholder.objects.create(
            coalition_id=organization.coalition_id,
            name=free_name(organization.name, "member", names_of(organization.coalition_id)),
            kind="organization",
            sector=organization.sector,
            description=organization.mission,
            website=organization.website,
            held_by_id=organization.membership.pk,
            organization_id=organization.pk,
            origin=MIGRATED,
            created_at=organization.created_at,
        )

    for maker in DecisionMaker.objects.filter(stakeholder__isnull=True).order_by("pk").iterator():
        targets = list(
            DecisionTarget.objects.filter(decision_maker_id=maker.pk)
            .select_related("campaign")
            .order_by("position_on", "pk")
        )
        latest = targets[-1] if targets else None
        description = ", ".join(part for part in (maker.title, maker.body) if part)
        stakeholder = Stakeholder.objects.create(
            coalition_id=maker.coalition_id,
            name=free_name(maker.name, "decision-maker", names_of(maker.coalition_id)),
            kind="office" if OFFICE_WORDS.search(maker.name) else "person",
            sector="government",
            position=CAMPAIGN_TO_STAKEHOLDER[latest.position] if latest else "unknown",
            position_on=latest.position_on if latest else None,
            description=description,
            decision_maker_id=maker.pk,
            origin=MIGRATED,
        )
        campaigns = {target.pk: target.campaign.name for target in targets}
        history = CampaignPositionChange.objects.filter(target_id__in=campaigns).order_by(
            "on", "pk"
        )
        PositionChange.objects.bulk_create(
            PositionChange(
                coalition_id=maker.coalition_id,
                stakeholder_id=stakeholder.pk,
                position=CAMPAIGN_TO_STAKEHOLDER[change.position],
                on=change.on,
                evidence=(
                    f"{change.evidence.strip() or 'Recorded'} "
                    f"(campaign {campaigns[change.target_id]}: {change.position})"
                ),
                recorded_by_id=change.recorded_by_id,
                recorded_at=change.recorded_at,
            )
            for change in history
        )


def backward(apps: Any, schema_editor: Any) -> None:
    Stakeholder = apps.get_model("powermap", "Stakeholder")
    Stakeholder.objects.filter(origin=MIGRATED).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("powermap", "0001_stakeholders_and_relationships"),
        ("campaigns", "0003_objective_reporter_and_measurement_review"),
        ("coalitions", "0004_delivery_excess_reason"),
    ]

    operations = [migrations.RunPython(forward, backward)]
