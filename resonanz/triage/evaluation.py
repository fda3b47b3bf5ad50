"""Scoring triage and the offline alternatives on the validation parts of the shared data.

Every system is scored on exactly the same held-out texts: our models, VADER (English
sentiment), alt-profanity-check and better-profanity (offensive), and a plain TF-IDF +
logistic regression trained on the same dataset's training part. Peers that are not
installed are reported as missing rather than failing the run.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

from resonanz.triage.intent_seed import SEED_PATH, read_intent_seed
from resonanz.triage.pipeline import Triage
from resonanz.triage.training import intent_split
from resonanz.triage.training_data import (
    LabelledTexts,
    datasets_directory,
    load_dataset,
    read_rows,
)

BENCHMARK_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "triage.md"
MODEL_CARD_PATH = Path(__file__).resolve().parent / "artifacts" / "README.md"
INBOX_DIRECTORY = Path(__file__).resolve().parent / "inbox_check"
# Team-written inbox messages (see inbox_check/README.md): "check" was looked at while
# choosing settings, "test" was written afterwards by someone else and only scored.
INBOX_SETS = {
    "inbox check": INBOX_DIRECTORY / "inbox_check.csv",
    "inbox test": INBOX_DIRECTORY / "inbox_test.csv",
}
INBOX_CHECK_TASKS = ("sentiment", "intent", "offensive", "spam")
# Messages in the six other default workspace languages, written for evaluation only.
OTHER_LANGUAGES_PATH = INBOX_DIRECTORY / "other_languages.csv"
SCORES_START = "<!-- scores:start -->"
SCORES_END = "<!-- scores:end -->"
LANGUAGE_MIN_CHARACTERS = 20

# (dataset, task) pairs scored; the language and intent rows are assembled separately.
SCORED: tuple[tuple[str, str], ...] = (
    ("germeval2018", "offensive"),
    ("germeval2021", "offensive"),
    ("tweeteval_offensive", "offensive"),
    ("tweeteval_sentiment", "sentiment"),
    ("airline_sentiment", "sentiment"),
    ("xlmt_sentiment_de", "sentiment"),
    ("xlmt_sentiment_en", "sentiment"),
    ("germeval2017", "sentiment"),
    ("inbox_synthetic_de", "sentiment"),
    ("inbox_synthetic_de_offensive", "offensive"),
    ("talkshow_written_de", "offensive"),
    ("inbox_synthetic_en", "sentiment"),
    ("inbox_synthetic_en_offensive", "offensive"),
    ("sms_spam", "spam"),
    ("youtube_spam", "spam"),
    ("spam_written_de", "spam"),
    ("spam_written_en", "spam"),
)

# Real posts of the other tasks' datasets, none of them labelled spam: their held-out parts
# are scored as all ham (accuracy = the share the spam model leaves alone).
NOT_SPAM: tuple[str, ...] = (
    "airline_sentiment",
    "xlmt_sentiment_de",
    "germeval2018",
    "germeval2017",
    "tweeteval_offensive",
)


@dataclass(frozen=True)
class Score:
    """One row of the benchmark table."""

    dataset: str
    split: str
    task: str
    system: str
    macro_f1: float
    accuracy: float
    texts_per_second: float
    rows: int


Predictor = Callable[[list[str]], list[str]]


def timed_score(
    dataset: str, split: str, task: str, system: str, predictor: Predictor, gold: LabelledTexts
) -> Score:
    """Run one predictor over the validation texts and score it."""
    texts = list(gold.texts)
    started = time.perf_counter()
    predicted = predictor(texts)
    elapsed = max(time.perf_counter() - started, 1e-9)
    labels = sorted(set(gold.labels))
    return Score(
        dataset=dataset,
        split=split,
        task=task,
        system=system,
        macro_f1=float(f1_score(gold.labels, predicted, labels=labels, average="macro")),
        accuracy=float(accuracy_score(gold.labels, predicted)),
        texts_per_second=len(texts) / elapsed,
        rows=len(texts),
    )


def tfidf_baseline(train: LabelledTexts) -> Predictor:
    """Plain TF-IDF (word 1–2-grams) + logistic regression on the same training part.

    Balanced class weights, as anyone scoring by macro-F1 would use: without them the
    baseline mostly predicts the majority class and looks far weaker than it is.
    """
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    classifier = LogisticRegression(max_iter=2000, class_weight="balanced")
    classifier.fit(vectorizer.fit_transform(train.texts), list(train.labels))

    def predict(texts: list[str]) -> list[str]:
        return [str(label) for label in classifier.predict(vectorizer.transform(texts))]

    return predict


def vader_predictor() -> Predictor | None:
    """VADER compound score with its authors' ±0.05 thresholds, if installed."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()

    def predict(texts: list[str]) -> list[str]:
        labels = []
        for text in texts:
            compound = analyzer.polarity_scores(text)["compound"]
            labels.append(
                "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
            )
        return labels

    return predict


