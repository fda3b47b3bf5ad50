"""Scheduled learning from the team."""

from __future__ import annotations

from django_tasks import task

from resonanz.triage import services


@task()
def retrain_workspace_models() -> int:
    """Scheduled: retrain workspace models whose examples changed."""
    return len(services.retrain_workspace_models())
