"""Training helpers: cross-validation folds, decision offsets, and the data each model reads."""

from __future__ import annotations

import numpy as np
import pytest

from resonanz.triage import intent_seed, training
from resonanz.triage.intent_seed import WRITTEN_INBOX_DATASETS, SeedRow, capped, read_intent_seed
from resonanz.triage.linear_models import LinearModel, mixed_probabilities
from resonanz.triage.text_features import N_FEATURES, PRIOR_FEATURE_COUNT, TextFeaturizer
from resonanz.triage.training import (
    BIAS_GRID,
    Genre,
    ModelRecipe,
    borrowed_part,
    cross_validation_folds,
    fit,
    fit_mixture,
    genre_of_rows,
    intent_split,
    mean_macro_f1,
    sampled_part,
    steady_best,
    within_language_weights,
    without_prior_columns,
)
from resonanz.triage.training_data import LabelledTexts, datasets_directory, load_dataset


def test_folds_keep_copies_of_a_text_together_and_cover_every_stratum() -> None:
    labels = np.array(["a", "b"] * 20)
    sources = np.array(["one"] * 20 + ["two"] * 20)
    keys = [f"text {index}" for index in range(40)]
    keys[25] = keys[3]  # the same text in both sources, as XLM-T and TweetEval share tweets
    folds = cross_validation_folds(labels, sources, keys, folds=4)
    assert folds[25] == folds[3]
    for source in ("one", "two"):
        for label in ("a", "b"):
            stratum = folds[(sources == source) & (labels == label)]
            assert set(stratum.tolist()) == {0, 1, 2, 3}
    # Another seed (the offsets average several): another assignment, copies still together.
    again = cross_validation_folds(labels, sources, keys, folds=4, seed=1)
    assert again[25] == again[3] and not np.array_equal(again, folds)


def _toy_corpus() -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(7)
    words = {
        "rare": ["awful", "broken", "refund"],
        "common": ["hello", "thanks", "fine"],
        "middle": ["when", "where", "how"],
    }
    texts, labels = [], []
    for label, count in (("common", 60), ("middle", 30), ("rare", 12)):
        for _ in range(count):
            own = list(rng.choice(words[label], 2))
            noise = list(rng.choice(sum(words.values(), []), 2))
            texts.append(" ".join(own + noise))
            labels.append(label)
    return texts, labels


def test_decision_offsets_are_folded_into_the_intercept() -> None:
    texts, labels = _toy_corpus()
    featurizer = TextFeaturizer()
    featurizer.fit_idf(texts)
    plain = fit("toy", featurizer, texts, labels, 1.0)
    tuned = fit("toy", featurizer, texts, labels, 1.0, tune_decision_bias=True)
    offsets = np.array([tuned.info["decision_bias"][label] for label in tuned.classes])
    scores = tuned.info["cv_mean_macro_f1"]
    assert scores["with_bias"] >= scores["without_bias"]
    features = featurizer.transform(texts)
    shifted = np.log(plain.probabilities(features)) + offsets
    assert (tuned.probabilities(features).argmax(axis=1) == shifted.argmax(axis=1)).all()


def test_binary_offsets_move_the_decision_like_a_threshold() -> None:
    texts, labels = _toy_corpus()
    binary = ["rare" if label == "rare" else "rest" for label in labels]
    featurizer = TextFeaturizer()
    featurizer.fit_idf(texts)
    plain = fit("toy", featurizer, texts, binary, 1.0, naive_bayes_scaling=True)
    tuned = fit(
        "toy", featurizer, texts, binary, 1.0, naive_bayes_scaling=True, tune_decision_bias=True
    )
    offset = tuned.info["decision_bias"]["rest"] - tuned.info["decision_bias"]["rare"]
    features = featurizer.transform(texts)
    rest = plain.probabilities(features)[:, 1]
    expected = np.log(rest / (1 - rest)) + offset
    tuned_rest = tuned.probabilities(features)[:, 1]
    assert np.allclose(np.log(tuned_rest / (1 - tuned_rest)), expected, atol=1e-4)


def test_offsets_come_from_a_plateau_not_a_lone_peak() -> None:
    zero = int(np.flatnonzero(BIAS_GRID == 0)[0])
    surface = np.full(len(BIAS_GRID), 0.60)
    surface[zero - 3 : zero + 4] = 0.62  # a broad plateau around -0.3 .. +0.3
    surface[2] = 0.63  # one lucky grid point far out
    assert steady_best(surface) == (zero,)  # plateau, and of it the point nearest to 0
    grid = np.full((len(BIAS_GRID), len(BIAS_GRID)), 0.5)
    grid[zero + 4 : zero + 7, zero - 6 : zero - 3] = 0.6
    assert steady_best(grid) == (zero + 5, zero - 5)
    assert BIAS_GRID[[zero + 5, zero - 5]].tolist() == [0.5, -0.5]


