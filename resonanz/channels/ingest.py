"""The one way messages enter Resonanz.

Every intake path (widget, webhook, file import, platform connectors) builds
:class:`InboundItem` objects and calls :func:`ingest`. Ingestion is idempotent on
``(channel, external_id)``; contacts, threads and conversations are found or created in the
same transaction. The processing task is written in that transaction too (the task queue is
a table of the same database), so workers see it exactly when the messages commit: never
before, and never lost to a crash between commit and enqueue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from resonanz.channels.models import Channel
from resonanz.core.bulk import insert_rows, update_rows
from resonanz.core.text import render_plain_text
from resonanz.inbox.aggregates import AGGREGATE_FIELDS, apply_message
from resonanz.inbox.models import (
    Conversation,
    ConversationKind,
    Direction,
    Event,
    Message,
    Thread,
    Visibility,
)
from resonanz.inbox.public import bump_public_version
from resonanz.inbox.search import index_messages
from resonanz.people.models import Contact, Identity

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
MAX_TEXT_LENGTH = 20_000
# Followers and reactions are stored in 32-bit integer columns (PostgreSQL's integer).
MAX_COUNT = 2**31 - 1
INTEGRITY_RETRIES = 3
EVENTS_PER_CONVERSATION_UP_TO = 20


@dataclass(frozen=True)
class InboundItem:
    """A message as a channel delivers it, before it is stored."""

    external_id: str
    text: str
    author_id: str
    author_name: str = ""
    author_email: str = ""
    author_handle: str = ""
    author_reach: int | None = None
    # How many people had already reacted (likes, shares, replies) when the channel
    # delivered it, where the platform says; it raises the message's urgency.
    reactions: int | None = None
    created_at: datetime | None = None
    kind: str = ConversationKind.COMMENT
    direction: str = Direction.INBOUND
    thread_key: str = ""
    thread_url: str = ""
    thread_title: str = ""
    conversation_key: str = ""
    in_reply_to: str = ""
    visibility: str = Visibility.PUBLISHED
    visitor_token_hash: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class IngestResult:
    created_ids: list[int] = field(default_factory=list)
    duplicates: int = 0

    def extend(self, other: IngestResult) -> None:
        self.created_ids.extend(other.created_ids)
        self.duplicates += other.duplicates


def ingest(
    channel: Channel,
    items: Sequence[InboundItem],
    *,
    after_commit: Callable[[list[int]], None] | None = None,
) -> IngestResult:
    """Store new items once; return the new message ids and how many were already known.

    By default the processing task is enqueued inside the transaction; an ``after_commit``
    callable instead receives the new message ids once they are committed.
    """
    result = IngestResult()
    for start in range(0, len(items), CHUNK_SIZE):
        chunk = items[start : start + CHUNK_SIZE]
        for attempt in range(INTEGRITY_RETRIES):
            try:
                with transaction.atomic():
                    chunk_result = _ingest_chunk(channel, chunk)
                    if chunk_result.created_ids:
                        if after_commit is None:
                            _enqueue_processing(chunk_result.created_ids)
                        else:
                            transaction.on_commit(partial(after_commit, chunk_result.created_ids))
                break
            except (IntegrityError, OperationalError) as exc:
                if isinstance(exc, OperationalError) and "deadlock" not in str(exc).lower():
                    raise
                # Another process stored some of these at the same moment; the retry sees
                # them as existing and skips them.
                if attempt == INTEGRITY_RETRIES - 1:
                    raise
                logger.info("ingest: concurrent insert on channel %s, retrying", channel.pk)
        result.extend(chunk_result)
    return result


def _enqueue_processing(message_ids: list[int]) -> None:
    from resonanz.inbox.tasks import process_messages

    process_messages.enqueue(message_ids)


def _ingest_chunk(channel: Channel, chunk: Sequence[InboundItem]) -> IngestResult:
    now = timezone.now()
    result = IngestResult()
    fresh: dict[str, InboundItem] = {}
    for item in chunk:
        if item.external_id in fresh:
            result.duplicates += 1
        else:
            fresh[item.external_id] = item
    known = set(
        Message.objects.filter(channel=channel, external_id__in=list(fresh)).values_list(
            "external_id", flat=True
        )
    )
    for external_id in known:
        del fresh[external_id]
        result.duplicates += 1
    if not fresh:
        return result
    items = list(fresh.values())
    workspace_id = channel.workspace_id

    contacts = _resolve_contacts(channel, items, now)
    threads = _resolve_threads(channel, items)

    # Conversations: a reply joins its parent's conversation; otherwise an explicit
    # conversation key, else the item starts its own.
    parent_ids = {i.in_reply_to for i in items if i.in_reply_to}
    parents = (
        {
            m.external_id: m
            for m in Message.objects.filter(channel=channel, external_id__in=parent_ids).only(
                "id", "external_id", "conversation_id"
            )
        }
        if parent_ids
        else {}
    )
    conversations_by_id = (
        Conversation.objects.in_bulk({m.conversation_id for m in parents.values()})
        if parents
        else {}
    )
    conv_key_of: dict[str, str] = {}

    def conversation_key(item: InboundItem, depth: int = 0) -> str:
        if item.external_id in conv_key_of:
            return conv_key_of[item.external_id]
        if item.conversation_key:
            key = item.conversation_key
        elif item.in_reply_to in parents:
            key = conversations_by_id[parents[item.in_reply_to].conversation_id].external_key
        elif item.in_reply_to in fresh and depth < 50:
            key = conversation_key(fresh[item.in_reply_to], depth + 1)
        else:
            key = item.in_reply_to or item.external_id
        conv_key_of[item.external_id] = key
        return key

    keys = {conversation_key(i) for i in items}
    # Locked in id order: concurrent ingests of the same conversation wait, never deadlock.
    conversations = {
        c.external_key: c
        for c in Conversation.objects.select_for_update()
        .filter(channel=channel, external_key__in=keys)
        .order_by("pk")
    }
    new_conversations: list[Conversation] = []
    for item in items:
        key = conv_key_of[item.external_id]
        if key not in conversations:
            created = item.created_at or now
            conv = Conversation(
                workspace_id=workspace_id,
                channel=channel,
                external_key=key,
                kind=item.kind,
                thread=threads.get(item.thread_key),
                contact=contacts[item.author_id],
                created_at=created,
                last_message_at=created,
                message_count=0,
            )
            conversations[key] = conv
            new_conversations.append(conv)

    messages: list[Message] = []
    ordered = sorted(items, key=lambda i: i.created_at or now)
    for item in ordered:
        conv = conversations[conv_key_of[item.external_id]]
        created = item.created_at or now
        apply_message(conv, direction=item.direction, created_at=created, text=item.text)
        text = item.text[:MAX_TEXT_LENGTH]
        contact = contacts[item.author_id]
        messages.append(
            Message(
                workspace_id=workspace_id,
                channel=channel,
                external_id=item.external_id,
                direction=item.direction,
                visibility=item.visibility,
                author_contact=contact,
                author_name=item.author_name or contact.display_name,
                body=text,
                body_html=render_plain_text(text),
                created_at=created,
                received_at=now,
                visitor_token_hash=item.visitor_token_hash,
                metadata=item.metadata,
                reactions=item.reactions,
            )
        )
    insert_rows(new_conversations)
    created_keys = {c.external_key for c in new_conversations}
    update_rows(
        [c for key, c in conversations.items() if key not in created_keys and key in keys],
        AGGREGATE_FIELDS,
    )
    by_external = {}
    for message, item in zip(messages, ordered, strict=True):
        message.conversation = conversations[conv_key_of[item.external_id]]
        if item.in_reply_to in parents:
            message.parent_id = parents[item.in_reply_to].pk
        by_external[item.external_id] = message
    insert_rows(messages)
    in_chunk_children = []
    for message, item in zip(messages, ordered, strict=True):
        if item.in_reply_to in by_external and message.parent_id is None:
            message.parent_id = by_external[item.in_reply_to].pk
            in_chunk_children.append(message)
    if in_chunk_children:
        update_rows(in_chunk_children, ["parent"])

    index_messages(messages)
    published_thread_ids = {
        thread_id
        for i in ordered
        if i.visibility == Visibility.PUBLISHED
        and (thread_id := conversations[conv_key_of[i.external_id]].thread_id) is not None
    }
    bump_public_version(published_thread_ids)
    touched_ids = {conversations[conv_key_of[i.external_id]].pk for i in items}
    if len(touched_ids) > EVENTS_PER_CONVERSATION_UP_TO:
        # A bulk arrival (an import): open inboxes reload once instead of per conversation.
        Event.objects.create(workspace_id=workspace_id, kind="bulk", conversation_id=None)
    else:
        Event.objects.bulk_create(
            Event(workspace_id=workspace_id, kind="message", conversation_id=pk, created_at=now)
            for pk in touched_ids
        )
    result.created_ids = [m.pk for m in messages]
    return result


def _resolve_contacts(
    channel: Channel, items: list[InboundItem], now: datetime
) -> dict[str, Contact]:
    """Find or create the contact behind each author id (by identity, then by email)."""
    author_ids = {i.author_id for i in items}
    identities = {
        ident.external_id: ident
        for ident in Identity.objects.select_for_update()
        .filter(channel=channel, external_id__in=author_ids)
        .select_related("contact")
        .order_by("pk")
    }
    contacts: dict[str, Contact] = {aid: identities[aid].contact for aid in identities}
    first_item: dict[str, InboundItem] = {}
    for item in items:
        first_item.setdefault(item.author_id, item)
    # Sorted: concurrent ingests insert shared new identities in the same order, so one
    # waits for the other instead of each waiting for the other.
    missing = sorted(aid for aid in author_ids if aid not in identities)
    emails = {first_item[a].author_email.lower() for a in missing if first_item[a].author_email}
    by_email: dict[str, Contact] = {}
    if emails:
        for contact in (
            Contact.objects.select_for_update()
            .filter(workspace_id=channel.workspace_id, email__in=emails)
            .order_by("pk")
        ):
            by_email.setdefault(contact.email.lower(), contact)
    new_contacts: list[Contact] = []
    for aid in missing:
        item = first_item[aid]
        email = item.author_email.lower()
        matched = by_email.get(email) if email else None
        if matched is not None:
            contact = matched
        else:
            seen = item.created_at or now
            contact = Contact(
                workspace_id=channel.workspace_id,
                display_name=(item.author_name or item.author_handle or "")[:200],
                email=email[:254],
                first_seen_at=seen,
                last_seen_at=seen,
            )
            new_contacts.append(contact)
            if email:
                by_email[email] = contact
        contacts[aid] = contact
    Contact.objects.bulk_create(new_contacts)
    Identity.objects.bulk_create(
        Identity(
            workspace_id=channel.workspace_id,
            contact=contacts[aid],
            channel=channel,
            external_id=aid,
            handle=first_item[aid].author_handle[:200],
            reach=first_item[aid].author_reach,
        )
        for aid in missing
    )
    for item in items:
        contact = contacts[item.author_id]
        contact.message_count += 1
        seen = item.created_at or now
        if seen > contact.last_seen_at:
            contact.last_seen_at = seen
        if seen < contact.first_seen_at:
            contact.first_seen_at = seen
    update_rows(
        sorted({c.pk: c for c in contacts.values()}.values(), key=lambda c: c.pk),
        ["message_count", "last_seen_at", "first_seen_at"],
    )
    return contacts


def _resolve_threads(channel: Channel, items: list[InboundItem]) -> dict[str, Thread]:
    keys = {i.thread_key for i in items if i.thread_key}
    if not keys:
        return {}
    threads = {t.key: t for t in Thread.objects.filter(channel=channel, key__in=keys)}
    new_threads = {}
    for item in items:
        if (
            item.thread_key
            and item.thread_key not in threads
            and item.thread_key not in new_threads
        ):
            new_threads[item.thread_key] = Thread(
                workspace_id=channel.workspace_id,
                channel=channel,
                key=item.thread_key[:500],
                url=item.thread_url[:1000],
                title=item.thread_title[:300],
            )
    Thread.objects.bulk_create(new_threads.values())
    threads.update(new_threads)
    return threads
