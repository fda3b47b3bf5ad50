"""The shared feature space: negation scope in the word n-grams."""

from __future__ import annotations

import pytest

from resonanz.triage.text_features import (
    NEGATION_SCOPE,
    WORD_FEATURES,
    TextFeaturizer,
    mark_negation,
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
