"""Use cases of the narrative domain: the only code that writes its tables.

- create_framework: a framework starts with an empty draft version 1; one name per coalition.
- create_version: a new draft copies the framework's adopted (or latest) version's content.
- update_version: only a draft changes; bad JSON is refused with the path and the reason.
- propose_version: a complete draft (core message, ask, 3–6 pillars with key messages, cited
  objectives of the coalition) becomes proposed, ready for a decision.
- adopt_version: a proposed version takes effect when a recorded decision's outcome authorizes it
  (governance's Authorization); the previously adopted one is superseded (one adopted version
  per framework, a database constraint).
- apply_decisions: proposed versions that a decision authorized through governance's own page
  are adopted (newest authorization last, so it wins).
- create_item / update_item: content is written for a member organization by who may speak for
  it; the text changes only in draft or when changes were requested.
- submit_item, withdraw_item, request_changes, approve_item, publish_item, retire_item: the
  state machine (TRANSITIONS); any other move is refused with the states named.
- approve_item: runs the check against the framework's adopted version, refuses while an
  undismissed blocking flag remains, and records the version and the check's summary.
- add_comment / dismiss_flag: reviewers' notes; a dismissal needs a reason and names the flag by
  kind and covered text, so it survives edits elsewhere in the text.
- ensure_tracked_links: a published item has one link per active member (and the coalition) to
  each open petition of its campaign; making them twice makes nothing new.
- ensure_campaign_links: the same for every published item of a campaign, so a petition opened
  (or a member that joined) after an item went out gets its links too.
- grant_reviewer / revoke_reviewer: the reviewer capability for an organizer.
- record_reach: a published item's reach on a day, as a member reports it.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.campaigns.models import Campaign, Objective
from cairn.coalitions.models import Coalition, Membership, Role, StaffMember
from cairn.engines.words import counted

from . import document, flags, policy
from .models import (
    Approval,
    ContentEvent,
    ContentItem,
    FlagDismissal,
    Framework,
    FrameworkVersion,
    ReachReport,
    ReviewComment,
    Reviewer,
    TrackedLink,
    span_hash,
)

State = ContentItem.State
VStatus = FrameworkVersion.Status

# The content workflow: (from, to) → the use case that makes the move.
TRANSITIONS: dict[tuple[str, str], str] = {
    (State.DRAFT, State.IN_REVIEW): "submit",
    (State.CHANGES_REQUESTED, State.IN_REVIEW): "submit",
    (State.IN_REVIEW, State.DRAFT): "withdraw",
    (State.IN_REVIEW, State.CHANGES_REQUESTED): "request changes",
    (State.IN_REVIEW, State.APPROVED): "approve",
    (State.APPROVED, State.PUBLISHED): "publish",
    (State.APPROVED, State.RETIRED): "retire",
    (State.PUBLISHED, State.RETIRED): "retire",
}
EDITABLE_STATES = frozenset({State.DRAFT, State.CHANGES_REQUESTED})


class NarrativeError(Exception):
    """A use case refused: the message is safe to show to the user."""


class NotAllowed(NarrativeError):
    """The acting staff member's role does not allow this."""


class BlockingFlags(NarrativeError):
    def __init__(self, message: str, *, result: flags.Result) -> None:
        super().__init__(message)
        self.result = result


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- frameworks and versions ------------------------------------------------------------------


@transaction.atomic
def create_framework(
    *,
    coalition: Coalition,
    name: str,
    by: StaffMember,
    campaign: Campaign | None = None,
    content: dict[str, Any] | None = None,
) -> Framework:
    """A framework with its draft version 1 (empty, or `content`)."""
    if not policy.may_edit_framework(by) or by.coalition_id != coalition.pk:
        raise NotAllowed("Only stewards edit the narrative framework.")
    name = " ".join(name.split())
    if not name:
        raise NarrativeError("Give the framework a name.")
    if campaign is not None and campaign.coalition_id != coalition.pk:
        raise NarrativeError("The campaign belongs to another coalition.")
    if Framework.objects.for_coalition(coalition).filter(name__iexact=name).exists():
        raise NarrativeError(f"There is already a framework named '{name}'.")
    body = content if content is not None else document.empty()
    _validate(coalition, body, complete=False)
    try:
        with transaction.atomic():
            framework = Framework.objects.create(coalition=coalition, campaign=campaign, name=name)
    except IntegrityError as error:  # a concurrent create with the same name
        raise NarrativeError(f"There is already a framework named '{name}'.") from error
    FrameworkVersion.objects.create(
        coalition=coalition, framework=framework, number=1, content=body, created_by=by.user
    )
    return framework


