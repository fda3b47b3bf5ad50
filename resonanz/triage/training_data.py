"""Reading the shared labelled datasets and mapping their labels to the product's.

Every dataset yields a training part and a validation part. Where the source ships only
one split, a fixed-seed stratified share is held out so scores are never measured on
texts a model was trained on.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

SPLIT_SEED = 20240
HELD_OUT_SHARE = 0.2
REPO_ROOT = Path(__file__).resolve().parents[2]
# Datasets the team wrote itself ship inside the package (seed/README.md), not in the shared
# datasets folder.
PACKAGED_DATASETS_DIRECTORY = Path(__file__).resolve().parent / "seed"
# dataset name → its folder there; one file can serve several tasks (one column each).
PACKAGED_DATASETS = {
    "inbox_synthetic_de": "inbox_synthetic_de",
    "inbox_synthetic_de_offensive": "inbox_synthetic_de",
    "inbox_synthetic_en": "inbox_synthetic_en",
    "inbox_synthetic_en_offensive": "inbox_synthetic_en",
    "inbox_synthetic_de_spam": "inbox_synthetic_de",
    "inbox_synthetic_en_spam": "inbox_synthetic_en",
    "spam_written_de": "spam_written_de",
    "spam_written_en": "spam_written_en",
    "talkshow_written_de": "talkshow_written_de",
}


@dataclass(frozen=True)
class LabelledTexts:
    """Texts with product labels, from one part of one dataset."""

    dataset: str
    split: str
    language: str
    texts: tuple[str, ...]
    labels: tuple[str, ...]
    extra: tuple[dict[str, str], ...] = ()

    def __len__(self) -> int:
        return len(self.texts)


def datasets_directory(explicit: str | Path | None = None) -> Path:
    """Where the shared datasets live: argument, RESONANZ_DATASETS, or ../shared/datasets."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get("RESONANZ_DATASETS")
    if from_env:
        return Path(from_env)
    return REPO_ROOT.parent / "shared" / "datasets"


@cache
def read_rows(path: Path) -> tuple[dict[str, str], ...]:
    """All rows of one dataset CSV as dicts (empty fields stay empty strings)."""
    if not path.exists():
        raise FileNotFoundError(
            f"dataset file {path} is missing; pass --datasets or set RESONANZ_DATASETS"
        )
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def held_out_mask(labels: list[str], share: float = HELD_OUT_SHARE) -> np.ndarray:
    """Stratified, seeded choice of which rows form the held-out validation part."""
    rng = np.random.default_rng(SPLIT_SEED)
    mask = np.zeros(len(labels), dtype=bool)
    label_array = np.asarray(labels)
    for label in sorted(set(labels)):
        (indices,) = np.nonzero(label_array == label)
        chosen = rng.permutation(indices)[: round(len(indices) * share)]
        mask[chosen] = True
    return mask


def cross_validation_folds(
    labels: np.ndarray, sources: np.ndarray, keys: list[str], folds: int, seed: int = SPLIT_SEED
) -> np.ndarray:
    """Fold number per row, seeded and stratified by (source dataset, label).

    Rows with the same text key share a fold: some sources overlap (XLM-T English and
    TweetEval sentiment hold the same tweets), and a copy on both sides would inflate the
    score the offsets are chosen on.
    """
    rng = np.random.default_rng(seed)
    fold_of_row = np.zeros(len(labels), dtype=np.int64)
    fold_of_key: dict[str, int] = {}
    for source, label in sorted(set(zip(sources.tolist(), labels.tolist(), strict=True))):
        (indices,) = np.nonzero((sources == source) & (labels == label))
        for position, index in enumerate(rng.permutation(indices).tolist()):
            fold_of_row[index] = fold_of_key.setdefault(keys[index], position % folds)
    return fold_of_row


# dataset name → (language, column holding the label, source label → product label)
LABEL_MAPS: dict[str, tuple[str, str, dict[str, str]]] = {
    "germeval2018": ("de", "label", {"OFFENSE": "offensive", "OTHER": "other"}),
    "germeval2018_kind": (
        "de",
        "label_fine",
        {"ABUSE": "hate", "INSULT": "insult", "PROFANITY": "profanity", "OTHER": ""},
    ),
    "germeval2021": ("de", "label", {"1": "offensive", "0": "other"}),
    "germeval2017": ("de", "label", {}),
    "xlmt_sentiment_de": ("de", "label", {}),
    "tweeteval_offensive": ("en", "label", {"offensive": "offensive", "not-offensive": "other"}),
    "tweeteval_hate": ("en", "label", {"hate": "hate", "not-hate": "other"}),
    "tweeteval_sentiment": ("en", "label", {}),
    "xlmt_sentiment_en": ("en", "label", {}),
    "airline_sentiment": ("en", "label", {}),
    "inbox_synthetic_de": ("de", "sentiment", {}),
    "inbox_synthetic_de_offensive": ("de", "offensive", {}),
    "inbox_synthetic_en": ("en", "sentiment", {}),
    "inbox_synthetic_en_offensive": ("en", "offensive", {}),
    "inbox_synthetic_de_spam": ("de", "spam", {}),
    "inbox_synthetic_en_spam": ("en", "spam", {}),
    "spam_written_de": ("de", "label", {}),
    "spam_written_en": ("en", "label", {}),
    "talkshow_written_de": ("de", "label", {}),
    "bitext_customer_support": ("en", "label", {}),
    "sms_spam": ("en", "label", {}),
    "youtube_spam": ("en", "label", {}),
}


def load_dataset(name: str, root: Path) -> tuple[LabelledTexts, LabelledTexts]:
    """Training and validation parts of one dataset, labels mapped to product labels."""
    language, column, mapping = LABEL_MAPS[name]
    if name in PACKAGED_DATASETS:
        folder = PACKAGED_DATASETS_DIRECTORY / PACKAGED_DATASETS[name]
    else:
        folder = root / name.removesuffix("_kind")
    parts: dict[str, list[dict[str, str]]] = {}
    for split in ("train", "val", "dev"):
        if (folder / f"{split}.csv").exists():
            parts[split] = list(read_rows(folder / f"{split}.csv"))
    if "val" in parts and "train" in parts:
        train_rows, validation_rows = parts["train"], parts["val"]
        validation_split = "val"
    else:
        # Only one split exists: hold out a fixed share of it.
        (rows,) = parts.values()
        # Stratified by the source's own label column. The team's file has one column per
        # task and is always split by its sentiment, so all its tasks hold out the same rows.
        strata = "label" if "label" in rows[0] else "sentiment"
        mask = held_out_mask([row[strata] for row in rows])
        train_rows = [row for row, held in zip(rows, mask, strict=True) if not held]
        validation_rows = [row for row, held in zip(rows, mask, strict=True) if held]
        validation_split = f"{next(iter(parts))}-heldout"

    def build(rows: list[dict[str, str]], split: str) -> LabelledTexts:
        labels = [mapping.get(row[column], row[column]) for row in rows]
        return LabelledTexts(
            dataset=name,
            split=split,
            language=language,
            texts=tuple(row["text"] for row in rows),
            labels=tuple(labels),
            extra=tuple(rows),
        )

    return build(train_rows, "train"), build(validation_rows, validation_split)