def test_mean_macro_f1_leaves_out_single_label_sources() -> None:
    labels = np.array(["a", "b", "a", "b", "other", "other"])
    predicted = np.array(["a", "b", "b", "b", "a", "a"])
    sources = np.array(["one", "one", "two", "two", "borrowed", "borrowed"])
    # one: perfect (1.0); two: a has F1 0, b has F1 2/3 -> 1/3; borrowed is left out.
    assert mean_macro_f1(labels, predicted, sources) == pytest.approx((1.0 + 1 / 3) / 2)


def test_models_without_the_prior_get_no_weight_on_its_columns() -> None:
    texts, labels = _toy_corpus()
    featurizer = TextFeaturizer()
    featurizer.fit_idf(texts)
    features = featurizer.transform(texts).tolil()
    features[:, N_FEATURES - 1] = 1.0  # pretend the prior fired on every text
    masked = without_prior_columns(features.tocsr())
    assert masked[:, N_FEATURES - PRIOR_FEATURE_COUNT :].nnz == 0
    assert (
        masked[:, : N_FEATURES - PRIOR_FEATURE_COUNT].nnz
        == features.tocsr()[:, : N_FEATURES - PRIOR_FEATURE_COUNT].nnz
    )


def test_only_models_trained_with_the_prior_weigh_it() -> None:
    from resonanz.triage.pipeline import ARTIFACTS_DIRECTORY
    from resonanz.triage.profanity_prior import ProfanityPrior

    texts, labels = _toy_corpus()
    texts = [
        f"{text} damn" if label == "rare" else text
        for text, label in zip(texts, labels, strict=True)
    ]
    featurizer = TextFeaturizer(prior=ProfanityPrior.load(ARTIFACTS_DIRECTORY))
    featurizer.fit_idf(texts)
    without = fit("toy", featurizer, texts, labels, 1.0)
    with_prior = fit("toy", featurizer, texts, labels, 1.0, use_prior=True)
    prior_rows = slice(N_FEATURES - PRIOR_FEATURE_COUNT, N_FEATURES)
    assert not without.weights_t[prior_rows].any()
    assert with_prior.weights_t[prior_rows].any()
    assert with_prior.info["profanity_prior"] is True


def test_borrowed_rows_leave_out_profane_complaints() -> None:
    from resonanz.triage.pipeline import get_triage
    from resonanz.triage.training_data import LabelledTexts

    prior = get_triage().featurizer.prior
    assert prior is not None
    part = LabelledTexts(
        dataset="airline_sentiment",
        split="train",
        language="en",
        texts=(
            "@united delayed again, unacceptable",
            "@united you fucking idiots lost my bag",
            "@united thanks, great crew",
        ),
        labels=("negative", "negative", "positive"),
    )
    borrowed = borrowed_part(part, "negative", "other", prior)
    assert borrowed.texts == ("@united delayed again, unacceptable",)
    assert borrowed.labels == ("other",)
    assert borrowed.dataset == "airline_sentiment:negative"


def test_german_rows_are_borrowed_without_the_english_prior() -> None:
    from resonanz.triage.pipeline import get_triage
    from resonanz.triage.training_data import LabelledTexts

    prior = get_triage().featurizer.prior
    assert prior is not None
    texts = ("Ihr seid der Hammer, danke!", "Geiler Service, weiter so")
    part = LabelledTexts(
        dataset="xlmt_sentiment_de",
        split="train",
        language="de",
        texts=texts,
        labels=("positive", "positive"),
    )
    assert borrowed_part(part, "positive", "other", prior).texts == texts


def test_within_language_weights_even_out_labels_per_language_softly() -> None:
    languages = ["de"] * 10 + ["en"] * 10
    labels = ["other"] * 8 + ["complaint"] * 2 + ["question"] * 5 + ["praise"] * 5
    weights = within_language_weights(languages, labels)
    assert weights.mean() == pytest.approx(1.0)
    # German: 8 "other" against 2 complaints; fully balanced would be 4:1, the root 2:1.
    assert weights[8] / weights[0] == pytest.approx(2.0)
    # English is balanced already: every row weighs the same.
    assert np.allclose(weights[10:], weights[10])


