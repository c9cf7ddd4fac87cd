"""TF-IDF text similarity of need and capability descriptions (Dutch and English).

People write Dutch with inflections, diminutives and compounds: "herstelling" for
"herstellen", "kledingstukken" for "kledij", "strijkwerk" for "strijken" (DESIGN §5). Whole
words share nothing there, so each word becomes two kinds of terms:

* its Dutch Snowball stem (``snowballstemmer``, pure Python): herstelling, herstellen →
  ``herstel``;
* the character 4-grams of that stem within the word, padded with a space at either end
  (``#" kle"``, ``#"kled"`` …), so compounds and derivations that share a word part still
  meet: kledingstuk / kledij share `` kle``, ``kled``, ``ledi``; strijkwerk / strijk share
  `` str``, ``stri``, ``trij``, ``rijk``. N-grams never cross a word boundary.

Words are lower-cased and accent-stripped first, and stop-words (the shipped Dutch list
``data/stopwords_nl.txt`` joined with scikit-learn's English list) are dropped before
stemming. The vectoriser is fitted on capability texts (the market's supply) plus any
vocabulary texts the caller passes (the taxonomy's nl/en labels, so a need that uses the
taxonomy's words finds them in the vocabulary even when no provider wrote them), with
sublinear tf. Rows are L2-normalised, so the cosine similarity of a need and a capability is
the dot product of their rows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import scipy.sparse as sp
import snowballstemmer
from sklearn.feature_extraction.text import (
    ENGLISH_STOP_WORDS,
    TfidfVectorizer,
    strip_accents_unicode,
)

_PREPROCESS = {"lowercase": True, "strip_accents": "unicode"}
NGRAM = 4
_WORD_CACHE_SIZE = 65536


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


# scikit-learn's default token pattern: words of two or more word characters
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@lru_cache(maxsize=1)
def _stop_set() -> frozenset[str]:
    return frozenset(stop_words())


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer("dutch")


@lru_cache(maxsize=65536)
def _word_terms(word: str) -> tuple[str, ...]:
    stem = _stemmer().stemWord(word)
    padded = f" {stem} "
    grams = tuple("#" + padded[i : i + NGRAM] for i in range(len(padded) - NGRAM + 1))
    return (stem, *grams)


def words(text: str) -> list[str]:
    """The words of a text that make terms: lower-cased, accent-stripped, no stop-words.

    The words scikit-learn's word analyser gives with these settings (lower-case, then
    ``strip_accents_unicode``, its token pattern, the stop-words dropped; a test holds them
    equal), without its chain of calls: this runs for every need that is ranked.
    """
    stop = _stop_set()
    return [w for w in _TOKEN.findall(strip_accents_unicode(text.lower())) if w not in stop]


def analyse(text: str) -> list[str]:
    """Terms of a text: per word its Dutch stem and the stem's character 4-grams.

    >>> set(analyse("herstelling")) == set(analyse("herstellen"))
    True
    >>> sorted(set(analyse("kledingstukken")) & set(analyse("kledij")))
    ['# kle', '#kled', '#ledi']
    """
    terms: list[str] = []
    for word in words(text):
        terms.extend(_word_terms(word))
    return terms


def make_vectorizer() -> TfidfVectorizer:
    """An unfitted vectoriser with Koppel's settings (terms from :func:`analyse`)."""
    return TfidfVectorizer(analyzer=analyse, sublinear_tf=True, norm="l2", dtype=np.float64)


@dataclass(frozen=True)
class TextModel:
    """A fitted vectoriser, or ``None`` when the fitted texts held no usable words.

    :meth:`transform` applies the fitted vocabulary and idf with plain Python per document
    (sklearn's analyzer, ``1 + log(tf)``, × idf, L2 norm): the same numbers as
    ``vectorizer.transform`` up to rounding, without its per-call overhead, which dominated
    single-need latency. Engine and reference both go through it.
    """

    vectorizer: TfidfVectorizer | None
    _vocabulary: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _idf: list[float] = field(default_factory=list, init=False, repr=False)
    # per word seen: the vocabulary columns of its terms (fixed for a fitted vocabulary)
    _word_columns: dict[str, tuple[int, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.vectorizer is not None:
            object.__setattr__(self, "_vocabulary", dict(self.vectorizer.vocabulary_))
            object.__setattr__(self, "_idf", self.vectorizer.idf_.tolist())

    @property
    def n_terms(self) -> int:
        return 0 if self.vectorizer is None else len(self.vectorizer.vocabulary_)

    def term_weights(self, text: str) -> list[tuple[int, float]]:
        """The (term column, weight) pairs of one text, columns ascending: its L2-normalised
        TF-IDF row as :meth:`transform` gives it, without building a matrix."""
        idf, known = self._idf, self._word_columns
        counts: dict[int, int] = {}
        for word in words(text):  # analyse(text), word by word
            columns = known.get(word)
            if columns is None:
                columns = self._columns(word)
            for j in columns:
                counts[j] = counts.get(j, 0) + 1
        # sublinear tf: (log(count) + 1) × idf, which is idf itself for a term seen once
        log = math.log
        pairs = [(j, idf[j] if c == 1 else (log(c) + 1.0) * idf[j])
                 for j, c in sorted(counts.items())]
        norm = math.sqrt(math.fsum([w * w for _, w in pairs]))
        return [(j, w / norm) for j, w in pairs if w != 0.0] if norm > 0.0 else []

    def _columns(self, word: str) -> tuple[int, ...]:
        known, vocabulary = self._word_columns, self._vocabulary
        if len(known) >= _WORD_CACHE_SIZE:
            known.clear()  # words come from users: keep the cache bounded
        columns = tuple(j for t in _word_terms(word) if (j := vocabulary.get(t)) is not None)
        known[word] = columns  # racing readers store equal tuples, harmlessly
        return columns

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """L2-normalised TF-IDF rows (an all-zero row means: no usable text)."""
        if self.vectorizer is None:
            return sp.csr_matrix((len(texts), 0), dtype=np.float64)
        indptr, indices, data = [0], [], []
        seen: dict[str, tuple[list[int], list[float]]] = {}  # many documents repeat a text
        for text in texts:
            row = seen.get(text)
            if row is None:
                pairs = self.term_weights(text)
                row = seen[text] = ([j for j, _ in pairs], [w for _, w in pairs])
            indices.extend(row[0])
            data.extend(row[1])
            indptr.append(len(indices))
        return sp.csr_matrix(
            (np.array(data, dtype=np.float64), np.array(indices, dtype=np.int32), indptr),
            shape=(len(texts), self.n_terms),
        )

    def vector_dicts(self, texts: Sequence[str]) -> list[dict[int, float]]:
        """Many texts as ``{term index: weight}`` dicts (the per-pair reference's form)."""
        return [self.vector_dict(t) for t in texts]

    def vector_dict(self, text: str) -> dict[int, float]:
        """One text as a plain ``{term index: weight}`` dict."""
        return {} if self.vectorizer is None else dict(self.term_weights(text))


def fit_text_model(
    texts: Sequence[str], vocabulary_texts: Sequence[str] = ()
) -> TextModel:
    """Fit the vectoriser on capability texts and ``vocabulary_texts`` (taxonomy labels).

    ``TextModel(None)`` if there is no vocabulary at all.
    """
    documents = [*texts, *vocabulary_texts]
    if not any(analyse(t) for t in documents):
        return TextModel(None)
    vectorizer = make_vectorizer()
    vectorizer.fit(documents)
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
