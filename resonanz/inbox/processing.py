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

from resonanz.inbox.models import Conversation, Direction, Event, Message
from resonanz.people.models import Identity

logger = logging.getLogger(__name__)

PRIORITY_BY_NAME = {"low": 0, "normal": 1, "high": 2, "urgent": 3}


@dataclass(frozen=True)
class Labels:
    """What triage decided for one message: the columns to store and the priority hint."""

    fields: dict[str, object]
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
    # Each row is written once per transaction: on PostgreSQL a second UPDATE of a row this
    # transaction already changed re-checks its (deferred) foreign keys at COMMIT, taking
    # key-share locks on the contact that deadlocked with a concurrent ingest.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    message_table = Message._meta.db_table
    json_field = Message._meta.get_field("triage")
    with transaction.atomic(), connection.cursor() as cursor:
        touched: dict[int, Labels] = {}
        processed = 0
        for message in messages:
            result = labels.get(message.pk)  # None for replies and notes
            stored = {} if result is None else result.fields
            columns = [name for name in LABEL_FIELDS if name in stored]
            values: list[Any] = [
                json_field.get_db_prep_save(stored[name], connection)
                if name == "triage"
                else stored[name]
                for name in columns
            ]
            assignments = "".join(f", {name} = %s" for name in columns)
            cursor.execute(
                f"UPDATE {message_table} SET processed_at = %s, "  # noqa: S608
                f"process_count = process_count + 1{assignments} "
                "WHERE id = %s AND processed_at IS NULL",
                [now, *values, message.pk],
            )
            if cursor.rowcount != 1:
                continue  # another task (or an earlier run of this one) processed it
            processed += 1
            if result is not None:
                # The conversation shows its latest message's labels.
                touched[message.conversation_id] = result
        rows: list[list[Any]] = []
        for conversation_id, result in touched.items():
            # Triage may raise a conversation's priority, never lower what a person set.
            priority = PRIORITY_BY_NAME.get(result.priority, -1)
            rows.append(
                [result.fields[name] for name in CONVERSATION_LABEL_FIELDS]
                + [priority, priority, conversation_id]
            )
        if rows:
            table = Conversation._meta.db_table
            assignments = ", ".join(f"{name} = %s" for name in CONVERSATION_LABEL_FIELDS)
            cursor.executemany(
                f"UPDATE {table} SET {assignments}, "  # noqa: S608
                "priority = CASE WHEN priority < %s THEN %s ELSE priority END WHERE id = %s",
                rows,
            )
            workspace_id = messages[0].workspace_id
            Event.objects.bulk_create(
                Event(workspace_id=workspace_id, kind="triage", conversation_id=cid)
                for cid in touched
            )
    return processed


LABEL_FIELDS = ["language", "sentiment", "offensive", "spam", "intent", "triage"]
CONVERSATION_LABEL_FIELDS = ["language", "sentiment", "intent", "spam", "offensive"]


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
                priority=r.priority,
            )
    return out
