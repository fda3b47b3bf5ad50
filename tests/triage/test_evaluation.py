"""The team-written inbox sets that `resonanz triage evaluate` scores, kept apart from training."""

from __future__ import annotations

import pytest

from resonanz.triage.evaluation import INBOX_CHECK_TASKS, INBOX_SETS, inbox_parts
from resonanz.triage.intent_seed import read_intent_seed
from resonanz.triage.labels import TASK_LABELS
from resonanz.triage.text_features import text_key
from resonanz.triage.training_data import datasets_directory, load_dataset


def inbox_text_keys(name: str) -> set[str]:
    """The text keys of every message of one inbox set."""
    return {text_key(t) for _, part in inbox_parts(name, INBOX_SETS[name]) for t in part.texts}


@pytest.mark.parametrize("name", sorted(INBOX_SETS))
def test_inbox_sets_have_one_part_per_language_and_task_with_product_labels(name: str) -> None:
    parts = inbox_parts(name, INBOX_SETS[name])
    assert {(task, part.language) for task, part in parts} == {
        (task, language) for task in INBOX_CHECK_TASKS for language in ("de", "en")
    }
    for task, part in parts:
        assert len(part.texts) == len(part.labels) >= 100
        # Every label of the task occurs, and nothing outside the product's vocabulary.
        assert set(part.labels) == set(TASK_LABELS[task]), (task, part.language)


def test_inbox_sets_are_not_in_the_intent_seed_nor_in_each_other() -> None:
    """Evaluation only: none of their messages may reach a model through the seed set."""
    seed = {text_key(row.text) for row in read_intent_seed()}
    texts = {name: inbox_text_keys(name) for name in INBOX_SETS}
    assert not texts["inbox check"] & seed
    assert not texts["inbox test"] & seed
    assert not texts["inbox check"] & texts["inbox test"]


@pytest.mark.parametrize("name", ["inbox_synthetic_de", "inbox_synthetic_en"])
def test_the_written_training_messages_are_not_in_the_inbox_sets(name: str) -> None:
    train, held_out = load_dataset(name, datasets_directory())
    assert len(train) > 400
    written = {text_key(text) for text in train.texts + held_out.texts}
    for inbox in INBOX_SETS:
        assert not written & inbox_text_keys(inbox)


@pytest.mark.parametrize("name", ["spam_written_de", "spam_written_en"])
def test_the_written_spam_messages_are_not_in_the_inbox_sets(name: str) -> None:
    train, held_out = load_dataset(name, datasets_directory())
    assert set(train.labels) == set(held_out.labels) == {"spam", "ham"}
    written = {text_key(text) for text in train.texts + held_out.texts}
    for inbox in INBOX_SETS:
        assert not written & inbox_text_keys(inbox)
