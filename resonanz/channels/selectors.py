"""Looking channels up on the public endpoints (widget, webhooks)."""

from __future__ import annotations

from resonanz.channels.models import Channel
from resonanz.core.localcache import public_channels

PUBLIC_CHANNEL_CACHE_SECONDS = 5


def public_channel(key: str, kind: str) -> Channel | None:
    """The active channel of ``kind`` behind a public key, or None.

    Cached per process for a few seconds: every widget page view and every webhook call
    asks for it, and a settings change (origins, secret, switching a channel off) may take
    that long to reach the public endpoints. Unknown keys are remembered too, so guessing
    keys costs the database nothing. The instance is shared between threads: read it,
    never change it.
    """
    cache_key = f"{kind}:{key[:64]}"
    cached = public_channels.get(cache_key)
    if cached is None:
        channel = Channel.objects.filter(public_key=key, kind=kind, is_active=True).first()
        cached = channel or False
        public_channels.set(cache_key, cached, PUBLIC_CHANNEL_CACHE_SECONDS)
    return cached or None
