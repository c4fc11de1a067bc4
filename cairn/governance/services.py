"""Use cases of the governance domain: the only code that writes its tables.

- append_log: entries of a coalition's log are numbered 1, 2, 3 … with no gap and each links to
  the one before it; the chain head row is locked while appending, so concurrent writers queue.
- create_template: a coalition's template names are unique in it.
- create_proposal: a proposal copies its template's configuration; it starts as a draft.
- update_proposal / delete_proposal: only before it opens (no vote exists); both are logged.
- schedule_proposal / open_proposal: who may vote is fixed when the proposal opens.
- open_proposal (ranked choice, tie-break by lot): the order of the options that settles a tie
  the winner depends on is drawn when voting opens, before any vote, and written to the log.
- cast_vote: one vote per organization (or named person), by the unique (proposal, voter_key)
  constraint; a changed vote replaces the standing one and the log keeps every change; an
  anonymous ballot is cast once and is never joined to who cast it.
- Anonymous ballots and weights: an anonymous ballot counts with its voter's declared weight (the
  result is the one the same ballots would give named), so its weight is stored with it; a weight
  held by one member only would name that member's ballot, so an anonymous vote by declared weight
  opens only when every weight is shared by at least two members.
- close_proposal / advance_proposal: no vote is accepted after closing or after the deadline.
- reopen_proposal: never for anonymous proposals, never once an outcome is recorded.
- record_outcome / authorize: an outcome belongs to a closed proposal; an authorization points at
  one row of any app.
- publish_checkpoint: at most one checkpoint per log head; it is signed with the coalition's one
  active key (created on first use) and sent to the member organizations' contacts once.
- rotate_signing_key: one active key per coalition (a unique constraint); the retired keys stay,
  so the checkpoints they signed still verify.
Every vote and every state change appends an entry to the log, in the same transaction; closing a
proposal also publishes a checkpoint of the log (after the commit, through the task queue).
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions.models import Coalition, Membership, StaffMember
from cairn.coalitions.policy import may_vote
from cairn.engines import hashchain
from cairn.engines.hashchain import GENESIS, entry_hash

from . import keys, methods, selectors
from .models import (
    Authorization,
    DecisionTemplate,
    Electorate,
    Eligibility,
    LogCheckpoint,
    LogEntry,
    LogHead,
    Method,
    NamedVoter,
    Option,
    Outcome,
    Proposal,
    ResultsVisibility,
    SigningKey,
    Vote,
)

REMINDER_LEAD = dt.timedelta(days=1)


class GovernanceError(Exception):
    """A use case refused: the message is safe to show to the user."""


# --- the log -----------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@transaction.atomic
def append_log(
    *, coalition: Coalition, event: str, at: dt.datetime | None = None, **fields: Any
) -> LogEntry:
    """Append one entry to the coalition's hash chain (the head row is locked meanwhile).

    `at` is when it happened (now by default; the demo's history passes its own day): it is in
    the hashed body, so it is set before hashing."""
    at = at or timezone.now()
    LogHead.objects.get_or_create(coalition=coalition, defaults={"seq": 0, "hash": GENESIS})
    head = LogHead.objects.select_for_update().get(coalition=coalition)
    body = _jsonable({"event": event, "at": at, **fields})
    seq = head.seq + 1
    digest = entry_hash(seq=seq, prev_hash=head.hash, body=body)
    entry = LogEntry.objects.create(
        coalition=coalition, seq=seq, prev_hash=head.hash, hash=digest, body=body, created_at=at
    )
    head.seq, head.hash = seq, digest
    head.save(update_fields=["seq", "hash"])
    return entry


# --- templates and proposals -------------------------------------------------------------------


@transaction.atomic
def create_template(
    *,
    coalition: Coalition,
    name: str,
    method: str,
    description: str = "",
    base_rule: str = "",
    quorum_percent: Decimal = Decimal(0),
    config: Mapping[str, Any] | None = None,
) -> DecisionTemplate:
    """A coalition-made template; its rule and requirements are checked before it is saved."""
    name = name.strip()
    if not name:
        raise GovernanceError("A template needs a name.")
    if method not in Method.values:
        raise GovernanceError("Choose one of the methods.")
    if DecisionTemplate.objects.for_coalition(coalition).filter(name__iexact=name).exists():
        raise GovernanceError(f"There is already a template called {name}.")
    config = dict(config or {})
    if method == Method.PROPOSAL:
        try:
            methods.proposal_rule(rule=base_rule, quorum_percent=quorum_percent, config=config)
        except (ValueError, KeyError, TypeError, ZeroDivisionError) as error:
            raise GovernanceError(f"This rule does not work: {error}") from error
    return DecisionTemplate.objects.create(
        coalition=coalition,
        name=name,
        method=method,
        description=description.strip(),
        base_rule=base_rule,
        quorum_percent=quorum_percent,
        config=config,
    )


@dataclass(frozen=True, slots=True)
class OptionInput:
    label: str
    description: str = ""
    starts_at: dt.datetime | None = None
    time_zone: str = ""


def _resolve_template(coalition: Coalition, template: str) -> methods.Template:
    if template in methods.SHIPPED_BY_KEY:
        return methods.SHIPPED_BY_KEY[template]
    if template.startswith("c") and template[1:].isdigit():
        row = DecisionTemplate.objects.for_coalition(coalition).filter(pk=int(template[1:])).first()
        if row is not None:
            return methods.Template(
                key=template,
                name=row.name,
                description=row.description,
                method=row.method,
                rule=row.base_rule,
                quorum_percent=row.quorum_percent,
                config=row.config,
            )
    raise GovernanceError("Choose one of the templates.")


@dataclass(frozen=True, slots=True)
class _Settings:
    config: dict[str, Any]
    quorum: Decimal
    visibility: str


def _settle(
    chosen: methods.Template,
    *,
    title: str,
    electorate: str,
    anonymous: bool,
    results_visibility: str | None,
    quorum_percent: Decimal | None,
    config: Mapping[str, Any] | None,
) -> _Settings:
    """A proposal's configuration from its template and the overrides, or GovernanceError."""
    if not title:
        raise GovernanceError("A proposal needs a title.")
    if electorate not in Electorate.values:
        raise GovernanceError("Choose who votes.")
    merged: dict[str, Any] = {**chosen.config, **(config or {})}
    if chosen.rule:
        merged["rule"] = chosen.rule
    quorum = chosen.quorum_percent if quorum_percent is None else quorum_percent
    if not Decimal(0) <= quorum <= Decimal(100):
        raise GovernanceError("A quorum is a percentage from 0 to 100.")
    visibility = results_visibility or chosen.results_visibility
    if anonymous:
        visibility = ResultsVisibility.AFTER_CLOSE  # anonymous results are hidden until close
    if chosen.method == Method.PROPOSAL:
        try:
            methods.proposal_rule(rule=chosen.rule, quorum_percent=quorum, config=merged)
        except (ValueError, KeyError, TypeError, ZeroDivisionError) as error:
            raise GovernanceError(f"This rule does not work: {error}") from error
    return _Settings(config=merged, quorum=quorum, visibility=visibility)


def _set_options_and_voters(
    proposal: Proposal,
    method: str,
    options: Sequence[OptionInput],
    electorate: str,
    named_voters: Sequence[StaffMember],
) -> None:
    """The proposal's options and named voters, replacing any it had (it has no votes yet)."""
    coalition = proposal.coalition
    Option.objects.for_coalition(coalition).filter(proposal=proposal).delete()
    NamedVoter.objects.for_coalition(coalition).filter(proposal=proposal).delete()
    seen: set[str] = set()
    for position, option in enumerate(options, start=1):
        label = option.label.strip()
        if not label and option.starts_at is not None:
            label = option.starts_at.isoformat()
        if not label or label.lower() in seen:
            raise GovernanceError("Each option needs a label, and labels must differ.")
        seen.add(label.lower())
        if method == Method.TIME_POLL and option.starts_at is None:
            raise GovernanceError("Each proposed time needs a date and time.")
        Option.objects.create(
            coalition=coalition,
            proposal=proposal,
            key=f"o{position}",
            label=label,
            description=option.description.strip(),
            starts_at=option.starts_at,
            time_zone=option.time_zone,
            position=position,
        )
    try:
        methods.check_config(method, proposal.config, [f"o{i}" for i in range(1, len(seen) + 1)])
    except (ValueError, TypeError) as error:
        raise GovernanceError(f"This configuration does not work: {error}") from error
    if electorate == Electorate.INDIVIDUALS:
        for staff in named_voters:
            if staff.coalition_id != coalition.pk:
                raise GovernanceError("Named voters must belong to this coalition.")
            NamedVoter.objects.get_or_create(coalition=coalition, proposal=proposal, staff=staff)


def _proposal_fields(proposal: Proposal) -> dict[str, Any]:
    """What the log records of a proposal's terms when it is drafted or edited."""
    return {
        "title": proposal.title,
        "template": proposal.template_key,
        "method": proposal.method,
        "config": proposal.config,
        "electorate": proposal.electorate,
        "quorum_percent": proposal.quorum_percent,
        "anonymous": proposal.anonymous,
        "closes_at": proposal.closes_at,
        "options": [{"key": o.key, "label": o.label} for o in proposal.options.all()],
    }


@transaction.atomic
def create_proposal(
    *,
    coalition: Coalition,
    template: str,
    title: str,
    closes_at: dt.datetime,
    created_by: User | None,
    body: str = "",
    options: Sequence[OptionInput] = (),
    electorate: str = Electorate.ORGANIZATIONS,
    named_voters: Sequence[StaffMember] = (),
    anonymous: bool = False,
    results_visibility: str | None = None,
    reason_required: bool | None = None,
    quorum_percent: Decimal | None = None,
    config: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Proposal:
    """Draft a proposal from a template (shipped key, or "c<id>" for a coalition's own)."""
    now = now or timezone.now()
    chosen = _resolve_template(coalition, template)
    title = title.strip()
    settled = _settle(
        chosen,
        title=title,
        electorate=electorate,
        anonymous=anonymous,
        results_visibility=results_visibility,
        quorum_percent=quorum_percent,
        config=config,
    )
    proposal = Proposal.objects.create(
        coalition=coalition,
        title=title,
        body=body.strip(),
        template_key=chosen.key,
        template_name=chosen.name,
        method=chosen.method,
        config=settled.config,
        electorate=electorate,
        quorum_percent=settled.quorum,
        anonymous=anonymous,
        results_visibility=settled.visibility,
        reason_required=chosen.reason_required if reason_required is None else reason_required,
        closes_at=closes_at,
        created_by=created_by,
        created_at=now,
    )
    _set_options_and_voters(proposal, chosen.method, options, electorate, named_voters)
    append_log(
        coalition=coalition,
        at=now,
        event="proposal_created",
        proposal=proposal.pk,
        **_proposal_fields(proposal),
        by=created_by.pk if created_by else None,
    )
    return proposal


NOT_OPENED: Final = (Proposal.Status.DRAFT, Proposal.Status.SCHEDULED)


@transaction.atomic
def update_proposal(
    *,
    proposal: Proposal,
    by: User | None,
    title: str,
    closes_at: dt.datetime,
    body: str = "",
    options: Sequence[OptionInput] = (),
    electorate: str = Electorate.ORGANIZATIONS,
    named_voters: Sequence[StaffMember] = (),
    anonymous: bool = False,
    results_visibility: str | None = None,
    reason_required: bool | None = None,
    quorum_percent: Decimal | None = None,
    config: Mapping[str, Any] | None = None,
) -> Proposal:
    """Change a proposal that has not opened (its template stays): its terms are set again from
    the template and these values, exactly as when it was drafted; the log records the new terms."""
    row = _locked(proposal)
    if row.status not in NOT_OPENED:
        raise GovernanceError("Only a proposal that has not opened can be edited.")
    chosen = _resolve_template(row.coalition, row.template_key)
    title = title.strip()
    settled = _settle(
        chosen,
        title=title,
        electorate=electorate,
        anonymous=anonymous,
        results_visibility=results_visibility,
        quorum_percent=quorum_percent,
        config=config,
    )
    if row.opens_at and row.opens_at >= closes_at:
        raise GovernanceError("It must open before it closes.")
    row.title, row.body, row.closes_at = title, body.strip(), closes_at
    row.config, row.electorate, row.quorum_percent = settled.config, electorate, settled.quorum
    row.anonymous, row.results_visibility = anonymous, settled.visibility
    row.reason_required = chosen.reason_required if reason_required is None else reason_required
    row.save()
    _set_options_and_voters(row, row.method, options, electorate, named_voters)
    append_log(
        coalition=row.coalition,
        event="proposal_edited",
        proposal=row.pk,
        **_proposal_fields(row),
        by=by.pk if by else None,
    )
    return _refresh(proposal, row)


@transaction.atomic
def delete_proposal(*, proposal: Proposal, by: User | None) -> None:
    """Delete a proposal that has not opened (nobody could vote on it); the log keeps its
    drafting and records the deletion."""
    row = _locked(proposal)
    if row.status not in NOT_OPENED:
        raise GovernanceError("Only a proposal that has not opened can be deleted.")
    append_log(
        coalition=row.coalition,
        event="proposal_deleted",
        proposal=row.pk,
        title=row.title,
        by=by.pk if by else None,
    )
    row.delete()


def _locked(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _refresh(target: Proposal, source: Proposal) -> Proposal:
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


@transaction.atomic
def schedule_proposal(*, proposal: Proposal, opens_at: dt.datetime, by: User | None) -> Proposal:
    """A draft waits until `opens_at`, then opens (advance_proposal)."""
    row = _locked(proposal)
    if row.status not in {Proposal.Status.DRAFT, Proposal.Status.SCHEDULED}:
        raise GovernanceError("Only a draft can be scheduled.")
    if opens_at >= row.closes_at:
        raise GovernanceError("It must open before it closes.")
    row.status, row.opens_at = Proposal.Status.SCHEDULED, opens_at
    row.save(update_fields=["status", "opens_at"])
    append_log(
        coalition=row.coalition,
        event="proposal_scheduled",
        proposal=row.pk,
        opens_at=opens_at,
        by=by.pk if by else None,
    )
    _schedule_ticks(row, at=[opens_at])
    return _refresh(proposal, row)


def _eligible_rows(proposal: Proposal) -> list[Eligibility]:
    coalition = proposal.coalition
    if proposal.electorate == Electorate.INDIVIDUALS:
        named = NamedVoter.objects.for_coalition(coalition).filter(proposal=proposal)
        return [
            Eligibility(
                coalition=coalition,
                proposal=proposal,
                voter_key=f"s{n.staff_id}",
                staff=n.staff,
                label=n.staff.user.full_name or n.staff.user.email,
                weight=Decimal(1),
            )
            for n in named.select_related("staff__user")
        ]
    active = (
        Membership.objects.for_coalition(coalition)
        .filter(status=Membership.Status.ACTIVE)
        .select_related("organization")
    )
    weighted = proposal.electorate == Electorate.WEIGHTED
    return [
        Eligibility(
            coalition=coalition,
            proposal=proposal,
            voter_key=f"m{m.pk}",
            membership=m,
            label=m.organization.name,
            weight=m.vote_weight if weighted else Decimal(1),
        )
        for m in active
        if not weighted or m.vote_weight > 0
    ]


@transaction.atomic
def open_proposal(
    *,
    proposal: Proposal,
    by: User | None,
    now: dt.datetime | None = None,
    schedule_ticks: bool = True,
) -> Proposal:
    """Open for votes; the eligible voters are fixed now (active members, or the named people).

    `schedule_ticks=False` leaves the reminder and the closing to `governance_tick` and to
    page views (the demo does, so that a fresh demo's task queue holds no deferred work)."""
    now = now or timezone.now()
    row = _locked(proposal)
    if row.status not in {Proposal.Status.DRAFT, Proposal.Status.SCHEDULED}:
        raise GovernanceError("Only a draft or scheduled proposal can be opened.")
    if row.closes_at <= now:
        raise GovernanceError("The deadline has passed; set a later one.")
    options = Option.objects.for_coalition(row.coalition).filter(proposal=row).count()
    if row.method in methods.METHODS_WITH_OPTIONS and options < 2:
        raise GovernanceError("Offer at least two options.")
    eligible = _eligible_rows(row)
    if not eligible:
        raise GovernanceError("Nobody would be eligible to vote.")
    if row.anonymous:
        _refuse_identifying_weights(eligible)
    extra: dict[str, Any] = {}
    if row.method == Method.RANKED_CHOICE and row.config.get("tie_break") == methods.TIE_BREAK_LOT:
        keys = list(
            Option.objects.for_coalition(row.coalition)
            .filter(proposal=row)
            .values_list("key", flat=True)
        )
        secrets.SystemRandom().shuffle(keys)  # drawn before any vote, by the OS's CSPRNG
        row.config = {**row.config, "tiebreak_order": keys}
        extra["tiebreak_order"] = keys
    Eligibility.objects.bulk_create(eligible, ignore_conflicts=True)
    row.status, row.opened_at = Proposal.Status.OPEN, now
    row.save(update_fields=["status", "opened_at", "config"])
    append_log(
        coalition=row.coalition,
        at=now,
        event="proposal_opened",
        proposal=row.pk,
        closes_at=row.closes_at,
        eligible=[{"voter": e.voter_key, "weight": e.weight} for e in eligible],
        by=by.pk if by else None,
        **extra,
    )
    if schedule_ticks:
        _schedule_ticks(row, at=[row.closes_at - REMINDER_LEAD, row.closes_at])
    return _refresh(proposal, row)


def _refuse_identifying_weights(eligible: Sequence[Eligibility]) -> None:
    """An anonymous ballot keeps its weight: no weight may belong to one voter alone."""
    holders: dict[Decimal, list[str]] = {}
    for row in eligible:
        holders.setdefault(row.weight, []).append(row.label)
    alone = sorted((weight, names[0]) for weight, names in holders.items() if len(names) == 1)
    if alone:
        named = ", ".join(f"{label} ({weight.normalize():f})" for weight, label in alone)
        raise GovernanceError(
            "An anonymous ballot counts with its voter's weight, so a weight no other member "
            f"has would reveal that member's ballot: {named}. Vote one organization, one vote, "
            "or not anonymously."
        )


def _schedule_ticks(proposal: Proposal, *, at: Sequence[dt.datetime]) -> None:
    """With a backend that can defer (the database one), wake the proposal up when it is due;
    otherwise `cairn governance_tick` (cron) does it. Either way advance_proposal is idempotent."""
    from .tasks import advance_proposal_task

    if not advance_proposal_task.get_backend().supports_defer:
        return
    for moment in at:
        if moment > timezone.now():
            transaction.on_commit(partial(_enqueue_tick, proposal.pk, moment))


def _enqueue_tick(proposal_id: int, moment: dt.datetime) -> None:
    from .tasks import advance_proposal_task

    advance_proposal_task.using(run_after=moment).enqueue(proposal_id)


@dataclass(frozen=True, slots=True)
class CastResult:
    vote: Vote
    created: bool
    changes: int


def voter_key_for(proposal: Proposal, staff: StaffMember) -> str | None:
    """The key under which `staff` votes on `proposal`, or None if they cast no vote there."""
    if proposal.electorate == Electorate.INDIVIDUALS:
        return f"s{staff.pk}"
    return f"m{staff.membership_id}" if staff.membership_id else None


@transaction.atomic
def cast_vote(
    *,
    proposal: Proposal,
    staff: StaffMember,
    ballot: Mapping[str, Any],
    reason: str = "",
    now: dt.datetime | None = None,
) -> CastResult:
    """Cast or change the vote of the organization (or named person) `staff` votes for."""
    now = now or timezone.now()
    row = _locked(proposal)  # serializes with closing: no vote lands after the close
    if not row.accepts_votes(now):
        raise GovernanceError("Voting is closed.")
    key = voter_key_for(row, staff)
    eligibility = (
        Eligibility.objects.for_coalition(row.coalition)
        .filter(proposal=row, voter_key=key)
        .select_related("membership", "staff")
        .first()
        if key
        else None
    )
    if eligibility is None or not may_vote(
        staff, membership=eligibility.membership, named_staff=eligibility.staff
    ):
        raise GovernanceError("You are not eligible to vote on this proposal.")
    options = list(Option.objects.for_coalition(row.coalition).filter(proposal=row))
    rule = selectors.rule_for(row) if row.method == Method.PROPOSAL else None
    try:
        cleaned = methods.clean_ballot(
            method=row.method,
            config=row.config,
            rule=rule,
            option_keys=[o.key for o in options],
            option_times={o.key: o.starts_at for o in options if o.starts_at},
            ballot=ballot,
            reason=reason,
            reason_required=row.reason_required,
        )
    except methods.BallotError as error:
        raise GovernanceError(str(error)) from error
    reason = reason.strip()
    if row.anonymous:
        claimed = Eligibility.objects.filter(pk=eligibility.pk, voted_at__isnull=True).update(
            voted_at=now
        )
        if not claimed:
            raise GovernanceError("Your anonymous ballot is already cast; it cannot be changed.")
        vote = Vote.objects.create(
            coalition=row.coalition,
            proposal=row,
            voter_key=f"a{uuid.uuid4().hex}",
            weight=eligibility.weight,
            ballot=cleaned,
            reason=reason,
        )
        append_log(
            coalition=row.coalition, at=now, event="vote_cast", proposal=row.pk, anonymous=True
        )
        return CastResult(vote=vote, created=True, changes=0)

    vote, created = Vote.objects.get_or_create(
        proposal=row,
        voter_key=eligibility.voter_key,
        defaults={
            "coalition": row.coalition,
            "membership": eligibility.membership,
            "cast_by": staff.user,
            "weight": eligibility.weight,
            "ballot": cleaned,
            "reason": reason,
            "cast_at": now,
        },
    )  # UniqueConstraint(proposal, voter_key): a second organizer changes the vote, never adds
    if not created:
        Vote.objects.filter(pk=vote.pk).update(
            cast_by=staff.user, ballot=cleaned, reason=reason, cast_at=now, changes=F("changes") + 1
        )
        vote.refresh_from_db()
    Eligibility.objects.filter(pk=eligibility.pk, voted_at__isnull=True).update(voted_at=now)
    append_log(
        coalition=row.coalition,
        at=now,
        event="vote_changed" if not created else "vote_cast",
        proposal=row.pk,
        voter=eligibility.voter_key,
        voter_label=eligibility.label,
        by=staff.user_id,
        ballot=cleaned,
        reason=reason,
        change=vote.changes,
    )
    return CastResult(vote=vote, created=created, changes=vote.changes)


def _close(row: Proposal, *, now: dt.datetime, by: User | None) -> None:
    early = now < row.closes_at
    row.status, row.closed_at = Proposal.Status.CLOSED, now
    row.closed_early_by = by if early else None
    summary = selectors.summarize(row)
    row.passed, row.result_summary = summary.passed, summary.text[:300]
    row.save(update_fields=["status", "closed_at", "closed_early_by", "passed", "result_summary"])
    append_log(
        coalition=row.coalition,
        at=now,
        event="proposal_closed",
        proposal=row.pk,
        early=early,
        passed=summary.passed,
        summary=summary.text,
        by=by.pk if by else None,
    )
    transaction.on_commit(partial(_enqueue_checkpoint, row.coalition_id))


def _enqueue_checkpoint(coalition_id: int) -> None:
    from .tasks import publish_checkpoint_task

    publish_checkpoint_task.enqueue(coalition_id)


@transaction.atomic
def close_proposal(
    *, proposal: Proposal, by: User | None, now: dt.datetime | None = None
) -> Proposal:
    """Close now (early, by a steward, or at the deadline) and record whether it passed."""
    now = now or timezone.now()
    row = _locked(proposal)
    if row.status != Proposal.Status.OPEN:
        raise GovernanceError("Only an open proposal can be closed.")
    _close(row, now=now, by=by)
    return _refresh(proposal, row)


@transaction.atomic
def reopen_proposal(
    *, proposal: Proposal, closes_at: dt.datetime, by: User | None, now: dt.datetime | None = None
) -> Proposal:
    """Open a closed proposal again until a new deadline; standing votes stay and can change."""
    now = now or timezone.now()
    row = _locked(proposal)
    if row.status != Proposal.Status.CLOSED:
        raise GovernanceError("Only a closed proposal can be reopened.")
    if row.anonymous:
        raise GovernanceError("An anonymous poll cannot be reopened.")
    if Outcome.objects.for_coalition(row.coalition).filter(proposal=row).exists():
        raise GovernanceError("An outcome is recorded; make a new proposal instead.")
    if closes_at <= now:
        raise GovernanceError("The new deadline must be in the future.")
    row.status, row.closes_at = Proposal.Status.OPEN, closes_at
    row.closed_at, row.closed_early_by, row.passed, row.result_summary = None, None, None, ""
    row.reminder_sent_at = None
    row.save(
        update_fields=[
            "status",
            "closes_at",
            "closed_at",
            "closed_early_by",
            "passed",
            "result_summary",
            "reminder_sent_at",
        ]
    )
    append_log(
        coalition=row.coalition,
        event="proposal_reopened",
        proposal=row.pk,
        closes_at=closes_at,
        by=by.pk if by else None,
    )
    _schedule_ticks(row, at=[closes_at - REMINDER_LEAD, closes_at])
    return _refresh(proposal, row)


@transaction.atomic
def advance_proposal(*, proposal: Proposal, now: dt.datetime | None = None) -> Proposal:
    """Catch a proposal up with the clock: open it when scheduled, send the reminder the day
    before closing, close it at its deadline. Safe to call any number of times."""
    now = now or timezone.now()
    row = _locked(proposal)
    if row.status == Proposal.Status.SCHEDULED and row.opens_at and row.opens_at <= now:
        try:
            row = open_proposal(proposal=row, by=None, now=now)
        except GovernanceError:
            return _refresh(proposal, row)
    if row.status == Proposal.Status.OPEN:
        if row.closes_at <= now:
            _close(row, now=row.closes_at, by=None)
        elif row.reminder_sent_at is None and row.closes_at - REMINDER_LEAD <= now:
            claimed = Proposal.objects.filter(pk=row.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if claimed:
                from .tasks import send_vote_reminders

                pk = row.pk
                transaction.on_commit(lambda: send_vote_reminders.enqueue(pk))
                row.reminder_sent_at = now
    return _refresh(proposal, row)


def is_due(proposal: Proposal, now: dt.datetime | None = None) -> bool:
    """True when advance_proposal would change something (so reads need not lock anything)."""
    now = now or timezone.now()
    if proposal.status == Proposal.Status.SCHEDULED:
        return proposal.opens_at is not None and proposal.opens_at <= now
    if proposal.status == Proposal.Status.OPEN:
        return proposal.closes_at <= now or (
            proposal.reminder_sent_at is None and proposal.closes_at - REMINDER_LEAD <= now
        )
    return False


def advance_due_proposals(
    *, coalition: Coalition | None = None, now: dt.datetime | None = None
) -> int:
    """advance_proposal for every proposal that may be due (of one coalition, or of all: the
    cron entry). Returns how many changed."""
    now = now or timezone.now()
    due = Proposal.objects.filter(
        models.Q(status=Proposal.Status.SCHEDULED, opens_at__lte=now)
        | models.Q(
            status=Proposal.Status.OPEN,
            closes_at__lte=now + REMINDER_LEAD,
            reminder_sent_at__isnull=True,
        )
        | models.Q(status=Proposal.Status.OPEN, closes_at__lte=now)
    )
    if coalition is not None:
        due = due.for_coalition(coalition)
    count = 0
    for proposal in due:
        before = (proposal.status, proposal.reminder_sent_at)
        after = advance_proposal(proposal=proposal, now=now)
        count += (after.status, after.reminder_sent_at) != before
    return count


# --- outcomes ----------------------------------------------------------------------------------


@transaction.atomic
def record_outcome(
    *,
    proposal: Proposal,
    statement: str,
    recorded_by: User | None,
    next_steps: str = "",
    responsible: str = "",
    review_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """State what was decided; recording again replaces the statement (both stay in the log)."""
    now = now or timezone.now()
    row = _locked(proposal)
    if row.status != Proposal.Status.CLOSED:
        raise GovernanceError("Record the outcome once the proposal is closed.")
    if not statement.strip():
        raise GovernanceError("Say what was decided.")
    outcome, _ = Outcome.objects.update_or_create(
        proposal=row,
        defaults={
            "coalition": row.coalition,
            "statement": statement.strip(),
            "next_steps": next_steps.strip(),
            "responsible": responsible.strip(),
            "review_on": review_on,
            "recorded_by": recorded_by,
            "recorded_at": now,
        },
    )
    append_log(
        coalition=row.coalition,
        at=now,
        event="outcome_recorded",
        proposal=row.pk,
        statement=outcome.statement,
        next_steps=outcome.next_steps,
        responsible=outcome.responsible,
        review_on=outcome.review_on,
        by=recorded_by.pk if recorded_by else None,
    )
    return outcome


@transaction.atomic
def authorize(
    *, outcome: Outcome, target: models.Model, note: str = "", now: dt.datetime | None = None
) -> Authorization:
    """Link an outcome to what it authorizes (a row of any app, of the same coalition)."""
    now = now or timezone.now()
    target_coalition = getattr(target, "coalition_id", outcome.coalition_id)
    if target_coalition != outcome.coalition_id:
        raise GovernanceError("A decision authorizes only its own coalition's work.")
    content_type = ContentType.objects.get_for_model(target)
    authorization, created = Authorization.objects.get_or_create(
        outcome=outcome,
        content_type=content_type,
        object_id=str(target.pk),
        defaults={"coalition_id": outcome.coalition_id, "note": note.strip(), "created_at": now},
    )
    if created:
        append_log(
            coalition=outcome.coalition,
            at=now,
            event="authorization_added",
            proposal=outcome.proposal_id,
            target=f"{content_type.app_label}.{content_type.model}:{target.pk}",
            note=authorization.note,
        )
    return authorization


# --- signed checkpoints of the log -------------------------------------------------------------


def _new_key(coalition: Coalition) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    public = hashchain.public_key_bytes(private)
    return SigningKey.objects.create(
        coalition=coalition,
        key_id=hashchain.key_id(public),
        public_key=base64.b64encode(public).decode("ascii"),
        private_key_encrypted=keys.encrypt_private_key(private),
    )


def _active_key(coalition: Coalition) -> SigningKey:
    key = SigningKey.objects.for_coalition(coalition).filter(retired_at__isnull=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _new_key(coalition)
    except IntegrityError:  # another process created it first: one active key per coalition
        return SigningKey.objects.for_coalition(coalition).get(retired_at__isnull=True)


@transaction.atomic
def rotate_signing_key(*, coalition: Coalition, by: User | None) -> SigningKey:
    """Retire the coalition's signing key and make a new one; the log records both key ids."""
    LogHead.objects.get_or_create(coalition=coalition, defaults={"seq": 0, "hash": GENESIS})
    LogHead.objects.select_for_update().get(coalition=coalition)  # serializes with publishing
    retired = list(
        SigningKey.objects.for_coalition(coalition)
        .filter(retired_at__isnull=True)
        .values_list("key_id", flat=True)
    )
    SigningKey.objects.for_coalition(coalition).filter(retired_at__isnull=True).update(
        retired_at=timezone.now()
    )
    key = _new_key(coalition)
    append_log(
        coalition=coalition,
        event="signing_key_rotated",
        key_id=key.key_id,
        public_key=key.public_key,
        retired=retired,
        by=by.pk if by else None,
    )
    return key


@transaction.atomic
def publish_checkpoint(*, coalition: Coalition) -> LogCheckpoint:
    """Sign the log's head now (or return the checkpoint of that head if there is one) and send
    it to the member organizations' contacts after the commit."""
    head = LogHead.objects.select_for_update().filter(coalition=coalition).first()
    if head is None or head.seq == 0:
        raise GovernanceError("The decision log is empty: there is nothing to sign yet.")
    existing = LogCheckpoint.objects.for_coalition(coalition).filter(seq=head.seq).first()
    if existing is not None:
        return existing
    key = _active_key(coalition)
    try:
        private = keys.decrypt_private_key(key.private_key_encrypted)
    except keys.KeyUnavailable as error:
        raise GovernanceError(str(error)) from error
    signed_at = timezone.now().replace(microsecond=0)
    document = hashchain.sign_checkpoint(
        private_key=private,
        coalition=coalition.slug,
        seq=head.seq,
        hash=head.hash,
        signed_at=selectors.checkpoint_time(signed_at),
    )
    checkpoint = LogCheckpoint.objects.create(
        coalition=coalition,
        seq=head.seq,
        hash=head.hash,
        signed_at=signed_at,
        key=key,
        signature=document.signature,
    )
    transaction.on_commit(partial(_enqueue_checkpoint_mail, checkpoint.pk))
    return checkpoint


def _enqueue_checkpoint_mail(checkpoint_id: int) -> None:
    from .tasks import send_checkpoint

    send_checkpoint.enqueue(checkpoint_id)
