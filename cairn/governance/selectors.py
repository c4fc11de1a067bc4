"""Reads of the governance domain. Every selector takes the coalition (or the user) explicitly.

Results are computed by cairn.engines.tally from the standing votes; this module only gathers the
ballots and weights, and turns the engine's result into rows a page can show.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

from cairn.accounts.models import User
from cairn.coalitions.models import Coalition, Role, StaffMember
from cairn.engines import hashchain, tally
from cairn.engines.tally import (
    CountStatus,
    IrvResult,
    ProposalRule,
    StvResult,
    TimePollResult,
)
from cairn.engines.words import counted

from . import methods
from .models import (
    Authorization,
    Electorate,
    Eligibility,
    LogCheckpoint,
    LogEntry,
    Method,
    Option,
    Outcome,
    Proposal,
    ResultsVisibility,
    SigningKey,
    Vote,
)

# --- proposals ---------------------------------------------------------------------------------


def proposals(*, coalition: Coalition) -> QuerySet[Proposal]:
    return Proposal.objects.for_coalition(coalition).select_related("outcome")


def proposal(*, coalition: Coalition, pk: int) -> Proposal | None:
    return (
        Proposal.objects.for_coalition(coalition)
        .select_related("coalition", "created_by", "closed_early_by")
        .filter(pk=pk)
        .first()
    )


def options(*, proposal: Proposal) -> list[Option]:
    return list(Option.objects.for_coalition(proposal.coalition_id).filter(proposal=proposal))


def outcome(*, proposal: Proposal) -> Outcome | None:
    return Outcome.objects.for_coalition(proposal.coalition_id).filter(proposal=proposal).first()


def rule_for(proposal: Proposal) -> ProposalRule:
    """The pass rule of a proposal of the proposal method."""
    return methods.proposal_rule(
        rule=str(proposal.config.get("rule", "")),
        quorum_percent=proposal.quorum_percent,
        config=proposal.config,
    )


def eligibility_for(*, proposal: Proposal, staff: StaffMember) -> Eligibility | None:
    """The eligible voter `staff` votes for on this proposal, if any (the policy decides if they
    may; this finds which)."""
    if proposal.electorate == Electorate.INDIVIDUALS:
        key = f"s{staff.pk}"
    elif staff.membership_id:
        key = f"m{staff.membership_id}"
    else:
        return None
    return (
        Eligibility.objects.for_coalition(proposal.coalition_id)
        .filter(proposal=proposal, voter_key=key)
        .select_related("membership", "staff")
        .first()
    )


def standing_vote(*, proposal: Proposal, eligibility: Eligibility | None) -> Vote | None:
    """The voter's standing (latest) vote; None when anonymous: those ballots are unlinked."""
    if eligibility is None or proposal.anonymous:
        return None
    return (
        Vote.objects.for_coalition(proposal.coalition_id)
        .filter(proposal=proposal, voter_key=eligibility.voter_key)
        .select_related("cast_by")
        .first()
    )


def eligible_voters(*, proposal: Proposal) -> QuerySet[Eligibility]:
    return Eligibility.objects.for_coalition(proposal.coalition_id).filter(proposal=proposal)


def named_votes(*, proposal: Proposal) -> list[tuple[Eligibility, Vote | None]]:
    """Who voted what, for proposals that are not anonymous."""
    if proposal.anonymous:
        return []
    votes = {
        v.voter_key: v
        for v in Vote.objects.for_coalition(proposal.coalition_id)
        .filter(proposal=proposal)
        .select_related("cast_by")
    }
    return [(e, votes.get(e.voter_key)) for e in eligible_voters(proposal=proposal)]


def results_visible(*, proposal: Proposal, has_voted: bool) -> bool:
    """A proposal's own rule for showing results (the same for every role: not a permission)."""
    if proposal.status in {Proposal.Status.DRAFT, Proposal.Status.SCHEDULED}:
        return False
    if proposal.is_closed:
        return True
    if proposal.anonymous or proposal.results_visibility == ResultsVisibility.AFTER_CLOSE:
        return False
    if proposal.results_visibility == ResultsVisibility.AFTER_VOTE:
        return has_voted
    return True


