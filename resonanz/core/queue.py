"""Enqueueing work that many callers ask for at once."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult


def enqueue_once(task: Task[Any, Any], *args: Any) -> bool:
    """Enqueue ``task(*args)`` unless the same call is already waiting; return whether a
    new task was written.

    For work that drains a backlog (ingest a channel's pending deliveries): a burst of
    callers shares one waiting task instead of queuing one each. Call it inside the
    transaction that creates the backlog. The waiting task found is locked (``FOR UPDATE``)
    until that transaction commits, so no worker can start it before the caller's rows are
    visible; on SQLite the write lock gives the same guarantee. A waiting task that another
    caller holds is skipped, not waited for: then this caller writes its own. Only for tasks
    enqueued without ``run_after``.

    Plain SQL on purpose: this runs on every webhook call, and building the equivalent
    queryset cost more than the rest of the request's database work.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("enqueue_once() needs the transaction that creates the work")
    table = DBTaskResult._meta.db_table
    wanted = {"args": list(args), "kwargs": {}}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One matching row, locked; a row another caller holds is skipped.
            cursor.execute(
                f"SELECT 1 FROM {table} WHERE status = 'READY' AND task_path = %s "  # noqa: S608
                "AND args_kwargs = %s::jsonb LIMIT 1 FOR UPDATE SKIP LOCKED",
                [task.module_path, json.dumps(wanted)],
            )
            found = cursor.fetchone() is not None
        else:
            # SQLite: this transaction holds the write lock, no worker can claim meanwhile.
            cursor.execute(
                f"SELECT args_kwargs FROM {table} WHERE status = 'READY' AND task_path = %s",  # noqa: S608
                [task.module_path],
            )
            found = any(json.loads(row[0]) == wanted for row in cursor.fetchall())
    if found:
        return False
    task.enqueue(*args)
    return True
