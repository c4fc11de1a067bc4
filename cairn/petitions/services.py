"""Use cases of petitions: the only code that writes their tables.

Lifecycle (each a locked state transition; a refused one raises PetitionError and changes nothing):
- create_petition: a draft; its public slug is unique.
- update_petition: a draft changes freely. After it (EDIT_RULE): description, targets and
  campaign may be fixed; title and petition text only until the first signature; deadline,
  thresholds and co-signers needed not at all. Each change is kept as a PetitionRevision; a
  refused one raises PetitionFrozen and changes nothing.
- submit_petition: draft → awaiting sponsors (or → in moderation when no co-signers are needed).
- sponsor_petition: one sponsorship per member organization; the Nth moves it to moderation.
- open_petition / reject_petition: moderation's outcomes; a rejection has a reason code and text
  and is final (a published petition is taken down instead, which can be undone).
- close_petition / close_expired_petitions: open → closed (by hand or at the deadline);
  reopen_petition undoes a close made by mistake (not past the deadline). Both are logged with
  who did it when done by hand (Django's admin log: the petition's history).
- Which step each state allows, and who takes it: `lifecycle.FROM` (the staff page offers the
  same, through `lifecycle.allowed_steps`).
- take_down_petition / restore_petition: a take-down remembers the state it restores.
- declare_victory: open or closed → won, with a statement.
- record_delivery / record_response: the response clock runs from delivery until the answer.
Signing:
- sign_petition: one signature per petition and canonical email (a database constraint, met by
  INSERT … ON CONFLICT DO NOTHING); signing again re-sends the link (pending) or says "you
  already signed" (confirmed), never a second row; at most one such email a minute.
  Checks run in this fixed order: open → name, email, postal code → allow/block lists (email,
  then domain, then IP; the first entry found decides, allow skips the limits) → the IP's hard
  ceiling per hour (refused above it). Over the burst (per minute) or sustained (per hour) limit
  a signature is taken but `held` for review (flag, don't refuse). Lists and limits are cached for
  SCREEN_CACHE_SECONDS; a change applies at once in the process that made it. The open check
  and the limits are applied again by the INSERT itself, so a petition cached by the view never
  lets a signature into a closed one. The email's task row is written with the signature: by
  the same statement on PostgreSQL with the database task backend (one round trip, no
  transaction), in the same transaction elsewhere.
- confirm_signature: a link counts once; a late click is accepted up to 24 h after closing. The
  signer joins the supporter base by a task queued in the same transaction
  (record_signer_in_crm: once per signature, with the consents they gave).
- unsubscribe_signer: every email carries the link; it stops updates and logs the CRM change.
Trusted clients (the OSDI API):
- launch_petition: create and submit in one transaction; a moderator's call opens it at once.
- record_collected_signature: a signature the client collected is confirmed and counted at once
  (no email), still one per petition and canonical email; a pending one is confirmed.
- update_signature_comment: only the comment of a signature ever changes.
Counting and integrity:
- the public count is the sum of PetitionCount shards, changed with F() in the transaction that
  confirms, invalidates or restores a signature; recount_petition rebuilds it from signatures.
- a signature counts when confirmed, not invalidated and not held; the counting parts
  (confirmation, invalidation, undo, clearance) change the shards by exactly those.
- invalidate_signatures / undo_invalidation: by email, domain, IP and time window; undo restores.
- clear_network / invalidate_network: a steward's decision on a network's held signatures; a
  network clears itself when AUTO_CLEAR_SHARE of its flagged signers confirmed (a Clearance logs
  each clearance, an Invalidation each invalidation).
- public_count: the count for public pages through the cache; every change of a petition (through
  `_lock`) leaves its cached public pages behind (`public_page_generation`).
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any, cast

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, F, Field, Q, QuerySet, Sum
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.text import slugify
from django_tasks.base import Task
from django_tasks.utils import normalize_json
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from cairn.accounts.models import User
from cairn.campaigns.models import Campaign
from cairn.coalitions.models import Coalition, Membership
from cairn.engines.emails import canonical_email, normalize_email
from cairn.engines.signers import name_problem, normalize_postal_code, postal_area
from cairn.engines.signers import postal_code_problem as postal_problem
from cairn.engines.thresholds import parse_thresholds
from cairn.people import services as people
from cairn.people.models import EmailAddress, Person

from . import lifecycle, tasks
from .lifecycle import Step
from .models import (
    COUNT_SHARDS,
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
    new_ref_code,
)

CONFIRM_SALT = "cairn.petitions.confirm"
UNSUBSCRIBE_SALT = "cairn.petitions.unsubscribe"
# A re-sent confirmation (or "already signed") email goes out at most once per this interval.
RESEND_INTERVAL = dt.timedelta(minutes=1)
# Trending IPs and domains are checked on one new signature in this many (by id): volume is what
# trends, so an alert comes at most a few signatures late, and signing stays cheap under load.
TRENDING_SAMPLE = 8

Status = Petition.Status


class PetitionError(Exception):
    """A use case refused: the message is safe to show."""


class SignRefused(PetitionError):
    """A signature refused; `code` says which check refused it, `field` which input (if any)."""

    def __init__(self, message: str, *, code: str, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.field = field


@dataclass(frozen=True, slots=True)
class Limits:
    burst: int
    sustained: int
    trending: int
    # Signatures per IP per hour above which signing is refused; between the burst/sustained
    # limits and this ceiling a signature is taken but held for review.
    hard: int = 500


# Signing reads the coalition's limits and lists on every request: they are cached this long
# (seconds). A change is seen at once by the process that made it (and everywhere with a shared
# cache), by other processes of a local-memory cache within this delay.
SCREEN_CACHE_SECONDS = 5
# Lists longer than this are looked up per request instead of cached whole.
CACHED_LIST_ENTRIES = 2000


def _coalition_id(coalition: Coalition | int) -> int:
    return coalition if isinstance(coalition, int) else coalition.pk


def _forget_screening(coalition: Coalition | int) -> None:
    keys = [f"petitions:{name}:{_coalition_id(coalition)}" for name in ("limits", "lists")]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))  # and what a reader cached meanwhile


def limits_for(coalition: Coalition | int) -> Limits:
    """The coalition's signing limits, or the site defaults."""
    key = f"petitions:limits:{_coalition_id(coalition)}"
    cached = cache.get(key)
    if isinstance(cached, Limits):
        return cached
    row = next(iter(IntegritySettings.objects.for_coalition(coalition).order_by()[:1]), None)
    if row is not None:
        limits = Limits(row.burst_limit, row.sustained_limit, row.trending_limit, row.hard_limit)
    else:
        limits = Limits(
            burst=getattr(settings, "CAIRN_SIGN_BURST_PER_MINUTE", 10),
            sustained=getattr(settings, "CAIRN_SIGN_SUSTAINED_PER_HOUR", 60),
            trending=getattr(settings, "CAIRN_SIGN_TRENDING_PER_HOUR", 200),
            hard=getattr(settings, "CAIRN_SIGN_HARD_PER_HOUR", 500),
        )
    cache.set(key, limits, SCREEN_CACHE_SECONDS)
    return limits


def site_url_or_default(site_url: str | None) -> str:
    return (site_url or settings.CAIRN_SITE_URL).rstrip("/")


# --- petitions -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PetitionData:
    title: str
    background: str = ""
    details: str = ""
    targets: Sequence[dict[str, str]] = ()
    campaign: Campaign | None = None  # one of the petition's coalition
    deadline: dt.datetime | None = None
    thresholds: Sequence[dict[str, Any]] = ()
    sponsors_required: int = 0


def _clean(data: PetitionData, *, coalition_id: int) -> dict[str, Any]:
    title = data.title.strip()
    if not title:
        raise PetitionError("A petition needs a title: the ask.")
    thresholds = [
        {"count": t.count, "consequence": t.consequence} for t in parse_thresholds(data.thresholds)
    ]
    targets = [
        {k: str(v).strip() for k, v in target.items() if k in {"name", "title", "body"}}
        for target in data.targets
        if str(target.get("name", "")).strip()
    ]
    if data.sponsors_required < 0:
        raise PetitionError("The number of co-signers cannot be negative.")
    if data.campaign is not None and data.campaign.coalition_id != coalition_id:
        raise PetitionError("The campaign belongs to another coalition.")
    return {
        "title": title,
        "background": data.background.strip(),
        "details": data.details.strip(),
        "targets": targets,
        "campaign": data.campaign,
        "deadline": data.deadline,
        "thresholds": thresholds,
        "sponsors_required": data.sponsors_required,
    }


