"""Triage of messages: language, sentiment, offensive (and its kind), spam, intent, urgency.

`get_triage()` loads the shipped artifacts once per process; `Triage.triage_batch` labels a
batch with one vectorisation shared by all models. Per-task predictions for the `predict`
command come from `Triage.predict_task`, which uses the same code path.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from resonanz.triage.intent_seed import label_by_cues
from resonanz.triage.labels import DEFAULT_LANGUAGES, TASKS
from resonanz.triage.language import detect_languages
from resonanz.triage.lexicons import (
    ADDRESSED_INSULT_PATTERN,
    ADDRESSED_PATTERN,
    SPAM_CUE_PATTERN,
    THREAT_PATTERN,
)
from resonanz.triage.linear_models import (
    LinearModel,
    load_models,
    mixed_probabilities,
    mixture_router_key,
)
from resonanz.triage.polarity_lexicon import FEATURE_COUNT as LEXICON_FEATURE_COUNT
from resonanz.triage.profanity_prior import ProfanityPrior
from resonanz.triage.text_features import (
    HASHED_FEATURES,
    URL_PATTERN,
    WORD_FEATURES,
    TextFeaturizer,
    near_copy_keys,
    normalize_text,
)
from resonanz.triage.training_data import cross_validation_folds
from resonanz.triage.urgency import UrgencyInputs, compute_urgency
from resonanz.triage.workspace_learning import (
    ADJUSTABLE_TASKS,
    DEFAULT_PENALTY,
    WorkspaceAdjustment,
    fit_adjustment,
)

ARTIFACTS_DIRECTORY = Path(__file__).resolve().parent / "artifacts"
WHY_WORDS = 3
# The polarity-lexicon columns follow the hashed n-gram blocks (text_features.py).
LEXICON_END = HASHED_FEATURES + LEXICON_FEATURE_COUNT
# Domains that only ever appear in spam (pay-per-click link shorteners); extend per
# deployment.
KNOWN_BAD_DOMAINS = frozenset(
    {
        "bit.do",
        "adf.ly",
        "shorte.st",
        "sh.st",
        "ouo.io",
        "linkvertise.com",
        "linkbucks.com",
        "adfoc.us",
        "bc.vc",
    }
)
DOMAIN_PATTERN = re.compile(r"(?i)(?:https?://)?(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)")
# Identical texts with a link or spam cue seen this often in one batch look like a bot
# campaign.
REPEATED_TEXT_COUNT = 3
# Least probability of "offensive" for an explicit threat and for names called at the one
# addressed (lexicons.py); above every model's threshold, so both are flagged unless the
# workspace's own corrections (applied after the floor) teach otherwise.
THREAT_FLOOR = 0.9
ADDRESSED_INSULT_FLOOR = 0.8
# Probability mass an intent cue rule adds to its label before renormalising. Set by
# judgement, not tuned (the validation labels come from the same rules): lead and feedback
# cues are specific and those labels are rare in the seed set, so they weigh most.
INTENT_CUE_WEIGHTS = {
    "lead": 0.8,
    "feedback": 0.6,
    "complaint": 0.4,
    "question": 0.3,
    "praise": 0.3,
    # Only a greeting to everyone is a cue for "other" ("Schönes Wochenende euch allen!"):
    # the model reads its cheerful words as praise, the guidelines say other.
    "other": 0.6,
}


# Intents whose cue rule fires on words (not on a bare question mark or on the mood alone):
# when one fires, the message is not "other".
WORD_CUE_INTENTS = frozenset({"lead", "feedback", "complaint", "praise"})


# Intent of an inbound message whose only signal is its mood, when the mood is at least this
# sure (see `Triage._intent`).
MOOD_INTENTS = {"negative": "complaint", "positive": "praise"}
MOOD_INTENT_SCORE = 0.5


@dataclass(frozen=True)
class TriageResult:
    """Everything triage says about one message."""

    language: str
    sentiment: str
    sentiment_score: float
    offensive: str
    offensive_score: float
    offensive_kind: str
    spam: str
    spam_score: float
    intent: str
    intent_score: float
    urgency: float
    priority: str
    why: dict[str, list[str]]


@dataclass(frozen=True)
class CorrectionGain:
    """Accuracy on a workspace's corrections (`Triage.correction_gain`), shares 0-1."""

    base: float  # the shipped models'
    in_order: float  # each judged by what the corrections before it taught
    new_wording: float  # each judged by what the corrections unlike it taught


