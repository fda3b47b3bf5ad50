"""The real WSGI application: public endpoints take the short middleware path, pages the
full one, and both keep the security guards."""

from __future__ import annotations

import io
import json
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest

from resonanz.channels.signing import SIGNATURE_HEADER, sign

ORIGIN = "https://www.acme.example"


def call(path: str, *, method: str = "GET", body: bytes = b"", **headers: str) -> Any:
    from resonanz.wsgi import application

    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": path.partition("?")[2],
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "wsgi.input": io.BytesIO(body),
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    }
    setup_testing_defaults(environ)
    answer: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> None:
        answer["status"] = int(status.split()[0])
        answer["headers"] = response_headers

    chunks = application(environ, start_response)
    answer["body"] = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    answer["header"] = {k.lower(): v for k, v in answer["headers"]}
    answer["cookies"] = [v for k, v in answer["headers"] if k.lower() == "set-cookie"]
    return answer


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_test_connection() -> Any:
    """As Django's test client does: the handler must not close the test's connection."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_widget_listing_takes_the_short_path_with_security_headers(widget) -> None:  # type: ignore[no-untyped-def]
    answer = call(f"/widget/v1/{widget.public_key}/thread?thread=p1", origin=ORIGIN)
    assert answer["status"] == 200 and json.loads(answer["body"])["comments"] == []
    assert answer["header"]["access-control-allow-origin"] == ORIGIN
    assert answer["header"]["x-content-type-options"] == "nosniff"
    assert answer["header"]["x-frame-options"] == "DENY"
    assert answer["cookies"] == []  # no session, no CSRF cookie
    assert "cookie" not in answer["header"].get("vary", "").lower()


def test_webhook_keeps_the_body_limit_and_signature_check(webhook, settings) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"id": "1", "text": "Hallo", "author": {"id": "a"}}).encode()
    signed = {SIGNATURE_HEADER: sign(webhook.secret, body)}
    assert (
        call(f"/hooks/v1/{webhook.public_key}", method="POST", body=body, **signed)["status"] == 202
    )
    assert call(f"/hooks/v1/{webhook.public_key}", method="POST", body=body)["status"] == 401
    settings.MAX_REQUEST_BODY_BYTES = 10
    assert (
        call(f"/hooks/v1/{webhook.public_key}", method="POST", body=body, **signed)["status"] == 413
    )


def test_unknown_host_is_refused_on_public_endpoints(widget) -> None:  # type: ignore[no-untyped-def]
    answer = call(f"/widget/v1/{widget.public_key}/thread?thread=p1", host="evil.example")
    assert answer["status"] == 400


def test_pages_still_take_the_full_path(db) -> None:  # type: ignore[no-untyped-def]
    answer = call("/login/")
    assert answer["status"] == 200
    # Sessions and the user's language shape the page (the full middleware stack ran).
    assert {"Cookie", "Accept-Language"} <= {v.strip() for v in answer["header"]["vary"].split(",")}
    assert "content-security-policy" in answer["header"]