def _validate(coalition: Coalition | int, content: Any, *, complete: bool) -> None:
    problems = document.validate(content, complete=complete)
    if not problems:
        cited = document.objective_ids(content)
        known = set(
            Objective.objects.for_coalition(coalition)
            .filter(pk__in=cited)
            .values_list("pk", flat=True)
        )
        problems = [
            document.Problem("proof_points", f"objective {pk} is not one of this coalition's")
            for pk in sorted(cited - known)
        ]
    if problems:
        raise NarrativeError("; ".join(str(p) for p in problems))


@transaction.atomic
def create_version(
    *, framework: Framework, by: StaffMember, now: dt.datetime | None = None
) -> FrameworkVersion:
    """A new draft, copying the adopted version (or the latest one)."""
    if not policy.may_edit_framework(by) or by.coalition_id != framework.coalition_id:
        raise NotAllowed("Only stewards edit the narrative framework.")
    locked = Framework.objects.select_for_update().get(pk=framework.pk)
    versions = FrameworkVersion.objects.filter(framework=locked)
    if versions.filter(status=VStatus.DRAFT).exists():
        raise NarrativeError("This framework already has a draft: edit that one.")
    base = versions.filter(status=VStatus.ADOPTED).first() or versions.order_by("-number").first()
    number = (versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return FrameworkVersion.objects.create(
        coalition_id=locked.coalition_id,
        framework=locked,
        number=number,
        content=copy.deepcopy(base.content) if base else document.empty(),
        created_by=by.user,
        created_at=_now(now),
        updated_at=_now(now),
    )


@transaction.atomic
def update_version(
    *, version: FrameworkVersion, content: Any, note: str, by: StaffMember
) -> FrameworkVersion:
    """Replace a draft's content; proposed, adopted and superseded versions never change."""
    if not policy.may_edit_framework(by) or by.coalition_id != version.coalition_id:
        raise NotAllowed("Only stewards edit the narrative framework.")
    row = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if row.status != VStatus.DRAFT:
        raise NarrativeError(
            f"Version {row.number} is {row.get_status_display().lower()}: only a draft changes. "
            "Start a new version."
        )
    _validate(row.coalition_id, content, complete=False)
    row.content = content
    row.note = note.strip()[:300]
    row.updated_at = timezone.now()
    row.save(update_fields=["content", "note", "updated_at"])
    return row


@transaction.atomic
def propose_version(
    *, version: FrameworkVersion, by: StaffMember, now: dt.datetime | None = None
) -> FrameworkVersion:
    """A complete draft is put forward for a decision to adopt it."""
    if not policy.may_edit_framework(by) or by.coalition_id != version.coalition_id:
        raise NotAllowed("Only stewards edit the narrative framework.")
    row = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if row.status != VStatus.DRAFT:
        raise NarrativeError(f"Version {row.number} is not a draft.")
    _validate(row.coalition_id, row.content, complete=True)
    row.status = VStatus.PROPOSED
    row.proposed_at = _now(now)
    row.save(update_fields=["status", "proposed_at"])
    return row


def _adopt(row: FrameworkVersion, now: dt.datetime) -> None:
    FrameworkVersion.objects.filter(framework_id=row.framework_id, status=VStatus.ADOPTED).exclude(
        pk=row.pk
    ).update(status=VStatus.SUPERSEDED)
    row.status = VStatus.ADOPTED
    row.adopted_at = now
    row.save(update_fields=["status", "adopted_at"])


@transaction.atomic
def adopt_version(
    *,
    version: FrameworkVersion,
    outcome: Any,
    by: StaffMember,
    now: dt.datetime | None = None,
) -> FrameworkVersion:
    """The decision's outcome authorizes the proposed version, which takes effect."""
    from cairn.governance import services as governance

    if not policy.may_edit_framework(by) or by.coalition_id != version.coalition_id:
        raise NotAllowed("Only stewards record what a decision adopted.")
    if outcome.coalition_id != version.coalition_id:
        raise NarrativeError("A decision adopts only its own coalition's framework.")
    Framework.objects.select_for_update().get(pk=version.framework_id)
    row = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if row.status != VStatus.PROPOSED:
        raise NarrativeError(
            f"Version {row.number} is {row.get_status_display().lower()}: "
            "only a proposed version is adopted."
        )
    at = _now(now)
    governance.authorize(
        outcome=outcome, target=row, note=f"Adopts {row.framework.name} v{row.number}", now=at
    )
    _adopt(row, at)
    return row


def _authorized_proposed(framework: Framework) -> Any:
    from django.contrib.contenttypes.models import ContentType

    from cairn.governance.models import Authorization

    proposed = FrameworkVersion.objects.filter(framework=framework, status=VStatus.PROPOSED)
    return (
        Authorization.objects.for_coalition(framework.coalition_id)
        .filter(
            content_type=ContentType.objects.get_for_model(FrameworkVersion),
            object_id__in=[str(pk) for pk in proposed.values_list("pk", flat=True)],
        )
        .order_by("created_at", "pk")
    )


def apply_decisions(*, framework: Framework) -> FrameworkVersion | None:
    """Adopt the proposed versions a decision authorized on governance's page (the newest
    authorization last, so it wins); returns the version adopted now, if any. Reads only when
    there is nothing to adopt, so a page may call it on every view."""
    if not _authorized_proposed(framework).exists():
        return None
    return _apply_decisions(framework)


@transaction.atomic
def _apply_decisions(framework: Framework) -> FrameworkVersion | None:
    Framework.objects.select_for_update().get(pk=framework.pk)
    adopted: FrameworkVersion | None = None
    for link in _authorized_proposed(framework):
        row = FrameworkVersion.objects.get(pk=int(link.object_id))
        if row.status == VStatus.PROPOSED:
            _adopt(row, link.created_at)
            adopted = row
    return adopted


# --- reviewers ----------------------------------------------------------------------------------


@transaction.atomic
def grant_reviewer(*, staff: StaffMember, by: StaffMember) -> Reviewer:
    """An organizer of the coalition gets the reviewer capability (stewards have it already)."""
    if not policy.may_edit_framework(by) or by.coalition_id != staff.coalition_id:
        raise NotAllowed("Only stewards name reviewers.")
    if staff.role != Role.ORGANIZER:
        raise NarrativeError("Stewards review already; viewers cannot review.")
    reviewer, _ = Reviewer.objects.get_or_create(
        staff=staff, defaults={"coalition_id": staff.coalition_id, "granted_by": by.user}
    )
    return reviewer


@transaction.atomic
def revoke_reviewer(*, staff: StaffMember, by: StaffMember) -> None:
    if not policy.may_edit_framework(by) or by.coalition_id != staff.coalition_id:
        raise NotAllowed("Only stewards name reviewers.")
    Reviewer.objects.for_coalition(staff.coalition_id).filter(staff=staff).delete()


# --- content ------------------------------------------------------------------------------------


def framework_for(campaign: Campaign) -> Framework | None:
    """The campaign's own framework, else the coalition-wide one (the oldest)."""
    rows = Framework.objects.for_coalition(campaign.coalition_id)
    return (
        rows.filter(campaign=campaign).order_by("pk").first()
        or rows.filter(campaign__isnull=True).order_by("pk").first()
    )


def _check_item_fields(kind: str, channel: str, title: str, body: str) -> tuple[str, str]:
    if kind not in ContentItem.Kind.values:
        raise NarrativeError(f"Unknown kind of content: '{kind}'.")
    if channel and channel not in ContentItem.Channel.values:
        raise NarrativeError(f"Unknown channel: '{channel}'.")
    if kind == ContentItem.Kind.SOCIAL_POST and not channel:
        raise NarrativeError("A social post needs its channel (its length rules depend on it).")
    title = " ".join(title.split())[:200]
    if not title:
        raise NarrativeError("Give the item a title.")
    if not body.strip():
        raise NarrativeError("Write the text first.")
    return title, body.replace("\r\n", "\n")


def _event(item: ContentItem, before: str, by: User | None, at: dt.datetime) -> None:
    ContentEvent.objects.create(
        coalition_id=item.coalition_id,
        item=item,
        from_state=before,
        to_state=item.state,
        by=by,
        at=at,
    )


@transaction.atomic
def create_item(
    *,
    campaign: Campaign,
    membership: Membership | None,
    by: StaffMember,
    kind: str,
    title: str,
    body: str,
    channel: str = "",
    framework: Framework | None = None,
    now: dt.datetime | None = None,
) -> ContentItem:
    """A draft written for a member organization (None: the coalition itself)."""
    if by.coalition_id != campaign.coalition_id or not policy.may_write(by, membership):
        raise NotAllowed("You may write content only for your own organization.")
    framework = framework or framework_for(campaign)
    if framework is None:
        raise NarrativeError("The coalition has no narrative framework yet: a steward starts one.")
    if framework.coalition_id != campaign.coalition_id:
        raise NarrativeError("The framework belongs to another coalition.")
    title, body = _check_item_fields(kind, channel, title, body)
    at = _now(now)
    item = ContentItem.objects.create(
        coalition_id=campaign.coalition_id,
        campaign=campaign,
        framework=framework,
        membership=membership,
        author=by.user,
        kind=kind,
        channel=channel,
        title=title,
        body=body,
        created_at=at,
        updated_at=at,
    )
    _event(item, "", by.user, at)
    return item


def _locked_item(item: ContentItem) -> ContentItem:
    return ContentItem.objects.select_for_update().get(pk=item.pk)


def _move(row: ContentItem, to: str, by: StaffMember, at: dt.datetime) -> ContentItem:
    before = row.state
    if (before, to) not in TRANSITIONS:
        raise NarrativeError(
            f"An item that is {row.get_state_display().lower()} cannot become "
            f"{State(to).label.lower()}."
        )
    row.state = to
    row.updated_at = at
    stamp = {
        State.IN_REVIEW: "submitted_at",
        State.APPROVED: "approved_at",
        State.PUBLISHED: "published_at",
        State.RETIRED: "retired_at",
    }.get(State(to))
    fields = ["state", "updated_at"]
    if stamp:
        setattr(row, stamp, at)
        fields.append(stamp)
    row.save(update_fields=fields)
    _event(row, before, by.user, at)
    return row


@transaction.atomic
def update_item(
    *,
    item: ContentItem,
    by: StaffMember,
    title: str,
    body: str,
    channel: str | None = None,
    now: dt.datetime | None = None,
) -> ContentItem:
    """Change the text of a draft (or of an item whose reviewer asked for changes)."""
    if not policy.may_edit_item(by, item):
        raise NotAllowed("You may edit only your own organization's content.")
    row = _locked_item(item)
    if row.state not in EDITABLE_STATES:
        raise NarrativeError(
            f"An item that is {row.get_state_display().lower()} is not edited; "
            "only drafts and items with changes requested are."
        )
    channel = row.channel if channel is None else channel
    title, body = _check_item_fields(row.kind, channel, title, body)
    row.title, row.body, row.channel = title, body, channel
    row.updated_at = _now(now)
    row.save(update_fields=["title", "body", "channel", "updated_at"])
    return row


@transaction.atomic
def submit_item(
    *, item: ContentItem, by: StaffMember, now: dt.datetime | None = None
) -> ContentItem:
    """A draft (or a revised item) goes to review."""
    if not policy.may_edit_item(by, item):
        raise NotAllowed("You may submit only your own organization's content.")
    return _move(_locked_item(item), State.IN_REVIEW, by, _now(now))


@transaction.atomic
def withdraw_item(
    *, item: ContentItem, by: StaffMember, now: dt.datetime | None = None
) -> ContentItem:
    """Its writer takes an item back from review to draft."""
    if not policy.may_edit_item(by, item):
        raise NotAllowed("You may withdraw only your own organization's content.")
    return _move(_locked_item(item), State.DRAFT, by, _now(now))


@transaction.atomic
def add_comment(
    *,
    item: ContentItem,
    by: StaffMember,
    body: str,
    requests_changes: bool = False,
    now: dt.datetime | None = None,
) -> ReviewComment:
    """A comment by a reviewer or by the item's writers."""
    if not (policy.may_review(by, item) or policy.may_edit_item(by, item)):
        raise NotAllowed("Only the item's writers and reviewers comment on it.")
    body = body.strip()
    if not body:
        raise NarrativeError("Write the comment first.")
    return ReviewComment.objects.create(
        coalition_id=item.coalition_id,
        item=item,
        author=by.user,
        body=body[:5000],
        requests_changes=requests_changes,
        created_at=_now(now),
    )


@transaction.atomic
def request_changes(
    *, item: ContentItem, by: StaffMember, comment: str, now: dt.datetime | None = None
) -> ContentItem:
    """A reviewer sends the item back, saying what to change."""
    if not policy.may_review(by, item):
        raise NotAllowed("Only reviewers ask for changes.")
    if not comment.strip():
        raise NarrativeError("Say what should change.")
    at = _now(now)
    row = _move(_locked_item(item), State.CHANGES_REQUESTED, by, at)
    add_comment(item=row, by=by, body=comment, requests_changes=True, now=at)
    return row


def dismissals_of(item: ContentItem) -> dict[tuple[str, str], str]:
    return {
        (d.kind, d.span_hash): d.reason
        for d in FlagDismissal.objects.for_coalition(item.coalition_id).filter(item=item)
    }


def adopted_version(framework: Framework) -> FrameworkVersion | None:
    return FrameworkVersion.objects.filter(framework=framework, status=VStatus.ADOPTED).first()


def version_to_check(framework: Framework) -> FrameworkVersion | None:
    """The adopted version, else the newest one (a check against a version not yet adopted is
    shown as such; approval needs the adopted one)."""
    return adopted_version(framework) or (
        FrameworkVersion.objects.filter(framework=framework).order_by("-number").first()
    )


def run_check(
    *,
    framework: Framework,
    text: str,
    kind: str,
    channel: str,
    item: ContentItem | None = None,
    version: FrameworkVersion | None = None,
) -> flags.Result:
    """The message check of `text` (cached by N1's bridge by text hash and version), with the
    item's dismissals applied. Reads only."""
    from cairn.engines.narrative import FrameworkError

    from . import checking

    version = version or version_to_check(framework)
    raw: Any = {"flags": [], "pillars": [], "has_ask": False, "checked_with": ""}
    problem = ""
    if version is None:
        problem = "The framework has no version yet."
    else:
        try:
            raw = checking.check_draft(
                version=version, text=text, channel=channel or None, kind=kind or None
            )
        except FrameworkError as error:  # a draft version still being written
            problem = f"Version {version.number} cannot be checked against yet: {error}"
    return flags.build(
        problem=problem,
        text=text,
        raw=raw,
        dismissals=dismissals_of(item) if item is not None else {},
        version_id=version.pk if version else None,
        version_number=version.number if version else None,
        version_adopted=bool(version and version.status == VStatus.ADOPTED),
        names=_pillar_names(version),
    )


def _pillar_names(version: FrameworkVersion | None) -> dict[str, str]:
    content = version.content if version is not None else None
    if not isinstance(content, dict):
        return {}
    return {
        str(p["id"]): str(p.get("name") or p["id"])
        for p in content.get("pillars") or []
        if isinstance(p, dict) and p.get("id")
    }


@transaction.atomic
def dismiss_flag(
    *,
    item: ContentItem,
    by: StaffMember,
    kind: str,
    span_text: str,
    reason: str,
    now: dt.datetime | None = None,
) -> FlagDismissal:
    """A reviewer says one flag (its kind and the text it covers) does not apply, and why."""
    if not policy.may_review(by, item):
        raise NotAllowed("Only reviewers dismiss a flag.")
    reason = reason.strip()
    if not reason:
        raise NarrativeError("Say why the flag does not apply.")
    if not kind or len(kind) > 32:
        raise NarrativeError("Name the flag to dismiss.")
    dismissal, created = FlagDismissal.objects.get_or_create(
        item=item,
        kind=kind,
        span_hash=span_hash(span_text),
        defaults={
            "coalition_id": item.coalition_id,
            "span_text": span_text[:500],
            "reason": reason[:2000],
            "by": by.user,
            "at": _now(now),
        },
    )
    if not created:
        dismissal.reason, dismissal.by, dismissal.at = reason[:2000], by.user, _now(now)
        dismissal.save(update_fields=["reason", "by", "at"])
    return dismissal


@transaction.atomic
def approve_item(*, item: ContentItem, by: StaffMember, now: dt.datetime | None = None) -> Approval:
    """Approve an item in review: checked against the adopted version, with no undismissed
    blocking flag; the approval keeps the version and the check's summary."""
    if not policy.may_review(by, item):
        raise NotAllowed("Only reviewers approve content.")
    if not policy.may_approve(by, item):
        raise NotAllowed("Someone other than its writer approves an item.")
    row = _locked_item(item)
    if row.state != State.IN_REVIEW:
        raise NarrativeError(
            f"An item that is {row.get_state_display().lower()} cannot be approved; "
            "submit it for review first."
        )
    apply_decisions(framework=row.framework)  # a decision may have adopted a newer version
    version = adopted_version(row.framework)
    if version is None:
        raise NarrativeError(
            "The framework has no adopted version: a decision adopts one before content is "
            "approved against it."
        )
    result = run_check(
        framework=row.framework,
        text=row.body,
        kind=row.kind,
        channel=row.channel,
        item=row,
        version=version,
    )
    if result.open_blocking:
        names = ", ".join(sorted({f.label.lower() for f in result.open_blocking}))
        raise BlockingFlags(
            f"{counted(len(result.open_blocking), 'flag', 'flags')} to fix or dismiss first: "
            f"{names}.",
            result=result,
        )
    at = _now(now)
    _move(row, State.APPROVED, by, at)
    if result.main_pillar:
        row.pillar = result.main_pillar[:64]
        row.save(update_fields=["pillar"])
    return Approval.objects.create(
        coalition_id=row.coalition_id,
        item=row,
        version=version,
        approved_by=by.user,
        approved_at=at,
        body_hash=hashlib.sha256(row.body.encode()).hexdigest(),
        check_summary=result.summary(),
    )


@transaction.atomic
def publish_item(
    *, item: ContentItem, by: StaffMember, now: dt.datetime | None = None
) -> ContentItem:
    """An approved item goes out; it gets its tracked links."""
    if not policy.may_publish(by, item):
        raise NotAllowed("Only the item's writers and reviewers publish it.")
    row = _move(_locked_item(item), State.PUBLISHED, by, _now(now))
    ensure_tracked_links(item=row)
    return row


@transaction.atomic
def retire_item(
    *, item: ContentItem, by: StaffMember, now: dt.datetime | None = None
) -> ContentItem:
    """An approved or published item is taken out of the kit (its links keep counting)."""
    if not policy.may_publish(by, item):
        raise NotAllowed("Only the item's writers and reviewers retire it.")
    return _move(_locked_item(item), State.RETIRED, by, _now(now))


@transaction.atomic
def ensure_tracked_links(*, item: ContentItem) -> int:
    """One link per active member and the coalition itself, to each open petition of the
    item's campaign; returns how many were made."""
    from cairn.petitions.models import Petition

    row = _locked_item(item)  # serializes link making per item (NULL members are not unique)
    if row.state != State.PUBLISHED:
        return 0
    petitions = list(
        Petition.objects.for_coalition(row.coalition_id)
        .filter(campaign_id=row.campaign_id, status=Petition.Status.OPEN)
        .values_list("pk", flat=True)
    )
    members: list[int | None] = [
        None,
        *Membership.objects.for_coalition(row.coalition_id)
        .filter(status=Membership.Status.ACTIVE)
        .values_list("pk", flat=True),
    ]
    have = set(TrackedLink.objects.filter(item=row).values_list("membership_id", "petition_id"))
    new = [
        TrackedLink(coalition_id=row.coalition_id, item=row, membership_id=m, petition_id=p)
        for p in petitions
        for m in members
        if (m, p) not in have
    ]
    TrackedLink.objects.bulk_create(new)
    return len(new)


def ensure_campaign_links(*, campaign: Campaign) -> int:
    """The campaign's published items get links to a petition opened after they went out and
    for a member that joined since; returns how many were made. Reads only (four queries,
    whatever the number of items) when nothing is missing, so the kit may call it on every
    view."""
    if not _missing_links(campaign):
        return 0
    return _make_campaign_links(campaign)


def _missing_links(campaign: Campaign) -> list[TrackedLink]:
    from cairn.petitions.models import Petition

    coalition_id = campaign.coalition_id
    items = list(
        ContentItem.objects.for_coalition(coalition_id)
        .filter(campaign=campaign, state=State.PUBLISHED)
        .values_list("pk", flat=True)
    )
    if not items:
        return []
    petitions = list(
        Petition.objects.for_coalition(coalition_id)
        .filter(campaign_id=campaign.pk, status=Petition.Status.OPEN)
        .values_list("pk", flat=True)
    )
    if not petitions:
        return []
    members: list[int | None] = [
        None,
        *Membership.objects.for_coalition(coalition_id)
        .filter(status=Membership.Status.ACTIVE)
        .values_list("pk", flat=True),
    ]
    have = set(
        TrackedLink.objects.for_coalition(coalition_id)
        .filter(item_id__in=items)
        .values_list("item_id", "membership_id", "petition_id")
    )
    return [
        TrackedLink(coalition_id=coalition_id, item_id=i, membership_id=m, petition_id=p)
        for i in items
        for p in petitions
        for m in members
        if (i, m, p) not in have
    ]


@transaction.atomic
def _make_campaign_links(campaign: Campaign) -> int:
    # the items locked first, as ensure_tracked_links does (links without a member are kept
    # unique by this lock, not by the database), then what is missing read again under it
    list(
        ContentItem.objects.select_for_update()
        .filter(campaign=campaign, state=State.PUBLISHED)
        .values_list("pk", flat=True)
    )
    new = _missing_links(campaign)
    TrackedLink.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def record_reach(
    *,
    item: ContentItem,
    by: StaffMember,
    on: dt.date,
    impressions: int,
    membership: Membership | None = None,
) -> ReachReport:
    """A published item's reach on a day (one report per item, member and day: a new one
    replaces it)."""
    membership = membership if membership is not None else item.membership
    if not (policy.may_write(by, membership) or policy.may_review(by, item)):
        raise NotAllowed("You may report reach only for your own organization.")
    if item.state not in {State.PUBLISHED, State.RETIRED}:
        raise NarrativeError("Reach is reported for published items.")
    if impressions < 0:
        raise NarrativeError("Reach is a number of people, 0 or more.")
    if on > timezone.localdate():
        raise NarrativeError("Reach is reported for a day that has passed.")
    report, _ = ReachReport.objects.update_or_create(
        item=item,
        membership=membership,
        on=on,
        defaults={
            "coalition_id": item.coalition_id,
            "impressions": impressions,
            "recorded_by": by.user,
            "recorded_at": timezone.now(),
        },
    )
    return report