def _unique_slug(title: str, slug: str = "") -> str:
    base = (slugify(slug or title)[:60] or "petition").strip("-")
    candidate = base
    while Petition.objects.filter(slug=candidate).exists():
        candidate = f"{base}-{secrets.token_hex(3)}"
    return candidate


@transaction.atomic
def create_petition(
    *, owner: Membership, data: PetitionData, created_by: User | None, slug: str = ""
) -> Petition:
    """A new draft owned by a member organization of the coalition."""
    fields = _clean(data, coalition_id=owner.coalition_id)
    for attempt in range(3):
        try:
            with transaction.atomic():
                return Petition.objects.create(
                    coalition_id=owner.coalition_id,
                    owner=owner,
                    slug=_unique_slug(fields["title"], slug),
                    created_by=created_by,
                    **fields,
                )
        except IntegrityError:
            if attempt == 2:  # the slug was taken three times between our check and insert
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _lock(petition: Petition) -> Petition:
    """The petition, locked for a change; once committed, its cached public pages are left
    behind (every change of a petition goes through here)."""
    locked = Petition.objects.select_for_update().get(pk=petition.pk)
    transaction.on_commit(partial(forget_public_pages, locked.slug))
    return locked


def _move(petition: Petition, allowed: set[str], to: str, verb: str, **changes: Any) -> Petition:
    """Move a locked petition from one of `allowed` states to `to`, or refuse."""
    locked = _lock(petition)
    if locked.status not in allowed:
        raise PetitionError(f"A petition that is {locked.get_status_display().lower()} {verb}.")
    locked.status = to
    locked.status_changed_at = timezone.now()
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", "status_changed_at", *changes])
    return locked


# What may change once a petition has left its draft: the rule a signer can trust.
AMENDABLE = frozenset({"background", "targets", "campaign"})  # fixes, each kept as a revision
SIGNED_TEXT = frozenset({"title", "details"})  # what signers agree to
EDIT_RULE = (
    "Once a petition has left its draft, its description, targets and campaign may be corrected "
    "(each change is kept in its revision history); its title and petition text — what signers "
    "agree to — may change only until the first signature, and its deadline, signature "
    "thresholds and co-signers needed not at all."
)


FIELD_LABELS = {
    "details": "petition text",
    "background": "description",
    "thresholds": "signature thresholds",
    "sponsors_required": "co-signers needed",
}


class PetitionFrozen(PetitionError):
    """A change the edit rule refuses; `fields` are the refused ones (model field names)."""

    def __init__(self, fields: Sequence[str], *, signed: bool) -> None:
        names = " and ".join(FIELD_LABELS.get(name, name) for name in fields)
        reason = "it has signatures" if signed else "it has left its draft"
        super().__init__(f"This petition's {names} cannot change now: {reason}. {EDIT_RULE}")
        self.fields = tuple(fields)
        self.rule = EDIT_RULE


def _revision_value(value: Any) -> Any:
    if isinstance(value, Campaign):
        return value.pk
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


@transaction.atomic
def update_petition(
    *, petition: Petition, data: PetitionData, changed_by: User | None = None, via: str = ""
) -> Petition:
    """Change what the edit rule allows (EDIT_RULE); after the draft, keep a revision of it.

    The petition's row is locked first: a signature's insert waits for it on PostgreSQL (its
    foreign-key check) and every write waits on SQLite, so no one signs between the check for
    signatures and the change of the text."""
    locked = _lock(petition)
    fields = _clean(data, coalition_id=locked.coalition_id)
    current = {name: getattr(locked, name) for name in fields}
    changed = {name: value for name, value in fields.items() if current[name] != value}
    if not changed:
        return locked
    if locked.status != Status.DRAFT:
        signed = Signature.objects.filter(petition=locked).exists()
        refused = [
            name
            for name in fields  # in the form's order
            if name in changed and name not in AMENDABLE and (signed or name not in SIGNED_TEXT)
        ]
        if refused:
            raise PetitionFrozen(refused, signed=signed)
        PetitionRevision.objects.create(
            coalition_id=locked.coalition_id,
            petition=locked,
            changed_by=changed_by,
            via=via[:200],
            status=locked.status,
            changes={
                name: {"from": _revision_value(current[name]), "to": _revision_value(value)}
                for name, value in changed.items()
            },
        )
    for name, value in changed.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(changed))
    return locked


@transaction.atomic
def submit_petition(*, petition: Petition) -> Petition:
    """Draft → awaiting sponsors, or straight to moderation when no co-signers are needed."""
    current = _lock(petition)
    have = Sponsorship.objects.filter(petition=current).count()
    to = Status.IN_MODERATION if have >= current.sponsors_required else Status.AWAITING_SPONSORS
    return _move(current, {Status.DRAFT}, to, "cannot be submitted")


@transaction.atomic
def sponsor_petition(
    *, petition: Petition, membership: Membership, signed_by: User | None
) -> Sponsorship:
    """A member organization co-signs; the one that completes the quorum starts moderation."""
    locked = _lock(petition)
    if membership.coalition_id != locked.coalition_id:
        raise PetitionError("That organization is not in this coalition.")
    if membership.status != Membership.Status.ACTIVE:
        raise PetitionError("Only an active member organization can co-sign.")
    if membership.pk == locked.owner_id:
        raise PetitionError("The owner sponsors its own petition already.")
    if locked.status not in {Status.DRAFT, Status.AWAITING_SPONSORS, Status.IN_MODERATION}:
        raise PetitionError("Co-signing is over for this petition.")
    sponsorship, created = Sponsorship.objects.get_or_create(
        petition=locked,
        membership=membership,
        defaults={"coalition_id": locked.coalition_id, "signed_by": signed_by},
    )
    if not created:
        raise PetitionError(f"{membership.organization} co-signed already.")
    have = Sponsorship.objects.filter(petition=locked).count()
    if locked.status == Status.AWAITING_SPONSORS and have >= locked.sponsors_required:
        _move(locked, {Status.AWAITING_SPONSORS}, Status.IN_MODERATION, "cannot be moderated")
    return sponsorship


