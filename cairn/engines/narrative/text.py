"""Sentences with their character spans, words, syllables and the Flesch–Kincaid grade."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Sentence", "flesch_kincaid_grade", "split_sentences", "syllables", "words"]

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "no",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "a.m",
        "p.m",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "gov",
        "sen",
        "rep",
        "reps",
        "sens",
        "hon",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "approx",
        "est",
        "fig",
        "ave",
        "blvd",
    ]
)
# a sentence ends at . ! ? (with closing quotes/brackets) followed by space + a capital, digit,
# quote or bullet, or at a line break
_BOUNDARY = re.compile(r"""([.!?]+["'”’)\]]*)(\s+)(?=["'“‘(\[]?[A-Z0-9#@•\-*])|\n\s*""")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*")
_URL = re.compile(r"https?://\S+|www\.\S+")


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


def _is_abbreviation(text: str, dot_at: int) -> bool:
    match = re.search(r"([A-Za-z.]+)$", text[max(0, dot_at - 24) : dot_at])
    if not match:
        return False
    token = match.group(1).lower().rstrip(".")
    if token in _ABBREVIATIONS:
        return True
    return len(token) == 1  # an initial: "J. Smith"


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text`, each with [start, end) into `text`, trimmed of surrounding space.

    Line breaks end a sentence (posts and talking points are written line by line); a full stop
    after an abbreviation ("Dr.", "Sen.", "U.S.") or an initial does not; URLs stay whole."""
    protected = text
    for url in _URL.finditer(text):
        # hide the dots of a URL from the boundary finder, keeping every offset
        protected = protected[: url.start()] + "x" * len(url.group()) + protected[url.end() :]
    cuts: list[int] = []
    for match in _BOUNDARY.finditer(protected):
        if match.group(1):
            if match.group(1).startswith(".") and _is_abbreviation(protected, match.start(1)):
                continue
            cuts.append(match.end(1))
        else:
            cuts.append(match.start())
    spans = []
    begin = 0
    for cut in [*cuts, len(text)]:
        spans.append((begin, cut))
        begin = cut
    out: list[Sentence] = []
    for start, end in spans:
        chunk = text[start:end]
        stripped_left = len(chunk) - len(chunk.lstrip())
        s, e = start + stripped_left, start + len(chunk.rstrip())
        if e > s and re.search(r"[A-Za-z0-9]", text[s:e]):
            out.append(Sentence(index=len(out), start=s, end=e, text=text[s:e]))
    return out


def words(text: str) -> list[str]:
    return _WORD.findall(_URL.sub(" ", text))


_VOWELS = re.compile(r"[aeiouy]+")


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Syllables of an English word by vowel groups with the common corrections (silent e, -le,
    -ed, -es); numbers count one syllable per digit group. Good enough for a reading grade."""
    w = word.lower().strip("'’-")
    if not w:
        return 0
    if w[0].isdigit():
        return max(1, len(re.findall(r"\d+", w)))
    w = re.sub(r"[^a-z]", "", w)
    if len(w) <= 3:
        return 1
    count = len(_VOWELS.findall(w))
    if (w.endswith("e") and not w.endswith(("le", "ee", "ye"))) or (
        w.endswith(("ed", "es")) and not w.endswith(("ted", "ded", "ses", "zes", "ces", "ges"))
    ):
        count -= 1
    if re.search(r"[aeiou](ia|io|ua|eo)", w) is None and re.search(r"(ia|iu|io)[^aeiou]?", w):
        count += 1  # "psychiatric", "radio": a hiatus the vowel-group count merges
    return max(1, count)


@lru_cache(maxsize=4096)
def flesch_kincaid_grade(text: str) -> float | None:
    """Flesch–Kincaid grade level: 0.39·(words/sentences) + 11.8·(syllables/words) − 15.59."""
    sentences = split_sentences(text)
    ws = words(text)
    if not sentences or not ws:
        return None
    syl = sum(syllables(w) for w in ws)
    return 0.39 * len(ws) / len(sentences) + 11.8 * syl / len(ws) - 15.59