# --- decisions lists ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decisions:
    needs_your_vote: list[Proposal]
    open: list[Proposal]
    upcoming: list[Proposal]
    closed: list[Proposal]


def _awaiting_filter(staff: StaffMember) -> Q:
    """Eligibility rows `staff` could vote for and that have not voted."""
    if staff.role == Role.VIEWER:
        return Q(pk__in=[])
    keys = [f"s{staff.pk}"]
    if staff.membership_id:
        keys.append(f"m{staff.membership_id}")
    return Q(voter_key__in=keys, voted_at__isnull=True)


def decisions(*, coalition: Coalition, staff: StaffMember) -> Decisions:
    rows = list(
        proposals(coalition=coalition).annotate(
            awaiting=Exists(
                Eligibility.objects.for_coalition(coalition)
                .filter(proposal=OuterRef("pk"))
                .filter(_awaiting_filter(staff))
            )
        )
    )
    open_rows = [p for p in rows if p.status == Proposal.Status.OPEN]
    return Decisions(
        needs_your_vote=[p for p in open_rows if p.awaiting],
        open=sorted(open_rows, key=lambda p: p.closes_at),
        upcoming=[
            p for p in rows if p.status in {Proposal.Status.DRAFT, Proposal.Status.SCHEDULED}
        ],
        closed=sorted(
            (p for p in rows if p.status == Proposal.Status.CLOSED),
            key=lambda p: p.closed_at or p.closes_at,
            reverse=True,
        ),
    )


@dataclass(frozen=True, slots=True)
class Awaiting:
    coalition: Coalition
    proposal: Proposal
    voter_label: str


def awaiting_user(*, user: User) -> list[Awaiting]:
    """Open proposals, in every coalition where the user has a role, that wait for their vote."""
    out: list[Awaiting] = []
    roles = StaffMember.objects.filter(user=user).select_related("coalition")
    for staff in roles:
        rows = (
            Eligibility.objects.for_coalition(staff.coalition)
            .filter(_awaiting_filter(staff), proposal__status=Proposal.Status.OPEN)
            .select_related("proposal")
            .order_by("proposal__closes_at")
        )
        out.extend(Awaiting(staff.coalition, e.proposal, e.label) for e in rows)
    out.sort(key=lambda a: a.proposal.closes_at)
    return out


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    figure: str
    percent: float | None = None
    note: str = ""
    leading: bool = False