def profanity_check_predictor() -> Predictor | None:
    """alt-profanity-check's own model at its default 0.5 threshold, if installed."""
    try:
        from profanity_check import predict as profanity_predict
    except ImportError:
        return None

    def predict(texts: list[str]) -> list[str]:
        return ["offensive" if flag else "other" for flag in profanity_predict(texts)]

    return predict


def better_profanity_predictor() -> Predictor | None:
    """better-profanity's word list, if installed."""
    try:
        from better_profanity import profanity
    except ImportError:
        return None
    profanity.load_censor_words()

    def predict(texts: list[str]) -> list[str]:
        return ["offensive" if profanity.contains_profanity(text) else "other" for text in texts]

    return predict


def resonanz_predictor(triage: Triage, task: str) -> Predictor:
    """Our `predict` path without a given language, as a user of the CLI would run it."""

    def predict(texts: list[str]) -> list[str]:
        return [label for label, _ in triage.predict_task(task, texts)]

    return predict


def language_validation(root: Path) -> LabelledTexts:
    """German and English validation texts of 20+ characters, gold = dataset language."""
    texts: list[str] = []
    labels: list[str] = []
    for dataset, _ in SCORED:
        _, validation = load_dataset(dataset, root)
        for text in validation.texts:
            if len(text) >= LANGUAGE_MIN_CHARACTERS:
                texts.append(text)
                labels.append(validation.language)
    return LabelledTexts("de+en mixed", "val", "", tuple(texts), tuple(labels))


def inbox_parts(name: str, path: Path) -> list[tuple[str, LabelledTexts]]:
    """Team-written inbox messages, one part per (language, task) of INBOX_CHECK_TASKS.

    See `inbox_check/README.md`: written to resemble what a brand receives, for evaluation
    only.
    """
    rows = read_rows(path)
    parts = []
    for language in sorted({row["lang"] for row in rows}):
        chosen = [row for row in rows if row["lang"] == language]
        for task in INBOX_CHECK_TASKS:
            part = LabelledTexts(
                dataset=f"{name} {language}",
                split=name.split()[-1],
                language=language,
                texts=tuple(row["text"] for row in chosen),
                labels=tuple(row[task] for row in chosen),
            )
            parts.append((task, part))
    return parts


def written_languages() -> list[LabelledTexts]:
    """Gold languages of the team-written messages: the German and English inbox check and
    test sets (all lengths), and the messages in the other default languages."""
    parts = []
    for name, paths in (
        ("inbox check+test (de, en)", INBOX_SETS.values()),
        ("other languages (fr, it, es, nl, pl, tr)", [OTHER_LANGUAGES_PATH]),
    ):
        rows = [row for path in paths for row in read_rows(path)]
        parts.append(
            LabelledTexts(
                name,
                "written",
                "",
                tuple(row["text"] for row in rows),
                tuple(row["lang"] for row in rows),
            )
        )
    return parts


def offline_peers() -> dict[str, Predictor | None]:
    """The offline tools a user could pick instead, None where not installed."""
    return {
        "VADER": vader_predictor(),
        "alt-profanity-check": profanity_check_predictor(),
        "better-profanity": better_profanity_predictor(),
    }


