from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from resonanz.channels.ingest import InboundItem, ingest
from resonanz.inbox.models import Conversation, Direction, Message, State
from resonanz.people.models import Contact, Identity


def item(n: int, **kw: object) -> InboundItem:
    defaults: dict[str, object] = {
        "external_id": f"m{n}",
        "text": f"Nachricht {n}",
        "author_id": "u1",
        "author_name": "Uwe",
    }
    defaults.update(kw)
    return InboundItem(**defaults)  # type: ignore[arg-type]


def test_replaying_the_same_items_stores_nothing_twice(webhook, on_commit) -> None:
    with on_commit():
        first = ingest(webhook, [item(1), item(2), item(2)])
    assert len(first.created_ids) == 2 and first.duplicates == 1
    with on_commit():
        again = ingest(webhook, [item(1), item(2), item(3)])
    assert len(again.created_ids) == 1 and again.duplicates == 2
    assert Message.objects.filter(channel=webhook).count() == 3


def test_contact_is_matched_by_identity_then_by_email(webhook, widget) -> None:
    ingest(webhook, [item(1, author_email="Uwe@Example.org")])
    ingest(webhook, [item(2)])
    ingest(widget, [item(3, author_id="visitor-9", author_email="uwe@example.org")])
    assert Contact.objects.count() == 1
    contact = Contact.objects.get()
    assert contact.message_count == 3
    assert Identity.objects.filter(contact=contact).count() == 2


def test_replies_join_their_parents_conversation_and_reopen_it(webhook, alice_access) -> None:
    t0 = timezone.now() - timedelta(hours=3)
    ingest(webhook, [item(1, created_at=t0)])
    conv = Conversation.objects.get()
    conv.state = State.RESOLVED
    conv.save()
    ingest(webhook, [item(2, in_reply_to="m1", created_at=t0 + timedelta(hours=1))])
    conv.refresh_from_db()
    assert conv.message_count == 2
    assert conv.state == State.OPEN
    assert conv.waiting_since == t0
    assert Message.objects.get(external_id="m2").parent == Message.objects.get(external_id="m1")


def test_reply_in_same_batch_before_its_parent(webhook) -> None:
    ingest(webhook, [item(2, in_reply_to="m1"), item(1)])
    assert Conversation.objects.count() == 1


def test_outbound_history_stops_the_waiting_clock(webhook) -> None:
    t0 = timezone.now() - timedelta(hours=5)
    ingest(
        webhook,
        [
            item(1, created_at=t0, conversation_key="c"),
            item(
                2,
                created_at=t0 + timedelta(minutes=30),
                conversation_key="c",
                direction=Direction.OUTBOUND,
            ),
        ],
    )
    conv = Conversation.objects.get()
    assert conv.waiting_since is None
    assert conv.first_response_at == t0 + timedelta(minutes=30)


def test_processing_is_enqueued_after_commit_and_runs_once(webhook, on_commit, run_tasks) -> None:
    with on_commit():
        result = ingest(webhook, [item(n) for n in range(5)])
    assert run_tasks() == 1
    messages = Message.objects.filter(pk__in=result.created_ids)
    assert all(m.processed_at is not None and m.process_count == 1 for m in messages)
    # Running the same task again (a crash-and-retry) changes nothing.
    from resonanz.inbox.processing import process_messages

    assert process_messages(result.created_ids) == 0
    assert {m.process_count for m in Message.objects.filter(pk__in=result.created_ids)} == {1}