def _ensure_shards(petition: Petition) -> None:
    PetitionCount.objects.bulk_create(
        [
            PetitionCount(coalition_id=petition.coalition_id, petition=petition, shard=n)
            for n in range(COUNT_SHARDS)
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def open_petition(*, petition: Petition) -> Petition:
    """Moderation approves: the petition goes public and takes signatures."""
    opened = _move(
        petition,
        set(lifecycle.FROM[Step.OPEN]),
        Status.OPEN,
        "cannot be opened",
        opened_at=timezone.now(),
    )
    _ensure_shards(opened)
    return opened


@transaction.atomic
def reject_petition(*, petition: Petition, reason: str, text: str) -> Petition:
    """Moderation refuses, with a reason code (some hide the petition) and an explanation.

    Only before publication, and final: a published petition that should not be is taken down,
    which hides it as well and can be undone.
    """
    if reason not in Petition.RejectionReason.values:
        raise PetitionError("Choose a reason for the rejection.")
    return _move(
        petition,
        set(lifecycle.FROM[Step.REJECT]),
        Status.REJECTED,
        "cannot be rejected",
        rejection_reason=reason,
        rejection_text=text.strip(),
    )


@transaction.atomic
def close_petition(
    *, petition: Petition, now: dt.datetime | None = None, by: User | None = None
) -> Petition:
    """Stop taking signatures; confirmations still count for LATE_CONFIRMATION. Logged when
    someone (`by`) closes it by hand."""
    closed = _move(
        petition,
        set(lifecycle.FROM[Step.CLOSE]),
        Status.CLOSED,
        "cannot be closed",
        closed_at=now or timezone.now(),
    )
    if by is not None:
        _log_step(closed, by, "Closed.")
    return closed


@transaction.atomic
def reopen_petition(*, petition: Petition, by: User | None, reason: str = "") -> Petition:
    """Undo a close made by mistake: closed → open, unless its deadline has passed; logged."""
    current = _lock(petition)
    problem = lifecycle.reopen_problem(current)
    if problem is not None:
        raise PetitionError(problem)
    reopened = _move(
        current, set(lifecycle.FROM[Step.REOPEN]), Status.OPEN, "cannot be reopened", closed_at=None
    )
    _ensure_shards(reopened)
    if by is not None:
        reason = " ".join(reason.split())
        _log_step(reopened, by, f"Reopened: {reason}" if reason else "Reopened.")
    return reopened


def _log_step(petition: Petition, by: User, message: str) -> None:
    """Keep who changed a petition's state by hand, and why, in Django's admin log."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(Petition),
        object_id=str(petition.pk),
        object_repr=str(petition)[:200],
        action_flag=CHANGE,
        change_message=message[:1000],
    )


def close_expired_petitions(*, now: dt.datetime | None = None) -> int:
    """Close every open petition whose deadline passed (a periodic task); how many closed."""
    now = now or timezone.now()
    closed = 0
    for petition in Petition.objects.filter(status=Status.OPEN, deadline__lte=now):
        try:
            close_petition(petition=petition, now=petition.deadline)
            closed += 1
        except PetitionError:
            continue  # closed by someone else meanwhile
    return closed


@transaction.atomic
def take_down_petition(*, petition: Petition, reason: str) -> Petition:
    """Hide a public petition at once; only a steward's restore brings it back."""
    current = _lock(petition)
    return _move(
        current,
        set(lifecycle.FROM[Step.TAKE_DOWN]),
        Status.TAKEN_DOWN,
        "cannot be taken down",
        status_before_takedown=current.status,
        takedown_reason=reason.strip(),
    )


@transaction.atomic
def restore_petition(*, petition: Petition) -> Petition:
    """Bring a taken-down petition back to the state it was in."""
    current = _lock(petition)
    return _move(
        current,
        set(lifecycle.FROM[Step.RESTORE]),
        current.status_before_takedown or Status.CLOSED,
        "cannot be restored",
        status_before_takedown="",
        takedown_reason="",
    )


@transaction.atomic
def declare_victory(
    *, petition: Petition, statement: str, now: dt.datetime | None = None
) -> Petition:
    """The target gave in: the petition is won (and closed, if it was open)."""
    if not statement.strip():
        raise PetitionError("A victory needs a statement.")
    now = now or timezone.now()
    current = _lock(petition)
    return _move(
        current,
        set(lifecycle.FROM[Step.VICTORY]),
        Status.WON,
        "cannot be declared won",
        victory_statement=statement.strip(),
        won_at=now,
        closed_at=current.closed_at or now,
    )


@transaction.atomic
def record_delivery(*, petition: Petition, delivered_at: dt.datetime | None = None) -> Petition:
    """The petition was handed to its targets: the response clock starts."""
    locked = _lock(petition)
    if locked.status not in lifecycle.FROM[Step.DELIVERY]:
        raise PetitionError("Only a public petition can be delivered.")
    locked.delivered_at = delivered_at or timezone.now()
    locked.save(update_fields=["delivered_at"])
    return locked


@transaction.atomic
def record_response(
    *, petition: Petition, text: str, answered_at: dt.datetime | None = None
) -> Petition:
    """The target answered: the response is shown and the clock stops."""
    if not text.strip():
        raise PetitionError("Write down what the target answered.")
    locked = _lock(petition)
    if locked.status not in lifecycle.FROM[Step.RESPONSE]:
        raise PetitionError("Only a public petition has a response.")
    locked.response_text = text.strip()
    locked.response_at = answered_at or timezone.now()
    locked.save(update_fields=["response_text", "response_at"])
    return locked


# --- the counter ---------------------------------------------------------------------------------


def _bump(petition: Petition, delta: int, *, shard: int) -> None:
    """Add `delta` to one shard of the count (inside the caller's transaction)."""
    if not delta:
        return
    transaction.on_commit(partial(forget_public_count, petition.pk, petition.slug))
    key = shard % COUNT_SHARDS
    if not PetitionCount.objects.filter(petition=petition, shard=key).update(
        confirmed=F("confirmed") + delta
    ):
        _ensure_shards(petition)
        PetitionCount.objects.filter(petition=petition, shard=key).update(
            confirmed=F("confirmed") + delta
        )
    if delta > 0 and petition.thresholds:
        _record_crossings(petition)


def _record_crossings(petition: Petition) -> None:
    total = current_count(petition)
    reached = [t.count for t in parse_thresholds(petition.thresholds) if t.count <= total]
    if not reached:
        return
    known = set(
        ThresholdCrossing.objects.filter(petition=petition, count__in=reached).values_list(
            "count", flat=True
        )
    )
    ThresholdCrossing.objects.bulk_create(
        [
            ThresholdCrossing(coalition_id=petition.coalition_id, petition=petition, count=count)
            for count in reached
            if count not in known
        ],
        ignore_conflicts=True,
    )


def current_count(petition: Petition | int) -> int:
    """The public count: the sum of the petition's shards."""
    total = PetitionCount.objects.filter(petition=petition).aggregate(n=Sum("confirmed"))["n"]
    return int(total or 0)


def _public_count_key(petition_id: int) -> str:
    return f"petitions:count:{petition_id}"


def public_count(petition: Petition | int) -> int:
    """The public count for public pages: the shards' sum through the cache, at most
    CAIRN_PUBLIC_COUNT_SECONDS old (and fresh at once in the process that changed it, or
    everywhere with a shared cache such as Redis)."""
    petition_id = petition if isinstance(petition, int) else petition.pk
    key = _public_count_key(petition_id)
    count = cache.get(key)
    if count is None:
        count = current_count(petition_id)
        cache.set(key, count, getattr(settings, "CAIRN_PUBLIC_COUNT_SECONDS", 5))
    return int(count)


def forget_public_count(petition_id: int, slug: str) -> None:
    """Drop the cached public count and the counts JSON built from it (after a change)."""
    cache.delete_many([_public_count_key(petition_id), counts_json_key(slug)])


def public_page_generation(slug: str) -> str:
    """A token in the cache keys of a petition's public pages: a new one (after any change of
    state, see `forget_public_pages`) leaves every cached copy behind at once."""
    key = f"petitions:page-gen:{slug}"
    generation = cache.get(key)
    if generation is None:
        cache.add(key, secrets.token_hex(4), None)  # racing readers keep the first one
        generation = cache.get(key, "0")
    return str(generation)


def forget_public_pages(slug: str) -> None:
    cache.delete(f"petitions:page-gen:{slug}")


def counts_json_key(slug: str) -> str:
    return f"petitions:counts-json:{public_page_generation(slug)}:{slug}"


def counting_signatures(petition: Petition) -> QuerySet[Signature]:
    """The signatures the public count counts: confirmed, valid and not held for review."""
    return Signature.objects.filter(
        petition=petition, confirmed_at__isnull=False, invalidated_at__isnull=True, held=False
    )


@transaction.atomic
def recount_petition(*, petition: Petition) -> tuple[int, int]:
    """Rebuild the count from signatures; returns (count before, count after)."""
    _ensure_shards(petition)
    # Locking every shard waits for confirmations in flight and holds back new ones until we
    # commit, so the count below and the shards agree (see the module docstring).
    shards = list(
        PetitionCount.objects.select_for_update().filter(petition=petition).order_by("shard")
    )
    before = sum(s.confirmed for s in shards)
    after = counting_signatures(petition).count()
    PetitionCount.objects.filter(petition=petition).update(confirmed=0)
    PetitionCount.objects.filter(petition=petition, shard=0).update(confirmed=after)
    _record_crossings(petition)
    return before, after


# --- signing -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignerData:
    name: str
    email: str
    postal_code: str
    country: str
    comment: str = ""
    consent_updates: bool = False
    consent_share: bool = False
    ip: str = ""
    ref: str = ""
    channel: str = ""


class SignOutcome(StrEnum):
    CREATED = "created"
    RESENT = "resent"  # pending: the confirmation link was sent again
    ALREADY_SIGNED = "already_signed"  # confirmed: a "you already signed" email was sent


@dataclass(frozen=True, slots=True)
class SignResult:
    signature: Signature
    outcome: SignOutcome
    emailed: bool = True

    @property
    def created(self) -> bool:
        return self.outcome == SignOutcome.CREATED

    @property
    def held(self) -> bool:
        """Taken over its network's limits: out of the public count until cleared."""
        return self.signature.held


def screen(*, coalition: Coalition | int, canonical: str, domain: str, ip: str) -> str | None:
    """The list verdict for a signer: "allow", "block" or None (no entry).

    The order is fixed: email, then email domain, then IP. The first entry found decides.
    """
    wanted: list[tuple[str, str]] = [
        (ListEntry.Kind.EMAIL, canonical),
        (ListEntry.Kind.DOMAIN, domain),
    ]
    if ip:
        wanted.append((ListEntry.Kind.IP, ip))
    entries = _cached_lists(coalition)
    if entries is None:  # a long list: ask the database for these values only
        match = Q()
        for kind, value in wanted:
            match |= Q(kind=kind, value=value)
        rows = ListEntry.objects.for_coalition(coalition).filter(match).order_by()
        entries = {(e.kind, e.value): e.verdict for e in rows}
    for key in wanted:
        if key in entries:
            return entries[key]
    return None


def _cached_lists(coalition: Coalition | int) -> dict[tuple[str, str], str] | None:
    """The coalition's whole allow/block list, cached; None when it is too long to cache."""
    key = f"petitions:lists:{_coalition_id(coalition)}"
    cached = cache.get(key)
    if cached is None:
        rows = list(
            ListEntry.objects.for_coalition(coalition)
            .order_by()
            .values_list("kind", "value", "verdict")[: CACHED_LIST_ENTRIES + 1]
        )
        cached = (
            {(kind, value): verdict for kind, value, verdict in rows}
            if len(rows) <= CACHED_LIST_ENTRIES
            else "too long"
        )
        cache.set(key, cached, SCREEN_CACHE_SECONDS)
    return cached if isinstance(cached, dict) else None


def _at_least(rows: QuerySet[Signature], limit: int) -> bool:
    """True when `rows` has `limit` rows or more; counts no further than the limit."""
    return rows.order_by()[:limit].count() >= limit


def _over_ceiling(coalition: Coalition | int, ip: str, now: dt.datetime, limits: Limits) -> bool:
    """Whether this IP signed `limits.hard` times or more in the last hour (from our rows).

    Like every count-then-insert limit it may let a few concurrent requests past the limit;
    the duplicates that matter are stopped by the unique constraint, not by this. The count
    stays small: past the ceiling nothing is inserted, so an IP has at most about `hard` rows
    in the hour.
    """
    if not ip:
        return False
    return _at_least(
        Signature.objects.for_coalition(coalition).filter(
            ip=ip, created_at__gte=now - dt.timedelta(hours=1)
        ),
        limits.hard,
    )


def _validate(signer: SignerData) -> tuple[str, str, str, str]:
    """(name, email, canonical email, postal code) or SignRefused."""
    name = " ".join(signer.name.split())
    problem = name_problem(signer.name)
    if problem:
        raise SignRefused(problem, code="name", field="name")
    email = normalize_email(signer.email)
    try:
        validate_email(email)
    except ValidationError as error:
        raise SignRefused("Enter a valid email address.", code="email", field="email") from error
    country = signer.country.strip().upper()
    problem = postal_problem(country, signer.postal_code)
    if problem:
        raise SignRefused(problem, code="postal", field="postal_code")
    return name[:200], email, canonical_email(email), normalize_postal_code(signer.postal_code)


def _attribution(petition: Petition, ref: str) -> tuple[Signature | None, Membership | None]:
    """Who a referral code points at: a signer (and the member that brought them) or a member."""
    ref = ref.strip()
    if not ref:
        return None, None
    if ref.startswith("m-") and ref[2:].isdigit():
        member = (
            Membership.objects.for_coalition(petition.coalition_id)
            .filter(pk=int(ref[2:]), status=Membership.Status.ACTIVE)
            .first()
        )
        return None, member
    referrer = (
        Signature.objects.for_coalition(petition.coalition_id)
        .filter(ref_code=ref[:16])
        .select_related("referring_membership")
        .first()
    )
    if referrer is None:
        return None, None
    return referrer, referrer.referring_membership


def member_ref_code(membership: Membership) -> str:
    return f"m-{membership.pk}"


def sign_petition(
    *,
    petition: Petition,
    signer: SignerData,
    now: dt.datetime | None = None,
    site_url: str | None = None,
) -> SignResult:
    """Record a pending signature and email its link; signing again never adds a second one.

    The checks that need no write run before the transaction, so that SQLite's write lock
    (taken at BEGIN IMMEDIATE) is held for the writes only. A new signature then takes one
    statement (see `_sign_sql`: the open check and the rate limits are read by the INSERT
    itself) and one task row, in one transaction; only when nothing was inserted are the
    reasons looked up, in the documented order.
    """
    now = now or timezone.now()
    if not petition.accepts_signatures(now):
        raise SignRefused("This petition is not taking signatures.", code="closed")
    name, email, canonical, postal_code = _validate(signer)
    domain = canonical.rpartition("@")[2]
    verdict = screen(
        coalition=petition.coalition_id, canonical=canonical, domain=domain, ip=signer.ip
    )
    if verdict == ListEntry.Verdict.BLOCK:
        raise SignRefused("This signature cannot be accepted.", code="blocked")
    limits = limits_for(petition.coalition_id)
    limited = verdict is None and bool(signer.ip)  # an allow-list entry skips the limits
    site = site_url_or_default(site_url)
    referrer, member = _attribution(petition, signer.ref)
    country = signer.country.strip().upper()[:2]
    row = Signature(
        coalition_id=petition.coalition_id,
        petition=petition,
        name=name,
        email=email,
        canonical_email=canonical,
        email_domain=domain,
        postal_code=postal_code,
        postal_area=postal_area(country, postal_code),
        country=country,
        comment=signer.comment.strip()[:2000],
        consent_updates=signer.consent_updates,
        consent_share=signer.consent_share,
        ip=signer.ip,
        referrer=referrer,
        referring_membership=member,
        channel=signer.channel.strip()[:20],
        created_at=now,
        last_sent_at=now,
    )
    return _record_signature(row, limits=limits, limited=limited, now=now, site=site)


def _record_signature(
    row: Signature, *, limits: Limits, limited: bool, now: dt.datetime, site: str
) -> SignResult:
    """The writes of sign_petition: the signature and its email's task, both or neither.

    With the database task backend on PostgreSQL both rows are written by one statement in
    autocommit (no BEGIN, no COMMIT: one round trip); elsewhere by two, in one transaction.
    """
    petition, canonical, ip = row.petition, row.canonical_email, row.ip
    confirmation = tasks.send_new_signature_confirmation
    connection = connections[router.db_for_write(Signature)]
    with_task = _task_rows_in_statement(confirmation, connection)
    task_row_here = _task_rows_in_database(confirmation, connection)
    for _ in range(3):
        args = (row.ref_code, site)
        task = (confirmation, args) if with_task else None
        # both statements are made before the transaction, which then only runs them
        statement = _signature_statement(
            row, limits=limits if limited else None, now=now, task=task
        )
        task_statement = (
            _task_row_statement(confirmation, args, connection)
            if task_row_here and not with_task
            else None
        )
        with transaction.atomic() if not with_task else nullcontext():
            inserted = _insert_signature(
                row, limits=limits if limited else None, now=now, task=task, statement=statement
            )
            if inserted and not with_task:
                if task_statement is not None:  # the row the backend's enqueue writes, no ORM
                    with connection.cursor() as cursor:
                        cursor.execute(*task_statement)
                else:
                    _enqueue_for_row(confirmation, *args)
        if inserted:
            if row.pk % TRENDING_SAMPLE == 0:
                _check_trending(petition, row, now, limits.trending)
            return SignResult(signature=row, outcome=SignOutcome.CREATED)
        # Nothing inserted: find out why, in the documented order of the checks.
        if not _open_in_database(petition, now):
            raise SignRefused("This petition is not taking signatures.", code="closed")
        if limited and _over_ceiling(petition.coalition_id, ip, now, limits):
            raise SignRefused(
                "Too many signatures from your network. Try again later.", code="rate"
            )
        existing = next(
            iter(
                Signature.objects.filter(
                    petition_id=petition.pk, canonical_email=canonical
                ).order_by()[:1]
            ),
            None,
        )
        if existing is not None:
            # The database kept the first signature for this canonical email (perhaps from a
            # request racing ours): answer with it.
            with transaction.atomic():
                return _signed_again(existing, now, site)
        row.ref_code = new_ref_code()  # the only other unique column: a (very) rare clash
    raise PetitionError("The signature could not be recorded; try again.")


def _signed_again(existing: Signature, now: dt.datetime, site: str) -> SignResult:
    """Re-send the link (pending) or say "already signed" (confirmed), at most once a minute."""
    outcome = SignOutcome.ALREADY_SIGNED if existing.confirmed_at else SignOutcome.RESENT
    emailed = bool(
        Signature.objects.filter(pk=existing.pk)
        .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=now - RESEND_INTERVAL))
        .update(last_sent_at=now)
    )
    if emailed:
        send = (
            tasks.send_already_signed
            if outcome == SignOutcome.ALREADY_SIGNED
            else tasks.send_signature_confirmation
        )
        _enqueue_for_row(send, existing.pk, site)
    return SignResult(signature=existing, outcome=outcome, emailed=emailed)


