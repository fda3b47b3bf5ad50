"""What a page's visitors see: the published comments of a thread, rendered once per change.

A listing is the same for every visitor, so it is rendered once and cached per process
under the thread's ``public_version``; every change that affects the public (a new
published comment, a delivered reply, hiding) bumps the version in the database
(``inbox/public.py``). A process reads a thread's version with one indexed query and trusts
it for a second, so a change made elsewhere reaches its visitors within that second; the
version doubles as the ETag browsers revalidate with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.db import connection

from resonanz.channels.models import Channel
from resonanz.channels.widget_config import WidgetConfig
from resonanz.core.localcache import THREAD_VERSION_SECONDS, thread_versions
from resonanz.inbox.models import Direction, Message, Thread, Visibility

MAX_COMMENTS = 500


@dataclass(frozen=True)
class Listing:
    body: str
    etag: str


def thread_listing(channel: Channel, config: WidgetConfig, thread_key: str) -> Listing:
    """The public listing of a page: widget settings and the published comments."""
    thread_id, version = _thread_version(channel.pk, thread_key)
    etag = f'"{channel.pk}.{thread_id}.{version}.{config.max_length}.{int(config.premoderation)}"'
    local = caches["local"]
    cache_key = f"widget-listing:{etag}"
    body = local.get(cache_key)
    if body is None:
        comments = _comments(thread_id) if thread_id else []
        body = json.dumps(
            {
                "max_length": config.max_length,
                "premoderation": config.premoderation,
                "comments": comments,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        local.set(cache_key, body, timeout=3600)
    return Listing(body=str(body), etag=etag)


def _thread_version(channel_id: int, key: str) -> tuple[int, int]:
    """(thread id, public version), (0, 0) for a page nobody commented on yet; trusted for
    ``THREAD_VERSION_SECONDS`` (see ``inbox/public.py``). Plain SQL: the queryset cost
    several times the query."""
    cache_key = f"{channel_id}:{key}"
    found = thread_versions.get(cache_key)
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute(_VERSION_SQL, [channel_id, key])
            row = cursor.fetchone()
        found = (row[0], row[1]) if row else (0, 0)
        thread_versions.set(cache_key, found, THREAD_VERSION_SECONDS)
    return found


_VERSION_SQL = (
    f"SELECT id, public_version FROM {Thread._meta.db_table} "  # noqa: S608 (no input)
    "WHERE channel_id = %s AND key = %s"
)


def _comments(thread_id: int) -> list[dict[str, Any]]:
    rows = (
        Message.objects.filter(conversation__thread_id=thread_id, visibility=Visibility.PUBLISHED)
        .exclude(direction=Direction.NOTE)
        .order_by("created_at", "id")
        .values_list(
            "id",
            "external_id",
            "conversation_id",
            "direction",
            "author_name",
            "body_html",
            "created_at",
        )[: MAX_COMMENTS * 4]
    )
    threads: dict[int, dict[str, Any]] = {}
    for pk, ref, conversation_id, direction, author, html, created in rows:
        entry = {
            "id": pk,
            "ref": ref,
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


def pending_for_visitor(
    channel: Channel, thread_key: str, visitor_token_hash: str
) -> list[dict[str, Any]]:
    """A visitor's own comments still waiting for moderation (shown only to them)."""
    return [
        {"id": pk, "ref": ref, "html": html, "created_at": created.isoformat()}
        for pk, ref, html, created in Message.objects.filter(
            channel=channel,
            conversation__thread__key=thread_key,
            visibility=Visibility.HELD,
            direction=Direction.INBOUND,
            visitor_token_hash=visitor_token_hash,
        )
        .order_by("created_at")
        .values_list("id", "external_id", "body_html", "created_at")[:20]
    ]
