"""Background tasks of SLA. Arguments are ids (plain JSON), never objects."""

from __future__ import annotations

from django_tasks import task

from resonanz.sla import engine


@task()
def check_timers() -> dict[str, int]:
    """Scheduled: stop answered waits, escalate overdue ones, start missed clocks."""
    return engine.check()
