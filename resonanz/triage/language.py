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
# lingua is sure of a third language on short English messages that hold a word it knows
# from there ("How do I reset my password?" is Italian at 0.996, "Is the sunscreen
# reef-safe?" Dutch). When the referee is at least this sure of English, it overrules. Not
# towards German: the referee reads Dutch as German (model card, on language detection).
REFEREE_OVERRULES_AT = 0.9

# Decides German vs English for the given texts: ("de" or "en", its probability) per text.
Referee = Callable[[list[str]], list[tuple[str, float]]]

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

    When German and English are both expected, `referee` (trained on our German and
    English data) decides between the two where lingua's best guess is uncertain with
    German or English among its top three, and overrules lingua's guess of a third
    language where the referee is sure of English.
    """
    allowed = {code.lower() for code in languages}
    detector = detector_for(languages)
    use_referee = referee is not None and allowed >= REFEREE_LANGUAGES
    codes: list[str] = []
    disputed: list[int] = []
    third: list[int] = []
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
        if not use_referee:
            continue
        if confidences[0].value < REFEREE_BELOW_CONFIDENCE:
            top_three = {c.language.iso_code_639_1.name.lower() for c in confidences[:3]}
            if top_three & REFEREE_LANGUAGES:
                disputed.append(index)
                continue
        if code not in REFEREE_LANGUAGES:
            third.append(index)
    if referee is not None and (disputed or third):
        decisions = referee([texts[index] for index in disputed + third])
        for index, (code, _) in zip(disputed, decisions[: len(disputed)], strict=True):
            codes[index] = code
        for index, (code, probability) in zip(third, decisions[len(disputed) :], strict=True):
            if code == "en" and probability >= REFEREE_OVERRULES_AT:
                codes[index] = code
    return codes
