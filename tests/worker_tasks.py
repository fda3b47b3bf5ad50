"""A task for the crash tests: slow enough to be killed while it runs."""

from __future__ import annotations

import time

from django_tasks import task

from resonanz.inbox import processing


@task()
def slow_process(message_ids: list[int], delay: float) -> int:
    time.sleep(delay)
    return processing.process_messages(message_ids)
