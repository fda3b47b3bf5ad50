"""Training every triage model from the shared datasets into `artifacts/`, reproducibly.

One featurizer (hashed word + char n-grams, idf over all training texts) feeds one
logistic regression per task and language. Rows whose text also occurs in any validation
part are dropped from training, because several sources overlap (XLM-T English is drawn
from the same SemEval tweets as TweetEval sentiment) and scores would otherwise be inflated.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from resonanz.triage.intent_seed import (
    SEED_PATH,
    SeedRow,
    build_intent_seed,
    write_intent_seed,
)
from resonanz.triage.linear_models import LinearModel, from_sklearn, save_models
from resonanz.triage.text_features import HASHED_FEATURES, TextFeaturizer, normalize_text
from resonanz.triage.training_data import (
    SPLIT_SEED,
    LabelledTexts,
    datasets_directory,
    held_out_mask,
    load_dataset,
)

ARTIFACTS_DIRECTORY = Path(__file__).resolve().parent / "artifacts"


@dataclass(frozen=True)
class ModelRecipe:
    """Which datasets train one model, and its regularisation (chosen on validation)."""

    key: str
    datasets: tuple[str, ...]
    inverse_regularization: float
    # One-vs-rest with naive-Bayes log-count-ratio scaling (Wang & Manning 2012, "NBSVM"):
    # +3 to +4 macro-F1 on English sentiment validation, worse on German, so per recipe.
    naive_bayes_scaling: bool = False


RECIPES: tuple[ModelRecipe, ...] = (
    ModelRecipe("sentiment.de", ("germeval2017", "xlmt_sentiment_de"), 4.0),
    ModelRecipe(
        "sentiment.en",
        ("tweeteval_sentiment", "xlmt_sentiment_en", "airline_sentiment"),
        1.0,
        naive_bayes_scaling=True,
    ),
    ModelRecipe("offensive.de", ("germeval2018", "germeval2021"), 2.0),
    ModelRecipe("offensive.en", ("tweeteval_offensive",), 4.0, naive_bayes_scaling=True),
    ModelRecipe("offensive_kind.de", ("germeval2018_kind",), 2.0),
    ModelRecipe("hate.en", ("tweeteval_hate",), 2.0),
    ModelRecipe("spam.any", ("sms_spam", "youtube_spam"), 16.0),
)
# Languages other than de/en get a model trained on the German and English data together.
POOLED_RECIPES: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("sentiment.any", ("sentiment.de", "sentiment.en"), 4.0),
    ("offensive.any", ("offensive.de", "offensive.en"), 2.0),
)
INTENT_INVERSE_REGULARIZATION = 4.0
LANGUAGE_INVERSE_REGULARIZATION = 4.0
LANGUAGE_ROWS = 8000
ALL_DATASETS = sorted({name for recipe in RECIPES for name in recipe.datasets})


def text_key(text: str) -> str:
    """Identity of a text for de-duplication across datasets."""
    return " ".join(normalize_text(text).split())


def intent_split(rows: list[SeedRow]) -> tuple[list[SeedRow], list[SeedRow]]:
    """Seeded hold-out of the real (non-synthetic) seed rows; Bitext rows always train."""
    real = [row for row in rows if row.source != "bitext"]
    mask = held_out_mask([row.label for row in real])
    held_ids = {row.id for row, held in zip(real, mask, strict=True) if held}
    train = [row for row in rows if row.id not in held_ids]
    validation = [row for row in rows if row.id in held_ids]
    return train, validation


def log(message: str) -> None:
    """Progress of a long training run, on stderr."""
    print(message, file=sys.stderr, flush=True)


def naive_bayes_ratio(features: sp.csr_matrix, is_class: np.ndarray) -> np.ndarray:
    """|log-count ratio| per column of binarised n-gram features (1 for the lexicon block).

    Only the magnitude matters: an L2-regularised linear model absorbs the sign.
    """
    present = features[:, :HASHED_FEATURES] > 0
    inside = np.asarray(present[is_class].sum(axis=0)).ravel() + 1.0
    outside = np.asarray(present[~is_class].sum(axis=0)).ravel() + 1.0
    ratio = np.abs(np.log((inside / inside.sum()) / (outside / outside.sum())))
    dense_columns = np.ones(features.shape[1] - HASHED_FEATURES)
    return np.concatenate([ratio, dense_columns]).astype(np.float32)


def fit(
    key: str,
    featurizer: TextFeaturizer,
    texts: list[str],
    labels: list[str],
    c: float,
    naive_bayes_scaling: bool = False,
    **info: object,
) -> LinearModel:
    """Fit one balanced logistic regression (optionally NB-scaled one-vs-rest) for `key`."""
    started = time.perf_counter()
    features = featurizer.transform(texts)
    if naive_bayes_scaling:
        # The scaling folds into the weights (w·(x∘r) = (w∘r)·x): no cost at prediction.
        label_array = np.asarray(labels)
        classes = sorted(set(labels))
        columns = []
        intercepts = []
        for label in classes if len(classes) > 2 else classes[1:]:
            ratio = naive_bayes_ratio(features, label_array == label)
            estimator = LogisticRegression(
                C=c, class_weight="balanced", max_iter=3000, random_state=SPLIT_SEED
            )
            estimator.fit(features.multiply(ratio).tocsr(), (label_array == label).astype(int))
            columns.append(estimator.coef_[0] * ratio)
            intercepts.append(estimator.intercept_[0])
        model = LinearModel(
            name=key,
            classes=tuple(classes),
            weights_t=np.ascontiguousarray(np.column_stack(columns), dtype=np.float32),
            intercept=np.asarray(intercepts, dtype=np.float64),
            info={"training_rows": len(texts), "C": c, "naive_bayes_scaling": True, **info},
        )
    else:
        estimator = LogisticRegression(
            C=c, class_weight="balanced", max_iter=3000, random_state=SPLIT_SEED
        )
        estimator.fit(features, labels)
        model = from_sklearn(key, estimator, training_rows=len(texts), C=c, **info)
    log(f"trained {key} on {len(texts)} texts in {time.perf_counter() - started:.1f}s")
    return model


def deduplicated(parts: Iterable[LabelledTexts], excluded: set[str]) -> tuple[list[str], list[str]]:
    """Texts and labels of the parts, without empty labels or texts found in `excluded`."""
    texts: list[str] = []
    labels: list[str] = []
    for part in parts:
        for text, label in zip(part.texts, part.labels, strict=True):
            if label and text_key(text) not in excluded:
                texts.append(text)
                labels.append(label)
    return texts, labels


def language_training_set(
    loaded: dict[str, tuple[LabelledTexts, LabelledTexts]], excluded: set[str]
) -> tuple[list[str], list[str]]:
    """German vs English texts from the training parts, at most LANGUAGE_ROWS per language."""
    rng = np.random.default_rng(SPLIT_SEED)
    texts: list[str] = []
    labels: list[str] = []
    for language in ("de", "en"):
        pool = sorted(
            {
                text
                for name, (train, _) in loaded.items()
                if train.language == language
                for text in train.texts
                if text_key(text) not in excluded
            }
        )
        for index in rng.permutation(len(pool))[:LANGUAGE_ROWS]:
            texts.append(pool[index])
            labels.append(language)
    return texts, labels


def train_all(datasets: Path | None = None, artifacts: Path = ARTIFACTS_DIRECTORY) -> None:
    """Retrain every model from the datasets and write the artifacts."""
    root = datasets_directory(datasets)
    loaded = {name: load_dataset(name, root) for name in ALL_DATASETS}
    validation_keys = {text_key(t) for _, validation in loaded.values() for t in validation.texts}

    # The intent seed reuses texts of the sentiment sets; its held-out rows only need to be
    # kept from the intent model, so they are not added to `validation_keys`.
    seed_rows = build_intent_seed(root)
    write_intent_seed(seed_rows, SEED_PATH)
    intent_train, _ = intent_split(seed_rows)

    training_sets: dict[str, tuple[list[str], list[str]]] = {}
    for recipe in RECIPES:
        parts = [loaded[name][0] for name in recipe.datasets]
        training_sets[recipe.key] = deduplicated(parts, validation_keys)

    featurizer = TextFeaturizer()
    all_texts = [text for texts, _ in training_sets.values() for text in texts]
    all_texts += [row.text for row in intent_train]
    featurizer.fit_idf(all_texts)

    models: dict[str, LinearModel] = {}
    for recipe in RECIPES:
        texts, labels = training_sets[recipe.key]
        models[recipe.key] = fit(
            recipe.key,
            featurizer,
            texts,
            labels,
            recipe.inverse_regularization,
            naive_bayes_scaling=recipe.naive_bayes_scaling,
            datasets=list(recipe.datasets),
        )
    for key, sources, c in POOLED_RECIPES:
        texts = [text for source in sources for text in training_sets[source][0]]
        labels = [label for source in sources for label in training_sets[source][1]]
        models[key] = fit(key, featurizer, texts, labels, c, datasets=list(sources))
    language_texts, language_labels = language_training_set(loaded, validation_keys)
    models["language.de_en"] = fit(
        "language.de_en",
        featurizer,
        language_texts,
        language_labels,
        LANGUAGE_INVERSE_REGULARIZATION,
        datasets=sorted(loaded),
    )
    intent_texts = [row.text for row in intent_train]
    intent_labels = [row.label for row in intent_train]
    models["intent.any"] = fit(
        "intent.any",
        featurizer,
        intent_texts,
        intent_labels,
        INTENT_INVERSE_REGULARIZATION,
        datasets=["seed/intent_seed.csv"],
    )
    save_models(
        models,
        featurizer.idf,
        artifacts,
        {"split_seed": SPLIT_SEED, "feature_count": int(featurizer.idf.shape[0])},
    )
    log(f"wrote {len(models)} models to {artifacts}")