def test_the_written_inbox_messages_hold_out_the_same_rows_for_every_task() -> None:
    sentiment_train, sentiment_held = load_dataset("inbox_synthetic_de", datasets_directory())
    offensive_train, offensive_held = load_dataset(
        "inbox_synthetic_de_offensive", datasets_directory()
    )
    assert sentiment_held.texts == offensive_held.texts
    assert not set(sentiment_train.texts) & set(sentiment_held.texts)
    assert set(sentiment_train.labels) == {"positive", "neutral", "negative"}
    assert set(offensive_train.labels) == {"offensive", "other"}


def test_written_intent_rows_train_but_are_never_held_out() -> None:
    rows = read_intent_seed()
    train, held_out = intent_split(rows)
    written = {row.text for row in train if row.source == "inbox_synthetic"}
    assert written
    assert not any(row.source == "inbox_synthetic" for row in held_out)
    # The intent-only written messages train too, both languages, and are never held out.
    intent_written = [row for row in train if row.source == "intent_written"]
    assert {row.language for row in intent_written} == {"de", "en"}
    assert not any(row.source == "intent_written" for row in held_out)
    # Only the training part of the written messages reaches the intent model, and a text
    # of one file's held-out part does not come in through the other file.
    for name in WRITTEN_INBOX_DATASETS:
        _, sentiment_held = load_dataset(name, datasets_directory())
        assert not written & set(sentiment_held.texts)


def test_relabelling_a_few_seed_rows_moves_only_those_in_the_intent_hold_out() -> None:
    rows = [
        SeedRow(f"t-{n}", f"text {n}", "other" if n % 3 else "question", "de", "tweets", "rule")
        for n in range(300)
    ]
    _, held = intent_split(rows)
    assert len([row for row in held if row.label == "question"]) == 20
    assert len([row for row in held if row.label == "other"]) == 40
    # A cue change turns three "other" rows into questions.
    changed = {"t-1", "t-2", "t-4"}
    relabelled = [
        SeedRow(row.id, row.text, "question", "de", "tweets", "rule") if row.id in changed else row
        for row in rows
    ]
    _, held_again = intent_split(relabelled)
    before, after = {row.id for row in held}, {row.id for row in held_again}
    assert len(before ^ after) <= 2 * len(changed)


def test_a_sampled_part_is_seeded_capped_and_relabelled() -> None:
    part = LabelledTexts(
        "support", "train", "en", tuple(f"question {n}" for n in range(50)), ("refund",) * 50
    )
    sample = sampled_part(part, "ham", 20)
    assert len(sample) == 20 and set(sample.labels) == {"ham"}
    assert set(sample.texts) < set(part.texts)
    assert sampled_part(part, "ham", 20).texts == sample.texts
    assert len(sampled_part(part, "ham", 500)) == 50


