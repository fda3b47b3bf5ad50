"""Full-text search over messages, German and English stemming.

SQLite: an FTS5 table holding each message's words reduced to their German and English
stems (PyStemmer, the Snowball stemmers). PostgreSQL: a ``search`` tsvector column (German
and English stems, kept by a trigger) with a GIN index, queried with ``websearch_to_tsquery``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

import Stemmer
from django.db import connection

from resonanz.inbox.models import Message

WORD_RE = re.compile(r"\w+", re.UNICODE)
FTS_TABLE = "inbox_message_fts"

_local = threading.local()


def _stemmers() -> tuple[Stemmer.Stemmer, Stemmer.Stemmer]:
    pair = getattr(_local, "stemmers", None)
    if pair is None:
        pair = (Stemmer.Stemmer("german"), Stemmer.Stemmer("english"))
        _local.stemmers = pair
    return pair


def stems(text: str) -> list[str]:
    """Every word's German and English stem (deduplicated, order kept)."""
    words = [w for w in WORD_RE.findall(text.lower()) if len(w) < 64]
    german, english = _stemmers()
    seen: dict[str, None] = {}
    for stem in (*german.stemWords(words), *english.stemWords(words)):
        seen.setdefault(stem, None)
    return list(seen)


def uses_fts5() -> bool:
    return connection.vendor == "sqlite"


def index_messages(messages: Iterable[Message]) -> None:
    """Add messages to the index; PostgreSQL indexes by itself (trigger)."""
    if not uses_fts5():
        return
    params = [(m.pk, " ".join(stems(m.body)), m.conversation_id, m.workspace_id) for m in messages]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE}(rowid, stems, conversation_id, workspace_id) "  # noqa: S608
                "VALUES (%s, %s, %s, %s)",
                params,
            )


def fts5_query(query: str) -> str:
    """A safe FTS5 MATCH expression: every word must match one of its stems."""
    groups = []
    for word in WORD_RE.findall(query.lower())[:12]:
        german, english = _stemmers()
        variants = {german.stemWord(word), english.stemWord(word)}
        groups.append("(" + " OR ".join(f'"{v}"' for v in sorted(variants)) + ")")
    return " AND ".join(groups)


def matching_conversations_sql(workspace_id: int, query: str) -> tuple[str, list[object]] | None:
    """SQL selecting the ids of conversations with a message matching ``query``.

    The search drives the query (index first, then the few matching conversations are
    ordered), instead of testing every conversation in inbox order against the index.
    None when the query has no words.
    """
    if uses_fts5():
        expression = fts5_query(query)
        if not expression:
            return None
        # The FTS table carries the conversation and workspace (UNINDEXED columns), so no
        # join back to the messages is needed.
        sql = (
            f"SELECT conversation_id FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH %s AND workspace_id = %s"
        )
        return sql, [expression, workspace_id]
    if not WORD_RE.search(query):
        return None
    # ``search`` is the tsvector column kept by a trigger (migration 0005), GIN-indexed.
    sql = (
        "SELECT conversation_id FROM inbox_message WHERE workspace_id = %s AND search @@ "
        "(websearch_to_tsquery('german', %s) || websearch_to_tsquery('english', %s))"
    )
    return sql, [workspace_id, query, query]
