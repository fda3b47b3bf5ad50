"""Housekeeping tasks of the core."""

from __future__ import annotations

from django_tasks import task

from resonanz.core import ratelimit


@task()
def prune_throttles() -> int:
    """Scheduled: drop expired rate-limit counters and duplicate fingerprints."""
    return ratelimit.prune()
