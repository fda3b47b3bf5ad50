from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from resonanz.channels.ingest import InboundItem, ingest
from resonanz.channels.models import OutboxItem
from resonanz.core.models import AuditLog, Role
from resonanz.core.permissions import Access, PermissionDeniedForRole
from resonanz.inbox import selectors, services
from resonanz.inbox.models import Conversation, Event, Message, SavedView
from tests.conftest import login, make_user


def seed(channel, n: int, *, start_minutes: int = 600, **kw: object) -> list[Conversation]:  # type: ignore[no-untyped-def]
    now = timezone.now()
    items = [
        InboundItem(
            external_id=f"s{i}",
            text=kw.get("text", f"Frage Nummer {i}"),
            author_id=f"a{i}",  # type: ignore[arg-type]
            author_name=f"Autor {i}",
            created_at=now - timedelta(minutes=start_minutes - i),
        )
        for i in range(n)
    ]
    ingest(channel, items)
    return list(Conversation.objects.order_by("pk"))


def test_default_order_is_longest_waiting_first_and_keyset_pages(acme, alice, webhook) -> None:  # type: ignore[no-untyped-def]
    convs = seed(webhook, 7)
    access = Access(acme, Role.OWNER, alice.pk)
    services.post_reply(access, convs[0], "Antwort")  # answered: moves behind all waiting ones
    f = selectors.InboxFilter.from_params({"state": "all"})
    page1 = selectors.list_conversations(acme, f, user_id=alice.pk, page_size=3)
    page2 = selectors.list_conversations(
        acme, f, user_id=alice.pk, cursor=page1.next_cursor, page_size=3
    )
    page3 = selectors.list_conversations(
        acme, f, user_id=alice.pk, cursor=page2.next_cursor, page_size=3
    )
    order = [c.pk for c in page1.conversations + page2.conversations + page3.conversations]
    assert order == [c.pk for c in convs[1:]] + [convs[0].pk]
    assert page3.next_cursor is None


def test_filters(acme, alice, webhook, widget) -> None:  # type: ignore[no-untyped-def]
    convs = seed(webhook, 3)
    ingest(widget, [InboundItem(external_id="w1", text="Kommentar", author_id="v", thread_key="p")])
    access = Access(acme, Role.OWNER, alice.pk)
    services.update_conversation(
        access, convs[0], priority=3, assignee_id=alice.pk, add_tags=["Rechnung"]
    )

    def ids(**params: str) -> set[int]:
        f = selectors.InboxFilter.from_params({"state": "all", **params})
        return {c.pk for c in selectors.list_conversations(acme, f, user_id=alice.pk).conversations}

    assert ids(tag="Rechnung") == ids(priority="3") == ids(assignee="me") == {convs[0].pk}
    assert ids(tag="gibt es nicht") == set()
    assert len(ids(assignee="none")) == 3
    assert len(ids(channel="widget")) == 1
    assert ids(kind="dm") == set()
    # "since" is a day in the workspace's time zone: tomorrow there, not in UTC (between
    # 23:00 and 24:00 UTC the UTC date is already Berlin's today).
    assert ids(since=(timezone.localdate() + timedelta(days=1)).isoformat()) == set()
    with pytest.raises(selectors.InvalidFilter):
        ids(state="bogus")
    with pytest.raises(selectors.InvalidFilter):
        ids(since="yesterday")


def test_full_text_search_with_german_and_english_stemming(acme, alice, webhook) -> None:  # type: ignore[no-untyped-def]
    ingest(
        webhook,
        [
            InboundItem(external_id="1", text="Ich möchte meinen Vertrag kündigen.", author_id="a"),
            InboundItem(external_id="2", text="Wann kommen die Rechnungen?", author_id="b"),
            InboundItem(
                external_id="3", text="I was charged twice and want refunds", author_id="c"
            ),
        ],
    )

    def search(q: str) -> list[str]:
        f = selectors.InboxFilter.from_params({"state": "all", "q": q})
        return sorted(
            c.preview[:10]
            for c in selectors.list_conversations(acme, f, user_id=alice.pk).conversations
        )

    assert search("Kündigung") == ["Ich möchte"]
    assert search("Rechnung") == ["Wann komme"]
    assert search("refund") == ["I was char"]
    assert search("charge refund") == ["I was char"]
    assert search("nichtvorhanden") == []
    assert len(search('"); DROP TABLE x; --')) == 0