def _enqueue_for_row(task: Task[..., Any], *args: Any) -> None:
    """Queue a task that reads a row written by the current transaction.

    With the database backend the task row is inserted in this same transaction: one INSERT
    and no second commit, and the email is queued if and only if the signature is stored. Any
    other backend (a broker, or the tests' inline one) could run the task before we commit and
    not find the row, so it is enqueued on commit.
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(partial(task.enqueue, *args))


def _open_in_database(petition: Petition, now: dt.datetime) -> bool:
    return (
        Petition.objects.filter(pk=petition.pk, status=Status.OPEN)
        .filter(Q(deadline__isnull=True) | Q(deadline__gt=now))
        .exists()
    )


# (database vendor, rate-limited, with a task row) → (the signing SQL, the Signature fields)
_SIGN_SQL: dict[tuple[str, bool, bool, tuple[bool, ...]], tuple[str, list[Field[Any, Any]]]] = {}

# No `SET LOCAL synchronous_commit = off`: measured A/B with the rest of this path (benchmarks/
# sign.py, PostgreSQL, 32 clients) it changed nothing beyond the noise, so signatures keep the
# database's full durability.


def _task_rows_in_database(task: Task[..., Any], connection: BaseDatabaseWrapper) -> bool:
    """Whether the task's row goes to this same database (the database task backend)."""
    return (
        isinstance(task.get_backend(), DatabaseBackend)
        and router.db_for_write(DBTaskResult) == connection.alias
    )