@dataclass(frozen=True, slots=True)
class RoundTable:
    """Ranked choice, round by round: one row per option, one column per round (or STV stage)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]
    events: tuple[str, ...]
    exhausted: tuple[str, ...] = ()
    quota: str = ""


@dataclass(frozen=True, slots=True)
class Results:
    method: str
    eligible_voters: int
    eligible_weight: Decimal
    voters: int
    voted_weight: Decimal
    quorum_percent: Decimal
    quorum_met: bool
    passed: bool | None
    headline: str
    reasons: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    rounds: RoundTable | None = None
    ties: tuple[str, ...] = ()
    answers: tuple[tuple[str, str], ...] = ()
    engine: Any = field(default=None, compare=False)
    so_far: bool = False  # voting is still open: the figures are the standing votes, not a result
    missing: str = ""  # what the quorum still lacks, in words ("3 more organizations must vote")

    @property
    def turnout_percent(self) -> float:
        if not self.eligible_weight:
            return 0.0
        return float(self.voted_weight / self.eligible_weight * 100)


@dataclass(frozen=True, slots=True)
class Summary:
    passed: bool | None
    text: str


def _num(value: Decimal | Fraction) -> str:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    quantized = value.quantize(Decimal("0.01"))
    return f"{quantized.normalize():f}" if quantized == value else f"{quantized:f}"


def _pct(share: Fraction) -> float:
    return float(share * 100)


@dataclass(frozen=True, slots=True)
class _Ballots:
    eligible: dict[str, Decimal]
    ballots: dict[str, Mapping[str, Any]]
    reasons: dict[str, str]


def _gather(proposal: Proposal) -> _Ballots:
    """One ballot per voter key, with each eligible voter's weight. Anonymous ballots stand in
    for the eligible voters who cast them (same weights), under their own random keys."""
    coalition = proposal.coalition_id
    votes = list(
        Vote.objects.for_coalition(coalition)
        .filter(proposal=proposal)
        .order_by("voter_key")
        .values_list("voter_key", "weight", "ballot", "reason")
    )
    eligibility = list(
        eligible_voters(proposal=proposal).values_list("voter_key", "weight", "voted_at")
    )
    if proposal.anonymous:
        eligible = {key: weight for key, weight, _, _ in votes}
        eligible.update({key: weight for key, weight, voted in eligibility if voted is None})
    else:
        eligible = {key: weight for key, weight, _ in eligibility}
    ballots = tally.latest_ballots((key, ballot) for key, _, ballot, _ in votes if key in eligible)
    return _Ballots(
        eligible=eligible,
        ballots=ballots,
        reasons={key: reason for key, _, _, reason in votes if reason},
    )


def results(*, proposal: Proposal) -> Results:
    """The tally of a proposal's standing votes, by its method."""
    gathered = _gather(proposal)
    eligible, ballots = gathered.eligible, gathered.ballots
    eligible_weight = sum(eligible.values(), Decimal(0))
    voted_weight = sum((eligible[k] for k in ballots), Decimal(0))
    quorum = methods.quorum_fraction(proposal.quorum_percent)
    quorum_met = Fraction(voted_weight) >= quorum * Fraction(eligible_weight)
    so_far = not proposal.is_closed
    base: dict[str, Any] = {
        "so_far": so_far,
        "missing": _quorum_missing(proposal, eligible, ballots, quorum) if so_far else "",
        "method": proposal.method,
        "eligible_voters": len(eligible),
        "eligible_weight": eligible_weight,
        "voters": len(ballots),
        "voted_weight": voted_weight,
        "quorum_percent": proposal.quorum_percent,
        "quorum_met": quorum_met,
    }
    opts = options(proposal=proposal)
    labels = {o.key: o.label for o in opts}
    keys = [o.key for o in opts]
    method = proposal.method

    if method == Method.PROPOSAL:
        rule = rule_for(proposal)
        result = tally.tally_proposal(
            rule=rule,
            eligible=eligible,
            ballots={k: str(b["position"]) for k, b in ballots.items()},
        )
        if result.passed is None:
            headline = f"{rule.name}: {result.voters} of {result.eligible_voters} responded"
        elif so_far:
            headline = "Passing so far" if result.passed else "Not passing so far"
        else:
            headline = "Passed" if result.passed else "Not passed"
        base.update(quorum_met=result.quorum_met)
        rows = tuple(
            Row(
                label=c.label,
                figure=_num(c.weight),
                percent=_pct(c.share_of_cast) if c.meaning != tally.Meaning.ABSTAIN else None,
                note=f"{c.voters} voter{'s' if c.voters != 1 else ''}",
            )
            for c in result.positions
        )
        return Results(
            **base,
            passed=result.passed,
            headline=headline,
            reasons=result.reasons,
            rows=rows,
            answers=_reasons(proposal, gathered),
            engine=result,
        )
    if method == Method.POLL:
        config = methods.poll_config(proposal.config, keys)
        poll = tally.tally_poll(
            config=config,
            ballots={k: list(b["choices"]) for k, b in ballots.items()},
            weights=eligible,
        )
        names = {**labels, tally.NONE_OF_THE_ABOVE: "None of the above"}
        return Results(
            **base,
            passed=None,
            headline=_leaders(poll.leaders, names),
            rows=tuple(
                Row(
                    names[c.option],
                    _num(c.weight),
                    _pct(c.share),
                    leading=c.option in poll.leaders,
                )
                for c in poll.options
            ),
            engine=poll,
        )
    if method == Method.SCORE:
        score = tally.tally_score(
            config=methods.score_config(proposal.config, keys),
            ballots={k: dict(b["scores"]) for k, b in ballots.items()},
            weights=eligible,
        )
        return Results(
            **base,
            passed=None,
            headline=_leaders(score.leaders, labels),
            rows=tuple(
                Row(
                    labels[c.option],
                    _num(c.total),
                    note=f"mean {_num(c.mean)}" if c.mean is not None else "",
                    leading=c.option in score.leaders,
                )
                for c in score.options
            ),
            engine=score,
        )
    if method == Method.DOT_VOTE:
        dots = tally.tally_dot_vote(
            config=methods.dot_config(proposal.config, keys),
            ballots={k: dict(b["dots"]) for k, b in ballots.items()},
            weights=eligible,
        )
        placed = dots.dots_placed
        return Results(
            **base,
            passed=None,
            headline=_leaders(dots.leaders, labels),
            rows=tuple(
                Row(
                    labels[c.option],
                    _num(c.dots),
                    _pct(Fraction(c.dots) / Fraction(placed)) if placed else 0.0,
                    note=f"from {c.voters} voter{'s' if c.voters != 1 else ''}",
                    leading=c.option in dots.leaders,
                )
                for c in dots.options
            ),
            engine=dots,
        )
    if method == Method.RANKED_CHOICE:
        return _ranked(proposal, base, keys, labels, eligible, ballots)
    if method == Method.TIME_POLL:
        times = {o.key: o.starts_at for o in opts if o.starts_at is not None}
        by_time = {t: k for k, t in times.items()}
        timed: TimePollResult[str] = tally.tally_time_poll(
            config=methods.time_config(list(times.values())),
            ballots={
                k: {
                    times[key]: tally.Availability(answer)
                    for key, answer in dict(b["answers"]).items()
                    if key in times
                }
                for k, b in ballots.items()
            },
            weights=eligible,
        )
        best = [labels[by_time[t]] for t in timed.best]
        return Results(
            **base,
            passed=None,
            headline=("Best time: " + " or ".join(best)) if best else "No answers yet",
            rows=tuple(
                Row(
                    labels[by_time[s.time]],
                    f"{_num(s.yes)} yes · {_num(s.maybe)} maybe · {_num(s.no)} no",
                    note=_cannot_come(proposal, s.cannot_come),
                    leading=s.time in timed.best,
                )
                for s in timed.ranked
            ),
            engine=timed,
        )
    # the question round: written answers, nothing to count
    answers = tuple(
        (_label_of(proposal, key), str(b.get("answer", ""))) for key, b in ballots.items()
    )
    return Results(
        **base,
        passed=None,
        headline=f"{len(answers)} answer{'s' if len(answers) != 1 else ''}",
        answers=answers,
    )