def test_unread_per_member(acme, alice, bob, webhook) -> None:  # type: ignore[no-untyped-def]
    convs = seed(webhook, 2)
    services.mark_read(alice.pk, convs[0])
    f = selectors.InboxFilter.from_params({"unread": "1"})
    assert [
        c.pk for c in selectors.list_conversations(acme, f, user_id=alice.pk).conversations
    ] == [convs[1].pk]
    assert len(selectors.list_conversations(acme, f, user_id=bob.pk).conversations) == 2


def test_reply_goes_through_the_outbox_and_is_audited(
    acme, alice, webhook, on_commit, run_tasks
) -> None:  # type: ignore[no-untyped-def]
    conv = seed(webhook, 1)[0]
    access = Access(acme, Role.OWNER, alice.pk)
    with on_commit():
        reply = services.post_reply(access, conv, "Danke, wir kümmern uns!")
    conv.refresh_from_db()
    assert (
        conv.waiting_since is None and conv.first_response_at is not None and conv.state == "open"
    )
    outbox = OutboxItem.objects.get(message=reply)
    assert outbox.status == "pending"
    run_tasks()
    outbox.refresh_from_db()
    assert outbox.status == "sent" and outbox.attempts == 1
    assert AuditLog.objects.filter(action="conversation.reply", object_id=str(conv.pk)).exists()


def test_roles_limit_what_members_can_do(acme, webhook) -> None:  # type: ignore[no-untyped-def]
    conv = seed(webhook, 1)[0]
    viewer = Access(acme, Role.VIEWER, make_user("v@example.com").pk)
    moderator = Access(acme, Role.MODERATOR, make_user("m@example.com").pk)
    with pytest.raises(PermissionDeniedForRole):
        services.post_reply(viewer, conv, "x")
    with pytest.raises(PermissionDeniedForRole):
        services.update_conversation(viewer, conv, state="resolved")
    with pytest.raises(PermissionDeniedForRole):
        services.post_reply(moderator, conv, "x")
    services.update_conversation(moderator, conv, state="spam")
    assert Message.objects.filter(direction="outbound").count() == 0


def test_update_validation_and_audit_before_after(acme, alice, webhook) -> None:  # type: ignore[no-untyped-def]
    conv = seed(webhook, 1)[0]
    access = Access(acme, Role.OWNER, alice.pk)
    with pytest.raises(services.InvalidChange):
        services.update_conversation(access, conv, state="nonsense")
    with pytest.raises(services.InvalidChange):
        services.update_conversation(access, conv, priority=9)
    outsider = make_user("x@example.com")
    with pytest.raises(services.InvalidChange):
        services.update_conversation(access, conv, assignee_id=outsider.pk)
    services.update_conversation(access, conv, state="resolved")
    entry = AuditLog.objects.get(action="conversation.update")
    assert entry.before["state"] == "new" and entry.after["state"] == "resolved"
    assert entry.actor == alice


def test_note_mentions_members(acme, alice, bob, webhook) -> None:  # type: ignore[no-untyped-def]
    conv = seed(webhook, 1)[0]
    note = services.add_note(Access(acme, Role.OWNER, alice.pk), conv, "@bob schau mal, @nobody")
    assert note.mentions == [bob.pk]
    conv.refresh_from_db()
    assert conv.message_count == 1  # notes are not part of the conversation with the contact


