"""Importing messages from CSV and JSONL files (CLI and UI share this module).

Each line is checked on its own: bad lines are reported with their line number and the
reason, good lines go through :func:`~resonanz.channels.ingest.ingest` in chunks, so a
100,000-line file never sits in memory as objects and a replay imports nothing twice.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.utils.dateparse import parse_datetime

from resonanz.channels.ingest import CHUNK_SIZE, MAX_COUNT, InboundItem, IngestResult, ingest
from resonanz.channels.models import Channel
from resonanz.inbox.models import ConversationKind, Direction, Message

FIELDS = (
    "id",
    "text",
    "author_id",
    "author_name",
    "author_email",
    "author_handle",
    "author_reach",
    "reactions",
    "created_at",
    "kind",
    "direction",
    "thread_key",
    "thread_url",
    "thread_title",
    "conversation",
    "in_reply_to",
)
REQUIRED = ("id", "text", "author_id")
MAX_FIELD = {"id": 255, "author_id": 255, "text": 20_000, "thread_key": 500, "conversation": 255}
csv.field_size_limit(1_000_000)


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unknown format, missing columns ...)."""


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    errors: list[LineError] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)


def detect_format(name: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lower.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    raise ImportFileError("Cannot tell the file format from its name; use --format csv or jsonl.")


def _decoded_lines(stream: IO[bytes], bad_lines: set[int]) -> Iterator[str]:
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines.add(number)
            yield raw.decode("utf-8", errors="replace")


def iter_rows(
    stream: IO[bytes], file_format: str
) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """Yield (line number, row or None, error reason) for each record in the file."""
    bad_lines: set[int] = set()
    lines = _decoded_lines(stream, bad_lines)
    if file_format == "jsonl":
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            if number in bad_lines:
                yield number, None, "not valid UTF-8 text"
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"not valid JSON ({exc.msg} at column {exc.colno})"
                continue
            if not isinstance(value, dict):
                yield number, None, "each line must be a JSON object"
                continue
            yield number, value, ""
        return
    reader = csv.DictReader(lines)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise ImportFileError(f"The CSV header cannot be read: {exc}") from exc
    if not header:
        raise ImportFileError("The file is empty.")
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, None, f"broken CSV: {exc}"
            start = reader.line_num + 1
            continue
        end = reader.line_num
        if any(n in bad_lines for n in range(start, end + 1)):
            yield start, None, "not valid UTF-8 text"
        elif None in row:
            yield start, None, f"more values than the {len(header)} columns of the header"
        else:
            yield start, dict(row), ""
        start = end + 1


def check_columns(header: Iterable[str], mapping: dict[str, str]) -> None:
    columns = set(header)
    missing = [f for f in REQUIRED if mapping.get(f, f) not in columns]
    if missing:
        names = ", ".join(f"{f} (column {mapping.get(f, f)!r})" for f in missing)
        raise ImportFileError(f"Required columns are missing: {names}. Map them with FIELD=COLUMN.")


def row_to_item(row: dict[str, Any], mapping: dict[str, str]) -> InboundItem:
    """Turn one row into an item; ``ValueError`` says what is wrong with it."""

    def value(name: str) -> str:
        raw = row.get(mapping.get(name, name), "")
        if raw is None:
            return ""
        if isinstance(raw, (dict, list)):
            raise ValueError(f"{name} must be text, not {type(raw).__name__}")
        text = str(raw).strip() if name != "text" else str(raw)
        limit = MAX_FIELD.get(name, 1000)
        if len(text) > limit:
            raise ValueError(f"{name} is longer than {limit} characters")
        return text

    for name in REQUIRED:
        if not value(name).strip():
            raise ValueError(f"{name} is empty")
    created_at: datetime | None = None
    if value("created_at"):
        created_at = parse_datetime(value("created_at"))
        if created_at is None or created_at.tzinfo is None:
            raise ValueError(
                "created_at must be an ISO 8601 time with a time zone, "
                "e.g. 2026-11-25T10:00:00+01:00"
            )
    counts = {name: count(name, value(name)) for name in ("author_reach", "reactions")}
    kind = value("kind") or ConversationKind.COMMENT
    if kind not in ConversationKind.values:
        raise ValueError(f"kind must be one of {', '.join(ConversationKind.values)}")
    direction = value("direction") or Direction.INBOUND
    if direction not in (Direction.INBOUND, Direction.OUTBOUND):
        raise ValueError("direction must be inbound or outbound")
    return InboundItem(
        external_id=value("id"),
        text=value("text"),
        author_id=value("author_id"),
        author_name=value("author_name"),
        author_email=value("author_email"),
        author_handle=value("author_handle"),
        author_reach=counts["author_reach"],
        reactions=counts["reactions"],
        created_at=created_at,
        kind=kind,
        direction=direction,
        thread_key=value("thread_key"),
        thread_url=value("thread_url"),
        thread_title=value("thread_title"),
        conversation_key=value("conversation"),
        in_reply_to=value("in_reply_to"),
    )


def count(name: str, text: str) -> int | None:
    """An optional whole number of people (followers, reactions); ValueError says why not."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_COUNT:
        raise ValueError(f"{name} must be a whole number from 0 to {MAX_COUNT}")
    return int(text)


def import_stream(
    channel: Channel,
    stream: IO[bytes],
    *,
    file_format: str,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    after_commit: Callable[[list[int]], None] | None = None,
) -> ImportReport:
    """Import a file into ``channel``; return counts and each bad line with its reason."""
    mapping = {k: v for k, v in (mapping or {}).items() if v}
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise ImportFileError(f"Unknown field(s) in mapping: {', '.join(sorted(unknown))}.")
    report = ImportReport()
    batch: list[InboundItem] = []
    header_checked = file_format == "jsonl"

    def flush() -> None:
        if not batch:
            return
        if dry_run:
            known = set(
                Message.objects.filter(
                    channel=channel, external_id__in=[i.external_id for i in batch]
                ).values_list("external_id", flat=True)
            )
            new = {i.external_id for i in batch} - known
            report.imported += len(new)
            report.duplicates += len(batch) - len(new)
        else:
            result: IngestResult = ingest(channel, batch, after_commit=after_commit)
            report.imported += len(result.created_ids)
            report.duplicates += result.duplicates
            report.message_ids.extend(result.created_ids)
        batch.clear()

    for line, row, reason in iter_rows(stream, file_format):
        report.rows += 1
        if not header_checked and row is not None:
            check_columns(row.keys(), mapping)
            header_checked = True
        if row is None:
            report.errors.append(LineError(line, reason))
            continue
        try:
            batch.append(row_to_item(row, mapping))
        except ValueError as exc:
            report.errors.append(LineError(line, str(exc)))
            continue
        if len(batch) >= CHUNK_SIZE:
            flush()
    flush()
    return report


def import_file_for_cli(
    *,
    path: Path,
    workspace_slug: str,
    channel_slug: str,
    dry_run: bool,
    file_format: str | None,
    mapping: dict[str, str],
) -> ImportReport:
    channel = Channel.objects.filter(workspace__slug=workspace_slug, slug=channel_slug).first()
    if channel is None:
        raise ImportFileError(f"No channel {channel_slug!r} in workspace {workspace_slug!r}.")
    if not path.is_file():
        raise ImportFileError(f"No such file: {path}")
    fmt = detect_format(path.name, file_format)
    with path.open("rb") as stream:
        return import_stream(channel, stream, file_format=fmt, mapping=mapping, dry_run=dry_run)


def import_bytes(channel: Channel, data: bytes, *, name: str, **kwargs: Any) -> ImportReport:
    fmt = detect_format(name, kwargs.pop("file_format", None))
    return import_stream(channel, io.BytesIO(data), file_format=fmt, **kwargs)
