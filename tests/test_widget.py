from __future__ import annotations

import json
from typing import Any

from django.test import Client

from resonanz.channels import deliveries
from resonanz.inbox import services
from resonanz.inbox.models import Conversation, Message, Visibility

ORIGIN = "https://www.acme.example"


def get_thread(client: Client, widget, thread: str = "p1", **headers: str) -> Any:  # type: ignore[no-untyped-def]
    response = client.get(
        f"/widget/v1/{widget.public_key}/thread", {"thread": thread}, HTTP_ORIGIN=ORIGIN, **headers
    )
    assert response.status_code == 200, response.content
    return response.json()


def get_form_token(client: Client, widget) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/widget/v1/{widget.public_key}/form", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    return str(response.json()["form_token"])


def get_pending(client: Client, widget, visitor: str, thread: str = "p1") -> Any:  # type: ignore[no-untyped-def]
    response = client.get(
        f"/widget/v1/{widget.public_key}/pending",
        {"thread": thread},
        HTTP_ORIGIN=ORIGIN,
        HTTP_X_RESONANZ_VISITOR=visitor,
    )
    assert response.status_code == 200, response.content
    return response.json()["pending"]


def post_comment(client: Client, widget, *, store: bool = True, **fields: Any):  # type: ignore[no-untyped-def]
    token = get_form_token(client, widget)
    body = {
        "thread": "p1",
        "name": "Vera",
        "text": "Wann kommt Glasfaser?",
        "form_token": token,
        "visitor": "v" * 32,
        "url": "https://www.acme.example/p1",
        "title": "Seite 1",
    }
    body.update(fields)
    response = client.post(
        f"/widget/v1/{widget.public_key}/comments",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ORIGIN=ORIGIN,
    )
    if store:
        # What the worker does moments later: ingest the stored comment.
        deliveries.ingest_pending(widget.pk)
    return response


def test_posted_comment_is_listed_and_team_reply_appears_after_delivery(
    client: Client, widget, alice_access, on_commit, run_tasks
) -> None:  # type: ignore[no-untyped-def]
    with on_commit():
        response = post_comment(client, widget)
    assert response.status_code == 201 and response.json()["status"] == "published"
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    data = get_thread(client, widget)
    assert [c["author"] for c in data["comments"]] == ["Vera"]
    conv = Conversation.objects.get()
    assert conv.thread.url == "https://www.acme.example/p1"
    with on_commit():
        services.post_reply(alice_access, conv, "Im Frühjahr!")
    assert get_thread(client, widget)["comments"][0]["replies"] == []  # not delivered yet
    run_tasks()
    replies = get_thread(client, widget)["comments"][0]["replies"]
    assert len(replies) == 1 and replies[0]["team"] is True and "Frühjahr" in replies[0]["html"]


def test_hostile_text_is_escaped(client: Client, widget) -> None:  # type: ignore[no-untyped-def]
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)> javascript:alert(1)'
    assert post_comment(client, widget, text=evil, name="<b>Mallory</b>").status_code == 201
    comment = get_thread(client, widget)["comments"][0]
    assert "<script" not in comment["html"] and "<img" not in comment["html"]
    assert comment["author"] == "<b>Mallory</b>"  # plain text; the widget sets it as textContent


def test_premoderation_holds_and_shows_only_the_author(
    client: Client, widget, alice_access
) -> None:  # type: ignore[no-untyped-def]
    widget.config["premoderation"] = True
    widget.save()
    assert post_comment(client, widget).json()["status"] == "pending"
    assert get_thread(client, widget)["comments"] == []
    assert "pending" not in get_thread(client, widget)  # the listing is the same for everyone
    assert len(get_pending(client, widget, "v" * 32)) == 1
    assert get_pending(client, widget, "w" * 32) == []
    assert get_pending(client, widget, "v" * 32, thread="p2") == []
    services.publish_held(alice_access, Conversation.objects.get())
    assert len(get_thread(client, widget)["comments"]) == 1


