"""Nobody outside a workspace can see, change or learn about anything in it.

Every page and endpoint that names a workspace object is tried as charlie (owner of another
workspace), as dave (a user in no workspace) and anonymously.
"""

from __future__ import annotations

import pytest
from django.test import Client

from resonanz.accounts.services import create_token
from resonanz.channels.ingest import InboundItem, ingest
from resonanz.core.models import AuditLog, Role
from resonanz.core.permissions import Access
from resonanz.inbox.models import Conversation, Message, SavedView
from resonanz.triage.models import LabelExample
from tests.conftest import login, make_user


@pytest.fixture
def world(acme, alice, widget, webhook, charlie, other_webhook):  # type: ignore[no-untyped-def]
    ingest(widget, [InboundItem(external_id="c1", text="Hallo", author_id="v1", thread_key="p1")])
    conv = Conversation.objects.get(workspace=acme)
    view = SavedView.objects.create(workspace=acme, user=alice, name="mine", params={})
    contact_id = conv.contact_id
    message = Message.objects.get(conversation=conv)
    return {"conv": conv.pk, "view": view.pk, "contact": contact_id, "message": message.pk}


def page_urls(w: dict[str, int]) -> list[tuple[str, str]]:
    c, v, p = w["conv"], w["view"], w["contact"]
    return [
        ("get", "/w/acme/"),
        ("get", "/w/acme/rows/"),
        ("get", f"/w/acme/c/{c}/"),
        ("get", f"/w/acme/c/{c}/panel/"),
        ("post", f"/w/acme/c/{c}/reply/"),
        ("post", f"/w/acme/c/{c}/note/"),
        ("post", f"/w/acme/c/{c}/update/"),
        ("post", f"/w/acme/c/{c}/publish/"),
        ("post", f"/w/acme/c/{c}/presence/"),
        ("post", "/w/acme/bulk/"),
        ("get", "/w/acme/events/"),
        ("post", "/w/acme/views/"),
        ("post", f"/w/acme/views/{v}/delete/"),
        ("get", f"/w/acme/people/{p}/"),
        ("get", "/w/acme/settings/channels/"),
        ("get", "/w/acme/settings/channels/widget/"),
        ("get", "/w/acme/settings/import/"),
        ("post", "/w/acme/settings/import/"),
        ("get", "/w/acme/settings/members/"),
        ("post", "/w/acme/settings/members/"),
        ("get", "/w/acme/settings/tokens/"),
        ("post", "/w/acme/settings/tokens/"),
        ("get", "/w/acme/settings/audit/"),
        ("get", "/w/acme/settings/"),
        ("post", "/w/acme/settings/"),
        ("post", "/w/acme/settings/channels/"),
        ("post", "/w/acme/settings/channels/webhook/"),
        ("post", f"/w/acme/c/{c}/m/{w['message']}/label/"),
        ("get", "/w/acme/settings/learning/"),
    ]


def _data(url: str, conv: int) -> dict[str, object]:
    return {
        "text": "hijack",
        "task": "spam",
        "label": "spam",
        "state": "resolved",
        "ids": [str(conv)],
        "action": "resolve",
        "name": "x",
        "email": "evil@example.com",
        "role": "owner",
    }


def assert_untouched(world: dict[str, int]) -> None:
    conv = Conversation.objects.get(pk=world["conv"])
    assert conv.state == "new"
    assert Message.objects.filter(conversation=conv).count() == 1
    assert SavedView.objects.filter(pk=world["view"]).exists()
    assert not LabelExample.objects.exists()
    assert (
        not AuditLog.objects.filter(workspace__slug="acme").exclude(action="token.create").exists()
    )


@pytest.mark.parametrize("index", range(29))
def test_member_of_another_workspace_gets_404(world, charlie, index: int) -> None:  # type: ignore[no-untyped-def]
    method, url = page_urls(world)[index]
    client = login(Client(), charlie)
    response = getattr(client, method)(url, _data(url, world["conv"]))
    assert response.status_code == 404, url
    assert_untouched(world)