def _task_rows_in_statement(task: Task[..., Any], connection: BaseDatabaseWrapper) -> bool:
    """Whether the task's row can be written by the signing statement itself: only with the
    database task backend writing to this same database, on PostgreSQL (whose data-modifying
    WITH clauses let one INSERT feed another)."""
    return connection.vendor == "postgresql" and _task_rows_in_database(task, connection)


def _task_row_statement(
    task: Task[..., Any], args: Sequence[Any], connection: BaseDatabaseWrapper
) -> tuple[str, list[Any]]:
    """One plain INSERT of the row `task.enqueue(*args)` would write (built by `_task_row`), for
    the caller's transaction: on SQLite, a third of a signature's server time went to the
    backend's enqueue through the ORM (measured with cProfile)."""
    fields, values = _task_row(task, args, connection)
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(DBTaskResult._meta.db_table)}"  # noqa: S608 - identifiers from the model
        f" ({', '.join(qn(str(f.column)) for f in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))})"
    )
    return sql, values


def _task_row(
    task: Task[..., Any], args: Sequence[Any], connection: BaseDatabaseWrapper
) -> tuple[list[Field[Any, Any]], list[Any]]:
    """The columns and values of the row `task.enqueue(*args)` would write with the database
    backend: built by its own model, as its enqueue does, without saving it."""
    backend = task.get_backend()
    backend.validate_task(task)
    result: DBTaskResult[Any, Any] = DBTaskResult(
        id=DBTaskResult._meta.pk.get_default(),
        args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after,  # type: ignore[misc]  # None: the pre_save handler fills it
        backend_name=backend.alias,
    )
    # as Model.save would: the backend's own pre_save handler fills run_after
    pre_save.send(
        sender=DBTaskResult, instance=result, raw=False, using=connection.alias, update_fields=None
    )
    fields = list(DBTaskResult._meta.concrete_fields)
    values = [f.get_db_prep_save(f.pre_save(result, True), connection) for f in fields]
    return fields, values


def _signature_fields() -> list[Field[Any, Any]]:
    return [f for f in Signature._meta.concrete_fields if not f.primary_key]


def _sign_sql(
    connection: BaseDatabaseWrapper,
    *,
    limited: bool,
    task_fields: list[Field[Any, Any]] | None,
    nulls: tuple[bool, ...] = (),
) -> tuple[str, list[Field[Any, Any]]]:
    """The one statement of a new signature (PostgreSQL and SQLite ≥ 3.35 speak it alike).

    INSERT … SELECT <values> [FROM <the IP's signatures in the last minute and hour>]
    WHERE <the petition is open> [AND <the IP is under its hard ceiling>]
    ON CONFLICT DO NOTHING RETURNING id, held. The state is read from the database in the
    statement that writes, so a petition cached by the view cannot let a signature into a closed
    one; over the burst or sustained limit the row is written `held` (flagged for review).
    With `task_fields` (PostgreSQL) the same statement writes the task row, if and only if the
    signature was inserted:
    WITH s AS (<that INSERT>), t AS (INSERT INTO <tasks> SELECT <values> FROM s) SELECT … FROM s.
    """
    key = (connection.vendor, limited, task_fields is not None, nulls)
    if key not in _SIGN_SQL:
        qn = connection.ops.quote_name
        meta = Signature._meta
        fields = _signature_fields()
        signatures = qn(meta.db_table)

        def column(model: type[Signature] | type[Petition], name: str) -> str:
            return qn(str(cast(Field[Any, Any], model._meta.get_field(name)).column))

        # Only identifiers (from the models, quoted) are formatted in; every value is a parameter.
        conditions = [
            f"EXISTS (SELECT 1 FROM {qn(Petition._meta.db_table)}"  # noqa: S608
            f" WHERE {column(Petition, 'id')} = %s AND {column(Petition, 'status')} = %s"
            f" AND ({column(Petition, 'deadline')} IS NULL"
            f" OR {column(Petition, 'deadline')} > %s))"
        ]
        # A value that is None is written as NULL, not as a parameter: fewer than psycopg's 50
        # parameters keep the statement in its parse cache (it was parsed on every signature).
        values = ["NULL" if null else "%s" for null in nulls] or ["%s"] * len(fields)
        source = ""
        if limited:
            created, ip = column(Signature, "created_at"), column(Signature, "ip")
            for n, f in enumerate(fields):
                if f.attname == "held":
                    values[n] = "recent.over_limit"
                elif f.attname == "flagged_at":
                    values[n] = "CASE WHEN recent.over_limit THEN %s END"
            source = (
                " FROM (SELECT in_hour, (in_minute >= %s OR in_hour >= %s) AS over_limit"  # noqa: S608
                " FROM (SELECT COUNT(*) AS in_hour,"
                f" COUNT(CASE WHEN {created} >= %s THEN 1 END) AS in_minute FROM {signatures}"
                f" WHERE {ip} = %s AND {created} >= %s AND {column(Signature, 'coalition')} = %s)"
                " AS counted) AS recent"
            )
            conditions.append("recent.in_hour < %s")
        returning = f"{column(Signature, 'id')}, {column(Signature, 'held')}"
        sql = (
            f"INSERT INTO {signatures} ({', '.join(qn(str(f.column)) for f in fields)})"
            f" SELECT {', '.join(values)}{source} WHERE {' AND '.join(conditions)}"
            f" ON CONFLICT DO NOTHING RETURNING {returning}"
        )
        if task_fields is not None:
            task_columns = ", ".join(qn(str(f.column)) for f in task_fields)
            sql = (
                f"WITH s AS ({sql}), t AS (INSERT INTO {qn(DBTaskResult._meta.db_table)}"  # noqa: S608
                f" ({task_columns}) SELECT {', '.join(['%s'] * len(task_fields))} FROM s)"
                f" SELECT {returning} FROM s"
            )
        _SIGN_SQL[key] = (sql, fields)
    return _SIGN_SQL[key]