@pytest.mark.parametrize("batched", [True, False], ids=["one-update-per-batch", "per-row"])
def test_processing_stores_each_messages_own_labels_once(webhook, monkeypatch, batched) -> None:
    from resonanz.inbox import processing

    # The per-row path is what SQLite before 3.35 (no RETURNING) takes.
    monkeypatch.setattr(processing, "BATCHED_UPDATE", batched)
    monkeypatch.setattr(processing, "UPDATE_ROWS", 2)  # several statements of each kind
    texts = {
        "angry": "Ich kündige! Seit drei Wochen keine Antwort, eine Frechheit.",
        "happy": "Thank you so much, the new app is wonderful!",
        "question": "Wann öffnet die Filiale am Samstag?",
        "spam": "WINNER!! Claim your free bitcoin now at http://bit.do/free-btc",
        "reply": "Danke, wir kümmern uns darum.",
        "reply-2": "Gern geschehen!",
        "reply-3": "Wir melden uns morgen.",
    }
    items = [
        item(n, text=text, conversation_key=key, direction=Direction.OUTBOUND)
        if key.startswith("reply")
        else item(n, text=text, conversation_key=key)
        for n, (key, text) in enumerate(texts.items())
    ]
    ids = ingest(webhook, items, after_commit=lambda ids: None).created_ids
    # One message already processed by an earlier run keeps what that run stored.
    Message.objects.filter(pk=ids[2]).update(processed_at=timezone.now(), process_count=1)
    assert processing.process_messages(ids) == 6
    by_key = {m.conversation.external_key: m for m in Message.objects.filter(pk__in=ids)}
    assert {key: m.process_count for key, m in by_key.items()} == dict.fromkeys(texts, 1)
    angry, happy, spam = by_key["angry"], by_key["happy"], by_key["spam"]
    assert (angry.language, angry.sentiment, angry.intent) == ("de", "negative", "complaint")
    assert (happy.language, happy.sentiment, happy.intent) == ("en", "positive", "praise")
    assert spam.spam is True and angry.spam is False
    assert angry.triage["priority"] in {"high", "urgent"} and "kündige" in str(angry.triage)
    assert by_key["question"].language == "" and by_key["question"].triage == {}
    assert by_key["reply"].sentiment == "" and by_key["reply"].triage == {}
    assert Conversation.objects.get(external_key="angry").sentiment == "negative"
    # A retried task finds nothing left to do and changes nothing.
    assert processing.process_messages(ids) == 0
    assert set(Message.objects.filter(pk__in=ids).values_list("process_count", flat=True)) == {1}


def test_text_is_rendered_safe_at_write_time(webhook) -> None:
    ingest(
        webhook,
        [
            item(
                1,
                text="<script>alert(1)</script> see https://example.org/x?a=1&b=2 "
                "<img src=x onerror=alert(2)>",
            )
        ],
    )
    html = Message.objects.get().body_html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert '<a href="https://example.org/x?a=1&amp;b=2"' in html


def test_sweeper_processes_messages_whose_task_was_lost(webhook, run_tasks) -> None:
    from resonanz.inbox.tasks import sweep_unprocessed

    # after_commit does nothing: as if the web process died between commit and enqueue.
    ids = ingest(webhook, [item(n) for n in range(3)], after_commit=lambda ids: None).created_ids
    Message.objects.filter(pk__in=ids).update(received_at=timezone.now() - timedelta(minutes=5))
    assert sweep_unprocessed.call() == 3
    run_tasks()
    assert set(Message.objects.values_list("process_count", flat=True)) == {1}
    assert sweep_unprocessed.call() == 0


def test_author_reach_feeds_urgency(webhook, run_tasks) -> None:
    text = "Ihr habt mir zu viel berechnet, bitte korrigieren."
    ingest(
        webhook,
        [
            item(1, text=text, author_id="small", author_reach=12),
            item(2, text=text, author_id="big", author_reach=2_000_000),
        ],
    )
    run_tasks()
    small = Message.objects.get(external_id="m1").triage["urgency"]
    big = Message.objects.get(external_id="m2").triage["urgency"]
    assert big > small


def test_reactions_feed_urgency(webhook, run_tasks) -> None:
    # Many people already reacted to a complaint: more people read it, so it is more urgent.
    text = "Ihr habt mir zu viel berechnet, bitte korrigieren."
    ingest(webhook, [item(1, text=text), item(2, text=text, reactions=600)])
    run_tasks()
    quiet, loud = (Message.objects.get(external_id=f"m{n}") for n in (1, 2))
    assert loud.reactions == 600 and quiet.reactions is None
    assert loud.triage["urgency"] > quiet.triage["urgency"]
    assert "reactions:600" in loud.triage["why"]["urgency"]
