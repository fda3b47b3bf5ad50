"""What the worker does with a freshly stored message: triage, then update the inbox.

Each message is processed exactly once: the write is a conditional update on
``processed_at IS NULL``, so a task that runs again after a crash (or a duplicate task)
changes nothing that was already done.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from resonanz.core.bulk import update_rows
from resonanz.inbox.models import Conversation, Direction, Event, Message
from resonanz.people.models import Identity

logger = logging.getLogger(__name__)

PRIORITY_BY_NAME = {"low": 0, "normal": 1, "high": 2, "urgent": 3}


@dataclass(frozen=True)
class Labels:
    """What triage decided for one message: the columns to store and the priority hint."""

    fields: dict[str, object]
    language: str
    priority: str


def process_messages(message_ids: Sequence[int]) -> int:
    """Triage and file the given messages; return how many this call processed."""
    messages = list(
        Message.objects.filter(pk__in=list(message_ids), processed_at__isnull=True)
        .select_related("workspace")
        .only(
            "id",
            "body",
            "conversation_id",
            "workspace__languages",
            "direction",
            "channel_id",
            "author_contact_id",
        )
        .order_by("created_at", "id")
    )
    if not messages:
        return 0
    labels = _triage(messages)
    with transaction.atomic():
        claimed = _claim(messages)
        mine = [m for m in messages if m.pk in claimed]
        labelled = []
        for message in mine:
            result = labels.get(message.pk)
            if result is not None:
                for name, value in result.fields.items():
                    setattr(message, name, value)
                labelled.append(message)
        update_rows(labelled, LABEL_FIELDS)
        # The conversation shows its latest message's labels.
        touched: dict[int, Labels] = {}
        for message in labelled:
            touched[message.conversation_id] = labels[message.pk]
        conversations = []
        raises = []
        for conversation_id, result in touched.items():
            conversation = Conversation(pk=conversation_id, language=result.language)
            for name in CONVERSATION_LABEL_FIELDS[1:]:
                setattr(conversation, name, result.fields[name])
            conversations.append(conversation)
            priority = PRIORITY_BY_NAME.get(result.priority)
            if priority is not None:
                raises.append((priority, conversation_id, priority))
        update_rows(conversations, CONVERSATION_LABEL_FIELDS)
        if raises:
            # Triage may raise a conversation's priority, never lower what a person set.
            table = Conversation._meta.db_table
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET priority = %s WHERE id = %s AND priority < %s",  # noqa: S608
                    raises,
                )
        if touched:
            workspace_id = messages[0].workspace_id
            Event.objects.bulk_create(
                Event(workspace_id=workspace_id, kind="triage", conversation_id=cid)
                for cid in touched
            )
    return len(claimed)


LABEL_FIELDS = ["language", "sentiment", "offensive", "spam", "intent", "triage"]
CONVERSATION_LABEL_FIELDS = ["language", "sentiment", "intent", "spam", "offensive"]


def _claim(messages: list[Message]) -> set[int]:
    """Mark the messages processed, in one statement, and return the ids this call got: a
    message another task (or an earlier run of this one) already processed is left alone."""
    table = Message._meta.db_table
    ids = [m.pk for m in messages]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET processed_at = %s, process_count = process_count + 1 "  # noqa: S608
            f"WHERE id IN ({marks}) AND processed_at IS NULL RETURNING id",
            [connection.ops.adapt_datetimefield_value(timezone.now()), *ids],
        )
        return {row[0] for row in cursor.fetchall()}


def _author_reach(messages: list[Message]) -> list[int | None]:
    """Followers of each author on the message's channel, where the platform told us."""
    reach: dict[tuple[int, int | None], int | None] = {
        (channel_id, contact_id): value
        for channel_id, contact_id, value in Identity.objects.filter(
            channel_id__in={m.channel_id for m in messages},
            contact_id__in={m.author_contact_id for m in messages if m.author_contact_id},
            reach__isnull=False,
        ).values_list("channel_id", "contact_id", "reach")
    }
    return [reach.get((m.channel_id, m.author_contact_id)) for m in messages]


def _triage(messages: list[Message]) -> dict[int, Labels]:
    """Labels per inbound message id: the shipped models plus the workspace's own learning."""
    from resonanz.triage.pipeline import get_triage
    from resonanz.triage.services import workspace_adjustments

    by_workspace: dict[int, list[Message]] = defaultdict(list)
    for message in messages:
        if message.direction == Direction.INBOUND:
            by_workspace[message.workspace_id].append(message)
    triage = get_triage()
    out: dict[int, Labels] = {}
    for workspace_id, group in by_workspace.items():
        options: dict[str, Any] = {
            "author_reach": _author_reach(group),
            # Only this workspace's corrections ever shape its messages' labels.
            "adjustments": workspace_adjustments(workspace_id),
        }
        if group[0].workspace.languages:
            options["languages"] = group[0].workspace.languages
        results = triage.triage_batch([m.body for m in group], **options)
        for message, r in zip(group, results, strict=True):
            out[message.pk] = Labels(
                fields={
                    "language": r.language,
                    "sentiment": r.sentiment,
                    "offensive": r.offensive == "offensive",
                    "spam": r.spam == "spam",
                    "intent": r.intent,
                    "triage": {
                        "sentiment_score": round(r.sentiment_score, 3),
                        "offensive_score": round(r.offensive_score, 3),
                        "offensive_kind": r.offensive_kind,
                        "spam_score": round(r.spam_score, 3),
                        "intent_score": round(r.intent_score, 3),
                        "urgency": round(r.urgency, 3),
                        "priority": r.priority,
                        "why": r.why,
                        "learned": sorted(options["adjustments"]),
                    },
                },
                language=r.language,
                priority=r.priority,
            )
    return out
