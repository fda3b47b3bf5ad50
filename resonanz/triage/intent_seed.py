"""Building the labelled intent seed set from public data, by documented mappings and rules.

No intent-labelled German data exists, and the English data that exists is synthetic.
The seed set therefore combines (see seed/README.md):

* Bitext customer-support intents mapped to our labels (synthetic English),
* US airline tweets: a negative tweet with a complaint reason is a complaint, the rest by
  the cue rules below with the tweet's gold sentiment (real English),
* GermEval 2017 (Deutsche Bahn feedback, relevant rows) and XLM-T German tweets, labelled
  by the cue rules with the gold sentiment (real German),
* manual corrections from `seed/intent_manual_review.csv`, which override everything.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from resonanz.triage.lexicons import (
    COMPLAINT_PATTERN,
    FEEDBACK_PATTERN,
    GREETED_PATTERN,
    GREETING_PATTERN,
    INQUIRY_PATTERN,
    LEAD_PATTERN,
    OWN_CONTRACT_PATTERN,
    PRAISE_PATTERN,
    PURCHASE_WISH_PATTERN,
    SERVICE_PROBLEM_DE_PATTERN,
    describes_failure,
)
from resonanz.triage.text_features import text_key
from resonanz.triage.training_data import SPLIT_SEED, load_dataset, read_rows

SEED_DIRECTORY = Path(__file__).resolve().parent / "seed"
SEED_PATH = SEED_DIRECTORY / "intent_seed.csv"
MANUAL_REVIEW_PATH = SEED_DIRECTORY / "intent_manual_review.csv"
SEED_COLUMNS = ("id", "text", "label", "language", "source", "rule")
# Written, not collected: always trained on, never part of the held-out intent validation.
SYNTHETIC_SOURCES = frozenset({"bitext", "inbox_synthetic", "intent_written"})
# Messages to brands the team's helpers wrote with an intent label only (seed/README.md).
INTENT_WRITTEN_PATH = SEED_DIRECTORY / "intent_written.csv"
# The team-written inbox messages (seed/README.md), German and English.
WRITTEN_INBOX_DATASETS = ("inbox_synthetic_de", "inbox_synthetic_en")

BITEXT_LEAD_INTENTS = {"place_order", "check_payment_methods", "delivery_options"}
BITEXT_SKIPPED_INTENTS = {"review"}  # "how can I leave a review?": a question, not feedback
BITEXT_PER_INTENT = {"complaint": 150, "lead": 100, "question": 20}
# Airline complaints and German "other" would swamp the rarer labels; cap each
# (source, label) group with a seeded sample. Manually reviewed rows are always kept.
MAX_PER_SOURCE_AND_LABEL = 900
# Words besides the greeting and whom it is for that a greeting-only message may hold
# ("Frohe Weihnachten an das ganze Team").
GREETING_EXTRA_WORDS = 3


@dataclass(frozen=True)
class SeedRow:
    """One labelled example and how its label was decided."""

    id: str
    text: str
    label: str
    language: str
    source: str
    rule: str


def label_by_cues(text: str, sentiment: str, inbox: bool = False) -> tuple[str, str]:
    """Intent of a real message from its cue words and gold sentiment; returns (label, rule).

    Order matters: asking about price/availability is a lead even when phrased as a
    question; a suggestion is feedback even when negative; a negative message with a
    complaint cue is a complaint even when it ends with a question mark. With `inbox`
    (the pipeline: a message written to the brand, its sentiment predicted) a negative
    message is never a lead ("who came up with this price increase?" is no wish to buy),
    a request with a lead cue is one ("Anfrage Geschäftskunden: …"), and a failed service
    described without a negative mood ("Internet down since yesterday, any ETA?", read as
    neutral) is a complaint too. The seed set, labelled from tweets and feedback about
    anything with their gold sentiment, keeps the original rules.
    """
    has_question_mark = "?" in text
    text = text.lower()  # the cue patterns are written in lower case (lexicons.py)
    wants_to_buy = LEAD_PATTERN.search(OWN_CONTRACT_PATTERN.sub(" ", text))
    if (not inbox or sentiment != "negative") and wants_to_buy:
        if has_question_mark:
            return "lead", "lead cue + question mark"
        if PURCHASE_WISH_PATTERN.search(text) or (inbox and INQUIRY_PATTERN.search(text)):
            return "lead", "lead cue + purchase wish"
    if FEEDBACK_PATTERN.search(text):
        return "feedback", "feedback cue"
    if sentiment == "negative" and (
        COMPLAINT_PATTERN.search(text) or SERVICE_PROBLEM_DE_PATTERN.search(text)
    ):
        return "complaint", "negative + complaint cue"
    if inbox and sentiment != "positive" and describes_failure(text):
        return "complaint", "failed service"
    if has_question_mark:
        return "question", "question mark"
    if is_greeting(text):
        return "other", "greeting"
    if sentiment == "positive" and PRAISE_PATTERN.search(text):
        return "praise", "positive + praise cue"
    if sentiment == "negative" and "@db_" in text:
        return "complaint", "negative + addressed to the brand"
    return "other", "no cue"


def is_greeting(text: str) -> bool:
    """Whether a lower-cased message only wishes a good day, weekend or holiday to everyone.

    "Have a great weekend, everyone!" is a greeting although "great" is a praise cue; a
    greeting with more to say ("Frohe Weihnachten und danke für den tollen Service!", or
    more than three other words) is not.
    """
    if not GREETING_PATTERN.search(text):
        return False
    rest = GREETED_PATTERN.sub(" ", GREETING_PATTERN.sub(" ", text))
    words = re.findall(r"[^\W\d_]+", rest)
    return len(words) <= GREETING_EXTRA_WORDS and not PRAISE_PATTERN.search(" ".join(words))


def bitext_rows(root: Path) -> list[SeedRow]:
    """Bitext intents mapped to ours, capped per intent so synthetic text does not dominate."""
    rng = np.random.default_rng(SPLIT_SEED)
    by_intent: dict[str, list[dict[str, str]]] = {}
    for row in read_rows(root / "bitext_customer_support" / "train.csv"):
        by_intent.setdefault(row["label"], []).append(row)
    seed: list[SeedRow] = []
    for intent in sorted(by_intent):
        if intent in BITEXT_SKIPPED_INTENTS:
            continue
        if intent == "complaint":
            label = "complaint"
        elif intent in BITEXT_LEAD_INTENTS:
            label = "lead"
        else:
            label = "question"
        rows = by_intent[intent]
        for index in rng.permutation(len(rows))[: BITEXT_PER_INTENT[label]]:
            row = rows[index]
            seed.append(SeedRow(row["id"], row["text"], label, "en", "bitext", f"intent {intent}"))
    return seed


def airline_rows(root: Path) -> list[SeedRow]:
    """Airline tweets: complaint reason → complaint, otherwise the cue rules."""
    seed = []
    for row in read_rows(root / "airline_sentiment" / "train.csv"):
        if row["label"] == "negative" and row["negativereason"] not in ("", "Can't Tell"):
            label, rule = "complaint", f"negativereason {row['negativereason']}"
        else:
            label, rule = label_by_cues(row["text"], row["label"])
        seed.append(SeedRow(row["id"], row["text"], label, "en", "airline", rule))
    return seed


def german_rows(root: Path) -> list[SeedRow]:
    """Relevant Deutsche Bahn feedback and German tweets, by the cue rules."""
    seed = []
    for row in read_rows(root / "germeval2017" / "dev.csv"):
        if row["relevance"] != "true" or len(row["text"]) > 400:
            continue  # long texts are press articles, not messages to a brand
        label, rule = label_by_cues(row["text"], row["label"])
        seed.append(SeedRow(row["id"], row["text"], label, "de", "germeval2017", rule))
    for split in ("train", "val"):
        for row in read_rows(root / "xlmt_sentiment_de" / f"{split}.csv"):
            label, rule = label_by_cues(row["text"], row["label"])
            seed.append(SeedRow(row["id"], row["text"], label, "de", "xlmt_sentiment_de", rule))
    return seed


def synthetic_inbox_rows(root: Path) -> list[SeedRow]:
    """The training parts of the team-written German and English inbox messages, with their
    intent; a text that is also in a held-out part of either file ("🙌🙌") is left out."""
    parts = [load_dataset(name, root) for name in WRITTEN_INBOX_DATASETS]
    held_out = {text_key(text) for _, held in parts for text in held.texts}
    return [
        SeedRow(row["id"], row["text"], row["intent"], train.language, "inbox_synthetic", "written")
        for train, _ in parts
        for row in train.extra
        if text_key(row["text"]) not in held_out
    ]


def written_intent_rows() -> list[SeedRow]:
    """The intent-only messages the team's helpers wrote (always trained on)."""
    with INTENT_WRITTEN_PATH.open(newline="", encoding="utf-8") as handle:
        return [
            SeedRow(
                row["id"], row["text"], row["intent"], row["language"], "intent_written", "written"
            )
            for row in csv.DictReader(handle)
        ]


