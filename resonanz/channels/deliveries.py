"""Deliveries: messages stored at once, ingested by the worker in batches.

The webhook view checks the signature and the schema (the widget its anti-spam rules),
stores the body as a :class:`Delivery` and, in the same transaction, enqueues
:func:`ingest_pending` for the channel unless such a task is already waiting (a burst
shares one), then answers.
The worker claims pending deliveries of a channel oldest first (``SKIP LOCKED`` on
PostgreSQL, so several workers share a burst), parses them again with the channel's
connector and hands all their items to :func:`ingest` at once.
Ingestion is idempotent, so a delivery that is retried after a crash stores nothing twice.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Count
from django.utils import timezone

from resonanz.channels.connectors import connector_for
from resonanz.channels.ingest import CHUNK_SIZE, InboundItem, ingest
from resonanz.channels.models import Channel, Delivery, DeliveryState
from resonanz.core import audit
from resonanz.core.permissions import Access, Capability
from resonanz.core.queue import enqueue_once

logger = logging.getLogger(__name__)

#: Deliveries are claimed until this many items are together (one ingest transaction).
#: No more than one ingest chunk: a chunk that meets a deadlock with another worker is
#: retried from its savepoint, which only works when no earlier chunk of the same
#: transaction still holds its locks (two chunks deadlocked in the scale test).
BATCH_ITEMS = CHUNK_SIZE
#: Batches per task run; what is left gets a fresh task, so no task runs for long.
BATCHES_PER_RUN = 20
FAILED_RETENTION_DAYS = 30


def receive(channel: Channel, body: bytes, item_count: int) -> Delivery:
    """Store a verified, validated body and enqueue its ingestion (one transaction)."""
    from resonanz.channels.tasks import ingest_deliveries

    with transaction.atomic():
        delivery = Delivery.objects.create(
            workspace_id=channel.workspace_id,
            channel=channel,
            body=body.decode("utf-8"),
            item_count=item_count,
        )
        enqueue_once(ingest_deliveries, channel.pk)
    return delivery


def encode_items(items: list[InboundItem]) -> bytes:
    """Items as a delivery body, for channels whose endpoint builds the items itself."""
    return json.dumps(
        [
            {
                **dataclasses.asdict(item),
                "created_at": item.created_at.isoformat() if item.created_at else None,
            }
            for item in items
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def decode_items(body: bytes) -> list[InboundItem]:
    items = []
    for data in json.loads(body):
        created = data.pop("created_at")
        items.append(
            InboundItem(**data, created_at=datetime.fromisoformat(created) if created else None)
        )
    return items


def ingest_pending(channel_id: int) -> int:
    """Ingest the channel's pending deliveries; return how many were handled."""
    handled = 0
    for _ in range(BATCHES_PER_RUN):
        with transaction.atomic():
            batch = _claim(channel_id)
            if not batch:
                return handled
            _ingest_batch(batch)
        handled += len(batch)
    from resonanz.channels.tasks import ingest_deliveries

    ingest_deliveries.enqueue(channel_id)  # more are waiting
    return handled


def _claim(channel_id: int) -> list[Delivery]:
    pending = (
        Delivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("channel")
        .filter(channel_id=channel_id, state=DeliveryState.PENDING)
        .order_by("id")
    )
    batch: list[Delivery] = []
    items = 0
    for delivery in pending[:BATCH_ITEMS]:
        if batch and items + delivery.item_count > BATCH_ITEMS:
            break
        batch.append(delivery)
        items += delivery.item_count
    return batch


def _ingest_batch(batch: list[Delivery]) -> None:
    """All deliveries in one ingest; if that fails, each on its own, so one body that
    cannot be ingested is marked failed and does not hold up the others."""
    channel = batch[0].channel
    connector = connector_for(channel)
    try:
        with transaction.atomic():
            items: list[InboundItem] = []
            for delivery in batch:
                items.extend(connector.parse_delivery(delivery.body.encode()))
            ingest(channel, items)
    except (OperationalError, InterfaceError):
        # The database, not the body: give up this run; the deliveries stay waiting and
        # the sweep queues them again.
        raise
    except Exception as exc:
        if len(batch) > 1:
            for delivery in batch:
                _ingest_batch([delivery])
            return
        logger.exception("webhook delivery %s could not be ingested", batch[0].pk)
        _mark(batch, DeliveryState.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
    else:
        _mark(batch, DeliveryState.INGESTED)


def _mark(batch: list[Delivery], state: str, *, error: str = "") -> None:
    Delivery.objects.filter(pk__in=[d.pk for d in batch]).update(
        state=state, ingested_at=timezone.now(), error=error
    )


def sweep() -> int:
    """Scheduled: re-enqueue channels whose deliveries wait too long (a lost task), delete
    ingested bodies after the retention period and failed ones after 30 days."""
    now = timezone.now()
    stale = set(
        Delivery.objects.filter(
            state=DeliveryState.PENDING, received_at__lt=now - timedelta(minutes=2)
        ).values_list("channel_id", flat=True)
    )
    from resonanz.channels.tasks import ingest_deliveries

    for channel_id in stale:
        ingest_deliveries.enqueue(channel_id)
    retention = timedelta(days=settings.DELIVERY_RETENTION_DAYS)
    Delivery.objects.filter(state=DeliveryState.INGESTED, received_at__lt=now - retention).delete()
    Delivery.objects.filter(
        state=DeliveryState.FAILED, received_at__lt=now - timedelta(days=FAILED_RETENTION_DAYS)
    ).delete()
    return len(stale)


@dataclass(frozen=True)
class DeliverySummary:
    waiting: int
    failed: int
    last_received_at: datetime | None
    recent_failures: list[Delivery]


def summary(channel: Channel) -> DeliverySummary:
    """What the channel's settings page shows about its deliveries."""
    counts = dict(
        Delivery.objects.filter(
            channel=channel, state__in=[DeliveryState.PENDING, DeliveryState.FAILED]
        )
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    last = (
        Delivery.objects.filter(channel=channel)
        .order_by("-id")
        .values_list("received_at", flat=True)
        .first()
    )
    failures = list(
        Delivery.objects.filter(channel=channel, state=DeliveryState.FAILED)
        .defer("body")
        .order_by("-id")[:10]
    )
    return DeliverySummary(
        waiting=counts.get(DeliveryState.PENDING, 0),
        failed=counts.get(DeliveryState.FAILED, 0),
        last_received_at=last,
        recent_failures=failures,
    )


def retry_failed(access: Access, channel: Channel) -> int:
    """Queue the channel's failed deliveries again (after a fix); recorded in the audit log."""
    from resonanz.channels.tasks import ingest_deliveries

    access.require(Capability.MANAGE)
    with transaction.atomic():
        count = Delivery.objects.filter(
            workspace=access.workspace, channel=channel, state=DeliveryState.FAILED
        ).update(state=DeliveryState.PENDING, error="", ingested_at=None)
        if count:
            audit.record(
                workspace=access.workspace,
                actor_id=access.user_id,
                action="webhook.retry",
                object_type="channel",
                object_id=channel.pk,
                before={"failed": count},
                after={"waiting": count},
            )
            enqueue_once(ingest_deliveries, channel.pk)
    return count