def test_pages_render_and_act(alice_client: Client, acme, webhook) -> None:  # type: ignore[no-untyped-def]
    conv = seed(webhook, 60)[0]
    page = alice_client.get("/w/acme/")
    assert page.status_code == 200 and page.content.decode().count('<li class="row') == 50
    assert "Load more" in page.content.decode() or "Mehr laden" in page.content.decode()
    assert alice_client.get("/w/acme/", {"state": "bogus"}).status_code == 400
    assert alice_client.get("/w/acme/rows/", {"cursor": "garbage"}).status_code == 400
    assert alice_client.get(f"/w/acme/c/{conv.pk}/").status_code == 200
    assert alice_client.get("/w/acme/c/999999/").status_code == 404
    # Triage chips on a message read in the team's language, with the evidence on hover.
    conv.messages.update(
        sentiment="negative",
        intent="complaint",
        spam=True,
        triage={
            "priority": "urgent",
            "why": {
                "intent": ["mood:negative"],
                "spam": ["repeated text"],
                "urgency": ["intent:complaint", "risk:anwalt"],
            },
        },
    )
    detail = alice_client.get(f"/w/acme/c/{conv.pk}/").content.decode()
    assert 'title="Anliegen: Beschwerde, Risikowort „anwalt“">Dringend</span>' in detail
    assert 'title="Stimmung: negativ">Beschwerde</span>' in detail
    assert ">negativ</span>" in detail and 'title="derselbe Text mehrfach">Spam</span>' in detail
    r = alice_client.post(f"/w/acme/c/{conv.pk}/reply/", {"text": "Hallo!"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Hallo!" in r.content.decode()
    assert alice_client.post(f"/w/acme/c/{conv.pk}/reply/", {"text": " "}).status_code == 400
    r = alice_client.post(f"/w/acme/c/{conv.pk}/update/", {"state": "resolved", "add_tag": "Lob"})
    assert r.status_code == 302
    conv.refresh_from_db()
    assert conv.state == "resolved" and list(conv.tags.values_list("name", flat=True)) == ["Lob"]
    ids = [str(c.pk) for c in Conversation.objects.all()[:5]]
    assert alice_client.post("/w/acme/bulk/", {"ids": ids, "action": "spam"}).status_code == 302
    assert Conversation.objects.filter(state="spam").count() == 5
    assert alice_client.post("/w/acme/bulk/", {"ids": ["x"], "action": "spam"}).status_code == 400
    assert alice_client.post("/w/acme/bulk/", {"ids": ids, "action": "explode"}).status_code == 400


def test_an_empty_list_says_whether_the_inbox_is_done_or_the_filters_match_nothing(
    alice_client: Client, acme, webhook
) -> None:  # type: ignore[no-untyped-def]
    done = alice_client.get("/w/acme/", {"sort": "recent"}).content.decode()
    assert "Hier ist nichts. Gut gemacht!" in done
    seed(webhook, 1)
    unmatched = alice_client.get("/w/acme/rows/", {"q": "Quittenmarmelade"}).content.decode()
    assert "Keine Unterhaltung passt zu diesen Filtern." in unmatched
    assert "Gut gemacht" not in unmatched


def test_saved_views(alice_client: Client, acme, alice, bob) -> None:  # type: ignore[no-untyped-def]
    r = alice_client.post("/w/acme/views/", {"name": "Dringend", "priority": "3", "state": "all"})
    assert r.status_code == 302 and "priority=3" in r["Location"]
    view = SavedView.objects.get()
    assert view.params == {"priority": "3", "state": "new,open,pending,resolved,spam,hidden"}
    assert view.user == alice
    bob_client = login(Client(), bob)
    assert bob_client.post(f"/w/acme/views/{view.pk}/delete/").status_code == 404
    assert alice_client.post(f"/w/acme/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_event_stream_delivers_changes(alice_client: Client, acme, webhook, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True  # allows a short stream for the test
    last = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    seed(webhook, 2)
    response = alice_client.get("/w/acme/events/", {"after": last, "max": "0.5"})
    assert response["Content-Type"] == "text/event-stream"
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.count("event: change") == 2 and '"kind": "message"' in body


def test_presence_shows_other_viewers(alice_client: Client, acme, bob, webhook) -> None:  # type: ignore[no-untyped-def]
    conv = seed(webhook, 1)[0]
    bob_client = login(Client(), bob)
    bob_client.post(f"/w/acme/c/{conv.pk}/presence/", {"typing": "1"})
    r = alice_client.post(f"/w/acme/c/{conv.pk}/presence/", {"typing": "0"})
    assert (
        "Bob" in r.content.decode()
        and "typing" in r.content.decode().lower()
        or "tippt" in r.content.decode()
    )


def test_triage_labels_are_filters(acme, alice, webhook) -> None:  # type: ignore[no-untyped-def]
    convs = seed(webhook, 3)
    Conversation.objects.filter(pk=convs[0].pk).update(intent="complaint", sentiment="negative")
    Conversation.objects.filter(pk=convs[1].pk).update(spam=True)

    def ids(**params: str) -> set[int]:
        f = selectors.InboxFilter.from_params({"state": "all", **params})
        return {c.pk for c in selectors.list_conversations(acme, f, user_id=alice.pk).conversations}

    assert ids(intent="complaint") == ids(sentiment="negative") == {convs[0].pk}
    assert ids(flag="spam") == {convs[1].pk}
    assert ids(flag="clean") == {convs[0].pk, convs[2].pk}
    with pytest.raises(selectors.InvalidFilter):
        ids(intent="gossip")


def test_bulk_assign_priority_and_tag(alice_client: Client, acme, alice, webhook) -> None:  # type: ignore[no-untyped-def]
    ids = [str(c.pk) for c in seed(webhook, 3)]
    assert (
        alice_client.post("/w/acme/bulk/", {"ids": ids, "action": "assign:me"}).status_code == 302
    )
    assert set(Conversation.objects.values_list("assignee_id", flat=True)) == {alice.pk}
    alice_client.post("/w/acme/bulk/", {"ids": ids[:1], "action": "priority:3"})
    alice_client.post("/w/acme/bulk/", {"ids": ids, "action": "tag", "value": "Rückruf"})
    alice_client.post("/w/acme/bulk/", {"ids": ids, "action": "assign:"})
    assert Conversation.objects.filter(priority=3).count() == 1
    assert Conversation.objects.filter(tags__name="Rückruf", assignee__isnull=True).count() == 3
    assert (
        alice_client.post("/w/acme/bulk/", {"ids": ids, "action": "priority:high"}).status_code
        == 400
    )


def test_mentions_show_for_the_mentioned_member(acme, alice, bob, webhook) -> None:  # type: ignore[no-untyped-def]
    convs = seed(webhook, 2)
    services.add_note(Access(acme, Role.OWNER, alice.pk), convs[1], "@bob bitte übernehmen")
    f = selectors.InboxFilter.from_params({"state": "all", "mentioned": "me"})
    assert [c.pk for c in selectors.list_conversations(acme, f, user_id=bob.pk).conversations] == [
        convs[1].pk
    ]
    assert selectors.list_conversations(acme, f, user_id=alice.pk).conversations == []


@pytest.mark.parametrize(
    ("evidence", "english", "german"),
    [
        (
            ["cue:lead", "mood:negative", "2 links", "known-bad domain", "kündigung"],
            "cue words for “lead”, mood: negative, 2 links, known spam domain, kündigung",
            "Signalwörter für „Kaufinteresse“, Stimmung: negativ, 2 Links, "
            "bekannte Spam-Domain, kündigung",
        ),
        # Why a message is urgent (triage/urgency.py), numbers in the reader's format.
        (
            ["intent:complaint", "risk:kündigung", "reach:250000", "reactions:840", "threat"],
            "intent: complaint, risk word “kündigung”, 250,000 followers, 840 reactions, threat",
            "Anliegen: Beschwerde, Risikowort „kündigung“, 250.000 Follower, 840 Reaktionen, "
            "Drohung",
        ),
        (
            ["cue:greeting", "schönes", "wochenende"],
            "a greeting to everyone, schönes, wochenende",
            "ein Gruß an alle, schönes, wochenende",
        ),
        (
            ["intent:complaint", "failed service"],
            "intent: complaint, a failed service described",
            "Anliegen: Beschwerde, beschriebene Störung",
        ),
    ],
)
def test_triage_evidence_reads_as_words_not_rule_codes(
    evidence: list[str], english: str, german: str
) -> None:
    from django.utils import translation

    from resonanz.core.templatetags.resonanz_tags import why

    with translation.override("en"):
        assert why(evidence) == english
    with translation.override("de"):
        assert why(evidence) == german
    assert why(None) == why([]) == ""
