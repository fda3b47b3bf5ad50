"""Language identification with lingua, restricted to the languages a workspace expects."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

# Mentions, links, hashtag signs and digits say nothing about the language and mislead
# detection on short texts ("@DB_Bahn thanks" is English).
NOISE_PATTERN = re.compile(r"@\w+|https?://\S+|www\.\S+|#|\d+")
MIN_LETTERS = 3
ENOUGH_LETTERS_PATTERN = re.compile(rf"[^\W\d_](?:.*?[^\W\d_]){{{MIN_LETTERS - 1}}}", re.DOTALL)
# Below this lingua (low-accuracy mode) confidence, a German/English candidate is re-decided
# by the referee: lingua's high-accuracy mode would cost ~240 MB and 2 s to load, and most
# of its errors on our texts are English tweets guessed as German or Dutch.
REFEREE_BELOW_CONFIDENCE = 0.8
REFEREE_LANGUAGES = frozenset({"de", "en"})

# Decides German vs English for texts lingua is unsure about; returns "de" or "en".
Referee = Callable[[list[str]], list[str]]

_detectors: dict[tuple[str, ...], LanguageDetector] = {}
_detectors_lock = threading.Lock()


def to_lingua(code: str) -> Language:
    """The lingua Language for an ISO 639-1 code; ValueError names the unknown code."""
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except AttributeError:
        raise ValueError(f"unknown ISO 639-1 language code {code!r}") from None


def detector_for(languages: Sequence[str]) -> LanguageDetector:
    """A detector for exactly these languages, built once per set and shared by threads."""
    key = tuple(sorted({code.lower() for code in languages}))
    with _detectors_lock:
        detector = _detectors.get(key)
        if detector is None:
            lingua_languages = [to_lingua(code) for code in key]
            if len(lingua_languages) == 1:
                # lingua needs two candidates; a one-language workspace still reports that one.
                other = Language.ENGLISH if key != ("en",) else Language.GERMAN
                lingua_languages.append(other)
            detector = (
                LanguageDetectorBuilder.from_languages(*lingua_languages)
                .with_low_accuracy_mode()
                .build()
            )
            _detectors[key] = detector
        return detector


def detect_languages(
    texts: Sequence[str], languages: Sequence[str], referee: Referee | None = None
) -> list[str]:
    """ISO 639-1 code per text among `languages`, or "" when a text has too few letters.

    When German and English are both expected and lingua's best guess is uncertain with
    German or English among its top three, `referee` (trained on our German and English
    data) decides between the two.
    """
    allowed = {code.lower() for code in languages}
    detector = detector_for(languages)
    use_referee = referee is not None and allowed >= REFEREE_LANGUAGES
    codes: list[str] = []
    disputed: list[int] = []
    for index, raw in enumerate(texts):
        text = NOISE_PATTERN.sub(" ", raw)
        if not ENOUGH_LETTERS_PATTERN.search(text):
            codes.append("")
            continue
        confidences = detector.compute_language_confidence_values(text)
        if not confidences:
            codes.append("")
            continue
        code = confidences[0].language.iso_code_639_1.name.lower()
        codes.append(code if code in allowed else "")
        if use_referee and confidences[0].value < REFEREE_BELOW_CONFIDENCE:
            top_three = {c.language.iso_code_639_1.name.lower() for c in confidences[:3]}
            if top_three & REFEREE_LANGUAGES:
                disputed.append(index)
    if disputed and referee is not None:
        for index, code in zip(disputed, referee([texts[i] for i in disputed]), strict=True):
            codes[index] = code
    return codes
