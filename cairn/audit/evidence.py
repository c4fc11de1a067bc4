"""What the partnership audit counts for each member organization, from recorded rows only.

One GROUP BY (or one small scan) per kind of evidence for the whole coalition, never a query per
member. Every count is as of the end of the audit's day (`as_of`), so re-running an audit for a
past day counts what was recorded by then.

- **Commitments** (cairn.coalitions): pledged (not withdrawn by then), withdrawn, *due* (due date on
  or before the audit day), *delivered on time* (deliveries dated on or before the due date add up
  to the pledge), *delivered late* (they add up only with later deliveries).
- **Decisions** (cairn.governance): eligible = closed proposals the member could vote on (its own
  vote, or a named voter acting for it); cast = those it voted in.
- **Supporters** (cairn.people): *shared* = people it brought into the pool (`source_membership`).
  Cairn does not log who opened which pooled record, so *accessed* is the best recorded proxy: the
  pooled supporters brought by others (or by no member) who consented to share with it
  (`SharingConsent`) — what it may see and export, not what it opened. Pages say so.
- **Referral codes** (cairn.petitions): confirmed, counted signatures attributed to the member
  (`referring_membership`: its `m-<id>` code, or a code of a signer it brought).
- **Engagement**: every source in the campaigns engagement registry, counted by member.
- **Measurements** (cairn.campaigns): approved measurements recorded by a user who acts for the
  member (`StaffMember.membership`).
- **Mission similarity**: `cairn.engines.similarity` between its stated mission and the
  coalition's (None when it states none).
- **Actions in the window**: votes cast, pledges made, deliveries, measurements and every counted
  engagement source (supporters brought, signatures...) in the last `window_days`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from cairn.campaigns import engagement
from cairn.campaigns.models import Measurement
from cairn.coalitions.models import (
    Coalition,
    Commitment,
    Delivery,
    Membership,
    MembershipStatusChange,
    StaffMember,
)
from cairn.engines import audit as engine
from cairn.governance.models import Eligibility, Proposal
from cairn.people.models import Person, SharingConsent
from cairn.petitions.models import Signature

# Members the audit profiles: organizations in the coalition now (not prospects, invitees or those
# that left).
AUDITED = (Membership.Status.ACTIVE, Membership.Status.PAUSED)
ALL_TIME_DAYS = 3660  # the engagement registry answers for a range: "all time" is ten years
ACCESS_PROXY_NOTE = (
    "Cairn does not record who opened which pooled supporter, so 'accessed' counts the pooled "
    "supporters brought by others who consented to share with this organization: what it may "
    "see and export, not what it opened."
)

SimilarityFn = Callable[[str, Sequence[str]], list[float]]


@dataclass(slots=True)
class MemberFacts:
    membership: Membership
    joined_on: dt.date | None = None
    tenure_days: int = 0
    status_history: list[dict[str, str]] = field(default_factory=list)
    commitments_pledged: int = 0
    commitments_withdrawn: int = 0
    commitments_due: int = 0
    delivered_on_time: int = 0
    delivered_late: int = 0
    votes_eligible: int = 0
    votes_cast: int = 0
    supporters_shared: int = 0
    pooled_accessed: int = 0
    referred_signatures: int = 0
    engagement: dict[str, dict[str, Any]] = field(default_factory=dict)
    measurements: int = 0
    similarity: float | None = None
    actions_in_window: int = 0

    def evidence(self) -> engine.Evidence:
        return engine.Evidence(
            similarity=self.similarity,
            commitments_due=self.commitments_due,
            delivered_on_time=self.delivered_on_time,
            votes_eligible=self.votes_eligible,
            votes_cast=self.votes_cast,
            supporters_shared=self.supporters_shared,
            pooled_accessed=self.pooled_accessed,
            actions_in_window=self.actions_in_window,
        )


def _end_of(day: dt.date) -> dt.datetime:
    zone = timezone.get_current_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def _is_count(unit: str) -> bool:
    """Engagement in a currency ("USD") is an amount, not a number of actions."""
    return not (len(unit) == 3 and unit.isalpha() and unit.isupper())


def default_similarities(query: str, docs: Sequence[str]) -> list[float]:
    from cairn.engines.similarity import similarities

    return similarities(query, docs)


def collect(
    *,
    coalition: Coalition,
    as_of: dt.date,
    window_days: int,
    similarities: SimilarityFn | None = None,
) -> list[MemberFacts]:
    """The evidence of every audited member of `coalition` on `as_of`, by organization name."""
    members = list(
        Membership.objects.for_coalition(coalition)
        .filter(status__in=AUDITED)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )
    facts = {m.pk: MemberFacts(membership=m) for m in members}
    if not facts:
        return []
    ids = list(facts)
    end = _end_of(as_of)
    window_first = as_of - dt.timedelta(days=window_days - 1)
    window_start = _end_of(window_first - dt.timedelta(days=1))
    actions: dict[int, int] = defaultdict(int)

    _tenure(coalition, facts, ids, as_of, end)
    _commitments(coalition, facts, ids, as_of, end, window_first, window_start, actions)
    _decisions(coalition, facts, ids, end, window_start, actions)
    _supporters(coalition, facts, ids, end)
    _signatures(coalition, facts, ids, end)
    _engagement(coalition, facts, as_of, window_first, actions)
    _measurements(coalition, facts, ids, end, window_start, actions)
    _similarity(coalition, facts, similarities or default_similarities)
    for pk, row in facts.items():
        row.actions_in_window = actions[pk]
    return list(facts.values())


def _tenure(
    coalition: Coalition, facts: dict[int, MemberFacts], ids: list[int], as_of: dt.date, end: Any
) -> None:
    changes = (
        MembershipStatusChange.objects.for_coalition(coalition)
        .filter(membership_id__in=ids, changed_at__lt=end)
        .order_by("changed_at", "pk")
        .values("membership_id", "from_status", "to_status", "changed_at")
    )
    for change in changes:
        facts[change["membership_id"]].status_history.append(
            {
                "on": timezone.localdate(change["changed_at"]).isoformat(),
                "from": change["from_status"],
                "to": change["to_status"],
            }
        )
    for row in facts.values():
        joined = row.membership.joined_on
        row.joined_on = joined
        row.tenure_days = max((as_of - joined).days, 0) if joined and joined <= as_of else 0


def _commitments(
    coalition: Coalition,
    facts: dict[int, MemberFacts],
    ids: list[int],
    as_of: dt.date,
    end: Any,
    window_first: dt.date,
    window_start: Any,
    actions: dict[int, int],
) -> None:
    commitments = list(
        Commitment.objects.for_coalition(coalition)
        .filter(membership_id__in=ids, pledged_at__lt=end)
        .values("pk", "membership_id", "quantity", "due_date", "pledged_at", "withdrawn_at")
    )
    deliveries: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for delivery in (
        Delivery.objects.for_coalition(coalition)
        .filter(commitment__membership_id__in=ids, delivered_on__lte=as_of)
        .values("commitment_id", "commitment__membership_id", "delivered_on", "quantity")
    ):
        deliveries[delivery["commitment_id"]].append(
            (delivery["delivered_on"], delivery["quantity"])
        )
        if delivery["delivered_on"] >= window_first:
            actions[delivery["commitment__membership_id"]] += 1
    for commitment in commitments:
        row = facts[commitment["membership_id"]]
        if commitment["pledged_at"] >= window_start:
            actions[commitment["membership_id"]] += 1
        withdrawn = commitment["withdrawn_at"]
        if withdrawn is not None and withdrawn < end:
            row.commitments_withdrawn += 1
            continue
        row.commitments_pledged += 1
        due = commitment["due_date"]
        if due > as_of:
            continue
        row.commitments_due += 1
        made = deliveries[commitment["pk"]]
        by_due = sum((q for day, q in made if day <= due), Decimal(0))
        in_all = sum((q for _, q in made), Decimal(0))
        if by_due >= commitment["quantity"]:
            row.delivered_on_time += 1
        elif in_all >= commitment["quantity"]:
            row.delivered_late += 1


def _decisions(
    coalition: Coalition,
    facts: dict[int, MemberFacts],
    ids: list[int],
    end: Any,
    window_start: Any,
    actions: dict[int, int],
) -> None:
    rows = (
        Eligibility.objects.for_coalition(coalition)
        .filter(Q(membership_id__in=ids) | Q(staff__membership_id__in=ids))
        .values(
            "proposal_id",
            "membership_id",
            "staff__membership_id",
            "voted_at",
            "proposal__status",
            "proposal__closed_at",
        )
    )
    eligible: dict[int, set[int]] = defaultdict(set)
    cast: dict[int, set[int]] = defaultdict(set)
    in_window: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        member = row["membership_id"] or row["staff__membership_id"]
        if member not in facts:
            continue
        voted = row["voted_at"] is not None and row["voted_at"] < end
        closed = row["proposal__status"] == Proposal.Status.CLOSED and (
            row["proposal__closed_at"] is not None and row["proposal__closed_at"] < end
        )
        if closed:
            eligible[member].add(row["proposal_id"])
            if voted:
                cast[member].add(row["proposal_id"])
        if voted and row["voted_at"] >= window_start:
            in_window[member].add(row["proposal_id"])
    for member, profile in facts.items():
        profile.votes_eligible = len(eligible[member])
        profile.votes_cast = len(cast[member])
        actions[member] += len(in_window[member])


def _supporters(
    coalition: Coalition, facts: dict[int, MemberFacts], ids: list[int], end: Any
) -> None:
    shared = (
        Person.objects.for_coalition(coalition)
        .filter(source_membership_id__in=ids, created_at__lt=end)
        .values("source_membership_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in shared:
        facts[row["source_membership_id"]].supporters_shared = row["n"]
    consents = (
        SharingConsent.objects.for_coalition(coalition)
        .filter(membership_id__in=ids, granted_at__lt=end)
        .values("membership_id", "person__source_membership_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for consent in consents:
        if consent["person__source_membership_id"] != consent["membership_id"]:
            facts[consent["membership_id"]].pooled_accessed += consent["n"]


def _signatures(
    coalition: Coalition, facts: dict[int, MemberFacts], ids: list[int], end: Any
) -> None:
    rows = (
        Signature.objects.for_coalition(coalition)
        .filter(
            referring_membership_id__in=ids,
            confirmed_at__lt=end,
            invalidated_at__isnull=True,
            held=False,
        )
        .values("referring_membership_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        facts[row["referring_membership_id"]].referred_signatures = row["n"]


def _engagement(
    coalition: Coalition,
    facts: dict[int, MemberFacts],
    as_of: dt.date,
    window_first: dt.date,
    actions: dict[int, int],
) -> None:
    first = as_of - dt.timedelta(days=ALL_TIME_DAYS)
    for source in engagement.sources():
        if source.by_member is None:
            continue
        totals = source.by_member(coalition, first, as_of)
        for member, row in facts.items():
            row.engagement[source.key] = {
                "label": source.label,
                "unit": source.unit,
                "count": float(totals.get(member, 0.0)),
            }
        if _is_count(source.unit):
            for key, count in source.by_member(coalition, window_first, as_of).items():
                if key is not None and key in facts:
                    actions[key] += int(count)


def _measurements(
    coalition: Coalition,
    facts: dict[int, MemberFacts],
    ids: list[int],
    end: Any,
    window_start: Any,
    actions: dict[int, int],
) -> None:
    acting: dict[int, int] = {
        user: member
        for user, member in StaffMember.objects.for_coalition(coalition)
        .filter(membership_id__in=ids)
        .values_list("user_id", "membership_id")
        if member is not None
    }
    if not acting:
        return
    rows = (
        Measurement.objects.for_coalition(coalition)
        .filter(
            recorded_by_id__in=list(acting),
            recorded_at__lt=end,
            review=Measurement.Review.APPROVED,
        )
        .values("recorded_by_id")
        .annotate(n=Count("pk"), recent=Count("pk", filter=Q(recorded_at__gte=window_start)))
        .order_by()
    )
    for row in rows:
        member = acting[row["recorded_by_id"]]
        facts[member].measurements += row["n"]
        actions[member] += row["recent"]


def _similarity(coalition: Coalition, facts: dict[int, MemberFacts], fn: SimilarityFn) -> None:
    stated = [row for row in facts.values() if row.membership.organization.mission.strip()]
    if not stated or not coalition.mission.strip():
        return
    scores = fn(coalition.mission, [row.membership.organization.mission for row in stated])
    for row, score in zip(stated, scores, strict=True):
        row.similarity = round(max(0.0, min(1.0, float(score))), 4)
