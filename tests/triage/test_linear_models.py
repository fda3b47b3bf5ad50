"""Stored linear models: what a worker loads must score exactly like what training fitted."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from resonanz.triage.linear_models import CompactRows, LinearModel, load_models, save_models
from resonanz.triage.text_features import TextFeaturizer
from resonanz.triage.training import fit

TEXTS = [
    "great service, thank you",
    "terrible delay again, I want a refund",
    "the train was on time",
    "worst support ever, cancel my contract",
    "lovely staff and clean seats",
    "still waiting for my refund after weeks",
]
SENTIMENT = ["positive", "negative", "positive", "negative", "positive", "negative"]
SPAM = ["ham", "ham", "ham", "spam", "ham", "spam"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, LinearModel], Path]:
    featurizer = TextFeaturizer()
    featurizer.fit_idf(TEXTS)
    models = {
        "sentiment.en": fit("sentiment.en", featurizer, TEXTS, SENTIMENT, 4.0),
        "spam.any": fit("spam.any", featurizer, TEXTS[:4] + TEXTS[5:], SPAM[:4] + SPAM[5:], 4.0),
    }
    directory = tmp_path_factory.mktemp("artifacts")
    save_models(models, featurizer.idf, directory, {})
    return models, directory


def test_loaded_models_keep_rows_only_for_columns_some_model_weighs(
    trained: tuple[dict[str, LinearModel], Path],
) -> None:
    fitted, directory = trained
    loaded, _, _, _ = load_models(directory)
    weighed = set()
    for model in fitted.values():
        weighed |= set(np.flatnonzero(model.weights_t.any(axis=1)).tolist())
    rows = loaded["sentiment.en"].rows
    assert rows is not None and loaded["spam.any"].rows is rows
    assert set(rows.columns.tolist()) == weighed
    assert loaded["sentiment.en"].weights_t.shape == (len(weighed) + 1, 1)
    # The last row serves every other column and stays zero.
    assert not loaded["spam.any"].weights_t[-1].any()
    assert loaded["spam.any"].n_features == fitted["spam.any"].n_features


def test_loaded_models_score_and_explain_like_the_fitted_ones(
    trained: tuple[dict[str, LinearModel], Path],
) -> None:
    fitted, directory = trained
    loaded, _, _, _ = load_models(directory)
    # Texts with words no model has seen, and one with nothing in it.
    texts = TEXTS + ["unheard-of words entirely", "refund 🙂 zzz", ""]
    featurizer = TextFeaturizer()
    featurizer.fit_idf(TEXTS)
    features = featurizer.transform(texts)
    columns = np.unique(features.indices)
    for key, model in fitted.items():
        # Stored in float16: the probabilities agree to far better than 1e-3.
        assert np.allclose(
            loaded[key].probabilities(features), model.probabilities(features), atol=1e-3
        )
        stored = loaded[key].full_weights()
        assert np.allclose(stored, model.weights_t, atol=1e-3)
        assert np.array_equal(loaded[key].push_towards(0, columns), stored[columns, 0] * -1)
        # A worker's products are the sums of the full layout's, term by term.
        full = LinearModel(key, model.classes, stored, loaded[key].intercept)
        assert np.array_equal(loaded[key].probabilities(features), full.probabilities(features))


def test_saving_loaded_models_writes_the_same_weights(
    trained: tuple[dict[str, LinearModel], Path], tmp_path: Path
) -> None:
    _, directory = trained
    loaded, idf, _, _ = load_models(directory)
    save_models(loaded, idf, tmp_path, {})
    again, _, _, _ = load_models(tmp_path)
    for key, model in loaded.items():
        assert np.array_equal(again[key].full_weights(), model.full_weights())
        assert again[key].n_features == model.n_features


def test_compact_rows_map_columns_and_refuse_another_space() -> None:
    rows = CompactRows.of_columns([np.array([3, 1, 3])], 5)
    assert rows.columns.tolist() == [1, 3]
    assert rows.row_of.tolist() == [2, 0, 2, 1, 2]
    remapped = rows.of(sp.csr_matrix(np.array([[0, 1.0, 2.0, 3.0, 0]], dtype=np.float32)))
    assert remapped.shape == (1, 3)
    assert remapped.toarray().tolist() == [[1.0, 3.0, 2.0]]
    # Features already in the layout pass as they are (the pipeline re-indexes a batch once).
    assert rows.of(remapped) is remapped
    # Keeping all columns but one would give the layout as many columns as the space: it
    # keeps them all instead, so the two can always be told apart.
    assert CompactRows.of_columns([np.arange(4)], 5).n_rows == 6
    with pytest.raises(ValueError, match="not 5"):
        rows.of(sp.csr_matrix((1, 4), dtype=np.float32))