def peers_for(task: str, language: str) -> tuple[str, ...]:
    """The offline peers scored next to us: VADER on English sentiment (it reads no German);
    the profanity tools on offensive in both languages, to show what picking them gives."""
    if task == "sentiment" and language == "en":
        return ("VADER",)
    if task == "offensive":
        return ("alt-profanity-check", "better-profanity")
    return ()


def peer_scores(task: str, gold: LabelledTexts, peers: dict[str, Predictor | None]) -> list[Score]:
    """The installed peers of `peers_for(task, gold.language)`, scored on `gold`."""
    return [
        timed_score(gold.dataset, gold.split, task, name, peer, gold)
        for name in peers_for(task, gold.language)
        if (peer := peers[name]) is not None
    ]


def evaluate_all(
    triage: Triage,
    datasets: Path | None = None,
    peers: dict[str, Predictor | None] | None = None,
) -> list[Score]:
    """Score every task and every available peer; returns the table rows."""
    root = datasets_directory(datasets)
    scores: list[Score] = []
    peers = offline_peers() if peers is None else peers
    for dataset, task in SCORED:
        train, validation = load_dataset(dataset, root)
        split = validation.split
        scores.append(
            timed_score(
                dataset, split, task, "resonanz", resonanz_predictor(triage, task), validation
            )
        )
        scores.append(
            timed_score(dataset, split, task, "TF-IDF + LR", tfidf_baseline(train), validation)
        )
        scores += peer_scores(task, validation, peers)

    for dataset in NOT_SPAM:
        _, validation = load_dataset(dataset, root)
        as_ham = LabelledTexts(
            f"{dataset} (none is spam)",
            validation.split,
            validation.language,
            validation.texts,
            ("ham",) * len(validation),
        )
        scores.append(
            timed_score(
                as_ham.dataset,
                as_ham.split,
                "spam",
                "resonanz",
                resonanz_predictor(triage, "spam"),
                as_ham,
            )
        )

    inbox = [part for name, path in INBOX_SETS.items() for part in inbox_parts(name, path)]
    for task, part in inbox:
        scores.append(
            timed_score(
                part.dataset, part.split, task, "resonanz", resonanz_predictor(triage, task), part
            )
        )
        scores += peer_scores(task, part, peers)
    languages = language_validation(root)
    scores.append(
        timed_score(
            "de+en mixed (20+ chars)",
            "val",
            "language",
            "resonanz (lingua)",
            resonanz_predictor(triage, "language"),
            languages,
        )
    )
    for part in written_languages():
        scores.append(
            timed_score(
                part.dataset,
                part.split,
                "language",
                "resonanz (lingua)",
                resonanz_predictor(triage, "language"),
                part,
            )
        )

    seed_rows = read_intent_seed(SEED_PATH)
    intent_train_rows, intent_validation_rows = intent_split(seed_rows)
    intent_validation = LabelledTexts(
        "intent seed (real de+en)",
        "heldout",
        "",
        tuple(row.text for row in intent_validation_rows),
        tuple(row.label for row in intent_validation_rows),
    )
    intent_train = LabelledTexts(
        "intent seed",
        "train",
        "",
        tuple(row.text for row in intent_train_rows),
        tuple(row.label for row in intent_train_rows),
    )
    for system, predictor in (
        ("resonanz", resonanz_predictor(triage, "intent")),
        ("TF-IDF + LR", tfidf_baseline(intent_train)),
    ):
        scores.append(
            timed_score(
                intent_validation.dataset, "heldout", "intent", system, predictor, intent_validation
            )
        )
    # The held-out labels come from the same cue rules the pipeline adds at prediction time,
    # so the model without them is scored too: the honest lower bound.
    cue_weights = triage.intent_cue_weights
    triage.intent_cue_weights = dict.fromkeys(cue_weights, 0.0)
    try:
        scores.append(
            timed_score(
                intent_validation.dataset,
                "heldout",
                "intent",
                "resonanz (model only, no cue rules)",
                resonanz_predictor(triage, "intent"),
                intent_validation,
            )
        )
    finally:
        triage.intent_cue_weights = cue_weights
    return scores


