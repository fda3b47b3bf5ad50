"""Background tasks of moderation. Arguments are ids (plain JSON), never objects."""

from __future__ import annotations

from django_tasks import task

from resonanz.moderation import engine


@task()
def apply_pending_hits() -> int:
    """Scheduled: carry out rule hits a crash left pending after their labels were stored."""
    return engine.apply_pending()
