"""The polarity lexicon and the service-problem cue: the dense evidence beside the n-grams."""

from __future__ import annotations

import numpy as np
import pytest

from resonanz.triage.lexicons import SERVICE_PROBLEM_DE_PATTERN
from resonanz.triage.polarity_lexicon import FEATURE_NAMES, PolarityLexicon, polarity_lexicon
from resonanz.triage.text_features import normalize_text


@pytest.fixture(scope="module")
def lexicon() -> PolarityLexicon:
    return polarity_lexicon()


@pytest.mark.parametrize(
    ("word", "sign"),
    [
        ("kündige", -1),  # was "kundig" (knowledgeable, positive) by its folded stem
        ("schön", 1),
        ("schönen", 1),
        ("schon", 0),  # a function word: not "schonen" (to spare) by its stem
        ("größe", 0),  # not "groß"
        ("ärgerlich", -1),
        ("enttäuschend", -1),
        ("besten", 1),  # from the team's additions (polarity_de_added.txt)
        ("abzocke", -1),  # likewise
        ("endlich", 0),  # not "Endlichkeit" (finitude), by the team's overrides
        ("meisten", 0),  # not "meistern", likewise
        ("räuberische", -1),  # a derivation still finds "Räuber"
        ("falschen", -1),  # an inflection still finds "falsch"
        ("enttäuschte", -1),
        ("preise", 0),  # "preisen" (to praise) is neutralised by the team's overrides
        ("kaufen", 0),  # the published lexicon has -0.7
    ],
)
def test_german_words_keep_their_umlauts_and_own_polarity(
    lexicon: PolarityLexicon, word: str, sign: int
) -> None:
    assert np.sign(lexicon.word_polarity(word, "de")) == sign


def test_umlauts_separate_stems_but_inflections_still_match(lexicon: PolarityLexicon) -> None:
    assert lexicon.stem("schönen", "de") == lexicon.stem("schön", "de")
    assert lexicon.stem("schon", "de") != lexicon.stem("schön", "de")
    assert lexicon.stem("kündigen", "de") != lexicon.stem("kundig", "de")
    assert lexicon.stem("running", "en") == "run"


@pytest.mark.parametrize(
    "text",
    [
        "Mein Paket ist seit zwei Wochen nicht angekommen.",
        "Die App stürzt ständig ab.",
        "Ich warte seit Tagen auf eine Antwort.",
        "Mein Konto wurde gesperrt!",
        "Die Lieferung kam beschädigt an.",
        "Seit Tagen keine Rückmeldung.",
    ],
)
def test_german_service_problems_are_counted(lexicon: PolarityLexicon, text: str) -> None:
    column = FEATURE_NAMES.index("de_service_problem")
    assert lexicon.features([normalize_text(text)])[0, column] > 0


@pytest.mark.parametrize(
    "text",
    [
        "Danke, das Paket ist gut angekommen.",
        "Wann habt ihr geöffnet?",
        "Ich bin schon gespannt auf die neue Kollektion.",
    ],
)
def test_texts_without_a_service_problem_are_not_counted(text: str) -> None:
    assert SERVICE_PROBLEM_DE_PATTERN.search(normalize_text(text)) is None


def test_evidence_names_the_words_behind_each_column(lexicon: PolarityLexicon) -> None:
    negative = FEATURE_NAMES.index("de_negative_sum")
    service = FEATURE_NAMES.index("de_service_problem")
    evidence = lexicon.evidence(normalize_text("Ich kündige, das ist eine Frechheit!"))
    assert evidence[negative] == ["frechheit", "kündige"]  # strongest first
    assert lexicon.evidence("das ist nicht gut")[negative] == ["nicht gut"]
    assert lexicon.evidence("ich warte seit wochen")[service] == ["warte seit"]
    # "die" is an English word with a polarity; in a German text it explains nothing.
    assert all("die" not in words for words in lexicon.evidence("die ware ist gut").values())
