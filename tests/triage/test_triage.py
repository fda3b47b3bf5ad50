"""Behaviour of the triage core through its public surface: pipeline, predict_task, CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from resonanz.triage.cli import main
from resonanz.triage.labels import (
    INTENT_LABELS,
    OFFENSIVE_KINDS,
    PRIORITY_LABELS,
    SENTIMENT_LABELS,
    TASK_LABELS,
)
from resonanz.triage.pipeline import ARTIFACTS_DIRECTORY, Triage, TriageResult, get_triage
from resonanz.triage.workspace_learning import WorkspaceAdjustment

ARTIFACT_BUDGET_BYTES = 60 * 1024 * 1024


@pytest.fixture(scope="module")
def triage() -> Triage:
    return get_triage()


def test_batch_returns_one_result_per_text_with_known_labels(triage: Triage) -> None:
    texts = ["Danke, super Service!", "Where is my refund?", "", "ok"]
    results = triage.triage_batch(texts)
    assert len(results) == len(texts)
    for result in results:
        assert isinstance(result, TriageResult)
        assert result.sentiment in SENTIMENT_LABELS
        assert result.offensive in TASK_LABELS["offensive"]
        assert result.offensive_kind in ("", *OFFENSIVE_KINDS)
        assert result.spam in TASK_LABELS["spam"]
        assert result.intent in INTENT_LABELS
        assert result.priority in PRIORITY_LABELS
        assert 0.0 <= result.urgency <= 1.0
        for score in (result.sentiment_score, result.offensive_score, result.spam_score):
            assert 0.0 <= score <= 1.0
        assert set(result.why) >= {"sentiment", "offensive", "spam", "intent", "urgency"}


def test_empty_batch_and_misaligned_reach(triage: Triage) -> None:
    assert triage.triage_batch([]) == []
    with pytest.raises(ValueError, match="author_reach"):
        triage.triage_batch(["a", "b"], author_reach=[1])


def test_german_insult_is_offensive_and_an_insult(triage: Triage) -> None:
    result = triage.triage_one("Du bist ein dummer, widerlicher Idiot und ein Vollpfosten!")
    assert result.offensive == "offensive"
    assert result.offensive_kind in ("insult", "hate", "profanity")
    assert result.language == "de"


def test_polite_german_message_is_not_offensive(triage: Triage) -> None:
    # A plain "Vielen Dank für die Hilfe" is neutral in GermEval 2017's annotation (most of
    # its thank-yous are), so the positive example carries its own praise.
    result = triage.triage_one("Super Service, vielen Dank, ihr seid toll!")
    assert result.offensive == "other"
    assert result.sentiment == "positive"
    assert result.intent == "praise"


def test_names_called_at_the_addressee_are_offensive_whatever_the_praise(
    triage: Triage,
) -> None:
    mixed, plain = triage.triage_batch(["Mega Produkt, ihr Spasten!", "Mega Produkt, ihr Lieben!"])
    assert (mixed.offensive, mixed.offensive_kind) == ("offensive", "insult")
    assert mixed.offensive_score >= 0.8
    assert mixed.why["offensive"][0] == "ihr spasten"
    assert plain.offensive == "other"


def test_threat_is_offensive_of_kind_threat(triage: Triage) -> None:
    result = triage.triage_one("If you don't fix this I will kill you")
    assert (result.offensive, result.offensive_kind) == ("offensive", "threat")


def test_obvious_sms_spam_is_spam_and_a_chat_is_ham(triage: Triage) -> None:
    spam, ham = triage.triage_batch(
        [
            "WINNER!! You have been selected to receive a £900 prize reward! "
            "To claim call 09061701461. Claim code KL341. Valid 12 hours only.",
            "Hey, are we still meeting for lunch tomorrow at noon?",
        ]
    )
    assert spam.spam == "spam"
    assert ham.spam == "ham"
    assert spam.priority == "low"


def test_a_pay_per_click_link_is_spam_however_friendly_the_words(triage: Triage) -> None:
    (result,) = triage.triage_batch(
        ["Discover a beautiful song of a young singer http://www.linkbucks.com/AcN2g"]
    )
    assert result.spam == "spam"
    assert "known-bad domain" in result.why["spam"]


CUSTOMER_MONEY_MESSAGES = [
    "How much does the yearly subscription cost?",
    "I cancelled my subscription last month and was charged again. Please check.",
    "Wie kann ich mein Abo kündigen? Die Frist ist mir nicht klar.",
    "Is there a free trial, and will I be charged automatically when it ends?",
    "Ihr habt mir 29,99 € doppelt abgebucht, bitte erstatten.",
    "Can I claim a refund for the concert that was cancelled?",
    "Gilt der Rabattcode auch für Bestandskunden?",
    "My promo code says invalid at checkout, can you help?",
    "Wann bekomme ich mein Geld für die Rücksendung zurück?",
    "Do you offer a student discount on the premium plan?",
]
CUSTOMER_POSTS_WITH_LINKS = [
    "@Skyways my suitcase came off the belt torn open, photo: https://pic.example.com/a81x",
    "So sah mein Paket heute aus 😡 https://imgur.example.com/k2P9 Bitte um Rückmeldung.",
    "The tracking page says delivered but nothing is here: https://track.example.com/77123",
    "Euer Link im Newsletter führt ins Leere: https://shop.example.de/aktion-winter",
    "Loving the new store in Leeds! http://instagr.example.com/p/xyz",
    "Hier der Screenshot vom Fehler in der App: https://i.example.com/err.png",
]
SOCIAL_SPAM_MESSAGES = [
    "Folgt mir für tägliche Gutscheine und Deals 👉 Link in meiner Bio",
    "Verdiene 400 € am Tag von zu Hause aus, schreib mir einfach eine DM 💰",
    "Make $300 a day from your phone, message me on WhatsApp for details",
    "Congrats!! You were picked as our winner, claim your prize at prize-center-now.com",
    "Hallo, hier ist der offizielle Support. Schick uns deine Kundennummer per WhatsApp.",
    "sub4sub? i always sub back 🔥 check my channel",
]


def test_customer_messages_about_money_are_ham_and_social_spam_is_spam(triage: Triage) -> None:
    # SMS spam of 2015 made "subscription", "charged" and "claim" spam words; a customer
    # asking about them must reach the team (no SLA clock starts for spam). Written for this
    # test, not taken from any training or evaluation set; one miss of each kind is allowed
    # (a statistical model), more is a regression.
    results = triage.triage_batch(CUSTOMER_MONEY_MESSAGES + SOCIAL_SPAM_MESSAGES)
    flags = [result.spam for result in results]
    assert flags[: len(CUSTOMER_MONEY_MESSAGES)].count("spam") <= 1
    assert flags[len(CUSTOMER_MONEY_MESSAGES) :].count("ham") <= 1


def test_a_customer_post_with_a_link_is_not_spam_for_the_link(triage: Triage) -> None:
    # YouTube spam is links, and real tweets to brands carry photos and tracking links.
    results = triage.triage_batch(CUSTOMER_POSTS_WITH_LINKS)
    assert [result.spam for result in results].count("spam") <= 1


def test_spam_is_judged_by_the_expert_for_the_kind_of_text(triage: Triage) -> None:
    # A text message, a comment under a video and a message to a brand: each reaches the
    # spam expert of its genre, and the flag is explained by that expert's words.
    texts = [
        "URGENT! Your mobile No. was awarded £2000 bonus prize. Call 09066362206 now",
        "Check out my channel for more music covers!!! Subscribe please :)",
        "Hallo, mein Paket ist seit Montag unterwegs. Könnt ihr nachsehen, wo es steckt?",
    ]
    router = triage.models["spam.genre"]
    shares = router.probabilities(triage.featurizer.transform(texts))
    assert [router.classes[column] for column in shares.argmax(axis=1)] == [
        "sms",
        "comments",
        "messages",
    ]
    results = triage.triage_batch(texts)
    assert [result.spam for result in results] == ["spam", "spam", "ham"]
    assert results[0].why["spam"] and results[2].why["spam"] == []


def test_a_storm_of_identical_messages_is_not_spam(triage: Triage) -> None:
    # During an outage many customers write the same words; they must reach the team.
    complaint = "Preiserhöhung um 30 % und dann noch schlechter Service. Enttäuschend."
    thanks = "Ich wollte nur sagen: Eure Hotline war heute sehr freundlich. Danke!"
    results = triage.triage_batch([complaint] * 5 + [thanks] * 4)
    assert [result.spam for result in results] == ["ham"] * 9


def test_the_same_link_post_many_times_is_more_spam_than_once(triage: Triage) -> None:
    post = "Schaut mal auf meinem Kanal vorbei, neue Videos jeden Tag: http://example.com/kanal"
    (once,) = triage.triage_batch([post])
    campaign = triage.triage_batch([post] * 4 + ["Wann öffnet ihr morgen?"])
    assert campaign[0].spam == "spam"
    assert campaign[0].spam_score > once.spam_score
    assert "repeated text" in campaign[0].why["spam"]
    assert "repeated text" not in once.why.get("spam", [])
    assert campaign[-1].spam == "ham"


@pytest.mark.parametrize(
    "cases",
    [
        [
            ("Der Zug hatte schon wieder eine Stunde Verspätung, das ist ärgerlich.", "de"),
            ("The flight was delayed again and nobody told us anything.", "en"),
            ("@DB_Bahn danke für die schnelle Antwort!", "de"),
            ("!!!", ""),
        ],
        # lingua alone is 99.6 % sure "How do I reset my password?" is Italian ("password"
        # is an Italian word too); the referee overrules it towards English, never towards
        # German, and leaves messages that really are in another language alone.
        [
            ("How do I reset my password?", "en"),
            ("Non riesco a cambiare la password dell'account, mi aiutate?", "it"),
            ("Waarom is mijn bestelling nog steeds niet bezorgd?", "nl"),
            ("Où puis-je télécharger ma facture du mois dernier ?", "fr"),
        ],
    ],
    ids=["german-and-english", "english-with-a-loanword"],
)
def test_language_of_short_messages(triage: Triage, cases: list[tuple[str, str]]) -> None:
    labels = triage.predict_task("language", [text for text, _ in cases])
    assert [label for label, _ in labels] == [language for _, language in cases]


def test_language_detection_respects_workspace_languages(triage: Triage) -> None:
    ((label, _),) = triage.predict_task(
        "language", ["Bonjour, je voudrais annuler ma commande."], languages=("de", "en")
    )
    assert label in ("de", "en")


def test_cancellation_with_lawyer_is_urgent_praise_is_not(triage: Triage) -> None:
    angry, lawyer, praise = triage.triage_batch(
        [
            "Ich kündige hiermit meinen Vertrag! Seit drei Wochen keine Antwort, "
            "mein Anwalt und die Verbraucherzentrale sind informiert.",
            "This is a data breach. I want a refund or my lawyer will contact you.",
            "Thank you so much, you are the best!",
        ]
    )
    assert angry.priority in ("high", "urgent")
    assert lawyer.priority in ("high", "urgent")
    assert angry.urgency > praise.urgency + 0.3
    assert any(reason.startswith("risk:") for reason in angry.why["urgency"])
    assert praise.priority == "low"


def test_a_risk_word_in_an_unhappy_message_is_high_priority(triage: Triage) -> None:
    from resonanz.triage.urgency import UrgencyInputs, compute_urgency

    def priority(intent: str, sentiment: str, text: str) -> str:
        inputs = UrgencyInputs(
            text=text,
            intent=intent,
            intent_score=0.4,
            sentiment=sentiment,
            sentiment_score=0.45,
            offensive="other",
            offensive_score=0.9,
            offensive_kind="",
            spam="ham",
        )
        return compute_urgency(inputs)[1]

    # Whatever the models made of it: a lawyer in an unhappy or neutral message is high.
    threat = "Ihr habt meine Daten weitergegeben. Mein Anwalt ist informiert."
    assert priority("praise", "negative", threat) == "high"
    assert priority("other", "neutral", threat) == "high"
    # Thanks for a refund is no risk, and without a risk word the floor does not apply.
    assert priority("praise", "positive", "Danke für die schnelle Erstattung!") == "normal"
    assert priority("other", "negative", "Das Wetter ist schlecht.") == "low"
    assert triage.triage_one(threat).priority in ("high", "urgent")


def test_reach_and_reactions_raise_urgency(triage: Triage) -> None:
    text = "My order never arrived, where is it?"
    quiet = triage.triage_one(text)
    loud = triage.triage_one(text, author_reach=500_000, reactions=800)
    assert loud.urgency > quiet.urgency


def test_why_names_words_from_the_text(triage: Triage) -> None:
    text = "Thank you, the support team was amazing and friendly!"
    result = triage.triage_one(text)
    assert result.sentiment == "positive"
    assert result.why["sentiment"]
    for word in result.why["sentiment"]:
        assert word in text.lower()


def test_flags_are_explained_and_their_absence_is_not(triage: Triage) -> None:
    friendly, insult, spam = triage.triage_batch(
        [
            "Thank you, the support team was amazing and friendly!",
            "Ihr seid doch alle komplett unfähig, ihr Vollidioten.",
            "WINNER!! Claim your free bitcoin now at http://bit.do/free-btc",
        ]
    )
    assert friendly.offensive == "other" and friendly.spam == "ham"
    assert friendly.why["offensive"] == [] and friendly.why["spam"] == []
    assert friendly.why["sentiment"] and friendly.why["intent"]
    assert insult.offensive == "offensive" and insult.why["offensive"]
    assert spam.spam == "spam" and spam.why["spam"]


@pytest.mark.parametrize("task", sorted(TASK_LABELS))
def test_predict_task_labels_are_the_contract(triage: Triage, task: str) -> None:
    texts = ["Wie viel kostet das?", "Great service, thanks!", "you idiot", "Free bitcoin here"]
    predictions = triage.predict_task(task, texts)
    assert len(predictions) == len(texts)
    for label, score in predictions:
        assert label in (*TASK_LABELS[task], "")
        assert 0.0 <= score <= 1.0


def test_unknown_task_is_rejected(triage: Triage) -> None:
    with pytest.raises(ValueError, match="unknown task"):
        triage.predict_task("mood", ["hi"])


def test_predict_cli_roundtrip(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    target = tmp_path / "out.csv"
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "lang"])
        writer.writerow(["a1", "Ihr seid die größten Vollidioten, ihr Penner", "de"])
        writer.writerow(["a2", "Thank you for the quick help!", "en"])
        writer.writerow(["a3", 'Text with "quotes", commas\nand a newline', ""])
    assert main(["predict", "--task", "offensive", "--in", str(source), "--out", str(target)]) == 0
    with target.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == ["a1", "a2", "a3"]
    assert list(rows[0]) == ["id", "label", "score"]
    assert rows[0]["label"] == "offensive"
    assert rows[1]["label"] == "other"
    assert all(0.0 <= float(row["score"]) <= 1.0 for row in rows)


def test_predict_cli_rejects_csv_without_text_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("id,message\n1,hello\n")
    code = main(
        ["predict", "--task", "spam", "--in", str(source), "--out", str(tmp_path / "o.csv")]
    )
    assert code == 2
    assert "text" in capsys.readouterr().err


def test_artifacts_fit_the_size_budget() -> None:
    files = [path for path in ARTIFACTS_DIRECTORY.rglob("*") if path.is_file()]
    assert files, "no artifacts: run `python -m resonanz.triage.cli train`"
    assert sum(path.stat().st_size for path in files) < ARTIFACT_BUDGET_BYTES


EVENT_POSTS = [
    "Flohmarkt am Samstag im Gemeindehaus, ab 9 Uhr, alle sind willkommen!",
    "Unser Sportverein sucht noch Helfer für das Sommerfest, meldet euch bei mir.",
    "Am Sonntag ist Tag der offenen Tür bei der Freiwilligen Feuerwehr Oberdorf.",
    "Kuchenbasar der 4b am Freitag in der Pausenhalle, der Erlös geht an die Klassenfahrt.",
    "Wer hat Lust auf den Stadtlauf? Anmeldung läuft noch bis Mittwoch.",
    "Konzert unserer Blaskapelle am Samstagabend im Festzelt, Eintritt frei!",
]


def test_corrections_change_only_the_workspace_that_made_them(triage: Triage) -> None:
    # A workspace whose page is flooded by announcements of local events, off its topic,
    # marks them as spam; the base model calls them ham (they sell nothing).
    # The next announcement of the same kind (the same club's summer party again).
    new_post = "Sommerfest vom Sportverein am Samstag, Helfer gesucht, meldet euch!"
    ((before, _),) = triage.predict_task("spam", [new_post])
    assert before == "ham"
    adjustment = triage.learn_from_corrections("spam", EVENT_POSTS, ["spam"] * 6)
    restored = WorkspaceAdjustment.from_bytes(adjustment.to_bytes())
    ((after, _),) = triage.predict_task("spam", [new_post], adjustments={"spam": restored})
    assert after == "spam"
    # Another workspace (no adjustment) still sees ham, and an ordinary question stays ham.
    ((other_workspace, _),) = triage.predict_task("spam", [new_post])
    assert other_workspace == "ham"
    ((question, _),) = triage.predict_task(
        "spam",
        ["Wann öffnet ihr morgen, und habt ihr noch Plätze frei?"],
        adjustments={"spam": restored},
    )
    assert question == "ham"


def test_correction_gain_reports_base_and_learned_accuracy(triage: Triage) -> None:
    gain = triage.correction_gain("spam", EVENT_POSTS, ["spam"] * 6, folds=3)
    assert gain.base < 0.5
    assert gain.new_wording > gain.base
    # In order, the first block (two posts) has nothing before it to learn from.
    assert gain.base < gain.in_order <= 4 / 6


def test_correction_gain_never_judges_a_copy_by_a_model_that_learned_it(triage: Triage) -> None:
    # One announcement posted over and over, marked spam each time: the corrections teach
    # that text, but for new wording no copy may be judged by an adjustment fitted on
    # another copy.
    copies = [EVENT_POSTS[0]] * 6 + [EVENT_POSTS[0].upper()] * 2
    ((before, _),) = triage.predict_task("spam", [EVENT_POSTS[0]])
    assert before == "ham"
    learned_alone = triage.learn_from_corrections("spam", copies[:3], ["spam"] * 3)
    ((after, _),) = triage.predict_task(
        "spam", [EVENT_POSTS[0]], adjustments={"spam": learned_alone}
    )
    assert after == "spam"  # so a fold split across the copies would show a gain
    gain = triage.correction_gain("spam", copies, ["spam"] * len(copies), folds=3)
    assert gain.base == gain.new_wording == 0.0
    # In order, each copy is judged by what the copies before it taught: the first block
    # of three (copies of the later ones, which never teach it) by the base model, the
    # other five by an adjustment that learned the post.
    assert gain.in_order == 5 / 8
    # Nor by one that learned from a near-copy: the same post for another town.
    towns = ["Oberdorf", "Unterdorf", "Mitteldorf", "Neustadt", "Altstadt", "Bergheim"]
    near = [
        f"Flohmarkt am Samstag im Gemeindehaus {town}, ab 9 Uhr, alle willkommen!" for town in towns
    ]
    gain = triage.correction_gain("spam", near, ["spam"] * len(near), folds=3)
    assert gain.base == gain.new_wording
    # With other texts beside the copies, the gain in new wording comes from them only.
    mixed = copies + EVENT_POSTS[1:]
    gain = triage.correction_gain("spam", mixed, ["spam"] * len(mixed), folds=3)
    assert gain.base < 0.5 and gain.new_wording > gain.base


def test_corrections_with_unknown_labels_are_rejected(triage: Triage) -> None:
    with pytest.raises(ValueError, match="not spam labels"):
        triage.learn_from_corrections("spam", ["hello"], ["not spam"])


def test_a_negative_message_about_a_price_is_no_lead(triage: Triage) -> None:
    from resonanz.triage.intent_seed import label_by_cues

    price_rant = "Wer hat sich diese Preiserhöhung ausgedacht?"
    assert label_by_cues("Was kostet das Jahresabo?", "neutral", inbox=True)[0] == "lead"
    assert label_by_cues(price_rant, "negative", inbox=True)[0] != "lead"
    assert label_by_cues(price_rant, "negative")[0] == "lead"  # the seed set's rule
    (result,) = triage.triage_batch(["Was für ein Idiot hat sich diese Preiserhöhung ausgedacht?"])
    assert result.intent != "lead"


def test_a_failed_service_reported_calmly_is_more_urgent_than_a_question(triage: Triage) -> None:
    outage, question = triage.triage_batch(
        ["Internet down since yesterday in our street, any ETA?", "When do you open?"]
    )
    assert (outage.intent, outage.sentiment) == ("complaint", "neutral")
    assert "failed service" in outage.why["urgency"]
    assert outage.priority in ("normal", "high") and outage.urgency > question.urgency + 0.1


def test_a_failed_service_without_a_negative_mood_is_a_complaint_only_in_the_inbox() -> None:
    from resonanz.triage.intent_seed import label_by_cues

    outage = "Internet down since yesterday in our street, any ETA?"
    assert label_by_cues(outage, "neutral", inbox=True) == ("complaint", "failed service")
    # The seed rules read tweets about anything with their gold mood: a neutral one stays.
    assert label_by_cues(outage, "neutral")[0] == "question"
    # Glad it works again: no complaint.
    assert label_by_cues("Internet geht wieder, danke!", "positive", inbox=True)[0] == "praise"


def test_mood_leans_intent_only_when_nothing_else_speaks(triage: Triage) -> None:
    texts = ["Die App stürzt bei jedem Login ab. Update hat nichts gebracht.", "Ok."]
    crash, ok = triage.triage_batch(texts)
    assert crash.sentiment == "negative"
    assert (crash.intent, crash.why["intent"][0]) == ("complaint", "mood:negative")
    # Too short to be sure of its mood: no lean.
    assert ok.intent == "other"
    # Without the rule (weights zero, as `evaluate` scores the model alone) it stays other.
    weights = triage.intent_cue_weights
    triage.intent_cue_weights = dict.fromkeys(weights, 0.0)
    try:
        (model_only,) = triage.triage_batch(texts[:1])
    finally:
        triage.intent_cue_weights = weights
    assert model_only.intent != "complaint" or model_only.intent_score < crash.intent_score


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Mein Paket ist immer noch nicht angekommen, das ist eine Frechheit.", "complaint"),
        ("My order arrived broken and nobody answers my emails.", "complaint"),
        ("Wie viel kostet das Jahresabo?", "lead"),
        ("Wann habt ihr morgen geöffnet?", "question"),
        ("Es wäre super, wenn die App einen Dark Mode hätte.", "feedback"),
        ("You should add a search bar to the app.", "feedback"),
        ("Love this product, thank you so much!", "praise"),
        # Asked as questions, but a wish to buy, a suggestion and a complaint.
        ("Habt ihr den Mantel auch in XL?", "lead"),
        ("Gibt es den Rucksack noch in Schwarz?", "lead"),
        ("Versendet ihr auch nach Belgien?", "lead"),
        ("Könnten Sie in der App eine Suche nach Filialen einbauen?", "feedback"),
        ("Wie wär's mit einer Version ohne Zucker?", "feedback"),
        ("Warum dauert die Erstattung so lange?? Das ist doch lächerlich.", "complaint"),
        ("Könnten Sie mir sagen, wann die Filiale öffnet?", "question"),
        # Asking for a feature is feedback; asking to be added to something is not.
        ("Can you add Apple Pay please?", "feedback"),
        ("Könnt ihr bitte auch PayPal anbieten?", "feedback"),
        ("@united can you add me to the 6pm flight to Denver?", "question"),
        # A failed service asked about is a complaint; a how-to question is not.
        ("Our office internet has been down since Monday, any update?", "complaint"),
        ("Ich kann mich seit gestern nicht mehr einloggen, woran liegt das?", "complaint"),
        ("Wie kann ich mich in der App anmelden?", "question"),
        ("Die App lädt seit dem Update extrem langsam.", "complaint"),
        # A request from a business, without a question mark, is a lead.
        ("Anfrage Firmenkunden: 12 Arbeitsplätze, Ökostrom gewünscht.", "lead"),
        # A greeting to everyone is friendly, but nothing to answer and no praise.
        ("Euch allen ein schönes Wochenende! 🌞", "other"),
        ("Have a great weekend, everyone!", "other"),
        ("Frohe Feiertage und danke für den tollen Service!", "praise"),
        # Offers for businesses, sizes and shades are leads; the customer's own tariff is not.
        ("Habt ihr auch Geschäftskundentarife?", "lead"),
        ("Do you have the rain jacket in XXL?", "lead"),
        ("Gibt es den Lippenstift auch in einem dunkleren Ton?", "lead"),
        ("Kann ich meinen Tarif auch online wechseln oder muss ich anrufen?", "question"),
    ],
)
def test_intent_of_typical_messages_to_a_brand(triage: Triage, text: str, intent: str) -> None:
    result = triage.triage_one(text)
    assert result.intent == intent
    assert result.why["intent"]


def test_predict_cli_reports_a_file_that_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "latin1.csv"
    source.write_bytes("id,text\n1,Grüße aus Köln\n".encode("latin-1"))
    code = main(
        ["predict", "--task", "language", "--in", str(source), "--out", str(tmp_path / "o")]
    )
    assert code == 2
    assert "UTF-8" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text",
    [
        "Mein Paket ist seit zwei Wochen nicht angekommen und niemand antwortet.",
        "Ich warte jetzt schon 3 Wochen auf meine Erstattung.",
        "Die App stürzt ständig ab, seit dem Update geht gar nichts mehr.",
        "Leider ist die Lieferung beschädigt angekommen.",
        "Mein Konto wurde gesperrt, bitte helft mir.",
        # Inbox words the published lexicon lacks (polarity_de_added.txt).
        "Der Kundenservice ist unterirdisch.",
        "Der Drucker ist nach zwei Tagen kaputt.",
    ],
)
def test_a_german_service_problem_is_a_negative_complaint(triage: Triage, text: str) -> None:
    # No negative word in most of these: the failed service itself carries the complaint.
    result = triage.triage_one(text)
    assert (result.language, result.sentiment, result.intent) == ("de", "negative", "complaint")
    assert result.offensive == "other"


def test_a_cancellation_in_anger_is_a_complaint_of_high_priority(triage: Triage) -> None:
    result = triage.triage_one("Ich kündige meinen Vertrag, das ist eine Frechheit.")
    assert (result.sentiment, result.intent) == ("negative", "complaint")
    assert result.priority in ("high", "urgent")


@pytest.mark.parametrize(
    "text",
    [
        "Worst customer service ever, I want a refund.",
        "@united this is ridiculous, third delay today",
        "This airline is awful, lost my bag again and nobody helps",
    ],
)
def test_an_angry_complaint_without_abuse_is_not_offensive(triage: Triage, text: str) -> None:
    # Moderation hides offensive messages; a customer's complaint must stay visible.
    result = triage.triage_one(text)
    assert result.offensive == "other"
    assert result.sentiment == "negative"


def test_why_names_lexicon_words_and_service_problems(triage: Triage) -> None:
    # Neither text has an n-gram the sentiment data taught; the evidence is the lexicon's.
    angry, waiting = triage.triage_batch(
        [
            "Ich kündige meinen Vertrag, das ist eine Frechheit.",
            "Ich warte jetzt schon 3 Wochen auf meine Erstattung.",
        ]
    )
    assert "frechheit" in angry.why["sentiment"]
    assert "warte jetzt" in waiting.why["sentiment"]
    assert len(waiting.why["sentiment"]) <= 3