def _quorum_missing(
    proposal: Proposal,
    eligible: Mapping[str, Decimal],
    ballots: Mapping[str, Any],
    quorum: Fraction,
) -> str:
    """What the quorum still lacks, in words; empty when it is met.

    With one vote each, the fewest more voters needed; with declared weights, the weight still
    needed (which members make it up depends on who votes)."""
    needed = quorum * Fraction(sum(eligible.values(), Decimal(0)))
    voted = Fraction(sum((eligible[k] for k in ballots), Decimal(0)))
    if voted >= needed:
        return ""
    if proposal.electorate == Electorate.WEIGHTED:
        weight = _num(needed - voted)
        return f"Organizations with a combined weight of {weight} more must vote for quorum"
    more = math.ceil(needed - voted)
    one, many = (
        ("person", "people")
        if proposal.electorate == Electorate.INDIVIDUALS
        else ("organization", "organizations")
    )
    return f"{more} more {one if more == 1 else many} must vote for quorum"


def _cannot_come(proposal: Proposal, voters: frozenset[str]) -> str:
    if not voters:
        return ""
    return "cannot come: " + ", ".join(sorted(_label_of(proposal, v) for v in voters))


def _label_of(proposal: Proposal, key: str) -> str:
    if proposal.anonymous:
        return "A member"
    row = eligible_voters(proposal=proposal).filter(voter_key=key).first()
    return row.label if row else key


