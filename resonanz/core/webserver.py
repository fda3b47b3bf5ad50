"""Gunicorn, embedded: ``resonanz serve`` runs the production web server in-process."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class ResonanzServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from resonanz.wsgi import application

        return application


def serve(*, bind: str, workers: int, threads: int) -> None:
    # Threads, because realtime streams (server-sent events) hold a connection open.
    ResonanzServer(
        {
            "bind": bind,
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 60,
            "graceful_timeout": 10,
            "keepalive": 5,
            "accesslog": "-",
            "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
            # Load Django once in the master: workers start warm and share its memory.
            "preload_app": True,
            # Recycle workers now and then (a slow leak cannot grow forever), but not so
            # often that a busy widget restarts them every few seconds.
            "max_requests": 100_000,
            "max_requests_jitter": 10_000,
        }
    ).run()
