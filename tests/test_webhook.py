from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from resonanz.channels import deliveries
from resonanz.channels.models import Delivery, DeliveryState
from resonanz.channels.signing import sign
from resonanz.inbox.models import Conversation, Message


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


def test_signed_message_is_stored_by_the_worker(client: Client, webhook, run_tasks) -> None:
    response = post(client, webhook, MESSAGE)
    assert response.status_code == 202, response.content
    delivery = Delivery.objects.get()
    assert response.json() == {"accepted": 1, "delivery": delivery.pk}
    assert delivery.state == DeliveryState.PENDING and not Message.objects.exists()
    run_tasks()
    assert Message.objects.get().body == MESSAGE["text"]
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.INGESTED and delivery.ingested_at is not None


def test_batch_and_replay_store_each_message_once(client: Client, webhook, run_tasks) -> None:
    batch = {"messages": [MESSAGE, {**MESSAGE, "id": "ext-2"}]}
    assert post(client, webhook, batch).json()["accepted"] == 2
    run_tasks()
    assert post(client, webhook, batch).status_code == 202
    assert post(client, webhook, MESSAGE).status_code == 202
    run_tasks()
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["ext-1", "ext-2"]
    assert Message.objects.filter(process_count=1).count() == 2
    assert set(Delivery.objects.values_list("state", flat=True)) == {"ingested"}


def test_deliveries_of_a_burst_are_ingested_together(client: Client, webhook, run_tasks) -> None:
    for i in range(30):
        reply = {"in_reply_to": f"m{i - 1}"} if i % 3 else {}
        post(client, webhook, {**MESSAGE, "id": f"m{i}", **reply})
    run_tasks()
    assert Message.objects.count() == 30
    # Replies found their parents' conversations although both arrived in one batch.
    assert Conversation.objects.count() == 10
    assert not Delivery.objects.exclude(state=DeliveryState.INGESTED).exists()


def test_a_delivery_that_cannot_be_ingested_fails_alone(
    client: Client, webhook, run_tasks, monkeypatch
) -> None:
    post(client, webhook, MESSAGE)
    post(client, webhook, {**MESSAGE, "id": "poison", "text": "boom"})
    post(client, webhook, {**MESSAGE, "id": "ext-3"})
    real_ingest = deliveries.ingest

    def ingest(channel, items):  # type: ignore[no-untyped-def]
        if any(i.external_id == "poison" for i in items):
            raise RuntimeError("cannot store this one")
        return real_ingest(channel, items)

    monkeypatch.setattr(deliveries, "ingest", ingest)
    run_tasks()
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["ext-1", "ext-3"]
    failed = Delivery.objects.get(state=DeliveryState.FAILED)
    assert "cannot store this one" in failed.error and "poison" in failed.body


def test_lost_tasks_are_swept_and_old_bodies_deleted(client: Client, webhook, run_tasks) -> None:
    from django_tasks_db.models import DBTaskResult

    post(client, webhook, MESSAGE)
    DBTaskResult.objects.all().delete()  # as if the task had been lost
    Delivery.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    assert deliveries.sweep() == 1
    run_tasks()
    assert Message.objects.count() == 1
    Delivery.objects.update(received_at=timezone.now() - timedelta(days=8))
    deliveries.sweep()
    assert not Delivery.objects.exists()
    assert Message.objects.count() == 1  # the message itself stays


def test_wrong_or_missing_signature_is_401_and_stores_nothing(client: Client, webhook) -> None:
    assert post(client, webhook, MESSAGE, secret="wrong").status_code == 401
    body = json.dumps(MESSAGE).encode()
    response = client.post(
        f"/hooks/v1/{webhook.public_key}", data=body, content_type="application/json"
    )
    assert response.status_code == 401
    assert not Message.objects.exists() and not Delivery.objects.exists()


def test_schema_errors_name_the_field(client: Client, webhook) -> None:
    response = post(client, webhook, {"id": "x", "text": "", "author": {"name": "no id"}})
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["fields"]}
    assert {"text", "author.id"} <= fields
    response = post(client, webhook, {**MESSAGE, "created_at": "2026-11-25T10:00:00"})
    assert response.status_code == 400 and response.json()["fields"][0]["field"] == "created_at"
    assert not Message.objects.exists() and not Delivery.objects.exists()


def test_reach_and_reactions_are_stored_and_bounded(
    client: Client, alice_client: Client, webhook, run_tasks
) -> None:
    viral = {**MESSAGE, "author": {"id": "a1", "reach": 250_000}, "reactions": 840}
    assert post(client, webhook, viral).status_code == 202
    run_tasks()
    message = Message.objects.get()
    assert message.reactions == 840 and message.author_contact.identities.get().reach == 250_000
    assert "reactions:840" in message.triage["why"]["urgency"]
    page = alice_client.get(f"/w/acme/c/{message.conversation_id}/").content.decode()
    assert "840 Reaktionen" in page
    # Counts beyond the integer columns are refused up front, not failed in the worker.
    for too_big in (
        {**MESSAGE, "id": "x2", "reactions": 2**31},
        {**MESSAGE, "id": "x3", "author": {"id": "a2", "reach": 10**12}},
        {**MESSAGE, "id": "x4", "reactions": -1},
    ):
        response = post(client, webhook, too_big)
        assert response.status_code == 400, too_big
    assert Message.objects.count() == 1 and Delivery.objects.count() == 1


def test_malformed_json_and_encoding(client: Client, webhook) -> None:
    response = post(client, webhook, None, raw=b'{"id": "x", ')
    assert response.status_code == 400 and "not valid JSON" in response.json()["error"]
    response = post(client, webhook, None, raw='{"id": "ä"}'.encode("latin-1"))
    assert response.status_code == 400 and "UTF-8" in response.json()["error"]


def test_oversize_body_is_413(client: Client, webhook, settings) -> None:
    settings.MAX_REQUEST_BODY_BYTES = 1000
    response = post(client, webhook, {**MESSAGE, "text": "x" * 5000})
    assert response.status_code == 413
    assert not Message.objects.exists() and not Delivery.objects.exists()


def test_unknown_channel_and_other_kinds_are_404(client: Client, webhook, widget) -> None:
    assert (
        client.post("/hooks/v1/nope", data="{}", content_type="application/json").status_code == 404
    )
    assert post(client, widget, MESSAGE).status_code == 404


def test_get_is_not_allowed(client: Client, webhook) -> None:
    assert client.get(f"/hooks/v1/{webhook.public_key}").status_code == 405


def test_a_burst_shares_one_waiting_task(client: Client, webhook, run_tasks) -> None:
    from django_tasks_db.models import DBTaskResult

    for i in range(5):
        post(client, webhook, {**MESSAGE, "id": f"b{i}"})
    assert DBTaskResult.objects.filter(task_path__endswith="ingest_deliveries").count() == 1
    run_tasks()
    post(client, webhook, {**MESSAGE, "id": "later"})  # the first task has run: a new one
    assert DBTaskResult.objects.ready().filter(task_path__endswith="ingest_deliveries").count() == 1
    run_tasks()
    assert Message.objects.count() == 6


def test_a_database_error_leaves_deliveries_waiting(client: Client, webhook, monkeypatch) -> None:
    from django.db import OperationalError

    post(client, webhook, MESSAGE)

    def ingest(channel, items):  # type: ignore[no-untyped-def]
        raise OperationalError("database is locked")

    monkeypatch.setattr(deliveries, "ingest", ingest)
    with pytest.raises(OperationalError):
        deliveries.ingest_pending(webhook.pk)
    assert Delivery.objects.get().state == DeliveryState.PENDING