def _reasons(proposal: Proposal, gathered: _Ballots) -> tuple[tuple[str, str], ...]:
    return tuple(
        (_label_of(proposal, key), reason) for key, reason in sorted(gathered.reasons.items())
    )


def _leaders(leaders: Sequence[str], labels: Mapping[str, str]) -> str:
    if not leaders:
        return "No votes yet"
    names = [labels[k] for k in leaders]
    if len(names) == 1:
        return f"Leading: {names[0]}"
    return "Tied: " + ", ".join(names)


def _ranked(
    proposal: Proposal,
    base: dict[str, Any],
    keys: list[str],
    labels: dict[str, str],
    eligible: dict[str, Decimal],
    ballots: Mapping[str, Mapping[str, Any]],
) -> Results:
    seats = int(proposal.config.get("seats", 1))
    rankings = {k: list(b["ranking"]) for k, b in ballots.items()}
    order = [k for k in proposal.config.get("tiebreak_order", []) if k in labels]
    tiebreak = order if len(order) == len(keys) else []
    ties: list[str] = []
    if seats <= 1:
        irv: IrvResult = tally.tally_irv(
            candidates=keys, ballots=rankings, weights=eligible, tiebreak=tiebreak
        )
        events = []
        for r in irv.rounds:
            if r.elected:
                events.append(f"Round {r.number}: {labels[r.elected]} wins")
            elif r.eliminated:
                events.append(f"Round {r.number}: {labels[r.eliminated]} eliminated")
            elif r.excluded_together:
                names = ", ".join(labels[k] for k in r.excluded_together)
                events.append(f"Round {r.number}: {names} eliminated together")
            else:
                events.append(f"Round {r.number}")
        table = RoundTable(
            headers=tuple(f"Round {r.number}" for r in irv.rounds),
            rows=tuple(
                (labels[k], tuple(_num(r.votes[k]) if k in r.votes else "—" for r in irv.rounds))
                for k in keys
            ),
            events=tuple(events),
            exhausted=tuple(_num(r.exhausted) for r in irv.rounds),
        )
        ties = [_tie_text(t, labels) for t in irv.ties]
        if irv.status == CountStatus.COMPLETE and irv.winner:
            headline = f"Winner: {labels[irv.winner]}"
        elif irv.status == CountStatus.UNRESOLVED_TIE:
            headline = "Unresolved tie"
        else:
            headline = "No votes yet"
        rows = tuple(
            Row(
                labels[k],
                _num(irv.rounds[-1].votes.get(k, Decimal(0))) if irv.rounds else "0",
                leading=k == irv.winner,
            )
            for k in keys
        )
        return Results(
            **base, passed=None, headline=headline, rows=rows, rounds=table,
            ties=tuple(ties), engine=irv,
        )  # fmt: skip
    stv: StvResult = tally.tally_stv(
        candidates=keys, seats=seats, ballots=rankings, weights=eligible, tiebreak=tiebreak
    )
    events = []
    for s in stv.stages:
        what = {
            tally.StageAction.FIRST_PREFERENCES: "First preferences",
            tally.StageAction.SURPLUS: f"Surplus of {labels.get(s.subject or '', '')}",
            tally.StageAction.EXCLUSION: f"{labels.get(s.subject or '', '')} excluded",
        }[s.action]
        if s.elected:
            what += "; elected: " + ", ".join(labels[e] for e in s.elected)
        events.append(f"Stage {s.number}: {what}")
    table = RoundTable(
        headers=tuple(f"Stage {s.number}" for s in stv.stages),
        rows=tuple(
            (labels[k], tuple(_num(s.votes[k]) if k in s.votes else "—" for s in stv.stages))
            for k in keys
        ),
        events=tuple(events),
        exhausted=tuple(_num(s.non_transferable) for s in stv.stages),
        quota=_num(stv.quota),
    )
    ties = [_tie_text(t, labels) for t in stv.ties]
    if stv.status == CountStatus.COMPLETE:
        headline = "Elected: " + ", ".join(labels[e] for e in stv.elected)
    elif stv.status == CountStatus.UNRESOLVED_TIE:
        headline = "Unresolved tie"
    else:
        headline = "No votes yet"
    rows = tuple(
        Row(labels[k], _num(stv.stages[-1].votes.get(k, Decimal(0))) if stv.stages else "0",
            leading=k in stv.elected)
        for k in keys
    )  # fmt: skip
    return Results(
        **base, passed=None, headline=headline, rows=rows, rounds=table, ties=tuple(ties),
        engine=stv,
    )  # fmt: skip


