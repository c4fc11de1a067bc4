"""Shared text similarity: range, ordering, empty texts, the lexical fallback and its cache."""

from __future__ import annotations

import pytest

from cairn.engines import similarity as sim


@pytest.fixture
def lexical():
    previous = sim.get_embedder()
    sim.set_embedder(sim.LexicalEmbedder())
    yield
    sim.set_embedder(previous)


def test_related_texts_score_higher_than_unrelated(lexical):
    # given a mission and two candidate descriptions
    mission = "More psychiatric beds and faster emergency crisis response in our state"
    # when
    close, far = sim.similarities(
        mission,
        [
            "We campaign for psychiatric hospital beds and a faster crisis response.",
            "We bake bread.",
        ],
    )
    # then
    assert 0.0 <= far < close <= 1.0
    assert far == 0.0


def test_similarity_is_one_for_the_same_text_and_zero_for_empty(lexical):
    text = "Crisis teams save lives"
    assert sim.similarity(text, text) == pytest.approx(1.0)
    assert sim.similarity("", "Crisis teams save lives") == 0.0
    assert sim.similarities("anything", []) == []


def test_lexical_backend_says_its_name(lexical):
    assert sim.backend_name() == "lexical"


def test_stemming_joins_inflections():
    assert sim.stem("hospitals") == sim.stem("hospital")
    assert sim.stem("waiting") == sim.stem("waits")
    assert sim.stem("stopped") == "stop"
    assert sim.stem("studies") == "study"
    assert sim.tokens("The beds are waiting") == ["bed", "wait"]


def test_vectors_are_cached_by_text(lexical):
    # given a text already seen
    sim.vectors(["Funding for mobile crisis teams"])
    misses = sim._CACHE.misses
    # when it is asked again beside a new one
    sim.vectors(["Funding for mobile crisis teams", "A new sentence"])
    # then only the new one was computed
    assert sim._CACHE.misses == misses + 1
