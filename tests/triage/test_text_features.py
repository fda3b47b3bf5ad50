"""The shared feature space: negation scope in the word n-grams, and the hashed columns."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from resonanz.triage.text_features import (
    CHAR_FEATURES,
    CHAR_NGRAMS,
    NEGATION_SCOPE,
    WORD_FEATURES,
    WORD_PATTERN,
    NgramHasher,
    TextFeaturizer,
    mark_negation,
    near_copy_keys,
    normalize_text,
)


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("das ist nicht gut, aber ok", "das ist nicht neg_gut, aber ok"),
        ("kein problem!", "kein neg_problem!"),
        ("i don't like it at all", "i don't neg_like neg_it neg_at all"),
        ("never again. great service", "never neg_again. great service"),
        ("nicht 😡 wirklich gut", "nicht 😡 neg_wirklich neg_gut"),
        ("alles bestens", "alles bestens"),
        # "not" inside a word is no negation.
        ("notebook läuft", "notebook läuft"),
    ],
)
def test_words_in_a_negations_scope_are_marked_up_to_the_clause_end(text: str, marked: str) -> None:
    assert NEGATION_SCOPE == 3
    assert mark_negation(text) == marked


def word_columns_of(featurizer: TextFeaturizer, text: str) -> set[int]:
    return {
        int(column) for column in featurizer.transform([text]).indices if column < WORD_FEATURES
    }


def test_negated_words_are_other_columns_and_explained_with_their_negation() -> None:
    featurizer = TextFeaturizer()
    negated = word_columns_of(featurizer, "nicht gut") - word_columns_of(featurizer, "nicht")
    # "gut" after "nicht" shares no word column with "gut" alone.
    assert negated
    assert not negated & word_columns_of(featurizer, "gut")
    words = set(
        featurizer.word_columns(normalize_text("Das ist nicht gut. Don't like it")).values()
    )
    assert {"nicht gut", "don't like"} <= words
    assert "gut" not in words


HASHER_TEXTS = [
    "Das ist nicht gut, aber ok!!! 😡😡",
    "i don't like it at all... never again",
    "",
    "   ",
    "a",
    "ab ok",
    "Grüße aus Köln – straße, ÄÖÜ ß 🇩🇪 \u00a0 tab\there\nnew line",
    "soooo goooood httpurl @user 0",
    "x" * 120,
    "👍",
    "wer? wie?? was!?",
    "same same same same words words",
]


@pytest.mark.parametrize("cache_words", [NgramHasher.CACHE_WORDS, 3])
def test_the_hasher_gives_exactly_the_columns_of_scikit_learns_hashing_vectorizer(
    cache_words: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trained weights were fitted on HashingVectorizer's columns; the faster hasher
    must reproduce them count for count, also after its caches were emptied."""
    monkeypatch.setattr(NgramHasher, "CACHE_WORDS", cache_words)
    normalized = [normalize_text(text) for text in HASHER_TEXTS]
    common = {"lowercase": False, "alternate_sign": False, "norm": None, "dtype": np.float32}
    words = HashingVectorizer(
        n_features=WORD_FEATURES, ngram_range=(1, 2), token_pattern=WORD_PATTERN, **common
    )
    chars = HashingVectorizer(
        n_features=CHAR_FEATURES, analyzer="char_wb", ngram_range=CHAR_NGRAMS, **common
    )
    expected = sp.hstack(
        [
            words.transform([mark_negation(text) for text in normalized]),
            chars.transform(normalized),
        ],
        format="csr",
    )
    expected.sort_indices()
    hasher = NgramHasher()
    for _ in range(2):  # cold, then from the caches
        counts = hasher.counts(normalized)
        assert counts.shape == expected.shape
        assert counts.dtype == np.float32
        assert np.array_equal(counts.indptr, expected.indptr)
        assert np.array_equal(counts.indices, expected.indices)
        assert np.array_equal(counts.data, expected.data)
    assert len(hasher._char_columns) <= cache_words
    assert len(hasher._token_columns) <= cache_words


def test_near_copies_share_a_key_and_other_texts_do_not() -> None:
    texts = [
        "Der Wechsel zum Ökostrom-Tarif ging ganz ohne Papierkram!",
        "Der Wechsel zum Mobilfunkvertrag ging ganz ohne Papierkram!",
        "DER WECHSEL ZUM SMART-METER GING GANZ OHNE PAPIERKRAM!!!",
        "Der Wechsel war einfach.",
        "Mein Paket ist nicht angekommen.",
        "Danke!",
        "danke",
        "👍",
        "🙏",
    ]
    keys = near_copy_keys(texts)
    assert keys[0] == keys[1] == keys[2]
    assert len({keys[0], keys[3], keys[4], keys[5], keys[7], keys[8]}) == 6
    assert keys[5] == keys[6]  # the same word, however written
    # Groups are closed: A ~ B and B ~ C put A and C together even when A and C differ more.
    chain = ["a1 b1 c1 d1 e1", "a1 b1 c1 d1 e1 f1", "a1 b1 c1 d1 f1 g1"]
    chain = [text.replace("1", "x") for text in chain]
    first, second, third = near_copy_keys(chain)
    assert first == second == third
