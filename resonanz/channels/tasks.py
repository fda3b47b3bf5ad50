"""Ingesting webhook deliveries; delivering replies from the outbox."""

from __future__ import annotations

from django_tasks import task

from resonanz.channels import deliveries, outbox


@task()
def deliver_outbox(outbox_id: int) -> str:
    return outbox.deliver(outbox_id)


@task()
def deliver_due_outbox() -> int:
    """Scheduled: retry replies whose backoff has passed (and any a crash left behind)."""
    return outbox.deliver_due()


@task()
def ingest_deliveries(channel_id: int) -> int:
    return deliveries.ingest_pending(channel_id)


@task()
def sweep_deliveries() -> int:
    """Scheduled: pick up deliveries whose task was lost; delete old bodies."""
    return deliveries.sweep()
