"""Learning from a team's corrections: a small per-workspace adjustment on top of a base model.

When agents correct a label ("not spam", "this is a complaint"), those examples train an
adjustment for that workspace only. The adjustment is a logistic model whose starting point
is the base model's own score: it learns weights only for the word n-gram columns that occur
in the corrections, with an L2 penalty pulling them to zero, so a handful of corrections moves
similar messages without forgetting everything else the base model knows. It works with a
single corrected label too (all corrections "not spam"), which plain re-training cannot.

Corrections are one-sided in practice (a team hides insults, it rarely marks a message "not
offensive"), and on one-sided examples the bias and the columns every text shares (common
character n-grams) would learn "more offensive" for everything. So the fit also takes
anchors: other messages of the same workspace that nobody corrected, whose adjusted output
must stay close to the base model's (cross-entropy to the base probabilities). The
adjustment then moves what is like the corrections, not the whole inbox.

The adjustment serialises to bytes (`to_bytes` / `from_bytes`) for storage next to the
workspace; one workspace's adjustment is never applied to another's messages.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

from resonanz.triage.labels import TASK_LABELS
from resonanz.triage.text_features import WORD_FEATURES

ADJUSTABLE_TASKS = ("sentiment", "offensive", "spam", "intent")
DEFAULT_PENALTY = 1.0
MIN_PROBABILITY = 1e-6


@dataclass(frozen=True)
class WorkspaceAdjustment:
    """Extra weights for a few feature columns, added to the base model's log-probabilities."""

    task: str
    classes: tuple[str, ...]
    columns: np.ndarray  # int64 (n_columns,)
    weights: np.ndarray  # float32 (n_columns, n_classes)
    bias: np.ndarray  # float64 (n_classes,)
    examples: int

    def adjust(self, features: sp.csr_matrix, probabilities: np.ndarray) -> np.ndarray:
        """Adjusted class probabilities for rows whose base probabilities are given."""
        base = np.log(np.clip(probabilities, MIN_PROBABILITY, 1.0))
        scores = base + np.asarray(features[:, self.columns] @ self.weights) + self.bias
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def to_bytes(self) -> bytes:
        """Compact, pickle-free serialisation."""
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            task=np.array(self.task),
            classes=np.array(self.classes),
            columns=self.columns,
            weights=self.weights,
            bias=self.bias,
            examples=np.array(self.examples),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> WorkspaceAdjustment:
        """Inverse of `to_bytes`."""
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return cls(
                task=str(arrays["task"]),
                classes=tuple(str(label) for label in arrays["classes"]),
                columns=arrays["columns"].astype(np.int64),
                weights=arrays["weights"].astype(np.float32),
                bias=arrays["bias"].astype(np.float64),
                examples=int(arrays["examples"]),
            )


def fit_adjustment(
    task: str,
    classes: Sequence[str],
    features: sp.csr_matrix,
    base_probabilities: np.ndarray,
    labels: Sequence[str],
    penalty: float = DEFAULT_PENALTY,
    anchor_features: sp.csr_matrix | None = None,
    anchor_probabilities: np.ndarray | None = None,
) -> WorkspaceAdjustment:
    """Fit the adjustment on corrected examples (features and base output of the same rows).

    `anchor_features` / `anchor_probabilities` (optional, same columns) are uncorrected
    messages whose output should stay as the base model has it.

    Raises ValueError for an unknown task or label, so a bad correction is reported rather
    than silently learned.
    """
    if task not in ADJUSTABLE_TASKS:
        raise ValueError(f"task {task!r} cannot learn from corrections; use {ADJUSTABLE_TASKS}")
    unknown = sorted(set(labels) - set(TASK_LABELS[task]))
    if unknown:
        raise ValueError(f"labels {unknown} are not {task} labels {TASK_LABELS[task]}")
    if features.shape[0] != len(labels) or base_probabilities.shape[0] != len(labels):
        raise ValueError("features, base probabilities and labels must have the same rows")
    class_index = {label: index for index, label in enumerate(classes)}
    targets = np.array([class_index[label] for label in labels])
    # Word 1-2-gram columns only. The dense lexicon and prior columns are non-zero for
    # almost every text, so a weight on them would act as a second bias and move unrelated
    # messages; character n-grams ("die", "en ") are shared by most texts of a language and
    # did the same: the demo's 67 hidden insults, learned with them and without anchors,
    # flagged all of its 300 most recent messages as offensive.
    columns = np.unique(features.indices).astype(np.int64)
    columns = columns[columns < WORD_FEATURES]
    n_classes = len(classes)
    # Corrections aim at their label (one-hot); anchors at their own base probabilities.
    wanted = np.eye(n_classes)[targets]
    rows, bases = [features], [base_probabilities]
    if anchor_features is not None and anchor_probabilities is not None:
        if anchor_features.shape[0] != anchor_probabilities.shape[0]:
            raise ValueError("anchor features and probabilities must have the same rows")
        rows.append(anchor_features)
        bases.append(anchor_probabilities)
        wanted = np.vstack([wanted, anchor_probabilities])
    local = sp.vstack([matrix.tocsr()[:, columns] for matrix in rows], format="csr")
    base = np.log(np.clip(np.vstack(bases), MIN_PROBABILITY, 1.0))
    n_columns = len(columns)

    def loss_and_gradient(flat: np.ndarray) -> tuple[float, np.ndarray]:
        weights = flat[: n_columns * n_classes].reshape(n_columns, n_classes)
        bias = flat[n_columns * n_classes :]
        scores = base + np.asarray(local @ weights) + bias
        scores -= scores.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(scores).sum(axis=1, keepdims=True))
        log_probabilities = scores - log_norm
        loss = -(wanted * log_probabilities).sum() + 0.5 * penalty * (weights**2).sum()
        loss += 0.5 * penalty * (bias**2).sum()
        residual = np.exp(log_probabilities) - wanted
        weight_gradient = np.asarray(local.T @ residual) + penalty * weights
        bias_gradient = residual.sum(axis=0) + penalty * bias
        return float(loss), np.concatenate([weight_gradient.ravel(), bias_gradient])

    start = np.zeros(n_columns * n_classes + n_classes)
    solution = minimize(loss_and_gradient, start, jac=True, method="L-BFGS-B")
    flat = solution.x
    return WorkspaceAdjustment(
        task=task,
        classes=tuple(classes),
        columns=columns,
        weights=flat[: n_columns * n_classes].reshape(n_columns, n_classes).astype(np.float32),
        bias=flat[n_columns * n_classes :],
        examples=len(labels),
    )
