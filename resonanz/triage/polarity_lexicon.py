"""Prior word polarity from published lexicons, as a few dense features for the models.

The sentiment training sets are small (about 3,400 German texts); a lexicon knows the
polarity of words those texts never contain. Both lexicons are matched on Snowball stems so
"schönen" finds "schön". Files and licences: `lexicon_data/` (German Polarity Lexicon,
Apache 2.0; VADER, MIT). One more column counts German descriptions of a failed service
(`lexicons.SERVICE_PROBLEM_DE_PATTERN`), which no polarity lexicon marks as negative.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import Stemmer

from resonanz.triage.lexicons import (
    EXPLANATION_STOPWORDS,
    INSULT_PATTERN,
    SERVICE_PROBLEM_DE_PATTERN,
)

LEXICON_DIRECTORY = Path(__file__).resolve().parent / "lexicon_data"
NEGATION_WORDS = (
    "not no never nothing nobody none nor cannot cant dont doesnt didnt isnt wasnt wont "
    "nicht kein keine keinen keinem keiner nie niemals nichts niemand ohne"
)
NEGATIONS = frozenset(NEGATION_WORDS.split())
NEGATION_REACH = 3  # a negation flips the polarity of the next three words
# Words and clause boundaries: a negation does not reach past a comma or a "but".
WORD_PATTERN = re.compile(r"(?u)\b\w[\w']*\b|[,.;:!?]")
CLAUSE_BREAKS = frozenset(
    {",", ".", ";", ":", "!", "?", "aber", "but", "doch", "however", "sondern"}
)
# Column meaning of `PolarityLexicon.features`. German and English polarity are separate
# columns: one language's word can be another's function word ("die").
FEATURE_NAMES = (
    "de_positive_sum",
    "de_negative_sum",
    "de_balance",
    "en_positive_sum",
    "en_negative_sum",
    "en_balance",
    "has_negation",
    "exclamations",
    "questions",
    "de_service_problem",
    "insult_words",
)
FEATURE_COUNT = len(FEATURE_NAMES)
LANGUAGES = ("de", "en")
UMLAUTS = frozenset("äöü")
MEMO_LIMIT = 200_000


class PolarityLexicon:
    """Per language, word or Snowball stem → polarity in [-1, 1]."""

    def __init__(self) -> None:
        self.stemmers = {"de": Stemmer.Stemmer("german"), "en": Stemmer.Stemmer("english")}
        self.polarity: dict[str, dict[str, float]] = {}
        for language in LANGUAGES:
            words: dict[str, float] = {}
            stems: dict[str, list[float]] = {}
            lines = (LEXICON_DIRECTORY / f"polarity_{language}.txt").read_text().splitlines()
            added = LEXICON_DIRECTORY / f"polarity_{language}_added.txt"
            if added.exists():
                lines += added.read_text().splitlines()
            # A later line overrides an earlier one: the team's additions can neutralise a
            # published entry (value 0) whose forms collide with everyday words.
            entries: dict[str, float] = {}
            for line in lines:
                if line and not line.startswith("#"):
                    word, value = line.split("\t")
                    entries[word] = float(value)
            for word, polarity in entries.items():
                words[word] = polarity
                stems.setdefault(self.stem(word, language), []).append(polarity)
            for stem, values in stems.items():
                words.setdefault(stem, sum(values) / len(values))
            self.polarity[language] = words
        self._seen: dict[str, dict[str, float]] = {language: {} for language in LANGUAGES}

    def stem(self, word: str, language: str) -> str:
        """Snowball stem; in German with the word's umlauts appended.

        The German stemmer folds ä, ö, ü into a, o, u (and reads "oe" as "ö"), which made
        "schon" (already) share a stem with "schön" and "kündige" (I cancel) with "kundig"
        (knowledgeable). Keeping the umlauts apart costs only plural forms such as
        "Verträge" the match with "Vertrag". Derivations still meet ("räuberisch" finds
        "Räuber"), which is worth more than it costs (allowing inflections only: XLM-T
        German validation −2.5); the wrong meetings that matter in an inbox ("endlich" as
        "Endlichkeit") are neutralised in the team's file.
        """
        stem = str(self.stemmers[language].stemWord(word))
        if language == "de":
            stem += "|" + "".join(char for char in word if char in UMLAUTS)
        return stem

    def word_polarity(self, word: str, language: str) -> float:
        """Polarity of one lower-cased word in `language` (0.0 when the lexicon lacks it)."""
        # Stemming is the costly part and messages repeat words, so results are memoised
        # (bounded, so a stream of unique tokens cannot grow it without limit).
        seen = self._seen[language]
        value = seen.get(word)
        if value is None:
            words = self.polarity[language]
            value = words.get(word)
            if value is None:
                # A function word only counts when listed as itself: by its stem "schon"
                # (already) would be "schonen" (to spare).
                value = (
                    0.0
                    if word in EXPLANATION_STOPWORDS
                    else words.get(self.stem(word, language), 0.0)
                )
            if len(seen) < MEMO_LIMIT:
                seen[word] = value
        return value

    def _scan(
        self, words: list[str], language: str, found: list[tuple[str, float]] | None = None
    ) -> tuple[float, float, bool]:
        """Summed positive and negative polarity of `words`, and whether a negation occurs.

        A negation flips the next NEGATION_REACH words within its clause. With `found`, each
        word that counted is appended as (word, signed polarity), a negated one as
        "nicht gut".
        """
        positive = negative = 0.0
        negated_until = -1
        negator = ""
        has_negation = False
        for position, word in enumerate(words):
            if word in CLAUSE_BREAKS:
                negated_until = -1
                continue
            if word.replace("'", "") in NEGATIONS:
                negated_until = position + NEGATION_REACH
                negator = word
                has_negation = True
                continue
            value = self.word_polarity(word, language)
            if not value:
                continue
            negated = position <= negated_until
            if negated:
                value = -value
            if value > 0:
                positive += value
            else:
                negative -= value
            if found is not None:
                found.append((f"{negator} {word}" if negated else word, value))
        return positive, negative, has_negation

    def features(
        self,
        normalized_texts: Sequence[str],
        evidence: list[dict[int, list[str]]] | None = None,
    ) -> np.ndarray:
        """FEATURE_COUNT columns per text (see FEATURE_NAMES), roughly in -1..1.

        With `evidence`, the words behind each text's columns are appended to it, one dict
        per text (column index → words, strongest first; see `evidence`), from the same
        pass, so explaining a prediction costs no second reading.
        """
        rows = np.zeros((len(normalized_texts), FEATURE_COUNT), dtype=np.float32)
        for index, text in enumerate(normalized_texts):
            words = WORD_PATTERN.findall(text)
            explained: dict[int, list[str]] = {}
            for offset, language in enumerate(LANGUAGES):
                found: list[tuple[str, float]] | None = [] if evidence is not None else None
                positive, negative, has_negation = self._scan(words, language, found)
                if has_negation:
                    rows[index, 6] = 1.0
                rows[index, 3 * offset] = math.log1p(positive)
                rows[index, 3 * offset + 1] = math.log1p(negative)
                rows[index, 3 * offset + 2] = math.tanh(positive - negative)
                if found:
                    explained.update(explain_polarity(found, offset, positive >= negative))
            rows[index, 7] = min(text.count("!"), 3) / 3
            rows[index, 8] = min(text.count("?"), 3) / 3
            problems = SERVICE_PROBLEM_DE_PATTERN.findall(text)
            rows[index, 9] = min(len(problems), 3) / 3
            insults = INSULT_PATTERN.findall(text)
            rows[index, 10] = min(len(insults), 2) / 2
            if evidence is not None:
                if problems:
                    explained[9] = problems
                if insults:
                    explained[10] = insults
                evidence.append(explained)
        return rows

    def evidence(self, normalized_text: str) -> dict[int, list[str]]:
        """The words behind each word-based column of `features`, strongest first.

        Keys are column indices (see FEATURE_NAMES); a balance column names the words on
        the side it leans to. Columns without words (negation, ! and ?) are left out, and so
        are function words and single letters, as in the n-gram evidence.
        """
        found: list[dict[int, list[str]]] = []
        self.features([normalized_text], found)
        return found[0]


def explain_polarity(
    found: list[tuple[str, float]], offset: int, leans_positive: bool
) -> dict[int, list[str]]:
    """Evidence for one language's three polarity columns (starting at `offset` × 3)."""
    # Function words tell a person nothing (and "die" is English polarity in German).
    kept = sorted(
        (
            (word, value)
            for word, value in found
            if len(word) > 1 and word.rsplit(" ", 1)[-1] not in EXPLANATION_STOPWORDS
        ),
        key=lambda item: -abs(item[1]),
    )
    positive = [word for word, value in kept if value > 0]
    negative = [word for word, value in kept if value < 0]
    columns = {
        3 * offset: positive,
        3 * offset + 1: negative,
        3 * offset + 2: positive if leans_positive else negative,
    }
    return {column: words for column, words in columns.items() if words}


@cache
def polarity_lexicon() -> PolarityLexicon:
    """The lexicon, loaded once per process."""
    return PolarityLexicon()
