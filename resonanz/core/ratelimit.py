"""Rate limits and duplicate detection that every web process shares.

One upsert per check on the ``Throttle`` table counts a hit and returns the count since the
key's window began; an expired window starts again at one. Exact under concurrency (the
database serialises the upsert). Called outside a transaction it commits at once and holds
its row lock only for that statement; inside one (duplicate checks) it commits, or rolls
back, with the caller's work.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from resonanz.core.models import Throttle

UPSERT_INTO = "INSERT INTO core_throttle (key, hits, expires_at) VALUES "
ON_CONFLICT = (
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN core_throttle.expires_at <= %s THEN 1 ELSE core_throttle.hits + 1 END, "
    "expires_at = CASE WHEN core_throttle.expires_at <= %s THEN excluded.expires_at "
    "ELSE core_throttle.expires_at END "
    "RETURNING key, hits"
)


def hits(windows: dict[str, int]) -> dict[str, int]:
    """Count one hit on each key (key -> window in seconds), in one statement; return the
    hits of each key in its current window (1 = first)."""
    if not windows:
        return {}
    now = int(time.time())
    keys = {key[:200]: seconds for key, seconds in windows.items()}
    params: list[Any] = []
    for key, seconds in keys.items():
        params += [key, now + seconds]
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT_INTO + ", ".join(["(%s, 1, %s)"] * len(keys)) + " " + ON_CONFLICT,
            [*params, now, now],
        )
        counted = {key: int(count) for key, count in cursor.fetchall()}
    return {key: counted[key[:200]] for key in windows}


def hit(key: str, window_seconds: int) -> int:
    """Count one hit on ``key``; return the hits in its current window (1 = first)."""
    return hits({key: window_seconds})[key]


def over_limits(limits: dict[str, int], window_seconds: int = 60) -> set[str]:
    """Count one hit on each key (key -> limit, 0 = none) in one statement; return the keys
    whose limit is exceeded."""
    counted = hits({key: window_seconds for key, limit in limits.items() if limit > 0})
    return {key for key, count in counted.items() if count > limits[key]}


def first_time(key: str, window_seconds: int) -> bool:
    """True the first time ``key`` is seen within ``window_seconds`` (duplicate detection)."""
    return hit(key, window_seconds) == 1


def prune() -> int:
    """Drop expired counters."""
    deleted, _ = Throttle.objects.filter(expires_at__lt=int(time.time())).delete()
    return deleted


def client_ip(request: HttpRequest) -> str:
    """The client address; X-Forwarded-For is trusted only behind configured proxies."""
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted:
        forwarded = [
            p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return str(request.META.get("REMOTE_ADDR", ""))
