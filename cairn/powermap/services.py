"""Use cases of the power map: the only code that writes its tables.

- create_stakeholder: one stakeholder per name (case-insensitive) and per imported id in a
  coalition (unique constraints, reported as StakeholderExists); its membership is the coalition's.
- update_stakeholder: the same rules as creation; the position is not edited here (record_position).
- record_position: a dated change with its evidence is added to the history, never rewritten; the
  stakeholder shows the latest change by date.
- add_relationship: evidence is required; an undirected kind is stored once with source < target
  (a check constraint); one tie per (source, target, kind) (a unique constraint, reported as
  RelationshipExists); never a self-loop; both ends in the same coalition.
- update_relationship: the same rules as adding, on the tie's kind, weight and evidence.
- remove_relationship: removes one tie.
- tag_stakeholder / untag_stakeholder / set_stakeholder_tags: a tag per name (case-insensitive) and
  coalition, made when first used.
- merge_stakeholders: every relationship, tag, position change and link of the duplicate ends up
  on the kept stakeholder (a tie it already had gets the duplicate's evidence; a tie between the
  two disappears rather than becoming a self-loop); the duplicate is deleted and the merge logged.
- ensure_stakeholder_for_organization / ensure_stakeholder_for_decision_maker: a member
  organization or decision-maker has exactly one stakeholder (one-to-one keys); calling again
  returns it.
- ensure_stakeholders_for_coalition: every member organization and decision-maker of the
  coalition has its stakeholder (two queries when nothing is missing).

Every write to the graph calls `cairn.powermap.analysis.request_recompute(coalition)`, which
enqueues one recompute of the figures on commit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cairn.accounts.models import User
from cairn.campaigns.models import DecisionMaker, DecisionTarget
from cairn.campaigns.models import PositionChange as CampaignPositionChange
from cairn.coalitions.models import Coalition, Membership, Organization, Sector

from . import analysis
from .models import (
    UNDIRECTED_KINDS,
    WEIGHT_MAX,
    WEIGHT_MIN,
    PositionChange,
    Relationship,
    RelationshipKind,
    Stakeholder,
    StakeholderKind,
    StakeholderMerge,
    StakeholderOrigin,
    StakeholderPosition,
    StakeholderTag,
)

# A campaign target's position on the stakeholder scale.
CAMPAIGN_TO_STAKEHOLDER: dict[str, str] = {
    "opposed": StakeholderPosition.OPPOSED,
    "undecided": StakeholderPosition.NEUTRAL,
    "supportive": StakeholderPosition.SUPPORTIVE,
    "committed": StakeholderPosition.CHAMPION,
    "acted": StakeholderPosition.CHAMPION,
}
# A decision-maker whose name names an institution is an office, not a person.
OFFICE_WORDS = re.compile(
    r"\b(committee|office|department|board|council|commission|agency|ministry|bureau|"
    r"authority|caucus|administration|senate|assembly|legislature|court)\b",
    re.IGNORECASE,
)
NAME_MAX = 200


class PowermapError(Exception):
    """A use case refused: the message is safe to show to the user."""


class StakeholderExists(PowermapError):
    """Another stakeholder of the coalition has that name or imported id."""

    def __init__(self, message: str, *, existing: Stakeholder | None) -> None:
        super().__init__(message)
        self.existing = existing


class RelationshipExists(PowermapError):
    """The two stakeholders already have a tie of that kind."""

    def __init__(self, message: str, *, existing: Relationship | None) -> None:
        super().__init__(message)
        self.existing = existing


@dataclass(frozen=True, slots=True)
class StakeholderData:
    """What a person edits about a stakeholder (the position has its own use case)."""

    name: str
    kind: str
    sector: str
    influence: int = 50
    description: str = ""
    website: str = ""
    held_by: Membership | None = None
    external_id: str = ""


# --- stakeholders ---------------------------------------------------------------------------------


def _clean(coalition_id: int, data: StakeholderData) -> dict[str, Any]:
    name = " ".join(data.name.split())
    if not name:
        raise PowermapError("A stakeholder needs a name.")
    if len(name) > NAME_MAX:
        raise PowermapError(f"A name has at most {NAME_MAX} characters.")
    if data.kind not in StakeholderKind.values:
        raise PowermapError(f"Unknown kind {data.kind!r}: one of {', '.join(StakeholderKind)}.")
    if data.sector not in Sector.values:
        raise PowermapError(f"Unknown sector {data.sector!r}.")
    if not 0 <= data.influence <= 100:
        raise PowermapError("Influence is an estimate from 0 to 100.")
    website = data.website.strip()
    if website and not website.lower().startswith(("http://", "https://")):
        raise PowermapError("A website starts with http:// or https://.")
    if data.held_by is not None and data.held_by.coalition_id != coalition_id:
        raise PowermapError("The member organization belongs to another coalition.")
    return {
        "name": name,
        "kind": data.kind,
        "sector": data.sector,
        "influence": data.influence,
        "description": data.description.strip(),
        "website": website,
        "held_by": data.held_by,
        "external_id": data.external_id.strip(),
    }


def _clash(
    coalition_id: int, name: str, external_id: str, exclude: int | None
) -> StakeholderExists:
    others = Stakeholder.objects.for_coalition(coalition_id)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    same_name = others.filter(name__iexact=name).first()
    if same_name is not None:
        return StakeholderExists(f"The power map already has {same_name.name}.", existing=same_name)
    same_id = others.filter(external_id=external_id).first() if external_id else None
    return StakeholderExists(
        f"Another stakeholder has the imported id {external_id!r}.", existing=same_id
    )


@transaction.atomic
def create_stakeholder(
    *,
    coalition: Coalition,
    data: StakeholderData,
    by: User | None,
    tags: Sequence[str] = (),
    origin: str = StakeholderOrigin.ENTERED,
) -> Stakeholder:
    """A new stakeholder of the coalition, with its tags."""
    fields = _clean(coalition.pk, data)
    try:
        with transaction.atomic():
            stakeholder = Stakeholder.objects.create(
                coalition=coalition, origin=origin, created_by=by, **fields
            )
    except IntegrityError:
        raise _clash(coalition.pk, fields["name"], fields["external_id"], None) from None
    if tags:
        set_stakeholder_tags(stakeholder=stakeholder, names=tags)
    analysis.request_recompute(coalition)
    return stakeholder


@transaction.atomic
def update_stakeholder(
    *,
    stakeholder: Stakeholder,
    data: StakeholderData,
    by: User | None,
    tags: Sequence[str] | None = None,
) -> Stakeholder:
    """The stakeholder with these details (and exactly these tags, when given); its position
    and history are left as they are."""
    fields = _clean(stakeholder.coalition_id, data)
    before = {name: getattr(stakeholder, name) for name in fields}
    for name, value in fields.items():
        setattr(stakeholder, name, value)
    try:
        with transaction.atomic():
            stakeholder.save(update_fields=list(fields))
    except IntegrityError:
        for name, value in before.items():  # the caller's copy shows what is stored
            setattr(stakeholder, name, value)
        raise _clash(
            stakeholder.coalition_id, fields["name"], fields["external_id"], stakeholder.pk
        ) from None
    if tags is not None:
        set_stakeholder_tags(stakeholder=stakeholder, names=tags)
    analysis.request_recompute(stakeholder.coalition)
    return stakeholder


def _refresh_position(stakeholder: Stakeholder) -> None:
    latest = (
        PositionChange.objects.filter(stakeholder_id=stakeholder.pk).order_by("-on", "-pk").first()
    )
    position = latest.position if latest else StakeholderPosition.UNKNOWN
    on = latest.on if latest else None
    Stakeholder.objects.filter(pk=stakeholder.pk).update(position=position, position_on=on)
    stakeholder.position, stakeholder.position_on = position, on


@transaction.atomic
def record_position(
    *,
    stakeholder: Stakeholder,
    position: str,
    on: dt.date,
    evidence: str,
    by: User | None,
    source_url: str = "",
) -> PositionChange:
    """Add a dated position with its evidence; the stakeholder shows the latest by date."""
    if position not in StakeholderPosition.values:
        raise PowermapError(f"Unknown position {position!r}.")
    if on > timezone.localdate():
        raise PowermapError("A position is recorded once it is known, not in advance.")
    if not evidence.strip():
        raise PowermapError("Say what the position rests on: a vote, a statement, a meeting.")
    source_url = source_url.strip()
    if source_url and not source_url.lower().startswith(("http://", "https://")):
        raise PowermapError("A source address starts with http:// or https://.")
    # one writer at a time per stakeholder, so the position shown is the latest of the history
    Stakeholder.objects.select_for_update().filter(pk=stakeholder.pk).first()
    change = PositionChange.objects.create(
        coalition_id=stakeholder.coalition_id,
        stakeholder=stakeholder,
        position=position,
        on=on,
        evidence=evidence.strip(),
        source_url=source_url,
        recorded_by=by,
    )
    _refresh_position(stakeholder)
    analysis.request_recompute(stakeholder.coalition)
    return change


# --- tags -----------------------------------------------------------------------------------------


def _tag(coalition_id: int, name: str) -> StakeholderTag:
    name = " ".join(name.split())
    if not name:
        raise PowermapError("A tag needs a name.")
    if len(name) > 80:
        raise PowermapError("A tag has at most 80 characters.")
    existing = StakeholderTag.objects.for_coalition(coalition_id).filter(name__iexact=name).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return StakeholderTag.objects.create(coalition_id=coalition_id, name=name)
    except IntegrityError:  # made by a concurrent writer since we looked
        return StakeholderTag.objects.for_coalition(coalition_id).get(name__iexact=name)


@transaction.atomic
def tag_stakeholder(*, stakeholder: Stakeholder, name: str) -> StakeholderTag:
    """The stakeholder carries the tag of that name (made when new)."""
    tag = _tag(stakeholder.coalition_id, name)
    stakeholder.tags.add(tag)
    return tag


@transaction.atomic
def untag_stakeholder(*, stakeholder: Stakeholder, tag: StakeholderTag) -> None:
    """The stakeholder no longer carries the tag (the tag stays for others)."""
    stakeholder.tags.remove(tag)


@transaction.atomic
def set_stakeholder_tags(*, stakeholder: Stakeholder, names: Iterable[str]) -> list[StakeholderTag]:
    """The stakeholder carries exactly these tags."""
    tags: dict[int, StakeholderTag] = {}
    for name in names:
        if name.strip():
            tag = _tag(stakeholder.coalition_id, name)
            tags[tag.pk] = tag
    stakeholder.tags.set(list(tags.values()))
    return sorted(tags.values(), key=lambda t: t.name.lower())


# --- relationships --------------------------------------------------------------------------------


def _weight(weight: Decimal | float | int | str) -> Decimal:
    try:
        value = Decimal(str(weight))
    except (InvalidOperation, ValueError):
        raise PowermapError(f"A weight is a number from {WEIGHT_MIN} to {WEIGHT_MAX}.") from None
    if not (value.is_finite() and WEIGHT_MIN <= value <= WEIGHT_MAX):
        raise PowermapError(f"A weight is a number from {WEIGHT_MIN} to {WEIGHT_MAX}.")
    return value.quantize(Decimal("0.01"))


def _ends(source: Stakeholder, target: Stakeholder, kind: str) -> tuple[Stakeholder, Stakeholder]:
    """The ends as stored: an undirected kind with the lower id first."""
    if kind not in RelationshipKind.values:
        raise PowermapError(f"Unknown kind of relationship {kind!r}.")
    if source.coalition_id != target.coalition_id:
        raise PowermapError("Both stakeholders must belong to the same coalition.")
    if source.pk == target.pk:
        raise PowermapError("A stakeholder cannot have a relationship with itself.")
    if kind in UNDIRECTED_KINDS and source.pk > target.pk:
        return target, source
    return source, target


def _evidence(evidence: str, source_url: str) -> tuple[str, str]:
    if not evidence.strip():
        raise PowermapError("Say how you know: a note, a filing, an article.")
    source_url = source_url.strip()
    if source_url and not source_url.lower().startswith(("http://", "https://")):
        raise PowermapError("A source address starts with http:// or https://.")
    return evidence.strip(), source_url


def _existing_tie(source: Stakeholder, target: Stakeholder, kind: str) -> RelationshipExists:
    existing = Relationship.objects.filter(source=source, target=target, kind=kind).first()
    label = RelationshipKind(kind).label.lower()
    return RelationshipExists(
        f"{source.name} already has “{label}” with {target.name}.", existing=existing
    )


@transaction.atomic
def add_relationship(
    *,
    source: Stakeholder,
    target: Stakeholder,
    kind: str,
    evidence: str,
    by: User | None,
    weight: Decimal | float | int | str = Decimal(1),
    source_url: str = "",
    observed_on: dt.date | None = None,
) -> Relationship:
    """A new tie, with its evidence; a second tie of the same kind is refused."""
    source, target = _ends(source, target, kind)
    evidence, source_url = _evidence(evidence, source_url)
    value = _weight(weight)
    try:
        with transaction.atomic():
            relationship = Relationship.objects.create(
                coalition_id=source.coalition_id,
                source=source,
                target=target,
                kind=kind,
                weight=value,
                evidence=evidence,
                source_url=source_url,
                observed_on=observed_on,
                recorded_by=by,
            )
    except IntegrityError:
        raise _existing_tie(source, target, kind) from None
    analysis.request_recompute(source.coalition)
    return relationship


@transaction.atomic
def update_relationship(
    *,
    relationship: Relationship,
    kind: str,
    evidence: str,
    by: User | None,
    weight: Decimal | float | int | str = Decimal(1),
    source_url: str = "",
    observed_on: dt.date | None = None,
) -> Relationship:
    """The tie with this kind, weight and evidence (its ends stay; an undirected kind is stored
    with the lower id first)."""
    source, target = _ends(relationship.source, relationship.target, kind)
    evidence, source_url = _evidence(evidence, source_url)
    relationship.source, relationship.target = source, target
    relationship.kind = kind
    relationship.weight = _weight(weight)
    relationship.evidence, relationship.source_url = evidence, source_url
    relationship.observed_on = observed_on
    relationship.recorded_by = by
    relationship.recorded_at = timezone.now()
    try:
        with transaction.atomic():
            relationship.save()
    except IntegrityError:
        raise _existing_tie(source, target, kind) from None
    analysis.request_recompute(source.coalition)
    return relationship


@transaction.atomic
def remove_relationship(*, relationship: Relationship, by: User | None) -> None:
    """The tie is gone from the map."""
    coalition = relationship.source.coalition
    relationship.delete()
    analysis.request_recompute(coalition)


# --- merging --------------------------------------------------------------------------------------


def _join_evidence(kept: str, added: str) -> str:
    if added in kept:
        return kept
    return f"{kept}\n\n{added}"


@transaction.atomic
def merge_stakeholders(
    *, kept: Stakeholder, duplicate: Stakeholder, by: User | None
) -> StakeholderMerge:
    """Fold the duplicate into the kept stakeholder, losing no relationship, and log it."""
    if kept.coalition_id != duplicate.coalition_id:
        raise PowermapError("Both stakeholders must belong to the same coalition.")
    if kept.pk == duplicate.pk:
        raise PowermapError("Choose two different stakeholders to merge.")
    # lock both, in id order, against a concurrent merge or edit
    locked = {
        s.pk: s
        for s in Stakeholder.objects.select_for_update()
        .filter(pk__in=[kept.pk, duplicate.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise PowermapError("One of the stakeholders no longer exists.")
    kept, duplicate = locked[kept.pk], locked[duplicate.pk]

    ties = {
        (r.source_id, r.target_id, r.kind): r
        for r in Relationship.objects.filter(Q(source=kept) | Q(target=kept))
    }
    moved: list[int] = []
    dropped: list[dict[str, Any]] = []
    for relationship in Relationship.objects.filter(
        Q(source=duplicate) | Q(target=duplicate)
    ).order_by("pk"):
        source_id = kept.pk if relationship.source_id == duplicate.pk else relationship.source_id
        target_id = kept.pk if relationship.target_id == duplicate.pk else relationship.target_id
        record = {"id": relationship.pk, "kind": relationship.kind}
        if source_id == target_id:  # a tie between the two: nothing left to connect
            dropped.append(
                {**record, "reason": "between the two", "evidence": relationship.evidence}
            )
            relationship.delete()
            continue
        if relationship.kind in UNDIRECTED_KINDS and source_id > target_id:
            source_id, target_id = target_id, source_id
        key = (source_id, target_id, relationship.kind)
        same = ties.get(key)
        if same is not None:  # the kept one has this tie: it keeps both pieces of evidence
            same.evidence = _join_evidence(same.evidence, relationship.evidence)
            same.source_url = same.source_url or relationship.source_url
            same.observed_on = same.observed_on or relationship.observed_on
            same.save(update_fields=["evidence", "source_url", "observed_on"])
            dropped.append({**record, "reason": "duplicate", "kept_id": same.pk})
            relationship.delete()
            continue
        Relationship.objects.filter(pk=relationship.pk).update(
            source_id=source_id, target_id=target_id
        )
        relationship.source_id, relationship.target_id = source_id, target_id
        ties[key] = relationship
        moved.append(relationship.pk)

    kept_tags = set(kept.tags.values_list("pk", flat=True))
    new_tags = [t for t in duplicate.tags.all() if t.pk not in kept_tags]
    kept.tags.add(*new_tags)
    positions = PositionChange.objects.filter(stakeholder=duplicate).update(stakeholder=kept)

    # links and details the kept one lacks; the one-to-one keys are freed on the duplicate first
    taken: dict[str, Any] = {}
    for name in ("organization", "decision_maker", "held_by", "external_id"):
        if not getattr(kept, name) and getattr(duplicate, name):
            taken[name] = getattr(duplicate, name)
    for name in ("description", "website"):
        if not getattr(kept, name) and getattr(duplicate, name):
            taken[name] = getattr(duplicate, name)
    duplicate_name, duplicate_id = duplicate.name, duplicate.pk
    duplicate.delete()
    if taken:
        for name, value in taken.items():
            setattr(kept, name, value)
        kept.save(update_fields=list(taken))
    _refresh_position(kept)

    merge = StakeholderMerge.objects.create(
        coalition_id=kept.coalition_id,
        kept=kept,
        kept_name=kept.name,
        merged_name=duplicate_name,
        merged_id=duplicate_id,
        relationships_moved=len(moved),
        relationships_dropped=len(dropped),
        positions_moved=positions,
        tags_added=len(new_tags),
        details={
            "moved": moved,
            "dropped": dropped,
            "taken": sorted(taken),
            "tags": [t.name for t in new_tags],
        },
        merged_by=by,
    )
    analysis.request_recompute(kept.coalition)
    return merge


# --- member organizations and decision-makers -----------------------------------------------------


def _free_name(coalition_id: int, name: str, suffix: str) -> str:
    taken = {
        n.lower()
        for n in Stakeholder.objects.for_coalition(coalition_id)
        .filter(name__istartswith=name[:NAME_MAX])
        .values_list("name", flat=True)
    }
    candidate, n = name[:NAME_MAX], 1
    while candidate.lower() in taken:
        label = suffix if n == 1 else f"{suffix} {n}"
        candidate = f"{name[: NAME_MAX - len(label) - 3]} ({label})"
        n += 1
    return candidate


@transaction.atomic
def ensure_stakeholder_for_organization(*, organization: Organization) -> Stakeholder:
    """The member organization's stakeholder: an unlinked organization of the same name is
    linked to it, otherwise one is made (held by the organization's own membership)."""
    existing = Stakeholder.objects.filter(organization=organization).first()
    if existing is not None:
        return existing
    membership = Membership.objects.filter(organization=organization).first()
    same_name = (
        Stakeholder.objects.for_coalition(organization.coalition_id)
        .select_for_update()
        .filter(name__iexact=organization.name, organization__isnull=True, kind="organization")
        .first()
    )
    try:
        with transaction.atomic():
            if same_name is not None:
                same_name.organization = organization
                same_name.held_by = same_name.held_by or membership
                same_name.save(update_fields=["organization", "held_by"])
                stakeholder = same_name
            else:
                stakeholder = Stakeholder.objects.create(
                    coalition_id=organization.coalition_id,
                    name=_free_name(organization.coalition_id, organization.name, "member"),
                    kind=StakeholderKind.ORGANIZATION,
                    sector=organization.sector,
                    description=organization.mission,
                    website=organization.website,
                    held_by=membership,
                    organization=organization,
                    origin=StakeholderOrigin.LINKED,
                )
    except IntegrityError:  # made by a concurrent caller
        return Stakeholder.objects.get(organization=organization)
    analysis.request_recompute(organization.coalition)
    return stakeholder


@transaction.atomic
def ensure_stakeholder_for_decision_maker(*, decision_maker: DecisionMaker) -> Stakeholder:
    """The decision-maker's stakeholder (government sector): an unlinked person or office of the
    same name is linked to it, otherwise one is made; a stakeholder whose position is unknown
    takes the campaigns' position history, with its evidence."""
    existing = Stakeholder.objects.filter(decision_maker=decision_maker).first()
    if existing is not None:
        return existing
    coalition_id = decision_maker.coalition_id
    same_name = (
        Stakeholder.objects.for_coalition(coalition_id)
        .select_for_update()
        .filter(name__iexact=decision_maker.name, decision_maker__isnull=True)
        .exclude(kind=StakeholderKind.ORGANIZATION)
        .first()
    )
    try:
        with transaction.atomic():
            if same_name is not None:
                same_name.decision_maker = decision_maker
                same_name.save(update_fields=["decision_maker"])
                stakeholder = same_name
            else:
                stakeholder = Stakeholder.objects.create(
                    coalition_id=coalition_id,
                    name=_free_name(coalition_id, decision_maker.name, "decision-maker"),
                    kind=(
                        StakeholderKind.OFFICE
                        if OFFICE_WORDS.search(decision_maker.name)
                        else StakeholderKind.PERSON
                    ),
                    sector=Sector.GOVERNMENT,
                    description=", ".join(
                        p for p in (decision_maker.title, decision_maker.body) if p
                    ),
                    decision_maker=decision_maker,
                    origin=StakeholderOrigin.LINKED,
                )
    except IntegrityError:  # made by a concurrent caller
        return Stakeholder.objects.get(decision_maker=decision_maker)
    if stakeholder.position == StakeholderPosition.UNKNOWN:
        _copy_campaign_positions(stakeholder, decision_maker)
    analysis.request_recompute(stakeholder.coalition)
    return stakeholder


def _copy_campaign_positions(stakeholder: Stakeholder, decision_maker: DecisionMaker) -> None:
    campaigns = dict(
        DecisionTarget.objects.filter(decision_maker=decision_maker).values_list(
            "pk", "campaign__name"
        )
    )
    history = CampaignPositionChange.objects.filter(target_id__in=campaigns).order_by("on", "pk")
    PositionChange.objects.bulk_create(
        PositionChange(
            coalition_id=stakeholder.coalition_id,
            stakeholder=stakeholder,
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
    latest = (
        DecisionTarget.objects.filter(decision_maker=decision_maker)
        .order_by("-position_on", "-pk")
        .first()
    )
    if latest is not None:
        position = CAMPAIGN_TO_STAKEHOLDER[latest.position]
        Stakeholder.objects.filter(pk=stakeholder.pk).update(
            position=position, position_on=latest.position_on
        )
        stakeholder.position, stakeholder.position_on = position, latest.position_on


def ensure_stakeholders_for_coalition(*, coalition: Coalition) -> int:
    """Every member organization and decision-maker of the coalition has its stakeholder; the
    number made (or linked) now."""
    organizations = list(
        Organization.objects.for_coalition(coalition).filter(
            membership__isnull=False, stakeholder__isnull=True
        )
    )
    makers = list(DecisionMaker.objects.for_coalition(coalition).filter(stakeholder__isnull=True))
    for organization in organizations:
        ensure_stakeholder_for_organization(organization=organization)
    for maker in makers:
        ensure_stakeholder_for_decision_maker(decision_maker=maker)
    return len(organizations) + len(makers)