def test_private_feedback_is_never_listed(client: Client, widget) -> None:  # type: ignore[no-untyped-def]
    response = post_comment(client, widget, kind="feedback", name="", email="vera@example.org")
    assert response.status_code == 201 and response.json()["status"] == "received"
    assert get_thread(client, widget)["comments"] == []
    assert Message.objects.get().visibility == Visibility.PRIVATE
    assert Conversation.objects.get().kind == "feedback"


def test_honeypot_is_silently_dropped(client: Client, widget) -> None:  # type: ignore[no-untyped-def]
    assert post_comment(client, widget, website="http://spam.example").status_code == 202
    assert not Message.objects.exists()


def test_too_fast_form_is_refused(client: Client, widget) -> None:  # type: ignore[no-untyped-def]
    widget.config["min_seconds_on_form"] = 30
    widget.save()
    response = post_comment(client, widget)
    assert response.status_code == 429 and response.json()["field"] == "form_token"
    assert not Message.objects.exists()


def test_forged_form_token_is_refused(client: Client, widget) -> None:  # type: ignore[no-untyped-def]
    response = post_comment(client, widget, form_token="1700000000.0:forged")
    assert response.status_code == 400 and not Message.objects.exists()


def test_rate_limit_per_ip(client: Client, widget) -> None:  # type: ignore[no-untyped-def]
    widget.config["rate_per_ip_per_minute"] = 2
    widget.save()
    codes = [post_comment(client, widget, text=f"Kommentar {i}").status_code for i in range(3)]
    assert codes == [201, 201, 429]
    assert Message.objects.count() == 2


def test_duplicate_comment_is_refused(client: Client, widget) -> None:  # type: ignore[no-untyped-def]
    assert post_comment(client, widget).status_code == 201
    response = post_comment(client, widget, text="  wann kommt   GLASFASER? ")
    assert response.status_code == 409
    assert Message.objects.count() == 1


def test_limits_and_validation(client: Client, widget) -> None:  # type: ignore[no-untyped-def]
    widget.config["max_length"] = 100
    widget.save()
    assert post_comment(client, widget, text="x" * 101).status_code == 400
    assert post_comment(client, widget, text="   ").status_code == 400
    assert post_comment(client, widget, name="").status_code == 400
    assert post_comment(client, widget, email="not an email").status_code == 400
    assert post_comment(client, widget, kind="admin").status_code == 400
    url = f"/widget/v1/{widget.public_key}/comments"
    assert client.post(url, data="{bad", content_type="application/json").status_code == 400
    assert client.post(url, data="[1]", content_type="application/json").status_code == 400
    assert not Message.objects.exists()


def test_foreign_origin_and_unknown_key(client: Client, widget) -> None:  # type: ignore[no-untyped-def]
    url = f"/widget/v1/{widget.public_key}/thread"
    assert client.get(url, {"thread": "p1"}, HTTP_ORIGIN="https://evil.example").status_code == 403
    assert client.get("/widget/v1/nope/thread", {"thread": "p1"}).status_code == 404
    assert client.get(url).status_code == 400
    preflight = client.options(url, HTTP_ORIGIN=ORIGIN)
    assert preflight.status_code == 204 and preflight["Access-Control-Allow-Origin"] == ORIGIN


def test_hidden_conversation_disappears_from_the_page(client: Client, widget, alice_access) -> None:  # type: ignore[no-untyped-def]
    post_comment(client, widget)
    assert len(get_thread(client, widget)["comments"]) == 1
    services.update_conversation(alice_access, Conversation.objects.get(), state="hidden")
    assert get_thread(client, widget)["comments"] == []
    services.update_conversation(alice_access, Conversation.objects.get(), state="open")
    assert len(get_thread(client, widget)["comments"]) == 1


