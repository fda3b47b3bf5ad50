"""What a page's visitors see: the published comments of a thread, rendered once per change.

The rendered JSON is cached per process under the thread's ``public_version``; every change
that affects the public (a new published comment, a delivered reply, hiding) bumps the
version in the database, so no process ever serves a stale thread.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.cache import caches

from resonanz.channels.models import Channel
from resonanz.inbox.models import Direction, Message, Thread, Visibility

MAX_COMMENTS = 500


def published_thread_json(thread: Thread) -> str:
    """The thread's public comments as a JSON array (cached by version)."""
    local = caches["local"]
    key = f"widget:{thread.pk}:{thread.public_version}"
    cached = local.get(key)
    if cached is not None:
        return str(cached)
    rendered = json.dumps(_comments(thread), ensure_ascii=False, separators=(",", ":"))
    local.set(key, rendered, timeout=3600)
    return rendered


def _comments(thread: Thread) -> list[dict[str, Any]]:
    rows = (
        Message.objects.filter(conversation__thread=thread, visibility=Visibility.PUBLISHED)
        .exclude(direction=Direction.NOTE)
        .order_by("created_at", "id")
        .values_list(
            "id", "conversation_id", "direction", "author_name", "body_html", "created_at"
        )[: MAX_COMMENTS * 4]
    )
    threads: dict[int, dict[str, Any]] = {}
    for pk, conversation_id, direction, author, html, created in rows:
        entry = {
            "id": pk,
            "author": author,
            "html": html,
            "created_at": created.isoformat(),
            "team": direction == Direction.OUTBOUND,
        }
        top = threads.get(conversation_id)
        if top is None:
            if direction == Direction.OUTBOUND:
                continue  # a reply whose comment is not public
            threads[conversation_id] = {**entry, "replies": []}
        else:
            top["replies"].append(entry)
    return list(threads.values())[-MAX_COMMENTS:]


def find_thread(channel: Channel, key: str) -> Thread | None:
    return Thread.objects.filter(channel=channel, key=key).only("id", "public_version").first()


def pending_for_visitor(thread: Thread, visitor_token_hash: str) -> list[dict[str, Any]]:
    """A visitor's own comments still waiting for moderation (shown only to them)."""
    return [
        {"id": pk, "html": html, "created_at": created.isoformat()}
        for pk, html, created in Message.objects.filter(
            conversation__thread=thread,
            visibility=Visibility.HELD,
            direction=Direction.INBOUND,
            visitor_token_hash=visitor_token_hash,
        )
        .order_by("created_at")
        .values_list("id", "body_html", "created_at")[:20]
    ]
