"""Prior word polarity from published lexicons, as a few dense features for the models.

The sentiment training sets are small (about 3,400 German texts); a lexicon knows the
polarity of words those texts never contain. Both lexicons are matched on Snowball stems so
"schönen" finds "schön". Files and licences: `lexicon_data/` (German Polarity Lexicon,
Apache 2.0; VADER, MIT).
"""

from __future__ import annotations

import math
import re
from functools import cache
from pathlib import Path

import numpy as np
import Stemmer

LEXICON_DIRECTORY = Path(__file__).resolve().parent / "lexicon_data"
NEGATIONS = frozenset(
    "not no never nothing nobody none nor cannot cant dont doesnt didnt isnt wasnt wont "
    "nicht kein keine keinen keinem keiner nie niemals nichts niemand ohne".split()
)
NEGATION_REACH = 3  # a negation flips the polarity of the next three words
# Words and clause boundaries: a negation does not reach past a comma or a "but".
WORD_PATTERN = re.compile(r"(?u)\b\w[\w']*\b|[,.;:!?]")
CLAUSE_BREAKS = frozenset({",", ".", ";", ":", "!", "?", "aber", "but", "doch", "however", "sondern"})
# Column meaning of `polarity_features`.
FEATURE_NAMES = (
    "positive_sum",
    "negative_sum",
    "has_positive",
    "has_negative",
    "balance",
    "has_negation",
    "exclamations",
    "questions",
)
FEATURE_COUNT = len(FEATURE_NAMES)


class PolarityLexicon:
    """Stem → polarity in [-1, 1] for German and English, looked up language-blind."""

    def __init__(self) -> None:
        self.german_stemmer = Stemmer.Stemmer("german")
        self.english_stemmer = Stemmer.Stemmer("english")
        self.polarity: dict[str, float] = {}
        for language, stemmer in (("de", self.german_stemmer), ("en", self.english_stemmer)):
            stems: dict[str, list[float]] = {}
            for line in (LEXICON_DIRECTORY / f"polarity_{language}.txt").read_text().splitlines():
                if not line or line.startswith("#"):
                    continue
                word, value = line.split("\t")
                stems.setdefault(stemmer.stemWord(word), []).append(float(value))
                self.polarity.setdefault(word, float(value))
            for stem, values in stems.items():
                self.polarity.setdefault(stem, sum(values) / len(values))

    def word_polarity(self, word: str) -> float:
        """Polarity of one lower-cased word (0.0 when neither lexicon knows it)."""
        value = self.polarity.get(word)
        if value is None:
            value = self.polarity.get(self.german_stemmer.stemWord(word))
        if value is None:
            value = self.polarity.get(self.english_stemmer.stemWord(word))
        return value or 0.0

    def features(self, normalized_texts: list[str]) -> np.ndarray:
        """FEATURE_COUNT columns per text (see FEATURE_NAMES), roughly in 0..1."""
        rows = np.zeros((len(normalized_texts), FEATURE_COUNT), dtype=np.float32)
        for index, text in enumerate(normalized_texts):
            positive = negative = 0.0
            negated_until = -1
            words = WORD_PATTERN.findall(text)
            for position, word in enumerate(words):
                if word in CLAUSE_BREAKS:
                    negated_until = -1
                    continue
                if word.replace("'", "") in NEGATIONS:
                    negated_until = position + NEGATION_REACH
                    rows[index, 5] = 1.0
                    continue
                value = self.word_polarity(word)
                if position <= negated_until:
                    value = -value
                if value > 0:
                    positive += value
                elif value < 0:
                    negative -= value
            rows[index, 0] = math.log1p(positive)
            rows[index, 1] = math.log1p(negative)
            rows[index, 2] = float(positive > 0)
            rows[index, 3] = float(negative > 0)
            rows[index, 4] = math.tanh(positive - negative)
            rows[index, 6] = min(text.count("!"), 3) / 3
            rows[index, 7] = min(text.count("?"), 3) / 3
        return rows


@cache
def polarity_lexicon() -> PolarityLexicon:
    """The lexicon, loaded once per process."""
    return PolarityLexicon()