def read_manual_review() -> dict[str, str]:
    """id → label decided by a person reading the text (overrides mappings and rules)."""
    if not MANUAL_REVIEW_PATH.exists():
        return {}
    with MANUAL_REVIEW_PATH.open(newline="", encoding="utf-8") as handle:
        return {row["id"]: row["label"] for row in csv.DictReader(handle)}


def build_intent_seed(root: Path) -> list[SeedRow]:
    """The whole seed set, manual review applied, in a stable order."""
    manual = read_manual_review()
    rows = bitext_rows(root) + airline_rows(root) + german_rows(root) + synthetic_inbox_rows(root)
    rows += written_intent_rows()
    return capped(
        [
            SeedRow(row.id, row.text, manual[row.id], row.language, row.source, "manual")
            if row.id in manual
            else row
            for row in rows
        ]
    )


def capped(rows: list[SeedRow]) -> list[SeedRow]:
    """At most MAX_PER_SOURCE_AND_LABEL rows per (source, label), manually reviewed ones
    first, in a stable order."""
    groups: dict[tuple[str, str], list[SeedRow]] = {}
    for row in rows:
        groups.setdefault((row.source, row.label), []).append(row)
    kept: list[SeedRow] = []
    for key in sorted(groups):
        group = groups[key]
        reviewed = [row for row in group if row.rule == "manual"]
        others = [row for row in group if row.rule != "manual"]
        room = max(MAX_PER_SOURCE_AND_LABEL - len(reviewed), 0)
        kept.extend(reviewed + sorted(others, key=sample_rank)[:room])
    return sorted(kept, key=lambda row: (row.source, row.id))


def sample_rank(row: SeedRow) -> bytes:
    """A seeded pseudo-random rank of one row, from its id alone.

    A capped group keeps its lowest-ranked rows, so a cue change that moves a few rows
    from one label to another changes only those rows' groups by those rows (with one
    random draw per group in turn, it resampled every later group).
    """
    return hashlib.blake2b(f"{SPLIT_SEED}:{row.source}:{row.id}".encode(), digest_size=8).digest()


def write_intent_seed(rows: list[SeedRow], path: Path = SEED_PATH) -> None:
    """Write the seed set as CSV (columns SEED_COLUMNS)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SEED_COLUMNS)
        for row in rows:
            writer.writerow([row.id, row.text, row.label, row.language, row.source, row.rule])


def read_intent_seed(path: Path = SEED_PATH) -> list[SeedRow]:
    """Read the shipped seed set (so training does not need the raw datasets for intent)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [SeedRow(**row) for row in csv.DictReader(handle)]