def _tie_text(tie: tally.Tie, labels: Mapping[str, str]) -> str:
    """A tie and the rule that broke it, in words (rounds for IRV, stages for STV alike)."""
    names = ", ".join(labels.get(t, t) for t in tie.tied)
    where = f"Stage {tie.stage}: {names} tied"
    if tie.resolution == tally.TieResolution.BULK_EXCLUSION:
        together = ", ".join(labels.get(t, t) for t in tie.excluded_together)
        return (
            f"{where}; {together} eliminated together (bulk exclusion): their combined votes "
            "cannot reach the next option, so every order of elimination ends the same"
        )
    if tie.chosen is None:
        return f"{where}, the winner depends on the tie, and no lot was drawn: unresolved"
    chosen = labels.get(tie.chosen, tie.chosen)
    if tie.resolution == tally.TieResolution.EARLIER_STAGE:
        return f"{where}; {chosen} chosen by the votes at stage {tie.decided_at_stage}"
    if tie.resolution == tally.TieResolution.SAME_OUTCOME:
        return (
            f"{where}; {chosen} eliminated first: whichever of them goes first, the count elects "
            "the same winner, so the tie does not change the result"
        )
    return f"{where}; {chosen} chosen by lot (the order drawn when voting opened)"


def summarize(proposal: Proposal) -> Summary:
    result = results(proposal=proposal)
    text = result.headline
    if result.reasons:
        text += ": " + "; ".join(result.reasons)
    return Summary(passed=result.passed, text=text)


def blt(*, proposal: Proposal) -> str:
    """The ranked-choice ballots as a BLT file (option labels as candidate names)."""
    gathered = _gather(proposal)
    opts = options(proposal=proposal)
    labels = {o.key: o.label.replace('"', "'").replace("\n", " ") for o in opts}
    return tally.to_blt(
        candidates=[labels[o.key] for o in opts],
        seats=int(proposal.config.get("seats", 1)),
        ballots={
            k: [labels[c] for c in b["ranking"] if c in labels] for k, b in gathered.ballots.items()
        },
        weights=gathered.eligible,
        title=proposal.title.replace('"', "'").replace("\n", " "),
    )


# --- the log -----------------------------------------------------------------------------------


def log_entries(*, coalition: Coalition) -> QuerySet[LogEntry]:
    return LogEntry.objects.for_coalition(coalition).order_by("seq")


def verify_log(*, coalition: Coalition | int) -> hashchain.Verification:
    """Re-compute the coalition's chain from its stored entries; report the first broken link."""
    entries = (
        hashchain.Entry(seq=e.seq, prev_hash=e.prev_hash, hash=e.hash, body=e.body)
        for e in LogEntry.objects.for_coalition(coalition).order_by("seq").iterator()
    )
    return hashchain.verify(entries)


