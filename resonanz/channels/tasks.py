"""Delivering replies from the outbox."""

from __future__ import annotations

from django_tasks import task

from resonanz.channels import outbox


@task()
def deliver_outbox(outbox_id: int) -> str:
    return outbox.deliver(outbox_id)


@task()
def deliver_due_outbox() -> int:
    """Scheduled: retry replies whose backoff has passed (and any a crash left behind)."""
    return outbox.deliver_due()
