"""Two workers at once: every moderation hit is carried out once, every late wait escalated
once (PostgreSQL; SQLite serialises all writers anyway)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from resonanz.channels.ingest import InboundItem, ingest
from resonanz.core.models import AuditLog
from resonanz.inbox.models import Conversation
from resonanz.inbox.processing import process_messages
from resonanz.moderation import engine as moderation
from resonanz.moderation.models import Rule, RuleHit
from resonanz.sla import engine as sla
from resonanz.sla.models import Policy, Timer

pytestmark = [pytest.mark.django_db(transaction=True)]

CONVERSATIONS = 40


def _at_once(work: Callable[[], object], workers: int = 2) -> None:
    """Run ``work`` in several threads (each with its own database connection) together."""
    start = threading.Barrier(workers)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            work()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_two_workers_act_once_on_each_hit_and_each_late_wait(  # type: ignore[no-untyped-def]
    webhook, acme, bob, monkeypatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL (CI runs this with DATABASE_URL)")
    rule = Rule.objects.create(workspace=acme, name="hilfe", words="hilfe", add_tag="Hilfe")
    Policy.objects.create(
        workspace=acme,
        name="eine Minute",
        first_response_minutes=1,
        business_hours_only=False,
        assign_to=bob,
    )
    an_hour_ago = timezone.now() - timedelta(hours=1)
    items = [
        InboundItem(
            external_id=f"c{i}", text=f"Hilfe, Frage {i}", author_id=f"a{i}", created_at=an_hour_ago
        )
        for i in range(CONVERSATIONS)
    ]
    ids = ingest(webhook, items, after_commit=lambda ids: None).created_ids
    # The worker stored labels and decisions, then died before acting on them.
    monkeypatch.setattr(moderation, "apply_hits", lambda hit_ids: 0)
    monkeypatch.setattr(sla, "start_timers", lambda conversation_ids: 0)
    process_messages(ids)
    monkeypatch.undo()
    assert RuleHit.objects.filter(applied_at__isnull=True).count() == CONVERSATIONS
    assert not Timer.objects.exists()

    _at_once(lambda: moderation.apply_pending(older_than_seconds=0))
    _at_once(lambda: [sla.check() for _ in range(2)])  # recover the clocks, then escalate

    rule.refresh_from_db()
    assert rule.hit_count == CONVERSATIONS
    assert not RuleHit.objects.filter(applied_at__isnull=True).exists()
    by_rule = AuditLog.objects.filter(actor_label="rule: hilfe").count()
    by_sla = AuditLog.objects.filter(actor_label="SLA: eine Minute").count()
    assert (by_rule, by_sla) == (CONVERSATIONS, CONVERSATIONS)
    assert Timer.objects.filter(breached_at__isnull=False).count() == CONVERSATIONS
    assert Conversation.objects.filter(assignee=bob).count() == CONVERSATIONS
