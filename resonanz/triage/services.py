"""Team corrections of triage labels, explicit or implied by what the team does."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from resonanz.core import audit
from resonanz.core.models import Workspace
from resonanz.core.permissions import Access, Capability
from resonanz.inbox.models import Conversation, Direction, Event, Message
from resonanz.triage.labels import (
    DEFAULT_LANGUAGES,
    INTENT_LABELS,
    OFFENSIVE_LABELS,
    SENTIMENT_LABELS,
    SPAM_LABELS,
)
from resonanz.triage.models import ExampleSource, LabelExample, WorkspaceModel

if TYPE_CHECKING:
    # NumPy/SciPy are imported only where models run (the worker), never by web pages.
    from resonanz.triage.workspace_learning import WorkspaceAdjustment

CORRECTABLE: dict[str, tuple[str, ...]] = {
    "sentiment": SENTIMENT_LABELS,
    "intent": INTENT_LABELS,
    "spam": SPAM_LABELS,
    "offensive": OFFENSIVE_LABELS,
}


class InvalidLabel(ValueError):
    pass


def current_label(message: Message, task: str) -> str:
    if task == "spam":
        return "spam" if message.spam else "ham"
    if task == "offensive":
        return "offensive" if message.offensive else "other"
    return str(getattr(message, task))


def _apply(message: Message, task: str, label: str) -> None:
    """Write the label onto the message and, for its latest inbound, the conversation."""
    value: object = label
    if task == "spam":
        value = label == "spam"
    elif task == "offensive":
        value = label == "offensive"
    Message.objects.filter(pk=message.pk).update(**{task: value})
    latest = (
        Message.objects.filter(conversation_id=message.conversation_id, direction=Direction.INBOUND)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if latest == message.pk:
        Conversation.objects.filter(pk=message.conversation_id).update(**{task: value})


def _store(
    access_or_none: Access | None,
    workspace_id: int,
    message: Message,
    task: str,
    label: str,
    source: str,
) -> LabelExample:
    # What triage had said before the correction; nothing when it has not run yet (an agent
    # can mark spam before the worker got to the message, and "not spam" is only a default).
    predicted = current_label(message, task) if message.processed_at is not None else ""
    example, _ = LabelExample.objects.update_or_create(
        message=message,
        task=task,
        defaults={
            "workspace_id": workspace_id,
            "label": label,
            "predicted": predicted,
            "text": message.body,
            "source": source,
            "created_by_id": access_or_none.user_id if access_or_none else None,
        },
    )
    return example


def correct_label(access: Access, message: Message, task: str, label: str) -> LabelExample:
    """A team member says what a message really is; it becomes a labelled example."""
    access.require(Capability.TRIAGE)
    if task not in CORRECTABLE:
        raise InvalidLabel(f"Labels of {task!r} cannot be corrected.")
    if label not in CORRECTABLE[task]:
        raise InvalidLabel(f"{task} must be one of {', '.join(CORRECTABLE[task])}.")
    if message.workspace_id != access.workspace.pk or message.direction != Direction.INBOUND:
        raise InvalidLabel("Only inbound messages of this workspace have labels.")
    with transaction.atomic():
        before = current_label(message, task)
        example = _store(access, access.workspace.pk, message, task, label, ExampleSource.EXPLICIT)
        _apply(message, task, label)
        audit.record(
            workspace=access.workspace,
            actor_id=access.user_id,
            action="triage.correct",
            object_type="message",
            object_id=message.pk,
            before={task: before},
            after={task: label},
        )
        Event.objects.create(
            workspace_id=message.workspace_id,
            kind="triage",
            conversation_id=message.conversation_id,
        )
    return example


def record_implied(
    access: Access,
    conversation: Conversation,
    task: str,
    label: str,
    messages: Iterable[Message] | None = None,
) -> int:
    """Actions teach too: marking spam, un-marking it, hiding as offensive, taking a hide
    back or approving a held comment triage had flagged.

    ``messages`` are the conversation's inbound messages the action speaks about (all of
    them unless given). An explicit correction of the same message and task is never
    overwritten. Only a person's action teaches: a moderation rule acts on triage's own
    labels, and learning from it would only confirm what the model already said.
    """
    if access.user_id is None:
        return 0
    count = 0
    if messages is None:
        messages = Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
    for message in messages:
        explicit = LabelExample.objects.filter(
            message=message, task=task, source=ExampleSource.EXPLICIT
        ).exists()
        if explicit:
            continue
        _store(access, conversation.workspace_id, message, task, label, ExampleSource.IMPLIED)
        _apply(message, task, label)
        count += 1
    return count


# Fewer corrections than this train nothing yet (and the k-fold gain needs as many).
MIN_EXAMPLES = 5


# Uncorrected messages that hold the adjustment to the base model elsewhere (see
# workspace_learning): the workspace's most recent inbound ones.
ANCHOR_MESSAGES = 300


def anchor_texts(workspace_id: int, corrected: set[int | None]) -> list[str]:
    """Recent inbound texts of the workspace that are not among its corrected messages."""
    recent = (
        Message.objects.filter(workspace_id=workspace_id, direction=Direction.INBOUND)
        .exclude(body="")
        .order_by("-id")
        .values_list("id", "body")[: ANCHOR_MESSAGES + len(corrected)]
    )
    return [body for pk, body in recent if pk not in corrected][:ANCHOR_MESSAGES]


def retrain_workspace_models(workspace_id: int | None = None) -> list[WorkspaceModel]:
    """Retrain each (workspace, task) whose examples or base model changed since its last
    training.

    Each workspace's adjustment (``triage.workspace_learning``) is fitted on its own
    examples only, on top of the shipped models; the stored accuracies are measured on
    those examples, without and with learning (`Triage.correction_gain`).
    """
    from resonanz.triage.pipeline import get_triage

    pending = (
        LabelExample.objects.values("workspace_id", "task")
        .annotate(last_id=Max("id"), count=Count("id"))
        .filter(count__gte=MIN_EXAMPLES)
    )
    if workspace_id is not None:
        pending = pending.filter(workspace_id=workspace_id)
    triage = get_triage()
    trained = []
    for row in pending:
        current = WorkspaceModel.objects.filter(
            workspace_id=row["workspace_id"], task=row["task"]
        ).first()
        if (
            current is not None
            and current.last_example_id >= row["last_id"]
            and current.base_version == triage.version
        ):
            continue
        examples = list(
            LabelExample.objects.filter(
                workspace_id=row["workspace_id"], task=row["task"]
            ).order_by("id")
        )
        texts = [e.text for e in examples]
        labels = [e.label for e in examples]
        languages = Workspace.objects.get(pk=row["workspace_id"]).languages or DEFAULT_LANGUAGES
        anchors = anchor_texts(row["workspace_id"], {e.message_id for e in examples})
        adjustment = triage.learn_from_corrections(
            row["task"], texts, labels, languages=languages, anchors=anchors
        )
        gain = triage.correction_gain(
            row["task"], texts, labels, languages=languages, folds=MIN_EXAMPLES, anchors=anchors
        )
        model, _ = WorkspaceModel.objects.update_or_create(
            workspace_id=row["workspace_id"],
            task=row["task"],
            defaults={
                "state": adjustment.to_bytes(),
                "examples": len(examples),
                "last_example_id": row["last_id"],
                "base_version": triage.version,
                "base_accuracy": gain.base,
                "adapted_accuracy": gain.new_wording,
                "in_order_accuracy": gain.in_order,
                "trained_at": timezone.now(),
            },
        )
        trained.append(model)
    return trained


_adjustments: dict[int, tuple[object, WorkspaceAdjustment]] = {}


def workspace_adjustments(workspace_id: int, base_version: str) -> dict[str, WorkspaceAdjustment]:
    """The workspace's learned adjustments, decoded once per process per training.

    Only those fitted on top of `base_version` (the running `Triage.version`): an
    adjustment is a correction of one base model's outputs, anchored on them, and would
    push another base's outputs in directions it was never checked against. After a model
    upgrade the workspace gets the plain base labels until the scheduled retraining has
    fitted its corrections again (within one `retrain_workspace_models` period).
    """
    from resonanz.triage.workspace_learning import WorkspaceAdjustment

    found = {}
    for pk, task, trained_at in WorkspaceModel.objects.filter(
        workspace_id=workspace_id, base_version=base_version
    ).values_list("pk", "task", "trained_at"):
        cached = _adjustments.get(pk)
        if cached is None or cached[0] != trained_at:
            state = WorkspaceModel.objects.values_list("state", flat=True).get(pk=pk)
            cached = (trained_at, WorkspaceAdjustment.from_bytes(bytes(state)))
            _adjustments[pk] = cached
        found[task] = cached[1]
    return found
