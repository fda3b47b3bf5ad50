"""The WSGI application: pages through the full middleware stack, the machine-facing public
endpoints (widget API, webhooks) through a short one.

A listing of a page's comments is asked for on every page view of a customer's website and
a webhook on every event of another system; neither has a session, a user, a CSRF form or
a language. Running them through sessions, locale, authentication, CSRF, messages and the
lockout middleware cost more than the endpoints themselves, so requests under
``settings.PUBLIC_ENDPOINT_PREFIXES`` go to a second Django handler built from
``settings.PUBLIC_MIDDLEWARE`` (security headers, the body limit, host checks stay).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.urls import get_resolver


class PublicEndpointHandler(WSGIHandler):
    """Django's WSGI handler with ``settings.PUBLIC_MIDDLEWARE`` instead of ``MIDDLEWARE``."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Django reads the list from settings.MIDDLEWARE. This runs once, while the
        # application is built at start-up, before any request is served.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.PUBLIC_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


StartResponse = Callable[..., Any]


def build_application() -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    # Import every view now: with gunicorn's preload_app this happens once in the master,
    # and each worker (also one that replaces a recycled worker) starts warm instead of
    # importing the URLconf on its first request.
    get_resolver().resolve("/")
    pages = WSGIHandler()
    public = PublicEndpointHandler()
    prefixes = tuple(settings.PUBLIC_ENDPOINT_PREFIXES)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(prefixes):
            return public(environ, start_response)
        return pages(environ, start_response)

    return application
