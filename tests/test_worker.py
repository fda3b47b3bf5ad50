"""Workers die; work survives. Killing a worker mid-task loses no task and repeats no effect."""

from __future__ import annotations

import random
import signal
import time

import pytest
from django_tasks_db.models import DBTaskResult

from resonanz.channels.ingest import InboundItem, ingest
from resonanz.core.models import ScheduledJob
from resonanz.core.worker import SCHEDULE, enqueue_due_jobs
from resonanz.inbox.models import Message
from tests import processes
from tests.worker_tasks import slow_process

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_killed_worker_loses_no_task_and_repeats_no_side_effect(webhook) -> None:  # type: ignore[no-untyped-def]
    ids = ingest(
        webhook,
        [
            InboundItem(external_id=f"k{i}", text=f"Nachricht {i}", author_id=f"a{i % 7}")
            for i in range(60)
        ],
        after_commit=lambda ids: None,
    ).created_ids
    for start in range(0, len(ids), 5):
        slow_process.enqueue(ids[start : start + 5], 0.4)
    worker_env = {"WORKER_STALE_SECONDS": "2", "WORKER_HEARTBEAT_SECONDS": "0.3"}
    rng = random.Random(7)
    kills = 0
    for _ in range(4):
        worker = processes.start("worker", "--interval", "0.05", **worker_env)
        time.sleep(rng.uniform(1.2, 2.5))
        running = DBTaskResult.objects.filter(status="RUNNING").count()
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += running
    assert kills > 0, "the test never killed a worker while it ran a task"
    worker = processes.start("worker", "--interval", "0.05", **worker_env)
    try:
        deadline = time.monotonic() + 120
        while (
            DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
            and time.monotonic() < deadline
        ):
            time.sleep(0.3)
    finally:
        processes.stop(worker)
    assert DBTaskResult.objects.filter(task_path="tests.worker_tasks.slow_process").count() == 12
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
    counts = list(Message.objects.filter(pk__in=ids).values_list("process_count", flat=True))
    assert counts == [1] * 60


def test_each_scheduled_run_is_claimed_by_exactly_one_worker(db: None) -> None:
    first = enqueue_due_jobs("worker-a")
    second = enqueue_due_jobs("worker-b")
    assert sorted(first) == sorted(job.name for job in SCHEDULE)
    assert second == []
    assert set(ScheduledJob.objects.values_list("last_worker_id", flat=True)) == {"worker-a"}
