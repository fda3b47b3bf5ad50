"""Fixed-window rate limits in the shared cache (Redis or the database), so every web
process counts against the same budget."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def allow(bucket: str, limit: int, window_seconds: int = 60) -> bool:
    """Count one hit on ``bucket``; False once ``limit`` hits happened in this window."""
    if limit <= 0:
        return True
    window = int(time.time() // window_seconds)
    key = f"rl:{bucket}:{window}"
    if cache.add(key, 1, timeout=window_seconds + 5):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds + 5)
        return True
    return count <= limit


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
