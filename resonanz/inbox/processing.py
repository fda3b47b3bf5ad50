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
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from resonanz.inbox.conditions import PRIORITY_BY_NAME
from resonanz.inbox.models import Conversation, Direction, Event, Message
from resonanz.people.models import Identity

if TYPE_CHECKING:
    from resonanz.moderation.engine import Decision

logger = logging.getLogger(__name__)


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
            "reactions",
        )
        .order_by("created_at", "id")
    )
    if not messages:
        return 0
    labels = _triage(messages)
    decisions = _moderation_decisions(messages, labels)
    # Each row is written once per transaction: on PostgreSQL a second UPDATE of a row this
    # transaction already changed re-checks its (deferred) foreign keys at COMMIT, taking
    # key-share locks on the contact that deadlocked with a concurrent ingest.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        processed = _mark_processed(cursor, messages, labels, now)
        hit_ids = _record_hits([d for d in decisions if d.message_id in processed])
        touched: dict[int, Labels] = {}
        workspace_of: dict[int, int] = {}
        for message in messages:
            result = labels.get(message.pk)  # None for replies and notes
            if message.pk in processed and result is not None:
                # The conversation shows its latest message's labels.
                touched[message.conversation_id] = result
                workspace_of[message.conversation_id] = message.workspace_id
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
            # A sweep's batch may hold several workspaces: each event goes to its own.
            Event.objects.bulk_create(
                Event(workspace_id=workspace_of[cid], kind="triage", conversation_id=cid)
                for cid in touched
            )
    if hit_ids:
        from resonanz.moderation.engine import apply_hits

        apply_hits(hit_ids)
    if touched:
        # After moderation: a conversation a rule hid waits for nobody.
        from resonanz.sla.engine import start_timers

        start_timers(list(touched))
    return len(processed)


def _moderation_decisions(messages: list[Message], labels: dict[int, Labels]) -> list[Decision]:
    """The moderation rules each freshly labelled message meets, per workspace."""
    from resonanz.moderation.engine import decide

    fields = {pk: result.fields for pk, result in labels.items()}
    return [
        decision
        for workspace_id, group in _inbound_by_workspace(messages).items()
        for decision in decide(workspace_id, group, fields)
    ]


def _inbound_by_workspace(messages: list[Message]) -> dict[int, list[Message]]:
    """The inbound messages (the ones triage labels), per workspace, in batch order."""
    by_workspace: dict[int, list[Message]] = defaultdict(list)
    for message in messages:
        if message.direction == Direction.INBOUND:
            by_workspace[message.workspace_id].append(message)
    return by_workspace


def _record_hits(decisions: list[Decision]) -> list[int]:
    if not decisions:
        return []
    from resonanz.moderation.engine import record_hits

    return record_hits(decisions)


# Off only to test the per-row path that SQLite before 3.35 (no RETURNING) takes.
BATCHED_UPDATE = True
# Messages per UPDATE (7 parameters each when labelled; PostgreSQL allows 65,535 in all).
UPDATE_ROWS = 1000
LABEL_FIELDS = ["language", "sentiment", "offensive", "spam", "intent", "triage"]
CONVERSATION_LABEL_FIELDS = ["language", "sentiment", "intent", "spam", "offensive"]


def _mark_processed(
    cursor: Any, messages: list[Message], labels: dict[int, Labels], now: object
) -> set[int]:
    """Claim and label the messages no other run has processed yet; return their ids.

    One conditional UPDATE per kind of message (inbound with labels, the others without),
    the labels joined in from a VALUES list, so a batch costs two statements, not one per
    message (per-row UPDATEs were 300 µs of round trip per message on PostgreSQL). Only
    rows that were still unprocessed come back from RETURNING, so a duplicate or retried
    task changes nothing.
    """
    table = connection.ops.quote_name(Message._meta.db_table)
    claim = f"UPDATE {table} SET processed_at = %s, process_count = process_count + 1"  # noqa: S608
    processed: set[int] = set()
    if not BATCHED_UPDATE or not connection.features.can_return_columns_from_insert:
        # SQLite before 3.35 has no RETURNING: one conditional UPDATE per message.
        for message in messages:
            columns, values = _label_values(labels.get(message.pk))
            assignments = "".join(f", {name} = %s" for name in columns)
            cursor.execute(
                f"{claim}{assignments} WHERE id = %s AND processed_at IS NULL",  # noqa: S608
                [now, *values, message.pk],
            )
            if cursor.rowcount == 1:
                processed.add(message.pk)
        return processed
    unlabelled = [message.pk for message in messages if message.pk not in labels]
    for start in range(0, len(unlabelled), UPDATE_ROWS):
        chunk = unlabelled[start : start + UPDATE_ROWS]
        cursor.execute(
            f"{claim} WHERE id IN ({', '.join(['%s'] * len(chunk))}) "  # noqa: S608
            f"AND processed_at IS NULL RETURNING id",
            [now, *chunk],
        )
        processed.update(row[0] for row in cursor.fetchall())
    labelled = [message.pk for message in messages if message.pk in labels]
    # VALUES columns are named column1, column2, ... on PostgreSQL and SQLite alike; each
    # value is cast to its column's type, as NULLs and literals carry none.
    casts = ", ".join(
        f"CAST(%s AS {Message._meta.get_field(name).db_type(connection)})" for name in LABEL_FIELDS
    )
    assignments = ", ".join(
        f"{name} = v.column{position}" for position, name in enumerate(LABEL_FIELDS, 2)
    )
    for start in range(0, len(labelled), UPDATE_ROWS):
        chunk = labelled[start : start + UPDATE_ROWS]
        rows = ", ".join([f"(%s, {casts})"] * len(chunk))
        parameters: list[Any] = [now]
        for pk in chunk:
            parameters += [pk, *_label_values(labels[pk])[1]]
        cursor.execute(
            f"{claim}, {assignments} FROM (VALUES {rows}) AS v "  # noqa: S608
            f"WHERE {table}.id = v.column1 AND {table}.processed_at IS NULL "
            f"RETURNING {table}.id",
            parameters,
        )
        processed.update(row[0] for row in cursor.fetchall())
    return processed


def _label_values(result: Labels | None) -> tuple[list[str], list[Any]]:
    """The label columns to store for one message and their database values."""
    if result is None:
        return [], []
    json_field = Message._meta.get_field("triage")
    return LABEL_FIELDS, [
        json_field.get_db_prep_save(result.fields[name], connection)
        if name == "triage"
        else result.fields[name]
        for name in LABEL_FIELDS
    ]


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

    triage = get_triage()
    out: dict[int, Labels] = {}
    for workspace_id, group in _inbound_by_workspace(messages).items():
        options: dict[str, Any] = {
            "author_reach": _author_reach(group),
            "reactions": [m.reactions for m in group],
            # Only this workspace's corrections ever shape its messages' labels.
            "adjustments": workspace_adjustments(workspace_id, triage.version),
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
