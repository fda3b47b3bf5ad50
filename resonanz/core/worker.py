"""The task worker: django-tasks-db's worker plus heartbeat, crash recovery and schedule.

Many workers may run against one database. Each reports a heartbeat; a task left RUNNING by
a worker whose heartbeat went stale (killed, machine lost) is handed back to the queue, and
tasks are written so that running one again changes nothing already done. Periodic jobs are
claimed with a compare-and-set on ``ScheduledJob.next_run_at``, so each due run is enqueued
by exactly one worker.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from resonanz.core.models import ScheduledJob, WorkerHeartbeat

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task_path: str
    interval_seconds: int


SCHEDULE: list[PeriodicJob] = [
    PeriodicJob("outbox.retry", "resonanz.channels.tasks.deliver_due_outbox", 30),
    PeriodicJob("realtime.prune", "resonanz.inbox.tasks.prune_realtime", 600),
    PeriodicJob("webhook.sweep", "resonanz.channels.tasks.sweep_deliveries", 120),
    PeriodicJob("inbox.sweep", "resonanz.inbox.tasks.sweep_unprocessed", 300),
    PeriodicJob("throttle.prune", "resonanz.core.tasks.prune_throttles", 900),
    PeriodicJob("triage.retrain", "resonanz.triage.tasks.retrain_workspace_models", 600),
    PeriodicJob("moderation.sweep", "resonanz.moderation.tasks.apply_pending_hits", 120),
    PeriodicJob("sla.check", "resonanz.sla.tasks.check_timers", 60),
]


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
            "last_seen_at": timezone.now(),
        },
    )


def recover_stale_tasks() -> int:
    """Put tasks of dead workers back in the queue; return how many."""
    cutoff = timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS)
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    recovered = 0
    for result in DBTaskResult.objects.filter(status="RUNNING").only(
        "id", "worker_ids", "started_at"
    ):
        owner = result.worker_ids[-1] if result.worker_ids else ""
        if owner in alive:
            continue
        if result.started_at and result.started_at > cutoff:
            continue  # its worker may not have reported yet
        recovered += DBTaskResult.objects.filter(pk=result.pk, status="RUNNING").update(
            status="READY", started_at=None
        )
    if recovered:
        logger.warning("Re-queued %d task(s) left running by stopped workers.", recovered)
    WorkerHeartbeat.objects.filter(last_seen_at__lt=cutoff - timedelta(hours=1)).delete()
    return recovered


def enqueue_due_jobs(worker_id: str) -> list[str]:
    """Enqueue each due periodic job once across all workers."""
    now = timezone.now()
    started = []
    for job in SCHEDULE:
        ScheduledJob.objects.get_or_create(
            name=job.name, defaults={"interval_seconds": job.interval_seconds, "next_run_at": now}
        )
        row = ScheduledJob.objects.filter(name=job.name, next_run_at__lte=now).first()
        if row is None:
            continue
        claimed = ScheduledJob.objects.filter(name=job.name, next_run_at=row.next_run_at).update(
            next_run_at=now + timedelta(seconds=job.interval_seconds),
            last_run_at=now,
            last_worker_id=worker_id,
            interval_seconds=job.interval_seconds,
        )
        if claimed:
            import_string(job.task_path).enqueue()
            started.append(job.name)
    return started


class Housekeeper(threading.Thread):
    """Beats, recovers and schedules in the background while the worker runs tasks."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="resonanz-housekeeper", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        interval = settings.WORKER_HEARTBEAT_SECONDS
        while not self.stopped.is_set():
            try:
                beat(self.worker_id)
                recover_stale_tasks()
                enqueue_due_jobs(self.worker_id)
            except DatabaseError:
                logger.exception("Worker housekeeping failed; retrying.")
            finally:
                close_old_connections()
            self.stopped.wait(interval)
        connection.close()


def run_worker(*, interval: float = 0.2, batch: bool = False, worker_id: str | None = None) -> None:
    """Run tasks until stopped (Ctrl-C / SIGTERM finish the current task, then exit)."""
    worker_id = worker_id or f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"
    beat(worker_id)
    housekeeper = Housekeeper(worker_id)
    housekeeper.start()
    worker = Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    worker.configure_signals()
    try:
        worker.run()
    finally:
        housekeeper.stopped.set()
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