def _signature_statement(
    row: Signature,
    *,
    limits: Limits | None,
    now: dt.datetime,
    task: tuple[Task[..., Any], Sequence[Any]] | None = None,
) -> tuple[str, list[Any]]:
    """The statement of `_insert_signature` and its parameters, prepared before the transaction
    (on SQLite its BEGIN IMMEDIATE takes the write lock: Python work in between held every other
    signer back)."""
    connection = connections[router.db_for_write(Signature)]
    task_fields, task_values = _task_row(*task, connection) if task else (None, [])
    limited = limits is not None
    expressions = {"held", "flagged_at"} if limited else set()
    nulls = tuple(
        f.attname not in expressions and getattr(row, f.attname) is None
        for f in _signature_fields()
    )
    sql, _ = _sign_sql(connection, limited=limited, task_fields=task_fields, nulls=nulls)
    adapt = connection.ops.adapt_datetimefield_value
    params: list[Any] = []
    for f in _signature_fields():
        if limited and f.attname == "flagged_at":
            params.append(adapt(now))
        elif f.attname not in expressions and getattr(row, f.attname) is not None:
            params.append(f.get_db_prep_save(getattr(row, f.attname), connection))
    if limits is not None:
        minute, hour = now - dt.timedelta(minutes=1), now - dt.timedelta(hours=1)
        params += [limits.burst, limits.sustained]
        params += [adapt(minute), row.ip, adapt(hour), row.coalition_id]
    params += [row.petition_id, Status.OPEN.value, adapt(now)]
    if limits is not None:
        params.append(limits.hard)
    params += task_values
    return sql, params


def _insert_signature(
    row: Signature,
    *,
    limits: Limits | None,
    now: dt.datetime,
    task: tuple[Task[..., Any], Sequence[Any]] | None = None,
    statement: tuple[str, list[Any]] | None = None,
) -> bool:
    """Insert a new signature in one statement; False when the petition is no longer open, the
    IP is over the hard ceiling of `limits` (None: no limits), or a unique constraint kept an
    existing row. Over the burst or sustained limit the row is inserted held for review
    (`row.held` says so afterwards).

    The rate limits are counted in the same statement, so they are as exact as before (a few
    concurrent requests may still pass a limit together); duplicates are stopped by the unique
    constraint on (petition, canonical email), never by a count. With `task` (only where
    `_task_rows_in_statement` allows it) the statement also queues that task, with those
    arguments, when it inserts the signature. `statement`: made by `_signature_statement` with
    the same arguments beforehand.
    """
    connection = connections[router.db_for_write(Signature)]
    sql, params = statement or _signature_statement(row, limits=limits, now=now, task=task)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchone()
    if inserted is None:
        return False
    row.pk = inserted[0]
    row.held = bool(inserted[1])
    row.flagged_at = now if row.held else None
    row._state.adding = False
    row._state.db = connection.alias
    return True


def _insert_once(row: Signature) -> tuple[Signature, bool]:
    """INSERT … ON CONFLICT DO NOTHING, then read the row back: (the stored row, created).

    The unique constraint on (petition, canonical email) decides; no savepoint, no error to
    recover from. Our own row is recognised by its nonce.
    """
    for _ in range(3):
        Signature.objects.bulk_create([row], ignore_conflicts=True)
        stored = next(
            iter(
                Signature.objects.filter(
                    petition_id=row.petition_id, canonical_email=row.canonical_email
                ).order_by()[:1]
            ),
            None,
        )
        if stored is not None:
            return stored, stored.nonce == row.nonce
        row.ref_code = new_ref_code()  # the only other unique column: a (very) rare clash
    raise PetitionError("The signature could not be recorded; try again.")


def _ip_signatures_since(petition: Petition, ip: str, since: dt.datetime) -> int:
    """The petition's signatures from this IP since then, read through the (ip, created_at) index
    alone: SQLite would otherwise pick (petition, created_at) and read every signature of the
    hour (measured: 10 ms per check in a burst). An IP has few rows an hour (past its
    coalitions' hard ceilings nothing is inserted), a viral petition very many."""
    rows = Signature.objects.filter(ip=ip, created_at__gte=since).order_by()
    return sum(1 for pk in rows.values_list("petition_id", flat=True) if pk == petition.pk)


