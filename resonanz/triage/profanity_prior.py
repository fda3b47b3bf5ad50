"""A second opinion on English offensiveness, as two dense features for the models.

alt-profanity-check (MIT) ships a linear SVM over word tf-idf, trained on about 200,000
labelled English comments and tweets (the Jigsaw Wikipedia toxic comments and Davidson et
al.'s hate-speech tweets) — far more than TweetEval's 12,000 tweets. Its probability, used as
a feature beside our n-grams, moves the cross-validated macro-F1 of `offensive.en` from 0.747
to 0.756.

The package itself is only needed to train: `extract` copies its vocabulary, idf and SVM
weights into our artifacts (plain arrays, no pickle), and `probabilities` recomputes its
calibrated score from them at prediction time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

PRIOR_FILE = "profanity_prior.npz"
FEATURE_NAMES = ("profanity_probability", "profanity_log_odds")
FEATURE_COUNT = len(FEATURE_NAMES)
# alt-profanity-check's TfidfVectorizer: lower-cased words of two or more word characters.
TOKEN_PATTERN = re.compile(r"(?u)\b\w\w+\b")
# Log-odds are divided by this so the column stays in roughly -1..1 like the others.
LOG_ODDS_SCALE = 5.0
PROBABILITY_FLOOR = 1e-4


@dataclass(frozen=True)
class ProfanityPrior:
    """The calibrated linear SVMs of alt-profanity-check (one per calibration fold)."""

    words: tuple[str, ...]
    idf: np.ndarray  # (n_words,)
    weights: np.ndarray  # (n_folds, n_words)
    intercepts: np.ndarray  # (n_folds,)
    # Platt scaling of each fold: probability = 1 / (1 + exp(slope * score + offset)).
    slopes: np.ndarray
    offsets: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {word: i for i, word in enumerate(self.words)})

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """The package's `predict_prob` for each text (computed from the copied arrays)."""
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        indptr = [0]
        columns: list[int] = []
        counts: list[float] = []
        for text in texts:
            found = Counter(
                position
                for token in TOKEN_PATTERN.findall(text.lower())
                if (position := index.get(token)) is not None
            )
            columns.extend(found)
            counts.extend(found.values())
            indptr.append(len(columns))
        matrix = sp.csr_matrix(
            (np.asarray(counts, dtype=np.float64), columns, indptr),
            shape=(len(texts), len(self.words)),
        )
        matrix.data *= self.idf[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        matrix = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ matrix
        scores = np.asarray(matrix @ self.weights.T) + self.intercepts
        folds = 1.0 / (1.0 + np.exp(scores * self.slopes + self.offsets))
        return np.asarray(folds.mean(axis=1))

    def features(self, normalized_texts: Sequence[str]) -> np.ndarray:
        """FEATURE_COUNT columns per text: the probability and its scaled log-odds."""
        probability = np.clip(self.probabilities(normalized_texts), PROBABILITY_FLOOR, 1.0)
        probability = np.minimum(probability, 1.0 - PROBABILITY_FLOOR)
        log_odds = np.log(probability / (1.0 - probability)) / LOG_ODDS_SCALE
        return np.column_stack([probability, log_odds]).astype(np.float32)

    def save(self, directory: Path) -> None:
        """Write the arrays to `directory/PRIOR_FILE`."""
        np.savez_compressed(
            directory / PRIOR_FILE,
            words=np.asarray(self.words),
            idf=self.idf.astype(np.float32),
            weights=self.weights.astype(np.float32),
            intercepts=self.intercepts,
            slopes=self.slopes,
            offsets=self.offsets,
        )

    @classmethod
    def load(cls, directory: Path) -> ProfanityPrior:
        """Read what `save` wrote."""
        with np.load(directory / PRIOR_FILE, allow_pickle=False) as arrays:
            return cls(
                words=tuple(str(word) for word in arrays["words"]),
                idf=arrays["idf"].astype(np.float64),
                weights=arrays["weights"].astype(np.float64),
                intercepts=arrays["intercepts"],
                slopes=arrays["slopes"],
                offsets=arrays["offsets"],
            )


def extract() -> ProfanityPrior:
    """Copy the model out of the installed alt-profanity-check (needed to train only)."""
    try:
        from profanity_check import profanity_check
    except ImportError as error:
        raise ImportError(
            "training needs alt-profanity-check for the offensive prior: pip install -e '.[eval]'"
        ) from error
    vectorizer = profanity_check.vectorizer
    vocabulary: dict[str, int] = vectorizer.vocabulary_
    folds = profanity_check.model.calibrated_classifiers_
    return ProfanityPrior(
        words=tuple(sorted(vocabulary, key=vocabulary.__getitem__)),
        idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        weights=np.vstack([fold.estimator.coef_[0] for fold in folds]),
        intercepts=np.asarray([fold.estimator.intercept_[0] for fold in folds]),
        slopes=np.asarray([fold.calibrators[0].a_ for fold in folds]),
        offsets=np.asarray([fold.calibrators[0].b_ for fold in folds]),
    )