def markdown_table(scores: list[Score]) -> str:
    """The scores as a markdown table, one row per dataset and system."""
    lines = [
        "| dataset | split | task | system | macro-F1 | accuracy | texts/s | rows |",
        "|---|---|---|---|---:|---:|---:|---:|",
    ]
    for score in scores:
        lines.append(
            f"| {score.dataset} | {score.split} | {score.task} | {score.system} "
            f"| {score.macro_f1:.3f} | {score.accuracy:.3f} | {score.texts_per_second:,.0f} "
            f"| {score.rows} |"
        )
    return "\n".join(lines)


def machine_description() -> str:
    """Where the numbers were measured."""
    return (
        f"{platform.machine()} · {os.cpu_count()} CPUs · Python {platform.python_version()}"
        f" · {platform.platform(terse=True)}"
    )


def missing_peers_note(missing: list[str]) -> str:
    """A line for the table saying which peers were not installed (empty if none)."""
    if not missing:
        return ""
    return (
        f"\n\nNot installed, so not scored: {', '.join(missing)} "
        "(`pip install -e '.[eval]'` installs the pinned versions)."
    )


def write_benchmark(
    scores: list[Score], path: Path = BENCHMARK_PATH, missing: list[str] | None = None
) -> None:
    """Write benchmarks/triage.md with the table and how it was produced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Triage: quality on validation data\n\n"
        "Written by `resonanz triage evaluate` (`python -m resonanz.triage.cli evaluate`); do "
        "not edit by hand.\n\n"
        "Validation parts only: the dataset's own `val` split where it has one, otherwise a "
        "seeded stratified 20 % hold-out (`*-heldout`) that training never sees. Texts that "
        "also occur in any validation part are removed from all training data. `resonanz` "
        "runs without a given language (it detects it). Macro-F1 is over the dataset's "
        "labels mapped to ours. texts/s is single-process wall time over the whole split, "
        "including vectorisation. The alt-profanity-check and better-profanity peers are "
        "English-only; their German rows show what a user would get by picking them anyway. "
        "Intent is scored on held-out rows of our own seed set, labelled by cue rules that "
        "the pipeline also uses at prediction time, so `resonanz` is optimistic there and "
        "`model only, no cue rules` is the lower bound (see `resonanz/triage/seed/README.md`). "
        "`inbox check de/en` and `inbox test de/en` are 300 messages each of the kind a brand "
        "receives, written and labelled by AI helpers of the team for evaluation only "
        "(`resonanz/triage/inbox_check/README.md`); no model is trained on them. The check "
        "set's scores were looked at while choosing settings, the test set's were not. "
        "`spam_written_de/en` hold out 20 % of the spam and hard ham the team's helpers wrote "
        "(`resonanz/triage/seed/README.md`); `(none is spam)` rows score the held-out real "
        "posts of other tasks' datasets as all ham, so their accuracy is the share of real "
        "posts the spam model leaves alone (GermEval 2017 also holds ads and press "
        "snippets about the railway). The language rows on written messages score "
        "all lengths (a text with too few letters gets no language and counts as wrong); "
        "`other languages` are 300 messages in French, Italian, Spanish, Dutch, Polish and "
        "Turkish, full of English loanwords, written by a helper for evaluation only."
        f"{missing_peers_note(missing or [])}"
        f"\n\nMachine: {machine_description()}\n\n{markdown_table(scores)}\n"
    )


def update_model_card(scores: list[Score], path: Path = MODEL_CARD_PATH) -> None:
    """Replace the scores block of the model card with our own rows."""
    if not path.exists():
        return
    text = path.read_text()
    if SCORES_START not in text or SCORES_END not in text:
        return
    ours = [score for score in scores if score.system.startswith("resonanz")]
    head, rest = text.split(SCORES_START, 1)
    _, tail = rest.split(SCORES_END, 1)
    path.write_text(f"{head}{SCORES_START}\n{markdown_table(ours)}\n{SCORES_END}{tail}")
