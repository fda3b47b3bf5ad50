from __future__ import annotations

import json

from django.test import Client

from resonanz.channels.signing import sign
from resonanz.inbox.models import Message


def post(
    client: Client, channel, payload: object, *, secret: str | None = None, raw: bytes | None = None
):  # type: ignore[no-untyped-def]
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {"HTTP_X_RESONANZ_SIGNATURE": sign(secret or channel.secret, body)}
    return client.post(
        f"/hooks/v1/{channel.public_key}", data=body, content_type="application/json", **headers
    )


MESSAGE = {
    "id": "ext-1",
    "text": "Wo bleibt meine Bestellung?",
    "author": {"id": "a1", "name": "Ana"},
}


def test_signed_message_is_stored(client: Client, webhook) -> None:
    response = post(client, webhook, MESSAGE)
    assert response.status_code == 202, response.content
    assert response.json() == {"accepted": 1, "created": 1, "duplicates": 0}
    assert Message.objects.get().body == MESSAGE["text"]


def test_batch_and_replay(client: Client, webhook) -> None:
    batch = {"messages": [MESSAGE, {**MESSAGE, "id": "ext-2"}]}
    assert post(client, webhook, batch).json()["created"] == 2
    assert post(client, webhook, batch).json() == {"accepted": 2, "created": 0, "duplicates": 2}


def test_wrong_or_missing_signature_is_401_and_stores_nothing(client: Client, webhook) -> None:
    assert post(client, webhook, MESSAGE, secret="wrong").status_code == 401
    body = json.dumps(MESSAGE).encode()
    response = client.post(
        f"/hooks/v1/{webhook.public_key}", data=body, content_type="application/json"
    )
    assert response.status_code == 401
    assert not Message.objects.exists()


def test_schema_errors_name_the_field(client: Client, webhook) -> None:
    response = post(client, webhook, {"id": "x", "text": "", "author": {"name": "no id"}})
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["fields"]}
    assert {"text", "author.id"} <= fields
    response = post(client, webhook, {**MESSAGE, "created_at": "2026-11-25T10:00:00"})
    assert response.status_code == 400 and response.json()["fields"][0]["field"] == "created_at"
    assert not Message.objects.exists()


def test_malformed_json_and_encoding(client: Client, webhook) -> None:
    response = post(client, webhook, None, raw=b'{"id": "x", ')
    assert response.status_code == 400 and "not valid JSON" in response.json()["error"]
    response = post(client, webhook, None, raw='{"id": "ä"}'.encode("latin-1"))
    assert response.status_code == 400 and "UTF-8" in response.json()["error"]


def test_oversize_body_is_413(client: Client, webhook, settings) -> None:
    settings.MAX_REQUEST_BODY_BYTES = 1000
    response = post(client, webhook, {**MESSAGE, "text": "x" * 5000})
    assert response.status_code == 413
    assert not Message.objects.exists()


def test_unknown_channel_and_other_kinds_are_404(client: Client, webhook, widget) -> None:
    assert (
        client.post("/hooks/v1/nope", data="{}", content_type="application/json").status_code == 404
    )
    assert post(client, widget, MESSAGE).status_code == 404


def test_get_is_not_allowed(client: Client, webhook) -> None:
    assert client.get(f"/hooks/v1/{webhook.public_key}").status_code == 405
