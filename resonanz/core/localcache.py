"""A few seconds of memory inside one process, for lookups every public request makes."""

from __future__ import annotations

import time
from typing import Any

_MISSING = object()


class ProcessCache:
    """Values kept as they are (Django's local-memory cache pickles every value in and out,
    which cost more than the rest of a widget listing's lookups). Only for values nobody
    mutates. Bounded: when full, everything is dropped and refilled on demand. Dictionary
    operations are atomic under the GIL, so threads share it without a lock.
    """

    def __init__(self, max_entries: int = 5000) -> None:
        self.max_entries = max_entries
        self._data: dict[str, tuple[float, Any]] = {}

    def get(self, key: str, default: Any = None) -> Any:
        entry = self._data.get(key)
        if entry is None or entry[0] < time.monotonic():
            return default
        return entry[1]

    def set(self, key: str, value: Any, seconds: float) -> None:
        if len(self._data) >= self.max_entries:
            self._data.clear()
        self._data[key] = (time.monotonic() + seconds, value)

    def clear(self) -> None:
        self._data.clear()


#: Public channels by key (channels/selectors.py).
public_channels = ProcessCache()
#: (thread id, public version) by channel and page key (widget/publication.py).
thread_versions = ProcessCache()
#: How long a web process trusts a thread version it read; other processes' changes reach
#: its visitors within this time (a listing is public and the same for everyone).
THREAD_VERSION_SECONDS = 1.0
