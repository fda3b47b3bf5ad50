"""Linear classifiers over the shared feature space, stored as plain sparse arrays.

A trained scikit-learn model is reduced to its weights so artifacts load without pickle
(no code runs on load) and stay small: weights of features never seen in training are
exactly zero and are not stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from resonanz.triage.text_features import WORD_FEATURES


@dataclass
class LinearModel:
    """Weights of a (multinomial or binary) logistic model and how to read its output.

    `classes` are product labels. A binary model has one weight row that scores
    `classes[1]`; `threshold` is the probability of `classes[1]` above which it is chosen.
    """

    name: str
    classes: tuple[str, ...]
    weights: sp.csr_matrix  # (n_rows, n_features), transposed for the product on use
    intercept: np.ndarray
    threshold: float = 0.5
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._weights_t = self.weights.T.tocsr()
        dense = self.weights[:, :WORD_FEATURES].toarray()
        # Per class, how much each word column pushes towards it (against the mean of the
        # others); precomputed because explanations are made for every message.
        if self.is_binary:
            self._word_push = np.stack([-dense[0], dense[0]])
        else:
            total = dense.sum(axis=0)
            others = (total[None, :] - dense) / (dense.shape[0] - 1)
            self._word_push = (dense - others).astype(np.float32)

    @property
    def is_binary(self) -> bool:
        """True when one weight row scores the second class against the first."""
        return self.weights.shape[0] == 1

    def probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        """Class probabilities, shape (n_texts, n_classes), columns in `classes` order."""
        scores = np.asarray((features @ self._weights_t).todense()) + self.intercept
        if self.is_binary:
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def decide(self, probabilities: np.ndarray) -> np.ndarray:
        """Index of the chosen class per row, honouring the binary threshold."""
        if self.is_binary:
            return (probabilities[:, 1] >= self.threshold).astype(int)
        return np.asarray(probabilities.argmax(axis=1))

    def word_weights_for(self, class_index: int) -> np.ndarray:
        """Per word column, how much it pushes towards `classes[class_index]`."""
        return np.asarray(self._word_push[class_index])


def from_sklearn(
    name: str, estimator: Any, label_names: dict[Any, str], **info: Any
) -> LinearModel:
    """Reduce a fitted LogisticRegression-like estimator to a LinearModel."""
    coef = np.asarray(estimator.coef_, dtype=np.float32)
    coef[np.abs(coef) < 1e-6] = 0.0
    classes = tuple(label_names[c] for c in estimator.classes_)
    return LinearModel(
        name=name,
        classes=classes,
        weights=sp.csr_matrix(coef),
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
        coo = model.weights.tocoo()
        arrays[f"{key}.rows"] = coo.row.astype(np.int8)
        arrays[f"{key}.cols"] = coo.col.astype(np.int32)
        arrays[f"{key}.values"] = coo.data.astype(np.float16)
        arrays[f"{key}.intercept"] = model.intercept
        manifest["models"][key] = {
            "name": model.name,
            "classes": list(model.classes),
            "n_rows": int(model.weights.shape[0]),
            "n_features": int(model.weights.shape[1]),
            "threshold": model.threshold,
            "info": model.info,
        }
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / "weights.npz", **arrays)  # type: ignore[arg-type]
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def load_models(directory: Path) -> tuple[dict[str, LinearModel], np.ndarray, dict[str, Any]]:
    """Read what `save_models` wrote; raises FileNotFoundError if nothing was trained yet."""
    manifest = json.loads((directory / "manifest.json").read_text())
    models: dict[str, LinearModel] = {}
    with np.load(directory / "weights.npz", allow_pickle=False) as arrays:
        idf = arrays["idf"].astype(np.float32)
        for key, meta in manifest["models"].items():
            weights = sp.coo_matrix(
                (
                    arrays[f"{key}.values"].astype(np.float32),
                    (arrays[f"{key}.rows"].astype(np.int32), arrays[f"{key}.cols"]),
                ),
                shape=(meta["n_rows"], meta["n_features"]),
            ).tocsr()
            models[key] = LinearModel(
                name=meta["name"],
                classes=tuple(meta["classes"]),
                weights=weights,
                intercept=arrays[f"{key}.intercept"],
                threshold=float(meta["threshold"]),
                info=meta["info"],
            )
    return models, idf, manifest
