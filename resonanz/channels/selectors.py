"""Looking channels up on the public endpoints (widget, webhooks)."""

from __future__ import annotations

from django.core.cache import caches

from resonanz.channels.models import Channel

PUBLIC_CHANNEL_CACHE_SECONDS = 5


def public_channel(key: str, kind: str) -> Channel | None:
    """The active channel of ``kind`` behind a public key, or None.

    Cached per process for a few seconds: every widget page view and every webhook call asks
    for it, and a settings change (origins, secret, switching a channel off) may take that
    long to reach the public endpoints. Unknown keys are remembered too, so guessing keys
    costs the database nothing.
    """
    local = caches["local"]
    cache_key = f"public-channel:{kind}:{key[:64]}"
    cached = local.get(cache_key)
    if cached is None:
        channel = Channel.objects.filter(public_key=key, kind=kind, is_active=True).first()
        cached = channel or False
        local.set(cache_key, cached, PUBLIC_CHANNEL_CACHE_SECONDS)
    return cached or None
