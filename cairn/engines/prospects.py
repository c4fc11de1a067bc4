"""Rank prospective coalition members for a campaign, and say why, in one sentence each.

Pure Python (no Django). The caller (`cairn.powermap.analysis.prospects_for_campaign`) passes the
candidates — organizations on the map that are not members, not the campaign's targets, not
opposed, and outside every sector the coalition's members already have — with their reach and
their best route to a target, already computed by `cairn.engines.graph`.

score = reach × alignment × novelty, each factor in [0, 1], all three returned:

- **reach**: `cairn.engines.graph.reach` to the campaign's targets (mean over the targets of
  1 / (1 + shortest path length)); a candidate that reaches no target is not ranked.
- **alignment** = (position + mission) / 2: position maps the stakeholder's stance to
  [0, 1] ((score + 2) / 4: skeptical 0.25, neutral 0.5, supportive 0.75, champion 1; unknown counts
  as neutral and the reason says so); mission is the similarity of their stated mission to the
  coalition's (`cairn.engines.similarity.similarities`, in [0, 1]; 0 when either is blank).
- **novelty**: the diversity gained, as the rise of the Gini–Simpson index of the members'
  sectors (weighted by activity, the newcomer weighted as an average member) when the candidate
  joins the coalition *and the prospects ranked above it*, divided by the rise a member of a
  sector nobody has yet would bring. The first candidate of a sector scores 1; a second one from
  the same sector scores less, so the top of the list is spread across sectors (the ranking is
  greedy: each place goes to the best score given the places above it).

`too_thin` says why the ranking cannot be trusted, or cannot be made: no targets, no candidates,
no candidate with a route to a target, or fewer than `MIN_REACHABLE` candidates with one (then the
few are still listed). A candidate whose score is zero (it adds no sector and no alignment) is
never listed: the list stops short and `too_thin` says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .diversity import gini_simpson, shares

MIN_REACHABLE = 3

TIE_PHRASES = {
    "funds": "funds",
    "board_seat": "sits on the board of",
    "employs": "employs",
    "member_of": "is a member of",
    "regulates": "regulates",
    "votes_on": "votes on",
    "allied_with": "is allied with",
    "opposes": "opposes",
    "covers": "covers",
    "personal_tie": "has a personal tie to",
}

ORDINALS = ("first", "second", "third", "fourth", "fifth")


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    name: str
    sector: str
    sector_label: str
    position_score: int | None  # -2..2, None when unknown
    mission: str


@dataclass(frozen=True, slots=True)
class Route:
    """A shortest path from a candidate to a target: `names[i]` reaches `names[i+1]` by a tie of
    kind `ties[i]`. `nodes` are the stakeholder ids, the candidate first, the target last."""

    nodes: tuple[int, ...]
    names: tuple[str, ...]
    ties: tuple[str, ...]
    persons: tuple[bool, ...]  # whether each node is a person ("who" rather than "which")


@dataclass(frozen=True, slots=True)
class Prospect:
    id: int
    name: str
    sector: str
    reach: float
    alignment: float
    position: float
    mission_similarity: float
    novelty: float
    score: float
    route: Route
    reason: str


@dataclass(frozen=True, slots=True)
class ProspectRanking:
    prospects: list[Prospect]
    too_thin: str | None
    candidates: int  # considered
    reachable: int  # of those, with a route to a target


def describe_route(route: Route) -> str:
    """'sits on the board of X, which funds Y' — the route in words, from the candidate."""
    parts: list[str] = []
    for i, tie in enumerate(route.ties):
        phrase = f"{TIE_PHRASES.get(tie, tie.replace('_', ' '))} {route.names[i + 1]}"
        if i == 0:
            parts.append(phrase)
        else:
            parts.append(f"{'who' if route.persons[i] else 'which'} {phrase}")
    return ", ".join(parts)


def _position(score: int | None) -> float:
    return 0.5 if score is None else (max(-2, min(2, score)) + 2) / 4


def rank_prospects(
    *,
    candidates: Sequence[Candidate],
    reach: Mapping[int, float],
    routes: Mapping[int, Route],
    member_activity: Sequence[tuple[str, float]],
    coalition_mission: str,
    targets: int,
    similarities: Callable[[str, Sequence[str]], list[float]] | None = None,
    limit: int = 3,
) -> ProspectRanking:
    """The `limit` best candidates by reach × alignment × novelty (see the module docstring).
    `routes` holds each candidate's best route (to its nearest target); `targets` is how many
    targets the campaign has on the map."""
    if targets == 0:
        return ProspectRanking(
            [], "the campaign has no decision-maker on the map to reach yet", len(candidates), 0
        )
    if not candidates:
        return ProspectRanking(
            [],
            "no organization outside the coalition's sectors is on the map yet",
            0,
            0,
        )
    reachable = [c for c in candidates if reach.get(c.id, 0.0) > 0 and c.id in routes]
    if not reachable:
        return ProspectRanking(
            [],
            f"none of the {len(candidates)} organizations outside the coalition's sectors has a "
            "recorded tie leading to the campaign's decision-makers",
            len(candidates),
            0,
        )
    if similarities is None:
        from .similarity import similarities as default_similarities

        similarities = default_similarities
    mission = coalition_mission.strip()
    texts = [c.mission.strip() for c in reachable]
    sims = similarities(mission, texts) if mission else [0.0] * len(texts)
    mission_of = {
        c.id: (max(0.0, min(1.0, s)) if text else 0.0)
        for c, s, text in zip(reachable, sims, texts, strict=True)
    }
    activity = [(sector, weight) for sector, weight in member_activity if weight > 0]
    newcomer = sum(w for _, w in activity) / len(activity) if activity else 1.0
    chosen: list[Prospect] = []
    left = list(reachable)
    while left and len(chosen) < limit:
        base = activity + [(p.sector, newcomer) for p in chosen]
        before = gini_simpson(shares(base))
        fresh = gini_simpson(shares([*base, ("\0new sector", newcomer)])) - before
        best: Prospect | None = None
        for c in left:
            gain = gini_simpson(shares([*base, (c.sector, newcomer)])) - before
            novelty = max(0.0, min(1.0, gain / fresh)) if fresh > 0 else 0.0
            position = _position(c.position_score)
            alignment = (position + mission_of[c.id]) / 2
            r = reach[c.id]
            score = r * alignment * novelty
            if best is None or (score, r, -c.id) > (best.score, best.reach, -best.id):
                best = Prospect(
                    id=c.id,
                    name=c.name,
                    sector=c.sector,
                    reach=r,
                    alignment=alignment,
                    position=position,
                    mission_similarity=mission_of[c.id],
                    novelty=novelty,
                    score=score,
                    route=routes[c.id],
                    reason="",
                )
        assert best is not None  # noqa: S101 - `left` is not empty
        if best.score <= 0:
            break  # nobody left adds anything: a zero is not a recommendation
        candidate = next(c for c in left if c.id == best.id)
        left.remove(candidate)
        same_sector = sum(1 for p in chosen if p.sector == candidate.sector)
        chosen.append(_with_reason(best, candidate, same_sector))
    too_thin = None
    if len(chosen) < min(limit, len(reachable)):
        some = f"only {len(chosen)}" if chosen else "none"
        too_thin = (
            f"{some} of the {len(reachable)} organizations with a route to the "
            "campaign's decision-makers would add a sector the coalition lacks or share its "
            "mission; the others score zero"
        )
    if len(reachable) < MIN_REACHABLE:
        too_thin = (
            f"only {len(reachable)} of the {len(candidates)} organizations outside the "
            f"coalition's sectors {'has' if len(reachable) == 1 else 'have'} a recorded tie "
            f"leading to the campaign's decision-makers (at least {MIN_REACHABLE} are needed "
            "to rank)"
        )
    return ProspectRanking(chosen, too_thin, len(candidates), len(reachable))


def _with_reason(prospect: Prospect, candidate: Candidate, same_sector: int) -> Prospect:
    route = describe_route(prospect.route)
    label = candidate.sector_label.lower() or candidate.sector
    if same_sector == 0:
        novelty = f"would be the first {label} member"
    else:
        nth = ORDINALS[same_sector] if same_sector < len(ORDINALS) else f"#{same_sector + 1}"
        above = "the prospect above" if same_sector == 1 else "the prospects above"
        novelty = f"would be the {nth} {label} member, after {above}"
    stance = " (position unknown)" if candidate.position_score is None else ""
    reason = f"{candidate.name} {route}; {novelty}{stance}."
    return Prospect(
        id=prospect.id,
        name=prospect.name,
        sector=prospect.sector,
        reach=prospect.reach,
        alignment=prospect.alignment,
        position=prospect.position,
        mission_similarity=prospect.mission_similarity,
        novelty=prospect.novelty,
        score=prospect.score,
        route=prospect.route,
        reason=reason,
    )