def test_capping_a_seed_group_keeps_the_other_groups_sample(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(intent_seed, "MAX_PER_SOURCE_AND_LABEL", 5)

    def rows(label: str, count: int, source: str = "airline") -> list[SeedRow]:
        return [
            SeedRow(f"{label}-{n}", f"text {n}", label, "en", source, "rule") for n in range(count)
        ]

    before = capped(rows("other", 20) + rows("praise", 20) + rows("question", 20))
    # A cue change turns two rows of "praise" into "other" (a greeting): only those groups move.
    relabelled = rows("other", 20) + rows("praise", 18) + rows("question", 20)
    relabelled += [
        SeedRow(f"praise-{n}", f"text {n}", "other", "en", "airline", "greeting") for n in (18, 19)
    ]
    after = capped(relabelled)
    assert [row.id for row in after if row.label == "question"] == [
        row.id for row in before if row.label == "question"
    ]
    for label in ("other", "praise"):
        kept = {row.id for row in before if row.label == label}
        now = {row.id for row in after if row.label == label}
        assert len(now) == 5 and len(kept - now) <= 2
    # Manually reviewed rows are always kept, whatever their rank.
    reviewed = [SeedRow(f"manual-{n}", "x", "other", "en", "airline", "manual") for n in range(7)]
    assert {row.id for row in capped(rows("other", 20) + reviewed)} == {r.id for r in reviewed}


GENRES = (Genre("sms", ("sms_spam",), 0.0), Genre("messages", (), 0.1))


def test_rows_get_the_genre_of_their_source_and_the_rest_the_open_genre() -> None:
    genres = genre_of_rows(["sms_spam", "spam_written_de", "airline_sentiment:sample"], GENRES)
    assert genres.tolist() == ["sms", "messages", "messages"]
    with pytest.raises(ValueError, match="at most one genre"):
        genre_of_rows(["sms_spam"], (*GENRES, Genre("comments", (), 0.0)))
    with pytest.raises(ValueError, match="no genre takes"):
        genre_of_rows(["youtube_spam"], GENRES[:1])


def test_a_mixture_routes_each_genre_to_its_own_expert() -> None:
    # Two genres with their own spam: "call now" in text messages, "bitcoin" in messages to
    # a brand, where "please call me" is a customer asking to be called back.
    sms = [f"txt call now {n} win cash" for n in range(30)] + [
        f"txt see you {n} later mate" for n in range(30)
    ]
    messages = [f"dear team bitcoin profit {n} guaranteed" for n in range(30)] + [
        f"dear team please call me about order {n}" for n in range(30)
    ]
    texts = sms + messages
    labels = (["spam"] * 30 + ["ham"] * 30) * 2
    sources = ["sms_spam"] * 60 + ["spam_written_en"] * 60
    recipe = ModelRecipe("spam.any", ("sms_spam", "spam_written_en"), 4.0, genres=GENRES)
    models = fit_mixture("spam.any", TextFeaturizer(), texts, labels, sources, recipe)
    assert set(models) == {"spam.sms", "spam.messages", "spam.genre"}
    router = models["spam.genre"]
    assert router.info["router_of"] == {"messages": "spam.messages", "sms": "spam.sms"}
    # The text-message expert saw its own rows only (weight 0 for the others).
    assert models["spam.sms"].info["training_rows"] == 60
    assert models["spam.messages"].info["training_rows"] == 120
    features = TextFeaturizer().transform(["txt call now win", "dear team please call me"])
    shares = router.probabilities(features)
    assert shares[0, router.classes.index("sms")] > 0.5
    assert shares[1, router.classes.index("messages")] > 0.5

    def spam(model: LinearModel, row: int) -> float:
        return float(model.probabilities(features)[row, model.classes.index("spam")])

    assert spam(models["spam.sms"], 0) > 0.5
    assert spam(models["spam.messages"], 1) < 0.5


def test_mixed_probabilities_weigh_experts_and_their_offsets_by_share() -> None:
    shares = np.array([[1.0, 0.0], [0.5, 0.5]])
    first = np.array([[0.8, 0.2], [0.8, 0.2]])
    second = np.array([[0.2, 0.8], [0.4, 0.6]])
    plain = mixed_probabilities(shares, [first, second])
    assert np.allclose(plain, [[0.8, 0.2], [0.6, 0.4]])
    # The first expert's offset (+1 on the second class) counts fully where it has the whole
    # share, half where it has half; the second expert has none.
    offsets = np.array([[0.0, 1.0], [0.0, 0.0]])
    moved = mixed_probabilities(shares, [first, second], offsets)
    assert np.allclose(np.log(moved[0, 1] / moved[0, 0]), np.log(0.2 / 0.8) + 1.0)
    assert np.allclose(np.log(moved[1, 1] / moved[1, 0]), np.log(0.4 / 0.6) + 0.5)
    assert np.allclose(moved.sum(axis=1), 1.0)


def test_each_expert_of_a_tuned_mixture_gets_offsets_from_its_own_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A coarse grid and one fold assignment: this checks who gets which offsets, not them.
    monkeypatch.setattr(training, "BIAS_GRID", np.array([-1.0, -0.5, 0.0, 0.5, 1.0]))
    monkeypatch.setattr(training, "BIAS_REPEATS", 1)
    texts, labels = _toy_corpus()
    sources = ["set_a" if index % 2 else "inbox_synthetic_de" for index in range(len(texts))]
    recipe = ModelRecipe(
        "sentiment.de",
        ("set_a", "inbox_synthetic_de"),
        1.0,
        tune_decision_bias=True,
        genres=(Genre("feedback", ("set_a",), 0.3), Genre("messages", (), 0.3)),
    )
    models = fit_mixture("sentiment.de", TextFeaturizer(), texts, labels, sources, recipe)
    assert set(models) == {"sentiment.de.feedback", "sentiment.de.messages", "sentiment.de.genre"}
    for key in ("sentiment.de.feedback", "sentiment.de.messages"):
        info = models[key].info
        assert set(info["mixture_decision_bias"]) == {"common", "middle", "rare"}
        scores = info["cv_mean_macro_f1"]
        assert scores["with_bias"] >= scores["without_bias"]
    # No rows of a collected dataset in the open genre: its offsets are chosen on all
    # collected rows, which here are the feedback expert's, so both read the same surface
    # of the same mixture.
    assert (
        models["sentiment.de.messages"].info["cv_mean_macro_f1"]
        == models["sentiment.de.feedback"].info["cv_mean_macro_f1"]
    )