def test_listing_is_revalidated_with_its_etag(client: Client, widget, alice_access) -> None:  # type: ignore[no-untyped-def]
    url = f"/widget/v1/{widget.public_key}/thread"
    first = client.get(url, {"thread": "p1"}, HTTP_ORIGIN=ORIGIN)
    assert first["Cache-Control"] == "no-cache" and first.json()["comments"] == []
    etag = first["ETag"]
    unchanged = client.get(url, {"thread": "p1"}, HTTP_ORIGIN=ORIGIN, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["Access-Control-Allow-Origin"] == ORIGIN
    assert post_comment(client, widget).status_code == 201
    changed = client.get(url, {"thread": "p1"}, HTTP_ORIGIN=ORIGIN, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert len(changed.json()["comments"]) == 1
    # Hiding the comment changes what the public sees: a new version again.
    services.update_conversation(alice_access, Conversation.objects.get(), state="hidden")
    hidden = client.get(
        url, {"thread": "p1"}, HTTP_ORIGIN=ORIGIN, HTTP_IF_NONE_MATCH=changed["ETag"]
    )
    assert hidden.status_code == 200 and hidden.json()["comments"] == []


def test_pending_needs_the_visitor_token(client: Client, widget) -> None:  # type: ignore[no-untyped-def]
    url = f"/widget/v1/{widget.public_key}/pending"
    assert client.get(url, {"thread": "p1"}, HTTP_ORIGIN=ORIGIN).status_code == 400


def test_a_comment_is_answered_at_once_and_stored_by_the_worker(
    client: Client, widget, run_tasks
) -> None:  # type: ignore[no-untyped-def]
    response = post_comment(client, widget, store=False)
    assert response.status_code == 201
    ref = response.json()["ref"]
    assert not Message.objects.exists()
    assert get_thread(client, widget)["comments"] == []
    run_tasks()
    listed = get_thread(client, widget)["comments"]
    assert [c["ref"] for c in listed] == [ref]
    assert Message.objects.get().external_id == ref


def test_visitors_read_errors_in_the_language_of_the_page(client: Client, widget) -> None:  # type: ignore[no-untyped-def]
    def error(lang: str, **headers: str) -> str:
        response = client.post(
            f"/widget/v1/{widget.public_key}/comments?lang={lang}",
            data=json.dumps({"thread": "p1", "name": "Vera", "text": "  "}),
            content_type="application/json",
            HTTP_ORIGIN=ORIGIN,
            **headers,
        )
        assert response.status_code == 400
        return str(response.json()["error"])

    assert "Formular ist abgelaufen" in error("de")
    assert "form has expired" in error("en")
    # Without a page language, the browser's.
    assert "form has expired" in error("", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert "Formular" in error("xx", HTTP_ACCEPT_LANGUAGE="de-DE")


def test_a_change_made_by_another_process_is_listed_within_a_second(
    client: Client, widget, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from django.db.models import F

    from resonanz.core import localcache
    from resonanz.inbox.models import Thread

    assert post_comment(client, widget).status_code == 201
    first = get_thread(client, widget)
    url = f"/widget/v1/{widget.public_key}/thread"
    etag = client.get(url, {"thread": "p1"}, HTTP_ORIGIN=ORIGIN)["ETag"]
    # Another process (a worker) changes the thread; this process has not heard of it.
    Message.objects.update(visibility=Visibility.HIDDEN)
    Thread.objects.update(public_version=F("public_version") + 1)
    assert client.get(url, {"thread": "p1"}, HTTP_ORIGIN=ORIGIN)["ETag"] == etag
    now = localcache.time.monotonic()
    monkeypatch.setattr(localcache.time, "monotonic", lambda: now + 1.5)
    assert client.get(url, {"thread": "p1"}, HTTP_ORIGIN=ORIGIN)["ETag"] != etag
    assert len(first["comments"]) == 1 and get_thread(client, widget)["comments"] == []
