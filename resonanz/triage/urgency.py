"""How soon a message needs a person: one number from the labels, risk words and reach."""

from __future__ import annotations

import math
from dataclasses import dataclass

from resonanz.triage.lexicons import RISK_PATTERN, describes_failure

# How much each intent by itself asks for a reply (scaled by the intent's probability).
INTENT_URGENCY = {
    "complaint": 0.35,
    "lead": 0.3,
    "question": 0.25,
    "feedback": 0.1,
    "praise": 0.0,
    "other": 0.05,
}
# Priority thresholds on urgency, highest first.
PRIORITY_THRESHOLDS = (("urgent", 0.75), ("high", 0.5), ("normal", 0.25))
# A risk word (lawyer, cancellation, data protection, ...) in a message that is not happy
# makes it at least "high", whatever its intent and mood scores: "Mein Anwalt ist
# informiert" needs a person soon even when the models are unsure what it is. Thanks for a
# quick refund ("Danke für die schnelle Erstattung") stays where its labels put it.
RISK_FLOOR = dict(PRIORITY_THRESHOLDS)["high"]


@dataclass(frozen=True)
class UrgencyInputs:
    """What urgency is computed from; labels come from the triage models."""

    text: str
    intent: str
    intent_score: float
    sentiment: str
    sentiment_score: float
    offensive: str
    offensive_score: float
    offensive_kind: str
    spam: str
    author_reach: int | None = None
    reactions: int | None = None


def risk_words(text: str) -> list[str]:
    """Distinct risk words in the text, lower-cased, in order of appearance."""
    found: list[str] = []
    for match in RISK_PATTERN.finditer(text.lower()):
        word = match.group(0)
        if word not in found:
            found.append(word)
    return found


def compute_urgency(inputs: UrgencyInputs) -> tuple[float, str, list[str]]:
    """Urgency in 0..1, its priority label, and the reasons that raised it."""
    reasons: list[str] = []
    urgency = INTENT_URGENCY[inputs.intent] * inputs.intent_score
    if inputs.intent in ("complaint", "lead", "question"):
        reasons.append(f"intent:{inputs.intent}")
    if inputs.sentiment == "negative":
        urgency += 0.2 * inputs.sentiment_score
        reasons.append("sentiment:negative")
    elif (
        inputs.sentiment == "neutral"
        and inputs.intent == "complaint"
        and describes_failure(inputs.text.lower())
    ):
        # The labelling guidelines call any report of a problem negative, but the sentiment
        # models read a plain one ("Internet down since yesterday, any ETA?") as neutral:
        # it counts as the negative mood it is.
        urgency += 0.2 * inputs.intent_score
        reasons.append("failed service")
    if inputs.offensive == "offensive":
        # Offensive content should be hidden before many read it.
        urgency += 0.15 * inputs.offensive_score
        reasons.append("offensive")
        if inputs.offensive_kind == "threat":
            urgency += 0.35
            reasons.append("threat")
    risks = risk_words(inputs.text)
    if risks:
        urgency += min(0.3 + 0.1 * (len(risks) - 1), 0.5)
        reasons.extend(f"risk:{word}" for word in risks[:3])
        if inputs.sentiment != "positive":
            urgency = max(urgency, RISK_FLOOR)
    if inputs.author_reach:
        # A million followers adds 0.2; reach matters on a log scale.
        urgency += 0.2 * min(math.log10(inputs.author_reach + 1) / 6, 1.0)
        if inputs.author_reach >= 10_000:
            reasons.append(f"reach:{inputs.author_reach}")
    if inputs.reactions:
        urgency += 0.15 * min(math.log10(inputs.reactions + 1) / 3, 1.0)
        if inputs.reactions >= 20:
            reasons.append(f"reactions:{inputs.reactions}")
    if inputs.spam == "spam":
        urgency *= 0.2
        reasons = ["spam"]
    urgency = max(0.0, min(1.0, urgency))
    priority = next((name for name, floor in PRIORITY_THRESHOLDS if urgency >= floor), "low")
    return urgency, priority, reasons
