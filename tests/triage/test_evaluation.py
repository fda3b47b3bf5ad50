"""The team-written inbox check set that `resonanz triage evaluate` scores."""

from __future__ import annotations

from resonanz.triage.evaluation import INBOX_CHECK_TASKS, inbox_check
from resonanz.triage.intent_seed import read_intent_seed
from resonanz.triage.labels import TASK_LABELS
from resonanz.triage.training import text_key


def test_inbox_check_has_one_part_per_language_and_task_with_product_labels() -> None:
    parts = inbox_check()
    assert {(task, part.language) for task, part in parts} == {
        (task, language) for task in INBOX_CHECK_TASKS for language in ("de", "en")
    }
    for task, part in parts:
        assert len(part.texts) == len(part.labels) >= 100
        # Every label of the task occurs, and nothing outside the product's vocabulary.
        assert set(part.labels) == set(TASK_LABELS[task]), (task, part.language)


def test_inbox_check_is_not_in_the_intent_seed() -> None:
    """Evaluation only: none of its messages may reach a model through the seed set."""
    seed = {text_key(row.text) for row in read_intent_seed()}
    checked = {text_key(text) for _, part in inbox_check() for text in part.texts}
    assert not checked & seed
