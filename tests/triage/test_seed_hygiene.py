"""No evaluation message leaks into the data the team wrote for training.

The written training files were filtered by hand against the inbox check and test sets
(difflib, 70 % alike; seed/README.md). This guards the result against later additions: a
message of four or more content words whose words are nearly all those of a training
text (three in four, Jaccard) fails, and so does any exact copy.
"""

from __future__ import annotations

from pathlib import Path

from resonanz.triage.text_features import content_words, text_key
from resonanz.triage.training_data import read_rows

TRIAGE = Path(__file__).resolve().parents[2] / "resonanz" / "triage"
WRITTEN_TRAINING = sorted((TRIAGE / "seed").glob("*/train.csv")) + [
    TRIAGE / "seed" / "intent_written.csv"
]
EVALUATION = [TRIAGE / "inbox_check" / "inbox_check.csv", TRIAGE / "inbox_check" / "inbox_test.csv"]


def texts(paths: list[Path]) -> list[str]:
    return [row["text"] for path in paths for row in read_rows(path)]


def test_no_evaluation_message_is_copied_into_written_training_data() -> None:
    training = texts(WRITTEN_TRAINING)
    evaluation = texts(EVALUATION)
    assert len(training) > 3000 and len(evaluation) > 500
    assert not {text_key(text) for text in evaluation} & {text_key(text) for text in training}
    index: dict[str, list[frozenset[str]]] = {}
    for words in (content_words(text_key(text)) for text in training):
        for word in words:
            index.setdefault(word, []).append(words)
    leaks = []
    for text in evaluation:
        words = content_words(text_key(text))
        if len(words) < 4:
            continue
        candidates = {other for word in words for other in index.get(word, ())}
        if any(len(words & other) / len(words | other) >= 0.75 for other in candidates):
            leaks.append(text)
    assert leaks == []