def _check_trending(petition: Petition, signature: Signature, now: dt.datetime, limit: int) -> None:
    """Alert stewards once per hour when an IP or email domain passes the trending limit."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    this_hour = Signature.objects.filter(petition=petition, created_at__gte=hour)
    checks = [
        (ListEntry.Kind.DOMAIN, signature.email_domain, Q(email_domain=signature.email_domain))
    ]
    if signature.ip:
        checks.append((ListEntry.Kind.IP, signature.ip, Q(ip=signature.ip)))
    for kind, value, match in checks:
        # Once alerted for this hour, stop counting (the count only grows, and a busy domain
        # would otherwise be counted whole on every sampled signature).
        alerted = f"petitions:alerted:{petition.pk}:{kind}:{value}:{hour:%Y%m%d%H}"
        if cache.get(alerted):
            continue
        if kind == ListEntry.Kind.IP:
            count = _ip_signatures_since(petition, value, hour)
            if count < limit:
                continue
        elif not _at_least(this_hour.filter(match), limit):
            continue
        else:
            count = this_hour.filter(match).count()
        alert, created = IntegrityAlert.objects.get_or_create(
            petition=petition,
            kind=kind,
            value=value,
            hour=hour,
            defaults={"coalition_id": petition.coalition_id, "count": count},
        )
        if created:
            transaction.on_commit(partial(tasks.send_integrity_alert.enqueue, alert.pk))
        transaction.on_commit(partial(cache.set, alerted, True, 3600))


def confirmation_token(signature: Signature) -> str:
    return signing.dumps([signature.pk, signature.nonce], salt=CONFIRM_SALT)


def unsubscribe_token(signature: Signature) -> str:
    return signing.dumps([signature.pk, "u"], salt=UNSUBSCRIBE_SALT)


def signature_from_token(token: str, *, salt: str = CONFIRM_SALT) -> Signature | None:
    """The signature a link was made for, or None for a forged or mangled one."""
    try:
        pk, nonce = signing.loads(token, salt=salt)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    rows = Signature.objects.select_related("petition", "petition__coalition").filter(pk=pk)
    if salt == CONFIRM_SALT:
        rows = rows.filter(nonce=nonce)
    return rows.first()


class ConfirmOutcome(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    TOO_LATE = "too_late"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class ConfirmResult:
    outcome: ConfirmOutcome
    signature: Signature | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@transaction.atomic
def confirm_signature(*, token: str, now: dt.datetime | None = None) -> ConfirmResult:
    """Count the signature once; a second click finds it confirmed already."""
    now = now or timezone.now()
    signature = signature_from_token(token)
    if signature is None:
        return ConfirmResult(ConfirmOutcome.INVALID)
    if signature.confirmed_at is not None:
        return ConfirmResult(ConfirmOutcome.ALREADY_CONFIRMED, signature)
    petition = signature.petition
    if not petition.accepts_confirmations(now):
        return ConfirmResult(ConfirmOutcome.TOO_LATE, signature)
    pending = Signature.objects.filter(pk=signature.pk, confirmed_at__isnull=True)
    # Count it only if it is valid and not held: an invalidation or a clearance racing this
    # click either runs first or after. The first update matches a valid, cleared row; when it
    # matches nothing, the second confirms the row whatever it is, and holding its lock we read
    # what it is now (a clearance that committed meanwhile made it count).
    if pending.filter(invalidated_at__isnull=True, held=False).update(confirmed_at=now):
        _bump(petition, +1, shard=signature.pk)
    elif pending.update(confirmed_at=now):
        held, invalidated = Signature.objects.filter(pk=signature.pk).values_list(
            "held", "invalidated_at"
        )[0]
        if invalidated is None and not held:
            _bump(petition, +1, shard=signature.pk)
        elif invalidated is None:
            _clear_when_confirmed(petition, signature.ip, now)
    else:
        return ConfirmResult(ConfirmOutcome.ALREADY_CONFIRMED, signature)
    signature.confirmed_at = now
    # The signer joins the supporter base in the background: the click is answered once the
    # signature counts, and the CRM's work (a dozen queries) is queued in this transaction.
    _enqueue_for_row(tasks.record_confirmed_signer, signature.pk)
    return ConfirmResult(ConfirmOutcome.CONFIRMED, signature)


@transaction.atomic
def record_signer_in_crm(signature_id: int) -> bool:
    """Bring a confirmed signer into the supporter base, once (the task may run again)."""
    signature = (
        Signature.objects.select_for_update(of=("self",))
        .select_related("petition", "petition__coalition", "referrer")
        .filter(pk=signature_id, confirmed_at__isnull=False, person__isnull=True)
        .first()
    )
    if signature is None or not signature.email:  # recorded already, or erased meanwhile
        return False
    _record_in_crm(signature, cast(dt.datetime, signature.confirmed_at))
    return True


def _record_in_crm(signature: Signature, now: dt.datetime) -> None:
    """The confirmed signer joins the supporter base (with the consents they gave, no more)."""
    petition = signature.petition
    known = (
        EmailAddress.objects.for_coalition(petition.coalition_id)
        .filter(canonical=signature.canonical_email)
        .exists()
    )
    if signature.consent_updates:
        status: str | None = EmailAddress.Status.SUBSCRIBED
    else:
        status = None if known else EmailAddress.Status.UNSUBSCRIBED
    given, _, family = signature.name.partition(" ")
    person = people.upsert_person(
        coalition=petition.coalition,
        data=people.PersonData(
            given_name=None if known else given,
            family_name=None if known else family,
            emails=[people.EmailInput(signature.email, status=status)],
            addresses=[
                people.AddressInput(postal_code=signature.postal_code, country=signature.country)
            ],
        ),
        source_action=f"petition: {petition.title}"[:200],
        source_referral=signature.referrer.ref_code if signature.referrer_id else "",  # type: ignore[union-attr]
        subscription_source=f"petition {petition.slug}",
    ).person
    Signature.objects.filter(pk=signature.pk).update(person=person)
    signature.person = person
    if signature.consent_share:
        members = [
            petition.owner_id,
            *petition.sponsorships.values_list("membership_id", flat=True),
        ]
        for membership in Membership.objects.filter(pk__in=members):
            people.grant_sharing(
                person=person, membership=membership, source=f"petition {petition.slug}"
            )
    people.record_activity(
        person=person,
        kind="petition_signature",
        summary=f"Signed the petition “{petition.title}”.",
        occurred_at=now,
        ref=f"petitions.signature:{signature.pk}",
    )


@transaction.atomic
def unsubscribe_signer(*, token: str) -> Signature | None:
    """Stop updates to this signer (and mark their address unsubscribed in the CRM)."""
    signature = signature_from_token(token, salt=UNSUBSCRIBE_SALT)
    if signature is None:
        return None
    Signature.objects.filter(pk=signature.pk, unsubscribed_at__isnull=True).update(
        consent_updates=False, unsubscribed_at=timezone.now()
    )
    address = (
        EmailAddress.objects.for_coalition(signature.coalition_id)
        .filter(canonical=signature.canonical_email)
        .first()
    )
    if address is not None:
        people.set_email_status(
            email=address,
            status=EmailAddress.Status.UNSUBSCRIBED,
            source=f"unsubscribe link, petition {signature.petition.slug}",
        )
    signature.refresh_from_db()
    return signature


# --- integrity -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Criteria:
    email: str = ""
    domain: str = ""
    ip: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    held: bool = False  # only signatures held for review (flagged over the IP limits)

    def is_empty(self) -> bool:
        return not (self.email or self.domain or self.ip or self.since or self.until)

    def as_json(self) -> dict[str, str]:
        data = {"email": self.email, "domain": self.domain, "ip": self.ip}
        data["since"] = self.since.isoformat() if self.since else ""
        data["until"] = self.until.isoformat() if self.until else ""
        data["held"] = "held for review" if self.held else ""
        return {k: v for k, v in data.items() if v}


def matching_signatures(*, petition: Petition, criteria: Criteria) -> QuerySet[Signature]:
    """The valid signatures of the petition that the criteria select."""
    rows = Signature.objects.filter(petition=petition, invalidated_at__isnull=True)
    if criteria.email:
        rows = rows.filter(canonical_email=canonical_email(criteria.email))
    if criteria.domain:
        rows = rows.filter(email_domain=criteria.domain.strip().lower().lstrip("@"))
    if criteria.ip:
        rows = rows.filter(ip=criteria.ip.strip())
    if criteria.since:
        rows = rows.filter(created_at__gte=criteria.since)
    if criteria.until:
        rows = rows.filter(created_at__lt=criteria.until)
    if criteria.held:
        rows = rows.filter(held=True)
    return rows


@transaction.atomic
def invalidate_signatures(
    *, petition: Petition, criteria: Criteria, reason: str, by: User | None
) -> Invalidation:
    """Invalidate the matching signatures; the count drops by the confirmed ones among them."""
    if criteria.is_empty():
        raise PetitionError("Give at least one criterion: email, domain, IP or time window.")
    if not reason.strip():
        raise PetitionError("Say why these signatures are invalid.")
    now = timezone.now()
    invalidation = Invalidation.objects.create(
        coalition_id=petition.coalition_id,
        petition=petition,
        criteria=criteria.as_json(),
        reason=reason.strip()[:300],
        created_by=by,
    )
    rows = matching_signatures(petition=petition, criteria=criteria)
    # Counted ones first (they leave the count), then the rest (pending or held): a
    # confirmation landing in between is matched by neither update and stays valid and counted
    # (see confirm_signature); a row cleared meanwhile is re-read by the first update.
    counted = rows.filter(confirmed_at__isnull=False, held=False).update(
        invalidated_at=now, invalidation=invalidation
    )
    rest = rows.filter(Q(confirmed_at__isnull=True) | Q(held=True)).update(
        invalidated_at=now, invalidation=invalidation
    )
    _bump(petition, -counted, shard=invalidation.pk)
    invalidation.affected = counted + rest
    invalidation.save(update_fields=["affected"])
    return invalidation


@transaction.atomic
def undo_invalidation(*, invalidation: Invalidation) -> Invalidation:
    """Make the signatures of an invalidation valid again; the count rises by the confirmed ones."""
    locked = Invalidation.objects.select_for_update().get(pk=invalidation.pk)
    if locked.undone_at is not None:
        raise PetitionError("This invalidation was undone already.")
    rows = Signature.objects.filter(invalidation=locked, invalidated_at__isnull=False)
    counted = rows.filter(confirmed_at__isnull=False, held=False).update(
        invalidated_at=None, invalidation=None
    )
    rows.filter(Q(confirmed_at__isnull=True) | Q(held=True)).update(
        invalidated_at=None, invalidation=None
    )
    _bump(locked.petition, counted, shard=locked.pk)
    locked.undone_at = timezone.now()
    locked.save(update_fields=["undone_at"])
    return locked


# A network's held signatures are cleared automatically once at least this share of its flagged
# signatures on the petition (and at least AUTO_CLEAR_MIN of them) confirmed their email: an
# office or a campus confirms like anyone else, a script's made-up addresses do not.
AUTO_CLEAR_SHARE = 0.5
AUTO_CLEAR_MIN = 3


def _clear_network(
    petition: Petition, ip: str, *, by: User | None, automatic: bool, now: dt.datetime
) -> Clearance | None:
    """Make the held signatures of one network count (those confirmed at once, the others when
    they confirm), with a log entry; None when nothing was held. Inside a transaction."""
    rows = Signature.objects.filter(petition=petition, ip=ip, held=True).order_by("pk")
    # Lock them: a confirmation racing us waits (or, when it already holds its row, we skip
    # that row and it clears itself: see confirm_signature). Automatic clears run inside a
    # confirmation and never wait for another one.
    locked = list(
        rows.select_for_update(skip_locked=automatic).values_list(
            "pk", "confirmed_at", "invalidated_at"
        )
    )
    if not locked:
        return None
    Signature.objects.filter(pk__in=[pk for pk, _, _ in locked]).update(held=False)
    counted = sum(1 for _, confirmed, invalid in locked if confirmed and invalid is None)
    clearance = Clearance.objects.create(
        coalition_id=petition.coalition_id,
        petition=petition,
        ip=ip,
        automatic=automatic,
        affected=len(locked),
        created_by=by,
        created_at=now,
    )
    _bump(petition, counted, shard=clearance.pk)
    return clearance


def _clear_when_confirmed(petition: Petition, ip: str, now: dt.datetime) -> None:
    """After a held signature confirmed: clear its network when enough of it confirmed."""
    totals = Signature.objects.filter(
        petition=petition, ip=ip, flagged_at__isnull=False, invalidated_at__isnull=True
    ).aggregate(flagged=Count("pk"), confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)))
    needed = max(AUTO_CLEAR_MIN, math.ceil(AUTO_CLEAR_SHARE * totals["flagged"]))
    if totals["confirmed"] >= needed:
        _clear_network(petition, ip, by=None, automatic=True, now=now)


@transaction.atomic
def clear_network(*, petition: Petition, ip: str, by: User | None) -> Clearance | None:
    """A steward clears a network's held signatures: they count (once confirmed)."""
    return _clear_network(petition, ip.strip(), by=by, automatic=False, now=timezone.now())


