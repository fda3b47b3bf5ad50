"""Linear classifiers over the shared feature space, stored as plain sparse arrays.

A trained scikit-learn model is reduced to its weights so artifacts load without pickle
(no code runs on load) and stay small: weights of features never seen in training are
exactly zero and are not stored.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp


@dataclass
class LinearModel:
    """Weights of a (multinomial or binary) logistic model and how to read its output.

    `classes` are product labels. A binary model has one weight column that scores
    `classes[1]`. `threshold` is the probability at or above which a binary task's flagged
    label (offensive, spam) is chosen.
    Weights are held dense, (n_features, n_columns) float32: a sparse copy would take more
    memory once a model has seen most hashed columns, and the product is faster.
    """

    name: str
    classes: tuple[str, ...]
    weights_t: np.ndarray
    intercept: np.ndarray
    threshold: float = 0.5
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def is_binary(self) -> bool:
        """True when one weight column scores the second class against the first."""
        return self.weights_t.shape[1] == 1

    def probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        """Class probabilities, shape (n_texts, n_classes), columns in `classes` order."""
        scores = np.asarray(features @ self.weights_t, dtype=np.float64) + self.intercept
        if self.is_binary:
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def push_towards(self, class_index: int, columns: np.ndarray) -> np.ndarray:
        """How much each of `columns` pushes towards `classes[class_index]` (vs the others)."""
        rows = self.weights_t[columns]
        if self.is_binary:
            return rows[:, 0] if class_index == 1 else -rows[:, 0]
        own = rows[:, class_index]
        others = (rows.sum(axis=1) - own) / (rows.shape[1] - 1)
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


def from_sklearn(name: str, estimator: Any, **info: Any) -> LinearModel:
    """Reduce a fitted LogisticRegression-like estimator to a LinearModel."""
    coef = np.asarray(estimator.coef_, dtype=np.float32)
    return LinearModel(
        name=name,
        classes=tuple(str(label) for label in estimator.classes_),
        weights_t=np.ascontiguousarray(coef.T),
        intercept=np.asarray(estimator.intercept_, dtype=np.float64),
        info=dict(info),
    )


def save_models(
    models: dict[str, LinearModel], idf: np.ndarray, directory: Path, manifest_extra: dict[str, Any]
) -> None:
    """Write all models and the idf vector to `weights.npz` plus a readable `manifest.json`."""
    arrays: dict[str, np.ndarray] = {"idf": idf.astype(np.float16)}
    manifest: dict[str, Any] = {"models": {}, **manifest_extra}
    for key, model in models.items():
        # Stored sparse (weights of never-seen hashed columns are exactly zero) in float16:
        # halves the artifacts, and the rounding moves probabilities by far less than 1e-3.
        weights = model.weights_t.astype(np.float16)
        columns, rows = np.nonzero(weights)
        arrays[f"{key}.rows"] = rows.astype(np.int8)
        arrays[f"{key}.cols"] = columns.astype(np.int32)
        arrays[f"{key}.values"] = weights[columns, rows]
        arrays[f"{key}.intercept"] = model.intercept
        manifest["models"][key] = {
            "name": model.name,
            "classes": list(model.classes),
            "n_rows": int(model.weights_t.shape[1]),
            "n_features": int(model.weights_t.shape[0]),
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
        for key, meta in manifest["models"].items():
            weights_t = np.zeros((meta["n_features"], meta["n_rows"]), dtype=np.float32)
            weights_t[arrays[f"{key}.cols"], arrays[f"{key}.rows"].astype(np.int64)] = arrays[
                f"{key}.values"
            ]
            models[key] = LinearModel(
                name=meta["name"],
                classes=tuple(meta["classes"]),
                weights_t=weights_t,
                intercept=arrays[f"{key}.intercept"],
                threshold=float(meta["threshold"]),
                info=meta["info"],
            )
    return models, idf, manifest, version
