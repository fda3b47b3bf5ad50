from __future__ import annotations

from datetime import UTC, datetime

from resonanz.core.bulk import insert_rows, update_rows
from resonanz.inbox.models import Conversation, Message


def test_insert_rows_sets_keys_in_order_and_round_trips_values(webhook) -> None:  # type: ignore[no-untyped-def]
    when = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    conversations = [
        Conversation(
            workspace_id=webhook.workspace_id,
            channel=webhook,
            external_key=f"k{i}",
            created_at=when,
            last_message_at=when,
        )
        for i in range(3)
    ]
    insert_rows(conversations)
    assert all(c.pk for c in conversations)
    messages = [
        Message(
            workspace_id=webhook.workspace_id,
            channel=webhook,
            conversation=conversations[i % 3],
            external_id=f"m{i}",
            direction="inbound",
            body=f"Text {i} – äöü",
            body_html=f"<p>Text {i}</p>",
            created_at=when,
            metadata={"n": i, "tags": ["a", "ü"]},
        )
        for i in range(1200)  # more than one batch
    ]
    insert_rows(messages, batch_size=500)
    assert len({m.pk for m in messages}) == 1200 and not messages[0]._state.adding
    for message in (messages[0], messages[777], messages[-1]):
        stored = Message.objects.get(pk=message.pk)
        assert stored.external_id == message.external_id
        assert stored.metadata == message.metadata and stored.created_at == when
        assert stored.conversation_id == message.conversation_id
        assert stored.received_at is not None  # the field's default was applied
    messages[5].body = "geändert"
    update_rows([messages[5]], ["body"])
    assert Message.objects.get(pk=messages[5].pk).body == "geändert"


def test_insert_rows_reports_duplicates_as_integrity_errors(webhook) -> None:  # type: ignore[no-untyped-def]
    import pytest
    from django.db import IntegrityError, transaction

    def conversation() -> Conversation:
        return Conversation(
            workspace_id=webhook.workspace_id,
            channel=webhook,
            external_key="same",
            created_at=datetime(2026, 11, 25, tzinfo=UTC),
            last_message_at=datetime(2026, 11, 25, tzinfo=UTC),
        )

    insert_rows([conversation()])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows([conversation()])
    assert Conversation.objects.count() == 1