@dataclass
class TaskOutput:
    """Labels, their probabilities and the word evidence for one task over a batch."""

    labels: list[str]
    scores: list[float]
    why: list[list[str]]
    classes: tuple[str, ...]


class Triage:
    """All triage models, loaded once; safe to share between threads (read-only state)."""

    def __init__(
        self,
        models: dict[str, LinearModel],
        idf: np.ndarray,
        prior: ProfanityPrior | None = None,
        version: str = "",
    ) -> None:
        self.models = models
        # The weight-row layout the loaded models share (`CompactRows`): a batch's features
        # are re-indexed to it once, not by every model.
        layouts = {id(model.rows): model.rows for model in models.values()}
        self.rows = next(iter(layouts.values())) if len(layouts) == 1 else None
        # Identity of the loaded artifacts: a workspace's learned adjustment is fitted on top
        # of one base model and is retrained when the base changes (`services`).
        self.version = version
        self.featurizer = TextFeaturizer(idf, prior)
        self.intent_cue_weights = dict(INTENT_CUE_WEIGHTS)

    def german_or_english(self, texts: list[str]) -> list[tuple[str, float]]:
        """The language referee: our German-vs-English model, for texts lingua is unsure of
        or guesses a third language for; (language, its probability) per text."""
        model = self.models["language.de_en"]
        probabilities = model.probabilities(self.featurizer.transform(texts))
        best = probabilities.argmax(axis=1)
        return [
            (model.classes[index], float(row[index]))
            for index, row in zip(best, probabilities, strict=True)
        ]

    def detect_languages(self, texts: list[str], languages: Sequence[str]) -> list[str]:
        """ISO 639-1 code per text ("" if unknown), limited to `languages`."""
        return detect_languages(texts, languages, referee=self.german_or_english)

    @classmethod
    def load(cls, directory: Path = ARTIFACTS_DIRECTORY) -> Triage:
        """Load artifacts from `directory`; FileNotFoundError says to run `train` first."""
        try:
            models, idf, manifest, version = load_models(directory)
            prior = ProfanityPrior.load(directory) if manifest.get("profanity_prior") else None
        except FileNotFoundError as error:
            raise FileNotFoundError(
                f"no triage artifacts in {directory}; run `resonanz triage train` first"
            ) from error
        return cls(models, idf, prior, version)

    # -- public surface ---------------------------------------------------------------

    def triage_one(
        self,
        text: str,
        *,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        author_reach: int | None = None,
        reactions: int | None = None,
        adjustments: Mapping[str, WorkspaceAdjustment] | None = None,
    ) -> TriageResult:
        """Triage a single message (prefer `triage_batch` for throughput)."""
        return self.triage_batch(
            [text],
            languages=languages,
            author_reach=[author_reach],
            reactions=[reactions],
            adjustments=adjustments,
        )[0]

    def triage_batch(
        self,
        texts: list[str],
        *,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        author_reach: list[int | None] | None = None,
        reactions: list[int | None] | None = None,
        adjustments: Mapping[str, WorkspaceAdjustment] | None = None,
    ) -> list[TriageResult]:
        """Triage a batch; `author_reach` and `reactions` align with `texts` when given.

        `adjustments` (task → WorkspaceAdjustment) are the workspace's learned corrections;
        pass only the adjustments of the workspace the messages belong to.
        """
        for name, values in (("author_reach", author_reach), ("reactions", reactions)):
            if values is not None and len(values) != len(texts):
                raise ValueError(f"{name} has {len(values)} entries for {len(texts)} texts")
        if not texts:
            return []
        langs = self.detect_languages(texts, languages)
        batch = self._prepare(texts, adjustments)
        sentiment = self._sentiment(batch, langs)
        offensive, kinds = self._offensive(batch, langs, texts)
        spam = self._spam(batch, texts)
        intent = self._intent(batch, texts, sentiment)
        results = []
        for index, text in enumerate(texts):
            urgency, priority, urgency_reasons = compute_urgency(
                UrgencyInputs(
                    text=text,
                    intent=intent.labels[index],
                    intent_score=intent.scores[index],
                    sentiment=sentiment.labels[index],
                    sentiment_score=sentiment.scores[index],
                    offensive=offensive.labels[index],
                    offensive_score=offensive.scores[index],
                    offensive_kind=kinds[index],
                    spam=spam.labels[index],
                    author_reach=author_reach[index] if author_reach else None,
                    reactions=reactions[index] if reactions else None,
                )
            )
            results.append(
                TriageResult(
                    language=langs[index],
                    sentiment=sentiment.labels[index],
                    sentiment_score=sentiment.scores[index],
                    offensive=offensive.labels[index],
                    offensive_score=offensive.scores[index],
                    offensive_kind=kinds[index],
                    spam=spam.labels[index],
                    spam_score=spam.scores[index],
                    intent=intent.labels[index],
                    intent_score=intent.scores[index],
                    urgency=round(urgency, 4),
                    priority=priority,
                    why={
                        "language": [langs[index]] if langs[index] else [],
                        "sentiment": sentiment.why[index],
                        "offensive": offensive.why[index],
                        "spam": spam.why[index],
                        "intent": intent.why[index],
                        "urgency": urgency_reasons,
                    },
                )
            )
        return results

    def predict_task(
        self,
        task: str,
        texts: list[str],
        langs: list[str] | None = None,
        *,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        adjustments: Mapping[str, WorkspaceAdjustment] | None = None,
    ) -> list[tuple[str, float]]:
        """(label, score) per text for one task; `langs` skips language detection."""
        if task not in TASKS:
            raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
        if not texts:
            return []
        if task == "language":
            return [
                (code, 1.0 if code else 0.0) for code in self.detect_languages(texts, languages)
            ]
        output, _ = self._run_task(task, texts, langs, languages, adjustments)
        return list(zip(output.labels, output.scores, strict=True))

    def learn_from_corrections(
        self,
        task: str,
        texts: list[str],
        labels: list[str],
        langs: list[str] | None = None,
        *,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        penalty: float = DEFAULT_PENALTY,
        anchors: list[str] | None = None,
    ) -> WorkspaceAdjustment:
        """Fit one workspace's adjustment for `task` from its agents' corrected labels.

        `anchors` are other messages of the workspace that nobody corrected: the adjustment
        keeps their output as the base model has it (see `workspace_learning`).
        """
        if task not in ADJUSTABLE_TASKS:
            raise ValueError(f"task {task!r} cannot learn from corrections; use {ADJUSTABLE_TASKS}")
        if len(texts) != len(labels) or not texts:
            raise ValueError("give at least one corrected text, with exactly one label per text")
        output, batch = self._run_task(task, texts, langs, languages, None)
        anchor_features = anchor_probabilities = None
        if anchors:
            _, anchor_batch = self._run_task(task, anchors, None, languages, None)
            anchor_features = anchor_batch.features
            anchor_probabilities = anchor_batch.base_probabilities[task]
        return fit_adjustment(
            task,
            output.classes,
            batch.features,
            batch.base_probabilities[task],
            labels,
            penalty,
            anchor_features,
            anchor_probabilities,
        )

    def correction_gain(
        self,
        task: str,
        texts: list[str],
        labels: list[str],
        langs: list[str] | None = None,
        *,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        folds: int = 5,
        anchors: list[str] | None = None,
    ) -> CorrectionGain:
        """Accuracy on a workspace's corrections (in the order they were made), without and
        with learning: what the inbox shows as "how much the corrections improved it".

        Two ways, both judging each correction by an adjustment that never learned from
        it. In order: the corrections in `folds` consecutive blocks, each block judged by
        what the blocks before it taught, as the inbox would have labelled it had the
        workspace model learned as the team corrected (the first block has nothing before
        it and is judged by the base model). A message that comes again after the team
        corrected it, which is what a community sees every day, counts as a gain. New
        wording: k-fold cross-validation where copies and near-copies of one text (the
        same spam posted again, a storm of one complaint, one template with another
        product name) share a fold, so what counts is what the corrections teach about
        texts unlike any corrected one; folds are stratified by the corrected label, as in
        training.
        """
        if len(texts) < folds:
            raise ValueError(f"need at least {folds} corrections to measure a gain")
        base = self.predict_task(task, texts, langs, languages=languages)
        by_wording = cross_validation_folds(
            np.asarray(labels), np.full(len(texts), task), near_copy_keys(texts), folds, seed=0
        )
        by_order = np.arange(len(texts)) * folds // len(texts)

        def learned(fold_of_row: np.ndarray, taught_by: Callable[[int], np.ndarray]) -> float:
            return self._accuracy_learning(
                task, texts, labels, langs, fold_of_row, taught_by, languages, anchors
            )

        base_correct = sum(label == gold for (label, _), gold in zip(base, labels, strict=True))
        return CorrectionGain(
            base=base_correct / len(texts),
            in_order=learned(by_order, lambda fold: by_order < fold),
            new_wording=learned(by_wording, lambda fold: by_wording != fold),
        )

    def _accuracy_learning(
        self,
        task: str,
        texts: list[str],
        labels: list[str],
        langs: list[str] | None,
        fold_of_row: np.ndarray,
        taught_by: Callable[[int], np.ndarray],
        languages: Sequence[str],
        anchors: list[str] | None,
    ) -> float:
        """Accuracy on `texts` when each fold is judged by an adjustment fitted on the rows
        `taught_by(fold)` selects (by the base model where that selects none)."""
        correct = 0
        for fold in np.unique(fold_of_row).tolist():
            held = np.flatnonzero(fold_of_row == fold)
            kept = np.flatnonzero(taught_by(fold))
            adjustments = None
            if len(kept):
                adjustments = {
                    task: self.learn_from_corrections(
                        task,
                        [texts[i] for i in kept],
                        [labels[i] for i in kept],
                        [langs[i] for i in kept] if langs else None,
                        languages=languages,
                        anchors=anchors,
                    )
                }
            predicted = self.predict_task(
                task,
                [texts[i] for i in held],
                [langs[i] for i in held] if langs else None,
                languages=languages,
                adjustments=adjustments,
            )
            correct += sum(
                label == labels[index]
                for (label, _), index in zip(predicted, held.tolist(), strict=True)
            )
        return correct / len(texts)

    def _run_task(
        self,
        task: str,
        texts: list[str],
        langs: list[str] | None,
        languages: Sequence[str],
        adjustments: Mapping[str, WorkspaceAdjustment] | None,
    ) -> tuple[TaskOutput, _Batch]:
        batch = self._prepare(texts, adjustments)
        if task == "spam":
            return self._spam(batch, texts), batch
        if langs is None or any(not code for code in langs):
            detected = self.detect_languages(texts, languages)
            langs = [
                given or found for given, found in zip(langs or detected, detected, strict=True)
            ]
        if task == "intent":
            # The intent cues read the sentiment, as they did when the seed set was labelled.
            return self._intent(batch, texts, self._sentiment(batch, langs)), batch
        if task == "sentiment":
            return self._sentiment(batch, langs), batch
        output, _ = self._offensive(batch, langs, texts)
        return output, batch

    # -- per task -----------------------------------------------------------------------

    def _prepare(
        self, texts: list[str], adjustments: Mapping[str, WorkspaceAdjustment] | None = None
    ) -> _Batch:
        normalized = [normalize_text(text) for text in texts]
        evidence: list[dict[int, list[str]]] = []
        tokens: list[list[str]] = []
        features = self.featurizer.transform_normalized(normalized, evidence, tokens)
        model_features = features if self.rows is None else self.rows.of(features)
        return _Batch(
            normalized, tokens, features, model_features, self.featurizer, adjustments, evidence
        )

    def _by_language(
        self, task: str, batch: _Batch, langs: list[str]
    ) -> tuple[np.ndarray, list[LinearModel]]:
        """Probabilities from the model of each text's language (pooled model otherwise)."""
        model_keys = [
            f"{task}.{code}" if self._has_model(f"{task}.{code}") else f"{task}.any"
            for code in langs
        ]
        classes: tuple[str, ...] = ()
        probabilities = np.zeros((len(langs), 0))
        chosen: list[LinearModel] = [self.models[f"{task}.any"]] * len(langs)
        for key in sorted(set(model_keys)):
            rows = np.fromiter((i for i, k in enumerate(model_keys) if k == key), dtype=np.int64)
            if key in self.models:
                reference = self.models[key]
                found = reference.probabilities(batch.model_features[rows])
                explaining = [reference] * len(rows)
            else:
                found, explaining, reference = self._mixture(key, batch.model_features[rows])
            model_classes = reference.classes
            if not classes:
                classes = model_classes
                probabilities = np.zeros((len(langs), len(classes)))
            if model_classes != classes:
                raise RuntimeError(f"model {key} has classes {model_classes}, expected {classes}")
            probabilities[rows] = found
            for row, model in zip(rows.tolist(), explaining, strict=True):
                chosen[row] = model
        return probabilities, chosen

    def _has_model(self, key: str) -> bool:
        """Whether `key` is a model, or a mixture of experts with its router."""
        return key in self.models or mixture_router_key(key) in self.models

    def _sentiment(self, batch: _Batch, langs: list[str]) -> TaskOutput:
        probabilities, chosen = self._by_language("sentiment", batch, langs)
        probabilities = batch.adjusted("sentiment", probabilities)
        decided = probabilities.argmax(axis=1)
        return batch.output(probabilities, decided, chosen)

    def _offensive(
        self, batch: _Batch, langs: list[str], texts: list[str]
    ) -> tuple[TaskOutput, list[str]]:
        probabilities, chosen = self._by_language("offensive", batch, langs)
        classes = chosen[0].classes
        offensive_column = classes.index("offensive")
        threats = [bool(THREAT_PATTERN.search(text.lower())) for text in texts]
        # An explicit threat, or names called at the one addressed, is offensive whatever
        # else the message says; the model still decides how sure beyond that floor.
        rule_reasons: dict[int, str] = {}
        for index, text in enumerate(batch.normalized):
            if threats[index]:
                rule_reasons[index] = "threat"
                floor = THREAT_FLOOR
            elif name_called := ADDRESSED_INSULT_PATTERN.search(text):  # normalised: lower case
                rule_reasons[index] = name_called.group(0)
                floor = ADDRESSED_INSULT_FLOOR
            else:
                continue
            probabilities[index, offensive_column] = max(
                probabilities[index, offensive_column], floor
            )
            probabilities[index, 1 - offensive_column] = 1 - probabilities[index, offensive_column]
        probabilities = batch.adjusted("offensive", probabilities)
        thresholds = np.array([model.threshold for model in chosen])
        decided = np.where(
            probabilities[:, offensive_column] >= thresholds, offensive_column, 1 - offensive_column
        )
        output = batch.output(probabilities, decided, chosen, explain=decided == offensive_column)
        for index, reason in rule_reasons.items():
            if output.labels[index] == "offensive":
                words = [word for word in output.why[index] if word not in reason.split()]
                output.why[index] = [reason, *words][:WHY_WORDS]
        kinds = self._offensive_kinds(batch, langs, texts, output.labels, threats)
        return output, kinds

    def _offensive_kinds(
        self,
        batch: _Batch,
        langs: list[str],
        texts: list[str],
        labels: list[str],
        threats: list[bool],
    ) -> list[str]:
        kinds = [""] * len(texts)
        offensive_rows = [i for i, label in enumerate(labels) if label == "offensive"]
        if not offensive_rows:
            return kinds
        rows = np.asarray(offensive_rows)
        german_kind = self.models["offensive_kind.de"]
        hate = self.models["hate.en"]
        features = batch.model_features[rows]
        german_probabilities = german_kind.probabilities(features)
        hate_probabilities = hate.probabilities(features)[:, hate.classes.index("hate")]
        for position, index in enumerate(offensive_rows):
            if threats[index]:
                kinds[index] = "threat"
            elif langs[index] == "de":
                kinds[index] = german_kind.classes[int(german_probabilities[position].argmax())]
            elif langs[index] == "en" and hate_probabilities[position] >= 0.5:
                kinds[index] = "hate"
            elif ADDRESSED_PATTERN.search(texts[index].lower()):
                kinds[index] = "insult"
            else:
                kinds[index] = "profanity"
        return kinds

    def _mixture(
        self, key: str, features: sp.csr_matrix
    ) -> tuple[np.ndarray, list[LinearModel], LinearModel]:
        """Probabilities of the mixture of experts (training.fit_mixture) that serves the
        model key `key` ("spam.any", "sentiment.de"): the experts' probabilities and
        decision offsets, weighted by the router's share of each text's genre; per text the
        expert with the largest share, which explains the label; and the first expert, whose
        classes and threshold all of them share."""
        router = self.models[mixture_router_key(key)]
        shares = router.probabilities(features)
        experts = [self.models[router.info["router_of"][genre]] for genre in router.classes]
        reference = experts[0]
        for expert in experts:
            if (expert.classes, expert.threshold) != (reference.classes, reference.threshold):
                raise RuntimeError(f"the experts of {key} differ in classes or threshold")
        offsets = np.array(
            [
                [
                    expert.info.get("mixture_decision_bias", {}).get(label, 0.0)
                    for label in reference.classes
                ]
                for expert in experts
            ]
        )
        probabilities = mixed_probabilities(
            shares, [expert.probabilities(features) for expert in experts], offsets
        )
        explaining = [experts[column] for column in shares.argmax(axis=1).tolist()]
        return probabilities, explaining, reference

    def _spam(self, batch: _Batch, texts: list[str]) -> TaskOutput:
        probabilities, explaining, model = self._mixture("spam.any", batch.model_features)
        spam_column = model.classes.index("spam")
        repeats = Counter(batch.normalized)
        rule_reasons: list[list[str]] = []
        for index, text in enumerate(texts):
            reasons: list[str] = []
            boost = 0.0
            cues = {match.group(0) for match in SPAM_CUE_PATTERN.finditer(text.lower())}
            if cues:
                boost += 1.0 + 0.5 * (len(cues) - 1)
                reasons.extend(sorted(cues)[:2])
            links = URL_PATTERN.findall(text)
            if len(links) >= 2:
                boost += 1.0
                reasons.append(f"{len(links)} links")
            domains = {match.group(1).lower() for match in DOMAIN_PATTERN.finditer(" ".join(links))}
            if domains & KNOWN_BAD_DOMAINS:
                boost += 6.0
                reasons.append("known-bad domain")
            # Repetition only strengthens other evidence (a link or a spam cue): identical
            # complaints during an outage, or the same thanks from many customers, are a
            # storm to answer, not spam to hide.
            if (
                (links or cues)
                and len(texts) > 1
                and repeats[batch.normalized[index]] >= REPEATED_TEXT_COUNT
                and len(text) > 20
            ):
                boost += 2.0
                reasons.append("repeated text")
            if boost:
                probability = float(np.clip(probabilities[index, spam_column], 1e-6, 1 - 1e-6))
                logit = math.log(probability / (1 - probability)) + boost
                probabilities[index, spam_column] = 1 / (1 + math.exp(-logit))
                probabilities[index, 1 - spam_column] = 1 - probabilities[index, spam_column]
            rule_reasons.append(reasons)
        probabilities = batch.adjusted("spam", probabilities)
        decided = np.where(
            probabilities[:, spam_column] >= model.threshold, spam_column, 1 - spam_column
        )
        output = batch.output(probabilities, decided, explaining, explain=decided == spam_column)
        for index, reasons in enumerate(rule_reasons):
            if reasons and output.labels[index] == "spam":
                output.why[index] = (reasons + output.why[index])[:WHY_WORDS]
        return output

    def _intent(self, batch: _Batch, texts: list[str], sentiment: TaskOutput) -> TaskOutput:
        model = self.models["intent.any"]
        probabilities = model.probabilities(batch.model_features)
        # The seed set has few real German complaints, leads and suggestions, so the model
        # alone misses many; the documented cue rules add probability mass to their label.
        cue_rows: dict[int, tuple[str, str]] = {}
        other_column = model.classes.index("other")
        question_column = model.classes.index("question")
        praise_column = model.classes.index("praise")
        for index, (text, mood, mood_score) in enumerate(
            zip(texts, sentiment.labels, sentiment.scores, strict=True)
        ):
            label, rule = label_by_cues(text, mood, inbox=True)
            cue = f"cue:{label}"
            greeting = rule == "greeting"
            if greeting:
                # Only a greeting, no praise cue beside it: the model's praise comes from
                # its cheerful words ("Have a great weekend": praise 0.86), which the rule
                # has already read.
                cue = "cue:greeting"
                if self.intent_cue_weights[label]:
                    probabilities[index, praise_column] = 0.0
            elif label == "other" and mood in MOOD_INTENTS and mood_score >= MOOD_INTENT_SCORE:
                # The cue rules label texts written about anything (the seed set's tweets);
                # a message in a brand's inbox is written to the brand, so a clearly
                # negative one without another cue leans to complaint, a positive one to
                # praise.
                label, cue = MOOD_INTENTS[mood], f"mood:{mood}"
            if label != "other" or greeting:
                weight = self.intent_cue_weights[label]
                if weight and label in WORD_CUE_INTENTS and cue.startswith("cue:"):
                    # A word cue says the message wants something; "other" (no intent)
                    # is then no answer, though another intent the model sees still is.
                    # Nor is "question": the rules already put a price or availability
                    # question (lead), a suggestion asked as a question (feedback) and an
                    # angry "why ...?" with a complaint cue (complaint) before the bare
                    # question mark, as the labelling guidelines do.
                    probabilities[index, [other_column, question_column]] = 0.0
                probabilities[index, model.classes.index(label)] += weight
                cue_rows[index] = (label, cue)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        probabilities = batch.adjusted("intent", probabilities)
        output = batch.output(
            probabilities, probabilities.argmax(axis=1), [model] * len(batch.normalized)
        )
        for index, (label, cue) in cue_rows.items():
            if output.labels[index] == label:
                output.why[index] = [cue, *output.why[index]][:WHY_WORDS]
        return output


