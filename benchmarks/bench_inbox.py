"""The inbox at scale: list, filter, page, API and full-text search over 1,000,000 messages.

    .venv/bin/python benchmarks/bench_inbox.py --database sqlite
    .venv/bin/python benchmarks/bench_inbox.py --database postgres --messages 1000000 --rebuild

Builds (once; cached under /tmp, ``--rebuild`` to start over) a workspace with ``--messages``
messages in about 0.3x as many conversations, ~messages/10 contacts, three channels, threads,
tags and assignments, written straight into the real tables (executemany on SQLite with the
FTS5 stems from ``resonanz.inbox.search.stems``; COPY on PostgreSQL, the GIN index built once
afterwards). Then measures server time in-process with ``django.test.Client`` (the whole
Django request: middleware, view, template) for the inbox page, the rows partial with filters,
a second keyset page, the API and search; and finally the resident memory of ``resonanz
serve`` workers after serving the same requests over HTTP.
Targets: list p95 <= 50 ms, search p95 <= 150 ms, a web process < 200 MB.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from bench_harness import (
    RESONANZ,
    ScratchDatabase,
    Server,
    add_database_argument,
    free_port,
    log_file,
    machine_report,
    percentile,
    rss_mb,
    run,
    say,
)
from bench_import import message_text

BATCH = 20_000
HTTP_ROUNDS = 5  # each request of the table this often over HTTP before reading RSS
TEXT_POOL = 50_000
STATES = [("new", 15), ("open", 12), ("pending", 5), ("resolved", 62), ("spam", 4), ("hidden", 2)]
TAGS = ["billing", "shipping", "bug", "feature", "praise", "legal", "press", "vip", "churn", "app"]


# --- building --------------------------------------------------------------------------------


def columns(model: Any) -> list[str]:
    return [f.column for f in model._meta.local_concrete_fields]


def row_maker(model: Any, writer: Writer) -> Any:
    """values (by column) -> a row tuple; columns not given get the field's default, so a
    column added by a later migration does not break the builder."""
    fields = model._meta.local_concrete_fields
    defaults: dict[str, Any] = {}
    for f in fields:
        value = f.get_default()
        if f.get_internal_type() == "JSONField":
            value = json.dumps(value)
        elif f.get_internal_type() == "BooleanField":
            value = writer.flag(bool(value))
        elif isinstance(value, datetime):
            value = writer.when(value)
        defaults[f.column] = value
    cols = [f.column for f in fields]

    def make(values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[c] if c in values else defaults[c] for c in cols)

    return make


class Writer:
    """Bulk rows into a table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.vendor = connection.vendor

    def when(self, moment: datetime | None) -> Any:
        if moment is None or self.vendor != "sqlite":
            return moment
        return moment.replace(tzinfo=None).isoformat(" ")

    def flag(self, value: bool) -> Any:
        return int(value) if self.vendor == "sqlite" else value

    def write(self, table: str, cols: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
        count = 0
        raw = self.connection.connection
        if self.vendor == "sqlite":
            sql = (
                f'INSERT INTO "{table}" ({", ".join(cols)}) '  # noqa: S608 (our own names)
                f"VALUES ({', '.join('?' for _ in cols)})"
            )
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    raw.executemany(sql, batch)
                    count += len(batch)
                    batch.clear()
            raw.executemany(sql, batch)
            count += len(batch)
            raw.commit()
            return count
        with (
            raw.cursor() as cursor,
            cursor.copy(f'COPY "{table}" ({", ".join(cols)}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        raw.commit()
        return count


def build(messages: int, seed: int = 7) -> dict[str, Any]:
    """Fill the (freshly migrated) database; return what the measurement needs."""
    from django.core.management.color import no_style
    from django.db import connection

    from resonanz.accounts.models import User
    from resonanz.accounts.services import create_token_for_cli
    from resonanz.channels.models import Channel
    from resonanz.core.models import Membership, Role, Workspace
    from resonanz.inbox.models import (
        NOT_WAITING_BASE,
        Conversation,
        Message,
        Tag,
        Thread,
    )
    from resonanz.inbox.search import FTS_TABLE, stems
    from resonanz.people.models import Contact, Identity

    rng = random.Random(seed)
    began = time.perf_counter()
    user = User.objects.create_user(email="bench@resonanz.local", password="bench-password-123")
    workspace = Workspace.objects.create(name="Bench", slug="bench")
    Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    channels = [
        Channel.objects.create(workspace=workspace, kind=kind, slug=kind, name=kind.title())
        for kind in ("widget", "webhook", "import")
    ]
    tags = [Tag.objects.create(workspace=workspace, name=name) for name in TAGS]
    token = create_token_for_cli(email=user.email, workspace_slug="bench", name="bench", role=None)
    connection.ensure_connection()
    writer = Writer(connection)
    vendor = connection.vendor
    raw = connection.connection
    if vendor == "sqlite":
        raw.execute("PRAGMA synchronous=OFF")
    else:
        # The full-text (GIN) indexes are built once after the load, not row by row; their
        # definitions come from the database, so they follow the migrations.
        with raw.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'inbox_message' "
                "AND indexdef ILIKE '%% USING gin %%'"
            )
            gin_indexes = cursor.fetchall()
            for name, _definition in gin_indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        raw.commit()

    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=365)
    n_conversations = max(1, int(messages * 0.3))
    n_contacts = max(1, messages // 10)
    n_threads = max(1, messages // 500)
    ws = workspace.pk

    def log(step: str) -> None:
        say(f"  {time.perf_counter() - began:6.1f} s  {step}")

    # Contacts and their identities.
    first_names = ["Anna", "Jonas", "Lea", "Finn", "Mia", "Paul", "Emma", "Tom", "Sarah", "Ali"]
    last_names = ["Müller", "Schmidt", "Weber", "Smith", "Yılmaz", "Wagner", "Brown", "Novak"]
    contact_names = [
        f"{rng.choice(first_names)} {rng.choice(last_names)}" for _ in range(n_contacts)
    ]
    contact_cols = columns(Contact)
    contact_rows = (
        {
            "id": i,
            "workspace_id": ws,
            "display_name": contact_names[i - 1],
            "email": f"person{i}@example.org" if i % 2 else "",
            "first_seen_at": writer.when(start),
            "last_seen_at": writer.when(now),
            "message_count": 10,
            "notes": "",
        }
        for i in range(1, n_contacts + 1)
    )
    writer.write(
        Contact._meta.db_table,
        contact_cols,
        (row_maker(Contact, writer)(r) for r in contact_rows),
    )
    identity_cols = columns(Identity)
    make_identity = row_maker(Identity, writer)
    writer.write(
        Identity._meta.db_table,
        identity_cols,
        (
            make_identity(
                {
                    "id": i,
                    "workspace_id": ws,
                    "contact_id": i,
                    "channel_id": channels[i % 3].pk,
                    "external_id": f"author-{i}",
                    "handle": "",
                    "reach": None,
                }
            )
            for i in range(1, n_contacts + 1)
        ),
    )
    thread_cols = columns(Thread)
    make_thread = row_maker(Thread, writer)
    writer.write(
        Thread._meta.db_table,
        thread_cols,
        (
            make_thread(
                {
                    "id": i,
                    "workspace_id": ws,
                    "channel_id": channels[0].pk,
                    "key": f"article-{i}",
                    "url": f"https://news.example.org/a/{i}",
                    "title": f"Artikel {i}",
                    "public_version": 1,
                    "created_at": writer.when(start),
                }
            )
            for i in range(1, n_threads + 1)
        ),
    )
    log(f"{n_contacts} contacts, identities, {n_threads} threads")

    # Texts: a pool of varied German/English messages with their stems computed once.
    pool = [message_text(rng) for _ in range(TEXT_POOL)]
    pool_html = [f"<p>{html.escape(t)}</p>" for t in pool]
    pool_stems = [" ".join(stems(t)) if vendor == "sqlite" else "" for t in pool]
    log(f"{TEXT_POOL} texts and their stems")

    # How many messages each conversation holds (at least one; a long tail).
    counts = [1] * n_conversations
    for _ in range(messages - n_conversations):
        counts[min(n_conversations - 1, int(rng.paretovariate(0.6) * 37) % n_conversations)] += 1
    rng.shuffle(counts)
    state_names = [s for s, _ in STATES]
    state_weights = [w for _, w in STATES]

    conversation_rows: list[tuple[Any, ...]] = []
    conversation_cols = columns(Conversation)
    message_cols = columns(Message)
    make_conversation = row_maker(Conversation, writer)
    make_message = row_maker(Message, writer)
    stem_rows: list[tuple[int, str]] = []
    message_id = 0
    tag_rows: list[tuple[int, int, int]] = []
    through = Conversation.tags.through
    through_cols = [
        through._meta.pk.column,
        through._meta.get_field("conversation").column,
        through._meta.get_field("tag").column,
    ]

    def conversation_messages(conv_id: int) -> Iterator[tuple[Any, ...]]:
        nonlocal message_id
        count = counts[conv_id - 1]
        channel = channels[conv_id % 3]
        contact_id = 1 + int(rng.paretovariate(1.1) * 13) % n_contacts
        thread_id = 1 + conv_id % n_threads if channel.kind == "widget" else None
        state = rng.choices(state_names, state_weights)[0]
        at = start + timedelta(seconds=rng.randint(0, 365 * 86400 - 3600))
        created = at
        last_inbound = waiting = first_response = None
        preview = ""
        language = ""
        for k in range(count):
            message_id += 1
            inbound = k == 0 or rng.random() < 0.7
            text_index = rng.randrange(TEXT_POOL)
            if inbound:
                last_inbound = at
                waiting = waiting or at
                preview = pool[text_index][:200]
                language = "de" if text_index % 5 < 3 else "en"
            else:
                waiting = None
                first_response = first_response or at
            if vendor == "sqlite":
                stem_rows.append((message_id, pool_stems[text_index]))
            values = {
                "id": message_id,
                "workspace_id": ws,
                "conversation_id": conv_id,
                "channel_id": channel.pk,
                "external_id": f"m-{message_id}",
                "parent_id": None,
                "direction": "inbound" if inbound else "outbound",
                "visibility": "published",
                "author_contact_id": contact_id if inbound else None,
                "author_user_id": None if inbound else user.pk,
                "author_name": contact_names[contact_id - 1] if inbound else "Team",
                "body": pool[text_index],
                "body_html": pool_html[text_index],
                "created_at": writer.when(at),
                "received_at": writer.when(at),
                "visitor_token_hash": "",
                "mentions": "[]",
                "metadata": "{}",
                "language": language,
                "sentiment": "",
                "offensive": writer.flag(False),
                "spam": writer.flag(state == "spam"),
                "intent": "",
                "triage": "{}",
                "processed_at": writer.when(at),
                "process_count": 1,
            }
            yield make_message(values)
            if k + 1 < count:
                at += timedelta(seconds=rng.randint(60, 3 * 86400))
        if state not in ("new", "open"):
            waiting = None
        elif waiting is None:
            state = "pending" if rng.random() < 0.5 else state
        sort_key = (
            int(waiting.timestamp())
            if waiting is not None
            else NOT_WAITING_BASE - int(at.timestamp())
        )
        values = {
            "id": conv_id,
            "workspace_id": ws,
            "channel_id": channel.pk,
            "thread_id": thread_id,
            "contact_id": contact_id,
            "external_key": f"c-{conv_id}",
            "kind": "comment" if channel.kind == "widget" else rng.choice(["dm", "feedback"]),
            "state": state,
            "priority": rng.choices([0, 1, 2, 3], [10, 75, 12, 3])[0],
            "assignee_id": user.pk if rng.random() < 0.1 else None,
            "language": language,
            "preview": preview,
            "message_count": count,
            "created_at": writer.when(created),
            "last_message_at": writer.when(at),
            "last_inbound_at": writer.when(last_inbound),
            "waiting_since": writer.when(waiting),
            "first_response_at": writer.when(first_response),
            "resolved_at": writer.when(at) if state == "resolved" else None,
            "sort_key": sort_key,
            "spam": writer.flag(state == "spam"),
        }
        conversation_rows.append(make_conversation(values))
        if rng.random() < 0.12:
            tag_rows.append((len(tag_rows) + 1, conv_id, tags[rng.randrange(len(tags))].pk))

    def all_messages() -> Iterator[tuple[Any, ...]]:
        for conv_id in range(1, n_conversations + 1):
            yield from conversation_messages(conv_id)

    # Conversations first (messages point at them), so generate messages into a temporary
    # list per batch of conversations.
    written = 0
    batch_size = 20_000
    for first in range(1, n_conversations + 1, batch_size):
        rows: list[tuple[Any, ...]] = []
        for conv_id in range(first, min(first + batch_size, n_conversations + 1)):
            rows.extend(conversation_messages(conv_id))
        writer.write(Conversation._meta.db_table, conversation_cols, iter(conversation_rows))
        conversation_rows.clear()
        written += writer.write(Message._meta.db_table, message_cols, iter(rows))
        if stem_rows:
            raw.executemany(f"INSERT INTO {FTS_TABLE}(rowid, stems) VALUES (?, ?)", stem_rows)  # noqa: S608
            raw.commit()
            stem_rows.clear()
        if first == 1 or (first - 1) % (batch_size * 10) == 0:
            log(f"{written} messages")
    writer.write(through._meta.db_table, through_cols, iter(tag_rows))
    log(f"{written} messages in {n_conversations} conversations, {len(tag_rows)} tagged")

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Contact, Identity, Thread, Conversation, Message, through]
        ):
            cursor.execute(sql)
    if vendor == "postgresql":
        with raw.cursor() as cursor:
            for _name, definition in gin_indexes:
                cursor.execute(definition)
            log(f"{len(gin_indexes)} GIN full-text index(es) built")
            # What autovacuum would have done by now on a live system.
            cursor.execute("ANALYZE")
        raw.commit()
    log("done")
    return {"messages": written, "conversations": n_conversations, "token": token}


# --- measuring -------------------------------------------------------------------------------


def time_requests(
    client: Any, path: str, seconds: float, min_requests: int, **headers: str
) -> list[float]:
    for _ in range(3):  # warm caches and connections
        response = client.get(path, **headers)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
    timings: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(timings) < min_requests:
        began = time.perf_counter()
        response = client.get(path, **headers)
        timings.append((time.perf_counter() - began) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_database_argument(parser)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="build the data set again")
    parser.add_argument("--seconds", type=float, default=10, help="per measured request")
    parser.add_argument("--min-requests", type=int, default=10)
    args = parser.parse_args()

    db = ScratchDatabase(args.database, f"resonanz_bench_inbox_{args.messages}")
    say("Resonanz benchmark: inbox at scale")
    say(machine_report(db))
    marker = db.directory / "built.json"
    if args.rebuild or not marker.exists() or not db.exists():
        say(f"building {args.messages} messages (cached in {db.directory}) ...")
        began = time.perf_counter()
        db.create()
        os.environ.update(db.env())
        import django

        django.setup()
        info = build(args.messages)
        info["build_seconds"] = round(time.perf_counter() - began, 1)
        marker.write_text(json.dumps(info))
    else:
        # The cached data set follows the code: new migrations are applied to it.
        run([RESONANZ, "migrate", "-v", "0"], env=db.env())
        os.environ.update(db.env())
        import django

        django.setup()
        info = json.loads(marker.read_text())
    say(
        f"data:     {info['messages']} messages, {info['conversations']} conversations "
        f"(built in {info['build_seconds']} s)"
    )

    from django.db import connection
    from django.test import Client

    from resonanz.accounts.models import User
    from resonanz.core.models import Workspace
    from resonanz.inbox import selectors

    user = User.objects.get(email="bench@resonanz.local")
    workspace = Workspace.objects.get(slug="bench")
    client = Client()
    client.force_login(user)
    connection.close()
    api_headers = {"HTTP_AUTHORIZATION": f"Bearer {info['token']}"}

    def cursor_for(params: dict[str, str]) -> str:
        page = selectors.list_conversations(
            workspace, selectors.InboxFilter.from_params(params), user_id=user.pk
        )
        return page.next_cursor or ""

    second_page = quote(cursor_for({}))
    api_second = json.loads(client.get("/api/v1/conversations", **api_headers).content)[
        "next_cursor"
    ]
    cases: list[tuple[str, str, str, dict[str, str]]] = [
        ("list", "inbox page (default: new+open, waiting)", "/w/bench/", {}),
        ("list", "rows: state=open", "/w/bench/rows/?state=open", {}),
        ("list", "rows: all states, channel=widget", "/w/bench/rows/?state=all&channel=widget", {}),
        ("list", "rows: assignee=me, sort=recent", "/w/bench/rows/?assignee=me&sort=recent", {}),
        ("list", "rows: tag=billing", "/w/bench/rows/?tag=billing&state=all", {}),
        ("list", "rows: language=en, priority=2", "/w/bench/rows/?language=en&priority=2", {}),
        ("list", "rows: second keyset page", f"/w/bench/rows/?cursor={second_page}", {}),
        ("list", "API /api/v1/conversations", "/api/v1/conversations", api_headers),
        (
            "list",
            "API second page",
            f"/api/v1/conversations?cursor={quote(api_second or '')}",
            api_headers,
        ),
        ("search", "search q=Kündigung state=all", "/w/bench/?q=K%C3%BCndigung&state=all", {}),
        ("search", "search q=refund", "/w/bench/?q=refund", {}),
        (
            "search",
            "API search q=Rechnung state=all",
            "/api/v1/conversations?q=Rechnung&state=all",
            api_headers,
        ),
    ]
    say(
        f"measure:  in-process django.test.Client (server time), {args.seconds:.0f} s or "
        f"at least {args.min_requests} requests per row"
    )
    worst = {"list": 0.0, "search": 0.0}
    for group, label, path, headers in cases:
        timings = time_requests(client, path, args.seconds, args.min_requests, **headers)
        p50, p95 = percentile(timings, 50), percentile(timings, 95)
        worst[group] = max(worst[group], p95)
        say(f"  {label:40s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  (n={len(timings)})")

    # Resident memory of real web processes after serving the same pages.
    session_cookie = client.cookies["sessionid"].value
    port = free_port()
    server = Server(
        [RESONANZ, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        port=port,
        env=db.env(),
        log=log_file(f"inbox-{args.database}-serve"),
    )
    import http.client

    try:
        server.wait_ready("/healthz")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(HTTP_ROUNDS):
            for _group, _label, path, headers in cases:
                request_headers = {"Cookie": f"sessionid={session_cookie}"}
                if headers:
                    request_headers["Authorization"] = headers["HTTP_AUTHORIZATION"]
                conn.request("GET", path, headers=request_headers)
                response = conn.getresponse()
                response.read()
                assert response.status == 200, (path, response.status)
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()
        rss = [round(rss_mb(pid)) for pid in server.worker_pids()]
    finally:
        server.stop()
    say(f"  web worker RSS after {HTTP_ROUNDS * len(cases)} requests over HTTP: {rss} MB")
    say(
        f"RESULT inbox {args.database} {info['messages']} messages: list p95 (worst row) "
        f"{worst['list']:.1f} ms (target <= 50), search p95 (worst) {worst['search']:.1f} ms "
        f"(target <= 150), web worker RSS max {max(rss)} MB (target < 200)"
    )


if __name__ == "__main__":
    main()
