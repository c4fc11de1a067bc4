"""The message check for the web app: a FrameworkVersion and a draft in, the engine's result out.

    check_draft(*, version, text, channel=None, kind=None) -> CheckResult

The version's `content` is the framework JSON (see `cairn.engines.narrative.framework`). A proof
point that cites an objective (`objective_id`) is checked against that objective's latest
approved measurement (value, unit, date) at the time of the check, never a stale copy.

Results are kept in Django's cache (whatever backend the deployment has: local memory, database,
redis) under the text's hash, the version (and a hash of its content, since a draft version can
be edited), the live figures it cites, the channel and kind, and the embedder; so a keystroke that
changes nothing re-checks nothing, and a new measurement or an edited version is checked afresh.
The engine also keeps each framework's vectors and each sentence's vector in process, so an edit
of one sentence embeds only that sentence.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from django.core.cache import cache

from cairn.campaigns.models import Measurement, Objective
from cairn.engines import similarity
from cairn.engines.narrative import CheckResult, Framework, checker_for, parse_framework

if TYPE_CHECKING:
    from .models import FrameworkVersion

__all__ = ["CACHE_SECONDS", "check_draft", "engine_framework", "live_figures"]

CACHE_SECONDS = 24 * 3600
# bump when the engine's rules change, so cached results of the old rules are not served
ENGINE_REVISION = 2  # 2: more ways of making the ask; agreeing negations are not contradictions

_FRAMEWORKS: OrderedDict[str, Framework] = OrderedDict()
_LOCK = threading.Lock()


def _cited_objectives(content: Any) -> set[int]:
    ids: set[int] = set()
    if not isinstance(content, dict):
        return ids
    for pillar in content.get("pillars") or []:
        if not isinstance(pillar, dict):
            continue
        for point in pillar.get("proof_points") or []:
            if isinstance(point, dict):
                oid = point.get("objective_id")
                if isinstance(oid, int) and not isinstance(oid, bool):
                    ids.add(oid)
    return ids


def live_figures(version: FrameworkVersion) -> dict[int, dict[str, Any]]:
    """For each objective the version cites (of the version's coalition only): its latest approved
    measurement's value and date, and the objective's unit. One query each for objectives and
    measurements, whatever the number of proof points."""
    ids = _cited_objectives(version.content)
    if not ids:
        return {}
    objectives = {
        o.pk: o for o in Objective.objects.for_coalition(version.coalition_id).filter(pk__in=ids)
    }
    latest: dict[int, Measurement] = {}
    rows = (
        Measurement.objects.for_coalition(version.coalition_id)
        .filter(objective_id__in=objectives, review=Measurement.Review.APPROVED)
        .order_by("objective_id", "-on", "-pk")
    )
    for row in rows:
        latest.setdefault(row.objective_id, row)
    out: dict[int, dict[str, Any]] = {}
    for oid, objective in objectives.items():
        m = latest.get(oid)
        out[oid] = {
            "unit": objective.unit,
            "value": float(m.value) if m is not None else float(objective.baseline_value),
            "measured_on": (m.on if m is not None else objective.baseline_on).isoformat(),
        }
    return out


def _filled_content(content: Any, figures: dict[int, dict[str, Any]]) -> Any:
    if not figures or not isinstance(content, dict):
        return content
    filled = copy.deepcopy(content)
    for pillar in filled.get("pillars") or []:
        if not isinstance(pillar, dict):
            continue
        for point in pillar.get("proof_points") or []:
            if isinstance(point, dict) and point.get("objective_id") in figures:
                live = figures[point["objective_id"]]
                point["value"] = live["value"]
                point["measured_on"] = live["measured_on"]
                if not point.get("unit"):
                    point["unit"] = live["unit"]
    return filled


def _digest(value: Any) -> str:
    payload = json.dumps(value, sort_keys=True, default=str).encode()
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


def engine_framework(
    version: FrameworkVersion, figures: dict[int, dict[str, Any]] | None = None
) -> Framework:
    """The engine's framework for this version, with the live figures of the objectives it cites.
    Raises FrameworkError when the stored JSON is malformed."""
    figures = live_figures(version) if figures is None else figures
    key = _digest([version.pk, version.content, figures])
    with _LOCK:
        found = _FRAMEWORKS.get(key)
        if found is not None:
            _FRAMEWORKS.move_to_end(key)
            return found
    framework = parse_framework(_filled_content(version.content, figures))
    with _LOCK:
        _FRAMEWORKS[key] = framework
        while len(_FRAMEWORKS) > 64:
            _FRAMEWORKS.popitem(last=False)
    return framework


def _cache_key(version: FrameworkVersion, figures: Any, text: str, channel: str, kind: str) -> str:
    text_hash = hashlib.sha256(text.encode()).hexdigest()[:32]
    context = _digest([version.content, figures, similarity.backend_name(), ENGINE_REVISION])
    return f"narrative-check:{version.pk}:{context}:{channel}:{kind}:{text_hash}"


def check_draft(
    *,
    version: FrameworkVersion,
    text: str,
    channel: str | None = None,
    kind: str | None = None,
) -> CheckResult:
    """The message check of `text` against `version` (cached; see the module docstring)."""
    figures = live_figures(version)
    key = _cache_key(version, figures, text, channel or "", kind or "")
    cached = cache.get(key)
    if isinstance(cached, dict):
        try:
            return CheckResult.from_dict(cached)
        except (KeyError, TypeError):
            pass  # an entry of another shape: check again and replace it
    framework = engine_framework(version, figures)
    result = checker_for(framework).check(text, channel or None, kind or None)
    cache.set(key, result.to_dict(), CACHE_SECONDS)
    return result
