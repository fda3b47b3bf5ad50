"""Per-workspace learning: a small model over each workspace's corrected examples, blended
with the shipped base model.

The workspace model is a logistic regression on the same hashed text features as the base
models, restricted to the features its training texts contain (so it stores a few thousand
weights, not millions). It learns from the corrections and, weakly, from the workspace's
uncorrected messages, so where nobody corrected anything it agrees with the base. Its vote
grows with the number of corrections: with ``n`` it weighs ``n / (n + PRIOR_EXAMPLES)``
against the base model. One workspace's examples never reach another workspace's model.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from resonanz.triage.labels import INTENT_LABELS, OFFENSIVE_LABELS, SENTIMENT_LABELS, SPAM_LABELS

TASK_LABELS: dict[str, tuple[str, ...]] = {
    "sentiment": SENTIMENT_LABELS,
    "intent": INTENT_LABELS,
    "spam": SPAM_LABELS,
    "offensive": OFFENSIVE_LABELS,
}
MIN_EXAMPLES = 8
PRIOR_EXAMPLES = 5
SEED = 0


@dataclass(frozen=True)
class WorkspaceAdapter:
    """Fitted weights over a subset of feature columns."""

    classes: tuple[str, ...]
    columns: np.ndarray  # int64 feature indices
    weights: np.ndarray  # (len(classes) or 1) x len(columns)
    intercept: np.ndarray
    examples: int

    def probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        """Class probabilities, one row per text, columns in ``classes`` order."""
        scores = np.asarray(features[:, self.columns] @ self.weights.T) + self.intercept
        if len(self.classes) == 2:
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            classes=np.array(self.classes),
            columns=self.columns,
            weights=self.weights,
            intercept=self.intercept,
            examples=np.array([self.examples]),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> WorkspaceAdapter:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return cls(
                classes=tuple(str(c) for c in arrays["classes"]),
                columns=arrays["columns"],
                weights=arrays["weights"],
                intercept=arrays["intercept"],
                examples=int(arrays["examples"][0]),
            )


BACKGROUND_WEIGHT = 0.3


@dataclass(frozen=True)
class Background:
    """Messages of the workspace nobody corrected, with the labels they kept: the weak
    counter-examples that let a model learn from corrections that all say the same."""

    features: sp.csr_matrix
    labels: Sequence[str]


def fit(
    features: sp.csr_matrix, labels: Sequence[str], background: Background | None = None
) -> WorkspaceAdapter | None:
    """Fit on a workspace's examples; None while there is nothing to tell apart."""
    all_labels = list(labels)
    weights = [1.0] * len(all_labels)
    if background is not None and len(background.labels):
        features = sp.vstack([features, background.features], format="csr")
        all_labels += list(background.labels)
        weights += [BACKGROUND_WEIGHT] * len(background.labels)
    if len(labels) < 2 or len(set(all_labels)) < 2:
        return None
    columns = np.unique(features.indices).astype(np.int64)
    model = LogisticRegression(C=2.0, max_iter=2000, random_state=SEED)
    model.fit(features[:, columns], all_labels, sample_weight=np.array(weights))
    return WorkspaceAdapter(
        classes=tuple(str(c) for c in model.classes_),
        columns=columns,
        weights=np.asarray(model.coef_, dtype=np.float64),
        intercept=np.asarray(model.intercept_, dtype=np.float64),
        examples=len(labels),  # the vote grows with real examples, not background
    )


def blend(
    task: str,
    base_label: str,
    base_score: float,
    adapter: WorkspaceAdapter,
    adapter_row: np.ndarray,
) -> tuple[str, float]:
    """Combine the base model's choice with the workspace model's probabilities."""
    labels = TASK_LABELS[task]
    base = np.full(len(labels), (1.0 - base_score) / max(len(labels) - 1, 1))
    if base_label in labels:
        base[labels.index(base_label)] = base_score
    own = np.zeros(len(labels))
    for probability, label in zip(adapter_row, adapter.classes, strict=True):
        if label in labels:
            own[labels.index(label)] = probability
    weight = adapter.examples / (adapter.examples + PRIOR_EXAMPLES)
    combined = (1.0 - weight) * base + weight * own
    best = int(combined.argmax())
    return labels[best], float(combined[best])


@dataclass(frozen=True)
class Evaluation:
    base_accuracy: float
    adapted_accuracy: float


def cross_validate(
    task: str,
    features: sp.csr_matrix,
    labels: Sequence[str],
    base_labels: Sequence[str],
    base_scores: Sequence[float],
    background: Background | None = None,
    folds: int = 5,
) -> Evaluation:
    """Accuracy on the workspace's own examples: the base model's labels against the
    blended labels of workspace models that never saw the example they label."""
    n = len(labels)
    base_hits = sum(b == t for b, t in zip(base_labels, labels, strict=True))
    adapted_hits = 0
    splitter = KFold(n_splits=min(folds, n), shuffle=True, random_state=SEED)
    for train, test in splitter.split(np.arange(n)):
        adapter = fit(features[train], [labels[i] for i in train], background)
        if adapter is None:
            adapted_hits += sum(base_labels[i] == labels[i] for i in test)
            continue
        rows = adapter.probabilities(features[test])
        for row, i in zip(rows, test, strict=True):
            label, _ = blend(task, base_labels[i], base_scores[i], adapter, row)
            adapted_hits += label == labels[i]
    return Evaluation(base_accuracy=base_hits / n, adapted_accuracy=adapted_hits / n)
