"""Dutch-robust text similarity (DESIGN §5): stems, word-internal n-grams, taxonomy vocabulary."""

from __future__ import annotations

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from matching import MatchingEngine
from matching.text import _PREPROCESS, analyse, cosine, fit_text_model, stop_words, words
from tests.matching.worlds import cap, need

PROVIDER_TEXT = "Wij herstellen kledij, strijken en plooien retourzendingen"
NEED_TEXT = "Herstelling van kledingstukken en strijkwerk"


@pytest.mark.parametrize("text", [
    PROVIDER_TEXT, NEED_TEXT, "", "a", "Één café, naïeve coördinatie; RÉSUMÉ à la carte",
    "Straße fiancée façade Ærø œuvre", "de_het 2x 24u 7/7 e-commerce ICT-ondersteuning",
    "  vul\tin\nhet formulier!!  ", "Wij doen het ook voor u en jullie, the and of",
    "ﬁnish ½ ² ﬀ", "日本語 テキスト", "x" * 300,
])
def test_words_are_scikit_learns_word_analyser(text):
    # words() is the analyser the vocabulary was defined with, minus its chain of calls
    # (with the settings the stop-word list is normalised by: one place says them)
    sklearn_words = TfidfVectorizer(**_PREPROCESS, stop_words=list(stop_words())).build_analyzer()
    assert words(text) == sklearn_words(text)


def test_inflections_share_a_stem():
    assert set(analyse("herstelling")) == set(analyse("herstellen"))


@pytest.mark.parametrize(
    ("written", "other"),
    [("kledingstukken", "kledij"), ("strijkwerk", "strijken"), ("herstelling", "herstellen")],
)
def test_compounds_and_derivations_share_word_parts(written, other):
    assert set(analyse(written)) & set(analyse(other))


def test_ngrams_stay_within_words():
    # no gram spans the space between two words
    grams = [term[1:] for term in analyse("herstel kledij") if term.startswith("#")]
    assert grams
    assert all(" " not in gram.strip() for gram in grams)


def test_dutch_need_text_matches_the_provider_who_wrote_it_differently():
    # was: no shared token, an empty text vector, similarity 0.00 and nothing said
    model = fit_text_model([PROVIDER_TEXT, "Palletten uitpakken en herverpakken"])
    similarity = cosine(model.vector_dict(NEED_TEXT), model.vector_dict(PROVIDER_TEXT))
    assert similarity > 0.5
    unrelated = cosine(model.vector_dict(NEED_TEXT),
                       model.vector_dict("Palletten uitpakken en herverpakken"))
    assert similarity > 3 * unrelated


def test_engine_reports_text_similarity_for_dutch_variants():
    engine = MatchingEngine().fit([cap(text=PROVIDER_TEXT)])
    (c,) = engine.rank(need(text=NEED_TEXT)).items
    codes = [r.code for r in c.reasons]
    assert "text_similarity" in codes
    assert "text_no_overlap" not in codes


def test_texts_sharing_nothing_say_so():
    engine = MatchingEngine().fit([cap(text="Palletten uitpakken")])
    (c,) = engine.rank(need(text="Softwaretesten")).items
    assert "text_no_overlap" in [r.code for r in c.reasons]
    assert "text_similarity" not in [r.code for r in c.reasons]


def test_taxonomy_labels_join_the_vocabulary():
    # "strijken" appears in no provider text, only in a taxonomy label
    without = fit_text_model(["Palletten uitpakken"])
    with_labels = fit_text_model(["Palletten uitpakken"], ["wassen, strijken, plooien"])
    assert without.vector_dict("strijkwerk") == {}
    assert with_labels.vector_dict("strijkwerk") != {}