def votes_match_log(*, coalition: Coalition | int) -> list[str]:
    """Cross-check the votes table against the log: replaying each proposal's vote entries must
    give exactly the standing votes (and, when anonymous, as many ballots as were logged). A vote
    edited, added or removed behind the application's back shows up here even though the chain
    itself is intact. Returns the problems found, in words (empty when all match)."""
    logged: dict[int, dict[str, tuple[Any, str]]] = {}
    anonymous_cast: dict[int, int] = {}
    for body in (
        LogEntry.objects.for_coalition(coalition)
        .filter(body__event__in=["vote_cast", "vote_changed"])
        .order_by("seq")
        .values_list("body", flat=True)
    ):
        proposal_id = int(body["proposal"])
        if body.get("anonymous"):
            anonymous_cast[proposal_id] = anonymous_cast.get(proposal_id, 0) + 1
        else:
            logged.setdefault(proposal_id, {})[str(body["voter"])] = (
                body.get("ballot"),
                str(body.get("reason", "")),
            )
    stored: dict[int, dict[str, tuple[Any, str]]] = {}
    anonymous_stored: dict[int, int] = {}
    for proposal_id, key, ballot, reason, anonymous in Vote.objects.for_coalition(
        coalition
    ).values_list("proposal_id", "voter_key", "ballot", "reason", "proposal__anonymous"):
        if anonymous:
            anonymous_stored[proposal_id] = anonymous_stored.get(proposal_id, 0) + 1
        else:
            stored.setdefault(proposal_id, {})[key] = (ballot, reason)
    problems: list[str] = []
    for proposal_id in sorted(set(logged) | set(stored)):
        want, have = logged.get(proposal_id, {}), stored.get(proposal_id, {})
        for key in sorted(set(want) | set(have)):
            if want.get(key) != have.get(key):
                problems.append(f"proposal {proposal_id}: the vote of {key} differs from the log")
    for proposal_id in sorted(set(anonymous_cast) | set(anonymous_stored)):
        logged_count = anonymous_cast.get(proposal_id, 0)
        stored_count = anonymous_stored.get(proposal_id, 0)
        if logged_count != stored_count:
            problems.append(
                f"proposal {proposal_id}: "
                f"{counted(stored_count, 'anonymous ballot', 'anonymous ballots')} stored, "
                f"{logged_count} logged"
            )
    return problems


# --- signed checkpoints ------------------------------------------------------------------------


def checkpoint_time(moment: dt.datetime) -> str:
    """How a checkpoint's signing time is written in the signed statement (UTC, to the second)."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def checkpoints(*, coalition: Coalition) -> QuerySet[LogCheckpoint]:
    return LogCheckpoint.objects.for_coalition(coalition).select_related("key")


def checkpoint(*, coalition: Coalition, seq: int) -> LogCheckpoint | None:
    return checkpoints(coalition=coalition).filter(seq=seq).first()


def signing_keys(*, coalition: Coalition) -> QuerySet[SigningKey]:
    """The coalition's keys, the active one first; old ones stay so old checkpoints verify."""
    return SigningKey.objects.for_coalition(coalition).order_by("-created_at", "-pk")


def checkpoint_document(row: LogCheckpoint) -> hashchain.Checkpoint:
    """The checkpoint as the file members keep (the coalition's slug names the coalition)."""
    return hashchain.Checkpoint(
        coalition=row.coalition.slug,
        seq=row.seq,
        hash=row.hash,
        signed_at=checkpoint_time(row.signed_at),
        key_id=row.key.key_id,
        public_key=row.key.public_key,
        signature=row.signature,
    )


