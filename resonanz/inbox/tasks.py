"""Background tasks of the inbox. Arguments are ids (plain JSON), never objects."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from resonanz.inbox import processing
from resonanz.inbox.models import Event, Presence


@task()
def process_messages(message_ids: list[int]) -> int:
    return processing.process_messages(message_ids)


@task()
def prune_realtime(keep_minutes: int = 60) -> int:
    """Drop realtime events and presence marks nobody will read any more."""
    cutoff = timezone.now() - timedelta(minutes=keep_minutes)
    deleted, _ = Event.objects.filter(created_at__lt=cutoff).delete()
    Presence.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
