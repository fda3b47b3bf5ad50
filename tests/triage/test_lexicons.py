"""The polarity lexicon and the service-problem cue: the dense evidence beside the n-grams."""

from __future__ import annotations

import numpy as np
import pytest

from resonanz.triage.lexicons import (
    ADDRESSED_INSULT_PATTERN,
    INSULT_PATTERN,
    SERVICE_PROBLEM_DE_PATTERN,
    THREAT_PATTERN,
)
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
        # A damning verdict in an idiom, without a negative word.
        "Euer Kundenservice ist echt das Letzte.",
        "Die Beratung war unter aller Sau.",
        "Das ist doch ein Witz, 40 Euro Versand.",
        "Ist das euer Ernst? Schon wieder 20 Minuten Warteschleife.",
        "Wenn das so weitergeht, kündige ich zum Monatsende.",
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
        "Das ist das letzte Mal, dass ich frage: gibt es die Jacke in L?",
        "Der Witz in eurem Video war super.",
        "Das war das letzte Paket vor Weihnachten.",
        "Endlich ein Anbieter, der Ökostrom ernst meint.",
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


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Ihr Abzocker-Wichser, 200€ Nachzahlung??", ["wichser"]),  # a compound's head
        ("Ihr Vollidioten!", ["vollidioten"]),
        ("Was für eine Scheißfirma.", ["scheißfirma"]),
        ("Your guy Tom is a useless prick", ["prick"]),
        ("Ihr seid echt das Letzte!", ["seid echt das letzte"]),  # an idiom, no insult word
        ("Du bist das Letzte.", ["bist das letzte"]),
        ("Ihr Schwachmaten!", ["schwachmaten"]),
        ("hey dipshits, where is my refund", ["dipshits"]),
        # Everyday words that merely contain an insult or share its letters are not one.
        ("Kostenloser Versand und ein Barsch zum Marsch", []),
        ("Der Zug war voller Dreck, die Opfer des Unfalls", []),
        ("Dick's Sporting Goods has a stupid long queue", []),
        ("Ihr seid das letzte Mal zu spät gekommen", []),
        ("Euer Kundenservice ist echt das Letzte", []),  # a complaint about a service
    ],
)
def test_insult_words_are_counted(lexicon: PolarityLexicon, text: str, found: list[str]) -> None:
    normalized = normalize_text(text)
    assert INSULT_PATTERN.findall(normalized) == found
    column = FEATURE_NAMES.index("insult_words")
    assert (lexicon.features([normalized])[0, column] > 0) == bool(found)
    assert lexicon.evidence(normalized).get(column, []) == found


@pytest.mark.parametrize(
    ("text", "threat"),
    [
        ("Wenn ihr nochmal die Einfahrt zuparkt, kriegt ihr eins auf die Fresse.", True),
        ("Wenn das Geld bis Freitag nicht da ist, dann knallt's.", True),
        ("Keep ignoring me and you'll regret it. I know where your office is.", True),
        ("Das wirst du noch bereuen.", True),
        ("Ich weiß, wo du wohnst.", True),
        ("You won't regret it, the course is great!", False),
        ("I know where your store is, I'll come by tomorrow.", False),
        ("Zu Silvester knallt der Korken.", False),
    ],
)
def test_threat_phrasings(text: str, threat: bool) -> None:
    assert bool(THREAT_PATTERN.search(text.lower())) == threat


@pytest.mark.parametrize(
    ("text", "called_names"),
    [
        ("mega produkt, ihr spasten!", True),
        ("du bist so ein vollidiot", True),
        ("you guys are absolute morons", True),
        ("ihr seid solche lappen", True),
        ("die app ist idiotensicher, ihr habt an alles gedacht", False),  # no name, praise
        ("der idiot im auto vor mir", False),  # nobody addressed: left to the model
        ("ihr seid die besten", False),
    ],
)
def test_names_called_at_the_addressee(text: str, called_names: bool) -> None:
    assert bool(ADDRESSED_INSULT_PATTERN.search(text)) is called_names
