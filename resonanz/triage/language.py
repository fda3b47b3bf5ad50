"""Language identification with lingua, restricted to the languages a workspace expects."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

# Mentions, links, hashtag signs and digits say nothing about the language and mislead
# detection on short texts ("@DB_Bahn thanks" is English).
NOISE_PATTERN = re.compile(r"@\w+|https?://\S+|www\.\S+|#|\d+")
MIN_LETTERS = 3

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


def detect_languages(texts: Sequence[str], languages: Sequence[str]) -> list[str]:
    """ISO 639-1 code per text among `languages`, or "" when a text has too few letters."""
    allowed = {code.lower() for code in languages}
    detector = detector_for(languages)
    cleaned = [NOISE_PATTERN.sub(" ", text) for text in texts]
    codes: list[str] = []
    for text in cleaned:
        if sum(character.isalpha() for character in text) < MIN_LETTERS:
            codes.append("")
            continue
        language = detector.detect_language_of(text)
        code = language.iso_code_639_1.name.lower() if language is not None else ""
        codes.append(code if code in allowed else "")
    return codes