class _Batch:
    """A vectorised batch plus the word lookup used to explain predictions."""

    def __init__(
        self,
        normalized: list[str],
        tokens: list[list[str]],
        features: sp.csr_matrix,
        model_features: sp.csr_matrix,
        featurizer: TextFeaturizer,
        adjustments: Mapping[str, WorkspaceAdjustment] | None = None,
        lexicon_evidence: list[dict[int, list[str]]] | None = None,
    ) -> None:
        self.normalized = normalized
        # Per text, its word tokens as the featurizer found them (for the explanations).
        self.tokens = tokens
        # Per text, the words behind its lexicon columns (column - HASHED_FEATURES → words).
        self.lexicon_evidence = lexicon_evidence or [{} for _ in normalized]
        self.adjustments = adjustments or {}
        self.base_probabilities: dict[str, np.ndarray] = {}
        # Columns of the feature space (for explanations and workspace adjustments), and
        # the same features in the models' weight-row layout (for their products).
        self.features = features
        self.model_features = model_features
        self.featurizer = featurizer
        self._word_columns: list[dict[int, str]] | None = None
        self._word_entries: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def adjusted(self, task: str, probabilities: np.ndarray) -> np.ndarray:
        """Apply the workspace's learned adjustment for `task`, if it has one."""
        self.base_probabilities[task] = probabilities
        adjustment = self.adjustments.get(task)
        if adjustment is None:
            return probabilities
        return adjustment.adjust(self.features, probabilities)

    def word_columns(self) -> list[dict[int, str]]:
        if self._word_columns is None:
            self._word_columns = [
                self.featurizer.word_columns(text, terms)
                for text, terms in zip(self.normalized, self.tokens, strict=True)
            ]
        return self._word_columns

    def output(
        self,
        probabilities: np.ndarray,
        decided: np.ndarray,
        models: list[LinearModel],
        explain: np.ndarray | None = None,
    ) -> TaskOutput:
        """Labels, scores and top words for the decided class of each row.

        `explain` (one bool per row) limits the words to the rows that need them: a flag
        (offensive, spam) is explained, its absence has nothing to show.
        """
        labels: list[str] = []
        scores: list[float] = []
        why: list[list[str]] = []
        columns_per_row = self.word_columns()
        bounds, pushes, columns = self.word_push(decided, models, explain)
        lexicon_push = self.lexicon_push(decided, models)
        for row, class_index in enumerate(decided.tolist()):
            model = models[row]
            labels.append(model.classes[class_index])
            scores.append(round(float(probabilities[row, class_index]), 4))
            if explain is not None and not explain[row]:
                why.append([])
                continue
            # Evidence as (push towards the label, words): single words from the n-gram
            # columns, strongest first, and the words behind a lexicon column where it
            # pushes as hard.
            candidates: list[tuple[float, list[str]]] = []
            lookup = columns_per_row[row]
            start = bounds[row]
            for position in range(start, min(bounds[row + 1], start + WHY_WORDS * 2)):
                if pushes[position] <= 0:
                    break
                word = lookup.get(columns[position])
                if word is not None:
                    candidates.append((pushes[position], [word]))
            weakest = candidates[WHY_WORDS - 1][0] if len(candidates) >= WHY_WORDS else 0.0
            for column, words in self.lexicon_evidence[row].items():
                amount = float(lexicon_push[row, column])
                if amount > weakest:
                    candidates.append((amount, words[:2]))
            candidates.sort(key=lambda candidate: -candidate[0])
            chosen: list[str] = []
            for _, found in candidates:
                chosen += [word for word in found if word not in chosen]
                if len(chosen) >= WHY_WORDS:
                    break
            why.append(chosen[:WHY_WORDS])
        return TaskOutput(labels, scores, why, models[0].classes)

    def word_push(
        self, decided: np.ndarray, models: list[LinearModel], explain: np.ndarray | None = None
    ) -> tuple[list[int], list[float], list[int]]:
        """Every word-unigram/bigram entry's push towards its row's label, strongest first.

        Returns row boundaries (entries of row r are bounds[r]:bounds[r + 1]) and the pushes
        and columns in that order, as lists: one vectorised pass per (model, label) instead
        of numpy calls per row. Rows left out by `explain` get no entries.
        """
        if self._word_entries is None:
            rows = np.repeat(np.arange(self.features.shape[0]), np.diff(self.features.indptr))
            is_word = self.features.indices < WORD_FEATURES
            self._word_entries = (
                rows[is_word],
                self.features.indices[is_word],
                self.features.data[is_word],
            )
        entry_rows, entry_columns, entry_values = self._word_entries
        if explain is not None:
            kept = explain[entry_rows]
            entry_rows, entry_columns, entry_values = (
                entry_rows[kept],
                entry_columns[kept],
                entry_values[kept],
            )
        group_of_row, groups = label_groups(decided, models)
        push = np.zeros(len(entry_rows))
        entry_groups = group_of_row[entry_rows]
        for group, (model, class_index) in enumerate(groups):
            (selected,) = np.nonzero(entry_groups == group)
            push[selected] = entry_values[selected] * model.push_towards(
                class_index, entry_columns[selected]
            )
        order = np.lexsort((-push, entry_rows))
        bounds = np.searchsorted(entry_rows[order], np.arange(len(models) + 1))
        return bounds.tolist(), push[order].tolist(), entry_columns[order].tolist()

    def lexicon_push(self, decided: np.ndarray, models: list[LinearModel]) -> np.ndarray:
        """(rows, lexicon columns): how much each lexicon column pushes towards the label."""
        dense = self.features[:, HASHED_FEATURES:LEXICON_END].toarray()
        lexicon_columns = np.arange(HASHED_FEATURES, LEXICON_END)
        towards = np.zeros_like(dense)
        group_of_row, groups = label_groups(decided, models)
        for group, (model, class_index) in enumerate(groups):
            towards[group_of_row == group] = model.push_towards(class_index, lexicon_columns)
        return dense * towards


def label_groups(
    decided: np.ndarray, models: list[LinearModel]
) -> tuple[np.ndarray, list[tuple[LinearModel, int]]]:
    """Rows whose evidence is weighed alike: a group number per row, and per group the
    (model, decided label index) they share."""
    group_of_row = np.zeros(len(models), dtype=np.int64)
    numbers: dict[tuple[int, int], int] = {}
    groups: list[tuple[LinearModel, int]] = []
    for row, (model, class_index) in enumerate(zip(models, decided.tolist(), strict=True)):
        key = (id(model), class_index)
        if key not in numbers:
            numbers[key] = len(groups)
            groups.append((model, class_index))
        group_of_row[row] = numbers[key]
    return group_of_row, groups


_instance: Triage | None = None
_instance_lock = threading.Lock()


def get_triage() -> Triage:
    """The process-wide Triage, loaded on first use (thread-safe)."""
    global _instance
    if _instance is None:
        with _instance_lock:
            if _instance is None:
                _instance = Triage.load()
    return _instance


def predict_task(
    task: str, texts: list[str], langs: list[str] | None = None
) -> list[tuple[str, float]]:
    """(label, score) per text for one task, using the shared Triage."""
    return get_triage().predict_task(task, texts, langs)
