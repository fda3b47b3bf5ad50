"""What the public sees of a page's thread changed: bump its version.

Widget listings are cached under the version (``widget/publication.py``), and each web
process remembers a thread's version for up to ``THREAD_VERSION_SECONDS``: the process that
makes a change sees it at once, every other process within that second.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from resonanz.core.localcache import thread_versions
from resonanz.inbox.models import Thread


def bump_public_version(thread_ids: Iterable[int | None]) -> None:
    ids = {pk for pk in thread_ids if pk is not None}
    if ids:
        Thread.objects.filter(pk__in=ids).update(public_version=F("public_version") + 1)
        thread_versions.clear()