def verify_checkpoint(
    *, coalition: Coalition, document: hashchain.Checkpoint
) -> hashchain.CheckpointCheck:
    """A member's checkpoint against the log as stored now: signed by one of the coalition's keys
    (current or retired), and the log still verifies and holds that entry with that hash."""
    if document.coalition != coalition.slug:
        return hashchain.CheckpointCheck(
            False, f"the checkpoint is of coalition {document.coalition!r}, not {coalition.slug!r}"
        )
    problem = hashchain.signed(document)
    if problem:
        return hashchain.CheckpointCheck(False, problem)
    known = signing_keys(coalition=coalition).filter(
        key_id=document.key_id, public_key=document.public_key
    )
    if not known.exists():
        return hashchain.CheckpointCheck(
            False, f"it is signed by key {document.key_id}, which is not a key of this coalition"
        )
    entries = (
        hashchain.Entry(seq=e.seq, prev_hash=e.prev_hash, hash=e.hash, body=e.body)
        for e in LogEntry.objects.for_coalition(coalition).order_by("seq").iterator()
    )
    return hashchain.checkpoint_in_log(document, entries)


EVENT_LABELS = {
    "proposal_created": "Drafted",
    "proposal_edited": "Edited",
    "proposal_deleted": "Deleted",
    "proposal_scheduled": "Scheduled",
    "proposal_opened": "Opened for votes",
    "vote_cast": "Vote cast",
    "vote_changed": "Vote changed",
    "proposal_closed": "Closed",
    "proposal_reopened": "Reopened",
    "outcome_recorded": "Outcome recorded",
    "authorization_added": "Authorization linked",
    "signing_key_rotated": "Signing key rotated",
}


@dataclass(frozen=True, slots=True)
class HistoryItem:
    seq: int
    label: str
    who: str
    at: dt.datetime


def proposal_log(*, proposal: Proposal) -> list[HistoryItem]:
    """The proposal's entries in the coalition log, in words (voters named unless anonymous)."""
    rows = log_entries(coalition=proposal.coalition).filter(body__proposal=proposal.pk)
    return [
        HistoryItem(
            seq=entry.seq,
            label=EVENT_LABELS.get(str(entry.body.get("event")), str(entry.body.get("event"))),
            who=str(entry.body.get("voter_label", "")),
            at=entry.created_at,
        )
        for entry in rows
    ]


# --- what a decision authorized ----------------------------------------------------------------


def decisions_behind(obj: models.Model) -> QuerySet[Authorization]:
    """The outcomes that authorized `obj` (scoped by its coalition when it has one)."""
    rows = Authorization.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("outcome__proposal__coalition")
    coalition_id = getattr(obj, "coalition_id", None)
    if coalition_id is not None:
        rows = rows.for_coalition(coalition_id)
    return rows


def authorizations(*, outcome: Outcome) -> QuerySet[Authorization]:
    return Authorization.objects.for_coalition(outcome.coalition_id).filter(outcome=outcome)


@dataclass(frozen=True, slots=True)
class Authorized:
    kind: str  # "Campaign", or the model's name when no app registered it
    label: str
    url: str  # "" when the row is gone or has no page
    note: str
    at: dt.datetime


def authorized(*, outcome: Outcome) -> list[Authorized]:
    """What an outcome authorized, each with its page (rows deleted since show as such)."""
    from . import authorizable

    out: list[Authorized] = []
    slug = outcome.proposal.coalition.slug
    for row in authorizations(outcome=outcome).select_related("content_type").order_by("pk"):
        model = row.content_type.model_class()
        kind = authorizable.kind_of(model) if model is not None else None
        target = row.target
        out.append(
            Authorized(
                kind=kind.label if kind else str(row.content_type.name).capitalize(),
                label=str(target) if target is not None else f"#{row.object_id} (deleted)",
                url=kind.url(slug, target) if kind and target is not None else "",
                note=row.note,
                at=row.created_at,
            )
        )
    return out


def upcoming_deadline(proposal: Proposal, now: dt.datetime) -> dt.timedelta:
    return proposal.closes_at - now
