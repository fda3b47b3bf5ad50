"""The offensiveness prior copied out of alt-profanity-check, and the evaluation's peers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from resonanz.triage.evaluation import missing_peers_note, tfidf_baseline
from resonanz.triage.pipeline import get_triage
from resonanz.triage.profanity_prior import PRIOR_FILE, ProfanityPrior, extract
from resonanz.triage.text_features import N_FEATURES, TextFeaturizer
from resonanz.triage.training_data import LabelledTexts

TEXTS = [
    "You are a fucking idiot",
    "Have a nice day, thanks for the quick help!",
    "what the hell is this crap?? @user",
    "",
    "Die Bahn ist schon wieder zu spät",
    "STUPID STUPID stupid",
]


def test_copied_prior_gives_the_package_own_probabilities(tmp_path: Path) -> None:
    import profanity_check  # the eval extra, installed by `make`

    prior = extract()
    prior.save(tmp_path)
    loaded = ProfanityPrior.load(tmp_path)
    expected = profanity_check.predict_prob(TEXTS)
    assert np.allclose(loaded.probabilities(TEXTS), expected, atol=1e-7)
    assert expected[0] > 0.9 > 0.1 > expected[1]


def test_shipped_artifacts_carry_the_prior_and_the_featurizer_uses_it() -> None:
    triage = get_triage()
    prior = triage.featurizer.prior
    assert prior is not None
    features = triage.featurizer.transform(TEXTS[:2]).toarray()
    assert features.shape == (2, N_FEATURES)
    probability_column = N_FEATURES - 2
    assert features[0, probability_column] > 0.9
    assert features[1, probability_column] < 0.1
    # The log-odds column agrees in sign with the probability.
    assert features[0, -1] > 0 > features[1, -1]


def test_without_a_prior_its_columns_are_empty() -> None:
    features = TextFeaturizer().transform(["you idiot"])
    assert features.shape == (1, N_FEATURES)
    assert features[:, -2:].nnz == 0


def test_the_prior_file_is_small() -> None:
    from resonanz.triage.pipeline import ARTIFACTS_DIRECTORY

    assert (ARTIFACTS_DIRECTORY / PRIOR_FILE).stat().st_size < 2 * 1024 * 1024


def test_missing_peers_are_named_in_the_table_note() -> None:
    assert missing_peers_note([]) == ""
    note = missing_peers_note(["VADER", "better-profanity"])
    assert "VADER, better-profanity" in note
    assert ".[eval]" in note


def test_tfidf_baseline_weighs_classes_for_macro_f1() -> None:
    # 18 of one label and 2 of the other: an unweighted model predicts the majority only.
    texts = [f"fine ordinary message number {i}" for i in range(18)] + [
        "awful broken refund",
        "broken awful again",
    ]
    labels = ["ok"] * 18 + ["bad"] * 2
    predict = tfidf_baseline(LabelledTexts("toy", "train", "en", tuple(texts), tuple(labels)))
    assert predict(["awful broken thing"]) == ["bad"]
