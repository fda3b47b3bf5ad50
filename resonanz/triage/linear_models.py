"""Linear classifiers over the shared feature space, stored as plain sparse arrays.

A trained scikit-learn model is reduced to its weights so artifacts load without pickle
(no code runs on load) and stay small: weights of features never seen in training are
exactly zero and are not stored.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class CompactRows:
    """The feature columns that have weight rows, shared by the models loaded together.

    No model weighs more than 435,000 of the 1,048,589 hashed columns, and together they
    weigh about 636,000: dense rows for those alone save a third of a worker's weight
    memory (159 → 97 MB with the genre experts of December 2026). Every other column reads
    one shared row of zeros, the last, so a text's products with the weights are the same
    sums, term by term, as with a row for every column. A model takes features in either
    layout (the pipeline re-indexes a batch once for all models): the two never have the
    same number of columns, since a layout that would keep all columns but one keeps all.
    """

    columns: np.ndarray  # sorted feature columns that have a row, in row order
    row_of: np.ndarray  # per feature column its row (the zero row for the others), int32

    @classmethod
    def of_columns(cls, columns: Iterable[np.ndarray], n_features: int) -> CompactRows:
        """Rows for the feature columns in any of `columns` (any order, repeats allowed)."""
        weighed = np.zeros(n_features, dtype=bool)
        for part in columns:
            weighed[part] = True
        kept = np.flatnonzero(weighed)
        if len(kept) == n_features - 1:
            # n_rows would equal n_features, and the layouts could not be told apart.
            kept = np.arange(n_features)
        row_of = np.full(n_features, len(kept), dtype=np.int32)
        row_of[kept] = np.arange(len(kept), dtype=np.int32)
        return cls(kept, row_of)

    @property
    def n_features(self) -> int:
        return len(self.row_of)

    @property
    def n_rows(self) -> int:
        """Rows of a weight matrix in this layout: the kept columns and the zero row."""
        return len(self.columns) + 1

    def of(self, features: sp.csr_matrix) -> sp.csr_matrix:
        """`features` (texts × feature columns) re-indexed to this layout's rows; features
        already in this layout are returned as they are."""
        if features.shape[1] == self.n_rows:
            return features
        if features.shape[1] != self.n_features:
            raise ValueError(
                f"features have {features.shape[1]} columns, not {self.n_features} or {self.n_rows}"
            )
        return sp.csr_matrix(
            (features.data, self.row_of[features.indices], features.indptr),
            shape=(features.shape[0], self.n_rows),
        )


@dataclass
class LinearModel:
    """Weights of a (multinomial or binary) logistic model and how to read its output.

    `classes` are product labels. A binary model has one weight column that scores
    `classes[1]`. `threshold` is the probability at or above which a binary task's flagged
    label (offensive, spam) is chosen.
    Weights are held dense, float32, one row per feature column and one column per score:
    a sparse copy would take more memory once a model has seen most hashed columns, and the
    product is faster. A model fresh from training has a row for every feature column.
    Loaded models (`load_models`) share `rows`, which keeps only the columns that some
    model weighs (`CompactRows`).
    """

    name: str
    classes: tuple[str, ...]
    weights_t: np.ndarray
    intercept: np.ndarray
    threshold: float = 0.5
    info: dict[str, Any] = field(default_factory=dict)
    rows: CompactRows | None = None

    @property
    def is_binary(self) -> bool:
        """True when one weight column scores the second class against the first."""
        return self.weights_t.shape[1] == 1

    @property
    def n_features(self) -> int:
        """Columns of the feature space the model reads."""
        return self.weights_t.shape[0] if self.rows is None else self.rows.n_features

    def full_weights(self) -> np.ndarray:
        """Weights with a row for every feature column, (n_features, n_columns)."""
        if self.rows is None:
            return self.weights_t
        weights = np.zeros((self.rows.n_features, self.weights_t.shape[1]), dtype=np.float32)
        weights[self.rows.columns] = self.weights_t[: len(self.rows.columns)]
        return weights

    def probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        """Class probabilities, shape (n_texts, n_classes), columns in `classes` order."""
        if self.rows is not None:
            features = self.rows.of(features)
        scores = np.asarray(features @ self.weights_t, dtype=np.float64) + self.intercept
        if self.is_binary:
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def push_towards(self, class_index: int, columns: np.ndarray) -> np.ndarray:
        """How much each of `columns` pushes towards `classes[class_index]` (vs the others)."""
        weights = self.weights_t[columns if self.rows is None else self.rows.row_of[columns]]
        if self.is_binary:
            return weights[:, 0] if class_index == 1 else -weights[:, 0]
        own = weights[:, class_index]
        others = (weights.sum(axis=1) - own) / (weights.shape[1] - 1)
        return np.asarray(own - others)


def mixture_prefix(key: str) -> str:
    """Model-key prefix of a mixture's experts and router (training.fit_mixture): "spam.any"
    → "spam" (one mixture for all languages), "sentiment.de" → "sentiment.de"."""
    return key.removesuffix(".any")


def mixture_router_key(key: str) -> str:
    """Key of the router of the mixture that serves the model key `key`."""
    return f"{mixture_prefix(key)}.genre"


def mixed_probabilities(
    shares: np.ndarray, expert_probabilities: list[np.ndarray], offsets: np.ndarray | None = None
) -> np.ndarray:
    """A mixture of experts' class probabilities: each expert's (texts × classes) weighted
    by its share (texts × experts, rows summing to 1). `offsets` (experts × classes) are
    per-expert decision offsets on the log-probabilities, applied by the same shares."""
    mixed = np.zeros_like(expert_probabilities[0], dtype=np.float64)
    for column, probabilities in enumerate(expert_probabilities):
        mixed += shares[:, column, None] * probabilities
    if offsets is None or not offsets.any():
        return mixed
    scores = np.log(np.clip(mixed, 1e-12, 1.0)) + shares @ offsets
    scores -= scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def save_models(
    models: dict[str, LinearModel], idf: np.ndarray, directory: Path, manifest_extra: dict[str, Any]
) -> None:
    """Write all models and the idf vector to `weights.npz` plus a readable `manifest.json`."""
    arrays: dict[str, np.ndarray] = {"idf": idf.astype(np.float16)}
    manifest: dict[str, Any] = {"models": {}, **manifest_extra}
    for key, model in models.items():
        # Stored sparse (weights of never-seen hashed columns are exactly zero) in float16:
        # halves the artifacts, and the rounding moves probabilities by far less than 1e-3.
        weights = model.full_weights().astype(np.float16)
        columns, rows = np.nonzero(weights)
        arrays[f"{key}.rows"] = rows.astype(np.int8)
        arrays[f"{key}.cols"] = columns.astype(np.int32)
        arrays[f"{key}.values"] = weights[columns, rows]
        arrays[f"{key}.intercept"] = model.intercept
        manifest["models"][key] = {
            "name": model.name,
            "classes": list(model.classes),
            "n_rows": int(model.weights_t.shape[1]),
            "n_features": model.n_features,
            "threshold": model.threshold,
            "info": model.info,
        }
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / "weights.npz", **arrays)  # type: ignore[arg-type]
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def load_models(
    directory: Path,
) -> tuple[dict[str, LinearModel], np.ndarray, dict[str, Any], str]:
    """Read what `save_models` wrote; raises FileNotFoundError if nothing was trained yet.

    Also returns a short digest of both files, read once: the identity of these weights
    (a workspace's learned adjustment is refitted when it changes).
    """
    manifest_bytes = (directory / "manifest.json").read_bytes()
    weights_bytes = (directory / "weights.npz").read_bytes()
    version = hashlib.sha256(manifest_bytes + weights_bytes).hexdigest()[:16]
    manifest = json.loads(manifest_bytes)
    models: dict[str, LinearModel] = {}
    with np.load(io.BytesIO(weights_bytes), allow_pickle=False) as arrays:
        idf = arrays["idf"].astype(np.float32)
        metas = manifest["models"]
        spaces = {meta["n_features"] for meta in metas.values()}
        if len(spaces) > 1:
            raise ValueError(f"the models in {directory} read different feature spaces")
        columns = {key: arrays[f"{key}.cols"] for key in metas}
        rows = CompactRows.of_columns(columns.values(), spaces.pop() if spaces else len(idf))
        for key, meta in metas.items():
            # The manifest's "n_rows" are the model's score columns (scikit-learn's coef_ rows).
            weights_t = np.zeros((rows.n_rows, meta["n_rows"]), dtype=np.float32)
            # Each model's columns are read once (a member of the archive is decompressed
            # at every access) and dropped when placed.
            placed = rows.row_of[columns.pop(key)]
            weights_t[placed, arrays[f"{key}.rows"].astype(np.int64)] = arrays[f"{key}.values"]
            models[key] = LinearModel(
                name=meta["name"],
                classes=tuple(meta["classes"]),
                weights_t=weights_t,
                intercept=arrays[f"{key}.intercept"],
                threshold=float(meta["threshold"]),
                info=meta["info"],
                rows=rows,
            )
    return models, idf, manifest, version
