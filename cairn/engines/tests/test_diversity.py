"""Sector diversity and the echo-chamber figure, by hand."""

from __future__ import annotations

import math

import pytest

from cairn.engines.diversity import echo_chamber, sector_diversity


def test_one_sector_has_no_diversity() -> None:
    result = sector_diversity([("faith", 3.0), ("faith", 1.0)])
    assert result.shares == {"faith": 1.0}
    assert result.shannon == 0.0
    assert result.gini_simpson == 0.0
    assert result.effective_sectors == 1.0


def test_activity_weights_the_sectors() -> None:
    # given labor with activity 1 + 1, health with 2, faith with 4: shares 1/4, 1/4, 1/2
    result = sector_diversity([("labor", 1), ("labor", 1), ("health", 2), ("faith", 4), ("x", 0)])
    assert result.shares == {"faith": 0.5, "health": 0.25, "labor": 0.25}
    assert result.shannon == pytest.approx(-(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25)))
    assert result.effective_sectors == pytest.approx(2 * math.sqrt(2))
    assert result.gini_simpson == pytest.approx(1 - (0.25 + 2 * 0.0625))


def test_no_members_no_figures() -> None:
    result = sector_diversity([])
    assert (result.shares, result.shannon, result.gini_simpson) == ({}, 0.0, 0.0)


def test_echo_chamber_counts_paths_whose_middle_is_all_own_sectors() -> None:
    sector_of = {1: "health", 2: "health", 3: "faith", 4: "health", 9: "government"}
    own = {"health"}
    paths = [
        [1, 9],  # direct tie: inside
        [1, 2, 9],  # through a health stakeholder: inside
        [1, 3, 9],  # through a faith stakeholder: outside
        [4, 2, 3, 9],  # one outsider on the way: outside
        [],  # no route: not counted
        [9],  # the member is the target: not a path
    ]
    result = echo_chamber(paths, sector_of, own)
    assert (result.inside, result.pairs, result.share) == (2, 4, 0.5)
    assert echo_chamber([[1, 7, 9]], sector_of, own).share == 0.0  # unknown sector: outside
    assert echo_chamber([], sector_of, own).share is None
