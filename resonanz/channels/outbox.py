"""Delivering replies exactly once, with backoff on temporary errors.

The outbox row is locked while its reply is sent, and marked sent in the same transaction,
so two workers never deliver the same reply and a crash before commit leaves it pending for
a retry (connectors get the same idempotency key every time).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from resonanz.channels.connectors import ConnectorError, connector_for
from resonanz.channels.models import OutboxItem, OutboxStatus
from resonanz.inbox.models import Event

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 30


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), 6 * 3600))


def deliver(outbox_id: int) -> str:
    """Try to deliver one reply; return its resulting status."""
    with transaction.atomic():
        item = (
            OutboxItem.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("channel", "message", "message__conversation", "message__parent")
            .filter(pk=outbox_id)
            .first()
        )
        if item is None:
            return "locked-or-missing"
        if item.status != OutboxStatus.PENDING:
            return item.status
        item.attempts += 1
        try:
            external_id = connector_for(item.channel).send(
                item.message, idempotency_key=item.idempotency_key
            )
        except ConnectorError as exc:
            item.last_error = str(exc)[:2000]
            if exc.permanent or item.attempts >= MAX_ATTEMPTS:
                item.status = OutboxStatus.FAILED
            else:
                delay = (
                    timedelta(seconds=exc.retry_after)
                    if exc.retry_after
                    else backoff(item.attempts)
                )
                item.next_attempt_at = timezone.now() + delay
            item.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            Event.objects.create(
                workspace_id=item.workspace_id,
                kind="delivery",
                conversation_id=item.message.conversation_id,
            )
            return item.status
        item.status = OutboxStatus.SENT
        item.external_id = external_id[:255]
        item.sent_at = timezone.now()
        item.last_error = ""
        item.save(update_fields=["attempts", "status", "external_id", "sent_at", "last_error"])
        Event.objects.create(
            workspace_id=item.workspace_id,
            kind="delivery",
            conversation_id=item.message.conversation_id,
        )
        return item.status


def deliver_due(limit: int = 200) -> int:
    due = list(
        OutboxItem.objects.filter(
            status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        deliver(pk)
    return len(due)