@pytest.mark.parametrize("index", range(29))
def test_user_without_workspace_gets_404(world, index: int) -> None:  # type: ignore[no-untyped-def]
    method, url = page_urls(world)[index]
    client = login(Client(), make_user("dave@example.com"))
    assert getattr(client, method)(url, _data(url, world["conv"])).status_code == 404, url
    assert_untouched(world)


@pytest.mark.parametrize("index", range(29))
def test_anonymous_gets_403(world, index: int) -> None:  # type: ignore[no-untyped-def]
    method, url = page_urls(world)[index]
    response = getattr(Client(), method)(url, _data(url, world["conv"]))
    assert response.status_code == 403, url
    assert_untouched(world)


def test_conversation_of_other_workspace_through_own_workspace_url(
    world, charlie, other_ws
) -> None:  # type: ignore[no-untyped-def]
    client = login(Client(), charlie)
    c = world["conv"]
    for method, url in [
        ("get", f"/w/other/c/{c}/"),
        ("get", f"/w/other/c/{c}/panel/"),
        ("post", f"/w/other/c/{c}/reply/"),
        ("post", f"/w/other/c/{c}/update/"),
        ("post", f"/w/other/c/{c}/note/"),
        ("post", f"/w/other/c/{c}/presence/"),
        ("post", f"/w/other/c/{c}/publish/"),
        ("get", f"/w/other/people/{world['contact']}/"),
        ("post", f"/w/other/views/{world['view']}/delete/"),
        ("post", f"/w/other/c/{c}/m/{world['message']}/label/"),
    ]:
        assert getattr(client, method)(url, _data(url, c)).status_code == 404, url
    client.post("/w/other/bulk/", {"ids": [str(c)], "action": "resolve"})
    assert_untouched(world)


def api_calls(conv: int) -> list[tuple[str, str, dict[str, object] | None]]:
    return [
        ("get", f"/api/v1/conversations/{conv}", None),
        ("get", f"/api/v1/conversations/{conv}/messages", None),
        ("post", f"/api/v1/conversations/{conv}/replies", {"text": "hijack"}),
        ("post", f"/api/v1/conversations/{conv}/notes", {"text": "hijack"}),
        ("patch", f"/api/v1/conversations/{conv}", {"state": "resolved"}),
    ]


@pytest.mark.parametrize("index", range(5))
def test_api_token_of_another_workspace_gets_404(world, charlie, other_ws, index: int) -> None:  # type: ignore[no-untyped-def]
    _, raw = create_token(Access(other_ws, Role.OWNER, charlie.pk), name="t")
    method, url, body = api_calls(world["conv"])[index]
    response = getattr(Client(), method)(
        url, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 404, url
    assert_untouched(world)


@pytest.mark.parametrize("index", range(5))
def test_api_without_token_gets_401(world, index: int) -> None:  # type: ignore[no-untyped-def]
    method, url, body = api_calls(world["conv"])[index]
    response = getattr(Client(), method)(url, data=body, content_type="application/json")
    assert response.status_code == 401
    bad = getattr(Client(), method)(
        url, data=body, content_type="application/json", HTTP_AUTHORIZATION="Bearer rsz_not-a-token"
    )
    assert bad.status_code == 401
    assert_untouched(world)


def test_api_list_shows_only_own_workspace(world, charlie, other_ws) -> None:  # type: ignore[no-untyped-def]
    _, raw = create_token(Access(other_ws, Role.OWNER, charlie.pk), name="t")
    response = Client().get("/api/v1/conversations?state=all", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["items"] == []


def test_webhook_of_one_workspace_never_writes_into_another(
    world, client, other_webhook, run_tasks
) -> None:  # type: ignore[no-untyped-def]
    import json

    from resonanz.channels.signing import sign

    body = json.dumps({"id": "c1", "text": "x", "author": {"id": "v1"}}).encode()
    response = client.post(
        f"/hooks/v1/{other_webhook.public_key}",
        data=body,
        content_type="application/json",
        HTTP_X_RESONANZ_SIGNATURE=sign(other_webhook.secret, body),
    )
    assert response.status_code == 202
    run_tasks()
    assert Conversation.objects.filter(workspace__slug="acme").count() == 1
    assert_untouched(world)