def invalidate_network(
    *, petition: Petition, ip: str, reason: str, by: User | None
) -> Invalidation:
    """A steward invalidates a network's held signatures (an invalidation, so it can be undone)."""
    return invalidate_signatures(
        petition=petition, criteria=Criteria(ip=ip.strip(), held=True), reason=reason, by=by
    )


@transaction.atomic
def set_list_entry(
    *, coalition: Coalition, kind: str, value: str, verdict: str, note: str = ""
) -> ListEntry:
    """Allow or block an IP, email domain or email (one entry per value; setting again updates)."""
    if kind not in ListEntry.Kind.values or verdict not in ListEntry.Verdict.values:
        raise PetitionError("Choose what to list and whether to allow or block it.")
    value = value.strip().lower()
    if kind == ListEntry.Kind.EMAIL:
        value = canonical_email(value)
    elif kind == ListEntry.Kind.DOMAIN:
        value = value.lstrip("@")
    if not value:
        raise PetitionError("Enter the value to list.")
    entry, _ = ListEntry.objects.update_or_create(
        coalition=coalition, kind=kind, value=value, defaults={"verdict": verdict, "note": note}
    )
    _forget_screening(coalition)
    return entry


@transaction.atomic
def remove_list_entry(*, entry: ListEntry) -> None:
    coalition_id = entry.coalition_id
    entry.delete()
    _forget_screening(coalition_id)


@transaction.atomic
def set_limits(
    *, coalition: Coalition, burst: int, sustained: int, trending: int, hard: int | None = None
) -> Limits:
    """Set a coalition's signing limits (all positive). Over `burst` a minute or `sustained` an
    hour a network's signatures are held for review; over `hard` an hour they are refused (at
    least the other two; unset: the current ceiling, raised to them if needed)."""
    if min(burst, sustained, trending) < 1:
        raise PetitionError("Limits must be at least 1.")
    if hard is None:
        hard = max(limits_for(coalition).hard, burst, sustained)
    if hard < max(burst, sustained):
        raise PetitionError("The hard ceiling must be at least the per-minute and hourly limits.")
    IntegritySettings.objects.update_or_create(
        coalition=coalition,
        defaults={
            "burst_limit": burst,
            "sustained_limit": sustained,
            "trending_limit": trending,
            "hard_limit": hard,
        },
    )
    _forget_screening(coalition)
    return Limits(burst, sustained, trending, hard)


# --- updates to signers --------------------------------------------------------------------------


@transaction.atomic
def compose_update(
    *, petition: Petition, subject: str, body: str, by: User | None
) -> PetitionUpdate:
    if not subject.strip() or not body.strip():
        raise PetitionError("An update needs a subject and a message.")
    return PetitionUpdate.objects.create(
        coalition_id=petition.coalition_id,
        petition=petition,
        subject=subject.strip(),
        body=body.strip(),
        created_by=by,
    )


@transaction.atomic
def send_update(*, update: PetitionUpdate, site_url: str | None = None) -> PetitionUpdate:
    """Queue an update to every counted signer who wants updates; an update is sent once."""
    locked = PetitionUpdate.objects.select_for_update().get(pk=update.pk)
    if locked.sent_at is not None:
        raise PetitionError("This update was sent already.")
    recipients = update_recipients(locked.petition)
    locked.sent_at = timezone.now()
    locked.recipients = recipients.count()
    locked.save(update_fields=["sent_at", "recipients"])
    site = site_url_or_default(site_url)
    transaction.on_commit(lambda: tasks.send_petition_update.enqueue(locked.pk, site))
    return locked


def update_recipients(petition: Petition) -> QuerySet[Signature]:
    return counting_signatures(petition).filter(consent_updates=True, unsubscribed_at__isnull=True)


# --- trusted clients (the OSDI API) --------------------------------------------------------------


@transaction.atomic
def launch_petition(
    *, owner: Membership, data: PetitionData, created_by: User | None, approve: bool
) -> Petition:
    """Create and submit a petition in one step; `approve` (the caller moderates) opens it at
    once unless co-signers are still needed. Nothing is written when any step refuses."""
    petition = submit_petition(
        petition=create_petition(owner=owner, data=data, created_by=created_by)
    )
    if approve and petition.status == Status.IN_MODERATION:
        return open_petition(petition=petition)
    return petition


@transaction.atomic
def record_collected_signature(
    *, petition: Petition, person: Person, signer: SignerData, now: dt.datetime | None = None
) -> SignResult:
    """Record a signature a trusted client collected: confirmed and counted at once, no email.

    One signature per petition and canonical email, as for `sign_petition`: recording it again
    returns the first one (a pending one is confirmed, as the client vouches for it; an
    invalidated one stays invalidated). The block list applies; IP rate limits do not.
    """
    now = now or timezone.now()
    if not petition.accepts_signatures(now):
        raise SignRefused("This petition is not taking signatures.", code="closed")
    name = " ".join(signer.name.split())
    problem = name_problem(name)
    if problem:
        raise SignRefused(problem, code="name", field="name")
    email = normalize_email(signer.email)
    try:
        validate_email(email)
    except ValidationError as error:
        raise SignRefused("Enter a valid email address.", code="email", field="email") from error
    country = signer.country.strip().upper()[:2]
    postal_code = normalize_postal_code(signer.postal_code)
    if postal_code and (problem := postal_problem(country, postal_code)):
        raise SignRefused(problem, code="postal", field="postal_code")
    canonical = canonical_email(email)
    domain = canonical.rpartition("@")[2]
    verdict = screen(coalition=petition.coalition_id, canonical=canonical, domain=domain, ip="")
    if verdict == ListEntry.Verdict.BLOCK:
        raise SignRefused("This signature cannot be accepted.", code="blocked")
    referrer, member = _attribution(petition, signer.ref)
    row = Signature(
        coalition_id=petition.coalition_id,
        petition=petition,
        person=person,
        name=name[:200],
        email=email,
        canonical_email=canonical,
        email_domain=domain,
        postal_code=postal_code[:16],
        postal_area=postal_area(country, postal_code),
        country=country,
        comment=signer.comment.strip()[:2000],
        consent_updates=signer.consent_updates,
        consent_share=signer.consent_share,
        referrer=referrer,
        referring_membership=member,
        channel=(signer.channel.strip() or "api")[:20],
        created_at=now,
        confirmed_at=now,
    )
    signature, created = _insert_once(row)
    if created:
        _bump(petition, +1, shard=signature.pk)
    else:
        pending = Signature.objects.filter(
            pk=signature.pk, confirmed_at__isnull=True, invalidated_at__isnull=True
        )
        if not pending.update(confirmed_at=now, person=person):
            return SignResult(signature, SignOutcome.ALREADY_SIGNED, emailed=False)
        if not signature.held:  # one held for review counts once its network is cleared
            _bump(petition, +1, shard=signature.pk)
        signature.refresh_from_db()
    people.record_activity(
        person=person,
        kind="petition_signature",
        summary=f"Signed the petition “{petition.title}”.",
        occurred_at=now,
        ref=f"petitions.signature:{signature.pk}",
    )
    outcome = SignOutcome.CREATED if created else SignOutcome.ALREADY_SIGNED
    return SignResult(signature, outcome, emailed=False)


@transaction.atomic
def update_signature_comment(*, signature: Signature, comment: str) -> Signature:
    """Change what the signer wrote with their signature; nothing else about it changes."""
    Signature.objects.filter(pk=signature.pk).update(comment=comment.strip()[:2000])
    signature.refresh_from_db()
    return signature
