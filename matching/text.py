"""TF-IDF text similarity of need and capability descriptions (Dutch and English).

The vectoriser is fitted on capability texts only (the market's supply), with sublinear tf,
accent stripping and a stop-word list that joins the shipped Dutch list
(``data/stopwords_nl.txt``) with scikit-learn's English list. Rows are L2-normalised, so the
cosine similarity of a need and a capability is the dot product of their rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

_PREPROCESS = {"lowercase": True, "strip_accents": "unicode"}


def _load_dutch_stop_words() -> tuple[str, ...]:
    raw = resources.files("matching").joinpath("data/stopwords_nl.txt").read_text("utf-8")
    words = (line.strip() for line in raw.splitlines())
    return tuple(w for w in words if w and not w.startswith("#"))


@lru_cache(maxsize=1)
def stop_words() -> tuple[str, ...]:
    """Dutch + English stop-words, normalised the way documents are (accents, case, tokens).

    Normalising the list itself keeps it consistent with the vectoriser's preprocessing
    (``één`` becomes ``een``), which is also what scikit-learn checks.
    """
    analyse = TfidfVectorizer(**_PREPROCESS).build_analyzer()
    words: set[str] = set()
    for word in (*_load_dutch_stop_words(), *ENGLISH_STOP_WORDS):
        words.update(analyse(word))
    return tuple(sorted(words))


def make_vectorizer() -> TfidfVectorizer:
    """An unfitted vectoriser with Koppel's settings."""
    return TfidfVectorizer(
        **_PREPROCESS,
        sublinear_tf=True,
        stop_words=list(stop_words()),
        norm="l2",
        dtype=np.float64,
    )


@dataclass(frozen=True)
class TextModel:
    """A fitted vectoriser, or ``None`` when the fitted texts held no usable words."""

    vectorizer: TfidfVectorizer | None

    @property
    def n_terms(self) -> int:
        return 0 if self.vectorizer is None else len(self.vectorizer.vocabulary_)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """L2-normalised TF-IDF rows (an all-zero row means: no usable text)."""
        if self.vectorizer is None:
            return sp.csr_matrix((len(texts), 0), dtype=np.float64)
        return sp.csr_matrix(self.vectorizer.transform(list(texts)), dtype=np.float64)

    def vector_dict(self, text: str) -> dict[int, float]:
        """One text as a plain ``{term index: weight}`` dict (the per-pair reference's form)."""
        row = self.transform([text])
        return {int(j): float(v) for j, v in zip(row.indices, row.data, strict=True) if v != 0.0}


def fit_text_model(texts: Sequence[str]) -> TextModel:
    """Fit the vectoriser on capability texts; ``TextModel(None)`` if there is no vocabulary."""
    vectorizer = make_vectorizer()
    analyse = vectorizer.build_analyzer()
    if not any(analyse(t) for t in texts):
        return TextModel(None)
    vectorizer.fit(list(texts))
    return TextModel(vectorizer)


def cosine(a: dict[int, float], b: dict[int, float]) -> float:
    """Dot product of two L2-normalised sparse vectors held as dicts."""
    if len(a) > len(b):
        a, b = b, a
    total = 0.0
    for j in sorted(a):
        w = b.get(j)
        if w is not None:
            total += a[j] * w
    return total
