"""Rate limits and duplicate detection that every web process shares.

One upsert per check on the ``Throttle`` table counts a hit and returns the count since the
key's window began; an expired window starts again at one. Exact under concurrency (the
database serialises the upsert). Called outside a transaction it commits at once and holds
its row lock only for that statement; inside one (duplicate checks) it commits, or rolls
back, with the caller's work.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from resonanz.core.models import Throttle

UPSERT = (
    "INSERT INTO core_throttle (key, hits, expires_at) VALUES (%s, 1, %s) "
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN core_throttle.expires_at <= %s THEN 1 ELSE core_throttle.hits + 1 END, "
    "expires_at = CASE WHEN core_throttle.expires_at <= %s THEN excluded.expires_at "
    "ELSE core_throttle.expires_at END "
    "RETURNING hits"
)


def hit(key: str, window_seconds: int) -> int:
    """Count one hit on ``key``; return the hits in its current window (1 = first)."""
    now = int(time.time())
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [key[:200], now + window_seconds, now, now])
        row = cursor.fetchone()
    return int(row[0])


def allow(key: str, limit: int, window_seconds: int = 60) -> bool:
    """Count one hit; False once more than ``limit`` hits fell into the window."""
    if limit <= 0:
        return True
    return hit(key, window_seconds) <= limit


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
