"""Background tasks of the inbox. Arguments are ids (plain JSON), never objects."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from resonanz.inbox import processing
from resonanz.inbox.models import Event, Message, Presence


@task()
def process_messages(message_ids: list[int]) -> int:
    return processing.process_messages(message_ids)


@task()
def sweep_unprocessed(older_than_seconds: int = 120, limit: int = 5000) -> int:
    """Scheduled: process messages whose task never ran (a crash between commit and
    enqueue) or failed (e.g. triage raised); processing is idempotent, so this is safe."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Message.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for start in range(0, len(ids), 500):
        process_messages.enqueue(ids[start : start + 500])
    return len(ids)


@task()
def prune_realtime(keep_minutes: int = 60) -> int:
    """Drop realtime events and presence marks nobody will read any more."""
    cutoff = timezone.now() - timedelta(minutes=keep_minutes)
    deleted, _ = Event.objects.filter(created_at__lt=cutoff).delete()
    Presence.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
