"""The label names triage emits: the product's vocabulary, independent of any dataset's."""

from __future__ import annotations

from typing import Final

# The languages a workspace expects unless it says otherwise (ISO 639-1).
DEFAULT_LANGUAGES: Final[tuple[str, ...]] = ("de", "en", "fr", "it", "es", "nl", "pl", "tr")

SENTIMENT_LABELS: Final = ("positive", "neutral", "negative")
OFFENSIVE_LABELS: Final = ("offensive", "other")
OFFENSIVE_KINDS: Final = ("insult", "profanity", "threat", "hate")
SPAM_LABELS: Final = ("spam", "ham")
INTENT_LABELS: Final = ("question", "complaint", "praise", "feedback", "lead", "other")
PRIORITY_LABELS: Final = ("low", "normal", "high", "urgent")

# Tasks that `predict` and `evaluate` know, with the labels each may output.
TASK_LABELS: Final[dict[str, tuple[str, ...]]] = {
    "language": DEFAULT_LANGUAGES,
    "sentiment": SENTIMENT_LABELS,
    "offensive": OFFENSIVE_LABELS,
    "spam": SPAM_LABELS,
    "intent": INTENT_LABELS,
}
TASKS: Final[tuple[str, ...]] = tuple(TASK_LABELS)
