"""How varied a coalition is, and how much of its road to the targets stays among its own kind.

Pure Python (no Django). Inputs are plain sector names, weights and node paths.

- **Sector diversity** over the member organizations, each weighted by its activity (the caller
  says what activity is; `cairn.powermap.analysis` uses 1 + the member's recorded actions). With
  p_s the share of the total activity held by members of sector s:
  - Shannon entropy H = −Σ p_s ln p_s (nats; 0 for one sector, ln S for S equal sectors), and its
    effective number of sectors exp(H);
  - Gini–Simpson index 1 − Σ p_s²: the chance that two units of activity drawn at random come
    from different sectors (0 for one sector, 1 − 1/S for S equal sectors).
- **Echo chamber** of a campaign: take every (member, target) pair where the member's stakeholder
  can reach the target along the map's ties, and one shortest path for each pair (the one the
  graph engine chose). A path is *inside the echo chamber* when every stakeholder strictly
  between the member and the target belongs to a sector that the coalition's members already
  have; a direct tie (nothing in between) is inside too: the member reaches the target with no
  outside voice. The figure is inside / pairs, in [0, 1]; None when no member reaches a target.
  1 means every route the coalition has to the decision-makers runs through its own sectors.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SectorDiversity:
    shares: dict[str, float]  # sector → share of the activity, largest first
    shannon: float  # nats
    effective_sectors: float  # exp(shannon)
    gini_simpson: float


@dataclass(frozen=True, slots=True)
class EchoChamber:
    share: float | None  # inside / pairs; None without pairs
    inside: int
    pairs: int


def shares(weights: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Each sector's share of the total weight (non-positive weights ignored), largest first."""
    totals: dict[str, float] = {}
    for sector, weight in weights:
        if weight > 0:
            totals[sector] = totals.get(sector, 0.0) + weight
    whole = sum(totals.values())
    if whole <= 0:
        return {}
    return {s: w / whole for s, w in sorted(totals.items(), key=lambda item: (-item[1], item[0]))}


def shannon(p: Mapping[str, float]) -> float:
    return -sum(x * math.log(x) for x in p.values() if x > 0) + 0.0


def gini_simpson(p: Mapping[str, float]) -> float:
    return 1.0 - sum(x * x for x in p.values()) if p else 0.0


def sector_diversity(weights: Iterable[tuple[str, float]]) -> SectorDiversity:
    """Shannon and Gini–Simpson over (sector, activity) pairs, one pair per member."""
    p = shares(weights)
    h = shannon(p)
    return SectorDiversity(p, h, math.exp(h) if p else 0.0, gini_simpson(p))


def echo_chamber(
    paths: Iterable[Sequence[int]], sector_of: Mapping[int, str], own_sectors: Iterable[str]
) -> EchoChamber:
    """The share of member → target paths whose intermediaries are all in the coalition's own
    sectors (see the module docstring). Each path lists its nodes, member first, target last;
    an empty path (no route) is skipped. A node without a known sector counts as outside."""
    own = set(own_sectors)
    inside = pairs = 0
    for route in paths:
        if len(route) < 2:
            continue
        pairs += 1
        if all(sector_of.get(node) in own for node in route[1:-1]):
            inside += 1
    return EchoChamber(inside / pairs if pairs else None, inside, pairs)
